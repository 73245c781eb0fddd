#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: a full disk for the verdict log: vigild keeps answering (denials included), counts the write errors and says so in status; after space returns and SIGUSR1, records flow again.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
prot=$work/prot
mkdir -p "$work/logfs"
mount -t tmpfs -o size=64k vigil-e2e-log "$work/logfs" || { echo "cannot mount tmpfs"; exit 77; }
log=$work/logfs/verdicts.json
start_vigild "log_allowed = yes"
dd if=/dev/zero of="$work/logfs/filler" bs=4k count=100 status=none 2>/dev/null
eicar >"$prot/eicar.com"
for i in $(seq "$(e2e_count 20 10)"); do
	echo "clean $i" >"$prot/clean-$i"
	expect_open "$prot/clean-$i" allowed
	expect_open "$prot/eicar.com" denied
done
for _ in $(seq 100); do [ "$(status_field records.write_errors)" -gt 0 ] && break; sleep 0.05; done
errors=$(status_field records.write_errors)
[ "$errors" -gt 0 ] || fail "no write error counted"
"$vigil" status --socket "$socket" | grep -q "^last record error: $log: No space left on device" ||
	fail "status does not name the error: $("$vigil" status --socket "$socket")"
[ "$(status_field events.timeouts)" = 0 ] || fail "answers waited on the log"
# space again, logrotate-style reopen: records are written again
rm -f "$work/logfs/filler" "$log"
kill -USR1 "$vigild_pid"
for _ in $(seq 100); do [ -e "$log" ] && break; sleep 0.05; done
expect_open "$prot/eicar.com" denied
wait_for_record '"answer":"deny"'
stop_vigild
echo "ok ($errors write errors while the disk was full)"
