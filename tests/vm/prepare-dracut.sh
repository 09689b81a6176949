#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The dracut guests: the same root as tests/vm/prepare.sh's, with Debian's
# dracut (059, bookworm) in place of initramfs-tools, and images built by
# dracut in a chroot of that root with the package's 90vfio-claim module.
# Run after prepare.sh, for each kernel given:
#
#   tests/vm/prepare-dracut.sh KVER...
#
#   build/vm/debs-dracut/*.deb       dracut, dracut-core, kpartx (apt-get
#                                    download; the rest is in the base)
#   build/vm/kd/KVER/root/           k/KVER/root, initramfs-tools purged,
#                                    dracut installed (dpkg in a chroot)
#   build/vm/kd/KVER/initrd.img      dracut --no-compress --kver KVER,
#                                    Debian's defaults otherwise (no
#                                    host-only: a generic image)
#   build/vm/kd/KVER/initrd-NAME.img the same with tests/vm/variants/NAME in
#                                    the root (VM_DRACUT_VARIANTS, default
#                                    claim-modprobed); an overlay that the
#                                    90vfio-claim module copies as it is
#                                    goes in front of initrd.img as a cpio
#                                    archive of its own instead
#   build/vm/kd/KVER/root.img        mke2fs -d root/ (not with
#                                    VM_DRACUT_ROOT_IMG=0: the flow boots
#                                    a disk of its own made from root/)
#   build/vm/kd/KVER/vmlinuz         the Debian kernel
#
# Nothing is forced into the image: a generic dracut image carries every
# block driver (virtio_blk) and file system (ext4) of the kernel.
# Uncompressed (--no-compress): dracut in the chroot takes 34 s instead of
# 44 s with gzip on a quiet host, and the guest's kernel need not gunzip it
# under TCG; the in-guest dracut runs of the flow's scenario 11 prove the
# compressed images (zstd). A kernel
# whose inputs did not change is reused; another tree (build/vm-flow) takes
# build/vm's when the inputs are equal (vm_seed).
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

debs="$VM_BUILD/debs-dracut"
variants=${VM_DRACUT_VARIANTS-claim-modprobed}
mkdir -p "$VM_LOGS"

# The three packages the base lacks, from the archive (cached).
fetch_debs() {
	[ -e "$debs/.done" ] && return 0
	rm -rf "$debs"
	mkdir -p "$debs"
	(cd "$debs" && apt-get -q download dracut dracut-core kpartx) >"$VM_LOGS/dracut-debs.log" 2>&1 || {
		apt-get -q -o DPkg::Lock::Timeout=900 update >/dev/null
		(cd "$debs" && apt-get -q download dracut dracut-core kpartx) >"$VM_LOGS/dracut-debs.log" 2>&1 ||
			vm_die "apt-get download dracut failed (log: $VM_LOGS/dracut-debs.log)"
	}
	touch "$debs/.done"
}

# dracut in a chroot of the guest root, into /tmp of that root, then out.
make_dracut() {
	root=$1 kver=$2 out=$3
	log="$VM_LOGS/dracut-$kver.log"
	vm_in_root "$root" dracut --force --no-compress --kver "$kver" /tmp/initrd.img >>"$log" 2>&1 ||
		vm_die "dracut for $kver failed (log: $log)"
	mv "$root/tmp/initrd.img" "$out"
}

# Whether 90vfio-claim puts the overlay into the image as it is and nothing
# else with it: only /etc/modprobe.d/vfio-claim*.conf files (the module
# copies those whatever host-only says) whose lines pull in no module (no
# softdep/install). The flow's scenario 11 proves that copy with dracut's own
# run: after its reboot verify finds /etc/modprobe.d/vfio-claim-claims.conf
# in the generic image the guest built, identical.
overlay_is_copied_verbatim() {
	[ -z "$(cd "$1" && find . ! -type d ! -path './etc/modprobe.d/vfio-claim*.conf')" ] &&
		! (cd "$1" && find . -type f -exec cat {} +) | grep -Eq '^[[:space:]]*(softdep|install)[[:space:]]'
}

