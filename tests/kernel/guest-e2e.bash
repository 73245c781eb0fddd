# SPDX-License-Identifier: GPL-2.0
# Copyright (C) 2026 The vigil authors.
# Description: sourced by tests/kernel/run: the daemon's end-to-end suite inside each qemu guest, on fanotify and then on vigil.ko.
#
# Overview: owns the host half of the guest e2e run: building vigil and the
# sysroot image once (tests/kernel/make-sysroot), taking the virtio block
# modules a kernel lacks out of its cached image .deb (once per kernel, in
# $cache/guest-modules), putting them and tests/kernel/guest-e2e-init into
# the initramfs under /guest-e2e, and the qemu and kernel command-line
# arguments that attach the image. It does not own the boot, the counting
# (tests/kernel/run counts the guest's PASS:/FAIL: lines with the kernel
# tests') nor what runs in the guest (tests/kernel/guest-e2e-init mounts
# and chroots, tests/kernel/guest-e2e runs the scripts). When preparing
# fails, the reason goes into the initramfs and the guest prints it as one
# FAIL: line, so the kernel tests still run and the failure is counted.
#
# Knobs: VIGIL_GUEST_E2E=no skips the suite (printed, not silent);
# VIGIL_DAEMON_BUILD=DIR puts that build's vigil, vigild and helpers in the
# sysroot instead of build/'s;
# VIGIL_GUEST_E2E=all (the default) runs every tests/e2e/daemon-*.sh, those
# tests/kernel/guest-e2e lists as kernel-independent in the first guest
# only; VIGIL_GUEST_E2E=full runs all of them in every guest;
# VIGIL_GUEST_E2E=daemon-scan,daemon-kill runs only those scripts;
# VIGIL_GUEST_E2E_TIMEOUT is the per-script limit in the guest (seconds);
# VIGIL_GUEST_E2E_BACKENDS=fanotify,kmod (the default) are the passes, in
# order: the second loads vigil.ko and, with VIGIL_GUEST_E2E=all, runs
# only the scripts tests/kernel/guest-e2e lists as backend-dependent.
# shellcheck shell=bash disable=SC2154,SC2034 # out, cache, top are run's

# the vigil build the guest runs: build/ (made here if out of date) or
# VIGIL_DAEMON_BUILD, taken as it is
guest_e2e_build=${VIGIL_DAEMON_BUILD:-$top/build}
guest_e2e_image=$out/sysroot.img
guest_e2e_qemu_args=()
guest_e2e_cmdline=
guest_e2e_built=
guest_e2e_first=yes

# guest_e2e_modules KREL DIR: the block driver modules the kernel does not
# have built in, decompressed, in load order, as DIR/NN-name.ko.
guest_e2e_modules() {
	local krel=$1 dir=$2 modules=$cache/guest-modules/$1 deb
	if [ ! -e "$modules/.done" ]; then
		rm -rf "$modules" && mkdir -p "$modules"
		for deb in "$cache/debs/linux-image-${krel}_"*.deb; do
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$modules" --wildcards \
				"./lib/modules/$krel/modules.builtin" \
				"./lib/modules/$krel/kernel/drivers/virtio/*" \
				"./lib/modules/$krel/kernel/drivers/block/virtio_blk.ko*" 2>/dev/null
		done
		[ -s "$modules/lib/modules/$krel/modules.builtin" ] || return 1
		touch "$modules/.done"
	fi
	local tree=$modules/lib/modules/$krel order=() seen=" "
	# add NAME: its dependencies first (modinfo's depends field), then itself
	add() {
		local name=${1//-/_} file dep
		case "$seen" in *" $name "*) return 0 ;; esac
		seen="$seen$name "
		file=$(find "$tree/kernel" -name "$name.ko" -o -name "$name.ko.xz" | head -n 1)
		if [ -z "$file" ]; then
			grep -q "/$name.ko\$" "$tree/modules.builtin" && return 0
			echo "no module $name for $krel" >&2
			return 1
		fi
		for dep in $(modinfo -F depends "$file" | tr , ' '); do
			add "$dep" || return 1
		done
		order+=("$file")
	}
	add virtio_pci && add virtio_blk || return 1
	mkdir -p "$dir"
	local index=10 file name
	for file in "${order[@]}"; do
		name=$(basename "$file")
		name=${name%.xz}
		case "$file" in
		*.xz) xz -dc "$file" >"$dir/$index-$name" ;;
		*) cp "$file" "$dir/$index-$name" ;;
		esac || return 1
		index=$((index + 1))
	done
}

# guest_e2e_prepare KREL INITRAMFS: fills INITRAMFS/guest-e2e and sets
# guest_e2e_qemu_args and guest_e2e_cmdline for boot_kernel.
guest_e2e_prepare() {
	local krel=$1 dir=$2/guest-e2e reason=
	guest_e2e_qemu_args=()
	guest_e2e_cmdline=
	mkdir -p "$dir"
	cp tests/kernel/guest-e2e-init "$dir/init"
	# a benchmark boot (VIGIL_BENCH_BINARY) runs nothing else
	[ -z "${VIGIL_BENCH_BINARY:-}" ] || return 0
	if [ "${VIGIL_GUEST_E2E:-}" = no ]; then
		echo "VIGIL_GUEST_E2E=no" >"$dir/skipped"
		return 0
	fi
	if [ -z "$guest_e2e_built" ]; then
		guest_e2e_built=yes
		if [ "$guest_e2e_build" = "$top/build" ] &&
			! make -s --no-print-directory all tests >"$out/guest-e2e-make.log" 2>&1; then
			guest_e2e_built="make all tests failed (see $out/guest-e2e-make.log)"
		elif ! tests/kernel/make-sysroot --build "$guest_e2e_build" "$guest_e2e_image" \
			>"$out/guest-e2e-sysroot.log" 2>&1; then
			guest_e2e_built="make-sysroot failed: $(tail -n 1 "$out/guest-e2e-sysroot.log")"
		fi
	fi
	[ "$guest_e2e_built" = yes ] || reason=$guest_e2e_built
	if [ -z "$reason" ] && ! guest_e2e_modules "$krel" "$dir/modules" 2>"$out/guest-e2e-modules.log"; then
		reason="cannot take the virtio block modules out of linux-image-$krel: $(tail -n 1 "$out/guest-e2e-modules.log")"
	fi
	if [ -n "$reason" ]; then
		echo "$reason" >"$dir/failed"
		return 0
	fi
	guest_e2e_qemu_args=(-drive "file=$guest_e2e_image,if=virtio,format=raw,readonly=on")
	guest_e2e_cmdline=" VIGIL_GUEST_E2E=${VIGIL_GUEST_E2E:-all}"
	guest_e2e_cmdline+=" VIGIL_GUEST_E2E_TIMEOUT=${VIGIL_GUEST_E2E_TIMEOUT:-180}"
	guest_e2e_cmdline+=" VIGIL_GUEST_E2E_FIRST=$guest_e2e_first"
	guest_e2e_cmdline+=" VIGIL_GUEST_E2E_BACKENDS=${VIGIL_GUEST_E2E_BACKENDS:-fanotify,kmod}"
	guest_e2e_first=no
}
