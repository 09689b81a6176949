#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the guests' base root once: a minbase Debian bookworm with udev,
# kmod, systemd, pciutils and libarchive13 (the tool reads initramfs images
# with it), plus initramfs-tools so that each guest's
# initramfs is made by mkinitramfs inside a chroot of its own root (the way
# the package's hook runs on a user's machine). Cached as build/vm/base;
# remove that directory to rebuild.
#
#   tests/vm/base.sh
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

base="$VM_BUILD/base"
stamp="$base/.vmtest-base"
include="udev,kmod,systemd-sysv,pciutils,initramfs-tools,busybox,zstd,libarchive13"
mirror="${VM_MIRROR:-http://deb.debian.org/debian}"

if [ -e "$stamp" ] && [ "$(cat "$stamp")" = "$include" ]; then
	exit 0
fi
mkdir -p "$VM_LOGS"
rm -rf "$base" "$base.tmp"
vm_log "debootstrap bookworm into $base (log: $VM_LOGS/debootstrap.log)"
if ! debootstrap --variant=minbase --include="$include" bookworm "$base.tmp" "$mirror" \
	>"$VM_LOGS/debootstrap.log" 2>&1; then
	tail -20 "$VM_LOGS/debootstrap.log" >&2
	vm_die "debootstrap failed (log: $VM_LOGS/debootstrap.log)"
fi
# No apt caches in the images.
rm -rf "$base.tmp"/var/cache/apt/archives/*.deb "$base.tmp"/var/lib/apt/lists/*
echo "$include" >"$base.tmp/.vmtest-base"
mv "$base.tmp" "$base"
