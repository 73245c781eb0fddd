#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: vigild.conf checking: a good config passes --check-config, a
# bad line or a contradiction stops vigild with FILE:LINE: reason, exit 1.
set -u
vigild=$VIGIL_BUILD/vigild
work=$(mktemp -d /tmp/vigil-e2e-config.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

conf=$work/vigild.conf
printf 'paths = /srv\nbases = /var/lib/vigil/bases\ntimeout_ms = 2000\n' >"$conf"
out=$("$vigild" --config "$conf" --check-config 2>&1) || fail "good config refused: $out"
[ "$out" = "$conf: ok" ] || fail "good config: $out"
# without bases, vigild uses the bundle vigil update installed in state_dir
printf 'paths = /srv\n' >"$conf"
out=$("$vigild" --config "$conf" --check-config 2>&1) || fail "config without bases refused: $out"
# the example config make install puts in /etc/vigil is a good one, and it
# leaves `bases' unset: vigild follows what vigil update installs
sample=$VIGIL_SOURCE/packaging/vigild.conf
out=$("$vigild" --config "$sample" --check-config 2>&1) || fail "packaged example config refused: $out"
grep -q '^bases' "$sample" && fail "the example config sets bases (vigil update's bundle would be ignored)"

expect_refusal() {
	printf "$1" >"$conf"
	out=$("$vigild" --config "$conf" --check-config 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "exit $rc for: $1"
	[ "$out" = "vigild: $conf$2" ] || fail "message for $1: got '$out', want 'vigild: $conf$2'"
	# the daemon itself refuses the same way, before touching anything
	out=$("$vigild" --config "$conf" 2>&1)
	[ $? -eq 1 ] && [ "$out" = "vigild: $conf$2" ] || fail "vigild started with: $1 ($out)"
}
expect_refusal 'paths = /srv\nbases = /b\ncolour = blue\n' ":3: unknown key \`colour'"
expect_refusal 'paths = /srv\ntimeout_ms = soon\n' ":2: timeout_ms: \`soon' is not a number from 10 to 600000"
expect_refusal 'paths = /srv\non_timeout = perhaps\n' ":2: on_timeout: \`perhaps' is not allow or deny"
expect_refusal 'paths = relative\n' ":1: paths: \`relative' is not an absolute path"
expect_refusal 'no equals sign\n' ":1: expected \`key = value'"
expect_refusal 'paths = /srv\nbases = /b\nbackend = fanotify\ndeny_errno = EACCES\n' \
	": deny_errno = EACCES needs the kmod backend; fanotify always answers EPERM"
expect_refusal 'paths = /srv\nbases = /b\nsocket_group = no-such-group-here\n' \
	": socket_group: no group named \`no-such-group-here'"

out=$("$vigild" --config "$work/missing.conf" --check-config 2>&1)
[ $? -eq 1 ] && [ "$out" = "vigild: $work/missing.conf: No such file or directory" ] || fail "missing: $out"
"$vigild" --bogus >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown option did not exit 2"
"$vigild" --help | grep -q -- '--check-config' || fail "--help"
echo ok
