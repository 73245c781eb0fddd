#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Copyright (C) 2026 The vigil authors.
#
# `make bench`: vigil scan against clamscan (the oracle's flags, see
# tests/differential/oracle.py) on the same large database and corpus, all
# measured in this one run, printed as figures and ratios. Not a test: it
# asserts nothing. Usage: bench/run.sh VIGIL WORKDIR
#   WORKDIR/db, WORKDIR/corpus   made by bench/gen.py when missing
#   WORKDIR/cache                vigil's matcher cache (emptied for the cold run)
# Every run is timed with /usr/bin/time -v (wall clock and peak RSS, which
# includes waited-for children such as a compile process). Files are read
# from the page cache in every measurement (the corpus is read once first).
set -u
vigil=$(realpath "$1")
work=${2:-build/bench}
here=$(dirname "$0")
threads=$(nproc)
mkdir -p "$work"
work=$(realpath "$work")

if [ ! -d "$work/corpus" ] || [ ! -f "$work/db/bench.ndb" ]; then
	echo "== generating database and corpus in $work"
	# shellcheck disable=SC2086
	python3 "$here/gen.py" "$work" ${BENCH_GEN_ARGS:-} || exit 2
fi
db=$work/db
corpus=$work/corpus
cache=$work/cache
empty=$work/empty
mkdir -p "$empty" && printf 'just a small clean file\n' >"$empty/clean.txt"
corpus_bytes=$(du -sb "$corpus" | cut -f1)
corpus_files=$(find "$corpus" -type f | wc -l)
echo "== corpus: $corpus_files files, $corpus_bytes bytes; database:" \
	"$(cat "$db"/*.hdb "$db"/*.hsb | wc -l) hash, $(wc -l <"$db/bench.ndb") body signatures"

