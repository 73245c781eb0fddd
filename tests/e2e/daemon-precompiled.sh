#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: vigild starts without compiling: on a bundle carrying precompiled matchers it loads them (status bases.matchers), and on the bases `vigil update` installed it loads the matchers update prepared from the cache; verdicts as usual.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
. "$VIGIL_SOURCE/tests/e2e/lib/precompiled.bash"
daemon_setup
write_signatures "$work/sigs"
printf 'Test.EICAR:0:*:%s\n' "$(hex EICAR-STANDARD-ANTIVIRUS-TEST-FILE)" >"$work/sigs/eicar.ndb"
sigs=("$work/sigs/daily.ndb" "$work/sigs/eicar.ndb" "$work/sigs/main.hdb" "$work/sigs/main.ndb")
eicar >"$work/prot/eicar.com"
printf 'xx\x11\x22\x33\x44yy\n' >"$work/prot/one"
echo "plain data" >"$work/prot/clean"

# bundle_config [bases = FILE]: root and state folder of this test
bundle_config() {
	{
		echo "paths = $work/prot"
		[ -n "${1:-}" ] && echo "bases = $1"
		echo "root = $test_root"
		echo "state_dir = $work/state"
		echo "socket = $socket"
		echo "log = $log"
	} >"$work/vigild.conf"
}
run_vigild() {
	"$vigild" --config "$work/vigild.conf" >"$work/vigild.out" 2>"$work/vigild.err" &
	vigild_pid=$!
	for _ in $(seq 200); do
		"$vigil" status --socket "$socket" >/dev/null 2>&1 && return 0
		kill -0 "$vigild_pid" 2>/dev/null || fail "vigild exited at start"
		sleep 0.05
	done
	fail "vigild did not answer on $socket"
}
check_verdicts() {
	expect_open "$work/prot/clean" allowed
	expect_open "$work/prot/eicar.com" denied
	expect_open "$work/prot/one" denied
}

# 1. bases = a bundle carrying matchers for this machine
build_bundle "$work/pre.vbundle" 1 --precompile native "${sigs[@]}"
bundle_config "$work/pre.vbundle"
run_vigild
[ "$(status_field bases.matchers.compiled)" = 0 ] || fail "vigild compiled: $("$vigil" status --json --socket "$socket")"
[ "$(status_field bases.matchers.precompiled)" = 3 ] || fail "carried matchers not used"
check_verdicts
stop_vigild

# 2. the installed bases, matchers prepared by vigil update
mkdir -p "$work/mirror"
rm -rf "$work/state/matcher-cache"	# what step 1 left: update must make its own
build_bundle "$work/mirror/stable.vbundle" 2 "${sigs[@]}"
out=$("$vigil" update --from "$work/mirror" --state-dir "$work/state" --root "$test_root" 2>&1) ||
	fail "update: $out"
grep -q ", 3 compiled, 0 already there" <<<"$out" || fail "update did not compile: $out"
bundle_config
run_vigild
[ "$(status_field bases.version)" = 2 ] || fail "installed bases not loaded"
[ "$(status_field bases.matchers.compiled)" = 0 ] || fail "vigild compiled after vigil update: $out"
[ "$(status_field bases.matchers.from_cache)" = 3 ] || fail "vigild did not load update's cache"
check_verdicts
stop_vigild
echo ok
