#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: replays the signed-bases conformance vectors (tests/bases/vectors) through vigil update
# Each vector (layout in tests/bases/README) is replayed as a second
# implementation would: optional initial install, then the offer. Asserts
# the exit status, the exact `vigil: REASON' line, that a refusal leaves the
# installed bundle and root byte-for-byte unchanged, that the decision was
# recorded in decisions.jsonl, and that what is installed verifies.
# Truncation at every offset and a flip of every bit run in-process in
# tests/unit/test-bundle.c (the same verifier, without 600 process starts).
set -u
vigil=$VIGIL_BUILD/vigil
vectors=$VIGIL_SOURCE/tests/bases/vectors
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 count=0

fail() { echo "FAIL: $vector: $*"; failures=$((failures + 1)); }
snapshot() { # STATE -> one line describing the installed pair
	local state=$1
	if [ -L "$state/current" ]; then
		echo "$(readlink "$state/current") $(cat "$state/current/bundle.vbundle" "$state/current/root.vroot" | sha256sum)"
	else
		echo none
	fi
}
decision_count() { [ -f "$1/decisions.jsonl" ] && wc -l <"$1/decisions.jsonl" || echo 0; }

for dir in "$vectors"/*/; do
	vector=$(basename "$dir")
	count=$((count + 1))
	state=$work/$vector/state
	mkdir -p "$work/$vector"
	roots=()
	for root in $(ls "$dir/trust" | sort -n); do roots+=(--root "trust/$root"); done
	exit_expected=$(sed -n 's/^exit //p' "$dir/expected")
	reason_expected=$(sed -n 's/^reason //p' "$dir/expected")
	installed_expected=$(sed -n 's/^installed //p' "$dir/expected")
	cd "$dir" || exit 1
	if [ -d initial ]; then
		if ! "$vigil" update --from initial --state-dir "$state" "${roots[@]}" >/dev/null 2>"$work/$vector/initial.err"; then
			fail "initial install failed: $(cat "$work/$vector/initial.err")"
			continue
		fi
	fi
	[ -f wipe-decisions ] && rm -f "$state/decisions.jsonl"
	before=$(snapshot "$state")
	decisions_before=$(decision_count "$state")
	args=() args_after=()
	[ -f args ] && read -r -a args <args
	[ -f args-after ] && read -r -a args_after <args-after
	"$vigil" update "${args[@]}" --from mirror "${args_after[@]}" --state-dir "$state" "${roots[@]}" \
		>"$work/$vector/out" 2>"$work/$vector/err"
	rc=$?
	after=$(snapshot "$state")
	decisions_after=$(decision_count "$state")
	[ "$rc" = "$exit_expected" ] || { fail "exit $rc, want $exit_expected; stderr: $(cat "$work/$vector/err")"; continue; }
	if [ "$reason_expected" = - ]; then
		if grep -v '^vigil: WARNING' "$work/$vector/err" | grep -q '^vigil: '; then
			fail "unexpected refusal line: $(cat "$work/$vector/err")"
		fi
	else
		grep -Fxq "vigil: $reason_expected" "$work/$vector/err" ||
			fail "reason line: got '$(cat "$work/$vector/err")', want 'vigil: $reason_expected'"
	fi
	if [ "$rc" != 0 ]; then
		[ "$before" = "$after" ] || fail "a refusal changed the installed bundle or root"
		if [ "$decisions_after" -le "$decisions_before" ] && [ "$rc" = 1 ]; then
			fail "refusal not recorded"
		elif [ "$rc" = 1 ] && ! python3 - "$state/decisions.jsonl" "$reason_expected" <<'PY'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
sys.exit(0 if any(r["event"].get("reason") == sys.argv[2] and r["event"]["outcome"] == "failure" for r in records) else 1)
PY
		then
			fail "decisions.jsonl has no failure record with the reason"
		fi
	else
		[ "$decisions_after" -gt "$decisions_before" ] || fail "success not recorded"
	fi
	if [ "$installed_expected" = none ]; then
		[ ! -e "$state/current" ] || fail "something is installed"
	else
		case $(readlink "$state/current") in
		gen-"$installed_expected"-*) ;;
		*) fail "installed $(readlink "$state/current"), want version $installed_expected" ;;
		esac
		"$vigil" bases verify --root "$state/current/root.vroot" "$state/current/bundle.vbundle" >/dev/null 2>&1 ||
			fail "the installed bundle does not verify against the installed root"
	fi
done
echo "$count vectors replayed"
[ "$count" -ge 40 ] || { echo "FAIL: only $count vectors"; failures=$((failures + 1)); }

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo ok