clamscan_flags=$(python3 -c "
import sys; sys.path.insert(0, '$here/../tests/differential')
import oracle; print(' '.join(oracle.CLAMSCAN_FLAGS))")
clamtmp=$(mktemp -d)
trap 'rm -rf "$clamtmp"' EXIT

# measure NAME COMMAND...: runs it under /usr/bin/time -v, keeps stdout in
# $work/NAME.out, sets WALL (s), RSS (KiB) and FOUND (FOUND lines).
measure() {
	local name=$1; shift
	/usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"
	local rc=$?
	WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {
		n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' \
		"$work/$name.time")
	RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.time")
	# unique (file, signature) pairs: clamscan --allmatch repeats a line per occurrence
	FOUND=$(sed 's/\.UNOFFICIAL FOUND$/ FOUND/' "$work/$name.out" | grep ' FOUND$' | sort -u | wc -l)
	printf '  %-28s exit %d  %8.2f s  peak RSS %7d MiB  %d pairs found\n' \
		"$name" "$rc" "$WALL" $((RSS / 1024)) "$FOUND"
	if [ $rc -gt 1 ]; then
		echo "  $name failed:"; tail -n 5 "$work/$name.err" | sed 's/^/    /'
	fi
}

echo "== reading the corpus once (page cache), then cat as the baseline"
cat "$corpus"/* >/dev/null
measure cat bash -c "cat '$corpus'/* >/dev/null"
cat_wall=$WALL

echo "== clamscan $(clamscan --version | cut -d/ -f1)"
# shellcheck disable=SC2086
measure clamscan-load clamscan $clamscan_flags --tempdir="$clamtmp" --database="$db" "$empty"
clam_load=$WALL
# shellcheck disable=SC2086
measure clamscan-scan clamscan $clamscan_flags --tempdir="$clamtmp" --database="$db" "$corpus"
clam_scan=$WALL clam_rss=$RSS clam_found=$FOUND

vigil_flags=(scan -d "$db" -r --no-summary --max-filesize 2000M --max-scansize 2000M
	--cache-dir "$cache")
echo "== vigil ($("$vigil" --version 2>/dev/null | head -n 1))"
rm -rf "$cache" && mkdir -p "$cache"
measure vigil-compile-cold "$vigil" "${vigil_flags[@]}" --threads 1 "$empty"
compile_wall=$WALL compile_rss=$RSS
measure vigil-load-warm "$vigil" "${vigil_flags[@]}" --threads 1 "$empty"
vigil_load=$WALL
# vigil's load time is not small next to its scan, so its throughput comes
# from the difference between scanning the corpus once and four times (the
# same folder given four times): 3 x corpus bytes / (wall x4 - wall x1).
measure vigil-scan-1-thread "$vigil" "${vigil_flags[@]}" --threads 1 "$corpus"
vigil_scan1=$WALL vigil_rss1=$RSS vigil_found=$FOUND
measure vigil-scan-1-thread-x4 "$vigil" "${vigil_flags[@]}" --threads 1 \
	"$corpus" "$corpus" "$corpus" "$corpus"
vigil_scan1x4=$WALL
measure vigil-scan-$threads-threads "$vigil" "${vigil_flags[@]}" --threads "$threads" "$corpus"
vigil_scann=$WALL vigil_rssn=$RSS
measure vigil-scan-$threads-threads-x4 "$vigil" "${vigil_flags[@]}" --threads "$threads" \
	"$corpus" "$corpus" "$corpus" "$corpus"
vigil_scannx4=$WALL

python3 - "$corpus_bytes" "$cat_wall" "$clam_load" "$clam_scan" "$clam_rss" \
	"$compile_wall" "$compile_rss" "$vigil_load" "$vigil_scan1" "$vigil_rss1" \
	"$vigil_scann" "$vigil_rssn" "$threads" "$clam_found" "$vigil_found" \
	"$vigil_scan1x4" "$vigil_scannx4" <<'EOF'
import sys
(size, cat, clam_load, clam_scan, clam_rss, compile_wall, compile_rss, vigil_load,
 scan1, rss1, scann, rssn, threads, clam_found, vigil_found, scan1x4, scannx4) = sys.argv[1:]
size = int(size); threads = int(threads)
f = {k: float(v) for k, v in dict(cat=cat, clam_load=clam_load, clam_scan=clam_scan,
     compile_wall=compile_wall, vigil_load=vigil_load, scan1=scan1, scann=scann,
     scan1x4=scan1x4, scannx4=scannx4).items()}
mb = size / 1e6
clam = mb / max(f["clam_scan"] - f["clam_load"], 1e-3)
v1 = 3 * mb / max(f["scan1x4"] - f["scan1"], 1e-3)
vn = 3 * mb / max(f["scannx4"] - f["scann"], 1e-3)
catr = mb / max(f["cat"], 1e-3)
print()
print("== figures (clamscan: bytes / (scan wall - load wall); vigil: 3 x bytes / (wall x4 - wall x1))")
print("  corpus                          %.0f MB" % mb)
print("  cat FILES > /dev/null           %8.1f MB/s" % catr)
print("  clamscan load                   %8.2f s" % f["clam_load"])
print("  clamscan scan                   %8.1f MB/s   peak RSS %d MiB   %s found"
      % (clam, int(clam_rss) // 1024, clam_found))
print("  vigil compile (cold cache)      %8.2f s      peak RSS %d MiB"
      % (f["compile_wall"], int(compile_rss) // 1024))
print("  vigil load (warm cache)         %8.2f s" % f["vigil_load"])
print("  vigil scan, 1 thread            %8.1f MB/s   peak RSS %d MiB   %s found"
      % (v1, int(rss1) // 1024, vigil_found))
print("  vigil scan, %d threads           %8.1f MB/s   peak RSS %d MiB" % (threads, vn, int(rssn) // 1024))
print()
print("== ratios (target in brackets)")
print("  throughput 1 thread / clamscan  %8.1fx  [>= 20x]" % (v1 / clam))
print("  throughput %d threads / clamscan %8.1fx" % (threads, vn / clam))
print("  warm load: clamscan / vigil     %8.1fx  [>= 10x]" % (f["clam_load"] / max(f["vigil_load"], 1e-3)))
print("  peak RSS scanning: vigil/clam   %8.2f   [<= 1.0]" % (int(rss1) / max(int(clam_rss), 1)))
print("  vigil 1 thread / cat            %8.2f" % (v1 / catr))
print("  vigil %d threads / cat           %8.2f" % (threads, vn / catr))
if clam_found != vigil_found:
    print("  NOTE: clamscan found %s, vigil %s: compare %s" % (clam_found, vigil_found,
          "WORKDIR/clamscan-scan.out and vigil-scan-1-thread.out"))
EOF
