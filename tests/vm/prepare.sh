#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Make everything a guest boots, for each kernel given:
#
#   tests/vm/prepare.sh KVER...
#
#   build/vm-deb/*.deb              `make deb` (tests/vm/lib.sh vm_debs)
#   build/vm/stage/                 the vfio-claim-dkms package's files
#                                   (dpkg-deb -x): the module's DKMS source
#   build/vm/k/KVER/root/           base + /lib/modules/KVER + the
#                                   vfio-claim package installed with dpkg
#                                   in a chroot + the DKMS package's files +
#                                   the module built from them and
#                                   installed by dkms + the guest runner
#   build/vm/k/KVER/vmlinuz         the Debian kernel
#   build/vm/k/KVER/initrd.img      mkinitramfs in a chroot of root/, with
#                                   the package's own initramfs hook
#   build/vm/k/KVER/initrd-NAME.img the same, with the overlay
#                                   tests/vm/variants/NAME in the root (or,
#                                   for modprobe.d options only, prepended
#                                   as a cpio archive), for
#                                   each NAME in VM_VARIANTS (default:
#                                   claim-modprobed, scenario a's options)
#   build/vm/k/KVER/root.img        mke2fs -d root/ (guests boot it with
#                                   snapshot=on, so one image serves all)
#
# A kernel whose inputs did not change since its last build is reused, and
# another tree (build/vm-flow) takes build/vm's when the inputs are equal.
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

mkdir -p "$VM_LOGS"
"$VM_DIR/base.sh"
base="$VM_BUILD/base"
stage="$VM_BUILD/stage"
version=$(cat "$VM_TOP/VERSION")
variants=${VM_VARIANTS-claim-modprobed}

# The packages every guest gets (make deb). VM_PACKAGE=0 leaves them out
# (a bare guest, for the harness's own smoke test). The DKMS package's files
# are unpacked into the stage: its source is what dkms builds here (the
# guests have no compiler and no headers, so its postinst, which runs
# dkms, is not run in them; the flow's package guest, scenarios 9 and 10,
# installs both packages with apt-get and builds with DKMS in the root).
rm -rf "$stage"
mkdir -p "$stage"
if [ "${VM_PACKAGE:-1}" = 1 ]; then
	vm_debs
	dpkg-deb -x "$vm_deb_dkms" "$stage"
	[ -r "$stage/usr/src/vfio-claim-$version/dkms.conf" ] ||
		vm_die "$vm_deb_dkms has no DKMS source at /usr/src/vfio-claim-$version"
fi

inputs_hash() {
	{
		echo "$1 ${VM_PACKAGE:-1}"
		cat "$base/.vmtest-base"
		cat "$VM_DIR/prepare.sh" "$VM_DIR/lib.sh"
		# The packages, whole: a new tool makes a new root (dpkg installs
		# it there) and so a new initramfs, 1-4 min a kernel; the fixture
		# trees are the fast loop for the tool.
		if [ "${VM_PACKAGE:-1}" = 1 ]; then
			sha256sum "$vm_deb_tool" "$vm_deb_dkms" | cut -d' ' -f1
		fi
		vm_kernel_files "$1" && ls -l --time-style=+%s "$vm_vmlinuz"
	} | sha256sum | cut -d' ' -f1
}

# mkinitramfs inside a chroot of the guest root, in a private mount
# namespace so /proc goes away with it. The config is a copy (-d), the
# output goes to /tmp: the guest's /boot is never touched.
make_initrd() {
	root=$1 kver=$2 out=$3
	rm -rf "$root/tmp/initramfs-conf"
	cp -a "$root/etc/initramfs-tools" "$root/tmp/initramfs-conf"
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare --mount --propagation private sh -c '
		mount -t proc proc "$1/proc" &&
		mount -t sysfs sysfs "$1/sys" &&
		chroot "$1" mkinitramfs -d /tmp/initramfs-conf -o /tmp/initrd.img "$2"' \
		sh "$root" "$kver" >>"$VM_LOGS/mkinitramfs-$kver.log" 2>&1 ||
		vm_die "mkinitramfs for $kver failed (log: $VM_LOGS/mkinitramfs-$kver.log)"
	mv "$root/tmp/initrd.img" "$out"
	rm -rf "$root/tmp/initramfs-conf"
}

