#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build a real initramfs-tools image with this tree's hook, init-top script,
# udev rule and a freshly built vfio_claim.ko, and check that each is in it
# and that init-top/00-vfio-claim runs before init-top/udev.
#
#   initramfs/check-image.sh KVER=PATH/vfio_claim.ko...
#
# Nothing on the host changes: in a private mount namespace, overlays over
# /lib/modules/KVER (the module in updates/, depmod), /usr/lib/udev/rules.d
# and /etc (sample generated files) take the writes; the initramfs-tools
# config is a copy (mkinitramfs -d) with MODULES=list, so that the image
# holds only what hooks add (a few seconds per kernel). Needs root.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
self="$top/initramfs/check-image.sh"

# Sample generated files, as 'vfio-claim apply' writes them.
sample_options="options vfio_claim slots=0000:00:05.0@8086:10d3"
sample_rule='# sample 59-vfio-claim-claims.rules'

inside() {
	kver=$1 ko=$2 tmp=$3
	for d in mods etc rules; do
		mkdir -p "$tmp/$d.up" "$tmp/$d.work"
	done
	mount -t overlay overlay -o "lowerdir=/lib/modules/$kver,upperdir=$tmp/mods.up,workdir=$tmp/mods.work" \
		"/lib/modules/$kver"
	mount -t overlay overlay -o "lowerdir=/usr/lib/udev/rules.d,upperdir=$tmp/rules.up,workdir=$tmp/rules.work" \
		/usr/lib/udev/rules.d
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$tmp/etc.up,workdir=$tmp/etc.work" /etc

	# Whatever DKMS may have installed stays out: this tree's module only.
	find "/lib/modules/$kver" -name 'vfio_claim.ko*' -delete
	install -D -m 0644 "$ko" "/lib/modules/$kver/updates/vfio-claim/vfio_claim.ko"
	depmod "$kver"
	install -m 0644 "$top/udev/60-vfio-claim.rules" /usr/lib/udev/rules.d/
	mkdir -p /etc/modprobe.d /etc/udev/rules.d
	echo "$sample_options" >/etc/modprobe.d/vfio-claim-claims.conf
	echo "$sample_rule" >/etc/udev/rules.d/59-vfio-claim-claims.rules
	echo "0000:00:05.0@8086:10d3" >/etc/vfio-claim.conf

	cp -a /etc/initramfs-tools "$tmp/conf"
	sed -i 's/^MODULES=.*/MODULES=list/' "$tmp/conf/initramfs.conf"
	mkdir -p "$tmp/conf/hooks" "$tmp/conf/scripts/init-top"
	install -m 0755 "$top/initramfs/hooks/vfio-claim" "$tmp/conf/hooks/"
	install -m 0755 "$top/initramfs/scripts/init-top/00-vfio-claim" "$tmp/conf/scripts/init-top/"
	mkinitramfs -d "$tmp/conf" -o "$tmp/initrd.img" "$kver" >"$tmp/mkinitramfs.log" 2>&1 || {
		cat "$tmp/mkinitramfs.log" >&2
		return 1
	}
}

check() {
	kver=$1 ko=$2
	tmp=$(mktemp -d /tmp/vfio-claim-initramfs.XXXXXX)
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	unshare --mount --propagation private "$self" --inside "$kver" "$ko" "$tmp"
	unmkinitramfs "$tmp/initrd.img" "$tmp/x"
	root="$tmp/x"
	[ -d "$root/main" ] && root="$root/main"
	fail=0
	for want in \
		"usr/lib/modules/$kver/updates/vfio-claim/vfio_claim.ko" \
		"usr/lib/modules/$kver/kernel/drivers/vfio/pci/vfio-pci.ko" \
		"usr/lib/modules/$kver/kernel/drivers/vfio/vfio_iommu_type1.ko" \
		usr/lib/udev/rules.d/60-vfio-claim.rules \
		usr/lib/udev/rules.d/59-vfio-claim-claims.rules \
		scripts/init-top/00-vfio-claim \
		etc/modprobe.d/vfio-claim-claims.conf \
		etc/vfio-claim.conf; do
		if [ ! -e "$root/$want" ]; then
			echo "initramfs: $kver: missing $want" >&2
			fail=1
		fi
	done
	# The hook copies the module and pulls its dependencies by modules.dep.
	grep -q "updates/vfio-claim/vfio_claim.ko:" "$root/usr/lib/modules/$kver/modules.dep" || {
		echo "initramfs: $kver: vfio_claim is not in the image's modules.dep" >&2
		fail=1
	}
	grep -qx "$sample_options" "$root/etc/modprobe.d/vfio-claim-claims.conf" 2>/dev/null || fail=1
	order="$root/scripts/init-top/ORDER"
	ours=$(grep -n '^/scripts/init-top/00-vfio-claim ' "$order" | cut -d: -f1)
	udev=$(grep -n '^/scripts/init-top/udev ' "$order" | cut -d: -f1)
	if [ -z "$ours" ] || [ -z "$udev" ] || [ "$ours" -ge "$udev" ]; then
		echo "initramfs: $kver: 00-vfio-claim does not run before udev:" >&2
		cat "$order" >&2
		fail=1
	fi
	if [ $fail = 0 ]; then
		echo "initramfs: $kver: ok: vfio_claim.ko, vfio-pci, vfio_iommu_type1, 60-vfio-claim.rules," \
			"the generated files; init-top ORDER:" \
			"$(grep '^/scripts/init-top/' "$order" | cut -d' ' -f1 | sed 's|.*/||' | tr '\n' ' ')"
	fi
	rm -rf "$tmp"
	trap - EXIT
	return $fail
}

if [ "${1:-}" = "--inside" ]; then
	shift
	inside "$@"
	exit
fi
if [ $# = 0 ]; then
	echo "usage: $0 KVER=PATH/vfio_claim.ko..." >&2
	exit 64
fi
if [ "$(id -u)" != 0 ]; then
	echo "initramfs: needs root (a private mount namespace with overlays)" >&2
	exit 77
fi
rc=0
for arg in "$@"; do
	check "${arg%%=*}" "$(realpath "${arg#*=}")" || rc=1
done
exit $rc
