#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: crash safety of the real `vigil update` binary: it is SIGKILLed before each system call that changes the state folder (temp files, writes, fsyncs, renames, the decision record); after every kill the folder holds the old bundle and root or the new ones, whole and verifying, the record is whole JSON lines, and the next `vigil update` completes and leaves no leftovers.
set -u
vigil=$VIGIL_BUILD/vigil
killer=$VIGIL_BUILD/tests/helpers/syscall-kill
keys=$VIGIL_SOURCE/bases/test-keys
root1=$keys/test-root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# LeakSanitizer stops the process with ptrace at exit, which a traced
# process cannot; leaks are checked by every other test.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
"$killer" --under "$work" --list -- true >/dev/null 2>&1 || { echo "ptrace not permitted here"; exit 77; }
cd "$work"

sig() { printf 'Test.%s:0:*:%s\n' "$1" "$(printf '%s' "marker-$1" | od -An -tx1 | tr -d ' \n')"; }
sign() {
	"$vigil" bases sign --key "$keys/TEST-ONLY-release-1.key" "$1" >/dev/null &&
		"$vigil" bases sign --key "$keys/TEST-ONLY-release-2.key" "$1" >/dev/null || fail "sign $1"
}
# bundle 1 under the test root; a rotation to root 2 and bundle 2 under
# it, so the root changes with the bundle
sig one >one.ndb
{ sig one; sig two; } >two.ndb
"$vigil" bases build --version 1 --expires 2099-12-31T00:00:00Z --first --root "$root1" --out b1 one.ndb >/dev/null || fail "build 1"
sign b1
"$vigil" bases root --threshold 2 --expires 2099-12-31T00:00:00Z --previous "$root1" --out root2 \
	"$keys"/TEST-ONLY-release-{1,2,3}.key.pub >/dev/null || fail "root 2"
sign root2
"$vigil" bases build --version 2 --expires 2099-12-31T00:00:00Z --previous b1 --root root2 --out b2 two.ndb >/dev/null || fail "build 2"
sign b2
mkdir m1 m2
cp b1 m1/stable.vbundle
cp b2 m2/stable.vbundle
cp root2 m2/root-2.vroot
echo "marker-two inside" >sample

update() { "$vigil" update --from m2 --state-dir state --root "$root1" --no-reload "$@"; }
"$vigil" update --from m1 --state-dir state --root "$root1" --no-reload >/dev/null || fail "install 1"
cp -a state pristine

# whole_pair STEP: the installed bundle and root are version 1's or 2's,
# byte for byte, as a pair, and verify; `vigil scan` on them agrees.
whole_pair() {
	local bundle=state/current/bundle.vbundle root=state/current/root.vroot version
	[ -f "$bundle" ] && [ -f "$root" ] || fail "$1: no installed pair: $(ls -la state state/current 2>&1)"
	if cmp -s "$bundle" b1; then version=1; cmp -s "$root" "$root1" || fail "$1: bundle 1 with another root"
	elif cmp -s "$bundle" b2; then version=2; cmp -s "$root" root2 || fail "$1: bundle 2 with another root"
	else fail "$1: the installed bundle is neither version 1 nor 2"; fi
	"$vigil" bases verify --root "$root" "$bundle" >verify.out 2>&1 || fail "$1: does not verify: $(cat verify.out)"
	grep -q "OK: version $version," verify.out || fail "$1: verify says $(cat verify.out)"
	"$vigil" scan --no-summary -d "$bundle" --root "$root" sample >scan.out 2>&1
	case $version:$? in
	1:0 | 2:1) ;;
	*) fail "$1: scan on installed version $version: $(cat scan.out)" ;;
	esac
	python3 -c '
import json, sys
for number, line in enumerate(open(sys.argv[1]), 1):
    try:
        json.loads(line)
    except ValueError:
        sys.exit("line %d of decisions.jsonl is not JSON: %r" % (number, line))' state/decisions.jsonl ||
		fail "$1: decision record torn"
	echo "$version"
}

# every state-changing system call of one install, in order
"$killer" --under state --list -- "$vigil" update --from m2 --state-dir state --root "$root1" --no-reload >steps.out ||
	fail "traced update failed: $(cat steps.out)"
grep -v -e '^installed version' -e '^matchers ready in ' steps.out >steps
[ "$(whole_pair listed)" = 2 ] || fail "the traced update did not install version 2"
count=$(wc -l <steps)
for step in 'mkdirat gen-2-.*\.tmp$' 'write gen-2-.*\.tmp/bundle.vbundle' 'fsync gen-2-.*\.tmp/bundle.vbundle' \
	'renameat gen-2-[0-9a-f]*$' 'fsync \.$' 'symlinkat current.tmp' 'renameat current$' 'write decisions.jsonl'; do
	grep -q "^[0-9]* $step" steps || fail "no step matching '$step' among: $(cat steps)"
done

old=0 new=0
for n in $(seq "$count"); do
	rm -rf state
	cp -a pristine state
	"$killer" --under state --kill "$n" -- "$vigil" update --from m2 --state-dir state --root "$root1" --no-reload \
		>kill.out 2>&1
	rc=$?
	what=$(sed -n "${n}p" steps)
	[ $rc = 137 ] || fail "kill before step $what: exit $rc: $(cat kill.out)"
	version=$(whole_pair "killed before $what") || { echo "$version"; exit 1; }
	if [ "$version" = 1 ]; then old=$((old + 1)); else new=$((new + 1)); fi
	update >next.out 2>&1 || fail "after a kill before $what: the next update failed: $(cat next.out)"
	grep -Eq '^installed version 2 |already installed' next.out || fail "after $what: next update said $(cat next.out)"
	[ "$(whole_pair "update after a kill before $what")" = 2 ] || fail "after $what: not version 2"
	leftovers=$(cd state && ls -A | grep -Evx '\.lock|current|decisions\.jsonl|gen-2-[0-9a-f]{16}|matcher-cache')
	[ -z "$leftovers" ] || fail "after a kill before $what, the next update left: $leftovers"
done
[ $old -gt 0 ] && [ $new -gt 0 ] || fail "kills left version 1 $old times, version 2 $new times"
echo "killed vigil update at $count system calls: old pair kept $old times, new pair whole $new times"
echo ok
