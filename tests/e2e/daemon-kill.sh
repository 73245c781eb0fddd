#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: SIGKILL of vigild under a storm of opens from several processes: no opener hangs, every pending open returns (fanotify allows what a dead listener left).
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
prot=$work/prot
for i in $(seq 20); do echo "file $i" >"$prot/f$i"; done
eicar >"$prot/eicar.com"

# Slow scans keep many opens pending at the moment of the kill.
start_vigild "timeout_ms = 60000" "debug_scan_delay_ms = 300" "workers = 2" "log_allowed = no"
rounds=$(e2e_count 40 15)
pids=
for p in $(seq 6); do
	# new files each round, so nothing is a cache hit
	(
		for round in $(seq $rounds); do
			echo "$p $round" >"$prot/p$p-$round"
			cat "$prot/p$p-$round" >/dev/null 2>&1
			cat "$prot/eicar.com" >/dev/null 2>&1
		done
	) &
	pids="$pids $!"
done
for _ in $(seq 100); do
	[ "$(status_field events.in_flight 2>/dev/null || echo 0)" -ge 4 ] && break
	sleep 0.05
done
pending=$(status_field events.in_flight)
kill -KILL "$vigild_pid"
wait "$vigild_pid" 2>/dev/null
vigild_pid=
# Every opener must finish on its own, promptly, now that nothing scans.
hung=0
for pid in $pids; do
	timeout 30 tail --pid="$pid" -f /dev/null || hung=$((hung + 1))
done
[ $hung -eq 0 ] || fail "$hung opener(s) still blocked 30 s after vigild died"
echo "killed with $pending open(s) pending; all 6 openers finished"
expect_open "$prot/eicar.com" allowed
echo ok
