#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The kernel arguments at the next boot: apply --kernel-args writes GRUB's
# drop-in, the real grub-mkconfig turns it into grub.cfg, and verify reads
# the next boot's command line from grub.cfg, Boot Loader Specification
# entries or /etc/kernel/cmdline (tools/bootargs.c).

load helpers

KVER=6.1.0-99-amd64

# Every test starts from one tree, made once (setup_file) and copied: X399
# with its modules and the GPU's group claimed and applied.
setup_file() {
	x399_template
	ROOT="$BATS_FILE_TMPDIR/x399"
	mkdir -p "$ROOT/etc/modprobe.d" "$ROOT/etc/udev/rules.d" "$ROOT/etc/default"
	export VFIO_CLAIM_LOCK_TIMEOUT=1
	# An Intel machine whose running kernel has the arguments: the question is
	# whether the next boot will (VT-d needs intel_iommu=on on Debian's kernels).
	printf 'processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vmx\n' >"$ROOT/proc/cpuinfo"
	echo "BOOT_IMAGE=/boot/vmlinuz-$KVER root=UUID=3c1e ro quiet intel_iommu=on iommu=pt" >"$ROOT/proc/cmdline"
	"$VC" --root "$ROOT" add 0a:00.0 --group >/dev/null
	"$VC" --root "$ROOT" apply >/dev/null
}

setup() {
	x399_root
	export VFIO_CLAIM_LOCK_TIMEOUT=1
}

vc() {
	"$VC" --root "$ROOT" "$@"
}

# Only the kernel-args lines of verify, with the root's path made stable.
verify_kargs() {
	run --separate-stderr vc -v verify
	output=$(printf '%s\n' "$output" | grep -E '^(ok: )?iommu-next-boot' || true)
}

# A grub.cfg shaped as Debian's grub-mkconfig writes it, with args on the default entry.
write_grub_cfg() {
	mkdir -p "$ROOT/boot/grub"
	cat >"$ROOT/boot/grub/grub.cfg" <<EOF
### BEGIN /etc/grub.d/00_header ###
if [ -s \$prefix/grubenv ]; then
  set have_grubenv=true
  load_env
fi
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
   set next_entry=
   save_env next_entry
   set boot_once=true
else
   set default="${2:-0}"
fi
function load_video {
  insmod all_video
}
### BEGIN /etc/grub.d/10_linux ###
menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os \$menuentry_id_option 'gnulinux-simple-3c1e' {
	load_video
	insmod gzio
	echo	'Loading Linux $KVER ...'
	linux	/boot/vmlinuz-$KVER root=UUID=3c1e ro $1
	initrd	/boot/initrd.img-$KVER
}
submenu 'Advanced options for Debian GNU/Linux' \$menuentry_id_option 'gnulinux-advanced-3c1e' {
	menuentry 'Debian GNU/Linux, with Linux $KVER' --class debian \$menuentry_id_option 'gnulinux-$KVER-advanced-3c1e' {
		linux	/boot/vmlinuz-$KVER root=UUID=3c1e ro $1 submenu-first
	}
	menuentry 'Debian GNU/Linux, with Linux $KVER (recovery mode)' \$menuentry_id_option 'gnulinux-$KVER-recovery-3c1e' {
		linux	/boot/vmlinuz-$KVER root=UUID=3c1e ro single
	}
}
EOF
}

@test "kernel-args: no boot loader configuration in the root, no next-boot check" {
	verify_kargs
	assert_output ""
}

@test "kernel-args: grub.cfg's default entry lacks them; apply --kernel-args --check shows the drop-in" {
	echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$ROOT/etc/default/grub"
	write_grub_cfg "quiet"
	verify_kargs
	assert_output "iommu-next-boot: the next boot's command line (/boot/grub/grub.cfg, default entry 'Debian GNU/Linux') lacks intel_iommu=on: the IOMMU will be off after a reboot although it is on now; fix: add intel_iommu=on iommu=pt to GRUB's command line ('vfio-claim apply --kernel-args' writes a drop-in), run grub-mkconfig -o /boot/grub/grub.cfg and reboot"
	before=$(tree_state "$ROOT")
	run --separate-stderr vc apply --kernel-args --check
	[ "$status" -eq 2 ]
	assert_output "--- /etc/default/grub.d/vfio-claim.cfg (absent)
+++ /etc/default/grub.d/vfio-claim.cfg
+# Written by vfio-claim apply --kernel-args: the kernel arguments PCI passthrough
+# needs that GRUB's own settings lack. grub-mkconfig reads this file after
+# /etc/default/grub; update-grub (grub-mkconfig) must run after a change.
+GRUB_CMDLINE_LINUX=\"\$GRUB_CMDLINE_LINUX intel_iommu=on iommu=pt\""
	[ "$(tree_state "$ROOT")" = "$before" ]
}

