#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bench, not pass/fail: the GPU + audio, hotplug and SR-IOV scenarios done
# three ways, on each kernel, counting from the dd.c dynamic debug lines how
# many times a native driver probed a device meant for vfio-pci:
#   vfio-claim     this package's module (options on the kernel command line)
#   udev-override  driverctl's way: a udev rule per device sets
#                  driver_override (tests/vm/variants/udev-override)
#   modprobe-ids   the guides' way: options vfio-pci ids= and softdep
#                  NATIVE pre: vfio-pci (tests/vm/variants/modprobe-ids)
# The two today's methods boot with module_blacklist=vfio_claim, with their
# configuration in the initramfs (as after update-initramfs) and in the root.
# Prints a markdown table on stdout.
#
#   tests/vm/side-by-side.sh [--kernel 6.1|6.12|all] [--jobs N]
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=all
jobs=${VM_JOBS:-2}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--kernel=*) kernel=${1#*=}; shift ;;
	--jobs) jobs=$2; shift 2 ;;
	*) echo "usage: $0 [--kernel 6.1|6.12|all] [--jobs N]" >&2; exit 64 ;;
	esac
done
mkdir -p "$VM_LOGS"
"$VM_TOP/scripts/install-deps.sh" vm >&2
kernels=$("$VM_DIR/kernels.sh" "$kernel")
VM_VARIANTS="claim-modprobed udev-override modprobe-ids"
export VM_VARIANTS
# shellcheck disable=SC2046
"$VM_DIR/prepare.sh" $(echo "$kernels" | cut -d' ' -f2) >&2
set --
for kv in $(echo "$kernels" | tr ' ' '='); do
	set -- "$@" --kernel "$kv"
done
exec python3 "$VM_DIR/vmtest.py" --bench --jobs "$jobs" "$@"
