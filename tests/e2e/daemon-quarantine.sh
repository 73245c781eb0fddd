#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: quarantine = move: a denied file is moved out after the answer, listed, restored exactly (content, owner, mode, timestamps) once the bases no longer catch it, or deleted; a restore never overwrites.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
prot=$work/prot
quarantine=$work/quarantine
eicar >"$prot/sample.com"
cp "$prot/sample.com" "$work/original"
chown 1234:5678 "$prot/sample.com"
chmod 0640 "$prot/sample.com"
touch -d '2001-02-03 04:05:06.123456789' "$prot/sample.com"
before=$(stat -c '%u %g %a %s %Y %y' "$prot/sample.com")
start_vigild "quarantine = move" "quarantine_dir = $quarantine" "scan_on = open exec"
expect_open "$prot/sample.com" denied
wait_for_record "quarantined as [0-9a-f]*"
id=$(sed -n 's/.*"message":"[^"]*quarantined as \([0-9a-f]*\).*/\1/p' "$log" | head -1)
[ -n "$id" ] || fail "no quarantine id in $(cat "$log")"
[ ! -e "$prot/sample.com" ] || fail "the denied file is still in place"
[ "$(stat -c %a "$quarantine")" = 700 ] || fail "quarantine folder mode $(stat -c %a "$quarantine")"
"$vigil" quarantine list --socket "$socket" >"$work/list" || fail "list exit $?"
grep -q "^$id  .*  $prot/sample.com$" "$work/list" || fail "list: $(cat "$work/list")"

# restore refuses to overwrite
echo "newer" >"$prot/sample.com"
out=$("$vigil" quarantine restore "$id" --socket "$socket" 2>&1) && fail "restore overwrote: $out"
grep -q "cannot restore to $prot/sample.com: File exists" <<<"$out" || fail "restore refusal: $out"
rm "$prot/sample.com"

# after the bases stop catching it (a false positive fixed): exact restore
printf 'Test.Other:0:*:%s\n' "$(hex some-other-pattern)" >"$work/bases/test.ndb"
"$vigil" reload --socket "$socket" >/dev/null || fail "reload"
"$vigil" quarantine restore "$id" --socket "$socket" >"$work/restore" || fail "restore: $(cat "$work/restore")"
grep -q "^restored $prot/sample.com$" "$work/restore" || fail "restore said: $(cat "$work/restore")"
after=$(stat -c '%u %g %a %s %Y %y' "$prot/sample.com")
[ "$before" = "$after" ] || fail "metadata changed: before '$before' after '$after'"
cmp -s "$work/original" "$prot/sample.com" || fail "content changed"
expect_open "$prot/sample.com" allowed
[ -z "$("$vigil" quarantine list --socket "$socket")" ] || fail "entry left after restore"

# delete
printf 'Test.EICAR:0:*:%s\n' "$(hex EICAR-STANDARD-ANTIVIRUS-TEST-FILE)" >"$work/bases/test.ndb"
"$vigil" reload --socket "$socket" >/dev/null || fail "reload"
eicar >"$prot/second.com"
expect_open "$prot/second.com" denied
for _ in $(seq 100); do "$vigil" quarantine list --socket "$socket" | grep -q second.com && break; sleep 0.05; done
id2=$("$vigil" quarantine list --socket "$socket" | awk '/second.com/ { print $1 }')
[ -n "$id2" ] || fail "second file not quarantined"
"$vigil" quarantine delete "$id2" --socket "$socket" >/dev/null || fail "delete"
[ -z "$(ls -A "$quarantine")" ] || fail "quarantine not empty: $(ls "$quarantine")"
"$vigil" quarantine delete "$id2" --socket "$socket" 2>/dev/null
[ $? -eq 1 ] || fail "deleting a missing entry did not exit 1"
"$vigil" quarantine restore ../../etc/passwd --socket "$socket" 2>/dev/null
[ $? -eq 1 ] || fail "a bad id was not refused"
stop_vigild
echo ok