@test "kernel-args: the drop-in adds only what GRUB's settings lack, and a second apply changes nothing" {
	printf '%s\n' 'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`' \
		'GRUB_CMDLINE_LINUX="iommu=pt"' 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$ROOT/etc/default/grub"
	run --separate-stderr vc apply --kernel-args
	assert_success
	assert_line "wrote /etc/default/grub.d/vfio-claim.cfg"
	assert_line "the next boot takes the kernel arguments once 'grub-mkconfig -o /boot/grub/grub.cfg' runs in $ROOT"
	run tail -1 "$ROOT/etc/default/grub.d/vfio-claim.cfg"
	assert_output 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX intel_iommu=on"'
	run --separate-stderr vc apply --kernel-args --check
	assert_success
	assert_output "nothing to change"
}

@test "kernel-args: grub.cfg older than GRUB's settings: the fix is update-grub, not another drop-in" {
	echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"' >"$ROOT/etc/default/grub"
	write_grub_cfg "quiet"
	verify_kargs
	assert_output "iommu-next-boot: the next boot's command line (/boot/grub/grub.cfg, default entry 'Debian GNU/Linux') lacks intel_iommu=on: the IOMMU will be off after a reboot although it is on now; fix: run grub-mkconfig -o /boot/grub/grub.cfg (GRUB's settings have intel_iommu=on iommu=pt; grub.cfg was not regenerated since) and reboot"
}

@test "kernel-args: the default entry is followed through set default, saved_entry and submenus" {
	echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$ROOT/etc/default/grub"
	write_grub_cfg "quiet intel_iommu=on iommu=pt" "1>1"
	verify_kargs
	assert_output "iommu-next-boot: the next boot's command line (/boot/grub/grub.cfg, default entry 'Debian GNU/Linux, with Linux $KVER (recovery mode)') lacks intel_iommu=on: the IOMMU will be off after a reboot although it is on now; fix: add intel_iommu=on iommu=pt to GRUB's command line ('vfio-claim apply --kernel-args' writes a drop-in), run grub-mkconfig -o /boot/grub/grub.cfg and reboot"
	write_grub_cfg "quiet intel_iommu=on iommu=pt" '${saved_entry}'
	printf '# GRUB Environment Block\nsaved_entry=gnulinux-advanced-3c1e>gnulinux-%s-advanced-3c1e\n' "$KVER" >"$ROOT/boot/grub/grubenv"
	verify_kargs
	assert_output "ok: iommu-next-boot: the next boot's command line (/boot/grub/grub.cfg, default entry 'Debian GNU/Linux, with Linux $KVER') has intel_iommu=on iommu=pt"
}

@test "kernel-args: settings vfio-claim would have to run are refused, nothing written" {
	printf '%s\n' 'GRUB_CMDLINE_LINUX="$(cat /etc/cmdline-extra)"' >"$ROOT/etc/default/grub"
	before=$(tree_state "$ROOT")
	run --separate-stderr vc apply --kernel-args
	[ "$status" -eq 1 ]
	[ "$stderr" = "vfio-claim: /etc/default/grub (or a file in /etc/default/grub.d) sets GRUB_CMDLINE_LINUX with shell code vfio-claim does not run; add 'intel_iommu=on iommu=pt' to GRUB_CMDLINE_LINUX by hand, then update-grub" ]
	[ "$(tree_state "$ROOT")" = "$before" ]
	[ ! -e /etc/cmdline-extra-was-read ]
}

