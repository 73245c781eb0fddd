#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: hot reload of signed bundles: the same bundle is a no-op; a bundle whose signatures do not load, an older one (rollback), another with the running version (equivocation) and an expired one are refused with their reason and the running bases keep working; then a storm of 60 reloads through bundles of rising versions alternating two signature sets while 4 processes open files without pause: verdicts follow the set running, no open times out; the counts are printed.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
prot=$work/prot
eicar >"$prot/both.com"
echo "marker-alpha data" >"$prot/only-a"
echo "marker-bravo data" >"$prot/only-b"
echo "plain data" >"$prot/clean"
keys=$VIGIL_SOURCE/bases/test-keys
root=$keys/test-root
mkdir -p "$work/set-a" "$work/set-b" "$work/set-broken" "$work/release"

sig() { printf '%s:0:*:%s\n' "$1" "$(hex "$2")"; }
{ sig Test.EICAR EICAR-STANDARD-ANTIVIRUS-TEST-FILE; sig Test.Alpha marker-alpha; } >"$work/set-a/test.ndb"
{ sig Test.EICAR EICAR-STANDARD-ANTIVIRUS-TEST-FILE; sig Test.Bravo marker-bravo; } >"$work/set-b/test.ndb"
{ sig Test.EICAR EICAR-STANDARD-ANTIVIRUS-TEST-FILE; echo "Broken:0:*:zz"; } >"$work/set-broken/test.ndb"

# release VERSION SET [EXPIRES]: a bundle signed 2-of-3 by the test keys,
# linked to the previous release, left in $work/release/VERSION.vbundle.
previous=--first
release() {
	local out=$work/release/$1.vbundle issued=
	[ -n "${3:-}" ] && issued="--issued $(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)"
	"$vigil" bases build --version "$1" $issued --expires "${3:-2099-01-01T00:00:00Z}" $previous \
		--root "$root" --out "$out" "$work/set-$2/test.ndb" >/dev/null || fail "build $1"
	"$vigil" bases sign --key "$keys/TEST-ONLY-release-1.key" "$out" >/dev/null || fail "sign $1"
	"$vigil" bases sign --key "$keys/TEST-ONLY-release-2.key" "$out" >/dev/null || fail "sign $1"
	previous="--previous $out"
}
# publish VERSION: what vigild's `bases` names now (replaced atomically).
publish() {
	cp "$work/release/$1.vbundle" "$work/next.vbundle"
	mv "$work/next.vbundle" "$work/current.vbundle"
}
# refused_and_running PATTERN: the reload is refused saying why; the
# running bases still answer.
refused_and_running() {
	refused_reload "$1"
	expect_open "$prot/only-a" denied
	expect_open "$prot/both.com" denied
	expect_open "$prot/clean" allowed
}

release 1 a
release 2 broken
release 3 a "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)"
publish 1
cat >"$work/vigild.conf" <<CONF
paths = $prot
bases = $work/current.vbundle
root = $root
state_dir = $work/state
socket = $socket
log = $log
timeout_ms = 5000
log_allowed = no
backend = $backend
CONF
"$vigild" --config "$work/vigild.conf" >"$work/vigild.out" 2>"$work/vigild.err" &
vigild_pid=$!
for _ in $(seq 200); do
	"$vigil" status --socket "$socket" >/dev/null 2>&1 && break
	kill -0 "$vigild_pid" 2>/dev/null || fail "vigild exited at start"
	sleep 0.05
done
[ "$(status_field bases.version)" = 1 ] || fail "bases version $(status_field bases.version), want 1"
expect_open "$prot/only-a" denied
expect_open "$prot/only-b" allowed

# the same bundle again: a no-op
out=$("$vigil" reload --socket "$socket") || fail "reload of unchanged bases: $out"
grep -q "unchanged" <<<"$out" || fail "unchanged reload said: $out"

