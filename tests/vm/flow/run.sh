#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The user's whole flow in a QEMU guest, across reboots, on Debian's real
# kernels (TCG, q35, emulated VT-d):
#
#   1  vfio-claim add, apply --initramfs, reboot, verify exits 0
#   2  then a config change applied without --initramfs: verify exits 1,
#      the initramfs is stale
#   3  the guides' way (blacklist e1000e, options vfio-pci ids=, softdep)
#      written after the initramfs was built: e1000e still takes the NIC at
#      the next boot, and verify exits 1 naming the file the initramfs lacks
#   4  pci-serial (8250_pci, built in): verify says to add 'rebind'; with
#      add --rebind, apply --initramfs and a reboot it ends on vfio-pci
#   6  (on scenario 1's guest) every claim removed and applied, the old
#      initramfs kept: verify exits 1, the next boot would still claim
#   5  bind and unbind now: the device really moves, the driver it had
#      comes back, two runs at once both end well, and with no record of
#      its driver the kernel chooses
#   7  claims applied (module and rules in the initramfs), then a boot with
#      no IOMMU: every device on the driver it had, verify's one cause,
#      check says off (its item states against expected ones, also with it on)
#   8  (on 7's configured disk) vfio_claim refused by module_blacklist=: the
#      udev rules alone claim, no native probe, the rules' drivers_probe
#   9  (the package guest, 6.1 only) the kernel and the two .deb files
#      installed with apt-get: claims applied hold after a reboot; then the
#      6.12 image and headers installed (apt-get in a chroot of the guest's
#      disk): DKMS builds vfio_claim by itself, 6.12 boots, claims hold,
#      verify exits 0; then apt-get purge (chroot) with both kernels: each
#      image rebuilt without vfio-claim, 6.1 boots with nothing claimed
#   10 (on 9's disk after its reboot) apt-get remove, reboot: nothing
#      claimed, the config kept; apt-get purge: the config gone, the
#      initramfs rebuilt; reboot: nothing claimed
#   11 dracut instead of initramfs-tools: add, apply --initramfs runs
#      dracut; a guides-style options file left out of the generic image is
#      explained and verify's fix puts it in; reboot, verify exits 0
#
#   tests/vm/flow/run.sh [--kernel default|6.1|6.12|7|bookworm|all] [--jobs N] [1|3|4|5|7|9|10|11 ...]
#
# --kernel default (make check-vm-flow's): the three kernels, with 1-8 on
# 6.1 and 7.x only, 9 and 10 on 6.1 and 11 on 6.1 and 6.12 (flow.py's
# DEFAULT_SERIES and ONLY_ON). Any other --kernel runs 1-8 on every kernel it
# names (9 and 10 only on 6.1, 11 only on 6.1 and 6.12, unless named); a
# scenario named runs on every kernel given (9 and 10 boot on 6.1 only).
#
# Installs what it needs, prepares build/vm-flow with the VM harness
# (tests/vm/flow/setup.sh), boots the guests (tests/vm/flow/flow.py). One
# line per scenario and kernel, then "N passed, N failed"; exit 0 when all
# pass. Serial logs: build/vm-flow/logs/flow-SERIES-sN-BOOT.log.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

kernel=${VM_KERNEL:-6.1}
jobs=${VM_JOBS:-3}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--kernel=*) kernel=${1#*=}; shift ;;
	--jobs) jobs=$2; shift 2 ;;
	--list) exec python3 "$here/flow.py" --list ;;
	-h | --help) sed -n '3,48p' "$0"; exit 0 ;;
	-*) echo "usage: $0 [--kernel default|6.1|6.12|7|bookworm|all] [--jobs N] [1|3|4|5|7|9|10|11 ...]" >&2; exit 64 ;;
	*) break ;;
	esac
done
t0=$(date +%s)
# default: all three kernels, each scenario on its default series only.
every=--every-series
if [ "$kernel" = default ]; then
	kernel=all every=""
fi
# Scenario 11's dracut guest: for every kernel given when 11 is named; by
# default (no scenario named) for the kernels of its ONLY_ON, 6.1 and 6.12
# (setup.sh's bookworm); else none.
case " $* " in
*" 11 "*) FLOW_DRACUT=all ;;
"  ") FLOW_DRACUT=bookworm ;;
*) FLOW_DRACUT="" ;;
esac
export FLOW_DRACUT
# The package guest (9, 10): by default and when they are named (setup.sh
# makes it only when 6.1 is among the kernels).
case " $* " in
"  " | *" 9 "* | *" 10 "*) FLOW_PKG=1; export FLOW_PKG ;;
esac
kernels=$("$here/setup.sh" "$kernel")
echo "flow: guests prepared in $(($(date +%s) - t0))s" >&2
set -- --jobs "$jobs" $every "$@"
for kv in $(echo "$kernels" | tr ' ' '='); do
	set -- --kernel "$kv" "$@"
done
rc=0
python3 "$here/flow.py" "$@" || rc=$?
echo "flow: total $(($(date +%s) - t0))s" >&2
VM_TOP=$(cd "$here/../../.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$VM_TOP/tests/vm/lib.sh"
vm_disk_report "${VM_FLOW_BUILD:-$VM_TOP/build/vm-flow}"
exit $rc