@test "kernel-args: an unreadable grub.cfg is a problem, not 'nothing there'" {
	echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$ROOT/etc/default/grub"
	mkdir -p "$ROOT/boot/grub/grub.cfg"
	verify_kargs
	assert_output "iommu-next-boot: /boot/grub/grub.cfg: cannot read the next boot's command line: Is a directory; fix: make it a readable file (or regenerate it with the boot loader's tool)"
}

@test "kernel-args: Boot Loader Specification entries: loader.conf's default, then the newest" {
	mkdir -p "$ROOT/boot/loader/entries"
	printf 'title Debian\nlinux /vmlinuz-6.1.0-9\noptions root=UUID=3c1e ro quiet\n' >"$ROOT/boot/loader/entries/abc-6.1.0-9-amd64.conf"
	printf 'title Debian\nlinux /vmlinuz-6.1.0-10\noptions root=UUID=3c1e ro\noptions intel_iommu=on iommu=pt\n' >"$ROOT/boot/loader/entries/abc-6.1.0-10-amd64.conf"
	verify_kargs
	assert_output "ok: iommu-next-boot: the next boot's command line (/boot/loader/entries/abc-6.1.0-10-amd64.conf) has intel_iommu=on iommu=pt"
	printf 'timeout 3\ndefault abc-6.1.0-9-*\n' >"$ROOT/boot/loader/loader.conf"
	verify_kargs
	assert_output "iommu-next-boot: the next boot's command line (/boot/loader/entries/abc-6.1.0-9-amd64.conf) lacks intel_iommu=on: the IOMMU will be off after a reboot although it is on now; fix: add intel_iommu=on iommu=pt to the options line of /boot/loader/entries/abc-6.1.0-9-amd64.conf and reboot"
	run --separate-stderr vc apply --kernel-args
	[ "$status" -eq 1 ]
	# /etc/kernel/cmdline (for the kernels kernel-install adds) starts from the entry; the
	# entry itself, not written by kernel-install, needs them by hand.
	[ "$stderr" = "vfio-claim: the next boot's entry (/boot/loader/entries/abc-6.1.0-9-amd64.conf) lacks intel_iommu=on iommu=pt and was not written by kernel-install (no usable version line): add them to its options line" ]
	[ "$(cat "$ROOT/etc/kernel/cmdline")" = "root=UUID=3c1e ro quiet intel_iommu=on iommu=pt" ]
}

@test "kernel-args: /etc/kernel/cmdline alone (kernel-install)" {
	mkdir -p "$ROOT/etc/kernel"
	echo "root=UUID=3c1e ro quiet iommu=pt" >"$ROOT/etc/kernel/cmdline"
	verify_kargs
	assert_output "iommu-next-boot: the next boot's command line (/etc/kernel/cmdline) lacks intel_iommu=on: the IOMMU will be off after a reboot although it is on now; fix: add intel_iommu=on iommu=pt to /etc/kernel/cmdline, run kernel-install add (or reinstall the kernel) and reboot"
}

@test "kernel-args: words after -- go to init: the next boot lacks them, and an administrator's file is told so" {
	mkdir -p "$ROOT/etc/kernel"
	echo "root=UUID=3c1e ro quiet -- intel_iommu=on iommu=pt" >"$ROOT/etc/kernel/cmdline"
	verify_kargs
	assert_output "iommu-next-boot: the next boot's command line (/etc/kernel/cmdline) lacks intel_iommu=on: the IOMMU will be off after a reboot although it is on now; fix: add intel_iommu=on iommu=pt to /etc/kernel/cmdline (before its '--'), run kernel-install add (or reinstall the kernel) and reboot"
	run --separate-stderr vc apply --kernel-args
	[ "$status" -eq 1 ]
	[ "$stderr" = "vfio-claim: /etc/kernel/cmdline lacks intel_iommu=on iommu=pt; it was not written by vfio-claim, which does not edit it: add them there, before its '--' (what follows goes to init), then write the next boot's entry again (kernel-install add); nothing was changed" ]
	# A BLS entry's options line: the same.
	rm "$ROOT/etc/kernel/cmdline"
	mkdir -p "$ROOT/boot/loader/entries"
	printf 'title Debian\nlinux /vmlinuz-6.1.0-9\noptions root=UUID=3c1e ro -- iommu=pt\n' >"$ROOT/boot/loader/entries/abc-6.1.0-9-amd64.conf"
	verify_kargs
	assert_output "iommu-next-boot: the next boot's command line (/boot/loader/entries/abc-6.1.0-9-amd64.conf) lacks intel_iommu=on: the IOMMU will be off after a reboot although it is on now; fix: add intel_iommu=on iommu=pt to the options line of /boot/loader/entries/abc-6.1.0-9-amd64.conf (before its '--') and reboot"
}

