# SPDX-License-Identifier: GPL-2.0
# Copyright (C) 2026 The vigil authors.
#
# Shared by tests/e2e/scan-*.sh (sourced; not a test of its own): a private
# work folder removed on exit, fail(), and scan(), which runs `vigil scan`.
# Under an ASan build, whose shadow memory cannot fit under RLIMIT_AS, the
# matcher compile's default memory cap is lifted (scan-compile-limit.sh
# reports that case).
set -u
vigil=$VIGIL_BUILD/vigil
work=$(mktemp -d /tmp/vigil-e2e-XXXXXX)
chmod 755 "$work"
trap 'chmod -R u+rwX "$work" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

scan_options=()
scan() { "$vigil" scan "$@"; }

# P and S as in the unit tests; files planted with printf escapes.
P='\x11\x22\x33\x44'
S='\x55\x66\x77\x88'
