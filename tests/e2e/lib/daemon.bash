# SPDX-License-Identifier: GPL-2.0
# Shared by tests/e2e/daemon-*.sh (sourced, not run): a scratch folder, a
# tmpfs the test mounts and vigild protects, a signature folder, and a real
# vigild started and stopped around the test. Needs root and fanotify
# permission events; otherwise the test exits 77 (skip).
#
# VIGIL_E2E_BACKEND=fanotify (the default) or kmod: the backend every config
# write_config writes names (`backend = ...', unless the test gives its own
# backend line). kmod needs vigil.ko loaded (/dev/vigil); without it the
# test exits 77 with that reason. tests/kernel/guest-e2e sets kmod for its
# second pass in the qemu guests. A test whose subject only one backend has
# calls only_on_backend; where the backends differ by design, it asserts
# each one's documented behaviour ($backend).

vigil=$VIGIL_BUILD/vigil
vigild=$VIGIL_BUILD/vigild
helpers=$VIGIL_BUILD/tests/helpers
vigild_pid=
backend=${VIGIL_E2E_BACKEND:-fanotify}

fail() { echo "FAIL: $*"; [ -n "${work:-}" ] && [ -f "$work/vigild.err" ] && sed 's/^/  vigild: /' "$work/vigild.err" | tail -n 20; exit 1; }

# The EICAR test file, assembled so no script matches it.
eicar() { printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-'; printf '%s' 'ANTIVIRUS-TEST-FILE!$H+H*'; }
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# e2e_count FULL QUICK: how many rounds, files or reloads a test uses: FULL,
# or QUICK under VIGIL_E2E_QUICK=1, which tests/kernel/guest-e2e sets in the
# emulated qemu guests (many times slower than this host). The assertions
# stay the same.
e2e_count() { if [ "${VIGIL_E2E_QUICK:-0}" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# only_on_backend NAME REASON: exits 77 with REASON unless the test runs on
# backend NAME.
only_on_backend() {
	[ "$backend" = "$1" ] && return 0
	echo "$1 backend only, this run is on $backend: $2"
	exit 77
}

daemon_setup() {
	[ "$(id -u)" = 0 ] || { echo "not root"; exit 77; }
	case $backend in
	fanotify)
		probe=$("$helpers/fanotify-probe" /tmp) || { echo "$probe"; exit 77; } ;;
	kmod)
		[ -c /dev/vigil ] || { echo "VIGIL_E2E_BACKEND=kmod, but /dev/vigil is absent (vigil.ko not loaded)"; exit 77; } ;;
	*)
		echo "VIGIL_E2E_BACKEND=$backend: want fanotify or kmod"; exit 1 ;;
	esac
	work=$(mktemp -d /tmp/vigil-e2e.XXXXXX)
	chmod 0755 "$work"
	mkdir -p "$work/prot" "$work/bases" "$work/state"
	mount -t tmpfs -o size=64m,mode=0755 vigil-e2e "$work/prot" || { echo "cannot mount tmpfs"; exit 77; }
	trap daemon_cleanup EXIT
	printf 'Test.EICAR:0:*:%s\n' "$(hex EICAR-STANDARD-ANTIVIRUS-TEST-FILE)" >"$work/bases/test.ndb"
	socket=$work/vigild.sock
	log=$work/verdicts.json
}

daemon_cleanup() {
	if [ -n "$vigild_pid" ] && kill -0 "$vigild_pid" 2>/dev/null; then
		kill -KILL "$vigild_pid" 2>/dev/null
		wait "$vigild_pid" 2>/dev/null
	fi
	# every mount under the scratch folder, deepest first (vigild's own
	# bind mount too, should it have been killed)
	awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r point; do umount -l "$point" 2>/dev/null; done
	rm -rf "$work"
}

# write_config [EXTRA LINE]...: the config for this test's tmpfs, on
# $backend unless an extra line names a backend itself.
write_config() {
	local line own_backend=
	for line in "$@"; do
		case $line in backend*=*) own_backend=yes ;; esac
	done
	{
		echo "# written by $(basename "$0")"
		echo "paths = $work/prot"
		[ -n "$own_backend" ] || echo "backend = $backend"
		# installed_bases_root=ROOT: no `bases', so vigild loads the bundle
		# `vigil update' installed in state_dir, verified against ROOT
		if [ -n "${installed_bases_root:-}" ]; then
			echo "root = $installed_bases_root"
		else
			echo "bases = $work/bases"
		fi
		echo "state_dir = $work/state"
		echo "socket = $socket"
		echo "log = $log"
		for line in "$@"; do echo "$line"; done
	} >"$work/vigild.conf"
}

# start_vigild [EXTRA LINE]...: writes the config, starts vigild, waits
# until its socket answers.
start_vigild() {
	write_config "$@"
	${VIGILD_PREFIX:-} "$vigild" --config "$work/vigild.conf" >"$work/vigild.out" 2>"$work/vigild.err" &
	vigild_pid=$!
	for _ in $(seq 200); do
		"$vigil" status --socket "$socket" >/dev/null 2>&1 && return 0
		kill -0 "$vigild_pid" 2>/dev/null || fail "vigild exited at start"
		sleep 0.05
	done
	fail "vigild did not answer on $socket"
}

# stop_vigild: SIGTERM, and vigild must exit 0 (under ASan: no leak).
stop_vigild() {
	kill -TERM "$vigild_pid"
	wait "$vigild_pid"
	local rc=$?
	vigild_pid=
	[ $rc -eq 0 ] || fail "vigild exited $rc on SIGTERM"
}

# status_field DOTTED: one number from `vigil status --json`.
status_field() {
	"$vigil" status --json --socket "$socket" | python3 -c '
import json, sys
node = json.load(sys.stdin)
for part in sys.argv[1].split("."):
    node = node[part]
print(node)' "$1"
}

# expect_open FILE allowed|denied [ERROR TEXT]: a denial fails with EPERM
# ("Operation not permitted") unless the ERROR TEXT says otherwise (the
# kmod backend's deny_errno = EACCES: "Permission denied").
expect_open() {
	if cat "$1" >/dev/null 2>"$work/open.err"; then
		[ "$2" = allowed ] || fail "$1 opened, want denied"
	else
		grep -q "${3:-Operation not permitted}" "$work/open.err" || fail "$1: $(cat "$work/open.err")"
		[ "$2" = denied ] || fail "$1 denied, want allowed"
	fi
}

# max_timeout_ms MS: MS, or at most vigil.ko's cap of the deadline (10 s)
# on the kmod backend, which refuses a longer timeout_ms.
max_timeout_ms() { if [ "$backend" = kmod ] && [ "$1" -gt 10000 ]; then echo 10000; else echo "$1"; fi; }

# refused_reload PATTERN: `vigil reload` exits 1 within 30 s with a reason
# matching PATTERN, and the running bases' version is unchanged.
refused_reload() {
	local version out rc
	version=$(status_field bases.version)
	out=$(timeout 30 "$vigil" reload --socket "$socket" 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "reload exit $rc, want 1: $out"
	grep -q "^vigil: .*$1" <<<"$out" || fail "refusal reason: $out (want $1)"
	[ "$(status_field bases.version)" = "$version" ] || fail "bases changed after a refused reload"
}

# wait_for_record PATTERN: until the log holds a line matching it (records
# are written after the answer, by another thread).
wait_for_record() {
	for _ in $(seq 100); do
		grep -q -- "$1" "$log" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "no record matching $1 in $log"
}