@test "kernel-args: GRUB_CMDLINE_LINUX with a -- word: no drop-in (it would append after it), apply says where they go, nothing written" {
	printf '%s\n' 'GRUB_CMDLINE_LINUX="iommu=pt console=ttyS0 -- single"' 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$ROOT/etc/default/grub"
	before=$(tree_state "$ROOT")
	run --separate-stderr vc apply --kernel-args
	[ "$status" -eq 1 ]
	[ "$stderr" = "vfio-claim: /etc/default/grub (or a file in /etc/default/grub.d) sets GRUB_CMDLINE_LINUX with a '--' word: what follows it goes to init, not to the kernel; add 'intel_iommu=on' to GRUB_CMDLINE_LINUX before the '--' by hand, then run grub-mkconfig -o /boot/grub/grub.cfg; nothing was changed" ]
	[ "$(tree_state "$ROOT")" = "$before" ]
	# verify's fix and plain apply's advice name the same place, not the drop-in.
	write_grub_cfg "iommu=pt console=ttyS0 -- single quiet"
	verify_kargs
	assert_output "iommu-next-boot: the next boot's command line (/boot/grub/grub.cfg, default entry 'Debian GNU/Linux') lacks intel_iommu=on: the IOMMU will be off after a reboot although it is on now; fix: add intel_iommu=on iommu=pt to GRUB_CMDLINE_LINUX in /etc/default/grub (before its '--'), run grub-mkconfig -o /boot/grub/grub.cfg and reboot"
	echo "BOOT_IMAGE=/boot/vmlinuz-$KVER root=UUID=3c1e ro quiet" >"$ROOT/proc/cmdline"
	run --separate-stderr vc apply
	assert_success
	assert_equal "$stderr" "vfio-claim: warning: kernel arguments missing: iommu=pt; add them to GRUB_CMDLINE_LINUX in /etc/default/grub before its '--' (no drop-in can: it would append after it), then run grub-mkconfig -o /boot/grub/grub.cfg"
	rm "$ROOT/boot/grub/grub.cfg"
	echo "BOOT_IMAGE=/boot/vmlinuz-$KVER root=UUID=3c1e ro quiet intel_iommu=on iommu=pt" >"$ROOT/proc/cmdline"
	# Before the --, they count: nothing to add, no drop-in.
	printf '%s\n' 'GRUB_CMDLINE_LINUX="intel_iommu=on iommu=pt -- single"' >"$ROOT/etc/default/grub"
	run --separate-stderr vc apply --kernel-args --check
	assert_success
	assert_output "nothing to change"
	# A -- in GRUB_CMDLINE_LINUX_DEFAULT comes after GRUB_CMDLINE_LINUX on the linux line: the drop-in works.
	printf '%s\n' 'GRUB_CMDLINE_LINUX=""' 'GRUB_CMDLINE_LINUX_DEFAULT="quiet -- single"' >"$ROOT/etc/default/grub"
	run --separate-stderr vc apply --kernel-args
	assert_success
	run tail -1 "$ROOT/etc/default/grub.d/vfio-claim.cfg"
	assert_output 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX intel_iommu=on iommu=pt"'
}

@test "kernel-args: the running kernel lacks them, the next boot has them" {
	echo "BOOT_IMAGE=/boot/vmlinuz-$KVER root=UUID=3c1e ro quiet" >"$ROOT/proc/cmdline"
	mkdir -p "$ROOT/etc/kernel"
	echo "root=UUID=3c1e ro quiet intel_iommu=on iommu=pt" >"$ROOT/etc/kernel/cmdline"
	verify_kargs
	assert_output "ok: iommu-next-boot: the next boot's command line (/etc/kernel/cmdline) has intel_iommu=on iommu=pt"
}

