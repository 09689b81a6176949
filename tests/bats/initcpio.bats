#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The mkinitcpio install hook (mkinitcpio is not in Debian): build() run
# against a stand-in for mkinitcpio's helpers, asserting what it asks for.

load helpers

@test "mkinitcpio hook: the modules, the packaged rule, the generated files and the runtime hook" {
	etc="$BATS_TEST_TMPDIR/etc"
	mkdir -p "$etc/modprobe.d" "$etc/udev/rules.d"
	: >"$etc/modprobe.d/vfio-claim-claims.conf"
	: >"$etc/udev/rules.d/59-vfio-claim-claims.rules"
	: >"$etc/vfio-claim.conf"
	run --separate-stderr "$TOP/tests/initcpio/run-build.sh" "$TOP/initcpio/install/vfio-claim" "$etc"
	assert_success
	output=${output//$etc/ETC}
	assert_expected initcpio/build-applied.txt
}

@test "mkinitcpio hook: before any apply, no generated file is asked for" {
	run --separate-stderr "$TOP/tests/initcpio/run-build.sh" "$TOP/initcpio/install/vfio-claim" "$BATS_TEST_TMPDIR/none"
	assert_success
	assert_expected initcpio/build-empty.txt
}
