#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# add, remove, apply, verify, bind, unbind and export on a writable copy of
# the X399 fixture, with a fake /lib/modules indexed by the real depmod and,
# for bind and unbind, the fake kernel of tests/mock preloaded.

load helpers

KVER=6.1.0-99-amd64

setup_file() {
	x399_template
}

# vc and vc_mock (the fake kernel) run on $ROOT (helpers.bash): what
# setup_root x399 makes, copied from the template.
setup() {
	x399_root
	mkdir -p "$ROOT/etc/modprobe.d" "$ROOT/etc/udev/rules.d" "$ROOT/etc/default"
	export VFIO_CLAIM_LOCK_TIMEOUT=1
	echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$ROOT/etc/default/grub"
}

driver_of() {
	basename "$(readlink "$ROOT/sys/bus/pci/devices/$1/driver")" 2>/dev/null || echo none
}

# A gzip'd newc initramfs holding what the package's hook copies.
make_initramfs() {
	local d="$BATS_TEST_TMPDIR/initramfs"
	rm -rf "$d" && mkdir -p "$d/usr/lib/modules/$KVER/updates/dkms" "$d/usr/lib/udev/rules.d" \
		"$d/etc/modprobe.d" "$d/etc/udev/rules.d"
	: >"$d/usr/lib/modules/$KVER/updates/dkms/vfio_claim.ko"
	: >"$d/usr/lib/modules/$KVER/vfio-pci.ko"
	: >"$d/usr/lib/udev/rules.d/60-vfio-claim.rules"
	for f in etc/vfio-claim.conf etc/modprobe.d/vfio-claim-claims.conf etc/udev/rules.d/59-vfio-claim-claims.rules; do
		[ -f "$ROOT/$f" ] && cp "$ROOT/$f" "$d/$f"
	done
	mkdir -p "$ROOT/boot"
	(cd "$d" && find . | cpio -o -H newc --quiet | gzip) >"$ROOT/boot/initrd.img-$KVER"
}

@test "add writes the address with its ID, keeps comments, and is idempotent" {
	printf '# my GPUs\n\n10de:1b80   # another card\n' >"$ROOT/etc/vfio-claim.conf"
	run --separate-stderr vc add 0a:00.0 --group
	assert_success
	assert_output "added to /etc/vfio-claim.conf: 0000:0a:00.0@10de:1c03 group; run 'vfio-claim apply' to make it take effect"
	run cat "$ROOT/etc/vfio-claim.conf"
	assert_output "$(printf '# my GPUs\n\n10de:1b80   # another card\n0000:0a:00.0@10de:1c03 group')"
	run --separate-stderr vc add 0a:00.0 --group
	assert_success
	assert_output "0000:0a:00.0 is already claimed at /etc/vfio-claim.conf:4: 0000:0a:00.0@10de:1c03 group"
	run --separate-stderr vc add 0a:00.0 --partial
	assert_success
	assert_output "/etc/vfio-claim.conf:4: 0000:0a:00.0@10de:1c03 partial (was: 0000:0a:00.0@10de:1c03 group); run 'vfio-claim apply' to make it take effect"
}

@test "add refuses the boot VGA device without --force, and bridges always" {
	run --separate-stderr vc add 43:00.0
	assert_failure 1
	assert_equal "$stderr" "vfio-claim: 0000:43:00.0 is the boot VGA device (the host's console) [boot-vga]; the host needs it: claim it anyway with --force"
	[ ! -e "$ROOT/etc/vfio-claim.conf" ]
	run --separate-stderr vc add 43:00.0 --force --group
	assert_success
	assert_output "added to /etc/vfio-claim.conf: 0000:43:00.0@1002:67c7 group force; run 'vfio-claim apply' to make it take effect"
	bridge=$(basename "$(dirname "$(readlink -f "$ROOT/sys/bus/pci/devices/0000:0a:00.0")")")
	run --separate-stderr vc add "$bridge"
	assert_failure 64
	assert_equal "$stderr" "vfio-claim: $bridge is a bridge; bridges stay with the host (pcieport) and are never claimed [bridge]"
}

