#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: backend choice on a host without vigil.ko: backend = kmod is a clear start error (exit 1, nothing protected), backend = auto runs on fanotify and says so in vigil status, with a warning when kmod-only settings cannot apply.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
only_on_backend fanotify "backend choice without vigil.ko (tests/kernel/vigild-e2e: auto picks vigil.ko)"
[ -e /dev/vigil ] && { echo "/dev/vigil exists here: the guest tests cover it"; exit 77; }
daemon_setup
eicar >"$work/prot/eicar.com"

write_config "backend = kmod"
out=$("$vigild" --config "$work/vigild.conf" --check-config 2>&1) ||
	fail "--check-config refused backend = kmod: $out"
out=$("$vigild" --config "$work/vigild.conf" 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "backend = kmod without /dev/vigil: exit $rc"
grep -q '^vigild: backend = kmod: /dev/vigil does not exist' <<<"$out" ||
	fail "backend = kmod without /dev/vigil said: $out"
expect_open "$work/prot/eicar.com" allowed	# nothing was protected

start_vigild "backend = auto" "overflow_verdict = deny"
"$vigil" status --socket "$socket" | grep -q 'backend fanotify$' ||
	fail "auto: $("$vigil" status --socket "$socket" | head -n 1)"
expect_open "$work/prot/eicar.com" denied
grep -q 'warning: backend = auto found no /dev/vigil' "$work/vigild.err" ||
	fail "no warning about overflow_verdict on fanotify: $(cat "$work/vigild.err")"
stop_vigild
echo ok