# signatures that do not load, an expired bundle: refused, with the reason
publish 2
refused_and_running "test.ndb:2: "
[ "$(status_field bases.reloads_failed)" = 1 ] || fail "refusal not counted"
wait_for_record '"action":"bases-reload","outcome":"failure"'
publish 3
refused_and_running "expired"

# rollback and equivocation, against the running bundle
release 4 b
publish 4
"$vigil" reload --socket "$socket" >/dev/null || fail "reload to 4"
[ "$(status_field bases.version)" = 4 ] || fail "version after reload: $(status_field bases.version)"
expect_open "$prot/only-a" allowed
expect_open "$prot/only-b" denied
publish 1
out=$("$vigil" reload --socket "$socket" 2>&1) && fail "rollback to 1 accepted: $out"
grep -q "^vigil: rollback: bundle version 1 is older than the running version 4" <<<"$out" ||
	fail "rollback reason: $out"
previous="--previous $work/release/3.vbundle"
release 4 a
publish 4
out=$("$vigil" reload --socket "$socket" 2>&1) && fail "equivocating 4 accepted: $out"
grep -q "^vigil: EQUIVOCATION: bundle version 4 is running as" <<<"$out" || fail "equivocation reason: $out"
[ "$(status_field bases.version)" = 4 ] || fail "bases changed after refusals"
expect_open "$prot/only-a" allowed
expect_open "$prot/only-b" denied
[ "$(status_field bases.reloads_failed)" = 4 ] || fail "refusals counted: $(status_field bases.reloads_failed)"

# the storm: versions 5.. alternate set A (odd) and set B (even)
storm=$(e2e_count 60 8)
previous="--previous $work/release/4.vbundle"
for i in $(seq 1 "$storm"); do
	if [ $((i % 2)) = 1 ]; then release $((i + 4)) a; else release $((i + 4)) b; fi
done
echo "0 B 1" >"$work/phase"

pids=
for p in 1 2 3 4; do
	"$helpers/open-storm" --seconds 600 --phase "$work/phase" \
		"$prot/only-a" "$prot/only-b" "$prot/both.com" "$prot/clean" >"$work/storm.$p" 2>&1 &
	pids="$pids $!"
done
reloads=0
for i in $(seq 1 "$storm"); do
	if [ $((i % 2)) = 1 ]; then set=A; else set=B; fi
	echo "$i $set 0" >"$work/phase.new"; mv "$work/phase.new" "$work/phase"
	publish $((i + 4))
	"$vigil" reload --socket "$socket" >/dev/null || fail "reload $i failed"
	reloads=$((reloads + 1))
	echo "$i $set 1" >"$work/phase.new"; mv "$work/phase.new" "$work/phase"
	sleep 0.02
done
kill -TERM $pids
storm_failed=0
for pid in $pids; do wait "$pid" || storm_failed=1; done
cat "$work"/storm.* | grep -v '^violation' | head -4
violations=$(cat "$work"/storm.* | grep -c '^violation')
[ "$violations" = 0 ] || fail "$violations violation(s): $(grep -h '^violation' "$work"/storm.* | head -5)"
opens=$(cat "$work"/storm.* | sed -n 's/.*opens=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
checked=$(cat "$work"/storm.* | sed -n 's/.*checked_rounds=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
timeouts=$(status_field events.timeouts)
echo "reload storm: $reloads reloads, $opens opens, $checked rounds checked against a stable set," \
	"$(status_field events.denied) denied, $timeouts timeouts, 0 violations"
[ "$timeouts" = 0 ] || fail "$timeouts open(s) timed out during the storm"
[ "$checked" -gt 0 ] || fail "no round was checked"
[ $storm_failed = 0 ] || fail "an opener saw errors: $(cat "$work"/storm.*)"
[ "$(status_field bases.version)" = $((storm + 4)) ] || fail "version after the storm: $(status_field bases.version)"
[ "$(status_field bases.reloads)" -ge "$storm" ] || fail "reloads counted: $(status_field bases.reloads)"
stop_vigild
echo ok
