#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: small files whose bytes are in memory are scanned by the backend's own thread (loop_scan_kib): a clean one is answered there (events.loop_scans), an infected one still goes to a worker (denied, with its record), a file over the limit and every file with loop_scan_kib = 0 go to a worker, a file rewritten after a scan in the loop is scanned again, and on ext4 a file whose pages are not in the page cache goes to a worker (the loop never waits for a disk).
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
prot=$work/prot
# no close_write scans: they go to the workers whenever they like
start_vigild "log_allowed = no" "scan_on = open exec" "loop_scan_kib = 4"

# open_counts FILE allowed|denied LOOP SCANS: the open's verdict, and how
# much events.loop_scans and events.scans moved with it
open_counts() {
	local loop_before scans_before loop scans
	loop_before=$(status_field events.loop_scans)
	scans_before=$(status_field events.scans)
	expect_open "$1" "$2"
	# both counted before the answer, in the loop or by the worker
	loop=$(( $(status_field events.loop_scans) - loop_before ))
	scans=$(( $(status_field events.scans) - scans_before ))
	[ "$loop" = "$3" ] && [ "$scans" = "$4" ] && return 0
	fail "$1: $loop scans in the loop and $scans in all, want $3 and $4"
}

head -c 4096 /dev/urandom >"$prot/small"	# exactly the limit
head -c 4097 /dev/urandom >"$prot/large"	# one byte over it
eicar >"$prot/eicar.com"
open_counts "$prot/small" allowed 1 1
open_counts "$prot/small" allowed 0 0	# cached
open_counts "$prot/large" allowed 0 1
# found in the loop, answered by a worker, which scans it again
open_counts "$prot/eicar.com" denied 0 1
wait_for_record "\"file\":{\"path\":\"$prot/eicar.com\""
grep "\"path\":\"$prot/eicar.com\"" "$log" | grep -q '"verdict":"infected","answer":"deny"' ||
	fail "no denial record: $(cat "$log")"

# rewritten after a clean scan in the loop: scanned again (by a worker now,
# since it is infected), and clean again: in the loop again
eicar >>"$prot/small"
open_counts "$prot/small" denied 0 1
head -c 100 /dev/urandom >"$work/small.new"
mv "$work/small.new" "$prot/small"
open_counts "$prot/small" allowed 1 1

# ext4 (fanotify: a mount made under the protected path is marked): pages
# in the page cache are read with RWF_NOWAIT in the loop; pages that are
# not would mean a wait for the disk, so that file goes to a worker
ext4=no
truncate -s 32M "$work/ext4.img"
if [ "$backend" = fanotify ] && mkfs.ext4 -q -F "$work/ext4.img" >/dev/null 2>&1 &&
	mkdir "$prot/ext" && mount -o loop "$work/ext4.img" "$prot/ext" 2>/dev/null; then
	eicar >"$prot/ext/eicar.com"
	for _ in $(seq 100); do cat "$prot/ext/eicar.com" >/dev/null 2>&1 || break; sleep 0.05; done
	expect_open "$prot/ext/eicar.com" denied	# the new mount is marked
	head -c 3000 /dev/urandom >"$prot/ext/cached"	# just written: in the page cache
	open_counts "$prot/ext/cached" allowed 1 1
	head -c 3000 /dev/urandom >"$prot/ext/cold"
	# its pages out of memory (not by opening it: that would scan it)
	sync
	echo 1 >/proc/sys/vm/drop_caches
	open_counts "$prot/ext/cold" allowed 0 1
	umount "$prot/ext"
	ext4=yes
fi
[ $ext4 = yes ] || echo "note: no ext4 loop mount here (or the kmod backend); the page-cache case is not tested"
stop_vigild

# loop_scan_kib = 0: every scan on a worker
start_vigild "log_allowed = no" "scan_on = open exec" "loop_scan_kib = 0"
head -c 100 /dev/urandom >"$prot/tiny"
open_counts "$prot/tiny" allowed 0 1
open_counts "$prot/eicar.com" denied 0 1
stop_vigild
echo "ok: small files scanned in the loop, the rest by workers"
