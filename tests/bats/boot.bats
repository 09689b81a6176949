#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The boot paths (issue 8, items 6-7): the generated udev rules, the host
# model under --root (firmware framebuffers, a built-in vfio-pci, the forms
# users write to load early or blacklist), on writable copies of fixtures.

load helpers

KVER=6.1.0-99-amd64

setup() {
	ROOT=$(copy_fixture x399)
	"$TOP/tests/modules/mkmodules.sh" "$ROOT" "$KVER"
	mkdir -p "$ROOT/etc/modprobe.d" "$ROOT/etc/udev/rules.d"
	export VFIO_CLAIM_LOCK_TIMEOUT=1
}

vc() {
	"$VC" --root "$ROOT" "$@"
}

# Another fixture than setup's x399, in its place.
use_fixture() {
	rm -rf "$ROOT"
	ROOT=$(copy_fixture "$1")
}

@test "rules: a conf.d file name with a newline cannot start a live rule" {
	mkdir -p "$ROOT/etc/vfio-claim.conf.d"
	printf '0000:0a:00.0@10de:1c03\n' >"$ROOT/etc/vfio-claim.conf.d/"$'x\nRUN{builtin}+="kmod load evilmod"\n$k%.conf'
	run --separate-stderr vc apply
	assert_success
	run cat "$ROOT/etc/udev/rules.d/59-vfio-claim-claims.rules"
	assert_expected boot/rules-escaped.rules
	refute_line --regexp '^RUN\{builtin\}\+="kmod load evilmod"'
}

