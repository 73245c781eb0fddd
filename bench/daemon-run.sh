#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Copyright (C) 2026 The vigil authors.
#
# `make bench-daemon`: vigild on access, against no daemon, a bare fanotify
# responder (bench/bare-responder: vigild's own fanotify loop answering at
# once) and ClamAV's clamonacc with clamd, on the database of `make bench`,
# all measured in this one run and printed as figures and ratios against
# the targets of issue 5. Not a test: it asserts nothing. Needs root.
# Usage: bench/daemon-run.sh BUILD WORKDIR
#   WORKDIR/db   made by bench/gen.py when missing (as bench/run.sh does)
# Settings (environment): FILES fresh files per miss measurement (2000),
# HIT_OPENS opens of one cached file (20000), RATE_SECONDS (5), STORM_FILES
# paced opens during the reload storm and its steady twin (4000), PACE_US
# pause between paced opens (1000), SIZE of each small file (4096),
# BUNDLES signed bundles of the database for the bundle reload storm (20),
# VIGILD_CONF extra vigild.conf lines for an A/B run (e.g. "loop_scan_kib = 0").
set -u
build=$(realpath "$1")
work=${2:-$build/bench}
here=$(realpath "$(dirname "$0")")
FILES=${FILES:-2000}
HIT_OPENS=${HIT_OPENS:-20000}
RATE_SECONDS=${RATE_SECONDS:-5}
STORM_FILES=${STORM_FILES:-4000}
PACE_US=${PACE_US:-1000}
SIZE=${SIZE:-4096}
BUNDLES=${BUNDLES:-20}
opener=$build/bench/open-latency
bare=$build/bench/bare-responder
vigil=$build/vigil
vigild=$build/vigild

if [ "$(id -u)" != 0 ]; then
	echo "bench-daemon: needs root (fanotify permission events, tmpfs mounts, clamonacc)" >&2
	exit 2
fi
mkdir -p "$work"
work=$(realpath "$work")
if [ ! -f "$work/db/bench.ndb" ]; then
	echo "== generating the database (and bench/run.sh's corpus) in $work"
	# shellcheck disable=SC2086
	python3 "$here/gen.py" "$work" ${BENCH_GEN_ARGS:-} || exit 2
fi

scratch=$(mktemp -d /tmp/vigil-bench-daemon.XXXXXX)
chmod 0755 "$scratch"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
	awk -v w="$scratch" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r point; do umount -l "$point" 2>/dev/null; done
	rm -rf "$scratch"
}
trap cleanup EXIT
prot=$scratch/prot
mkdir -p "$prot" "$scratch/db" "$scratch/state"
mount -t tmpfs -o size=2g,mode=0755 vigil-bench "$prot" || { echo "cannot mount a tmpfs" >&2; exit 2; }
# The interleaved measurement: one tmpfs per responder (none, the bare
# responder, vigild, clamonacc), all answering at once, the opener taking
# one file of each in turn.
interleaved=(none bare vigild clam)
for name in "${interleaved[@]}"; do
	mkdir -p "$scratch/i-$name"
	mount -t tmpfs -o size=256m,mode=0755 "vigil-bench-$name" "$scratch/i-$name" ||
		{ echo "cannot mount a tmpfs" >&2; exit 2; }
done

