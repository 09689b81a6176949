#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# vfio-claim check (is the host ready for passthrough?) on the readiness
# fixtures (tests/fixtures/machines/_host.py): the whole output, human and
# JSON; the cases each fixture does not cover, on edited copies; list and
# verify on a machine that is not ready.

load helpers

@test "check: each readiness fixture, human and JSON, matches its expected output" {
	for m in no-iommu fw-off no-intremap ready x399; do
		run --separate-stderr "$VC" --root "$FIXTURES/$m" check
		case $m in ready | x399) assert_success ;; *) assert_failure 1 ;; esac
		assert_equal "$stderr" ""
		assert_expected "check/$m.txt"
		run --separate-stderr "$VC" --root "$FIXTURES/$m" --json check
		case $m in ready | x399) assert_success ;; *) assert_failure 1 ;; esac
		assert_expected "check/$m.json"
		python3 -m json.tool >/dev/null <<<"$output" || fail "$m: --json check is not valid JSON"
	done
}

@test "check tells the IOMMU off in the firmware from off on the command line" {
	run --separate-stderr "$VC" --root "$FIXTURES/fw-off" check
	assert_line --regexp "^FAIL  iommu-firmware: no ACPI IVRS table: the IOMMU is off in the firmware"
	assert_line --regexp "^FAIL  iommu-now: off in the firmware: "
	run --separate-stderr "$VC" --root "$FIXTURES/no-iommu" check
	assert_line --regexp "^PASS  iommu-firmware: the firmware describes the IOMMU \(ACPI DMAR table\)$"
	assert_line --regexp "^FAIL  iommu-now: off on the kernel command line: .*; fix: add intel_iommu=on iommu=pt to GRUB's command line \\('vfio-claim apply --kernel-args' writes a drop-in\\), run grub-mkconfig -o /boot/grub/grub.cfg and reboot$"
}

@test "check names an argument that turns the IOMMU off, now and at the next boot" {
	ROOT=$(copy_fixture no-iommu)
	sed -i 's/ quiet$/ quiet intel_iommu=off/' "$ROOT/proc/cmdline"
	sed -i 's/^GRUB_CMDLINE_LINUX=""/GRUB_CMDLINE_LINUX="iommu=off"/' "$ROOT/etc/default/grub"
	run --separate-stderr "$VC" --root "$ROOT" check
	assert_failure 1
	assert_line "FAIL  iommu-now: off: the kernel command line turns it off (intel_iommu=off); there are no IOMMU groups; fix: add intel_iommu=on iommu=pt (instead of intel_iommu=off) to GRUB's command line ('vfio-claim apply --kernel-args' writes a drop-in), run grub-mkconfig -o /boot/grub/grub.cfg and reboot"
	assert_line "FAIL  iommu-next-boot: the next boot's command line (GRUB_CMDLINE_LINUX* in /etc/default/grub, no grub.cfg yet) turns the IOMMU off (iommu=off); fix: remove iommu=off; add intel_iommu=on iommu=pt to GRUB's command line ('vfio-claim apply --kernel-args' writes a drop-in), run grub-mkconfig -o /boot/grub/grub.cfg and reboot"
}

@test "check: on now, but the next boot's /etc/kernel/cmdline would turn it off" {
	ROOT=$(copy_fixture ready)
	rm -r "$ROOT/etc/default"
	mkdir -p "$ROOT/etc/kernel"
	echo "root=UUID=5a0c9e3b-2d7f-4b61-8e94-c7a1f3d5b290 ro quiet" >"$ROOT/etc/kernel/cmdline"
	run --separate-stderr "$VC" --root "$ROOT" check
	assert_failure 1
	assert_line "FAIL  iommu-next-boot: the next boot's command line (/etc/kernel/cmdline) lacks intel_iommu=on: the IOMMU will be off after a reboot although it is on now; fix: add intel_iommu=on iommu=pt to /etc/kernel/cmdline, run kernel-install add (or reinstall the kernel) and reboot"
	rm -r "$ROOT/etc/kernel"
	run --separate-stderr "$VC" --root "$ROOT" check
	assert_success
	assert_line "WARN  iommu-next-boot: not checked: no grub.cfg, /etc/default/grub, loader entries or /etc/kernel/cmdline; the next boot's command line is the boot loader's"
}

@test "check: allow_unsafe_interrupts=Y makes missing interrupt remapping a warning" {
	ROOT=$(copy_fixture no-intremap)
	echo Y >"$ROOT/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"
	run --separate-stderr "$VC" --root "$ROOT" check
	assert_success
	assert_line "WARN  interrupt-remapping: off, and vfio_iommu_type1.allow_unsafe_interrupts=Y lets vfio work without it: a guest can then raise interrupts (MSI writes) the host never gave it; fix: enable interrupt remapping in the firmware setup, then drop allow_unsafe_interrupts"
	assert_line "ready for passthrough, with warnings above"
}

