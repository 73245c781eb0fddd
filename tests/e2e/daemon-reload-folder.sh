#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: reloads of `bases = FOLDER`: a reload that changes one part loads only that part (the other is shared, bases.matchers.shared) and verdicts follow it; the same bytes written again are an unchanged reload; a bad line, a FIFO and a symlink in the folder are refused with their reason, quickly, and the running bases keep working.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
prot=$work/prot
bases=$work/bases
eicar >"$prot/both.com"
echo "marker-alpha data" >"$prot/only-a"
echo "marker-bravo data" >"$prot/only-b"
echo "plain data" >"$prot/clean"

sig() { printf '%s:0:*:%s\n' "$1" "$(hex "$2")"; }
# storm SET: storm.ndb catches marker-SET, replaced atomically
storm() { sig "Test.${1^}" "marker-$1" >"$bases/.storm"; mv "$bases/.storm" "$bases/storm.ndb"; }
# reload_says PATTERN: vigil reload succeeds and says it
reload_says() {
	local out
	out=$("$vigil" reload --socket "$socket" 2>&1) || fail "reload failed: $out"
	grep -q -- "$1" <<<"$out" || fail "reload said: $out (want $1)"
}
# refused_and_running PATTERN: the reload is refused, quickly, saying
# why; the running bases still answer.
refused_and_running() {
	refused_reload "$1"
	expect_open "$prot/only-a" denied
	expect_open "$prot/only-b" allowed
	expect_open "$prot/both.com" denied
}

# main.ndb: the EICAR signature and a few hundred others, a part of its own
{
	sig Test.EICAR EICAR-STANDARD-ANTIVIRUS-TEST-FILE
	for i in $(seq 300); do sig "Test.Filler$i" "filler-signature-number-$i"; done
} >"$bases/main.ndb"
rm -f "$bases/test.ndb"
storm alpha
start_vigild "timeout_ms = 5000"
expect_open "$prot/only-a" denied
expect_open "$prot/only-b" allowed
expect_open "$prot/both.com" denied
expect_open "$prot/clean" allowed
[ "$(status_field bases.matchers.shared)" = 0 ] || fail "shared parts at start"

# one part changes: main is shared, storm is loaded
storm bravo
reload_says "signatures"
[ "$(status_field bases.matchers.shared)" = 1 ] || fail "main not shared: $(status_field bases.matchers.shared)"
expect_open "$prot/only-a" allowed
expect_open "$prot/only-b" denied
expect_open "$prot/both.com" denied
expect_open "$prot/clean" allowed

# back and forth: verdicts follow the part that runs
for set in alpha bravo alpha; do
	storm $set
	reload_says "signatures"
	if [ $set = alpha ]; then
		expect_open "$prot/only-a" denied; expect_open "$prot/only-b" allowed
	else
		expect_open "$prot/only-a" allowed; expect_open "$prot/only-b" denied
	fi
done

# the same bytes again, in place or as a new file: nothing to do
reload_says "unchanged"
sig Test.Alpha marker-alpha >"$bases/storm.ndb"
reload_says "unchanged"
storm alpha
reload_says "unchanged"

# refusals: the running bases stay
printf 'Broken:0:*:zz\n' >"$bases/broken.ndb"
refused_and_running "broken.ndb:1: "
rm "$bases/broken.ndb"
mkfifo "$bases/fifo.ndb"
refused_and_running "fifo.ndb: not a regular file"
rm "$bases/fifo.ndb"
echo "not here" >"$work/elsewhere.ndb"
ln -s "$work/elsewhere.ndb" "$bases/link.ndb"
refused_and_running "link.ndb: "
rm "$bases/link.ndb"
[ "$(status_field bases.reloads_failed)" = 3 ] || fail "refusals counted: $(status_field bases.reloads_failed)"

# and a good reload still works after them
storm bravo
reload_says "signatures"
expect_open "$prot/only-b" denied
stop_vigild
echo "ok: partial reloads share the unchanged part; refusals leave the bases running"
