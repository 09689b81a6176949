#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# vfio-claim list on every fixture tree: the whole output, human and JSON,
# against expected files; and the verdicts the guides' machines call for.

load helpers

machines() {
	for d in "$FIXTURES"/*/; do
		[ -d "$d/sys" ] && basename "$d"
	done
}

@test "list: every fixture, human and JSON, matches its expected output" {
	for m in $(machines); do
		run --separate-stderr "$VC" --root "$FIXTURES/$m" list
		case $m in no-iommu | fw-off) assert_failure 1 ;; *) assert_success ;; esac
		assert_expected "list/$m.txt"
		run --separate-stderr "$VC" --root "$FIXTURES/$m" --json list
		case $m in no-iommu | fw-off) assert_failure 1 ;; *) assert_success ;; esac
		assert_expected "list/$m.json"
		python3 -m json.tool >/dev/null <<<"$output" || fail "$m: --json list is not valid JSON"
	done
}

@test "x399: the WX 5100 is the boot VGA and blocks its group" {
	run --separate-stderr "$VC" --root "$FIXTURES/x399" list 43:00.0
	assert_success
	assert_line --regexp "^IOMMU group [0-9]+: blocked: not safe to give to a guest$"
	assert_line --regexp "^  0000:43:00\.0 \[1002:67c7\] VGA compatible controller \[0300\]: .*Radeon Pro WX 5100"
	assert_line --regexp "^ +driver amdgpu .* boot-VGA$"
	assert_line "    blocked: 0000:43:00.0 the boot VGA device (the host's console)"
}

@test "x399: the GTX 1060's group can go to a guest once its two functions are claimed" {
	run --separate-stderr "$VC" --root "$FIXTURES/x399" list 10de:1c03
	assert_success
	assert_line --regexp "^IOMMU group [0-9]+: claimable: can go to a guest once 0000:0a:00\.0 and 0000:0a:00\.1 are claimed$"
	assert_line "    not now: 0000:0a:00.0 bound to host driver nouveau"
	assert_line "    not now: 0000:0a:00.1 bound to host driver snd_hda_intel"
}

@test "x399: --json list says the same and parses" {
	run --separate-stderr "$VC" --root "$FIXTURES/x399" --json list 0a:00.0
	assert_success
	run python3 -c '
import json, sys
doc = json.load(sys.stdin)
[g] = doc["groups"]
print(g["verdict"], g["guest_now"], g["guest_once_claimed"], " ".join(g["claim"]))
' <<<"$output"
	assert_output "claimable False True 0000:0a:00.0 0000:0a:00.1"
}

@test "intel-gtx960: the root port in group 1 is a bridge and is not claimed" {
	run --separate-stderr "$VC" --root "$FIXTURES/intel-gtx960" list 01:00.0
	assert_success
	assert_line "IOMMU group 1: claimable: can go to a guest once 0000:01:00.0 and 0000:01:00.1 are claimed"
	assert_line --regexp "^ +driver pcieport .*  bridge$"
}

@test "bcm5720: the NIC with an interface up is blocked, and says which" {
	run --separate-stderr "$VC" --root "$FIXTURES/bcm5720" list 14e4:165f
	assert_success
	assert_line "IOMMU group 16: blocked: not safe to give to a guest"
	assert_line "    blocked: 0000:02:00.0 network interface eno1 is up"
	refute_line --partial "blocked: 0000:02:00.1"
}

@test "hd4850-twin: one ID, two cards: the one on vfio-pci is ready, the other claimable" {
	run --separate-stderr "$VC" --root "$FIXTURES/hd4850-twin" list 1002:9442
	assert_success
	assert_line --regexp "^IOMMU group [0-9]+: ready: can go to a guest now$"
	assert_line --regexp "^IOMMU group [0-9]+: claimable: can go to a guest once 0000:01:00\.0 and 0000:01:00\.1 are claimed$"
}

@test "no-iommu: every device marked as having no group, then the kernel arguments for its Intel CPU, exit 1" {
	run --separate-stderr "$VC" --root "$FIXTURES/no-iommu" list
	assert_failure 1
	assert_line --index 0 "No IOMMU group, as the IOMMU is off (none can be passed through until it is on):"
	assert_line "  0000:02:00.0 [15b7:5009] Non-Volatile memory controller [0108]: Sandisk Corp SanDisk Ultra 3D / WD PC SN530, IX SN530, Blue SN550 NVMe SSD (DRAM-less) (rev 01)"
	assert_line "No IOMMU groups: the IOMMU is off or absent; enable VT-d in the firmware and boot with intel_iommu=on iommu=pt; 'vfio-claim check' tells which"
}

@test "--class filters groups by the class of their members" {
	for class in gpu audio net storage usb nvme bridge; do
		run --separate-stderr "$VC" --root "$FIXTURES/x399" list --class "$class"
		assert_success
		assert_expected "list/x399-class-$class.txt"
	done
}

@test "several filters: addresses and IDs together" {
	run --separate-stderr "$VC" --root "$FIXTURES/x399" list 0a:00.1 1002:67c7
	assert_success
	assert_expected "list/x399-two-filters.txt"
}

@test "snapshot of a tree lists the same as the tree" {
	for m in $(machines); do
		rm -rf "$BATS_TEST_TMPDIR/snap"
		run --separate-stderr "$VC" --root "$FIXTURES/$m" snapshot "$BATS_TEST_TMPDIR/snap"
		assert_success
		assert_output --regexp "^$BATS_TEST_TMPDIR/snap: [0-9]+ files and [0-9]+ links; "
		diff <("$VC" --root "$FIXTURES/$m" --json list) <("$VC" --root "$BATS_TEST_TMPDIR/snap" --json list) ||
			fail "$m: the snapshot lists differently"
	done
}

@test "snapshot copies links as relative links and no absolute ones" {
	run --separate-stderr "$VC" --root "$FIXTURES/x399" snapshot "$BATS_TEST_TMPDIR/snap"
	assert_success
	run find "$BATS_TEST_TMPDIR/snap" -type l -lname '/*'
	assert_output ""
	[ -L "$BATS_TEST_TMPDIR/snap/sys/bus/pci/devices/0000:0a:00.0" ]
	[ -f "$BATS_TEST_TMPDIR/snap/proc/self/mountinfo" ]
	[ -f "$BATS_TEST_TMPDIR/snap/proc/cmdline" ]
}

@test "snapshot of this machine keeps what verify and apply read from /proc" {
	run --separate-stderr "$VC" snapshot "$BATS_TEST_TMPDIR/live"
	assert_success
	for f in cmdline self/mountinfo cpuinfo interrupts; do
		[ -s "$BATS_TEST_TMPDIR/live/proc/$f" ] || fail "proc/$f was not copied"
	done
	diff <("$VC" --json list) <("$VC" --root "$BATS_TEST_TMPDIR/live" --json list) ||
		fail "the snapshot lists differently from the machine"
}
