#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: vigil scan with its default compile memory cap loads and scans (an ASan build that cannot is reported as a skip naming the bug).
source "$(dirname "$0")/lib/scan-common.bash"

cd "$work"
printf 'Cap.P:0:*:11223344\n' > c.ndb
printf "x $P y\n" > f
out=$("$vigil" scan --no-summary -d c.ndb f 2>err.txt); rc=$?
[ $rc -eq 1 ] || fail "exit $rc: $out $(cat err.txt)"
[ "$out" = "f: Cap.P FOUND" ] || fail "output: $out"
echo ok