# The real grub-mkconfig, run with the root's /etc/default and /boot mounted
# over the host's in a private mount namespace: the drop-in is real shell that
# GRUB's own tool evaluates, and verify reads what GRUB really wrote.
@test "kernel-args: the drop-in goes through the real grub-mkconfig and verify reads its grub.cfg" {
	command -v grub-mkconfig >/dev/null || fail "grub-mkconfig missing: scripts/deps/tool.list installs grub2-common"
	printf '%s\n' 'GRUB_DEFAULT=0' 'GRUB_TIMEOUT=5' \
		'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`' \
		'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' 'GRUB_CMDLINE_LINUX=""' >"$ROOT/etc/default/grub"
	mkdir -p "$ROOT/boot/grub"
	: >"$ROOT/boot/vmlinuz-$KVER"
	run --separate-stderr vc apply --kernel-args
	assert_success
	# grub-probe resolves /boot to a block device, which a tmpfs has not
	# (make check puts bats's run directories on /dev/shm): /boot is a copy
	# in the checkout's build/ for the run, grub.cfg copied back.
	boot=$(mktemp -d "$TOP/build/grub-boot.XXXXXX")
	cp -a "$ROOT/boot/." "$boot/"
	unshare -m sh -c "mount --bind '$ROOT/etc/default' /etc/default && mount --bind '$boot' /boot &&
		grub-mkconfig -o /boot/grub/grub.cfg" 2>"$BATS_TEST_TMPDIR/mkconfig.log" || {
		rm -rf "$boot"
		fail "grub-mkconfig failed: $(cat "$BATS_TEST_TMPDIR/mkconfig.log")"
	}
	cp "$boot/grub/grub.cfg" "$ROOT/boot/grub/grub.cfg"
	rm -rf "$boot"
	grep -q "vmlinuz-$KVER .*intel_iommu=on iommu=pt" "$ROOT/boot/grub/grub.cfg"
	verify_kargs
	assert_output "ok: iommu-next-boot: the next boot's command line (/boot/grub/grub.cfg, default entry 'Debian GNU/Linux') has intel_iommu=on iommu=pt"
	# Claims gone: the drop-in goes with them.
	vc remove 0a:00.0 >/dev/null
	run --separate-stderr vc apply --kernel-args
	assert_success
	assert_line "removed /etc/default/grub.d/vfio-claim.cfg"
}

# kernel-install's layout without /etc/kernel/cmdline: apply --kernel-args
# creates it from the line kernel-install would use instead, the real
# kernel-install (systemd's, Debian's systemd package) writes the entry from
# it, and verify reads that entry. A file somebody else wrote, or edited
# since, is left alone.
kernel_install() {
	KERNEL_INSTALL_CONF_ROOT="$ROOT/etc/kernel" MACHINE_ID=0123456789abcdef0123456789abcdef \
		BOOT_ROOT="$ROOT/boot" KERNEL_INSTALL_PLUGINS=/usr/lib/kernel/install.d/90-loaderentry.install \
		kernel-install add "$KVER" "$ROOT/boot/vmlinuz-$KVER"
}

bls_root() {
	# Booted once by hand with intel_iommu=on and nomodeset: one-off words that
	# the file must not keep (it starts from the entry, not from /proc/cmdline).
	echo "BOOT_IMAGE=/vmlinuz-$KVER initrd=\\initrd.img root=UUID=3c1e ro quiet intel_iommu=on nomodeset" >"$ROOT/proc/cmdline"
	mkdir -p "$ROOT/boot/loader/entries" "$ROOT/etc/kernel"
	printf 'layout=bls\n' >"$ROOT/etc/kernel/install.conf"
	printf 'title Debian\nversion %s\nlinux /vmlinuz-%s\noptions root=UUID=3c1e ro quiet\n' "$KVER" "$KVER" \
		>"$ROOT/boot/loader/entries/0123456789abcdef0123456789abcdef-$KVER.conf"
	: >"$ROOT/boot/vmlinuz-$KVER"
}