# Real dkms, with private trees: the source from the DKMS package (the
# stage), the module installed into the guest's /lib/modules (the host's
# stays as is).
dkms_install() {
	root=$1 kver=$2 dtree=$3
	dlog="$VM_LOGS/dkms-$kver.log"
	mkdir -p "$dtree"
	: >"$dlog"
	for action in add build install; do
		# shellcheck disable=SC2046
		dkms "$action" -m vfio-claim -v "$version" \
			$([ "$action" = add ] || echo "-k $kver") \
			--sourcetree "$stage/usr/src" --dkmstree "$dtree" \
			--installtree "$root/lib/modules" --no-depmod >>"$dlog" 2>&1 || {
			cat "$dtree/vfio-claim/$version/build/make.log" >>"$dlog" 2>/dev/null
			tail -30 "$dlog" >&2
			vm_die "dkms $action for $kver failed (log: $dlog)"
		}
	done
	ko=$(find "$root/lib/modules/$kver" -name 'vfio_claim.ko*' | head -1)
	[ -n "$ko" ] || vm_die "dkms install put no vfio_claim.ko under /lib/modules/$kver"
	vm_log "$kver: dkms installed ${ko#"$root"}"
}

# sid's kernel (7.x): no headers on the host, and its headers need sid's
# gcc, so the module is built from the same DKMS source in the sid chroot
# (as check-module-build does, in a private mount namespace) and installed
# where dkms puts it.
sid_module_install() {
	root=$1 kver=$2
	chroot_dir=${SID_CHROOT:-/var/cache/vfio-claim/sid-chroot}
	dlog="$VM_LOGS/sid-module-$kver.log"
	b="$chroot_dir/build/vm-$kver"
	rm -rf "$b"
	mkdir -p "$b"
	cp -a "$stage/usr/src/vfio-claim-$version/." "$b/"
	unshare --mount --propagation private "$VM_TOP/scripts/sid-chroot.sh" "$chroot_dir" \
		run make -C "/build/vm-$kver/module" KVER="$kver" >"$dlog" 2>&1 || {
		tail -30 "$dlog" >&2
		vm_die "building vfio_claim for $kver in the sid chroot failed (log: $dlog)"
	}
	install -D -m 0644 "$b/module/vfio_claim.ko" "$root/lib/modules/$kver/updates/dkms/vfio_claim.ko"
	vm_log "$kver: built in the sid chroot, installed /lib/modules/$kver/updates/dkms/vfio_claim.ko"
}

# The root image, made afresh each run (2-3 s) so the guest runner is the
# current one.
make_image() {
	install -D -m 0755 "$VM_DIR/guest/runner.sh" "$1/root/vmtest/runner"
	rm -rf "$1/root/vmtest/variants"
	cp -a "$VM_DIR/variants" "$1/root/vmtest/variants"
	if [ -n "${VM_EXTRA_ROOT:-}" ]; then
		cp -a "$VM_EXTRA_ROOT/." "$1/root/"
	fi
	rm -f "$1/root.img"
	mke2fs -q -F -t ext4 -d "$1/root" "$1/root.img" 2G >/dev/null
	# The extra files are this image's only: the root (which the flow, the
	# demo and the fleet copy) keeps the packaged tool first in PATH.
	if [ -n "${VM_EXTRA_ROOT:-}" ]; then
		(cd "$VM_EXTRA_ROOT" && find . ! -type d) | (cd "$1/root" && xargs -r rm -f)
	fi
}

# Whether mkinitramfs would put the overlay into the image as it is and
# nothing else with it: only /etc/modprobe.d files whose lines pull in no
# module (no softdep/install, which manual_add_modules follows). mkinitramfs
# copies /etc/modprobe.d/*.conf, so such an overlay needs no
# second build.
overlay_is_copied_verbatim() {
	[ -z "$(cd "$1" && find . ! -type d ! -path './etc/modprobe.d/*.conf')" ] &&
		! (cd "$1" && find . -type f -exec cat {} +) | grep -Eq '^[[:space:]]*(softdep|install)[[:space:]]'
}

