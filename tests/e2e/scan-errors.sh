#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: vigil scan reports an unreadable file (mode 000 as a non-root user) and a dangling path with ERROR, keeps scanning the rest, and exits 2.
source "$(dirname "$0")/lib/scan-common.bash"

cd "$work"
mkdir db files
printf 'Err.P:0:*:11223344\n' > db/e.ndb
printf "before $P\n" > files/a-infected
printf "secret $P\n" > files/b-locked
printf "fine\n" > files/c-clean
ln -s "$work/files/nowhere" files/d-dangling
chmod 000 files/b-locked
chmod -R a+rX db
chmod a+rx files

# A non-root user cannot open a mode-000 file; root can, so run as nobody.
run_as_user() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }
	run_as_user() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	run_as_user test -x "$vigil" || { echo "nobody cannot run $vigil"; exit 77; }
fi

out=$(run_as_user "$vigil" scan "${scan_options[@]}" -d db/e.ndb --threads 2 files/a-infected \
	files/b-locked files/c-clean files/d-dangling files/e-missing 2>err.txt); rc=$?
[ $rc -eq 2 ] || fail "exit $rc, want 2: $out $(cat err.txt)"
grep -qx 'files/a-infected: Err.P FOUND' <<<"$out" || fail "a-infected not found: $out"
grep -qx 'files/b-locked: Permission denied ERROR' <<<"$out" || fail "b-locked: $out"
grep -qx 'files/c-clean: OK' <<<"$out" || fail "c-clean not scanned: $out"
grep -qx 'files/d-dangling: No such file or directory ERROR' <<<"$out" || fail "dangling: $out"
grep -qx 'files/e-missing: No such file or directory ERROR' <<<"$out" || fail "missing: $out"
grep -qx 'Errors: 3' <<<"$out" || fail "summary errors: $out"
grep -qx 'Infected files: 1' <<<"$out" || fail "summary infected: $out"

# inside a folder walk: the locked file is reported, the rest scanned
out=$(run_as_user "$vigil" scan "${scan_options[@]}" --no-summary -d db/e.ndb files 2>/dev/null); rc=$?
[ $rc -eq 2 ] || fail "folder walk exit $rc: $out"
grep -qx 'files/b-locked: Permission denied ERROR' <<<"$out" || fail "walk b-locked: $out"
grep -qx 'files/a-infected: Err.P FOUND' <<<"$out" || fail "walk a-infected: $out"
grep -qx 'files/c-clean: OK' <<<"$out" || fail "walk c-clean: $out"
# links met while walking are not followed, not errors
grep -q 'd-dangling' <<<"$out" && fail "walk followed a link: $out"

# an unreadable folder met while walking
mkdir -p tree/locked && printf "x $P\n" > tree/locked/f && printf "ok\n" > tree/g
chmod a+rx tree; chmod 000 tree/locked
out=$(run_as_user "$vigil" scan "${scan_options[@]}" --no-summary -r -d db/e.ndb tree 2>/dev/null); rc=$?
[ $rc -eq 2 ] || fail "locked folder exit $rc: $out"
grep -qx 'tree/locked: Permission denied ERROR' <<<"$out" || fail "locked folder: $out"
grep -qx 'tree/g: OK' <<<"$out" || fail "tree/g: $out"
echo ok
