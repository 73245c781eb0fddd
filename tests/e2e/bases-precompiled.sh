#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: a bundle built with --precompile native scans with the same verdicts as one without and compiles nothing (the summary's Matchers line); a carried matcher for other signature bytes, another Hyperscan version or a damaged header is ignored: same verdicts, compiled instead.
source "$(dirname "$0")/lib/scan-common.bash"
source "$(dirname "$0")/lib/precompiled.bash"

cd "$work" || exit 1
write_signatures sigs
write_samples samples
sigs=(sigs/daily.ndb sigs/main.hdb sigs/main.ndb)

build_bundle plain.vbundle 1 "${sigs[@]}"
build_bundle pre.vbundle 1 --precompile native --precompile generic "${sigs[@]}"
grep -qx 'precompiled 2 parts for native' pre.vbundle.build || fail "build: $(cat pre.vbundle.build)"
"$vigil" bases verify --root "$test_root" pre.vbundle | grep -q '7 files' ||
	fail "the precompiled payloads are not in the signed manifest"

scan_bundle() { "$vigil" scan -d "$1" --root "$test_root" "${@:2}" samples/*; }

plain=$(scan_bundle plain.vbundle); rc=$?
[ $rc -eq 1 ] || fail "plain bundle: exit $rc: $plain"
[ "$(verdicts "$plain" | grep -c FOUND)" = 4 ] || fail "plain verdicts: $plain"
[ "$(matchers "$plain")" = "Matchers: 2 compiled, 0 precompiled, 0 from cache" ] ||
	fail "plain bundle: $(matchers "$plain")"

pre=$(scan_bundle pre.vbundle); rc=$?
[ $rc -eq 1 ] || fail "precompiled bundle: exit $rc: $pre"
[ "$(verdicts "$pre")" = "$(verdicts "$plain")" ] || fail "verdicts differ: $pre"
[ "$(matchers "$pre")" = "Matchers: 0 compiled, 2 precompiled, 0 from cache" ] ||
	fail "precompiled bundle compiled: $(matchers "$pre")"

# A carried matcher compiled from other main.ndb bytes: ignored for main
# (compiled), still used for daily.
extract_payload pre.vbundle main.native.vpc main.native.vpc
extract_payload pre.vbundle daily.native.vpc daily.native.vpc
write_signatures other $'Pre.Body.Three:0:*:0102030405\n'
build_bundle stale.vbundle 2 other/daily.ndb other/main.hdb other/main.ndb main.native.vpc daily.native.vpc
build_bundle fresh.vbundle 2 other/daily.ndb other/main.hdb other/main.ndb
fresh=$(scan_bundle fresh.vbundle)
stale=$(scan_bundle stale.vbundle); rc=$?
[ $rc -eq 1 ] || fail "stale carried matcher: exit $rc: $stale"
grep -q 'samples/three: Pre.Body.Three FOUND' <<<"$stale" || fail "the stale matcher was used: $stale"
[ "$(verdicts "$stale")" = "$(verdicts "$fresh")" ] || fail "verdicts differ: $stale"
[ "$(matchers "$stale")" = "Matchers: 1 compiled, 1 precompiled, 0 from cache" ] ||
	fail "stale carried matcher: $(matchers "$stale")"

# Another Hyperscan version in the header (offset 16): ignored.
python3 - main.native.vpc daily.native.vpc <<'PY'
import sys
for path in sys.argv[1:]:
    data = bytearray(open(path, "rb").read())
    data[16:48] = b"0.0.1 1970-01-01".ljust(32, b"\0")
    open(path, "wb").write(data)
PY
build_bundle version.vbundle 3 "${sigs[@]}" main.native.vpc daily.native.vpc
out=$(scan_bundle version.vbundle); rc=$?
[ $rc -eq 1 ] || fail "other Hyperscan version: exit $rc: $out"
[ "$(verdicts "$out")" = "$(verdicts "$plain")" ] || fail "verdicts differ: $out"
[ "$(matchers "$out")" = "Matchers: 2 compiled, 0 precompiled, 0 from cache" ] ||
	fail "a matcher of another Hyperscan version was used: $(matchers "$out")"

# A damaged header (database size one byte short of the payload): ignored.
extract_payload pre.vbundle main.native.vpc main.native.vpc
printf 'x' >>main.native.vpc
build_bundle damaged.vbundle 4 "${sigs[@]}" main.native.vpc
out=$(scan_bundle damaged.vbundle); rc=$?
[ $rc -eq 1 ] || fail "damaged header: exit $rc: $out"
[ "$(verdicts "$out")" = "$(verdicts "$plain")" ] || fail "verdicts differ: $out"
[ "$(matchers "$out")" = "Matchers: 2 compiled, 0 precompiled, 0 from cache" ] ||
	fail "a damaged carried matcher was used: $(matchers "$out")"
echo ok