# initrd-NAME.img for each variant, kept while its overlay and the base
# initramfs's inputs are unchanged (initrd-NAME.stamp). An overlay that
# mkinitramfs copies verbatim (scenario a's options) goes in front of the
# base image as an uncompressed cpio archive of its own, the way early
# microcode is prepended: the kernel unpacks both into one rootfs, so the
# guest sees the files where mkinitramfs puts them, and a second
# mkinitramfs (80-250 s per kernel) is saved. The flow's scenarios 1-3 prove
# with the real update-initramfs that modprobe.d reaches the image.
make_variants() {
	k=$1 kver=$2 hash=$3
	for v in $variants; do
		overlay="$VM_DIR/variants/$v"
		[ -d "$overlay" ] || vm_die "no variant $overlay"
		vhash=$( (echo "$hash"; cd "$overlay" && find . -type f -print0 | sort -z |
			xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
		if [ -e "$k/initrd-$v.img" ] && [ "$(cat "$k/initrd-$v.stamp" 2>/dev/null)" = "$vhash" ]; then
			continue
		fi
		t=$(date +%s)
		if overlay_is_copied_verbatim "$overlay"; then
			(cd "$overlay" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort |
				cpio --quiet -o -H newc -R 0:0) >"$k/initrd-$v.img.tmp" ||
				vm_die "cpio of $overlay failed"
			cat "$k/initrd.img" >>"$k/initrd-$v.img.tmp"
			mv "$k/initrd-$v.img.tmp" "$k/initrd-$v.img"
		else
			cp -a "$overlay/." "$k/root/"
			make_initrd "$k/root" "$kver" "$k/initrd-$v.img"
			(cd "$overlay" && find . ! -type d) | (cd "$k/root" && xargs rm -f)
		fi
		echo "$vhash" >"$k/initrd-$v.stamp"
		vm_log "$kver: initramfs variant $v: $(($(date +%s) - t))s"
	done
}

prepare_kernel() {
	kver=$1
	k="$VM_BUILD/k/$kver"
	hash=$(inputs_hash "$kver")
	if { [ -e "$k/initrd.img" ] && [ "$(cat "$k/stamp" 2>/dev/null)" = "$hash" ]; } ||
		vm_seed "k/$kver" "$hash"; then
		vm_log "$kver: root and initramfs up to date"
		make_variants "$k" "$kver" "$hash"
		make_image "$k"
		return
	fi
	rm -rf "$k"
	mkdir -p "$k"
	root="$k/root"

	t0=$(date +%s)
	cp -a "$base" "$root"
	mkdir -p "$root/lib/modules/$kver"
	vm_kernel_files "$kver" || vm_die "no kernel $kver (tests/vm/kernels.sh installs it)"
	cp -a "$vm_kmods/." "$root/lib/modules/$kver/"
	rm -f "$root/lib/modules/$kver/build" "$root/lib/modules/$kver/source"
	cp "$vm_vmlinuz" "$k/vmlinuz"
	# mkinitramfs reads the kernel config (compression support).
	cp "$vm_kconfig" "$root/boot/config-$kver"

	if [ "${VM_PACKAGE:-1}" = 1 ]; then
		# The tool's package as apt installs it (its maintainer scripts
		# and the update-initramfs trigger, which finds no initramfs in
		# /boot to update), then the DKMS package's files and its module.
		: >"$VM_LOGS/dpkg-$kver.log"
		vm_dpkg_install "$VM_LOGS/dpkg-$kver.log" "$root" "$vm_deb_tool"
		vm_overlay "$stage" "$root"
		if [ -d "/lib/modules/$kver/build" ]; then
			dkms_install "$root" "$kver" "$k/dkms"
		else
			sid_module_install "$root" "$kver"
		fi
	fi
	depmod -b "$root" "$kver"
	t1=$(date +%s)
	vm_log "$kver: root + dkms: $((t1 - t0))s"

	: >"$VM_LOGS/mkinitramfs-$kver.log"
	make_initrd "$root" "$kver" "$k/initrd.img"
	echo "$hash" >"$k/stamp"
	t2=$(date +%s)
	vm_log "$kver: mkinitramfs: $((t2 - t1))s ($(du -h "$k/initrd.img" | cut -f1))"
	make_variants "$k" "$kver" "$hash"
	t3=$(date +%s)
	make_image "$k"
	vm_log "$kver: image: $(($(date +%s) - t3))s"
}

vm_each_kernel prepare_kernel "$@"
