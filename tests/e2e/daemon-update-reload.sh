#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: vigil update asks a running vigild to reload: vigild on the installed bundle N denies a file only N+1 catches right after `vigil update` (no `vigil reload`), not with --no-reload nor on "already installed"; a bundle vigild refuses is a one-line warning and exit 3; no vigild is one informational line and exit 0; as root for a state folder another user owns, the root parent asks; not root, it says it cannot.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
root=$VIGIL_SOURCE/bases/test-keys/test-root
keys=$VIGIL_SOURCE/bases/test-keys
state=$work/state
installed_bases_root=$root

sig() { printf '%s:0:*:%s\n' "$1" "$(hex "$2")"; }
# bundle VERSION PREVIOUS|first CHANNEL MIRROR SIG...: a signed bundle of
# those signatures, served as MIRROR/CHANNEL.vbundle
bundle() {
	local version=$1 previous=$2 channel=$3 mirror=$4 link
	shift 4
	mkdir -p "$work/src-$version" "$mirror"
	: >"$work/src-$version/main.ndb"
	for name in "$@"; do sig "Test.$name" "marker-$name" >>"$work/src-$version/main.ndb"; done
	sig Test.EICAR EICAR-STANDARD-ANTIVIRUS-TEST-FILE >>"$work/src-$version/main.ndb"
	if [ "$previous" = first ]; then link="--first --root $root"; else link="--previous $previous"; fi
	# shellcheck disable=SC2086
	"$vigil" bases build --version "$version" --expires 2099-12-31T00:00:00Z $link --channel "$channel" \
		--out "$work/b$version" "$work/src-$version/main.ndb" >/dev/null || fail "build $version"
	"$vigil" bases sign --key "$keys/TEST-ONLY-release-1.key" "$work/b$version" >/dev/null || fail "sign $version"
	"$vigil" bases sign --key "$keys/TEST-ONLY-release-3.key" "$work/b$version" >/dev/null || fail "sign $version"
	cp "$work/b$version" "$mirror/$channel.vbundle"
}
# update EXPECTED-EXIT ARGS...: vigil update into vigild's state folder
update() {
	local want=$1 rc
	shift
	"$vigil" update --state-dir "$state" --root "$root" --socket "$socket" "$@" >"$work/up.out" 2>"$work/up.err"
	rc=$?
	[ $rc -eq "$want" ] || fail "vigil update $*: exit $rc, want $want; out: $(cat "$work/up.out"); err: $(cat "$work/up.err")"
}

bundle 1 first stable "$work/m1" one
bundle 2 "$work/b1" stable "$work/m2" one two
bundle 3 "$work/b2" stable "$work/m3" one two three
bundle 4 "$work/b3" stable "$work/m4" one two three four
bundle 5 "$work/b4" beta "$work/m5" one two three four five
bundle 6 "$work/b4" stable "$work/m6" one two three four five six
for n in one two three four five six; do echo "marker-$n in a file" >"$work/prot/$n"; done
echo "plain data" >"$work/prot/clean"

# no vigild yet: installing says so in one line, exit 0
update 0 --from "$work/m1"
grep -q '^installed version 1 ' "$work/up.out" || fail "install 1: $(cat "$work/up.out")"
grep -Fxq "no vigild running at $socket; nothing to reload" "$work/up.out" ||
	fail "no-daemon line: $(cat "$work/up.out")"
[ ! -s "$work/up.err" ] || fail "no daemon is not an error: $(cat "$work/up.err")"

start_vigild "log_allowed = no"
[ "$(status_field bases.version)" = 1 ] || fail "vigild started on bases $(status_field bases.version)"
expect_open "$work/prot/one" denied
expect_open "$work/prot/two" allowed
expect_open "$work/prot/clean" allowed

# N+1: denied right after the update, without any `vigil reload`
update 0 --from "$work/m2"
grep -q '^installed version 2 ' "$work/up.out" || fail "install 2: $(cat "$work/up.out")"
grep -q '^vigild reloaded: bases 2 ' "$work/up.out" || fail "reload line: $(cat "$work/up.out")"
[ "$(status_field bases.version)" = 2 ] || fail "status after update: bases $(status_field bases.version)"
expect_open "$work/prot/two" denied
expect_open "$work/prot/clean" allowed

