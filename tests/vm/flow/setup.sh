#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Make what the flow tests and `make demo` boot, for each kernel series given,
# by reusing the VM harness (tests/vm/kernels.sh, tests/vm/prepare.sh) with a
# build tree of their own, so that they never race the harness's:
#
#   tests/vm/flow/setup.sh [6.1|6.12|7|bookworm|all]      prints "SERIES KVER" per kernel
#
#   build/vm-deb/*.deb                    make deb (tests/vm/lib.sh vm_debs)
#   build/vm-flow/{base,stage,k/KVER}     tests/vm/prepare.sh's output
#                                         (the vfio-claim package installed
#                                         with dpkg in each root)
#                                         (base seeded from build/vm/base,
#                                         k/KVER copied from build/vm/k/KVER
#                                         when its inputs are the same)
#   build/vm-flow/flow/KVER/vmlinuz       the Debian kernel
#   build/vm-flow/flow/KVER/initrd.img    the first boot's initramfs
#                                         (prepare.sh's mkinitramfs)
#   build/vm-flow/flow-pkg/KVER/          FLOW_PKG=1: the 6.1 package guest
#                                         (tests/vm/flow/pkg-root.sh)
#   build/vm-flow/flow/KVER/flow.img      the guest's disk: k/KVER/root plus
#                                         /boot/vmlinuz-KVER and
#                                         /boot/initrd.img-KVER (so that
#                                         update-initramfs -u -k all finds
#                                         them), MODULES=dep and
#                                         COMPRESSLEVEL=1, /flow/guest.sh
#
# Nothing outside build/ is written except the Debian packages installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
VM_BUILD=${VM_FLOW_BUILD:-$top/build/vm-flow}
VM_TOP=$top
export VM_BUILD VM_TOP
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"

which=${1:-6.1}
mkdir -p "$VM_LOGS"
exec 9>"$VM_BUILD/.setup.lock"
flock 9

"$top/scripts/install-deps.sh" tool vm >&2
kernels=$("$VM_DIR/kernels.sh" "$which")

# The base root is the harness's, when it has one of the same recipe.
if [ ! -e "$VM_BUILD/base/.vmtest-base" ] && [ -e "$top/build/vm/base/.vmtest-base" ]; then
	vm_log "flow: seeding $VM_BUILD/base from build/vm/base (hard links)"
	rm -rf "$VM_BUILD/base"
	cp -al "$top/build/vm/base" "$VM_BUILD/base"
fi
# shellcheck disable=SC2046
VM_VARIANTS="" vm_timed "flow: prepare.sh" "$VM_DIR/prepare.sh" $(echo "$kernels" | cut -d' ' -f2) >&2
# The dracut guest (scenario 11): FLOW_DRACUT=all for every kernel,
# =bookworm for 6.1 and 6.12 only (run.sh sets it), else none.
# One line of versions separated by spaces: the loop below matches " $dracut ".
case ${FLOW_DRACUT:-} in
all) dracut=$(echo "$kernels" | cut -d' ' -f2 | tr '\n' ' ') ;;
bookworm) dracut=$(echo "$kernels" | awk '$1 == "6.1" || $1 == "6.12" { print $2 }' | tr '\n' ' ') ;;
*) dracut="" ;;
esac
dracut=${dracut% }
if [ -n "$dracut" ]; then
	# No variants and no kd/KVER/root.img: the flow boots flow-dracut's
	# own disk, made below from kd/KVER/root.
	# shellcheck disable=SC2086
	VM_DRACUT_VARIANTS="" VM_DRACUT_ROOT_IMG=0 vm_timed "flow: prepare-dracut.sh" "$VM_DIR/prepare-dracut.sh" \
		$dracut >&2
fi
# The package guest (scenarios 9 and 10), when FLOW_PKG=1 (run.sh sets it):
# bookworm's 6.1 and the two .deb files installed with apt-get in a chroot
# (tests/vm/flow/pkg-root.sh); 6.12's packages are what scenario 9 upgrades to.
if [ "${FLOW_PKG:-0}" = 1 ] && echo "$kernels" | grep -q '^6\.1 '; then
	pkg_kver=$(echo "$kernels" | awk '$1 == "6.1" { print $2 }')
	up_kver=$("$VM_DIR/kernels.sh" 6.12 | cut -d' ' -f2)
	vm_timed "flow: pkg-root.sh" "$here/pkg-root.sh" "$pkg_kver" "$up_kver" >&2
fi

# make_flow_image KVER [dracut]: from k/KVER (initramfs-tools) into
# flow/KVER, or from kd/KVER (dracut) into flow-dracut/KVER.
make_flow_image() {
	kver=$1
	k="$VM_BUILD/k/$kver"
	f="$VM_BUILD/flow/$kver"
	if [ "${2:-}" = dracut ]; then
		k="$VM_BUILD/kd/$kver"
		f="$VM_BUILD/flow-dracut/$kver"
	fi
	# k/stamp holds the packages' hashes (prepare.sh installed them in k/root).
	hash=$(cat "$k/stamp" "$here/guest.sh" "$here/setup.sh" | sha256sum | cut -d' ' -f1)
	if [ -e "$f/flow.img" ] && [ "$(cat "$f/stamp" 2>/dev/null)" = "$hash" ]; then
		return
	fi
	rm -rf "$f"
	mkdir -p "$f"
	cp "$k/vmlinuz" "$f/vmlinuz"
	cp "$k/initrd.img" "$f/initrd.img"
	# A hard-linked copy of the root: only files replaced (unlinked first)
	# or added below differ from prepare.sh's root.
	cp -al "$k/root" "$f/root"
	r="$f/root"
	if [ "${2:-}" = dracut ]; then
		# dracut in a TCG guest: a generic image (no host-only, Debian's
		# default, so /etc/modprobe.d stays out) of only the drivers this
		# guest boots with, quickly compressed.
		mkdir -p "$r/etc/dracut.conf.d"
		cat >"$r/etc/dracut.conf.d/50-flow.conf" <<-'CONF'
			# tests/vm/flow/setup.sh: a small generic image, built fast in TCG.
			hostonly="no"
			drivers="virtio_pci virtio_blk ext4"
			compress="zstd -1"
		CONF
	else
		conf="$r/etc/initramfs-tools/initramfs.conf"
		# update-initramfs in a TCG guest: 13 min with MODULES=most; MODULES=dep
		# and a fast zstd level bring it to a few minutes.
		sed -e 's/^MODULES=.*/MODULES=dep/' -e '$a COMPRESSLEVEL=1' \
			"$k/root/etc/initramfs-tools/initramfs.conf" >"$conf.new"
		rm -f "$conf"
		mv "$conf.new" "$conf"
	fi
	cp "$k/vmlinuz" "$r/boot/vmlinuz-$kver"
	cp "$k/initrd.img" "$r/boot/initrd.img-$kver"
	ln -sf "boot/vmlinuz-$kver" "$r/vmlinuz"
	ln -sf "boot/initrd.img-$kver" "$r/initrd.img"
	mkdir -p "$r/flow"
	install -m 0755 "$here/guest.sh" "$r/flow/guest.sh"
	mke2fs -q -F -t ext4 -d "$r" "$f/flow.img" 3G >/dev/null
	rm -rf "$r"
	echo "$hash" >"$f/stamp"
	vm_log "flow: $kver: guest disk $f/flow.img"
}
for kver in $(echo "$kernels" | cut -d' ' -f2); do
	make_flow_image "$kver"
	case " $dracut " in
	*" $kver "*) make_flow_image "$kver" dracut ;;
	esac
done
echo "$kernels"
