#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: scan_on = close_write with backend = kmod written out is refused as FILE:LINE (vigil.ko sends no close-after-write events), without needing /dev/vigil; the default scan_on, open/exec only, fanotify and auto are accepted; auto with close_write runs it on fanotify without a word, and on vigil.ko starts with a warning naming the line and notes "close_write not scanned" in status.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup

# check_config WANT_EXIT CONFIG_LINE...: --check-config's output in $out.
check_config() {
	local want=$1 rc
	shift
	write_config "$@"
	out=$("$vigild" --config "$work/vigild.conf" --check-config 2>&1)
	rc=$?
	[ "$rc" = "$want" ] || fail "--check-config with [$*]: exit $rc, want $want: $out"
}

check_config 1 "backend = kmod" "scan_on = open close_write"
scan_line=$(grep -n '^scan_on' "$work/vigild.conf" | cut -d: -f1)
backend_line=$(grep -n '^backend' "$work/vigild.conf" | cut -d: -f1)
want="vigild: $work/vigild.conf:$scan_line: scan_on = close_write needs the fanotify backend: vigil.ko sends no close-after-write events (backend = kmod on line $backend_line)"
[ "$out" = "$want" ] || fail "backend = kmod, scan_on = open close_write said: $out"
# the order in the file does not matter
check_config 1 "scan_on = close_write exec" "backend = kmod"
grep -q "vigild.conf:$(grep -n '^scan_on' "$work/vigild.conf" | cut -d: -f1): scan_on = close_write" <<<"$out" ||
	fail "scan_on before backend said: $out"

check_config 0 "backend = kmod"
check_config 0 "backend = kmod" "scan_on = open exec"
check_config 0 "backend = fanotify" "scan_on = open close_write"
check_config 0 "backend = auto" "scan_on = open close_write"

# Without vigil.ko, auto runs fanotify: close_write is honoured, no warning.
if [ ! -e /dev/vigil ]; then
	start_vigild "backend = auto" "scan_on = open close_write"
	grep -q 'close_write' "$work/vigild.err" &&
		fail "auto on fanotify warned about close_write: $(cat "$work/vigild.err")"
	"$vigil" status --socket "$socket" | grep -q 'close_write not scanned' &&
		fail "fanotify's coverage says close_write is not scanned"
	stop_vigild
else
	# With vigil.ko, auto picks it: a warning naming the line, and status
	# says close_write is not scanned.
	start_vigild "backend = auto" "scan_on = open close_write"
	scan_line=$(grep -n '^scan_on' "$work/vigild.conf" | cut -d: -f1)
	grep -q "^vigild: warning: $work/vigild.conf:$scan_line: scan_on = close_write is not honoured: backend = auto chose vigil.ko" \
		"$work/vigild.err" || fail "auto on vigil.ko with close_write: $(cat "$work/vigild.err")"
	"$vigil" status --socket "$socket" >"$work/status"
	grep -q 'backend kmod$' "$work/status" || fail "auto with /dev/vigil: $(head -n 1 "$work/status")"
	grep -q 'close_write not scanned (vigil.ko sends no close-after-write events)' "$work/status" ||
		fail "status on vigil.ko: $(cat "$work/status")"
	stop_vigild
fi
echo ok
