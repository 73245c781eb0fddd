#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: the vigil subcommand table: help lists every subcommand,
# an unknown one exits 1 with usage on stderr, --version names the build.
set -u
vigil=$VIGIL_BUILD/vigil
fail() { echo "FAIL: $*"; exit 1; }

out=$("$vigil" --help) || fail "--help exited $?"
for name in scan status reload tail quarantine selftest update bases; do
	grep -q "^  $name " <<<"$out" || fail "--help does not list $name"
done
"$vigil" no-such-command >/dev/null 2>/tmp/vigil-cli-err.$$
rc=$?
[ $rc -eq 1 ] || fail "unknown subcommand exited $rc, want 1"
grep -q "invalid subcommand \`no-such-command'" /tmp/vigil-cli-err.$$ || fail "no error line"
rm -f /tmp/vigil-cli-err.$$
"$vigil" --version | grep -q '^vigil ' || fail "--version"
echo "ok"
