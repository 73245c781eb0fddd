#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: what is protected: a folder that is not a mount point is covered (fanotify: through a bind mount of its own; vigil.ko: the whole filesystem watched, vigild filtering by folder, no mount made) and the rest of its filesystem is not, a mount made later under a protected path is picked up, and exclusions by path, program and user are honoured.
set -u
. "$VIGIL_SOURCE/tests/e2e/lib/daemon.bash"
daemon_setup
prot=$work/prot
# a plain folder on the filesystem of /tmp, beside an unprotected one
mkdir -p "$work/plain" "$work/beside" "$prot/excluded"
mountpoint -q "$work/plain" && { echo "$work/plain is a mount point already"; exit 77; }
eicar >"$work/plain/eicar.com"
eicar >"$work/beside/eicar.com"
eicar >"$prot/excluded/eicar.com"
eicar >"$prot/eicar.com"
start_vigild "paths = $work/plain" "exclude_paths = $prot/excluded" \
	"exclude_executables = /usr/bin/head" "exclude_uids = 4242"

expect_open "$work/plain/eicar.com" denied
expect_open "$work/beside/eicar.com" allowed
"$vigil" status --socket "$socket" >"$work/status"
fstype=$(findmnt -n -o FSTYPE -T "$work")
case $backend in
fanotify)
	mountpoint -q "$work/plain" || fail "no bind mount on $work/plain"
	grep -q "^  $work/plain: covered (bind-mount, $fstype)" "$work/status" ||
		fail "status (want the filesystem's type): $(cat "$work/status")"
	grep -q "not a mount point: vigild bind-mounted it onto itself" "$work/status" || fail "no note" ;;
kmod)
	mountpoint -q "$work/plain" && fail "vigild bind-mounted $work/plain on backend = kmod"
	grep -q "^  $work/plain: covered (vigil.ko filesystem, folder filter, $fstype)" "$work/status" ||
		fail "status (want the filesystem's type): $(cat "$work/status")"
	grep -q "not the root of its filesystem: vigil.ko sees the whole filesystem, vigild allows opens outside this folder unscanned" \
		"$work/status" || fail "no note: $(cat "$work/status")" ;;
esac

# exclusions
expect_open "$prot/eicar.com" denied
expect_open "$prot/excluded/eicar.com" allowed
head -c 4 "$prot/eicar.com" >/dev/null || fail "excluded program denied"
setpriv --reuid 4242 --regid 4242 --clear-groups cat "$prot/eicar.com" >/dev/null ||
	fail "excluded user denied"
setpriv --reuid 4243 --regid 4243 --clear-groups cat "$prot/eicar.com" >/dev/null 2>&1 &&
	fail "another user allowed"
[ "$(status_field events.excluded)" -ge 3 ] || fail "excluded counter"

# the journal is always exempt, so logging never waits on a blocked open:
# bash standing at journald's path (a bind mount, undone at once) may read
# EICAR once vigild's walk of /proc has seen it; bash elsewhere may not
journal=/usr/lib/systemd/systemd-journald
made_journal=
if [ ! -e "$journal" ] && [ -d "${journal%/*}" ]; then
	: >"$journal" && made_journal=1
fi
if [ -e "$journal" ] && mount --bind /bin/bash "$journal"; then
	"$journal" -c "sleep 3; exec 3<'$prot/eicar.com'" 2>"$work/journal.err"
	rc=$?
	umount "$journal"
	[ -n "$made_journal" ] && rm -f "$journal"
	[ $rc = 0 ] || fail "the journal's open was blocked: $(cat "$work/journal.err")"
	bash -c "sleep 3; exec 3<'$prot/eicar.com'" 2>/dev/null && fail "bash read EICAR"
else
	[ -n "$made_journal" ] && rm -f "$journal"
	echo "note: cannot stand in for $journal; the journal's exemption is not tested"
fi

# a mount made under a protected path after the start
mkdir -p "$prot/sub"
mount -t tmpfs -o size=1m vigil-e2e-sub "$prot/sub" || fail "mount sub"
eicar >"$prot/sub/eicar.com"
for _ in $(seq 100); do
	cat "$prot/sub/eicar.com" >/dev/null 2>&1 || break
	sleep 0.05
done
expect_open "$prot/sub/eicar.com" denied
umount "$prot/sub"

stop_vigild
mountpoint -q "$work/plain" && fail "vigild left its bind mount"
expect_open "$work/plain/eicar.com" allowed
echo ok
