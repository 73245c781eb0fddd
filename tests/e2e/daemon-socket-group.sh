#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: socket_group: a non-root member (a throwaway user and group, removed after) can run vigil status, tail and quarantine list, but vigil reload and quarantine restore/delete are refused with a clear message and exit 1, changing nothing; a user outside the group cannot connect (socket mode 0660 root:GROUP) and is told so, exit 2.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
command -v useradd >/dev/null && command -v setpriv >/dev/null || { echo "no useradd/setpriv"; exit 77; }
group=vigil-e2e-$$
member=vigil-e2e-m$$
outsider=vigil-e2e-o$$
tail_pid=
accounts_cleanup() {
	[ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
	userdel "$member" 2>/dev/null
	userdel "$outsider" 2>/dev/null
	groupdel "$group" 2>/dev/null
	daemon_cleanup
}
trap accounts_cleanup EXIT
groupadd "$group" || fail "groupadd"
useradd -M -N -g nogroup -G "$group" -s /usr/sbin/nologin "$member" || fail "useradd member"
useradd -M -N -g nogroup -s /usr/sbin/nologin "$outsider" || fail "useradd outsider"
# as USER COMMAND...: run a command as that user, with its groups
as() { local user=$1; shift; setpriv --reuid "$user" --regid nogroup --init-groups "$@"; }
# expect_as USER STATUS COMMAND...: exit status; output in $work/out, $work/err
expect_as() {
	local user=$1 want=$2 rc
	shift 2
	as "$user" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	[ $rc -eq "$want" ] || fail "as $user: $*: exit $rc, want $want; out: $(cat "$work/out"); err: $(cat "$work/err")"
}

eicar >"$work/prot/eicar.com"
start_vigild "socket_group = $group" "quarantine = move" "quarantine_dir = $work/quarantine"
[ "$(stat -c '%a %U %G' "$socket")" = "660 root $group" ] || fail "socket is $(stat -c '%a %U %G' "$socket")"

# the member reads: status, tail, quarantine list
expect_as "$member" 0 "$vigil" status --socket "$socket"
grep -q 'bases' "$work/out" || fail "member's status: $(cat "$work/out")"
expect_as "$member" 0 "$vigil" status --json --socket "$socket"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))["bases"]["version"]' "$work/out" ||
	fail "member's status --json: $(cat "$work/out")"
as "$member" "$vigil" tail --json --socket "$socket" >"$work/tail" 2>"$work/tail.err" &
tail_pid=$!
for _ in $(seq 100); do [ "$(status_field records.tail_subscribers 2>/dev/null)" = 1 ] && break; sleep 0.05; done
expect_open "$work/prot/eicar.com" denied
for _ in $(seq 100); do grep -q eicar.com "$work/tail" && break; sleep 0.05; done
grep -q '"event":{[^}]*"kind":"alert"' "$work/tail" && grep -q eicar.com "$work/tail" ||
	fail "member's tail saw: $(cat "$work/tail" "$work/tail.err")"
kill "$tail_pid"
tail_pid=
wait_for_record "quarantined as [0-9a-f]*"
id=$(sed -n 's/.*"message":"[^"]*quarantined as \([0-9a-f]*\).*/\1/p' "$log" | head -1)
expect_as "$member" 0 "$vigil" quarantine list --socket "$socket"
grep -q "^$id " "$work/out" || fail "member's quarantine list: $(cat "$work/out")"

# ... but does not change anything
reloads=$(status_field bases.reloads_unchanged)
expect_as "$member" 1 "$vigil" reload --socket "$socket"
grep -Fxq "vigil: reload needs root (members of socket_group $group may only use status, tail and quarantine list)" \
	"$work/err" || fail "member's reload refusal: $(cat "$work/err")"
[ "$(status_field bases.reloads_unchanged)" = "$reloads" ] || fail "member's reload ran"
for verb in restore delete; do
	expect_as "$member" 1 "$vigil" quarantine "$verb" "$id" --socket "$socket"
	grep -Fxq "vigil: quarantine $verb needs root (members of socket_group $group may only use status, tail and quarantine list)" \
		"$work/err" || fail "member's quarantine $verb refusal: $(cat "$work/err")"
	"$vigil" quarantine list --socket "$socket" | grep -q "^$id " || fail "member's quarantine $verb changed the quarantine"
done
[ ! -e "$work/prot/eicar.com" ] || fail "member's restore put the file back"

# outside the group: no connection at all
for command in status reload tail; do
	expect_as "$outsider" 2 "$vigil" "$command" --socket "$socket"
	grep -Fxq "vigil: cannot reach vigild at $socket: Permission denied (only root and members of vigild's socket_group may connect)" \
		"$work/err" || fail "outsider's $command: $(cat "$work/err")"
done
stop_vigild
echo ok
