#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: vigild on signed bases: a bundle verified against its root loads and denies EICAR; a tampered bundle at reload is refused with the running bases kept; a bundle the root cannot verify stops the start with a clear error.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
bundle=$VIGIL_BUILD/default-bases.vbundle
root=$VIGIL_SOURCE/bases/test-keys/test-root
[ -f "$bundle" ] || fail "no $bundle (make builds it)"
cp "$bundle" "$work/current.vbundle"
eicar >"$work/prot/eicar.com"
echo "plain data" >"$work/prot/clean"

bundle_config() {
	cat >"$work/vigild.conf" <<CONF
paths = $work/prot
bases = $work/current.vbundle
root = $1
state_dir = $work/state
socket = $socket
log = $log
CONF
}

# a root that does not sign this bundle: refused at start, clearly
bundle_config "$VIGIL_SOURCE/bases/production-root"
out=$("$vigild" --config "$work/vigild.conf" 2>&1) && fail "vigild started on a bundle its root does not sign"
grep -q "bases $work/current.vbundle: " <<<"$out" || fail "unclear refusal: $out"

bundle_config "$root"
"$vigild" --config "$work/vigild.conf" >"$work/vigild.out" 2>"$work/vigild.err" &
vigild_pid=$!
for _ in $(seq 200); do
	"$vigil" status --socket "$socket" >/dev/null 2>&1 && break
	kill -0 "$vigild_pid" 2>/dev/null || fail "vigild exited at start"
	sleep 0.05
done
version=$(status_field bases.version)
[ -n "$version" ] && [ "${version#folder}" = "$version" ] || fail "bases version $version"
expect_open "$work/prot/clean" allowed
expect_open "$work/prot/eicar.com" denied

# tamper with one payload byte: the reload is refused, EICAR stays denied
python3 - "$work/current.vbundle" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[len(data) // 2] ^= 0x01
open(path, "wb").write(data)
PY
"$vigil" reload --socket "$socket" >/dev/null 2>&1
sleep 0.5
[ "$(status_field bases.version)" = "$version" ] || fail "tampered bundle replaced the running bases"
expect_open "$work/prot/eicar.com" denied
stop_vigild
echo ok
