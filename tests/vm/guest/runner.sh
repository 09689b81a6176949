#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest side of the VM harness: booted as init= (PID 1) from the real
# root after the initramfs, it starts udev the way a booting system does,
# performs the scenario named by vmtest.scenario= on the kernel command
# line, reports on the console (ttyS0) and powers off.
#
# Report lines, parsed by tests/vm/vmtest.py:
#   VMRESULT phase=P dev=ADDR id=VVVV:DDDD class=C driver=D override=O group=G
#   VMRESULT phase=P vfio=/dev/vfio/N
#   VMRESULT phase=P param=NAME value=V          (/sys/module/vfio_claim/parameters)
#   VMRESULT phase=P module=vfio_claim loaded=0|1
#   VMRESULT key=value                           (scenario facts)
#   VMDMESG-BEGIN ... VMDMESG-END                (the whole kernel log)
#   VMTEST-READY NAME                            (the host acts now, e.g. hotplug)
#   VMTEST-DONE
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /run 2>/dev/null
mount -t tmpfs tmpfs /tmp 2>/dev/null
exec </dev/console >/dev/console 2>&1

finish() {
	echo VMTEST-DONE
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
}
trap finish EXIT

arg() {
	# shellcheck disable=SC2013 # words, not lines
	for w in $(cat /proc/cmdline); do
		case $w in "$1"=*) echo "${w#*=}"; return ;; esac
	done
}
scenario=$(arg vmtest.scenario)
variant=$(arg vmtest.variant)
# The same configuration the initramfs was built with (tests/vm/variants).
if [ -n "$variant" ] && [ -d "/vmtest/variants/$variant" ]; then
	cp -a "/vmtest/variants/$variant/." /
fi
echo "VMRESULT scenario=$scenario kernel=$(uname -r)"
echo "VMRESULT initramfs_vfio_claim=$([ -d /sys/module/vfio_claim ] && echo 1 || echo 0)"

settle() {
	udevadm settle -t "${1:-60}" || echo "VMRESULT settle_timeout=1"
}

# The initramfs already did the full coldplug; in the real root, replay the
# PCI devices' add events only: that is where native drivers not in the
# initramfs (snd_hda_intel, bochs) are loaded, and it saves ~10 s of TCG.
start_udev() {
	/lib/systemd/systemd-udevd --daemon --resolve-names=never
	udevadm trigger --type=devices --action=add --subsystem-match=pci
	settle 120
}

# wait_for SECONDS TEST...: poll until the test holds.
wait_for() {
	n=$(($1 * 5))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

report() {
	phase=$1
	for d in /sys/bus/pci/devices/*; do
		a=${d##*/}
		v=$(cat "$d/vendor") dv=$(cat "$d/device") c=$(cat "$d/class")
		drv=-
		[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
		ov=$(cat "$d/driver_override" 2>/dev/null)
		g=-
		[ -e "$d/iommu_group" ] && g=$(basename "$(readlink "$d/iommu_group")")
		echo "VMRESULT phase=$phase dev=$a id=${v#0x}:${dv#0x} class=$c driver=$drv override=${ov:-(null)} group=$g"
	done
	for f in /dev/vfio/*; do
		[ -e "$f" ] && echo "VMRESULT phase=$phase vfio=$f"
	done
	if [ -d /sys/module/vfio_claim ]; then
		echo "VMRESULT phase=$phase module=vfio_claim loaded=1"
		for p in /sys/module/vfio_claim/parameters/*; do
			[ -r "$p" ] || continue
			echo "VMRESULT phase=$phase param=${p##*/} value=$(tr '\n' ' ' <"$p" | sed 's/ *$//')"
		done
	else
		echo "VMRESULT phase=$phase module=vfio_claim loaded=0"
	fi
}

dump() {
	echo VMDMESG-BEGIN
	dmesg --color=never
	echo VMDMESG-END
	echo VMLSPCI-BEGIN
	lspci -nnk
	echo VMLSPCI-END
}

# Modprobe with the options the kernel command line gives (kmod reads them).
reload_claim() {
	if ! modprobe -r vfio_claim; then
		echo "VMRESULT unload_failed=1"
		return 1
	fi
	echo "VMRESULT phase=$1-unloaded module=vfio_claim loaded=$([ -d /sys/module/vfio_claim ] && echo 1 || echo 0)"
	shift
	modprobe vfio_claim "$@" || echo "VMRESULT load_failed=1"
	settle 60
}

case $scenario in
smoke)
	# shellcheck disable=SC2012 # numbers only
	echo "VMRESULT iommu_groups=$(ls /sys/kernel/iommu_groups | tr '\n' ',')"
	start_udev
	report final
	;;
hotplug)
	start_udev
	modprobe e1000e
	echo "VMRESULT native_loaded=$([ -d /sys/module/e1000e ] && echo 1 || echo 0)"
	report before
	addr=$(arg vmtest.hotplug)
	echo "VMTEST-READY hotplug"
	wait_for 120 test -e "/sys/bus/pci/devices/$addr" || echo "VMRESULT hotplug_timeout=1"
	wait_for 30 test -e "/sys/bus/pci/devices/$addr/driver"
	settle 60
	report final
	;;
