#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: systemd notify protocol as a Type=notify unit sees it: READY=1 comes only once the marks are in (EICAR opened right after it is denied) with a STATUS= line, WATCHDOG=1 pings arrive well within WATCHDOG_USEC, SIGHUP and `vigil reload` each give RELOADING=1 then READY=1, SIGTERM gives STOPPING=1.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
notify=$work/notify.sock
messages=$work/notify.log
watchdog_usec=1000000

# The service manager's end: one line per datagram, its newlines as `|'.
python3 -u - "$notify" "$messages" <<'PY' &
import socket, sys
server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
server.bind(sys.argv[1])
with open(sys.argv[2], "a") as out:
    while True:
        data = server.recv(65536).decode("utf-8", "replace").strip("\n")
        out.write(data.replace("\n", "|") + "\n")
        out.flush()
PY
receiver=$!
trap 'kill $receiver 2>/dev/null; daemon_cleanup' EXIT
for _ in $(seq 100); do [ -S "$notify" ] && break; sleep 0.05; done
[ -S "$notify" ] || fail "notify receiver did not start"

# wait_message PATTERN [AFTER-LINE]: sets $at to the number of the first
# line after AFTER-LINE matching PATTERN (extended regex), waiting up to 10 s.
wait_message() {
	local after=${2:-0}
	for _ in $(seq 200); do
		at=$(awk -v after="$after" -v pattern="$1" 'NR > after && $0 ~ pattern { print NR; exit }' "$messages" 2>/dev/null)
		[ -n "$at" ] && return 0
		sleep 0.05
	done
	fail "no notify message matching $1 after line $after: $(cat "$messages")"
}

eicar >"$work/prot/eicar.com"
write_config
# as systemd starts it: NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID
NOTIFY_SOCKET=$notify WATCHDOG_USEC=$watchdog_usec \
	bash -c 'export WATCHDOG_PID=$$; exec "$@"' vigild ${VIGILD_PREFIX:-} "$vigild" --config "$work/vigild.conf" \
	>"$work/vigild.out" 2>"$work/vigild.err" &
vigild_pid=$!

# READY=1 only once marks are in: an open right after it is denied
while ! grep -q 'READY=1' "$messages" 2>/dev/null; do
	kill -0 "$vigild_pid" 2>/dev/null || fail "vigild exited at start"
	sleep 0.005
done
expect_open "$work/prot/eicar.com" denied
wait_message 'READY=1'; ready=$at
grep 'READY=1' "$messages" | head -1 | grep -q 'STATUS=running with bases ' || fail "READY=1 without STATUS=: $(cat "$messages")"
grep -q 'MAINPID=' "$messages" || fail "no MAINPID=: $(cat "$messages")"
wait_message '(^|[|])STATUS=loading bases'
[ "$at" -lt "$ready" ] || fail "no STATUS= while loading bases: $(cat "$messages")"

# watchdog pings: within WATCHDOG_USEC of each other (generous: vigild
# pings every half of it)
wait_message '^WATCHDOG=1$' "$ready"; first=$at
sleep 3.5
pings=$(awk -v after="$first" 'NR > after && /^WATCHDOG=1$/' "$messages" | wc -l)
[ "$pings" -ge 2 ] || fail "$pings watchdog pings in 3.5 s with WATCHDOG_USEC=$watchdog_usec: $(cat "$messages")"

# SIGHUP: RELOADING=1, then READY=1 with the outcome as STATUS=
mark=$(wc -l <"$messages")
kill -HUP "$vigild_pid"
wait_message '(^|[|])RELOADING=1' "$mark"; reloading=$at
wait_message '(^|[|])READY=1' "$reloading"; again=$at
sed -n "${again}p" "$messages" | grep -q 'STATUS=' || fail "READY=1 after SIGHUP without STATUS=: $(cat "$messages")"

# `vigil reload` too
mark=$(wc -l <"$messages")
"$vigil" reload --socket "$socket" >/dev/null || fail "vigil reload failed"
wait_message '(^|[|])RELOADING=1' "$mark"; reloading=$at
wait_message '(^|[|])READY=1' "$reloading"

# a refused reload still ends in READY=1 (the running bases serve on)
echo "Broken:0:*:zz" >"$work/bases/broken.ndb"
mark=$(wc -l <"$messages")
"$vigil" reload --socket "$socket" >/dev/null 2>&1 && fail "a broken reload succeeded"
wait_message '(^|[|])RELOADING=1' "$mark"; reloading=$at
wait_message '(^|[|])READY=1' "$reloading"; again=$at
sed -n "${again}p" "$messages" | grep -q 'STATUS=reload refused' || fail "refused reload status: $(cat "$messages")"
expect_open "$work/prot/eicar.com" denied

# SIGTERM: STOPPING=1, exit 0
mark=$(wc -l <"$messages")
stop_vigild
wait_message '(^|[|])STOPPING=1' "$mark"

# a start that fails says why in STATUS= too
mark=$(wc -l <"$messages")
sed -i "s|^bases = .*|bases = $work/no-such-bases|" "$work/vigild.conf"
NOTIFY_SOCKET=$notify ${VIGILD_PREFIX:-} "$vigild" --config "$work/vigild.conf" 2>/dev/null && fail "vigild started without bases"
wait_message "^STATUS=bases $work/no-such-bases: No such file" "$mark"

# wedged scanning: the one worker stuck in a scan (the test-only delay) and
# another event waiting for ten deadlines plus 5 s: the pings stop, with
# the reason in STATUS=, so systemd's WatchdogSec restarts vigild
sed -i "s|^bases = .*|bases = $work/bases|" "$work/vigild.conf"
rm -f "$work/bases/broken.ndb"
printf 'workers = 1\ntimeout_ms = 100\ndebug_scan_delay_ms = 30000\n' >>"$work/vigild.conf"
mark=$(wc -l <"$messages")
NOTIFY_SOCKET=$notify WATCHDOG_USEC=$watchdog_usec \
	bash -c 'export WATCHDOG_PID=$$; exec "$@"' vigild ${VIGILD_PREFIX:-} "$vigild" --config "$work/vigild.conf" \
	>"$work/vigild.out" 2>"$work/vigild.err" &
vigild_pid=$!
wait_message '(^|[|])READY=1' "$mark"; ready=$at
wait_message '^WATCHDOG=1$' "$ready"
echo one >"$work/prot/one"; echo two >"$work/prot/two"
cat "$work/prot/one" >/dev/null 2>&1 &
openers=$!
cat "$work/prot/two" >/dev/null 2>&1 &
openers="$openers $!"
sleep 5
wait_message '^STATUS=unhealthy: all 1 scan workers stuck for [0-9]+ s, [0-9]+ events waiting' "$ready"; unhealthy=$at
sleep 1.5
late=$(awk -v after="$unhealthy" 'NR > after && /^WATCHDOG=1$/' "$messages" | wc -l)
[ "$late" = 0 ] || fail "$late watchdog pings while wedged: $(cat "$messages")"
grep -q "unhealthy, watchdog pings withheld: all 1 scan workers stuck" "$work/vigild.err" ||
	fail "no unhealthy line on stderr"
kill -KILL "$vigild_pid"; wait "$vigild_pid" 2>/dev/null; vigild_pid=
# shellcheck disable=SC2086
wait $openers	# released when their listener died
echo ok
