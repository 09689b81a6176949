#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest side of the flow tests and of `make demo`: booted as init= (PID
# 1) from the guest's own disk, it starts udev the way tests/vm/guest/runner.sh
# does, runs the step named by flow.step= on the kernel command line as a
# user would type it, reports on ttyS0 and powers off. The disk is writable
# and kept between boots: what a step writes (config, initramfs) is what the
# next boot finds.
#
# Console protocol, read by tests/vm/flow/flow.py:
#   FLOW-CMD <command line>     a command starts; its output follows
#   FLOW-RC <n> <seconds>       it ended with exit status n
#   FLOW-SAY <text>             narration (the demo shows it)
#   FLOW dev=ADDR driver=D override=O group=G
#   FLOW-DONE
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /run 2>/dev/null
mount -t tmpfs tmpfs /tmp 2>/dev/null
exec </dev/console >/dev/console 2>&1
# Quiet console for the commands' output; the kernel log is dumped at the end.
dmesg -n 1 2>/dev/null

finish() {
	echo FLOW-DONE
	sync
	mount -o remount,ro / 2>/dev/null
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
}
trap finish EXIT

arg() {
	# shellcheck disable=SC2013
	for w in $(cat /proc/cmdline); do
		case $w in "$1"=*) echo "${w#*=}"; return ;; esac
	done
}
step=$(arg flow.step)

/lib/systemd/systemd-udevd --daemon --resolve-names=never
udevadm trigger --type=devices --action=add --subsystem-match=pci
udevadm settle -t 120 || echo "FLOW-SAY udevadm settle timed out"

# run CMD...: print it, run it, print its status and duration.
run() {
	echo "FLOW-CMD $*"
	t0=$(cut -d' ' -f1 /proc/uptime)
	"$@" 2>&1
	rc=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "FLOW-RC $rc $(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')"
	return $rc
}

# drivers ADDR...: "ADDR DRIVER" per device, "-" when it has none.
drivers() {
	for a in "$@"; do
		d=-
		[ -e "/sys/bus/pci/devices/$a/driver" ] &&
			d=$(basename "$(readlink "/sys/bus/pci/devices/$a/driver")")
		echo "$a $d"
	done
}

say() {
	echo "FLOW-SAY $*"
}

state() {
	for d in /sys/bus/pci/devices/*; do
		a=${d##*/}
		drv=-
		[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
		ov=$(cat "$d/driver_override" 2>/dev/null)
		g=-
		[ -e "$d/iommu_group" ] && g=$(basename "$(readlink "$d/iommu_group")")
		echo "FLOW dev=$a id=$(cut -c3- "$d/vendor"):$(cut -c3- "$d/device") driver=$drv override=${ov:-(null)} group=$g"
	done
}

case $step in
# Scenarios 1 and 2: the whole flow, then a config change without --initramfs.
s1-configure)
	run vfio-claim add 0000:00:05.0
	run vfio-claim apply --initramfs
	;;
s1-after)
	state
	run vfio-claim verify
	say "scenario 2: claim the second NIC, apply --now, forget --initramfs"
	run vfio-claim add 0000:00:06.0
	run vfio-claim apply --now
	state
	run vfio-claim verify
	say "scenario 6: remove every claim and apply, but keep the old initramfs"
	run vfio-claim remove 0000:00:05.0
	run vfio-claim remove 0000:00:06.0
	run vfio-claim apply
	run vfio-claim verify
	;;
# Scenario 3: the guides' way, written after the initramfs was built.
s3-configure)
	state
	cat >/etc/modprobe.d/vfio.conf <<'CONF'
# The guides' way: keep e1000e off the NIC and give it to vfio-pci by ID.
blacklist e1000e
options vfio-pci ids=8086:10d3
softdep e1000e pre: vfio-pci
CONF
	run cat /etc/modprobe.d/vfio.conf
	run vfio-claim verify
	;;
s3-after)
	state
	run vfio-claim verify
	;;
