#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: deadlines: a scan that overruns timeout_ms is answered with on_timeout (allow, then deny; on vigil.ko with deny_errno = EACCES) and recorded; a burst of opens larger than vigild's fd limit gets no spurious denial.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
prot=$work/prot
eicar >"$prot/eicar.com"
echo "clean" >"$prot/clean.txt"

# Every scan sleeps 1.5 s (a test-only knob); the deadline is 200 ms. Only
# the watchdog can answer before the scan ends, so the verdict shows it.
start_vigild "timeout_ms = 200" "on_timeout = allow" "debug_scan_delay_ms = 1500"
expect_open "$prot/eicar.com" allowed
wait_for_record '"verdict":"timeout","answer":"allow"'
grep '"verdict":"timeout"' "$log" | grep -q "\"path\":\"$prot/eicar.com\"" || fail "timeout record: $(cat "$log")"
[ "$(status_field events.timeouts)" = 1 ] || fail "timeouts counter"
stop_vigild

rm -f "$log"
if [ "$backend" = kmod ]; then
	# vigil.ko answers a deny, the deadline's too, with deny_errno
	start_vigild "timeout_ms = 200" "on_timeout = deny" "debug_scan_delay_ms = 1500" \
		"deny_errno = EACCES"
	expect_open "$prot/clean.txt" denied "Permission denied"
else
	start_vigild "timeout_ms = 200" "on_timeout = deny" "debug_scan_delay_ms = 1500"
	expect_open "$prot/clean.txt" denied
fi
wait_for_record '"verdict":"timeout","answer":"deny"'
stop_vigild

# More opens at once than vigild may hold fds: it stops reading at its cap
# (half the limit) and the kernel keeps the rest queued; none is denied.
rm -f "$log"
burst=$(e2e_count 300 150)
for i in $(seq $burst); do echo "file $i" >"$prot/burst-$i"; done
VIGILD_PREFIX="prlimit --nofile=200:200"
start_vigild "timeout_ms = $(max_timeout_ms 60000)" "debug_scan_delay_ms = 20" "workers = 4"
VIGILD_PREFIX=
cap=$(status_field events.in_flight_cap)
[ "$cap" -lt $burst ] || fail "cap $cap is not below the burst"
pids=
for i in $(seq $burst); do
	cat "$prot/burst-$i" >/dev/null 2>>"$work/burst.err" &
	pids="$pids $!"
done
denied=0
for pid in $pids; do wait "$pid" || denied=$((denied + 1)); done
[ $denied -eq 0 ] || fail "$denied of $burst opens failed: $(sort "$work/burst.err" | uniq -c | head -3)"
[ "$(status_field events.timeouts)" = 0 ] || fail "timeouts in the burst"
[ "$(status_field events.scans)" -ge $burst ] || fail "scans $(status_field events.scans) < $burst"
echo "burst: $burst opens, fd cap $cap, none denied"
stop_vigild
echo ok