@test "kernel-args: kernel-install: /etc/kernel/cmdline created, the real kernel-install writes the entry, verify reads it" {
	command -v kernel-install >/dev/null || fail "kernel-install missing (Debian's systemd package)"
	bls_root
	run --separate-stderr vc apply --kernel-args --check
	[ "$status" -eq 2 ]
	assert_expected kernel-args/kernel-install-check.txt
	run --separate-stderr vc apply --kernel-args
	assert_success
	assert_expected kernel-args/kernel-install-apply.txt
	[ "$(cat "$ROOT/etc/kernel/cmdline")" = "root=UUID=3c1e ro quiet intel_iommu=on iommu=pt" ]
	run --separate-stderr vc apply --kernel-args
	assert_success
	assert_line "nothing to change: the files match /etc/vfio-claim.conf"
	kernel_install
	grep -q "^options *root=UUID=3c1e ro quiet intel_iommu=on iommu=pt" \
		"$ROOT/boot/loader/entries/0123456789abcdef0123456789abcdef-$KVER.conf"
	verify_kargs
	assert_output "ok: iommu-next-boot: the next boot's command line (/boot/loader/entries/0123456789abcdef0123456789abcdef-$KVER.conf) has intel_iommu=on iommu=pt"
	# No claims left: the file it created goes, with its record.
	vc remove 0a:00.0 >/dev/null
	run --separate-stderr vc apply --kernel-args
	assert_success
	assert_line "removed /etc/kernel/cmdline"
	assert_line "removed /var/lib/vfio-claim/kernel-cmdline"
	[ ! -e "$ROOT/etc/kernel/cmdline" ]
}

