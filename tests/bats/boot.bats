#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The boot paths (issue 8, items 6-7): the generated udev rules, the host
# model under --root (firmware framebuffers, a built-in vfio-pci, the forms
# users write to load early or blacklist), on writable copies of fixtures.

load helpers

KVER=6.1.0-99-amd64

setup_file() {
	x399_template
}

setup() {
	x399_root
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
	printf '0000:0a:00.0@10de:1c03 partial\n' >"$ROOT/etc/vfio-claim.conf.d/"$'x\nRUN{builtin}+="kmod load evilmod"\n$k%.conf'
	run --separate-stderr vc apply
	assert_success
	run cat "$ROOT/etc/udev/rules.d/59-vfio-claim-claims.rules"
	assert_expected boot/rules-escaped.rules
	refute_line --regexp '^RUN\{builtin\}\+="kmod load evilmod"'
}

# Run vc with the host's /proc/cmdline replaced by $1 (a private mount namespace).
vc_host_cmdline() {
	local text=$1
	shift
	printf '%s\n' "$text" >"$BATS_TEST_TMPDIR/host-cmdline"
	unshare -m sh -c 'mount --bind "$1" /proc/cmdline && shift && exec "$@"' sh \
		"$BATS_TEST_TMPDIR/host-cmdline" "$VC" --root "$ROOT" "$@"
}

@test "verify: the root's command line is read, the host's never (modprobe.blacklist=, vfio-pci.ids=)" {
	unshare -m true 2>/dev/null || skip "needs a private mount namespace (root)"
	echo "BOOT_IMAGE=/boot/vmlinuz-$KVER root=/dev/nvme0n1p2 ro amd_iommu=on iommu=pt modprobe.blacklist=nouveau vfio-pci.ids=10de:1c03" \
		>"$ROOT/proc/cmdline"
	echo 'softdep nouveau pre: vfio-pci' >"$ROOT/etc/modprobe.d/gpu.conf"
	run --separate-stderr vc verify
	assert_failure 1
	assert_expected boot/verify-root-cmdline.txt
	local want=$output
	for host in "" "modprobe.blacklist=snd_hda_intel,nouveau module_blacklist=nouveau vfio-pci.ids=10de:10f1 vfio_pci.ids=1234:5678 snd-hda-intel.enable=0" \
		"quiet"; do
		run --separate-stderr vc_host_cmdline "$host" verify
		assert_failure 1
		assert_equal "$output" "$want"
	done
}

# A firmware framebuffer (default BOOTFB, as sysfb registers it) over BAR 0
# of the Radeon HD 4850 at $1 (02:00.0 is on vfio-pci and otherwise ready).
add_fb() {
	local addr=$1 name=${2:-BOOTFB}
	printf '0x00000000d0000000 0x00000000dfffffff 0x000000000014220c\n0x0000000000000000 0x0000000000000000 0x0000000000000000\n0x00000000fe9e0000 0x00000000fe9effff 0x0000000000040200\n' \
		>"$ROOT/sys/bus/pci/devices/$addr/resource"
	printf '00000000-00000fff : Reserved\nc0000000-febfffff : PCI Bus 0000:00\n  d0000000-dfffffff : %s\n    d0000000-d02fffff : %s\n  fe9e0000-fe9effff : %s\n' \
		"$addr" "$name" "$addr" >"$ROOT/proc/iomem"
}

@test "list: a firmware framebuffer over a GPU's BAR makes its group not ready, and says why" {
	use_fixture hd4850-twin
	add_fb 0000:02:00.0
	run --separate-stderr vc list
	assert_success
	assert_expected boot/list-bootfb.txt
	assert_output --partial "0000:02:00.0 firmware framebuffer BOOTFB holds BAR 0"
}

@test "verify names the framebuffer and the kernel argument that keeps it off" {
	use_fixture hd4850-twin
	"$TOP/tests/modules/mkmodules.sh" "$ROOT" "$KVER"
	add_fb 0000:02:00.0
	mkdir -p "$ROOT/etc" && echo '0000:02:00.0@1002:9442 group' >"$ROOT/etc/vfio-claim.conf"
	run --separate-stderr vc verify 02:00.0
	assert_failure 1
	assert_expected boot/verify-bootfb.txt
	assert_line --partial "fix: add the kernel argument initcall_blacklist=sysfb_init"
}