@test "remove drops the claim and keeps the rest" {
	printf '# keep me\n0000:0a:00.0@10de:1c03 group\n10de:1b80\n' >"$ROOT/etc/vfio-claim.conf"
	run --separate-stderr vc remove 0a:00.0
	assert_success
	assert_output "$(printf "removed /etc/vfio-claim.conf:2: 0000:0a:00.0@10de:1c03 group\nrun 'vfio-claim apply' to make it take effect")"
	run cat "$ROOT/etc/vfio-claim.conf"
	assert_output "$(printf '# keep me\n10de:1b80')"
	run --separate-stderr vc remove 0a:00.0
	assert_success
	assert_output "0a:00.0 is not in the config; nothing to remove"
}

@test "remove of an address claimed by its ID says which line holds it" {
	printf '10de:1c03\n' >"$ROOT/etc/vfio-claim.conf"
	run --separate-stderr vc remove 0a:00.0
	assert_failure 1
	assert_equal "$stderr" "vfio-claim: 0000:0a:00.0 is claimed by its ID at /etc/vfio-claim.conf:1 (10de:1c03); remove that with 'vfio-claim remove 10de:1c03'"
}

@test "apply: --check shows the diff and exits 2; apply writes; a second apply changes nothing" {
	vc add 0a:00.0 --group >/dev/null
	run --separate-stderr vc apply --check
	assert_failure 2
	assert_expected workflow/apply-check.txt
	[ ! -e "$ROOT/etc/modprobe.d/vfio-claim-claims.conf" ]

	run --separate-stderr vc apply
	assert_success
	assert_expected workflow/apply.txt
	assert_equal "$stderr" ""
	run cat "$ROOT/etc/modprobe.d/vfio-claim-claims.conf"
	assert_expected workflow/modprobe.conf
	run cat "$ROOT/etc/udev/rules.d/59-vfio-claim-claims.rules"
	assert_expected workflow/udev.rules

	run --separate-stderr vc apply
	assert_success
	assert_line "nothing to change: the files match /etc/vfio-claim.conf"
	run --separate-stderr vc apply --check
	assert_success
	assert_output "nothing to change"
}

@test "the generated rules keep every VFIO_CLAIM* property they set through the device's later events" {
	# udev rebuilds the properties at each event: a driver bound after the add
	# event (e1000e loaded by that add event) sends a bind event that would
	# drop VFIO_CLAIM_REFUSED (flow scenario 7 on 7.x). Each property the rules
	# set is imported from the database at every event but add and remove,
	# before the add-only part of the rules.
	vc add 0a:00.0 --group >/dev/null
	vc apply >/dev/null 2>&1
	rules="$ROOT/etc/udev/rules.d/59-vfio-claim-claims.rules"
	set=$(grep -o 'ENV{VFIO_CLAIM[A-Z_]*}="' "$rules" | sed 's/^ENV{\(.*\)}="$/\1/' | sort -u)
	imported=$(sed -n 's/^ACTION!="add|remove", SUBSYSTEM=="pci", IMPORT{db}="\(VFIO_CLAIM[A-Z_]*\)"$/\1/p' "$rules" | sort -u)
	[ -n "$set" ]
	assert_equal "$imported" "$set"
	last_import=$(grep -n 'IMPORT{db}' "$rules" | tail -1 | cut -d: -f1)
	add_only=$(grep -n '^ACTION!="add", GOTO=' "$rules" | cut -d: -f1)
	[ "$last_import" -lt "$add_only" ] || fail "IMPORT{db} at line $last_import, after the add-only GOTO at $add_only"
}

