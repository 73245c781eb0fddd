# SPDX-License-Identifier: GPL-2.0
# Copyright (C) 2026 The vigil authors.
#
# Shared by the precompiled-matcher tests (sourced): signature files in two
# parts (main.*, daily.*), sample files, and helpers that build signed
# bundles with the TEST-ONLY keys and take payloads out of them.

keys=$VIGIL_SOURCE/bases/test-keys
test_root=$keys/test-root

# write_signatures DIR [VARIANT]: main.ndb + main.hdb + daily.ndb; VARIANT
# changes main.ndb's bytes (another signature payload digest).
write_signatures() {
	mkdir -p "$1"
	printf 'Pre.Body.One:0:*:11223344\nPre.Body.Two:0:*:aabb??ccdd\n%s' "${2:-}" >"$1/main.ndb"
	printf 'hashed file\n' >"$1/hashed.sample"
	printf '%s:%s:Pre.Hash.One\n' "$(sha256sum <"$1/hashed.sample" | cut -d' ' -f1)" \
		"$(stat -c %s "$1/hashed.sample")" >"$1/main.hdb"
	rm "$1/hashed.sample"
	printf 'Pre.Daily.One:0:0:5566778899\n' >"$1/daily.ndb"
}

# write_samples DIR: one file per signature, a clean one, and one for
# the signature tests add as a write_signatures VARIANT.
write_samples() {
	mkdir -p "$1"
	printf 'xx\x11\x22\x33\x44yy\n' >"$1/one"
	printf 'xx\xaa\xbb\x00\xcc\xddyy\n' >"$1/two"
	printf 'hashed file\n' >"$1/hashed"
	printf '\x55\x66\x77\x88\x99 at the start\n' >"$1/daily"
	printf 'nothing to see here\n' >"$1/clean"
	printf 'xx\x01\x02\x03\x04\x05yy\n' >"$1/three"	# only the VARIANT below finds it
}

# build_bundle OUT VERSION [BUILD OPTION]... FILE...: a bundle signed 2-of-3.
build_bundle() {
	local out=$1 version=$2
	shift 2
	rm -f "$out"
	"$vigil" bases build --version "$version" --expires 2099-12-31T00:00:00Z --first \
		--root "$test_root" --out "$out" "$@" >"$out.build" ||
		fail "bases build: $(cat "$out.build")"
	"$vigil" bases sign --key "$keys/TEST-ONLY-release-1.key" "$out" >/dev/null &&
		"$vigil" bases sign --key "$keys/TEST-ONLY-release-2.key" "$out" >/dev/null ||
		fail "bases sign $out"
}

# extract_payload BUNDLE NAME OUT: one payload file's bytes, by the
# layout of docs/bundle-format.md section 1 and 3.
extract_payload() {
	python3 - "$@" <<'PY' || fail "no payload $2 in $1"
import struct, sys
data = open(sys.argv[1], "rb").read()
m, n = struct.unpack(">IH", data[8:14])
manifest = data[14:14 + m].decode()
offset = 14 + m + 96 * n
for line in manifest.splitlines():
    if line.startswith("file "):
        _, name, size, _ = line.split(" ")
        if name == sys.argv[2]:
            open(sys.argv[3], "wb").write(data[offset:offset + int(size)])
            sys.exit(0)
        offset += int(size)
sys.exit(1)
PY
}

# verdicts OUTPUT: the per-file lines of a scan, without the summary.
verdicts() { grep -E ': (OK|.* FOUND)$' <<<"$1" | sort; }
# matchers OUTPUT: the summary's "Matchers:" line.
matchers() { grep '^Matchers: ' <<<"$1"; }
