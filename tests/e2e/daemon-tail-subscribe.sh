#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: a record subscription misses nothing made after its "ok" line, however slowly vigild's control thread hands the connection to the recorder: with that thread held 2 s in shutdown(2) (strace's fault injection), vigil selftest's denial is still recorded to it (without strace: skip).
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
command -v strace >/dev/null || { echo "no strace to hold vigild's control thread"; exit 77; }
daemon_setup
# vigild's only shutdown(2) is the one on a `tail' connection, between
# reading the request and handing the connection to the recorder
# (LeakSanitizer cannot run under a tracer: no leak check for this vigild)
VIGILD_PREFIX="env ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -qq -o /dev/null -e trace=shutdown -e inject=shutdown:delay_enter=2000000"
start_vigild "log_allowed = no"
VIGILD_PREFIX=
out=$(timeout 30 "$vigil" selftest --socket "$socket") || fail "selftest with a slow hand-over: $out"
grep -q "^$work/prot: ok (EICAR denied with EPERM and recorded)" <<<"$out" || fail "selftest: $out"
# strace running a command blocks SIGTERM: stop vigild itself
kill -TERM "$(pgrep -P "$vigild_pid")"
stop_vigild
echo ok