@test "apply names the kernel arguments still missing and where they go" {
	sed -i 's/ iommu=pt//' "$ROOT/proc/cmdline"
	vc add 0a:00.0 --partial >/dev/null
	run --separate-stderr vc apply
	assert_success
	assert_equal "$stderr" "vfio-claim: warning: kernel arguments missing: iommu=pt; 'vfio-claim apply --kernel-args' adds them for GRUB (/etc/default/grub.d/vfio-claim.cfg, then update-grub)"
	sed -i 's/ amd_iommu=on//' "$ROOT/proc/cmdline"
	rm "$ROOT/etc/default/grub"
	mkdir -p "$ROOT/etc/kernel" && echo "root=/dev/nvme0n1p2" >"$ROOT/etc/kernel/cmdline"
	run --separate-stderr vc apply
	assert_equal "$stderr" "vfio-claim: warning: kernel arguments missing: iommu=pt; 'vfio-claim apply --kernel-args' adds them for kernel-install (/etc/kernel/cmdline, unless somebody else wrote it; then kernel-install add)"
}

@test "apply --json reports the files and claims" {
	vc add 0a:00.0 --group >/dev/null
	run --separate-stderr vc --json apply
	assert_success
	assert_expected workflow/apply.json
	python3 -m json.tool >/dev/null <<<"$output"
}

@test "apply with owner= writes the /dev/vfio rule; removing every claim removes the files" {
	vc add 0a:00.0 --group --owner alice:kvm >/dev/null
	vc apply >/dev/null 2>&1
	run grep '^KERNEL=="[0-9]*", OWNER' "$ROOT/etc/udev/rules.d/59-vfio-claim-claims.rules"
	assert_output --regexp '^KERNEL=="[0-9]+", OWNER="alice", GROUP="kvm", MODE="0660"$'
	vc remove 0a:00.0 >/dev/null
	run --separate-stderr vc apply
	assert_success
	assert_line "removed /etc/modprobe.d/vfio-claim-claims.conf"
	assert_line "removed /etc/udev/rules.d/59-vfio-claim-claims.rules"
	[ ! -e "$ROOT/etc/modprobe.d/vfio-claim-claims.conf" ]
}

@test "apply never overwrites a file vfio-claim did not write" {
	vc add 0a:00.0 --partial >/dev/null
	echo "options vfio_claim slots=mine" >"$ROOT/etc/modprobe.d/vfio-claim-claims.conf"
	before=$(tree_state "$ROOT/etc")
	run --separate-stderr vc apply
	assert_failure 1
	assert_equal "$stderr" "vfio-claim: /etc/modprobe.d/vfio-claim-claims.conf exists and was not written by vfio-claim; move it away and run apply again (nothing was changed)"
	assert_equal "$(tree_state "$ROOT/etc")" "$before"
}

@test "a failed write leaves the previous files in place" {
	vc add 0a:00.0 --partial >/dev/null
	vc apply >/dev/null 2>&1
	vc add 0a:00.1 >/dev/null
	# The udev rule cannot be renamed into place once the modprobe.d file has been:
	# that one must get its previous content back. (Temporaries have random names,
	# so a test hook makes the second rename fail.)
	before=$(tree_state "$ROOT/etc")
	VFIO_CLAIM_TEST_FAIL_RENAME=2 run --separate-stderr vc apply
	assert_failure 69
	assert_equal "${stderr_lines[-1]}" "vfio-claim: /etc/udev/rules.d/59-vfio-claim-claims.rules: cannot write: Input/output error; the previous files are in place"
	assert_equal "$(tree_state "$ROOT/etc")" "$before"
	[ ! -e "$ROOT/var/lib/vfio-claim/apply-pending" ]
}

@test "an unreadable generated file stops apply before anything is written" {
	vc add 0a:00.0 --partial >/dev/null
	rm -rf "$ROOT/etc/udev/rules.d" && echo "not a directory" >"$ROOT/etc/udev/rules.d"
	before=$(tree_state "$ROOT/etc")
	run --separate-stderr vc apply
	assert_failure 69
	assert_equal "$stderr" "vfio-claim: /etc/udev/rules.d/59-vfio-claim-claims.rules: cannot read: Not a directory"
	assert_equal "$(tree_state "$ROOT/etc")" "$before"
}

