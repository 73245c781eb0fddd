#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: vigil scan walks folders (-r descends, without -r only the folder's own files), gives the same results with --threads 1 and 4, and does not hang on a FIFO or skip limits silently.
source "$(dirname "$0")/lib/scan-common.bash"

cd "$work"
mkdir -p db tree/sub/deeper tree/other
printf 'Walk.P:0:*:11223344\n' > db/w.ndb
for i in $(seq 1 40); do
	if [ $((i % 3)) -eq 0 ]; then
		printf "file $i $P\n" > "tree/sub/deeper/f$i"
	elif [ $((i % 3)) -eq 1 ]; then
		printf "file $i clean\n" > "tree/other/f$i"
	else
		printf "file $i $P\n" > "tree/f$i"
	fi
done

# without -r: only tree's own files
out=$(scan --no-summary -d db/w.ndb tree); rc=$?
[ $rc -eq 1 ] || fail "no -r: exit $rc"
grep -q 'tree/sub' <<<"$out" && fail "no -r descended: $out"
[ "$(grep -c '^tree/f[0-9]*: Walk.P FOUND$' <<<"$out")" -eq 13 ] || fail "no -r: $out"

# -r: everything, same with 1 and 4 threads
scan --no-summary -r -d db/w.ndb --threads 1 tree | sort > one.txt
scan --no-summary -r -d db/w.ndb --threads 4 tree | sort > four.txt
[ "$(wc -l < one.txt)" -eq 40 ] || fail "-r --threads 1 scanned $(wc -l < one.txt) files"
cmp -s one.txt four.txt || fail "--threads 1 and 4 differ: $(diff one.txt four.txt)"
[ "$(grep -c 'FOUND$' one.txt)" -eq 26 ] || fail "-r found $(grep -c 'FOUND$' one.txt), want 26"
grep -qx 'tree/sub/deeper/f3: Walk.P FOUND' one.txt || fail "deep file: $(cat one.txt)"
grep -qx 'tree/other/f1: OK' one.txt || fail "clean file"
out=$(scan -r -d db/w.ndb --threads 4 tree | grep '^Scanned')
grep -qx 'Scanned directories: 4' <<<"$out" || fail "directories: $out"
grep -qx 'Scanned files: 40' <<<"$out" || fail "files: $out"

# a FIFO (and a socket-like oddity) in a scanned folder: no hang, not scanned
mkfifo tree/fifo
out=$(timeout 20 "$vigil" scan "${scan_options[@]}" --no-summary -r -d db/w.ndb tree); rc=$?
[ $rc -ne 124 ] || fail "scan hung on a FIFO"
[ $rc -eq 1 ] || fail "with a FIFO: exit $rc"
grep -q 'fifo' <<<"$out" && fail "FIFO reported: $out"
# named directly, too
timeout 20 "$vigil" scan "${scan_options[@]}" --no-summary -d db/w.ndb tree/fifo >/dev/null; rc=$?
[ $rc -ne 124 ] || fail "scan hung on a FIFO named on the command line"

# limits: a file beyond --max-filesize is reported, never called clean
head -c 5000 /dev/zero > big
printf "$P" >> big
out=$(scan --no-summary --max-filesize 1K -d db/w.ndb big); rc=$?
grep -qx 'big: not fully scanned (beyond --max-filesize or --max-scansize) LIMITED' <<<"$out" ||
	fail "max-filesize: $out"
grep -q 'OK$' <<<"$out" && fail "max-filesize called it clean: $out"
out=$(scan --no-summary --max-scansize 2K -d db/w.ndb big); rc=$?
grep -q 'LIMITED$' <<<"$out" || fail "max-scansize: $out"
# found before the cut: infected
{ printf "$P"; head -c 5000 /dev/zero; } > early
out=$(scan --no-summary --max-scansize 2K -d db/w.ndb early); rc=$?
[ $rc -eq 1 ] || fail "found before the cut: exit $rc"
grep -qx 'early: Walk.P FOUND' <<<"$out" || fail "early: $out"
out=$(scan -d db/w.ndb --max-filesize 1K big | grep '^Not fully scanned')
[ "$out" = "Not fully scanned: 1" ] || fail "summary: $out"
echo ok
