#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A quick guest check of vfio_claim.ko without the full harness: a busybox
# initramfs boots KERNEL under QEMU TCG with an emulated VT-d and two
# e1000e, loads the module with a bad item in each list (skipped, not
# fatal), checks a bad write is refused, that claimed follows the lists,
# then unloads and reloads it 20 times with a parameter read racing each
# rmmod. Fails on a WARNING, BUG or Oops in the kernel log.
# Not in make check (the VM harness's scenarios are); for development.
#
#   tests/vm/module-smoke/run.sh KERNEL-IMAGE vfio_claim.ko [WORKDIR]
set -eu
[ $# -ge 2 ] || { echo "usage: run.sh KERNEL-IMAGE vfio_claim.ko [WORKDIR]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
kernel=$1 ko=$2 work=${3:-build/module-smoke}
rm -rf "$work" && mkdir -p "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"
cp /usr/bin/busybox "$work/root/bin/"
for l in $(ldd /usr/bin/busybox | grep -o '/[^ ]*'); do
	mkdir -p "$work/root$(dirname "$l")" && cp -L "$l" "$work/root$l"
done
cp "$ko" "$work/root/vfio_claim.ko"
install -m 0755 "$here/init" "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc 2>/dev/null | gzip >../initrd.gz)
# no_timer_check: on a loaded host the TCG guest's timer check can fail.
timeout 600 qemu-system-x86_64 -accel tcg -machine q35,kernel-irqchip=split \
	-m 1024 -smp 1 -nodefaults -vga none -display none -no-reboot \
	-device intel-iommu,intremap=on,caching-mode=on \
	-kernel "$kernel" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 intel_iommu=on iommu=pt panic=1 loglevel=4 no_timer_check" \
	-device e1000e,addr=0x3 -device e1000e,addr=0x4 \
	-serial "file:$work/serial.log" >/dev/null 2>&1 || true
# The serial console ends lines with CR LF.
tr -d '\r' <"$work/serial.log" >"$work/console.log"
log=$work/console.log
sed -n '/SMOKE-END/q;p' "$log" >"$work/until-end.log"
rc=0
grep -aq SMOKE-END "$log" || { echo "module-smoke: the guest did not finish (log $log)"; rc=1; }
if grep -a -E 'WARNING|BUG:|Oops|Call Trace' "$work/until-end.log"; then
	echo "module-smoke: kernel warnings (log $log)"; rc=1
fi
grep -aq "SMOKE badwrite rc=1 ids=8086:10d3" "$log" || { echo "module-smoke: a bad write was not refused"; rc=1; }
grep -aq "SMOKE cleared claimed=$" "$log" || { echo "module-smoke: claimed kept devices the lists no longer name"; rc=1; }
grep -aq "SMOKE ids=8086:10d3 slots=0000:00:03.0 claimed=0000:00:03.0,0000:00:04.0" "$log" ||
	{ echo "module-smoke: the load did not skip the bad items and claim the good ones"; rc=1; }
[ $rc = 0 ] && echo "module-smoke: ok ($(grep -ac 'vfio_claim: unloaded' "$log") unloads, no warning)"
exit $rc
