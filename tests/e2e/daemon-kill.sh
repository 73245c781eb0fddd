#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: SIGKILL of vigild under a storm of opens from several processes: no opener hangs, every pending open returns: fanotify allows what a dead listener left, vigil.ko answers it with its release verdict (on_timeout, here deny) and counts it as released.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
prot=$work/prot
for i in $(seq 20); do echo "file $i" >"$prot/f$i"; done
eicar >"$prot/eicar.com"

# Slow scans keep many opens pending at the moment of the kill. On vigil.ko
# (deadline capped at 10 s) on_timeout = deny is also the verdict of every
# opener still waiting when vigild dies; fanotify allows those whatever
# on_timeout says.
on_timeout=allow
[ "$backend" = kmod ] && on_timeout=deny
start_vigild "timeout_ms = $(max_timeout_ms 60000)" "debug_scan_delay_ms = 300" "workers = 2" \
	"log_allowed = no" "on_timeout = $on_timeout"
released_before=
[ "$backend" = kmod ] && released_before=$(status_field module.released)
rounds=$(e2e_count 40 15)
pids=
for p in $(seq 6); do
	# new files each round, so nothing is a cache hit
	(
		for round in $(seq $rounds); do
			# (on vigil.ko, an open waiting when vigild dies fails)
			{ echo "$p $round" >"$prot/p$p-$round"; } 2>/dev/null
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
# a clean file opened behind that queue (2 workers, 300 ms a scan): still
# waiting when vigild dies
echo "witness" >"$prot/witness"
(if cat "$prot/witness" >/dev/null 2>"$work/witness.err"; then echo allowed; else
	cat "$work/witness.err"; fi >"$work/witness.out") &
witness=$!
sleep 0.3
kill -KILL "$vigild_pid"
wait "$vigild_pid" 2>/dev/null
vigild_pid=
# Every opener must finish on its own, promptly, now that nothing scans.
hung=0
for pid in $pids; do
	timeout 30 tail --pid="$pid" -f /dev/null || hung=$((hung + 1))
done
timeout 30 tail --pid="$witness" -f /dev/null || hung=$((hung + 1))
[ $hung -eq 0 ] || fail "$hung opener(s) still blocked 30 s after vigild died"
echo "killed with $pending open(s) pending; all 6 openers and the witness finished"
case $backend in
fanotify)
	[ "$(cat "$work/witness.out")" = allowed ] ||
		fail "the open waiting at the kill: $(cat "$work/witness.out"), want allowed (fanotify)" ;;
kmod)
	grep -q 'Operation not permitted' "$work/witness.out" ||
		fail "the open waiting at the kill: $(cat "$work/witness.out"), want EPERM (vigil.ko's release verdict)" ;;
esac
# nothing is scanned any more: vigil.ko, like fanotify, lets opens through
expect_open "$prot/eicar.com" allowed
if [ "$backend" = kmod ]; then
	start_vigild
	released=$(status_field module.released)
	[ "$released" -gt "$released_before" ] ||
		fail "module.released $released_before -> $released: nothing counted as released"
	echo "vigil.ko released $((released - released_before)) waiting open(s)"
	stop_vigild
fi
echo ok