@test "two runs at once: the second waits for the lock, then gives up with a clear line" {
	vc add 0a:00.0 --partial >/dev/null
	mkdir -p "$ROOT/run"
	flock "$ROOT/run/vfio-claim.lock" sleep 5 &
	# Until the background flock holds the lock: a fixed 0.3 s lost that
	# race on a loaded machine (apply then took the lock and succeeded).
	for _ in $(seq 100); do
		flock -n "$ROOT/run/vfio-claim.lock" true || break
		sleep 0.05
	done
	run --separate-stderr vc apply
	assert_failure 69
	assert_equal "${stderr_lines[-1]}" "vfio-claim: /run/vfio-claim.lock: held too long; another vfio-claim is running: wait for it and try again"
	[ ! -e "$ROOT/etc/modprobe.d/vfio-claim-claims.conf" ]
	kill %1 2>/dev/null || true
}

@test "bind refuses to leave a group half on host drivers" {
	run --separate-stderr vc_mock bind 0a:00.0
	assert_failure 1
	assert_equal "$stderr" "vfio-claim: 0000:0a:00.0 would split its card: 0000:0a:00.1 stays on snd_hda_intel [split-card]; name it too, use --group, or --partial to bind only what you named"
	[ ! -e "$BATS_TEST_TMPDIR/writes.log" ]
}

@test "bind --group writes override, unbind and drivers_probe, and unbind gives the drivers back" {
	run --separate-stderr vc_mock bind --group 0a:00.0
	assert_success
	assert_output "$(printf '0000:0a:00.0: nouveau -> vfio-pci\n0000:0a:00.1: snd_hda_intel -> vfio-pci')"
	run cat "$BATS_TEST_TMPDIR/writes.log"
	assert_expected workflow/bind-writes.log
	[ "$(driver_of 0000:0a:00.0)" = vfio-pci ]
	[ "$(driver_of 0000:0a:00.1)" = vfio-pci ]
	[ "$(cat "$ROOT/run/vfio-claim/bound/0000:0a:00.0")" = "$(printf 'driver=nouveau\noverride=')" ]

	rm "$BATS_TEST_TMPDIR/writes.log"
	run --separate-stderr vc_mock unbind --group 0a:00.0
	assert_success
	assert_output "$(printf '0000:0a:00.0: vfio-pci -> nouveau\n0000:0a:00.1: vfio-pci -> snd_hda_intel')"
	run cat "$BATS_TEST_TMPDIR/writes.log"
	assert_expected workflow/unbind-writes.log
	[ "$(driver_of 0000:0a:00.0)" = nouveau ]
	[ "$(driver_of 0000:0a:00.1)" = snd_hda_intel ]
	[ ! -e "$ROOT/run/vfio-claim/bound/0000:0a:00.0" ]
}

@test "bind rolls every device back when vfio-pci refuses one" {
	before=$(tree_state "$ROOT/sys")
	VFIO_CLAIM_MOCK_REFUSE=0000:0a:00.1 run --separate-stderr vc_mock bind --group 0a:00.0
	assert_failure 1
	assert_equal "$stderr" "vfio-claim: bind failed: 0000:0a:00.1: did not bind to vfio-pci (see the kernel log: 'dmesg | grep 0000:0a:00.1'); every device is back on its previous driver"
	[ "$(driver_of 0000:0a:00.0)" = nouveau ]
	[ "$(driver_of 0000:0a:00.1)" = snd_hda_intel ]
	run cat "$ROOT/sys/bus/pci/devices/0000:0a:00.0/driver_override"
	assert_output "(null)"
}

