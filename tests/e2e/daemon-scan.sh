#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: a real vigild on a tmpfs: EICAR denied on open (EPERM) and on exec, clean files allowed, a file rewritten after a clean verdict rescanned, FIFOs, devices and sockets never block, records, status (per backend: its coverage line, and the clean cache that served the repeat opens: vigild's or fanotify's ignore marks, or vigil.ko's own), tail, selftest, SIGUSR1, the state lock.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
start_vigild "log_allowed = no"
prot=$work/prot
# vigil.ko counts since it was loaded
[ "$backend" = kmod ] && module_hits_before=$(status_field module.cache_hits)

# clean allowed; EICAR denied on open, with its record
echo "hello" >"$prot/clean.txt"
expect_open "$prot/clean.txt" allowed
eicar >"$prot/eicar.com"
expect_open "$prot/eicar.com" denied
wait_for_record "\"file\":{\"path\":\"$prot/eicar.com\""
grep "\"action\":\"open\"" "$log" | grep -q '"vigil":{"bases":{"version":"folder-[0-9a-f]*"},"verdict":"infected","answer":"deny"' ||
	fail "no denial record: $(cat "$log")"
grep '"answer":"deny"' "$log" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    assert r["event"]["kind"] == "alert", r
    assert r["event"]["category"] == ["malware", "intrusion_detection"], r
    assert r["event"]["type"] == ["info", "denied"], r
    assert r["rule"]["name"] == ["Test.EICAR"], r
    assert r["process"]["executable"] == "/usr/bin/cat", r
    assert r["file"]["hash"]["sha256"] == "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f", r
    for key in ("@timestamp", "host", "user", "vigil"):
        assert key in r, key
' || fail "record fields"

# exec: a runnable file carrying the test string is refused
cp /bin/true "$prot/tool"
eicar >>"$prot/tool"
"$prot/tool" 2>"$work/exec.err" && fail "infected executable ran"
grep -q 'Operation not permitted' "$work/exec.err" || fail "exec: $(cat "$work/exec.err")"
cp /bin/true "$prot/good-tool"
"$prot/good-tool" || fail "clean executable refused"

# rewritten after a clean verdict: scanned again; clean again: allowed again
echo "fine" >"$prot/changing"
expect_open "$prot/changing" allowed
expect_open "$prot/changing" allowed
eicar >"$prot/changing"
expect_open "$prot/changing" denied
# (an infected file cannot be opened at all, not even to overwrite it:
# fanotify does not say whether an open is for writing; it is replaced)
echo "fine again" >"$work/changing.new"
mv "$work/changing.new" "$prot/changing"
expect_open "$prot/changing" allowed
# rewritten in place while the old verdict was cached, same size: still rescanned
printf '%s' "$(eicar | tr 'A-Z' 'a-z')" >"$prot/same-size"
expect_open "$prot/same-size" allowed
eicar | dd of="$prot/same-size" conv=notrunc status=none
expect_open "$prot/same-size" denied

# a FIFO, a device node and a socket never block
mkfifo "$prot/fifo"
timeout 5 bash -c "exec 3<>'$prot/fifo'" || fail "FIFO open blocked or failed"
mknod "$prot/null" c 1 3
timeout 5 cat "$prot/null" || fail "device open blocked or failed"
timeout 5 python3 -c '
import socket, sys
server = socket.socket(socket.AF_UNIX); server.bind(sys.argv[1]); server.listen(1)
client = socket.socket(socket.AF_UNIX); client.connect(sys.argv[1])
' "$prot/socket" || fail "socket blocked or failed"
timeout 5 cat "$prot/socket" 2>/dev/null
[ $? -ne 124 ] || fail "open of a socket blocked"

# status
"$vigil" status --socket "$socket" >"$work/status" || fail "status exit $?"
[ "$(status_field events.detections)" -ge 3 ] || fail "detections counter"
[ "$(status_field events.timeouts)" = 0 ] || fail "timeouts counter"
case $backend in
fanotify)
	grep -q "^  $prot: covered (filesystem, tmpfs)" "$work/status" || fail "status: $(cat "$work/status")"
	# a repeat open is a hit of vigild's cache or never reaches vigild
	[ $(( $(status_field events.cache_hits) + $(status_field events.ignore_marks_added) )) -ge 1 ] ||
		fail "no cache hit and no ignore mark" ;;
