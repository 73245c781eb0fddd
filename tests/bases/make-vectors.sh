#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerates the conformance vectors in tests/bases/vectors/ from the fixed
# TEST-ONLY keys in tests/bases/keys/. Ed25519 is deterministic and every
# time is fixed, so a rerun gives the same bytes. Run after `make tests`:
#   tests/bases/make-vectors.sh [BUILD]
# Vector layout (tests/bases/README):
#   description  one line
#   trust/N.vroot      the --root options, in numeric order
#   initial/           optional mirror installed first (must succeed)
#   wipe-decisions     optional: delete decisions.jsonl before the offer
#   args               optional extra `vigil update' options
#   mirror/            the offered mirror: stable.vbundle, root-N.vroot
#   expected           "exit N", "reason LINE" ("-": none), "installed VERSION|none"
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
vigil=$build/vigil
forge=$build/tests/helpers/bases-forge
surgery=$here/container.py
keys=$here/keys
out=$here/vectors
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
EXPIRES=2099-01-01T00:00:00Z
ISSUED=2026-01-01T00:00:00Z
cd "$work"

q() { "$@" >/dev/null; }
sign() { local file=$1; shift; for key in "$@"; do q "$vigil" bases sign --key "$keys/$key.key" "$file"; done; }
pub() { for key in "$@"; do echo "$keys/$key.key.pub"; done; }

# --- roots -------------------------------------------------------------
q "$vigil" bases root --threshold 2 --expires $EXPIRES --out R1 $(pub k1 k2 k3)
sign R1 k1 k2
q "$vigil" bases root --threshold 2 --expires 2001-01-01T00:00:00Z --out R1-expired $(pub k1 k2 k3)
sign R1-expired k1 k2
# R2: k1 rotated out; signed by R1's keys (k1, k2) and its own (k2, k3).
q "$vigil" bases root --previous R1 --threshold 2 --expires $EXPIRES --out R2 $(pub k2 k3 k4)
sign R2 k1 k2 k3
q "$vigil" bases root --previous R1 --threshold 2 --expires 2001-01-01T00:00:00Z --out R2-expired $(pub k2 k3 k4)
sign R2-expired k1 k2 k3
# R3: threshold 3 of 4, separate offline root keys r1 r2 r3 (2 of 3).
q "$vigil" bases root --previous R2 --threshold 3 --expires $EXPIRES --root-threshold 2 \
	--root-key $keys/r1.key.pub --root-key $keys/r2.key.pub --root-key $keys/r3.key.pub --out R3 $(pub k2 k3 k4 k5)
sign R3 k2 k3 r1 r2
# R4: release keys unchanged, root keys r2 r3 (2 of 2): signed by r1 r2 (R3's) and r2 r3 (own).
q "$vigil" bases root --previous R3 --threshold 3 --expires $EXPIRES --root-threshold 2 \
	--root-key $keys/r2.key.pub --root-key $keys/r3.key.pub --out R4 $(pub k2 k3 k4 k5)
sign R4 r1 r2 r3
# Rotations signed by only the new keys, or only the old.
q "$vigil" bases root --previous R1 --threshold 2 --expires $EXPIRES --out R2-new-only $(pub k4 k5 k6)
sign R2-new-only k4 k5
q "$vigil" bases root --previous R1 --threshold 2 --expires $EXPIRES --out R2-old-only $(pub k4 k5 k6)
sign R2-old-only k1 k2
# R3 whose R2 was skipped: signed by everyone, still refused.
q "$vigil" bases root --version 3 --threshold 2 --expires $EXPIRES --out R3-skip $(pub k1 k2 k3)
sign R3-skip k1 k2 k3
# Roots the tools refuse to make: forged manifests, signed by k1 k2.
"$surgery" manifest R2 R2.manifest
sed 's/^threshold 2$/threshold 4/' R2.manifest >R2-threshold.manifest
"$forge" root R2-threshold.manifest - R2-threshold $keys/k1.key $keys/k2.key $keys/k3.key $keys/k4.key
sed 's/^threshold 2$/threshold 0/' R2.manifest >R2-zero.manifest
"$forge" root R2-zero.manifest - R2-zero $keys/k1.key $keys/k2.key $keys/k3.key
awk '/^key /&&!done{print;print;done=1;next}{print}' R2.manifest >R2-dupkey.manifest
"$forge" root R2-dupkey.manifest - R2-dupkey $keys/k1.key $keys/k2.key $keys/k3.key
sed 's/^vigil-root 1$/vigil-root 2/' R2.manifest >R2-format.manifest
"$forge" root R2-format.manifest - R2-format $keys/k1.key $keys/k2.key $keys/k3.key
"$forge" root R2.manifest - R2-bundlesig other:$keys/k1.key other:$keys/k2.key other:$keys/k3.key