@test "check: a vfio module missing for the running kernel fails with the package to install" {
	ROOT=$(copy_fixture no-iommu)
	sed -i '/vfio-pci.ko:/d' "$ROOT/lib/modules/6.1.0-28-amd64/modules.dep"
	run --separate-stderr "$VC" --root "$ROOT" check
	assert_failure 1
	assert_line "FAIL  vfio-modules: vfio_pci missing for 6.1.0-28-amd64; vfio (module), vfio_iommu_type1 (module); fix: install the modules of 6.1.0-28-amd64 (Debian: linux-image-6.1.0-28-amd64; Ubuntu: linux-modules-extra-6.1.0-28-amd64); a kernel of your own needs CONFIG_VFIO_PCI"
	# Built in counts as available.
	echo "kernel/drivers/vfio/pci/vfio-pci.ko" >>"$ROOT/lib/modules/6.1.0-28-amd64/modules.builtin"
	run --separate-stderr "$VC" --root "$ROOT" check
	assert_line "PASS  vfio-modules: vfio (module), vfio_iommu_type1 (module), vfio_pci (built in) for 6.1.0-28-amd64"
}

@test "check: no CPU virtualization, no KVM" {
	ROOT=$(copy_fixture no-iommu)
	sed -i 's/ vmx / /' "$ROOT/proc/cpuinfo"
	rm "$ROOT/dev/kvm"
	run --separate-stderr "$VC" --root "$ROOT" check
	assert_line "FAIL  cpu-virt: no vmx or svm in /proc/cpuinfo: virtualization is off in the firmware, or the CPU has none; fix: enable 'Intel Virtualization Technology' (VT-x) in the firmware setup"
	assert_line "FAIL  kvm: no /dev/kvm: KVM needs CPU virtualization; fix: turn CPU virtualization on first (cpu-virt)"
}

@test "check: each claimed device's reset, and a GPU family known for the reset bug" {
	run --separate-stderr "$VC" --root "$FIXTURES/ready" check
	assert_line "PASS  reset 0000:01:00.0: resets: bus (a bus reset resets everything behind its bridge: give the whole card to one guest)"
	assert_line "WARN  reset 0000:04:00.0: AMD Polaris 10: a family known to fail to reset between guest boots (the AMD reset bug): after the guest stops, the card may not come back until the host reboots; fix: install vendor-reset (github.com/gnif/vendor-reset, DKMS) and 'echo device_specific > /sys/bus/pci/devices/0000:04:00.0/reset_method'"
	ROOT=$(copy_fixture ready)
	echo "pm" >"$ROOT/sys/bus/pci/devices/0000:01:00.0/reset_method"
	: >"$ROOT/sys/bus/pci/devices/0000:01:00.1/reset_method"
	run --separate-stderr "$VC" --root "$ROOT" check
	assert_line "WARN  reset 0000:01:00.0: only a power-management reset (pm), which many devices ignore: no FLR and no bus reset; fix: give it only to a guest that starts once per host boot"
	assert_line "WARN  reset 0000:01:00.1: no reset method (no FLR, no bus reset): the device keeps its state from one guest to the next; fix: give it only to a guest that starts once per host boot, or use a slot whose bridge can reset it"
	# Since 5.15 the kernel hides reset_method from a device with no reset
	# method at all (QEMU's VGA in a 6.12 guest): that is no reset, not "not checked".
	rm "$ROOT/sys/bus/pci/devices/0000:01:00.1/reset_method"
	run --separate-stderr "$VC" --root "$ROOT" check
	assert_line "WARN  reset 0000:01:00.1: no reset method (no FLR, no bus reset): the device keeps its state from one guest to the next; fix: give it only to a guest that starts once per host boot, or use a slot whose bridge can reset it"
}

@test "check takes no arguments" {
	run --separate-stderr "$VC" --root "$FIXTURES/ready" check 01:00.0
	assert_failure 64
	assert_equal "$stderr" "vfio-claim: '01:00.0': check takes no arguments; try 'vfio-claim check --help'"
}