kmod)
	grep -q "^  $prot: covered (vigil.ko filesystem, tmpfs)" "$work/status" || fail "status: $(cat "$work/status")"
	# the default scan_on names close_write, which vigil.ko does not send
	grep -q "close_write not scanned (vigil.ko sends no close-after-write events)" "$work/status" ||
		fail "status on kmod: no close_write note: $(cat "$work/status")"
	grep -q '^vigil.ko (since loaded): events [0-9]' "$work/status" ||
		fail "status on kmod: no vigil.ko counters line: $(cat "$work/status")"
	# vigil.ko answers a repeat open of a clean file from its own cache:
	# it takes the verdict with the answer of the first clean scan, so the
	# second open never leaves the kernel
	expect_open "$prot/clean.txt" allowed
	expect_open "$prot/clean.txt" allowed
	[ "$(status_field module.cache_hits)" -gt "$module_hits_before" ] ||
		fail "module.cache_hits $module_hits_before -> $(status_field module.cache_hits)"
	echo "another clean file" >"$prot/clean-2.txt"
	module_hits_before=$(status_field module.cache_hits)
	expect_open "$prot/clean-2.txt" allowed	# scanned: the answer says cacheable
	expect_open "$prot/clean-2.txt" allowed	# from vigil.ko's cache
	[ "$(status_field module.cache_hits)" -gt "$module_hits_before" ] ||
		fail "the first clean answer was not cached by vigil.ko" ;;
esac

# least privilege: capabilities dropped on every thread, seccomp unless ASan
hardening=$(status_field hardening)
grep -q "^capabilities dropped; " <<<"$hardening" || fail "hardening: $hardening"
for task in /proc/$vigild_pid/task/*; do
	bounding=$(awk '/^CapBnd/ { print $2 }' "$task/status")
	[ $((0x$bounding & (1 << 12))) = 0 ] || fail "thread $task keeps CAP_NET_ADMIN ($bounding)"
	[ $((0x$bounding & (1 << 21))) != 0 ] || fail "thread $task lost CAP_SYS_ADMIN ($bounding)"
	if [ "$hardening" = "capabilities dropped; seccomp allowlist" ]; then
		grep -q '^Seccomp:[[:space:]]*2' "$task/status" || fail "thread $task has no seccomp filter"
	fi
done

# tail --json sees the next denial
"$vigil" tail --json --socket "$socket" >"$work/tail" 2>/dev/null &
tail_pid=$!
for _ in $(seq 100); do [ "$(status_field records.tail_subscribers)" = 1 ] && break; sleep 0.05; done
eicar >"$prot/eicar2.com"
expect_open "$prot/eicar2.com" denied
for _ in $(seq 100); do grep -q "eicar2.com" "$work/tail" && break; sleep 0.05; done
kill $tail_pid; wait $tail_pid 2>/dev/null
grep "eicar2.com" "$work/tail" | grep -q '"answer":"deny"' || fail "tail: $(cat "$work/tail")"

# selftest from a separate process
"$vigil" selftest --socket "$socket" >"$work/selftest" || fail "selftest: $(cat "$work/selftest")"
grep -q "^$prot: ok" "$work/selftest" || fail "selftest: $(cat "$work/selftest")"
[ -z "$(ls -A "$prot" | grep selftest)" ] || fail "selftest left its file"

# a path that is not UTF-8 is escaped, never dropped
eicar >"$prot/$(printf 'bad\xffname')"
expect_open "$prot/$(printf 'bad\xffname')" denied
wait_for_record 'bad\\\\xffname'

# SIGUSR1 reopens the log (logrotate)
mv "$log" "$log.1"
kill -USR1 "$vigild_pid"
for _ in $(seq 100); do [ -e "$log" ] && break; sleep 0.05; done
expect_open "$prot/eicar.com" denied
wait_for_record "eicar.com"

# one vigild per state folder
"$vigild" --config "$work/vigild.conf" >/dev/null 2>"$work/second.err" && fail "second vigild started"
grep -q "another vigild (pid $vigild_pid) uses the state folder $work/state" "$work/second.err" ||
	fail "second vigild: $(cat "$work/second.err")"

stop_vigild
# after stopping, nothing is scanned any more
expect_open "$prot/eicar.com" allowed
echo "ok"
