#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# A table of bad inputs. Each row runs on a fresh writable copy of the X399
# fixture (with a fake /lib/modules) and must give one error line on stderr
# naming the thing and what to do, the documented exit code, nothing on
# stdout, and leave every file as it was. The lines and codes of all rows are
# compared, whole, with tests/expected/bad-inputs.txt.

load helpers

KVER=6.1.0-99-amd64

# name ;; setup (shell, in $ROOT) ;; vfio-claim arguments after --root
ROWS=(
	"list-short-address ;; : ;; list 0a:00"
	"list-slot-too-big ;; : ;; list 0a:20.0"
	"list-function-too-big ;; : ;; list 0a:00.8"
	"list-domain-too-long ;; : ;; list 123456789:00:00.0"
	"list-id-3-digits ;; : ;; list 10de:1c3"
	"list-id-half-subsystem ;; : ;; list 10de:1c03:1458"
	"list-unknown-device ;; : ;; list 0000:99:00.0"
	"list-unknown-id ;; : ;; list 10de:ffff"
	"list-unknown-class ;; : ;; list --class toaster"
	"unknown-command ;; : ;; frobnicate"
	"unknown-option ;; : ;; list --frob"
	"unreadable-attribute ;; d=\$(readlink -f sys/bus/pci/devices/0000:0a:00.0); rm \$d/uevent; mkdir \$d/uevent ;; list"
	"unreadable-attribute-no-uevent ;; d=\$(readlink -f sys/bus/pci/devices/0000:0a:00.0); rm \$d/uevent \$d/vendor; mkdir \$d/vendor ;; list"
	"malformed-uevent ;; d=\$(readlink -f sys/bus/pci/devices/0000:0a:00.0); sed -i 's/^PCI_ID=.*/PCI_ID=junk/' \$d/uevent ;; list"
	"malformed-attribute ;; d=\$(readlink -f sys/bus/pci/devices/0000:0a:00.0); rm \$d/uevent; echo junk >\$d/class ;; list"
	"no-sysfs ;; rm -rf sys ;; list"
	"add-nothing ;; : ;; add"
	"add-two ;; : ;; add 0a:00.0 0a:00.1"
	"add-malformed ;; : ;; add 0a:0.0.0"
	"add-unknown-device ;; : ;; add 0000:99:00.0"
	"add-boot-vga ;; : ;; add 43:00.0"
	"add-boot-vga-by-group ;; : ;; add 43:00.1 --group"
	"add-bad-owner ;; : ;; add 0a:00.0 --owner a:b:c"
	"config-bare-address ;; echo 0000:0a:00.0 >etc/vfio-claim.conf ;; apply"
	"config-bad-address ;; echo 0000:0a:00@10de:1c03 >etc/vfio-claim.conf ;; apply"
	"config-bad-id ;; printf '# ok\\n10de:1c3\\n' >etc/vfio-claim.conf ;; apply"
	"config-unknown-option ;; echo '0000:0a:00.0@10de:1c03 grup' >etc/vfio-claim.conf ;; apply"
	"config-repeated-option ;; echo '10de:1c03 group group' >etc/vfio-claim.conf ;; apply"
	"config-empty-owner ;; echo '10de:1c03 owner=' >etc/vfio-claim.conf ;; apply"
	"config-guard-with-subsystem ;; echo '0000:0a:00.0@10de:1c03:1458:3728' >etc/vfio-claim.conf ;; apply"
	"config-error-in-conf.d ;; mkdir -p etc/vfio-claim.conf.d; echo '10de:1c03' >etc/vfio-claim.conf; echo 'gpu' >etc/vfio-claim.conf.d/20-gpu.conf ;; apply"
	"config-is-a-directory ;; mkdir -p etc/vfio-claim.conf ;; apply"
	"apply-check-with-now ;; : ;; apply --check --now"
	"apply-argument ;; : ;; apply 0a:00.0"
	"apply-initramfs-with-root ;; : ;; apply --initramfs"
	"apply-no-module-index ;; echo '10de:1c03 group' >etc/vfio-claim.conf; rm -rf lib/modules ;; apply"
	"apply-foreign-file ;; echo '10de:1c03 group' >etc/vfio-claim.conf; echo 'blacklist nouveau' >etc/modprobe.d/vfio-claim-claims.conf ;; apply"
	"apply-locked ;; echo '10de:1c03 group' >etc/vfio-claim.conf; mkdir -p run; (flock run/vfio-claim.lock sleep 20 &) ; for i in \$(seq 100); do flock -n run/vfio-claim.lock true || break; sleep 0.1; done ;; apply"
	"apply-modprobe.d-not-a-dir ;; echo '10de:1c03 group' >etc/vfio-claim.conf; rm -rf etc/modprobe.d; echo x >etc/modprobe.d ;; apply"
	"verify-unknown-device ;; : ;; verify 0000:99:00.0"
	"verify-bad-config ;; echo 'nonsense here' >etc/vfio-claim.conf ;; verify"
	"bind-nothing ;; : ;; bind"
	"bind-bridge ;; : ;; bind 0000:00:03.1"
	"bind-half-group ;; : ;; bind 0a:00.0"
	"bind-boot-vga ;; : ;; bind 43:00.0 --partial"
	"bind-no-vfio-pci ;; rm -rf sys/bus/pci/drivers/vfio-pci ;; bind 0a:00.0 --group"
	"unbind-malformed ;; : ;; unbind 0a-00.0"
	"export-no-format ;; : ;; export 0a:00.0"
	"export-two-formats ;; : ;; export --qemu --libvirt 0a:00.0"
	"export-bad-guest-slot ;; : ;; export --libvirt --guest-slot 99 0a:00.0"
	"export-bridge ;; : ;; export --qemu 0000:00:03.1"
	"remove-malformed ;; : ;; remove 10de"
	"remove-two ;; : ;; remove 0a:00.0 0a:00.1"
	"snapshot-no-dir ;; : ;; snapshot"
	"snapshot-not-empty ;; mkdir -p snap; touch snap/x ;; snapshot @ROOT@/snap"
)

# One X399 copy with a fake /lib/modules (depmod is slow), copied per row.
setup_file() {
	x399_template
}

@test "bad inputs: one line, the documented exit code, nothing changed (${#ROWS[@]} rows)" {
	export VFIO_CLAIM_LOCK_TIMEOUT=1
	result="$BATS_TEST_TMPDIR/result.txt"
	: >"$result"
	for row in "${ROWS[@]}"; do
		split_row "$row"
		name=$ROW_NAME
		root="$BATS_TEST_TMPDIR/$name"
		# @ROOT@ is this row's tree: no fixed path that another run of the suite shares.
		args=${ROW_ARGS//@ROOT@/$root}
		row_root "$root" "$ROW_SETUP"
		before=$(tree_state "$root")
		# shellcheck disable=SC2086
		run --separate-stderr "$VC" --root "$root" $args
		after=$(tree_state "$root")
		[ -z "$output" ] || fail "$name: wrote to stdout: $output"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$name: want one line on stderr, got: $stderr"
		[ "$before" = "$after" ] || fail "$name: files changed"
		echo "$name: exit $status: ${stderr//$root/ROOT}" >>"$result"
	done
	output=$(cat "$result")
	assert_expected bad-inputs.txt
}