# --no-reload: installed, vigild keeps bases 2, `three' stays allowed
update 0 --from "$work/m3" --no-reload
grep -q '^installed version 3 ' "$work/up.out" || fail "install 3: $(cat "$work/up.out")"
grep -q 'reload' "$work/up.out" && fail "--no-reload still reloaded: $(cat "$work/up.out")"
[ "$(status_field bases.version)" = 2 ] || fail "--no-reload: bases $(status_field bases.version)"
expect_open "$work/prot/three" allowed
reloads=$(status_field bases.reloads)
# already installed: no reload asked
update 0 --from "$work/m3"
grep -q 'reload' "$work/up.out" && fail "already installed asked a reload: $(cat "$work/up.out")"
[ "$(status_field bases.reloads)" = "$reloads" ] || fail "already installed reloaded vigild"
[ "$(status_field bases.reloads_unchanged)" = 0 ] || fail "already installed reached vigild"
expect_open "$work/prot/three" allowed
"$vigil" reload --socket "$socket" >/dev/null || fail "vigil reload of 3"
expect_open "$work/prot/three" denied

# a state folder another user owns: update runs as that user, and the
# root parent it leaves behind asks vigild to reload
chown -R nobody: "$state"
update 0 --from "$work/m4"
grep -q '^vigild reloaded: bases 4 ' "$work/up.out" || fail "reload after dropping privileges: $(cat "$work/up.out")"
[ "$(stat -c %U "$state/current")" = nobody ] || fail "update did not run as the state folder's owner"
[ "$(status_field bases.version)" = 4 ] || fail "status after update as nobody: bases $(status_field bases.version)"
expect_open "$work/prot/four" denied

# installed, but vigild (channel stable) refuses a beta bundle: one
# warning line, exit 3, running bases kept
update 3 --from "$work/m5" --channel beta
grep -q '^installed version 5 ' "$work/up.out" || fail "install 5: $(cat "$work/up.out")"
[ "$(wc -l <"$work/up.err")" = 1 ] || fail "refusal is not one line: $(cat "$work/up.err")"
grep -q "^vigil: warning: installed version 5, but vigild refused it and keeps its running bases: .*channel" \
	"$work/up.err" || fail "refusal line: $(cat "$work/up.err")"
[ "$(status_field bases.version)" = 4 ] || fail "refused bundle: bases $(status_field bases.version)"
[ "$(status_field bases.last_reload_result)" = refused ] || fail "refusal not in status"
expect_open "$work/prot/five" allowed
expect_open "$work/prot/four" denied

# not root (a state folder of one's own): installed, but only root may ask
# vigild to reload -- said, exit 3
mkdir "$work/state-nobody"
chown nobody: "$work/state-nobody"
setpriv --reuid nobody --regid nogroup --clear-groups \
	"$vigil" update --state-dir "$work/state-nobody" --root "$root" --socket "$socket" --from "$work/m6" \
	>"$work/up.out" 2>"$work/up.err"
rc=$?
[ $rc = 3 ] || fail "update as nobody: exit $rc: $(cat "$work/up.out" "$work/up.err")"
grep -Fxq "vigil: warning: installed version 6, but cannot ask vigild at $socket to reload: Permission denied (only root may; run vigil reload as root)" \
	"$work/up.err" || fail "update as nobody said: $(cat "$work/up.err")"
[ "$(status_field bases.version)" = 4 ] || fail "update as nobody changed vigild's bases"

# vigild configured with other bases: the reload runs them, not the
# installed bundle -- said, exit 3
stop_vigild
installed_bases_root=
start_vigild "log_allowed = no"
update 3 --from "$work/m6" --state-dir "$work/state2"
grep -q "^vigil: warning: installed version 6, but vigild runs bases folder-" "$work/up.err" ||
	fail "other-bases line: $(cat "$work/up.err")"
stop_vigild

# a socket nobody listens on is "no vigild" too
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$socket"
update 0 --from "$work/m6" --state-dir "$work/state3"
grep -Fxq "no vigild running at $socket; nothing to reload" "$work/up.out" ||
	fail "refused connection: $(cat "$work/up.out") $(cat "$work/up.err")"
echo ok
