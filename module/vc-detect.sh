#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Which driver_override API PCI uses in the kernel headers a compiler sees:
# a compile test, run by Kbuild with the kernel's own compiler and flags.
#
#   vc-detect.sh CC [FLAG...]     prints old, mixed or new (see vc_override.h)
#
# old    struct pci_dev has driver_override; no device_set_driver_override()
# mixed  struct pci_dev has driver_override and device.h already has
#        device_set_driver_override(): PCI still reads the pci_dev field
#        (upstream v7.0: the driver-core helpers came a release before PCI's
#        use of them), so the pci_dev field is the one to set
# new    struct pci_dev has no driver_override: PCI reads struct device's
#
# What PCI matches on is what counts, so the test is on struct pci_dev, not
# a grep of device.h. Exit 1 (nothing printed) when even <linux/pci.h> does
# not compile: the flags or the headers are wrong, and guessing would build
# a module that sets a field nothing reads.
set -u

[ $# -ge 1 ] || { echo "usage: vc-detect.sh CC [FLAG...]" >&2; exit 2; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

try() {
	"$@" -fsyntax-only -Werror=implicit-function-declaration -c "$tmp/t.c" \
		>"$tmp/log" 2>&1
}

printf '%s\n' '#include <linux/pci.h>' >"$tmp/t.c"
if ! try "$@"; then
	echo "vc-detect: <linux/pci.h> does not compile with these flags:" >&2
	tail -5 "$tmp/log" >&2
	exit 1
fi

cat >"$tmp/t.c" <<'C'
#include <linux/pci.h>
int vc_detect(struct pci_dev *pdev);
int vc_detect(struct pci_dev *pdev) { return pdev->driver_override != NULL; }
C
if ! try "$@"; then
	echo new
	exit 0
fi

cat >"$tmp/t.c" <<'C'
#include <linux/pci.h>
#include <linux/device.h>
int vc_detect(struct device *dev);
int vc_detect(struct device *dev) { return device_set_driver_override(dev, "x"); }
C
if try "$@"; then
	echo mixed
else
	echo old
fi
