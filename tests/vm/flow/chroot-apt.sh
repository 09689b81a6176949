#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run a package command (apt-get, dpkg) in a chroot of a guest root, the way
# the flow's package guest is installed and upgraded (tests/vm/flow/):
#
#   tests/vm/flow/chroot-apt.sh ROOT|DISK.img APTDIR LOG COMMAND [ARG...]
#
# ROOT is a directory; DISK.img an ext4 image (a guest's disk, not running),
# loop-mounted. Everything happens in a private mount namespace, so every
# mount goes away with it: /proc, /sys, APTDIR/lists and APTDIR/archives
# bind-mounted over the root's apt lists and .deb cache (kept outside the
# guest). The host's resolv.conf goes in (the archive is reached through the
# host's network; the guest has none). Services never start (policy-rc.d
# 101). An initramfs made meanwhile holds the modules the guest boots with
# (MODULES=list: virtio_pci, virtio_blk, ext4; plus whatever the hooks add,
# the package's vfio_claim and vfio-pci included) and a fast zstd level:
# MODULES=dep in a chroot would look at the host's devices, and MODULES=most
# took over 6 minutes per image on this loaded machine. The command's output
# is appended to LOG; its exit status is this script's.
set -eu
target=$1 apt=$2 log=$3
shift 3
mkdir -p "$apt/lists/partial" "$apt/archives/partial"
# shellcheck disable=SC2016 # expanded by the inner sh
exec unshare --mount --propagation private sh -c '
	set -e
	target=$1 apt=$2
	shift 2
	r=$target
	if [ -f "$target" ]; then
		r=$target.mnt
		mkdir -p "$r"
		mount -o loop "$target" "$r"
	fi
	mount -t proc proc "$r/proc"
	mount -t sysfs sysfs "$r/sys"
	mount --bind "$apt/lists" "$r/var/lib/apt/lists"
	mount --bind "$apt/archives" "$r/var/cache/apt/archives"
	cp /etc/resolv.conf "$r/etc/resolv.conf"
	printf "MODULES=list\nCOMPRESSLEVEL=1\n" >"$r/etc/initramfs-tools/conf.d/zz-flow-chroot"
	printf "virtio_pci\nvirtio_blk\next4\n" >"$r/usr/share/initramfs-tools/modules.d/zz-flow-chroot"
	printf "#!/bin/sh\nexit 101\n" >"$r/usr/sbin/policy-rc.d"
	chmod 0755 "$r/usr/sbin/policy-rc.d"
	rc=0
	env -u INITRD DEBIAN_FRONTEND=noninteractive chroot "$r" "$@" || rc=$?
	rm -f "$r/etc/initramfs-tools/conf.d/zz-flow-chroot" "$r/usr/sbin/policy-rc.d" \
		"$r/usr/share/initramfs-tools/modules.d/zz-flow-chroot"
	if [ -f "$target" ]; then
		umount "$r/var/cache/apt/archives" "$r/var/lib/apt/lists" "$r/sys" "$r/proc"
		umount "$r"
		rmdir "$r"
	fi
	exit $rc' sh "$target" "$apt" "$@" >>"$log" 2>&1