prepare_kernel() {
	kver=$1
	k="$VM_BUILD/k/$kver"
	kd="$VM_BUILD/kd/$kver"
	[ -e "$k/stamp" ] || vm_die "no $k: run tests/vm/prepare.sh $kver first"
	hash=$(cat "$k/stamp" "$VM_DIR/prepare-dracut.sh" "$debs"/*.deb | sha256sum | cut -d' ' -f1)
	if { [ -e "$kd/initrd.img" ] && [ "$(cat "$kd/stamp" 2>/dev/null)" = "$hash" ]; } ||
		vm_seed "kd/$kver" "$hash"; then
		vm_log "$kver: dracut root and image up to date"
	else
		t0=$(date +%s)
		rm -rf "$kd"
		mkdir -p "$kd"
		cp -a "$k/root" "$kd/root"
		cp "$k/vmlinuz" "$kd/vmlinuz"
		cp -a "$debs" "$kd/root/tmp/debs"
		: >"$VM_LOGS/dracut-$kver.log"
		# dracut conflicts with initramfs-tools (FACTS.md section 9).
		vm_in_root "$kd/root" sh -c 'dpkg --purge initramfs-tools initramfs-tools-core &&
			dpkg -i /tmp/debs/*.deb' >>"$VM_LOGS/dracut-$kver.log" 2>&1 ||
			vm_die "installing dracut in the $kver root failed (log: $VM_LOGS/dracut-$kver.log)"
		rm -rf "$kd/root/tmp/debs"
		make_dracut "$kd/root" "$kver" "$kd/initrd.img"
		echo "$hash" >"$kd/stamp"
		vm_log "$kver: dracut root and image: $(($(date +%s) - t0))s ($(du -h "$kd/initrd.img" | cut -f1))"
	fi
	for v in $variants; do
		overlay="$VM_DIR/variants/$v"
		vhash=$( (echo "$hash"; cd "$overlay" && find . -type f -print0 | sort -z |
			xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
		if [ -e "$kd/initrd-$v.img" ] && [ "$(cat "$kd/initrd-$v.stamp" 2>/dev/null)" = "$vhash" ]; then
			continue
		fi
		t=$(date +%s)
		if overlay_is_copied_verbatim "$overlay"; then
			# In front of the generic image, the way early microcode is:
			# the kernel unpacks both into one rootfs (prepare.sh does the
			# same for mkinitramfs), and a second dracut run is saved.
			(cd "$overlay" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort |
				cpio --quiet -o -H newc -R 0:0) >"$kd/initrd-$v.img.tmp" ||
				vm_die "cpio of $overlay failed"
			cat "$kd/initrd.img" >>"$kd/initrd-$v.img.tmp"
			mv "$kd/initrd-$v.img.tmp" "$kd/initrd-$v.img"
		else
			cp -a "$overlay/." "$kd/root/"
			make_dracut "$kd/root" "$kver" "$kd/initrd-$v.img"
			(cd "$overlay" && find . ! -type d) | (cd "$kd/root" && xargs rm -f)
		fi
		echo "$vhash" >"$kd/initrd-$v.stamp"
		vm_log "$kver: dracut variant $v: $(($(date +%s) - t))s"
	done
	# The runner as prepare.sh left it in k/root (tar unlinks before it
	# writes: kd/root may be hard-linked, see vm_seed); the packages came
	# with k/root (its stamp is in this root's).
	vm_overlay "$k/root/vmtest" "$kd/root/vmtest"
	rm -f "$kd/root.img"
	# 10-40 s a kernel, for check-vm's a-dracut, b-dracut, c-dracut only.
	[ "${VM_DRACUT_ROOT_IMG:-1}" = 1 ] || return 0
	mke2fs -q -F -t ext4 -d "$kd/root" "$kd/root.img" 2G >/dev/null
}

fetch_debs
vm_each_kernel prepare_kernel "$@"