# --- payloads and bundles ----------------------------------------------
mkdir -p v1 v2 v2x
printf '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n' >v1/a.hdb
printf 'Vigil.Test.Body:0:*:766967696c2d746573742d626f6479\n' >v1/b.ndb
printf '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signatur2\n' >v2/a.hdb
cp v1/b.ndb v2/b.ndb
printf '0123456789abcdef0123456789abcdef:68:Equivocation-Test\n' >v2x/a.hdb
cp v1/b.ndb v2x/b.ndb

build() { # OUT VERSION ROOT PREVIOUS|--first DIR [build options...]
	local out=$1 version=$2 root=$3 previous=$4 dir=$5
	shift 5
	if [ "$previous" = --first ]; then set -- --first "$@"; else set -- --previous "$previous" "$@"; fi
	q "$vigil" bases build --version "$version" --issued $ISSUED --expires $EXPIRES --root "$root" \
		"$@" --out "$out" "$dir"/*
}
build B1 1 R1 --first v1 && sign B1 k1 k2
build B2 2 R1 B1 v2 && sign B2 k1 k2
build B2x 2 R1 B1 v2x && sign B2x k1 k2
build B3 3 R1 B2 v2 && sign B3 k1 k2
build B1-unsigned 1 R1 --first v1
build B1-one 1 R1 --first v1 && sign B1-one k1
build B1-three 1 R1 --first v1 && sign B1-three k1 k2 k3
build B1-beta 1 R1 --first v1 --channel beta && sign B1-beta k1 k2
q "$vigil" bases build --version 3 --issued 2000-01-01T00:00:00Z --expires 2001-01-01T00:00:00Z --root R1 \
	--previous B2 --out B3-expired v2/* && sign B3-expired k1 k2
q "$vigil" bases build --version 3 --issued 2098-01-01T00:00:00Z --expires $EXPIRES --root R1 \
	--previous B2 --out B3-future v2/* && sign B3-future k1 k2
build B3-r2 3 R2 B2 v2
cp B3-r2 B3-r2-k1k2 && sign B3-r2-k1k2 k1 k2
sign B3-r2 k2 k3
build B3-r2-stale 3 R1 B2 v2 && sign B3-r2-stale k2 k3
build B4-r3 4 R3 B3 v2 && sign B4-r3 k2 k3 k4
build B4-r3-two 4 R3 B3 v2 && sign B4-r3-two k2 k3
build B4-r4 4 R4 B3 v2 && sign B4-r4 k3 k4 k5
build B4-r3-rootkeys 4 R3 B3 v2 && sign B4-r3-rootkeys r1 r2 r3
build B1-big 1 R1 --first v1 && sign B1-big k1 k2
build B1-mix 1 R1 --first v1
"$surgery" splice B1 B2 B1-mix
"$surgery" manifest B1 B1.manifest
"$surgery" payload B1 B1.payload

forged() { # OUT MANIFEST-EDIT-COMMAND... : B1's manifest edited, B1's payload, signed k1 k2
	local name=$1
	shift
	"$@" <B1.manifest >"$name.manifest"
	"$forge" bundle "$name.manifest" B1.payload "$name" $keys/k1.key $keys/k2.key
}
forged N-dupfield sed '/^version /p'
forged N-zeropad sed 's/^version 1$/version 01/'
forged N-plus sed 's/^version 1$/version +1/'
forged N-crlf sed 's/$/\r/'
forged N-reorder awk '/^issued /{held=$0;next}/^expires /{print;print held;next}{print}'
forged N-unknown sed '/^root-version /a comment hello'
forged N-upperhex sed -E '/^file /s/ ([0-9a-f]{64})$/ \U\1/'
forged N-space sed 's/^channel stable$/channel  stable/'
forged N-trailing-space sed 's/^version 1$/version 1 /'
forged N-nofinal-lf head -c -1
forged N-format2 sed 's/^vigil-bundle 1$/vigil-bundle 2/'
forged N-rootmanifest cat R2.manifest
forged N-time sed 's/^issued 2026-01-01T00:00:00Z$/issued 2026-01-01T00:00:00+00:00/'
forged N-leapday sed 's/^issued 2026-01-01T00:00:00Z$/issued 2026-02-29T00:00:00Z/'
forged N-dupname sed -E 's/^file b\.ndb/file a.hdb/'
forged N-unsorted awk '/^file a/{held=$0;next}{print}END{print held}'
forged N-slash sed -E 's/^file a\.hdb/file x\/a.hdb/'
forged N-dotdot sed -E 's/^file a\.hdb/file ../'
forged N-backslash sed -E 's/^file a\.hdb/file x\\\\a.hdb/'
forged N-control sed -E 's/^file a\.hdb/file a\x01.hdb/'
forged N-hidden sed -E 's/^file a\.hdb/file .a.hdb/'
forged N-longname sed -E "s/^file a\\.hdb/file a$(printf 'x%.0s' $(seq 1 130))/"
forged N-missing sed '$a file c.hdb 10 0000000000000000000000000000000000000000000000000000000000000000'
forged N-unlisted sed '$d'
forged N-sizes sed -E 's/^file a\.hdb ([0-9]+)/file a.hdb 9\1/'
forged N-bigfile sed -E 's/^file a\.hdb ([0-9]+)/file a.hdb 99999999999/'

# --- vectors -----------------------------------------------------------
rm -rf "$out.new"
mkdir -p "$out.new"
count=0
vector() { # NAME DESCRIPTION
	count=$((count + 1))
	current=$out.new/$(printf '%03d' $count)-$1
	mkdir -p "$current/trust" "$current/mirror"
	echo "$2" >"$current/description"
}
trust() { local n=0; for root in "$@"; do n=$((n + 1)); cp "$root" "$current/trust/$n.vroot"; done; }
offer() { cp "$1" "$current/mirror/stable.vbundle"; }
mirror_root() { cp "$1" "$current/mirror/root-$2.vroot"; }
initial() { mkdir -p "$current/initial"; cp "$1" "$current/initial/stable.vbundle"; shift
	while [ $# -gt 0 ]; do cp "$1" "$current/initial/root-$2.vroot"; shift 2; done; }
expect() { printf 'exit %s\nreason %s\ninstalled %s\n' "$1" "$2" "$3" >"$current/expected"; }

vector first-install "arbitrary installation: a bundle signed 2-of-3 installs on an empty state"
trust R1; offer B1; expect 0 - 1
vector upgrade "a newer version replaces the installed one"
trust R1; initial B1; offer B2; expect 0 - 2
vector already-installed "the same bundle again is \"already installed\", exit 0"
trust R1; initial B1; offer B1; expect 0 - 1
vector already-installed-more-signatures "the same manifest with one more signature is the same bundle"
trust R1; initial B1; offer B1-three; expect 0 - 1
vector rollback "rollback: a lower version than the installed one"
trust R1; initial B2; offer B1; expect 1 "rollback: offered version 1 is lower than installed version 2" 2
vector rollback-record-deleted "rollback is refused even after the decision record was deleted"
trust R1; initial B2; touch "$current/wipe-decisions"; offer B1; expect 1 "rollback: offered version 1 is lower than installed version 2" 2
d2=$("$vigil" bases verify --root R1 B2 | sed 's/.*digest \([0-9a-f]\{16\}\).*/\1/')
d2x=$("$vigil" bases verify --root R1 B2x | sed 's/.*digest \([0-9a-f]\{16\}\).*/\1/')
vector equivocation "equivocation: the same version with another digest"
trust R1; initial B2; offer B2x; expect 1 "EQUIVOCATION: version 2 is installed as $d2 and offered as $d2x" 2
vector freeze-expired "indefinite freeze: an expired bundle is not installed"
trust R1; initial B2; offer B3-expired; expect 1 "bundle version 3 expired at 2001-01-01T00:00:00Z" 2
vector issued-future "issued in the future beyond the skew"
trust R1; offer B3-future; expect 1 "bundle version 3 is issued in the future (2098-01-01T00:00:00Z)" none
vector unsigned "a bundle with no signatures"
trust R1; offer B1-unsigned; expect 1 "bundle is not signed (root version 1 requires 2 signatures)" none
vector below-threshold "one signature where two are required"
trust R1; offer B1-one; expect 1 "below threshold: 1 valid signatures by release keys of root version 1, 2 required" none
"$surgery" manifest B1 x.m; "$forge" bundle x.m B1.payload B1-dupsig $keys/k1.key $keys/k1.key
vector duplicate-key-signatures "two signatures by one key count once"
trust R1; offer B1-dupsig; expect 1 "below threshold: 1 valid signatures by release keys of root version 1, 2 required" none
"$forge" bundle x.m B1.payload B1-unlisted $keys/k1.key $keys/x1.key $keys/k4.key
vector unlisted-key-signatures "signatures by keys the root does not list are ignored"
trust R1; offer B1-unlisted; expect 1 "below threshold: 1 valid signatures by release keys of root version 1, 2 required" none
"$forge" bundle x.m B1.payload B1-garbage-extra $keys/k1.key $keys/k2.key garbage:$keys/k3.key
vector invalid-signature-beside-threshold "an invalid signature next to M valid ones is ignored (documented rule)"
trust R1; offer B1-garbage-extra; expect 0 - 1
"$forge" bundle x.m B1.payload B1-garbage $keys/k1.key garbage:$keys/k2.key
vector invalid-signature-below-threshold "an invalid signature does not count toward the threshold"
trust R1; offer B1-garbage; expect 1 "below threshold: 1 valid signatures by release keys of root version 1, 2 required" none
"$forge" bundle x.m B1.payload B1-rootsig other:$keys/k1.key other:$keys/k2.key
vector root-signature-on-bundle "signatures made over a root message do not count for a bundle"
trust R1; offer B1-rootsig; expect 1 "below threshold: 0 valid signatures by release keys of root version 1, 2 required" none
vector mix-and-match "mix-and-match: bundle 1's signed manifest with bundle 2's payload"
trust R1; offer B1-mix; expect 1 "digest mismatch: payload file \`a.hdb'" none
"$surgery" append B1 B1-endless 131072
vector endless-data "endless data: a mirror serving more than --max-size is cut off"
trust R1; offer B1-endless; echo "--max-size 65536" >"$current/args"
expect 2 "mirror/stable.vbundle: larger than 65536 bytes" none
"$surgery" append B1 B1-trailing 1
vector trailing-bytes "one byte after the last payload file"
trust R1; offer B1-trailing; expect 1 "trailing bytes: 1 after the last payload file" none
size=$(stat -c %s B1)
"$surgery" truncate B1 B1-short $((size - 1))
vector truncated-payload "the last payload byte missing"
trust R1; offer B1-short; payload_size=$(stat -c %s B1.payload)
expect 1 "truncated: manifest lists $payload_size payload bytes, file has $((payload_size - 1))" none
"$surgery" truncate B1 B1-header 10
vector truncated-header "a file cut inside its header"
trust R1; offer B1-header; expect 1 "truncated: 10 bytes is too short for a header" none
manifest_end=$("$surgery" offset B1 key)
"$surgery" truncate B1 B1-sigcut $((manifest_end + 50))
vector truncated-signatures "a file cut inside its signatures"
trust R1; offer B1-sigcut; expect 1 "truncated: header promises $((manifest_end + 192)) bytes of manifest and signatures, file has $((manifest_end + 50))" none
vector payload-listed-missing "a payload file listed in the manifest but missing from the file"
trust R1; offer N-missing; expect 1 "truncated: manifest lists $((payload_size + 10)) payload bytes, file has $payload_size" none
vector payload-present-unlisted "payload bytes present but not listed in the manifest"
trust R1; offer N-unlisted; expect 1 "trailing bytes: $(stat -c %s v1/b.ndb) after the last payload file" none
vector payload-size-lie "a listed size larger than the payload"
trust R1; offer N-sizes; expect 1 "truncated: manifest lists $((payload_size + 900)) payload bytes, file has $payload_size" none
vector oversize-payload-file "a payload file above the size bound"
trust R1; offer N-bigfile; expect 1 "payload file on line 8 is larger than 4294967296 bytes" none
nc="non-canonical manifest"
vector noncanonical-duplicate-field "a field given twice"
trust R1; offer N-dupfield; expect 1 "$nc: line 4 is not field \`issued'" none
vector noncanonical-leading-zero "an integer with a leading zero"
trust R1; offer N-zeropad; expect 1 "$nc: \`version' is not a canonical decimal" none
vector noncanonical-plus-sign "an integer with a plus sign"
trust R1; offer N-plus; expect 1 "$nc: \`version' is not a canonical decimal" none
vector noncanonical-crlf "CRLF line ends"
trust R1; offer N-crlf; expect 1 "$nc: line 1 has a control or non-ASCII byte" none
vector noncanonical-reordered "fields in another order"
trust R1; offer N-reorder; expect 1 "$nc: line 4 is not field \`issued'" none
vector noncanonical-unknown-field "an unknown field"
trust R1; offer N-unknown; expect 1 "$nc: line 8 is not field \`file'" none
vector noncanonical-uppercase-hex "an uppercase digest"
trust R1; offer N-upperhex; expect 1 "$nc: line 8 is not \`file NAME SIZE SHA256'" none
vector noncanonical-double-space "two spaces between key and value"
trust R1; offer N-space; expect 1 "bad channel name in manifest" none
vector noncanonical-trailing-space "a trailing space"
trust R1; offer N-trailing-space; expect 1 "$nc: \`version' is not a canonical decimal" none
vector noncanonical-no-final-newline "the last line without its line feed"
trust R1; offer N-nofinal-lf; expect 1 "$nc: line 9 has no line feed" none
vector noncanonical-time-offset "a time with +00:00 instead of Z"
trust R1; offer N-time; expect 1 "$nc: \`issued' is not RFC 3339 UTC (YYYY-MM-DDTHH:MM:SSZ)" none
vector noncanonical-impossible-date "February 29th of a common year"
trust R1; offer N-leapday; expect 1 "$nc: \`issued' is not RFC 3339 UTC (YYYY-MM-DDTHH:MM:SSZ)" none
vector future-format "a bundle format newer than supported is refused by number"
trust R1; offer N-format2; expect 1 "unsupported format version 2 (this vigil reads version 1)" none
vector duplicate-payload-name "two payload files with one name"
trust R1; offer N-dupname; expect 1 "duplicate payload name \`a.hdb' (names must be unique and sorted)" none
vector unsorted-payload-names "payload files out of order"
trust R1; offer N-unsorted; expect 1 "unsorted payload name \`a.hdb' (names must be unique and sorted)" none
for hostile in slash dotdot backslash control hidden longname; do
	vector hostile-name-$hostile "a payload name with a path trick ($hostile)"
	if [ $hostile = control ]; then
		trust R1; offer N-$hostile; expect 1 "$nc: line 8 has a control or non-ASCII byte" none
	else
		trust R1; offer N-$hostile; expect 1 "payload name on line 8 is not a plain file name" none
	fi
done
vector root-as-bundle "a trust root offered as the bundle"
trust R1; offer R2; expect 1 "not a bundle (this is a trust root)" none
vector bundle-as-root "a bundle offered as the next root"
trust R1; mirror_root B2 2; offer B3-r2; expect 1 "not a trust root (this is a bundle)" none
vector bundle-as-trusted-root "a bundle given as --root"
trust B1; offer B1; expect 1 "trust/1.vroot: not a trust root (this is a bundle)" none
vector root-manifest-in-bundle "a root's manifest, signed by release keys, framed as a bundle"
trust R1; offer N-rootmanifest; expect 1 "manifest is a trust root's, not a bundle's" none
vector bundle-signature-on-root "a root signed with bundle-message signatures"
trust R1; mirror_root R2-bundlesig 2; offer B3-r2; expect 1 "root version 2 has 0 of the 2 signatures root version 1 requires" none
vector other-channel "a bundle for another channel"
trust R1; offer B1-beta; expect 1 "wrong channel: bundle is for \`beta', this client follows \`stable'" none
vector client-other-channel "a client on channel beta refuses a stable bundle"
trust R1; cp B1 "$current/mirror/beta.vbundle"; echo "--channel beta" >"$current/args"
expect 1 "wrong channel: bundle is for \`stable', this client follows \`beta'" none
vector rotation "root 1 -> 2 found on the mirror; a bundle under root 2"
trust R1; mirror_root R2 2; offer B3-r2; expect 0 - 3
vector rotation-chain-3 "root 1 -> 2 -> 3 (threshold 2 -> 3, separate root keys)"
trust R1; mirror_root R2 2; mirror_root R3 3; initial B2; offer B4-r3; expect 0 - 4
vector rotation-chain-4-root-keys "root 1 -> 2 -> 3 -> 4, the last rotation signed by root keys only"
trust R1; mirror_root R2 2; mirror_root R3 3; mirror_root R4 4; offer B4-r4; expect 0 - 4
vector rotation-threshold-raised "after the threshold rose to 3, two signatures are too few"
trust R1; mirror_root R2 2; mirror_root R3 3; offer B4-r3-two; expect 1 "below threshold: 2 valid signatures by release keys of root version 3, 3 required" none
vector root-keys-are-not-release-keys "root keys cannot sign bundles"
trust R1; mirror_root R2 2; mirror_root R3 3; offer B4-r3-rootkeys; expect 1 "below threshold: 0 valid signatures by release keys of root version 3, 3 required" none
vector rotation-by-command-line "--root given twice walks the rotation without the mirror"
trust R1 R2; offer B3-r2; expect 0 - 3
vector rotation-only-new-keys "a rotation signed only by the new keys"
trust R1; mirror_root R2-new-only 2; offer B3-r2; expect 1 "root version 2 has 0 of the 2 signatures root version 1 requires" none
vector rotation-only-old-keys "a rotation signed only by the old keys"
trust R1; mirror_root R2-old-only 2; offer B3-r2; expect 1 "root version 2 has 0 of the 2 signatures its own root keys require" none
vector rotation-skipped "root 3 given right after root 1"
trust R1 R3-skip; offer B1; expect 1 "trust/2.vroot: skipped root version: trusted root is version 1, offered version 3" none
vector rotated-out-key "a key rotated out no longer counts"
trust R1; mirror_root R2 2; offer B3-r2-k1k2; expect 1 "below threshold: 1 valid signatures by release keys of root version 2, 2 required" none
vector stale-root-version "a bundle naming an older root than the trusted one"
trust R1; mirror_root R2 2; offer B3-r2-stale; expect 1 "stale root version: bundle names root version 1, the trusted root is version 2" none
vector unknown-root-version "a bundle naming a root the client cannot reach"
trust R1; offer B3-r2; expect 1 "unknown root version: bundle names root version 2, the trusted root is version 1" none
vector expired-root "an expired final root refuses everything"
trust R1-expired; offer B1; expect 1 "trust root version 1 expired at 2001-01-01T00:00:00Z" none
vector expired-intermediate-root "the expiry of an intermediate root is ignored"
trust R1; mirror_root R2-expired 2; mirror_root R3 3; offer B4-r3; expect 0 - 4
vector expired-final-rotated-root "a walk that ends on an expired root refuses"
trust R1; mirror_root R2-expired 2; offer B3-r2; expect 1 "trust root version 2 expired at 2001-01-01T00:00:00Z" none
vector state-root-wins "the state's newer root wins over the packaged one"
trust R1; initial B3-r2 R2 2; offer B4-r3; mirror_root R3 3; expect 0 - 4
vector root-threshold-above-keys "a root whose threshold exceeds its keys is invalid"
trust R1; mirror_root R2-threshold 2; offer B3-r2; expect 1 "invalid root: threshold 4 with 3 distinct release keys" none
vector root-threshold-zero "a root with threshold 0 is invalid"
trust R1; mirror_root R2-zero 2; offer B3-r2; expect 1 "invalid root: threshold 0 with 3 distinct release keys" none
vector root-key-listed-twice "a root listing one key twice"
trust R1; mirror_root R2-dupkey 2; offer B3-r2; expect 1 "non-canonical root: key on line 6 is listed twice" none
vector root-future-format "a root format newer than supported"
trust R1; mirror_root R2-format 2; offer B3-r2; expect 1 "unsupported format version 2 (this vigil reads version 1)" none
"$surgery" poke B1 B1-magic 0 58
vector bad-magic "neither a bundle nor a root"
trust R1; offer B1-magic; expect 1 "not a vigil bundle or root (bad magic)" none
"$surgery" poke B1 B1-hugemanifest 8 ffffffff
vector oversize-manifest "a manifest size field of 4 GiB"
trust R1; offer B1-hugemanifest; expect 1 "manifest size 4294967295 outside 1..1048576" none
"$surgery" poke B1 B1-manysigs 12 ffff
vector oversize-signature-count "65535 signatures declared"
trust R1; offer B1-manysigs; expect 1 "65535 signatures, more than the 64 allowed" none
for region in magic size count manifest key signature payload; do
	offset=$("$surgery" offset B1 $region)
	step=3; [ $region = count ] && step=1
	"$surgery" flip B1 B1-flip-$region $((offset + step)) 2
	vector bitflip-$region "one bit flipped in the $region region"
	trust R1; offer B1-flip-$region
	case $region in
	magic) expect 1 "not a vigil bundle or root (bad magic)" none ;;
	size|manifest) expect 1 "below threshold: 0 valid signatures by release keys of root version 1, 2 required" none ;;
	count) expect 1 "truncated: header promises $((manifest_end + 6 * 96)) bytes of manifest and signatures, file has $size" none ;;
	key|signature) expect 1 "below threshold: 1 valid signatures by release keys of root version 1, 2 required" none ;;
	payload) expect 1 "digest mismatch: payload file \`a.hdb'" none ;;
	esac
done
vector mirror-fallback "a missing mirror falls back to the next one, which must verify"
trust R1; offer B1; echo "--from missing-mirror" >"$current/args"; expect 0 - 1
vector mirror-fallback-refused "a mirror serving a refused bundle falls back to the next, which verifies"
trust R1; offer B1-one; mkdir -p "$current/second"; cp B1 "$current/second/stable.vbundle"
echo "--from second" >"$current/args-after"; expect 0 - 1

rm -rf "$out"
mv "$out.new" "$out"
echo "$count vectors in $out"