@test "export: QEMU arguments and libvirt hostdevs for the whole group" {
	run --separate-stderr vc export --qemu 0a:00.0
	assert_success
	assert_output "$(printf -- '-device vfio-pci,host=0000:0a:00.0,addr=0x10.0,multifunction=on \\\n-device vfio-pci,host=0000:0a:00.1,addr=0x10.1')"
	assert_equal "$stderr" "$(printf '%s\n' \
		"vfio-claim: warning: 0000:0a:00.0 is on nouveau, not vfio-pci: 'vfio-claim bind 0000:0a:00.0' before starting QEMU" \
		"vfio-claim: warning: 0000:0a:00.1 is on snd_hda_intel, not vfio-pci: 'vfio-claim bind 0000:0a:00.1' before starting QEMU")"
	run --separate-stderr vc export --libvirt 0a:00.1
	assert_success
	assert_expected workflow/export-libvirt.xml
	# Both forms put the card's functions together in the guest slot asked for.
	run --separate-stderr vc export --qemu --guest-slot 6 0a:00.0
	assert_output "$(printf -- '-device vfio-pci,host=0000:0a:00.0,addr=0x06.0,multifunction=on \\\n-device vfio-pci,host=0000:0a:00.1,addr=0x06.1')"
	run --separate-stderr vc --json export --qemu 0a:00.0
	assert_success
	run python3 -c 'import json,sys; d=json.load(sys.stdin)["devices"]; print(" ".join("%s=%s/%s" % (x["address"], x["guest_address"], x["multifunction"]) for x in d))' <<<"$output"
	assert_output "0000:0a:00.0=00:10.0/True 0000:0a:00.1=00:10.1/False"
}

@test "verify: a fresh apply without bind or initramfs names each problem and its fix" {
	vc add 0a:00.0 --group >/dev/null
	vc apply >/dev/null 2>&1
	run --separate-stderr vc verify
	assert_failure 1
	assert_expected workflow/verify-unbound.txt
}

@test "verify: bound, applied, and in the initramfs: exit 0; a later config change is reported stale" {
	vc add 0a:00.0 --group >/dev/null
	vc apply >/dev/null 2>&1
	vc_mock bind --group 0a:00.0 >/dev/null
	make_initramfs
	run --separate-stderr vc verify
	assert_failure 1
	assert_output "$(printf 'vfio_claim: is not loaded: a device added now (hotplug, SR-IOV VF) would not be claimed; fix: modprobe vfio_claim\n%s\n1 problem(s)' \
		"ok: initramfs: judged /boot/initrd.img-$KVER: the name initramfs-tools (and Debian's dracut) give the image of $KVER")"
	# As the module would show itself once loaded with the applied options.
	mkdir -p "$ROOT/sys/module/vfio_claim/parameters"
	echo "0000:0a:00.0@10de:1c03,0000:0a:00.1@10de:10f1" >"$ROOT/sys/module/vfio_claim/parameters/slots"
	echo >"$ROOT/sys/module/vfio_claim/parameters/ids"
	echo "0000:0a:00.0,0000:0a:00.1" >"$ROOT/sys/module/vfio_claim/parameters/claimed"
	run --separate-stderr vc verify
	assert_success
	assert_output --regexp '^ok: [0-9]+ checks hold now and for the next boot$'
	run --separate-stderr vc --json verify
	assert_success
	python3 -m json.tool >/dev/null <<<"$output"

	run --separate-stderr vc list 0a:00.0
	assert_line --regexp "^ +driver vfio-pci  override vfio-pci  claimed by vfio_claim"

	vc add 43:00.1 --partial >/dev/null
	vc apply >/dev/null 2>&1
	run --separate-stderr vc verify 0a:00.0
	assert_failure 1
	assert_line "/etc/modprobe.d/vfio-claim-claims.conf: differs in /boot/initrd.img-$KVER: the initramfs is stale (built before the last change); fix: vfio-claim apply --initramfs"
	assert_line "/etc/vfio-claim.conf: differs in /boot/initrd.img-$KVER: the initramfs is stale (built before the last change); fix: vfio-claim apply --initramfs"
}

@test "verify: vfio_claim refused by module_blacklist= on the command line: the argument is the fix, not modprobe" {
	vc add 0a:00.0 --group >/dev/null
	vc apply >/dev/null 2>&1
	vc_mock bind --group 0a:00.0 >/dev/null
	make_initramfs
	echo "$(cat "$ROOT/proc/cmdline") module_blacklist=vfio_claim" >"$ROOT/proc/cmdline"
	run --separate-stderr vc verify
	assert_failure 1
	assert_output "$(printf 'vfio_claim: is not loaded: module_blacklist= on the kernel command line refuses it; only the udev rules claim, and a device added now (hotplug, SR-IOV VF) goes to a native driver that is loaded or built in; fix: remove vfio_claim from module_blacklist= in the boot loader'"'"'s kernel command line, and reboot\n%s\n1 problem(s)' \
		"ok: initramfs: judged /boot/initrd.img-$KVER: the name initramfs-tools (and Debian's dracut) give the image of $KVER")"
}

