#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: hot reload: a broken signature set is refused and the running bases keep working; then a storm of 60 reloads alternating two signature sets while 4 processes open files without pause: verdicts follow the set running, no open times out; the counts are printed.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
prot=$work/prot
eicar >"$prot/both.com"
echo "marker-alpha data" >"$prot/only-a"
echo "marker-bravo data" >"$prot/only-b"
echo "plain data" >"$prot/clean"

sig() { printf '%s:0:*:%s\n' "$1" "$(hex "$2")"; }
set_a() { { sig Test.EICAR EICAR-STANDARD-ANTIVIRUS-TEST-FILE; sig Test.Alpha marker-alpha; } >"$1"; }
set_b() { { sig Test.EICAR EICAR-STANDARD-ANTIVIRUS-TEST-FILE; sig Test.Bravo marker-bravo; } >"$1"; }
# Switch the folder's content atomically: write beside it, rename in.
install_set() {
	"set_$1" "$work/bases/.next"
	mv "$work/bases/.next" "$work/bases/test.ndb"
}
install_set a
start_vigild "timeout_ms = 5000" "log_allowed = no"
expect_open "$prot/only-a" denied
expect_open "$prot/only-b" allowed

# unchanged: a no-op
out=$("$vigil" reload --socket "$socket") || fail "reload of unchanged bases: $out"
grep -q "unchanged" <<<"$out" || fail "unchanged reload said: $out"

# a broken set is refused, with its reason; the running bases stay
version=$(status_field bases.version)
echo "Broken:0:*:zz" >"$work/bases/broken.ndb"
out=$("$vigil" reload --socket "$socket" 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "broken reload exit $rc: $out"
grep -q "^vigil: broken.ndb:1: " <<<"$out" || fail "broken reload reason: $out"
[ "$(status_field bases.version)" = "$version" ] || fail "bases changed after a refused reload"
[ "$(status_field bases.reloads_failed)" = 1 ] || fail "refusal not counted"
wait_for_record '"action":"bases-reload","outcome":"failure"'
expect_open "$prot/only-a" denied
expect_open "$prot/both.com" denied
rm "$work/bases/broken.ndb"

# the storm
echo "0 A 1" >"$work/phase"
pids=
for p in 1 2 3 4; do
	"$helpers/open-storm" --seconds 600 --phase "$work/phase" \
		"$prot/only-a" "$prot/only-b" "$prot/both.com" "$prot/clean" >"$work/storm.$p" 2>&1 &
	pids="$pids $!"
done
reloads=0
for i in $(seq 1 60); do
	if [ $((i % 2)) = 1 ]; then set=B; else set=A; fi
	echo "$i $set 0" >"$work/phase.new"; mv "$work/phase.new" "$work/phase"
	install_set "$(tr A-Z a-z <<<"$set")"
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
[ "$(status_field bases.reloads)" -ge 60 ] || fail "reloads counted: $(status_field bases.reloads)"
stop_vigild
echo ok