sriov)
	start_udev
	pf=""
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/sriov_totalvfs" ] && [ "$(cat "$d/sriov_totalvfs")" -gt 0 ] && pf=$d
	done
	echo "VMRESULT pf=${pf##*/} pf_driver=$(basename "$(readlink "$pf/driver")")"
	report before
	echo 2 >"$pf/sriov_numvfs" || echo "VMRESULT numvfs_failed=1"
	for vf in "$pf"/virtfn*; do
		wait_for 30 test -e "$vf/driver"
	done
	settle 60
	report final
	;;
rebind)
	start_udev
	report before
	reload_claim reload rebind=1
	for a in $(arg vmtest.expect | tr , ' '); do
		wait_for 30 test -e "/sys/bus/pci/devices/$a/driver"
	done
	settle 60
	report final
	;;
reload)
	start_udev
	report before
	reload_claim unload1
	report reload1
	reload_claim unload2
	report final
	;;
stress)
	# Scenario i: unload and load vfio_claim in a loop for vmtest.stress=
	# seconds while two readers and two writers hammer its parameter files
	# and the host hot-adds and removes an e1000e (rp2, 01:00.0) over the
	# QEMU monitor; then load it once more with the command line's options.
	start_udev
	report before
	secs=$(arg vmtest.stress)
	p=/sys/module/vfio_claim/parameters
	rm -f /tmp/stress-stop
	for r in 1 2; do
		(n=0
		while [ ! -e /tmp/stress-stop ]; do
			cat $p/ids $p/slots $p/claimed $p/rebind >/dev/null 2>&1
			n=$((n + 1))
		done
		echo "$n" >/tmp/stress-reads-$r) &
	done
	# What the writers write: the hot-added slot on and off, 00:06.0 under
	# a wrong guard (never to be claimed), IDs of no device here, a bad
	# list (refused) and empty lists.
	(n=0
	while [ ! -e /tmp/stress-stop ]; do
		for v in "0000:00:05.0@8086:10d3,0000:01:00.0@8086:10d3" \
			"0000:00:06.0@1234:5678" "01:00.0@8086:10d3,00:05.0" "" "zz:1" \
			"0000:00:05.0@8086:10d3"; do
			{ echo "$v" >$p/slots; } 2>/dev/null
			n=$((n + 1))
		done
	done
	echo "$n" >/tmp/stress-writes-1) &
	(n=0
	while [ ! -e /tmp/stress-stop ]; do
		for v in "1234:1111" "1234:1111,1b36:0005:1af4:1100" "" "not-an-id" "ffff:ffff"; do
			{ echo "$v" >$p/ids; } 2>/dev/null
			n=$((n + 1))
		done
	done
	echo "$n" >/tmp/stress-writes-2) &
	echo "VMTEST-READY stress"
	# At least 5 cycles (on a loaded host one can take many seconds), at
	# most 30.
	end=$(($(cut -d. -f1 /proc/uptime) + ${secs:-40}))
	loads=0 unload_failed=0 load_failed=0
	while [ $loads -lt 5 ] ||
		{ [ $loads -lt 30 ] && [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; }; do
		modprobe -r vfio_claim || unload_failed=$((unload_failed + 1))
		modprobe vfio_claim || load_failed=$((load_failed + 1))
		loads=$((loads + 1))
	done
	touch /tmp/stress-stop
	echo "VMTEST-STRESS-END"
	wait
	echo "VMRESULT stress_loads=$loads stress_unload_failed=$unload_failed stress_load_failed=$load_failed"
	echo "VMRESULT stress_reads=$(($(cat /tmp/stress-reads-1) + $(cat /tmp/stress-reads-2))) stress_writes=$(($(cat /tmp/stress-writes-1) + $(cat /tmp/stress-writes-2)))"
	# The host's last removal takes pciehp's 5 s button delay.
	sleep 8
	modprobe -r vfio_claim || echo "VMRESULT unload_failed=1"
	modprobe vfio_claim || echo "VMRESULT load_failed=1"
	settle 60
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	if [ -e /sys/kernel/debug/kmemleak ]; then
		echo scan >/sys/kernel/debug/kmemleak
		sleep 6
		echo scan >/sys/kernel/debug/kmemleak
		echo "VMRESULT kmemleak=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)"
		cat /sys/kernel/debug/kmemleak
	else
		echo "VMRESULT kmemleak=absent"
	fi
	report final
	;;
capture)
	start_udev
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/sriov_totalvfs" ] && [ "$(cat "$d/sriov_totalvfs")" -gt 0 ] &&
			echo 2 >"$d/sriov_numvfs"
	done
	settle 60
	bind=$(arg vmtest.bind | tr , ' ')
	if [ -n "$bind" ]; then
		modprobe vfio-pci
		# shellcheck disable=SC2086
		vfio-claim bind $bind
		echo "VMRESULT bind_rc=$?"
		settle 60
	fi
	report final
	vfio-claim list
	vfio-claim snapshot /tmp/snap
	echo "VMRESULT snapshot_rc=$?"
	(cd /tmp/snap && tar -cf /dev/vdb .)
	echo "VMRESULT tar_rc=$?"
	sync
	;;
*)
	start_udev
	report final
	;;
esac
dump
