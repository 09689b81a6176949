#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The package guest of flow scenarios 9 and 10 (issue 12's lifecycle): a
# Debian root where the kernel and the two .deb packages went in the way a
# user installs them, with apt-get and real dpkg, DKMS and initramfs-tools.
#
#   tests/vm/flow/pkg-root.sh KVER [UPGRADE_KVER]   (setup.sh, when FLOW_PKG=1)
#
#   build/vm-deb/                   `make deb` (tests/vm/lib.sh vm_debs),
#                                   redone when a tracked file outside
#                                   tests/ changed
#   $VM_BUILD/apt/{lists,archives}  the chroots' apt lists and .deb cache, kept
#                                   outside the guest's disk (bind-mounted)
#   $VM_BUILD/flow-pkg/KVER/root/   build/vm/base (debootstrap) plus, in a
#                                   chroot in a private mount namespace:
#                                   apt-get install --no-install-recommends
#                                   linux-image-KVER linux-headers-KVER
#                                   ./vfio-claim_*.deb ./vfio-claim-dkms_*.deb
#                                   (the dkms package's hooks build vfio_claim;
#                                   the initramfs triggers make
#                                   /boot/initrd.img-KVER); no `make install`
#   $VM_BUILD/flow-pkg/KVER/{vmlinuz,initrd.img}  the root's own /boot files
#   $VM_BUILD/flow-pkg/KVER/flow.img  the guest's disk: root/ with MODULES=dep,
#                                   COMPRESSLEVEL=1 and /flow/guest.sh
#
# The archive is reached from the chroot through the host's network (the base
# root's sources.list); the guest itself has none. Fails (exit 1) when the
# install did not build vfio_claim.ko or the initramfs does not hold it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
VM_BUILD=${VM_BUILD:-$top/build/vm-flow}
VM_TOP=$top
export VM_BUILD VM_TOP
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"

kver=$1   # UPGRADE_KVER: scenario 9's kernel, its packages put in the cache
k="$VM_BUILD/flow-pkg/$kver"
apt="$VM_BUILD/apt"
log="$VM_LOGS/pkg-root-$kver.log"
mkdir -p "$VM_LOGS" "$apt/lists/partial" "$apt/archives/partial"

# The packages, from the tracked files as they are now.
vm_debs

# What the root is made of (the script's other lines may change without a
# new install): the Debian suites a bookworm user has (the kernels come from
# bookworm-security; the base root knows only bookworm) and the install.
sources="deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main"
recipe="apt-get install --no-install-recommends linux-image linux-headers vfio-claim vfio-claim-dkms"
hash=$({
	echo "$kver"
	cat "$VM_BUILD/base/.vmtest-base"
	echo "$sources $recipe"
	sha256sum "$vm_deb_tool" "$vm_deb_dkms" | cut -d' ' -f1
} | sha256sum | cut -d' ' -f1)
if [ ! -e "$k/initrd.img" ] || [ "$(cat "$k/stamp" 2>/dev/null)" != "$hash" ]; then
	rm -rf "$k"
	mkdir -p "$k"
	r="$k/root"
	t=$(date +%s)
	cp -a "$VM_BUILD/base" "$r"
	# The host's cached kernel packages (kernels.sh installed them: this one
	# and the upgrade's) save the download; apt checks them against the lists.
	for v in "$@"; do
		for f in /var/cache/apt/archives/linux-image-"$v"_*.deb \
			/var/cache/apt/archives/linux-headers-"$v"_*.deb \
			/var/cache/apt/archives/linux-headers-"${v%-amd64}"-common_*.deb; do
			if [ -e "$f" ] && [ ! -e "$apt/archives/${f##*/}" ]; then
				cp "$f" "$apt/archives/"
			fi
		done
	done
	echo "$sources" >"$r/etc/apt/sources.list.d/bookworm-updates-security.list"
	mkdir -p "$r/tmp/debs"
	cp "$vm_deb_tool" "$vm_deb_dkms" "$r/tmp/debs/"
	: >"$log"
	"$here/chroot-apt.sh" "$r" "$apt" "$log" apt-get -q update ||
		vm_die "apt-get update in the package root failed (log: $log)"
	set --
	for f in "$r"/tmp/debs/*.deb; do
		set -- "$@" "/tmp/debs/${f##*/}"
	done
	"$here/chroot-apt.sh" "$r" "$apt" "$log" apt-get -y -q -o DPkg::Lock::Timeout=900 --no-install-recommends \
		install "linux-image-$kver" "linux-headers-$kver" "$@" ||
		{ tail -30 "$log" >&2; vm_die "apt-get install in the package root failed (log: $log)"; }
	rm -rf "$r/tmp/debs"
	ko=$(find "$r/lib/modules/$kver" -name 'vfio_claim.ko*' | head -1)
	[ -n "$ko" ] || vm_die "the packages' install built no vfio_claim.ko for $kver (log: $log)"
	[ -e "$r/boot/initrd.img-$kver" ] || vm_die "no /boot/initrd.img-$kver after the install (log: $log)"
	lsinitramfs "$r/boot/initrd.img-$kver" | grep -q '/vfio_claim\.ko' ||
		vm_die "/boot/initrd.img-$kver has no vfio_claim.ko (log: $log)"
	cp "$r/boot/vmlinuz-$kver" "$k/vmlinuz"
	cp "$r/boot/initrd.img-$kver" "$k/initrd.img"
	echo "$hash" >"$k/stamp"
	vm_log "flow-pkg: $kver: apt-get install of the kernel and the packages: $(($(date +%s) - t))s (${ko#"$r"}, $(du -sh "$r" | cut -f1))"
fi

# The disk: rebuilt when guest.sh changes (a hard-linked copy of the root,
# files replaced, never written into).
dhash=$(cat "$k/stamp" "$here/guest.sh" | sha256sum | cut -d' ' -f1)
if [ -e "$k/flow.img" ] && [ "$(cat "$k/disk-stamp" 2>/dev/null)" = "$dhash" ]; then
	exit 0
fi
d="$k/disk-root"
rm -rf "$d" "$k/flow.img"
cp -al "$k/root" "$d"
conf="$d/etc/initramfs-tools/initramfs.conf"
# update-initramfs in a TCG guest: MODULES=dep and a fast zstd level.
sed -e 's/^MODULES=.*/MODULES=dep/' -e '$a COMPRESSLEVEL=1' "$k/root/etc/initramfs-tools/initramfs.conf" >"$conf.new"
rm -f "$conf"
mv "$conf.new" "$conf"
mkdir -p "$d/flow"
install -m 0755 "$here/guest.sh" "$d/flow/guest.sh"
mke2fs -q -F -t ext4 -d "$d" "$k/flow.img" 3G >/dev/null
rm -rf "$d"
echo "$dhash" >"$k/disk-stamp"
vm_log "flow-pkg: $kver: guest disk $k/flow.img"
