#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Reproduce tests/fixtures/qemu-q35: boot the 6.1 guest with a varied
# topology (a VGA + HDA multifunction slot, two e1000e, nvme with two SR-IOV
# VFs behind a root port, an xHCI behind a second root port, a conventional
# pci-bridge with two devices, pci-serial), give the second e1000e to vfio-pci
# with `vfio-claim bind`, run `vfio-claim snapshot` in the guest, copy the
# tree out through a second virtio disk (a tar archive), and check that
# `vfio-claim --root tests/fixtures/qemu-q35 list` works on the host.
#
#   tests/vm/capture-fixture.sh
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

fixture="$VM_TOP/tests/fixtures/qemu-q35"
make -C "$VM_TOP" --no-print-directory all >&2
"$VM_TOP/scripts/install-deps.sh" vm >&2
kver=$("$VM_DIR/kernels.sh" 6.1 | cut -d' ' -f2)

# The package when it installs; else a bare guest with only the tool.
extra="$VM_BUILD/capture-root"
rm -rf "$extra"
mkdir -p "$extra/usr/local/bin"
cp "$VM_TOP/build/vfio-claim" "$extra/usr/local/bin/"
VM_EXTRA_ROOT=$extra "$VM_DIR/prepare.sh" "$kver" || {
	vm_log "the package does not install; capturing with a bare guest and the tool only"
	VM_PACKAGE=0 VM_EXTRA_ROOT=$extra "$VM_DIR/prepare.sh" "$kver"
}

rm -f "$VM_BUILD/capture.tar"
truncate -s 64M "$VM_BUILD/capture.tar"
python3 "$VM_DIR/vmtest.py" --kernel "6.1=$kver" capture

tmp="$fixture.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
tar -xf "$VM_BUILD/capture.tar" -C "$tmp"
[ -d "$tmp/sys" ] || vm_die "the capture holds no sys/ tree"
rm -rf "$fixture"
mv "$tmp" "$fixture"
vm_log "fixture: $fixture ($(find "$fixture" | wc -l) entries)"
"$VM_TOP/build/vfio-claim" --root "$fixture" list