# The same database for vigild and clamd: the bench database, a test
# signature to tell when a responder is up, and a small part that the
# reload storm switches between two versions.
cp "$work"/db/* "$scratch/db/"
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
printf 'Bench.Ready:0:*:%s\n' "$(hex VIGIL-BENCH-READY-MARKER)" >"$scratch/db/ready.ndb"
storm_set() { printf 'Bench.Storm:0:*:%s\n' "$(hex "vigil-bench-storm-$1")" >"$scratch/db/.storm"; \
	mv "$scratch/db/.storm" "$scratch/db/storm.ndb"; }
storm_set a
sigs=$(cat "$scratch"/db/*.hdb "$scratch"/db/*.hsb 2>/dev/null | wc -l)
body=$(cat "$scratch"/db/*.ndb | wc -l)

# Fresh files for each measurement, made before any responder runs.
echo "== making small files ($SIZE bytes) on a tmpfs"
for set in none-miss bare-miss vigild-miss vigild-steady vigild-storm vigild-bundle-steady \
	vigild-bundle-storm clam-miss cpu0-none cpu0-bare cpu0-vigild cpu0-clam; do
	mkdir "$prot/$set"
	count=$FILES
	case $set in *-steady|*-storm) count=$STORM_FILES ;; esac
	"$opener" make "$prot/$set" "$count" "$SIZE" || exit 2
done
mkdir "$prot/hit" "$prot/ready"
"$opener" make "$prot/hit" 4 "$SIZE" || exit 2
printf 'VIGIL-BENCH-READY-MARKER\n' >"$prot/ready/marker"
for name in "${interleaved[@]}"; do
	mkdir "$scratch/i-$name/miss" "$scratch/i-$name/ready"
	"$opener" make "$scratch/i-$name/miss" "$FILES" "$SIZE" || exit 2
	printf 'VIGIL-BENCH-READY-MARKER\n' >"$scratch/i-$name/ready/marker"
done

declare -A P50 P99 RATE
# measure_line NAME OUTPUT: keeps the figures of one line of the opener
measure_line() {
	printf '  %-28s %s\n' "$1" "$2"
	P50[$1]=$(sed -n 's/.*p50_ns=\([0-9]*\).*/\1/p' <<<"$2")
	P99[$1]=$(sed -n 's/.*p99_ns=\([0-9]*\).*/\1/p' <<<"$2")
	RATE[$1]=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' <<<"$2")
}
# measure NAME latency|rate ARGS...: runs the opener, keeps its figures
measure() {
	local name=$1
	shift
	measure_line "$name" "$("$opener" "$@")"
}
# measure_one_cpu NAME [PID...]: NAME's misses with the opener and every
# thread of the responder's processes PID... on CPU 0, so that no wake-up
# in the round trip crosses CPUs (on this VM one costs about 25 us, more
# than the work of a miss); then the responder's threads may run anywhere
# again. Figures as cpu0-NAME-miss.
measure_one_cpu() {
	local name=$1 pid all=0-$(($(nproc) - 1))
	shift
	for pid in "$@"; do taskset -a -p -c 0 "$pid" >/dev/null || exit 2; done
	measure_line "cpu0-$name-miss" "$(taskset -c 0 "$opener" latency "$prot/cpu0-$name" 0 "$FILES" 1)"
	for pid in "$@"; do taskset -a -p -c "$all" "$pid" >/dev/null || exit 2; done
}
# the three measurements every responder gets
measure_all() {
	measure "$1-miss" latency "$prot/$1-miss" 0 "$FILES" 1
	measure "$1-hit" latency "$prot/hit" 0 1 "$HIT_OPENS"
	measure "$1-rate" rate "$prot/hit" 4 2 "$RATE_SECONDS"
}
# until_denied FILE SECONDS: the responder is up once the marker is denied
until_denied() {
	local deadline=$((SECONDS + $2))
	while [ $SECONDS -lt $deadline ]; do
		cat "$1" >/dev/null 2>&1 || return 0
		sleep 0.2
	done
	return 1
}
kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

echo "== no daemon"
measure_all none
measure_one_cpu none

echo "== bare fanotify responder (vigild's io_uring loop, allows at once)"
"$bare" "$prot" >"$scratch/bare.out" 2>"$scratch/bare.err" &
bare_pid=$!
pids+=("$bare_pid")
for _ in $(seq 100); do grep -q ready "$scratch/bare.out" && break; sleep 0.05; done
grep -q ready "$scratch/bare.out" || { echo "bare responder: $(cat "$scratch/bare.err")"; exit 2; }
# the none-miss files were opened above: these are fresh to no one, which
# costs nothing here (no cache), so the bare responder gets its own set
measure "bare-miss" latency "$prot/bare-miss" 0 "$FILES" 1
measure "bare-hit" latency "$prot/hit" 0 1 "$HIT_OPENS"
measure "bare-rate" rate "$prot/hit" 4 2 "$RATE_SECONDS"
measure_one_cpu bare "$bare_pid"
kill -TERM "$bare_pid"; wait "$bare_pid" 2>/dev/null

