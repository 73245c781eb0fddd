#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: the kernel-side clean cache (fanotify evictable ignore marks): a clean file's next opens never reach vigild, and after the kernel evicted its mark (ext4) vigild's own cache marks it again; rewritten by write(), truncate or rename-over it is scanned again and denied once it carries EICAR, allowed again once clean; a reload that adds a matching signature flushes the marks; a file held open for writing while scanned clean gets no clean hit once a write() makes it bad.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
only_on_backend fanotify "ignore marks are fanotify's; vigil.ko keeps its own clean cache (daemon-scan)"
daemon_setup
prot=$work/prot
# The last 10 bytes of a file that ends in "TRUNC-MARK" (truncate makes it so).
printf 'Test.Tail:0:EOF-10:%s\n' "$(hex TRUNC-MARK)" >"$work/bases/tail.ndb"
start_vigild "log_allowed = no"

# truncate(2) on the path (coreutils' truncate opens the file)
truncate_path() { python3 -c 'import os, sys; os.truncate(sys.argv[1], int(sys.argv[2]))' "$1" "$2"; }
events() { status_field events.events; }
marks() { status_field events.ignore_marks_added; }
# wait_marks N: until N ignore marks were added (after the answer, by a worker)
wait_marks() {
	for _ in $(seq 100); do
		[ "$(marks)" -ge "$1" ] && return 0
		sleep 0.05
	done
	fail "ignore marks added: $(marks), want $1"
}

# A clean file: one scan, then the kernel answers its opens by itself.
echo "hello" >"$prot/clean.txt"
expect_open "$prot/clean.txt" allowed
for _ in $(seq 100); do grep -q "vigild: ready" "$work/vigild.err" && break; sleep 0.05; done
if grep -q "no evictable fanotify ignore marks" "$work/vigild.err"; then
	# vigild said at start that this kernel has none: the other daemon
	# tests cover its own clean cache
	echo "this kernel has no evictable ignore marks"
	exit 77
fi
wait_marks 1
before=$(events)
scans=$(status_field events.scans)
for _ in 1 2 3; do expect_open "$prot/clean.txt" allowed; done
[ "$(events)" = "$before" ] || fail "opens of a marked clean file reached vigild ($before -> $(events))"
[ "$(status_field events.scans)" = "$scans" ] || fail "a marked clean file was scanned again"

# write(): rewritten in place (same size, so no size change either)
printf '%s' "$(eicar | tr 'A-Z' 'a-z')" >"$prot/rewrite"
expect_open "$prot/rewrite" allowed
wait_marks 2
eicar | dd of="$prot/rewrite" conv=notrunc status=none
expect_open "$prot/rewrite" denied
# made clean again (truncate(2) opens nothing; then appended): allowed again
truncate_path "$prot/rewrite" 0
echo "clean once more" >>"$prot/rewrite"
expect_open "$prot/rewrite" allowed
expect_open "$prot/rewrite" allowed

# truncate(2): no open, no close, no FAN_CLOSE_WRITE; only the kernel's
# FS_MODIFY clears the mark (and the size tells vigild's own cache)
n=$(marks)
printf 'data TRUNC-MARK and more' >"$prot/cut"
expect_open "$prot/cut" allowed
wait_marks $((n + 1))
truncate_path "$prot/cut" 15	# "data TRUNC-MARK"
expect_open "$prot/cut" denied
truncate_path "$prot/cut" 4
expect_open "$prot/cut" allowed

# rename-over: a new inode under the old name
n=$(marks)
echo "plain" >"$prot/renamed"
expect_open "$prot/renamed" allowed
wait_marks $((n + 1))
eicar >"$prot/.incoming"
mv "$prot/.incoming" "$prot/renamed"
expect_open "$prot/renamed" denied
echo "plain again" >"$prot/.incoming"
mv "$prot/.incoming" "$prot/renamed"
expect_open "$prot/renamed" allowed

# a reload that adds a signature matching a file known clean: the marks
# are flushed, the file is denied (its opens reach vigild again)
echo "marker-late data" >"$prot/late"
expect_open "$prot/late" allowed
for _ in $(seq 100); do
	before=$(events)
	expect_open "$prot/late" allowed
	[ "$(events)" = "$before" ] && break
	sleep 0.05
done
[ "$(events)" = "$before" ] || fail "the clean file's opens still reach vigild"
printf 'Test.Late:0:*:%s\n' "$(hex marker-late)" >"$work/bases/late.ndb"
"$vigil" reload --socket "$socket" >/dev/null || fail "reload failed"
expect_open "$prot/late" denied
expect_open "$prot/clean.txt" allowed

# held open for writing by another process while scanned clean: no clean
# hit afterwards once a write() through that fd makes it bad
echo "held data" >"$prot/held"
exec 7>>"$prot/held"
expect_open "$prot/held" allowed
expect_open "$prot/held" allowed
sleep 0.2	# let any (wrongly) added mark settle
eicar >&7
expect_open "$prot/held" denied
exec 7>&-
expect_open "$prot/held" denied

# an evicted mark: on ext4 the inode can leave memory (an evictable mark
# does not pin it); vigild's own cache answers the next open and marks the
# file again, so the opens after it never reach vigild
evicted=no
truncate -s 32M "$work/ext4.img"
if mkfs.ext4 -q -F "$work/ext4.img" >/dev/null 2>&1 && mkdir "$prot/ext" &&
	mount -o loop "$work/ext4.img" "$prot/ext" 2>/dev/null; then
	eicar >"$prot/ext/eicar.com"
	for _ in $(seq 100); do cat "$prot/ext/eicar.com" >/dev/null 2>&1 || break; sleep 0.05; done
	expect_open "$prot/ext/eicar.com" denied	# the new mount is marked
	n=$(marks)
	echo "on ext4" >"$prot/ext/file"
	expect_open "$prot/ext/file" allowed
	wait_marks $((n + 1))
	hits=$(status_field events.cache_hits)
	for _ in 1 2 3 4 5; do
		# its page cache first (an inode with pages stays), then inodes
		sync
		python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
os.close(fd)' "$prot/ext/file"
		echo 2 >/proc/sys/vm/drop_caches
		expect_open "$prot/ext/file" allowed
		[ "$(status_field events.cache_hits)" -gt "$hits" ] && { evicted=yes; break; }
	done
	if [ $evicted = yes ]; then
		wait_marks $((n + 2))
		before=$(events)
		expect_open "$prot/ext/file" allowed
		[ "$(events)" = "$before" ] || fail "the file marked again still reaches vigild"
	fi
fi
[ $evicted = yes ] || echo "note: no ext4 loop mount or no inode eviction here; the re-mark is not tested"

stop_vigild
echo "ok: $(grep -c . "$log" 2>/dev/null || echo 0) records"
