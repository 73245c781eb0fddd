#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: vigil scan exit codes 0/1/2 and clamscan-style lines: OK, one FOUND line per matching signature, -i, --no-summary and the summary counts.
source "$(dirname "$0")/lib/scan-common.bash"

cd "$work"
mkdir db files
printf 'Vigil.Test.P:0:*:11223344\nVigil.Test.S:0:*:55667788\nVigil.Test.Never:0:*:99999999\n' > db/test.ndb
printf "clean file content\n" > files/clean.txt
printf "head $P tail $S end\n" > files/both.bin
printf "only $P here\n" > files/one.bin

# clean only: exit 0, "path: OK"
out=$(scan --no-summary -d db/test.ndb files/clean.txt); rc=$?
[ $rc -eq 0 ] || fail "clean scan exited $rc"
[ "$out" = "files/clean.txt: OK" ] || fail "clean output: $out"

# infected: exit 1, one FOUND line per signature, in load order
out=$(scan --no-summary -d db/test.ndb files/both.bin); rc=$?
[ $rc -eq 1 ] || fail "infected scan exited $rc"
expected=$'files/both.bin: Vigil.Test.P FOUND\nfiles/both.bin: Vigil.Test.S FOUND'
[ "$out" = "$expected" ] || fail "infected output: $out"

# a folder given on the command line, with the summary
out=$(scan -d db files --threads 2); rc=$?
[ $rc -eq 1 ] || fail "folder scan exited $rc"
grep -qx 'files/clean.txt: OK' <<<"$out" || fail "no OK line: $out"
grep -qx 'files/one.bin: Vigil.Test.P FOUND' <<<"$out" || fail "no FOUND line for one.bin: $out"
[ "$(grep -c 'FOUND$' <<<"$out")" -eq 3 ] || fail "want 3 FOUND lines: $out"
grep -q -- '----------- SCAN SUMMARY -----------' <<<"$out" || fail "no summary"
grep -qx 'Known viruses: 3' <<<"$out" || fail "known viruses: $out"
grep -qx 'Scanned files: 3' <<<"$out" || fail "scanned files: $out"
grep -qx 'Infected files: 2' <<<"$out" || fail "infected files: $out"
grep -qx 'Errors: 0' <<<"$out" || fail "errors: $out"

# -i: only infected files
out=$(scan -i --no-summary -d db files); rc=$?
[ $rc -eq 1 ] || fail "-i scan exited $rc"
grep -q ': OK$' <<<"$out" && fail "-i printed an OK line: $out"
[ "$(wc -l <<<"$out")" -eq 3 ] || fail "-i output: $out"

# files of 5 bytes or fewer are never detected; 6 bytes are
printf '1234' > files/small4
printf '12345' > files/small5
printf '123456' > files/small6
printf 'Small:0:*:31323334\n' > db/small.ndb
out=$(scan --no-summary -d db/small.ndb files/small4 files/small5 files/small6); rc=$?
[ $rc -eq 1 ] || fail "small files exited $rc"
expected=$'files/small4: OK\nfiles/small5: OK\nfiles/small6: Small FOUND'
[ "$(sort <<<"$out")" = "$expected" ] || fail "small files: $out"

# usage errors: exit 2
scan files >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "no database exited $rc"
scan -d db/test.ndb >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "no path exited $rc"
scan --threads 0 -d db/test.ndb files >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "--threads 0 exited $rc"
echo ok