# Scenario 4: a device on a built-in driver.
s4-configure)
	state
	# What the kernel's indexes say about the device's driver (for the log).
	run sh -c 'modprobe -R "$(cat /sys/bus/pci/devices/0000:00:05.0/modalias)"'
	run readlink /sys/bus/pci/drivers/serial/module
	run ls /sys/module/8250_pci
	run vfio-claim add 0000:00:05.0
	run vfio-claim apply
	run vfio-claim verify
	run vfio-claim remove 0000:00:05.0
	run vfio-claim add --rebind 0000:00:05.0
	run cat /etc/vfio-claim.conf
	run vfio-claim apply --initramfs
	;;
s4-after)
	state
	run vfio-claim verify
	;;
# Scenario 5: bind and unbind now, on a real kernel, without a config.
s5-bind)
	state
	# vfio-pci is not loaded yet: bind loads it (through libkmod).
	run test ! -d /sys/bus/pci/drivers/vfio-pci
	run vfio-claim bind 0000:00:05.0
	run drivers 0000:00:05.0 0000:00:06.0
	run cat /run/vfio-claim/bound/0000:00:05.0
	run vfio-claim bind 0000:00:05.0
	run vfio-claim unbind 0000:00:05.0
	run drivers 0000:00:05.0 0000:00:06.0
	run test ! -e /run/vfio-claim/bound/0000:00:05.0
	say "two runs at once: the lock makes the second wait"
	run sh -c 'vfio-claim bind 0000:00:05.0 & vfio-claim bind 0000:00:06.0; s=$?; wait $! && exit $s'
	run drivers 0000:00:05.0 0000:00:06.0
	run vfio-claim unbind --json 0000:00:05.0 0000:00:06.0
	run drivers 0000:00:05.0 0000:00:06.0
	say "no record of the driver it had (a claim made at boot): the kernel chooses"
	run vfio-claim bind 0000:00:06.0
	run rm /run/vfio-claim/bound/0000:00:06.0
	run vfio-claim unbind 0000:00:06.0
	run drivers 0000:00:05.0 0000:00:06.0
	;;
# Scenarios 7 and 8 (issue 8): claims applied with the IOMMU on; the same
# disk then boots without an IOMMU (7) and with vfio_claim blacklisted (8).
s7-configure)
	run vfio-claim check
	run vfio-claim add --group 0000:00:05.0
	run vfio-claim add 0000:00:06.0
	run vfio-claim apply --initramfs
	run sh -c "lsinitramfs /boot/initrd.img-$(uname -r) | grep -E 'vfio_claim|vfio-claim'"
	;;
s7-after)
	run vfio-claim verify
	run vfio-claim check
	run sh -c 'udevadm info -q property -p /sys/bus/pci/devices/0000:00:05.0 | grep ^VFIO_CLAIM'
	run sh -c 'udevadm info -q property -p /sys/bus/pci/devices/0000:00:06.0 | grep ^VFIO_CLAIM'
	;;
s8-after)
	run drivers 0000:00:05.0 0000:00:05.1 0000:00:06.0 0000:00:07.0
	run sh -c 'udevadm info -q property -p /sys/bus/pci/devices/0000:00:06.0 | grep ^VFIO_CLAIM'
	run vfio-claim verify
	say "the rules' drivers_probe: vfio-pci and e1000e loaded, the NIC unbound"
	# An override alone never probes: the NIC stays without a driver.
	run sh -c 'echo 0000:00:06.0 >/sys/bus/pci/drivers/vfio-pci/unbind; echo vfio-pci >/sys/bus/pci/devices/0000:00:06.0/driver_override; sleep 2'
	run drivers 0000:00:06.0
	run sh -c 'echo >/sys/bus/pci/devices/0000:00:06.0/driver_override; cat /sys/bus/pci/devices/0000:00:06.0/driver_override'
	# An add event: the rules set the override and make the bus probe it.
	run udevadm trigger --action=add --settle /sys/bus/pci/devices/0000:00:06.0
	run drivers 0000:00:06.0
	;;
# Scenario 11: dracut instead of initramfs-tools, with a guides-style file.
s11-configure)
	state
	run vfio-claim add 0000:00:05.0
	cat >/etc/modprobe.d/vfio.conf <<'CONF'
