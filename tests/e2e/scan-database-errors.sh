#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: a malformed database makes vigil scan print "vigil: FILE:LINE: reason" on stderr, scan nothing and exit 2, for each malformed-line class; unknown types, empty files and folders without databases too.
source "$(dirname "$0")/lib/scan-common.bash"

cd "$work"
mkdir files
printf "some file with \x11\x22\x33\x44\n" > files/f

# check_db NAME CONTENT LINE REASON-FRAGMENT
check_db() {
	local name=$1 content=$2 line=$3 fragment=$4 out rc
	rm -rf db && mkdir db
	printf '%b' "$content" > "db/$name"
	out=$(scan -d "db/$name" files 2>err.txt); rc=$?
	[ $rc -eq 2 ] || fail "$name ($content): exit $rc, want 2"
	[ -z "$out" ] || fail "$name: something was scanned: $out"
	if [ "$line" = 0 ]; then
		grep -q "^vigil: db/$name: .*$fragment" err.txt ||
			fail "$name: stderr '$(cat err.txt)' lacks 'vigil: db/$name: ...$fragment'"
	else
		grep -q "^vigil: db/$name:$line: .*$fragment" err.txt ||
			fail "$name: stderr '$(cat err.txt)' lacks 'vigil: db/$name:$line: ...$fragment'"
	fi
}

good='Good:0:*:11223344\n'
check_db bad.ndb "${good}Odd:0:*:1122334\n" 2 'odd number of digits'
check_db bad.ndb "${good}${good}Char:0:*:11x23344\n" 3 "unexpected 'x'"
check_db bad.ndb "Lead:0:*:*11223344\n" 1 'gap'
check_db bad.ndb "Trail:0:*:11223344*\n" 1 'ends with a gap'
check_db bad.ndb "Double:0:*:112233**445566\n" 1 'gap'
check_db bad.ndb "Neg:0:-5:11223344\n" 1 "invalid offset value '-5'"
check_db bad.ndb "Eof:0:EOF+5:11223344\n" 1 "invalid offset value 'EOF+5'"
check_db bad.ndb "Star:0:*,5:11223344\n" 1 "invalid offset value"
check_db bad.ndb "Three:0:1,2,3:11223344\n" 1 "invalid offset value"
check_db bad.ndb "Ep:0:EP+0:11223344\n" 1 'invalid offset type for target 0'
check_db bad.ndb "T1:1:*:11223344\n" 1 'target type 1 is not supported'
check_db bad.ndb "Skip:0:*:ab[5-2]11223344\n" 1 'ascending'
check_db bad.ndb "Skip:0:*:ab[1-40]11223344\n" 1 'at most 32'
check_db bad.ndb "Skip:0:*:abcd[1-3]11223344\n" 1 'single fixed byte'
check_db bad.ndb "Neg:0:*:11223344!(aa|bbcc)55667788\n" 1 'negation'
check_db bad.ndb "Alt:0:*:11223344(aa*bb|cc)55667788\n" 1 'unbounded wildcards'
check_db bad.ndb "Seven:0:*:11223344:51:255:1\n" 1 'too many fields'
check_db bad.ndb "${good}\n${good}" 2 'empty line'
check_db bad.ndb "Flevel:0:*:11223344:abc\n" 1 'functionality level'
check_db empty.ndb "" 0 'empty database file'
md5=44d88612fea8a8f36de82e1278abb02f
check_db bad.hdb "${md5}:68:A\n275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0:68:B\n" 2 '63 hex digits'
check_db bad.hdb "${md5}:0:Zero\n" 1 'size field'
check_db bad.hsb "${md5}:*:Star\n" 1 'at least 73'
check_db empty.hdb "" 0 'empty database file'
check_db empty.fp "# nothing\n" 0 'empty database file'
check_db bad.ign2 "Sig1:zz\n" 1 'malformed MD5 string'
check_db bad.ign2 "Sig1\n\n" 2 'no signature name provided'
check_db sigs.ldb "X;Target:0;0;41424344\n" 0 'unknown database type'

# one bad file in a folder of good ones refuses the whole folder
rm -rf db && mkdir db
printf "$good" > db/a.ndb
printf 'Bad:0:*:zz\n' > db/b.ndb
out=$(scan -d db files 2>err.txt); rc=$?
[ $rc -eq 2 ] || fail "folder with a bad file: exit $rc"
grep -q '^vigil: db/b.ndb:1: ' err.txt || fail "folder: $(cat err.txt)"

# a folder without databases, a missing path
mkdir nodb && printf 'x' > nodb/readme.txt
scan -d nodb files >/dev/null 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "folder without databases: exit $rc"
grep -q '^vigil: nodb: no database files' err.txt || fail "nodb: $(cat err.txt)"
scan -d missing.ndb files >/dev/null 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "missing database: exit $rc"
grep -q '^vigil: missing.ndb: No such file or directory' err.txt || fail "missing: $(cat err.txt)"
echo ok