@test "verify: claims applied with the IOMMU on, then a boot without it: the one cause, no apply or bind fix" {
	vc add 0a:00.0 --group >/dev/null
	vc apply >/dev/null 2>&1
	make_initramfs
	# The module loaded with what apply wrote (group members included); it refused them all.
	mkdir -p "$ROOT/sys/module/vfio_claim/parameters"
	echo "0000:0a:00.0@10de:1c03,0000:0a:00.1@10de:10f1" >"$ROOT/sys/module/vfio_claim/parameters/slots"
	echo >"$ROOT/sys/module/vfio_claim/parameters/ids"
	echo >"$ROOT/sys/module/vfio_claim/parameters/claimed"
	# The same machine without the IOMMU: no IVRS table, no groups, no iommu class.
	rm -rf "$ROOT/sys/kernel/iommu_groups" "$ROOT/sys/class/iommu" "$ROOT/sys/firmware/acpi/tables/IVRS"
	find "$ROOT/sys/devices" -name iommu_group -type l -delete
	run --separate-stderr vc verify
	assert_failure 1
	assert_expected workflow/verify-iommu-off-applied.txt
}

@test "verify judges the guides' way: blacklist nouveau and options vfio-pci ids=" {
	printf 'blacklist nouveau\noptions vfio-pci ids=10de:1c03,10de:10f1\n' >"$ROOT/etc/modprobe.d/vfio.conf"
	make_initramfs
	run --separate-stderr vc verify
	assert_failure 1
	assert_expected workflow/verify-guides.txt
}

@test "verify without a module index is a clear error when a claim needs it" {
	vc add --group 0a:00.0 >/dev/null
	rm -rf "$ROOT/lib/modules"
	run --separate-stderr vc verify
	assert_failure 69
	assert_equal "$stderr" "vfio-claim: /lib/modules/$KVER: no module index (modules.dep.bin) to find the native drivers in; install the kernel's modules or run 'depmod $KVER'"
}