@test "list without IOMMU groups shows every device, then the advice for the CPU found" {
	run --separate-stderr "$VC" --root "$FIXTURES/fw-off" list
	assert_failure 1
	assert_line "  0000:0a:00.0 [1002:67df] VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590] (rev e7)"
	assert_line "No IOMMU groups: the IOMMU is off or absent; enable the IOMMU (AMD-Vi) in the firmware (the kernel turns it on by itself; iommu=pt is recommended); 'vfio-claim check' tells which"
	[ "$(grep -c '^  0000:' <<<"$output")" = "$(ls "$FIXTURES/fw-off/sys/bus/pci/devices" | wc -l)" ] ||
		fail "not every device is listed"
	run --separate-stderr "$VC" --root "$FIXTURES/fw-off" --json list
	run python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["cpu_vendor"], d["advice"], len(d["ungrouped"]))' <<<"$output"
	assert_output "amd ['enable the IOMMU (AMD-Vi) in the firmware (the kernel turns it on by itself; iommu=pt is recommended)'] 12"
	# Without /proc/cpuinfo it cannot tell: both.
	ROOT=$(copy_fixture no-iommu)
	rm "$ROOT/proc/cpuinfo"
	run --separate-stderr "$VC" --root "$ROOT" list
	assert_failure 1
	assert_line "No IOMMU groups: the IOMMU is off or absent; enable VT-d or AMD-Vi in the firmware and boot with intel_iommu=on iommu=pt (an AMD kernel needs no argument to turn it on); 'vfio-claim check' tells which"
}

@test "verify with nothing configured: the host's report, nothing is claimed, no module index needed" {
	run --separate-stderr "$VC" --root "$FIXTURES/fw-off" verify
	assert_failure 1
	assert_equal "$stderr" ""
	assert_expected check/verify-nothing-fw-off.txt
	run --separate-stderr "$VC" --root "$FIXTURES/fw-off" --json verify
	assert_failure 1
	run python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], d["claims"], d["host"]["ready"], [c["subject"] for c in d["checks"] if not c["ok"]])' <<<"$output"
	assert_output "False False False ['iommu-firmware']"
	# A ready host with its claims removed: exit 0, without modules.dep.bin.
	ROOT=$(copy_fixture ready)
	rm "$ROOT/etc/vfio-claim.conf"
	[ ! -e "$ROOT/lib/modules/6.12.48+deb13-amd64/modules.dep.bin" ]
	run --separate-stderr "$VC" --root "$ROOT" verify
	assert_success
	assert_line "nothing is claimed: /etc/vfio-claim.conf has no claims and modprobe.d has no 'options vfio-pci ids='; 'vfio-claim list' shows the devices, 'vfio-claim add DEVICE' claims one"
	# Claims, or an ids= line made by hand, need the module index.
	mkdir -p "$ROOT/etc/modprobe.d"
	echo "options vfio-pci ids=10de:2503" >"$ROOT/etc/modprobe.d/vfio.conf"
	run --separate-stderr "$VC" --root "$ROOT" verify
	assert_failure 69
	run --separate-stderr "$VC" --root "$FIXTURES/ready" verify
	assert_failure 69
	assert_equal "$stderr" "vfio-claim: /lib/modules/6.12.48+deb13-amd64: no module index (modules.dep.bin) to find the native drivers in; install the kernel's modules or run 'depmod 6.12.48+deb13-amd64'"
}

@test "verify with claims reports what the claims need from the host, not what a guest needs" {
	ROOT=$(copy_fixture no-intremap)
	"$TOP/tests/modules/mkmodules.sh" "$ROOT" 6.1.0-28-amd64
	rm "$ROOT/dev/kvm"
	echo "0000:01:00.0@8086:1521" >"$ROOT/etc/vfio-claim.conf"
	run --separate-stderr "$VC" --root "$ROOT" verify
	assert_failure 1
	assert_line "interrupt-remapping: off: no remapped interrupts (IR-) in /proc/interrupts, and vfio_iommu_type1 refuses to attach a device's group without it; fix: enable interrupt remapping (and x2APIC) in the firmware setup; only if the risk is accepted: 'options vfio_iommu_type1 allow_unsafe_interrupts=1' in /etc/modprobe.d"
	refute_line --partial "kvm"
	refute_line --partial "acs-override"
}

@test "check: an unreadable /proc/interrupts fails the interrupt-remapping item, an absent one is not checked" {
	root=$(copy_fixture ready)
	rm -f "$root/proc/interrupts"
	mkdir "$root/proc/interrupts"
	run --separate-stderr "$VC" --root "$root" check
	assert_failure 1
	assert_line "FAIL  interrupt-remapping: /proc/interrupts cannot be read: Is a directory; fix: make /proc/interrupts readable (it is the only record of interrupt remapping)"
	rmdir "$root/proc/interrupts"
	run --separate-stderr "$VC" --root "$root" check
	assert_success
	assert_line "WARN  interrupt-remapping: not checked: no /proc/interrupts under the root"
}