@test "bind refuses a GPU whose BAR an efifb holds, with the reason and the kernel argument" {
	use_fixture hd4850-twin
	add_fb 0000:01:00.0 efifb
	run --separate-stderr vc bind --group 01:00.0
	assert_failure 1
	assert_equal "$stderr" "vfio-claim: 0000:01:00.0: firmware framebuffer efifb holds BAR 0 (0xd0000000-0xd02fffff): vfio-pci cannot reserve it; boot with video=efifb:off [firmware-framebuffer]; bind it anyway with --force"
	assert_output ""
}

@test "verify: vfio-pci loaded early the ways users write it is not 'loses the race' or 'nothing loads vfio-pci'" {
	echo 'options vfio-pci ids=10de:1c03' >"$ROOT/etc/modprobe.d/vfio.conf"
	run --separate-stderr vc verify 0a:00.0
	assert_line --partial "loses the race"
	mkdir -p "$ROOT/etc/dracut.conf.d"
	echo 'force_drivers+=" vfio_pci vfio "' >"$ROOT/etc/dracut.conf.d/vfio.conf"
	run --separate-stderr vc -v verify 0a:00.0
	assert_expected boot/verify-early-dracut.txt
	refute_line --partial "loses the race"
	rm "$ROOT/etc/dracut.conf.d/vfio.conf"
	mkdir -p "$ROOT/etc/mkinitcpio.conf.d"
	echo 'MODULES=(vfio_pci vfio vfio_iommu_type1)' >"$ROOT/etc/mkinitcpio.conf.d/vfio.conf"
	run --separate-stderr vc -v verify 0a:00.0
	assert_line "ok: 0000:0a:00.0: vfio-pci is loaded before udev (/etc/mkinitcpio.conf.d/vfio.conf) and takes it by ids=10de:1c03 before nouveau can load"
	rm "$ROOT/etc/mkinitcpio.conf.d/vfio.conf"
	echo "$(cat "$ROOT/proc/cmdline") rd.driver.pre=vfio-pci" >"$ROOT/proc/cmdline"
	run --separate-stderr vc -v verify 0a:00.0
	assert_line "ok: 0000:0a:00.0: vfio-pci is loaded before udev (rd.driver.pre= on the kernel command line) and takes it by ids=10de:1c03 before nouveau can load"
}

@test "verify: a blacklisted driver with vfio-pci in modules-load.d or /etc/modules is not 'nothing loads vfio-pci'" {
	printf 'options vfio-pci ids=10de:1c03\nblacklist nouveau\n' >"$ROOT/etc/modprobe.d/vfio.conf"
	run --separate-stderr vc verify 0a:00.0
	assert_line --partial "nothing loads vfio-pci"
	mkdir -p "$ROOT/etc/modules-load.d"
	printf '# vfio\nvfio-pci\n' >"$ROOT/etc/modules-load.d/vfio.conf"
	run --separate-stderr vc -v verify 0a:00.0
	assert_line "ok: 0000:0a:00.0: nouveau is blacklisted and vfio-pci is loaded by /etc/modules-load.d/vfio.conf"
	rm "$ROOT/etc/modules-load.d/vfio.conf"
	printf 'vfio_pci\n' >"$ROOT/etc/modules"
	run --separate-stderr vc -v verify 0a:00.0
	assert_line "ok: 0000:0a:00.0: nouveau is blacklisted and vfio-pci is loaded by /etc/modules"
}

# vfio-pci built into the root's kernel (some Ubuntu and Pop!_OS kernels).
make_vfio_builtin() {
	local dir="$ROOT/lib/modules/$KVER"
	rm "$dir/kernel/drivers/vfio_pci.ko"
	sed -i '/vfio_pci.ko/d' "$dir/modules.order"
	echo kernel/drivers/vfio_pci.ko >>"$dir/modules.builtin"
	depmod -b "$ROOT" "$KVER" 2>/dev/null
}

@test "verify: a built-in vfio-pci takes vfio_pci.ids= from the command line; 'options vfio-pci' is dead" {
	make_vfio_builtin
	echo 'options vfio-pci ids=10de:1c03' >"$ROOT/etc/modprobe.d/vfio.conf"
	run --separate-stderr vc verify 0a:00.0
	assert_failure 1
	assert_expected boot/verify-builtin-options.txt
	rm "$ROOT/etc/modprobe.d/vfio.conf"
	echo "$(cat "$ROOT/proc/cmdline") vfio_pci.ids=10de:1c03" >"$ROOT/proc/cmdline"
	run --separate-stderr vc -v verify 0a:00.0
	assert_line "ok: 0000:0a:00.0: vfio-pci is loaded before udev (the kernel itself (built in)) and takes it by ids=10de:1c03 before nouveau can load"
	refute_line --partial "vfio_pci: is not in"
}
