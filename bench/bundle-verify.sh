#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark: `vigil bases verify` of a 200 MB bundle against `sha256sum` of
# the same file, measured in the same run (best of 3 each, warm cache).
# Target: ratio <= 1.3. Not part of `make check`.
#   bench/bundle-verify.sh [BUILD] [SIZE_MB]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
size_mb=${2:-200}
vigil=$build/vigil
keys=$here/bases/test-keys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

head -c $((size_mb * 1024 * 1024 - 4096)) /dev/urandom >"$work/big.ndb"
printf '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n' >"$work/main.hdb"
"$vigil" bases build --version 1 --expires 2099-01-01T00:00:00Z --first --root "$keys/test-root" \
	--out "$work/bundle" "$work/big.ndb" "$work/main.hdb" >/dev/null
"$vigil" bases sign --key "$keys/TEST-ONLY-release-1.key" "$work/bundle" >/dev/null
"$vigil" bases sign --key "$keys/TEST-ONLY-release-2.key" "$work/bundle" >/dev/null
cat "$work/bundle" >/dev/null

best() { # COMMAND... -> best wall time in microseconds of 3 runs
	local best_us= start end elapsed
	for _ in 1 2 3; do
		start=$(date +%s%N)
		"$@" >/dev/null
		end=$(date +%s%N)
		elapsed=$(((end - start) / 1000))
		if [ -z "$best_us" ] || [ "$elapsed" -lt "$best_us" ]; then best_us=$elapsed; fi
	done
	echo "$best_us"
}
verify_us=$(best "$vigil" bases verify --root "$keys/test-root" "$work/bundle")
sha_us=$(best sha256sum "$work/bundle")
bytes=$(stat -c %s "$work/bundle")
awk -v v="$verify_us" -v s="$sha_us" -v b="$bytes" 'BEGIN {
	printf "bundle %d bytes\n", b
	printf "vigil bases verify  %8.1f ms  %7.1f MB/s\n", v / 1000, b / v
	printf "sha256sum           %8.1f ms  %7.1f MB/s\n", s / 1000, b / s
	printf "ratio verify/sha256sum: %.2fx (target <= 1.30x)\n", v / s
}'
