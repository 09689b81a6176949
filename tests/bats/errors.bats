#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Bad input: one line naming the thing and what to do, the documented exit
# code, never a crash, and nothing on stdout.

load helpers

@test "an unknown device" {
	run --separate-stderr "$VC" --root "$FIXTURES/x399" list 0000:99:00.0
	assert_failure 69
	assert_output ""
	assert_equal "$stderr" "vfio-claim: 0000:99:00.0: no such PCI device; 'vfio-claim list' shows the devices present"
}

@test "an ID that matches nothing" {
	run --separate-stderr "$VC" --root "$FIXTURES/x399" list 10de:ffff
	assert_failure 69
	assert_equal "$stderr" "vfio-claim: 10de:ffff: no device with this ID; 'vfio-claim list' shows the devices present"
}

@test "malformed addresses and IDs" {
	for arg in 0a:00 0a:20.0 0a:00.8 zz:00.0 10de:1c3 10de:1c03:1458 10de:1c03x 123456789:00:00.0 "" ,; do
		run --separate-stderr "$VC" --root "$FIXTURES/x399" list "$arg"
		assert_failure 64
		assert_output ""
		assert_equal "$stderr" "vfio-claim: '$arg' is neither a PCI address (0000:0a:00.0, 0a:00.0) nor an ID (10de:1c03, 10de:1c03:1458:3728); try 'vfio-claim list --help'"
	done
}

@test "an unknown --class" {
	run --separate-stderr "$VC" --root "$FIXTURES/x399" list --class toaster
	assert_failure 64
	assert_equal "$stderr" "vfio-claim: --class toaster: unknown class; try 'vfio-claim list --help'"
}

@test "a --root that does not exist" {
	run --separate-stderr "$VC" --root "$BATS_TEST_TMPDIR/nothing" list
	assert_failure 69
	assert_equal "$stderr" "vfio-claim: --root $BATS_TEST_TMPDIR/nothing: No such file or directory; give a directory that holds a sys/ tree"
}

@test "a --root with no sysfs" {
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	run --separate-stderr "$VC" --root "$BATS_TEST_TMPDIR/empty" list
	assert_failure 69
	assert_equal "$stderr" "vfio-claim: $BATS_TEST_TMPDIR/empty/sys/bus/pci: not found; --root must name a tree made by 'vfio-claim snapshot' or laid out like /"
}

@test "an unreadable attribute names the file" {
	root=$(copy_fixture x399)
	dev=$(readlink -f "$root/sys/bus/pci/devices/0000:0a:00.0")
	rm "$dev/uevent" && mkdir "$dev/uevent"
	run --separate-stderr "$VC" --root "$root" list
	assert_failure 69
	assert_output ""
	assert_equal "$stderr" "vfio-claim: ${dev#$root/}/uevent: cannot read: Is a directory; check the file (or run as root) and try again"
}

@test "a malformed attribute names the file" {
	root=$(copy_fixture x399)
	dev=$(readlink -f "$root/sys/bus/pci/devices/0000:0a:00.0")
	rm "$dev/uevent"	# the attributes are read when the kernel gives no uevent
	echo garbage >"$dev/class"
	run --separate-stderr "$VC" --root "$root" list
	assert_failure 69
	assert_equal "$stderr" "vfio-claim: ${dev#$root/}/class: cannot read: Invalid argument; check the file (or run as root) and try again"
}

@test "a device that disappears while being read is left out with a warning" {
	root=$(copy_fixture x399)
	dev=$(readlink -f "$root/sys/bus/pci/devices/0000:0a:00.1")
	rm -rf "$dev"
	run --separate-stderr "$VC" --root "$root" list 0a:00.0
	assert_success
	assert_equal "$stderr" "vfio-claim: warning: 1 PCI device(s) disappeared while being read (hot removal?) and are not shown; run again for a stable view"
	refute_line --partial "0000:0a:00.1"
}

@test "a device that disappears after its link was read" {
	root=$(copy_fixture x399)
	dev=$(readlink -f "$root/sys/bus/pci/devices/0000:0a:00.1")
	rm "$dev/uevent" "$dev/vendor"
	run --separate-stderr "$VC" --root "$root" list 0a:00.0
	assert_success
	[[ "$stderr" == *"1 PCI device(s) disappeared"* ]]
}

@test "snapshot refuses a directory that is not empty" {
	mkdir -p "$BATS_TEST_TMPDIR/full" && touch "$BATS_TEST_TMPDIR/full/x"
	run --separate-stderr "$VC" --root "$FIXTURES/x399" snapshot "$BATS_TEST_TMPDIR/full"
	assert_failure 64
	assert_equal "$stderr" "vfio-claim: $BATS_TEST_TMPDIR/full: exists and is not an empty directory; name a new one"
	[ "$(ls "$BATS_TEST_TMPDIR/full")" = x ]
}

@test "snapshot into a directory that cannot be created leaves nothing" {
	run --separate-stderr "$VC" --root "$FIXTURES/x399" snapshot "$BATS_TEST_TMPDIR/no/such/dir"
	assert_failure 69
	[[ "$stderr" == "vfio-claim: $BATS_TEST_TMPDIR/no/such/dir.partial."*": cannot create: No such file or directory" ]]
	[ ! -e "$BATS_TEST_TMPDIR/no" ]
}

@test "snapshot takes exactly one directory" {
	run --separate-stderr "$VC" snapshot
	assert_failure 64
	assert_equal "$stderr" "vfio-claim: snapshot takes one directory; try 'vfio-claim snapshot --help'"
}