@test "kernel-args: kernel-install: /etc/kernel/cmdline edited since vfio-claim wrote it, or written by somebody else, is left alone" {
	bls_root
	vc apply --kernel-args >/dev/null
	echo "root=UUID=3c1e ro" >"$ROOT/etc/kernel/cmdline"
	run --separate-stderr vc apply --kernel-args
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "vfio-claim: /etc/kernel/cmdline lacks intel_iommu=on iommu=pt; it was not written by vfio-claim, which does not edit it: add them there, then write the next boot's entry again (kernel-install add); nothing was changed" ]
	[ "$(cat "$ROOT/etc/kernel/cmdline")" = "root=UUID=3c1e ro" ]
	# The entry has them by hand, the file does not: the next kernel installed would lose them.
	sed -i 's/^options.*/& intel_iommu=on iommu=pt/' "$ROOT"/boot/loader/entries/*.conf
	run --separate-stderr vc apply --kernel-args
	[ "$status" -eq 1 ]
	[ "$stderr" = "vfio-claim: /etc/kernel/cmdline lacks intel_iommu=on iommu=pt; it was not written by vfio-claim, which does not edit it: add them there, then write the next boot's entry again (kernel-install add); nothing was changed" ]
	# The administrator's file has them (over two lines: kernel-install joins them), the entry
	# does not: only kernel-install add is needed.
	sed -i 's/ intel_iommu=on iommu=pt$//' "$ROOT"/boot/loader/entries/*.conf
	printf 'root=UUID=3c1e ro\nintel_iommu=on iommu=pt\n' >"$ROOT/etc/kernel/cmdline"
	run --separate-stderr vc apply --kernel-args
	assert_success
	assert_line "the next boot's entry (/boot/loader/entries/0123456789abcdef0123456789abcdef-$KVER.conf) lacks intel_iommu=on iommu=pt: run 'kernel-install add $KVER /boot/vmlinuz-$KVER' in the root to write it again with kernel-install's command line"
	run --separate-stderr vc --json apply --kernel-args
	assert_success
	python3 -c 'import json,sys; print(json.load(sys.stdin)["next_boot_command"])' <<<"$output" >"$BATS_TEST_TMPDIR/cmd"
	[ "$(cat "$BATS_TEST_TMPDIR/cmd")" = "kernel-install add $KVER /boot/vmlinuz-$KVER" ]
	# Its claims removed: still not vfio-claim's to remove; the stale record goes.
	vc remove 0a:00.0 >/dev/null
	run --separate-stderr vc apply --kernel-args
	assert_success
	[ "$(cat "$ROOT/etc/kernel/cmdline")" = "$(printf 'root=UUID=3c1e ro\nintel_iommu=on iommu=pt')" ]
	[ ! -e "$ROOT/var/lib/vfio-claim/kernel-cmdline" ]
}

@test "kernel-args: kernel-install: the vendor's line first; control bytes refused; the arguments go before --" {
	bls_root
	# /usr/lib/kernel/cmdline, the vendor's line, comes first, as in kernel-install.
	mkdir -p "$ROOT/usr/lib/kernel"
	printf 'root=UUID=3c1e ro \033]0;x\007 quiet\n' >"$ROOT/usr/lib/kernel/cmdline"
	run --separate-stderr vc apply --kernel-args
	[ "$status" -eq 1 ]
	[ "$stderr" = "vfio-claim: the command line to start /etc/kernel/cmdline from (/usr/lib/kernel/cmdline, the next boot's entry, /proc/cmdline or /var/lib/vfio-claim/kernel-cmdline) holds bytes that are not printable ASCII; write /etc/kernel/cmdline by hand with 'intel_iommu=on iommu=pt'" ]
	[ ! -e "$ROOT/etc/kernel/cmdline" ]
	[ ! -e "$ROOT/var/lib/vfio-claim/kernel-cmdline" ]
	[ ! -e "$ROOT/etc/modprobe.d/vfio-claim-claims.conf.new" ]
	# Words after -- go to init: the arguments go before it.
	echo "root=UUID=3c1e rw -- single" >"$ROOT/usr/lib/kernel/cmdline"
	run --separate-stderr vc apply --kernel-args
	assert_success
	[ "$(cat "$ROOT/etc/kernel/cmdline")" = "root=UUID=3c1e rw intel_iommu=on iommu=pt -- single" ]
}

@test "kernel-args: kernel-install: a line the kernel would cut is refused" {
	bls_root
	mkdir -p "$ROOT/usr/lib/kernel"
	printf 'root=UUID=3c1e %02030d\n' 0 >"$ROOT/usr/lib/kernel/cmdline"
	run --separate-stderr vc apply --kernel-args
	[ "$status" -eq 1 ]
	[ "$stderr" = "vfio-claim: the command line to start /etc/kernel/cmdline from (/usr/lib/kernel/cmdline, the next boot's entry, /proc/cmdline or /var/lib/vfio-claim/kernel-cmdline) would be too long for the kernel with the arguments; write /etc/kernel/cmdline by hand with 'intel_iommu=on iommu=pt'" ]
	[ ! -e "$ROOT/etc/kernel/cmdline" ]
}

@test "kernel-args: a grub.cfg without /etc/default/grub, or empty BLS entries: apply --kernel-args says what to add, and apply's advice names no other way" {
	write_grub_cfg "quiet"
	before=$(tree_state "$ROOT")
	run --separate-stderr vc apply --kernel-args
	[ "$status" -eq 1 ]
	[ "$stderr" = "vfio-claim: the next boot (/boot/grub/grub.cfg, default entry 'Debian GNU/Linux') lacks intel_iommu=on iommu=pt, and there is no /etc/default/grub for a drop-in: add 'intel_iommu=on iommu=pt' to the boot loader's kernel command line" ]
	[ "$(tree_state "$ROOT")" = "$before" ]
	# The running kernel lacks iommu=pt: apply says where it goes, the way --kernel-args would.
	sed -i 's/ iommu=pt//' "$ROOT/proc/cmdline"
	mkdir -p "$ROOT/etc/kernel" && echo "root=UUID=3c1e ro" >"$ROOT/etc/kernel/cmdline"
	run --separate-stderr vc apply
	assert_success
	[ "$stderr" = "vfio-claim: warning: kernel arguments missing: iommu=pt; add them to the boot loader's kernel command line" ]
	rm -r "$ROOT/boot/grub" "$ROOT/etc/kernel"
	mkdir -p "$ROOT/boot/loader/entries"
	run --separate-stderr vc apply
	assert_success
	[ "$stderr" = "vfio-claim: warning: kernel arguments missing: iommu=pt; add them to the boot loader's kernel command line" ]
	run --separate-stderr vc apply --kernel-args
	[ "$status" -eq 1 ]
	[ "$stderr" = "vfio-claim: no GRUB (/etc/default/grub), Boot Loader Specification entries or /etc/kernel/cmdline found: add 'intel_iommu=on iommu=pt' to the boot loader's kernel command line" ]
}
