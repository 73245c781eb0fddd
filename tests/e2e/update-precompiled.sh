#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: vigil update leaves the matchers ready in STATE/matcher-cache (the carried precompiled form when the bundle has one, else a compile in its own process), so a following load of the installed bundle compiles nothing.
source "$(dirname "$0")/lib/scan-common.bash"
source "$(dirname "$0")/lib/precompiled.bash"

cd "$work" || exit 1
write_signatures sigs
write_samples samples
mkdir mirror state
sigs=(sigs/daily.ndb sigs/main.hdb sigs/main.ndb)
scan_installed() {
	"$vigil" scan -d state/current/bundle.vbundle --root "$test_root" \
		--cache-dir state/matcher-cache samples/*
}

# a bundle carrying matchers for this machine: update uses them
build_bundle mirror/stable.vbundle 1 --precompile native "${sigs[@]}"
out=$("$vigil" update --from mirror --state-dir state --root "$test_root" 2>&1) ||
	fail "update: $out"
grep -qx "matchers ready in state/matcher-cache: 2 precompiled (carried in the bundle), 0 compiled, 0 already there" <<<"$out" ||
	fail "update did not prepare the carried matchers: $out"
out=$(scan_installed); rc=$?
[ $rc -eq 1 ] || fail "scan after update: exit $rc: $out"
[ "$(verdicts "$out" | grep -c FOUND)" = 4 ] || fail "verdicts: $out"
[ "$(matchers "$out")" = "Matchers: 0 compiled, 0 precompiled, 2 from cache" ] ||
	fail "the load after update did not come from the cache: $(matchers "$out")"

# a newer bundle without them: update compiles main (its own process;
# daily is unchanged and already there), the next load compiles nothing
write_signatures sigs $'Pre.Body.Three:0:*:0102030405\n'
build_bundle mirror/stable.vbundle 2 "${sigs[@]}"
out=$("$vigil" update --from mirror --state-dir state --root "$test_root" 2>&1) ||
	fail "update: $out"
grep -qx "matchers ready in state/matcher-cache: 0 precompiled (carried in the bundle), 1 compiled, 1 already there" <<<"$out" ||
	fail "update did not compile: $out"
out=$(scan_installed); rc=$?
[ $rc -eq 1 ] || fail "scan after update: exit $rc: $out"
grep -q 'samples/three: Pre.Body.Three FOUND' <<<"$out" || fail "new bases not used: $out"
[ "$(matchers "$out")" = "Matchers: 0 compiled, 0 precompiled, 2 from cache" ] ||
	fail "the load after update compiled: $(matchers "$out")"

# the cache gone, "already installed" prepares it again
rm -rf state/matcher-cache
out=$("$vigil" update --from mirror --state-dir state --root "$test_root" 2>&1) ||
	fail "update: $out"
grep -q "2 compiled" <<<"$out" || fail "already installed, cache not prepared: $out"
[ "$(matchers "$(scan_installed)")" = "Matchers: 0 compiled, 0 precompiled, 2 from cache" ] ||
	fail "the load after an already-installed update compiled"
# matchers unused for more than a day (older bases', a killed writer's
# temporary file) are removed by the next update; the installed ones stay
old=state/matcher-cache/part-$(printf '%064d' 7)
printf 'old bases' >"$old"
printf 'half written' >"$old.tmp.99999"
touch -d '-2 days' "$old" "$old.tmp.99999"
for entry in state/matcher-cache/part-*; do
	case $entry in "$old"*) ;; *) touch -d '-3 days' "$entry" ;; esac
done
out=$("$vigil" update --from mirror --state-dir state --root "$test_root" 2>&1) ||
	fail "update: $out"
grep -qx "removed 2 matchers unused for 24 hours from state/matcher-cache" <<<"$out" ||
	fail "update did not prune the cache: $out"
[ ! -e "$old" ] && [ ! -e "$old.tmp.99999" ] || fail "stale cache entries left: $(ls state/matcher-cache)"
[ "$(matchers "$(scan_installed)")" = "Matchers: 0 compiled, 0 precompiled, 2 from cache" ] ||
	fail "pruning removed the installed bases' matchers"
echo ok