# The guides' way, beside the claim: vfio-pci takes the NIC's ID.
options vfio-pci ids=8086:10d3
softdep e1000e pre: vfio-pci
CONF
	run vfio-claim apply --initramfs
	run vfio-claim verify
	# The fix verify printed for vfio.conf, run as printed.
	fix=$(vfio-claim verify 2>&1 | sed -n 's|^/etc/modprobe\.d/vfio\.conf: .*; fix: ||p')
	run sh -c "$fix"
	# -v: the checks that hold too (the file now in the image).
	run vfio-claim -v verify
	;;
s11-after)
	state
	run vfio-claim -v verify
	;;
# Scenarios 9 and 10 (issue 12): the package guest (tests/vm/flow/pkg-root.sh:
# the kernel and the two .deb files installed with apt-get). 9: claims, a
# reboot, then (the host installs 6.12 in a chroot of this disk) 6.12.
s9-configure)
	run dpkg-query -W -f '${db:Status-Abbrev} ${Package} ${Version}\n' vfio-claim vfio-claim-dkms
	run dkms status vfio-claim
	run vfio-claim add 0000:00:05.0
	run vfio-claim apply --initramfs
	;;
s9-reboot | s9-after)
	run uname -r
	run modinfo -n vfio_claim
	run dkms status vfio-claim
	run vfio-claim verify
	;;
# 9's end: the old kernel after a purge (in a chroot) with two installed.
s9-old)
	run uname -r
	run test ! -e /sys/module/vfio_claim
	;;
# 10 (on 9's disk after s9-reboot): remove, reboot, purge, reboot. apt needs
# no network for either.
s10-remove)
	run vfio-claim verify
	export DEBIAN_FRONTEND=noninteractive
	run apt-get remove -y vfio-claim vfio-claim-dkms
	run sh -c 'ls /etc/modprobe.d /etc/udev/rules.d | grep vfio'
	run cat /etc/vfio-claim.conf
	run dpkg-query -W -f '${db:Status-Abbrev}${Package}\n' vfio-claim vfio-claim-dkms
	run find /lib/modules -name 'vfio_claim.ko*'
	run sh -c "lsinitramfs /boot/initrd.img-$(uname -r) | grep -E 'vfio_claim|vfio-claim'"
	;;
s10-purge)
	run test ! -e /sys/module/vfio_claim
	export DEBIAN_FRONTEND=noninteractive
	run apt-get purge -y vfio-claim vfio-claim-dkms
	run sh -c 'ls /etc/modprobe.d /etc/udev/rules.d | grep vfio'
	run test ! -e /etc/vfio-claim.conf
	run sh -c 'dpkg-query -W vfio-claim vfio-claim-dkms 2>&1'
	run sh -c "lsinitramfs /boot/initrd.img-$(uname -r) | grep -E 'vfio_claim|vfio-claim'"
	;;
s10-after)
	run test ! -e /sys/module/vfio_claim
	run sh -c 'cat /etc/modprobe.d/* /etc/udev/rules.d/* 2>/dev/null | grep -c vfio'
	;;
# make demo: a user's session.
demo-1)
	say "a fresh guest: the IOMMU groups, and what can go to a virtual machine"
	run vfio-claim list
	say "claim the GPU with the rest of its IOMMU group (its HDMI audio function)"
	run vfio-claim add --group 0000:00:05.0
	run cat /etc/vfio-claim.conf
	say "write modprobe.d, udev rules, and regenerate the initramfs"
	run vfio-claim apply --initramfs
	;;
demo-2)
	say "after the reboot: where the devices are"
	run lspci -nnk -s 00:05
	run vfio-claim list 0000:00:05.0
	say "proof that every claim holds now and at the next boot"
	run vfio-claim verify
	say "the arguments to give QEMU for a virtual machine"
	run vfio-claim export --qemu 0000:00:05.0
	;;
time-initramfs)
	run update-initramfs -u -k all
	;;
*)
	say "no such step: $step"
	;;
esac
state
echo FLOW-DMESG-BEGIN
dmesg --color=never
echo FLOW-DMESG-END