@test "verify and apply name a built-in driver from sysfs even when the module index has no alias for it" {
	rm -rf "$ROOT"
	ROOT=$(copy_fixture qemu-q35)
	"$TOP/tests/modules/mkmodules.sh" "$ROOT" "$KVER"
	# Like Debian's kernels: no built-in aliases for 8250_pci in the index.
	rm "$ROOT/lib/modules/$KVER/modules.builtin.modinfo" && depmod -b "$ROOT" "$KVER" 2>/dev/null
	vc add 00:0b.0 >/dev/null
	run --separate-stderr vc apply
	assert_success
	assert_equal "$stderr" "vfio-claim: warning: 0000:00:0b.0 is on serial, which is built in and binds it at boot before any module loads; add 'rebind' to its claim ('vfio-claim add --rebind 0000:00:0b.0')"
	run --separate-stderr vc verify 00:0b.0
	assert_failure 1
	assert_line "0000:00:0b.0: serial is built into $KVER and binds it at boot before any module loads; a blacklist cannot stop it; fix: add 'rebind' to the claim at /etc/vfio-claim.conf:5 ('vfio-claim add --rebind 0000:00:0b.0'), then 'vfio-claim apply --initramfs'"
	vc add 00:0b.0 --rebind >/dev/null
	run --separate-stderr vc apply
	assert_success
	assert_equal "$stderr" ""
	run grep '^options' "$ROOT/etc/modprobe.d/vfio-claim-claims.conf"
	assert_output "options vfio_claim slots=0000:00:0b.0@1b36:0002 rebind=1"
	run --separate-stderr vc verify 00:0b.0
	assert_line "0000:00:0b.0: on serial, not vfio-pci; fix: 'vfio-claim bind 0000:00:0b.0'"
	refute_line --partial "is built into"
}

@test "verify checks the initramfs of a hand-made setup even when its one ids= line holds" {
	printf 'blacklist nouveau\nsoftdep nouveau pre: vfio-pci\noptions vfio-pci ids=10de:1c03\n' >"$ROOT/etc/modprobe.d/vfio.conf"
	run --separate-stderr vc verify
	assert_failure 1
	assert_output "$(printf 'initramfs: no initramfs for %s (/boot/initrd.img-%s); fix: %s\n1 problem(s)' "$KVER" "$KVER" \
		"rebuild the initramfs of $KVER with the distribution's tool (the root has no update-initramfs, dracut or mkinitcpio)")"
}

@test "verify: claims removed from the config but still in the initramfs would still claim at the next boot" {
	vc add 0a:00.0 --group >/dev/null
	vc apply >/dev/null 2>&1
	make_initramfs
	vc remove 0a:00.0 >/dev/null
	run --separate-stderr vc apply
	assert_success
	[ ! -e "$ROOT/etc/modprobe.d/vfio-claim-claims.conf" ]
	run --separate-stderr vc verify
	assert_failure 1
	# The host's readiness first (nothing is claimed), then what the initramfs still holds.
	assert_expected workflow/verify-claims-removed.txt
	# Once the initramfs is rebuilt from the emptied config nothing is claimed:
	# verify shows the host's readiness and says so.
	make_initramfs
	run --separate-stderr vc verify
	assert_success
	assert_expected workflow/verify-nothing-claimed.txt
}

@test "verify: a built-in driver that names its module (8250_pci on 6.12) is still built in" {
	rm -rf "$ROOT"
	ROOT=$(copy_fixture qemu-q35)
	"$TOP/tests/modules/mkmodules.sh" "$ROOT" "$KVER"
	rm "$ROOT/lib/modules/$KVER/modules.builtin.modinfo" && depmod -b "$ROOT" "$KVER" 2>/dev/null
	# As Debian's 6.12 shows it: a /sys/module entry without initstate.
	mkdir -p "$ROOT/sys/module/8250_pci/drivers"
	ln -s ../../../../module/8250_pci "$ROOT/sys/bus/pci/drivers/serial/module"
	vc add 00:0b.0 >/dev/null
	run --separate-stderr vc verify 00:0b.0
	assert_failure 1
	assert_line "0000:00:0b.0: serial is built into $KVER and binds it at boot before any module loads; a blacklist cannot stop it; fix: add 'rebind' to the claim at /etc/vfio-claim.conf:5 ('vfio-claim add --rebind 0000:00:0b.0'), then 'vfio-claim apply --initramfs'"
	# A loaded module's entry has initstate: then it is not built in.
	echo live >"$ROOT/sys/module/8250_pci/initstate"
	run --separate-stderr vc verify 00:0b.0
	refute_line --partial "is built into"
}