echo "== vigild ($("$vigil" --version 2>/dev/null | head -n 1)), $sigs hash + $body body signatures"
socket=$scratch/vigild.sock
cat >"$scratch/vigild.conf" <<EOF
paths = $prot
bases = $scratch/db
state_dir = $scratch/state
socket = $socket
log = $scratch/verdicts.json
log_allowed = no
timeout_ms = 30000
backend = fanotify
${VIGILD_CONF:-}
EOF
# start_vigild NAME: vigild on $scratch/NAME.conf, until it denies the
# marker. The first start compiles the matcher in a child (minutes on the
# large database); later starts and reloads load it from the state folder.
start_vigild() {
	local start=$SECONDS marker=${2:-$prot/ready/marker}
	"$vigild" --config "$scratch/$1.conf" >"$scratch/$1.out" 2>"$scratch/$1.err" &
	vigild_pid=$!
	pids+=("$vigild_pid")
	until "$vigil" status --socket "$socket" >/dev/null 2>&1; do
		kill -0 "$vigild_pid" 2>/dev/null || { echo "vigild: $(tail -n 5 "$scratch/$1.err")"; exit 2; }
		[ $((SECONDS - start)) -lt 1800 ] || { echo "vigild did not start"; exit 2; }
		sleep 0.2
	done
	echo "  started in $((SECONDS - start)) s"
	until_denied "$marker" 30 || { echo "vigild does not deny the marker"; exit 2; }
}
start_vigild vigild
status() { "$vigil" status --json --socket "$socket" | python3 -c '
import json, sys
node = json.load(sys.stdin)
for part in sys.argv[1].split("."):
    node = node[part]
print(node)' "$1"; }
measure "vigild-miss" latency "$prot/vigild-miss" 0 "$FILES" 1
measure_one_cpu vigild "$vigild_pid"
cat "$prot"/hit/* >/dev/null	# scanned once, then cached (ignore marks)
sleep 0.5
measure "vigild-hit" latency "$prot/hit" 0 1 "$HIT_OPENS"
events_before=$(status events.events)
measure "vigild-rate" rate "$prot/hit" 4 2 "$RATE_SECONDS"
rate_events=$(( $(status events.events) - events_before ))
ignore_marks=$(status events.ignore_marks_added)
vigild_steady_rss=$(kib "$vigild_pid" VmRSS)

# storm NAME MODE ARGS...: the paced opens of NAME while bench/reload-storm.py
# (at nice 10, as vigild's reload thread) reloads back to back; the reloads
# done in storm_reloads
storm() {
	local name=$1 pid
	shift
	rm -f "$scratch/storm.stop"
	nice -n 10 python3 "$here/reload-storm.py" "$socket" "$scratch/storm.stop" "$@" >"$scratch/storm.count" &
	pid=$!
	measure "$name" latency "$prot/$name" 0 "$STORM_FILES" 1 "$PACE_US"
	touch "$scratch/storm.stop"
	wait "$pid"
	storm_reloads=$(cat "$scratch/storm.count")
}

echo "== vigild: reload storm"
# Both versions of the storm part loaded once first (compiled then cached),
# so the storm measures reloads, not compiles.
for set in b a; do
	storm_set $set
	"$vigil" reload --socket "$socket" >/dev/null || { echo "reload failed"; exit 2; }
done
measure "vigild-steady" latency "$prot/vigild-steady" 0 "$STORM_FILES" 1 "$PACE_US"
vigild_steady_rss=$(kib "$vigild_pid" VmRSS)
echo 5 >"/proc/$vigild_pid/clear_refs"	# VmHWM := VmRSS
for set in a b; do storm_set $set; cp "$scratch/db/storm.ndb" "$scratch/storm-$set.txt"; done
storm vigild-storm folder "$scratch/db" "$scratch/storm-a.txt" "$scratch/storm-b.txt"
reloads=$storm_reloads
vigild_peak_rss=$(kib "$vigild_pid" VmHWM)
timeouts=$(status events.timeouts)
echo "  $reloads reloads during the storm; $timeouts timeouts"
kill -TERM "$vigild_pid"; wait "$vigild_pid" 2>/dev/null

echo "== vigild on signed bundles: reload storm"
# The same database as signed bundles (2-of-3 TEST-ONLY keys), rising
# versions alternating the storm part; `bases` is a symlink the storm
# points at the next release before each reload, as `vigil update` would
# install it. Same state folder, so the matchers come from the cache.
keys=$here/../bases/test-keys
mkdir -p "$scratch/release"
previous=(--first)
for i in $(seq 1 "$BUNDLES"); do
	if [ $((i % 2)) = 1 ]; then storm_set a; else storm_set b; fi
	"$vigil" bases build --version "$i" --expires 2099-01-01T00:00:00Z "${previous[@]}" --root "$keys/test-root" \
		--out "$scratch/release/$i.vbundle" "$scratch"/db/*.hdb "$scratch"/db/*.hsb "$scratch"/db/*.ndb \
		>/dev/null || { echo "bases build $i failed"; exit 2; }
	for k in 1 2; do
		"$vigil" bases sign --key "$keys/TEST-ONLY-release-$k.key" "$scratch/release/$i.vbundle" >/dev/null ||
			{ echo "bases sign $i failed"; exit 2; }
	done
	previous=(--previous "$scratch/release/$i.vbundle")
done
bundle_size=$(stat -c %s "$scratch/release/1.vbundle")
ln -sfn "$scratch/release/1.vbundle" "$scratch/current.vbundle"
sed -e "s|^bases = .*|bases = $scratch/current.vbundle|" "$scratch/vigild.conf" >"$scratch/vigild-bundle.conf"
echo "root = $keys/test-root" >>"$scratch/vigild-bundle.conf"
start_vigild vigild-bundle
measure "vigild-bundle-steady" latency "$prot/vigild-bundle-steady" 0 "$STORM_FILES" 1 "$PACE_US"
bundle_steady_rss=$(kib "$vigild_pid" VmRSS)
echo 5 >"/proc/$vigild_pid/clear_refs"
storm vigild-bundle-storm bundles "$scratch/current.vbundle" "$scratch/release" 2 "$BUNDLES"
bundle_reloads=$storm_reloads
bundle_peak_rss=$(kib "$vigild_pid" VmHWM)
echo "  $bundle_reloads reloads of $bundle_size-byte bundles during the storm; $(status events.timeouts) timeouts;" \
	"parts shared at the last reload: $(status bases.matchers.shared)"
kill -TERM "$vigild_pid"; wait "$vigild_pid" 2>/dev/null

# interleave [clam]: the bare responder and vigild (and clamonacc, already
# running, when asked) each on its tmpfs, every FILES fresh file opened once,
# one of each responder's in turn with the unmarked tmpfs.
interleave() {
	local dirs=("$scratch/i-none/miss" "$scratch/i-bare/miss" "$scratch/i-vigild/miss") out line name
	echo "== interleaved misses: no daemon, bare responder, vigild${1:+, clamonacc} at once"
	"$bare" "$scratch/i-bare" >"$scratch/bare-i.out" 2>"$scratch/bare-i.err" &
	local bare_interleaved=$!
	pids+=("$bare_interleaved")
	sed -e "s|^paths = .*|paths = $scratch/i-vigild|" "$scratch/vigild.conf" >"$scratch/vigild-interleaved.conf"
	start_vigild vigild-interleaved "$scratch/i-vigild/ready/marker"
	for _ in $(seq 100); do grep -q ready "$scratch/bare-i.out" && break; sleep 0.05; done
	[ -n "${1:-}" ] && dirs+=("$scratch/i-clam/miss")
	out=$("$opener" interleave "$FILES" "${dirs[@]}")
	while read -r line; do
		name=$(basename "$(dirname "${line%% *}")")
		measure_line "$name-miss" "${line#* }"
	done <<<"$out"
	kill -TERM "$vigild_pid" "$bare_interleaved"; wait "$vigild_pid" "$bare_interleaved" 2>/dev/null
	INTERLEAVED_DONE=1
}

echo "== clamonacc with clamd ($(clamd --version 2>/dev/null | cut -d/ -f1))"
clam_note=
clamd_rss=
if ! command -v clamd >/dev/null || ! command -v clamonacc >/dev/null; then
	clam_note="clamd or clamonacc missing (Debian package clamav-daemon)"
else
	# clamd as Debian runs it (user clamav, which clamonacc must exclude
	# to avoid scanning loops); clamonacc as root, passing the event fds
	clam=$scratch/clam
	mkdir -p "$clam" && chown clamav: "$clam"
	chmod -R a+rX "$scratch/db"
	cat >"$clam/clamd.conf" <<EOF
User clamav
LocalSocket $clam/clamd.sock
DatabaseDirectory $scratch/db
TemporaryDirectory $clam
PidFile $clam/clamd.pid
LogFile $clam/clamd.log
Foreground yes
MaxThreads 4
OnAccessIncludePath $prot
OnAccessIncludePath $scratch/i-clam
OnAccessPrevention yes
OnAccessExcludeUname clamav
OnAccessMaxFileSize 10M
OnAccessMaxThreads 4
EOF
	start=$SECONDS
	clamd --config-file="$clam/clamd.conf" >"$clam/clamd.out" 2>&1 &
	clamd_pid=$!
	pids+=("$clamd_pid")
	ping_clamd() { python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1])
s.sendall(b"zPING\0"); sys.exit(0 if s.recv(16).startswith(b"PONG") else 1)' "$clam/clamd.sock" 2>/dev/null; }
	until ping_clamd; do
		kill -0 "$clamd_pid" 2>/dev/null || break
		[ $((SECONDS - start)) -lt 600 ] || break
		sleep 0.5
	done
	if ! ping_clamd; then
		clam_note="clamd did not start: $(tail -n 3 "$clam/clamd.log" "$clam/clamd.out" 2>/dev/null | tr '\n' ' ')"
	else
		echo "  clamd loaded in $((SECONDS - start)) s"
		clamd_rss=$(kib "$clamd_pid" VmRSS)
		clamonacc --config-file="$clam/clamd.conf" --foreground --fdpass \
			--log="$clam/clamonacc.log" >"$clam/clamonacc.out" 2>&1 &
		clamonacc_pid=$!
		pids+=("$clamonacc_pid")
		if until_denied "$prot/ready/marker" 120; then
			measure "clam-miss" latency "$prot/clam-miss" 0 "$FILES" 1
			measure_one_cpu clam "$clamd_pid" "$clamonacc_pid"
			measure "clam-hit" latency "$prot/hit" 0 1 $((HIT_OPENS / 10))
			interleave clam
		else
			clam_note="clamonacc never denied the marker file: $(tail -n 3 "$clam/clamonacc.log" "$clam/clamonacc.out" 2>/dev/null | tr '\n' ' ')"
		fi
		kill -TERM "$clamonacc_pid"; wait "$clamonacc_pid" 2>/dev/null
		clamd_rss=$(kib "$clamd_pid" VmRSS)	# after scanning, as vigild's
	fi
	kill -TERM "$clamd_pid"; wait "$clamd_pid" 2>/dev/null
fi
[ -n "$clam_note" ] && echo "  NOTE: $clam_note"
[ -n "${INTERLEAVED_DONE:-}" ] || interleave

figures=$scratch/figures
{
	for name in "${!P50[@]}"; do
		echo "p50 $name ${P50[$name]:-}"
		echo "p99 $name ${P99[$name]:-}"
		echo "rate $name ${RATE[$name]:-}"
	done
	echo "value rate_events $rate_events"
	echo "value ignore_marks $ignore_marks"
	echo "value reloads $reloads"
	echo "value vigild_steady_rss ${vigild_steady_rss:-}"
	echo "value vigild_peak_rss ${vigild_peak_rss:-}"
	echo "value bundle_reloads ${bundle_reloads:-}"
	echo "value bundle_steady_rss ${bundle_steady_rss:-}"
	echo "value bundle_peak_rss ${bundle_peak_rss:-}"
	echo "value clamd_rss ${clamd_rss:-}"
	echo "value nproc $(nproc)"
} >"$figures"
python3 - "$figures" "$FILES" "$SIZE" <<'EOF'
import sys
p50, p99, rate, value = {}, {}, {}, {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) < 3 or not parts[2]:
        continue
    {"p50": p50, "p99": p99, "rate": rate, "value": value}[parts[0]][parts[1]] = float(parts[2])
files, size = sys.argv[2], sys.argv[3]
us = lambda ns: ns / 1000.0
def get(table, key):
    return table.get(key)
def ratio(a, b):
    return None if a is None or b is None or b <= 0 else a / b
def show(label, x, target, fmt="%8.2f"):
    text = (fmt % x) if x is not None else "     n/a"
    print("  %-52s %s  %s" % (label, text, target))

print()
print("== per-open latency, microseconds (%s-byte files; miss: %s fresh files, one open each)" % (size, files))
print("  %-28s %10s %10s" % ("", "p50", "p99"))
for name in ["none-miss", "none-hit", "bare-miss", "bare-hit", "vigild-miss", "vigild-hit",
             "vigild-steady", "vigild-storm", "vigild-bundle-steady", "vigild-bundle-storm",
             "clam-miss", "clam-hit", "i-none-miss", "i-bare-miss", "i-vigild-miss", "i-clam-miss",
             "cpu0-none-miss", "cpu0-bare-miss", "cpu0-vigild-miss", "cpu0-clam-miss"]:
    if name in p50:
        print("  %-28s %10.2f %10.2f" % (name, us(p50[name]), us(p99[name])))
print()
print("== decisions per second, 2 processes opening 4 cached files (%d cores)" % value.get("nproc", 0))
for name in ["none-rate", "bare-rate", "vigild-rate"]:
    if name in rate:
        print("  %-28s %10.0f /s" % (name, rate[name]))
print("  (opens that reached vigild meanwhile: %d; ignore marks added: %d)"
      % (value.get("rate_events", 0), value.get("ignore_marks", 0)))
print()
print("== memory (KiB)")
for key in ["vigild_steady_rss", "vigild_peak_rss", "bundle_steady_rss", "bundle_peak_rss", "clamd_rss"]:
    if key in value:
        print("  %-28s %10d" % (key, value[key]))
print("  reloads during the storm    %10d" % value.get("reloads", 0))
print("  bundle reloads (storm)      %10d" % value.get("bundle_reloads", 0))
print()
print("== ratios, all from this run (target in brackets)")
hit_added = None
if "vigild-hit" in p50 and "none-hit" in p50:
    hit_added = us(p50["vigild-hit"] - p50["none-hit"])
show("cache hit: added p50 over no daemon (us)", hit_added, "[<= 1 us]")
# Misses: from the interleaved run (every responder under the same machine
# state), from the sequential runs above, and from the sequential runs on
# one CPU (no wake-up crossing CPUs).
for label, prefix in (("interleaved", "i-"), ("sequential", ""), ("one CPU", "cpu0-")):
    bare, vigild, clam, none = (prefix + name + "-miss" for name in ("bare", "vigild", "clam", "none"))
    show("miss p50 / bare responder p50 (%s)" % label, ratio(p50.get(vigild), p50.get(bare)), "[<= 3x]")
    show("miss p99 / bare responder p99 (%s)" % label, ratio(p99.get(vigild), p99.get(bare)), "")
    added = lambda name: None if name not in p50 or none not in p50 else p50[name] - p50[none]
    show("added p50: clamonacc / vigild (%s)" % label, ratio(added(clam), added(vigild)), "[>= 50x]", "%8.1f")
    added99 = lambda name: None if name not in p99 or none not in p99 else p99[name] - p99[none]
    show("added p99: clamonacc / vigild (%s)" % label, ratio(added99(clam), added99(vigild)), "", "%8.1f")
show("p99 during reloads / steady p99 (paced misses)", ratio(p99.get("vigild-storm"), p99.get("vigild-steady")), "[<= 2x]")
show("cached decisions per second (vigild, 2 processes)", rate.get("vigild-rate"), "[>= 100000]", "%8.0f")
show("steady RSS: vigild / clamd", ratio(value.get("vigild_steady_rss"), value.get("clamd_rss")), "[<= 0.5]")
show("peak RSS during reloads / steady RSS (vigild)", ratio(value.get("vigild_peak_rss"), value.get("vigild_steady_rss")), "[<= 1.5]")
show("signed bundles: p99 during reloads / steady p99", ratio(p99.get("vigild-bundle-storm"), p99.get("vigild-bundle-steady")), "[<= 2x]")
show("signed bundles: peak RSS during reloads / steady", ratio(value.get("bundle_peak_rss"), value.get("bundle_steady_rss")), "[<= 1.5]")
EOF
