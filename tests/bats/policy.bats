#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The claim policy (tools/policy.c) on every path: add, apply (by address,
# by ID, by group), bind, export and verify's fixes, on the machines of
# issue 8: root-twin (two identical NVMe 144d:a808, root on the first; a
# GTX 1060 on nvidia with its audio function; AMD dummy host bridges
# 1022:1452) and igpu-shared (boot VGA iGPU 8086:4680 with VFs sharing its
# ID; a GPU sharing its group with the root NVMe). Each case's exit code,
# stdout and stderr are compared whole with tests/expected/policy/CASE.txt.

load helpers

KVER=6.1.0-99-amd64

# Each test starts with setup_root FIXTURE; vc and vc_mock run on it (helpers.bash).

# Run vc with the rest of the arguments and compare exit code, stdout and
# stderr with tests/expected/policy/$1.txt.
case_is() {
	local name=$1
	shift
	run --separate-stderr vc "$@"
	output=$(printf 'exit %s\n--- stdout\n%s\n--- stderr\n%s' "$status" "$output" "${stderr//$ROOT/ROOT}")
	assert_expected "policy/$name.txt"
}

generated() {
	cat "$ROOT/etc/modprobe.d/vfio-claim-claims.conf" "$ROOT/etc/udev/rules.d/59-vfio-claim-claims.rules" 2>/dev/null || true
}

@test "root-twin: an ID line reaching the root disk's controller is refused; nothing is written" {
	setup_root root-twin
	echo 144d:a808 >"$ROOT/etc/vfio-claim.conf"
	before=$(tree_state "$ROOT")
	case_is root-twin-apply-id apply
	assert_equal "$status" 65
	assert_equal "$(tree_state "$ROOT")" "$before"
	case_is root-twin-apply-check-id apply --check
	assert_equal "$status" 65
	# with 'force' the line says so explicitly, and it is taken
	echo '144d:a808 force' >"$ROOT/etc/vfio-claim.conf"
	run --separate-stderr vc apply
	assert_success
	grep -q '^options vfio_claim ids=144d:a808$' "$ROOT/etc/modprobe.d/vfio-claim-claims.conf"
}

@test "root-twin: add, bind and export refuse the root disk's controller; add takes its twin" {
	setup_root root-twin
	case_is root-twin-add-root add 01:00.0
	assert_equal "$status" 1
	[ ! -e "$ROOT/etc/vfio-claim.conf" ]
	case_is root-twin-bind-root bind 01:00.0
	assert_equal "$status" 1
	case_is root-twin-export-root export --libvirt 01:00.0
	assert_equal "$status" 1
	case_is root-twin-add-twin add 02:00.0
	assert_success
	run --separate-stderr vc apply
	assert_success
	run generated
	assert_output --partial "slots=0000:02:00.0@144d:a808"
	refute_output --partial "01:00.0"
	refute_output --partial "ids="
}

@test "root-twin: chipset functions are never claimed, by ID or by address" {
	setup_root root-twin
	echo 1022:1452 >"$ROOT/etc/vfio-claim.conf"
	before=$(tree_state "$ROOT")
	case_is root-twin-apply-host-bridges apply
	assert_equal "$status" 65
	assert_equal "$(tree_state "$ROOT")" "$before"
	case_is root-twin-add-host-bridge add 00:01.0
	assert_equal "$status" 64
	case_is root-twin-add-isa-bridge add 00:14.3
	assert_equal "$status" 64
	case_is root-twin-bind-host-bridge bind 00:02.0
	assert_equal "$status" 64
}

@test "root-twin: the audio function alone of a GPU on nvidia needs 'partial' in add and apply" {
	setup_root root-twin
	case_is root-twin-add-audio add 03:00.1
	assert_equal "$status" 1
	[ ! -e "$ROOT/etc/vfio-claim.conf" ]
	echo '0000:03:00.1@10de:10f1' >"$ROOT/etc/vfio-claim.conf"
	before=$(tree_state "$ROOT")
	case_is root-twin-apply-audio apply
	assert_equal "$status" 65
	assert_equal "$(tree_state "$ROOT")" "$before"
	rm "$ROOT/etc/vfio-claim.conf"
	case_is root-twin-add-audio-partial add 03:00.1 --partial
	assert_success
	run cat "$ROOT/etc/vfio-claim.conf"
	assert_line '0000:03:00.1@10de:10f1 partial'
	run --separate-stderr vc apply
	assert_success
	# the whole card needs nothing
	rm "$ROOT/etc/vfio-claim.conf"
	run --separate-stderr vc add 03:00.1 --group
	assert_success
}

@test "igpu-shared: export of a group holding the root disk exits 1 with nothing on stdout" {
	setup_root igpu-shared
	case_is igpu-shared-export export --libvirt 01:00.0
	assert_equal "$status" 1
	assert_equal "$(printf '%s\n' "$output" | sed -n '3p')" ""
	case_is igpu-shared-export-force export --qemu --force 01:00.0
	assert_success
	refute_output --partial "vfio-claim bind 0000:01:00.1"
	case_is igpu-shared-add-group add --group 01:00.0
	assert_equal "$status" 1
}

@test "igpu-shared: an ID line reaching the boot VGA PF with VFs is refused" {
	setup_root igpu-shared
	echo 8086:4680 >"$ROOT/etc/vfio-claim.conf"
	before=$(tree_state "$ROOT")
	case_is igpu-shared-apply-id apply
	assert_equal "$status" 65
	assert_equal "$(tree_state "$ROOT")" "$before"
	case_is igpu-shared-add-vf add 00:02.1
	assert_success
}

# Every fix verify prints for the state, run on a fresh copy of that state:
# the alternatives ("; or ") one by one, the steps of one (each quoted
# 'vfio-claim ...', or the whole fix when it is one bare vfio-claim command)
# in order; none may be refused. --initramfs is left out
# (it regenerates the running system's initramfs and never goes with --root).
fixes_are_accepted() {
	local fixture=$1 config=$2 state="$BATS_TEST_TMPDIR/state" n=0
	setup_root "$fixture"
	printf '%s\n' "$config" >"$ROOT/etc/vfio-claim.conf"
	rm -rf "$state" && cp -a "$ROOT" "$state"
	run --separate-stderr vc verify
	local fixes
	fixes=$(printf '%s\n' "$output" | sed -n 's/.*; fix: //p')
	while IFS= read -r fix; do
		[ -n "$fix" ] || continue
		while IFS= read -r alt; do
			if [[ $alt == "vfio-claim "* ]]; then
				cmds=("$alt")
			else
				mapfile -t cmds < <(printf '%s\n' "$alt" | grep -o "'vfio-claim [^']*'" | tr -d "'")
			fi
			[ "${#cmds[@]}" -gt 0 ] || continue
			rm -rf "$ROOT" && cp -a "$state" "$ROOT"
			for cmd in "${cmds[@]}"; do
				# shellcheck disable=SC2086
				set -- ${cmd#vfio-claim }
				args=()
				for a in "$@"; do [ "$a" = --initramfs ] || args+=("$a"); done
				run --separate-stderr vc_mock "${args[@]}"
				[ "$status" -eq 0 ] || fail "fix '$cmd' (from: $fix) was refused: exit $status: $stderr"
				n=$((n + 1))
			done
		done < <(printf '%s\n' "$fix" | sed 's/; or /\n/g')
	done <<<"$fixes"
	echo "# $n fix command(s) run" >&3
	[ "$n" -gt 0 ] || fail "verify printed no vfio-claim fix for: $config"
}

@test "verify: every fix it prints is accepted, on the state that produced it" {
	fixes_are_accepted root-twin 144d:a808
	fixes_are_accepted root-twin '0000:03:00.1@10de:10f1'
	fixes_are_accepted root-twin '0000:02:00.0@144d:a808'
	fixes_are_accepted igpu-shared '0000:01:00.0@1002:73bf group'
	fixes_are_accepted igpu-shared '8086:4680'
	fixes_are_accepted x399 '0000:0a:00.0@10de:1c03'
}

@test "verify: the fixes for the root-disk twin's ID line, whole" {
	setup_root root-twin
	echo 144d:a808 >"$ROOT/etc/vfio-claim.conf"
	case_is root-twin-verify-id verify
	assert_equal "$status" 1
	refute_output --partial "vfio-claim bind 0000:01:00.0"
}

@test "vfio-pci's denylist (Intel DSA here) is never claimed, by add or by an ID line" {
	setup_root x399
	# Make the USB controller at 0b:00.3 an Intel DSA (8086:0b25), as sysfs would show it.
	d="$ROOT/sys/bus/pci/devices/0000:0b:00.3"
	echo 0x8086 >"$d/vendor"
	echo 0x0b25 >"$d/device"
	sed -i 's/^PCI_ID=.*/PCI_ID=8086:0B25/; s/^MODALIAS=pci:v[0-9A-F]*d[0-9A-F]*/MODALIAS=pci:v00008086d00000B25/' "$d/uevent"
	run --separate-stderr vc add --partial 0b:00.3
	assert_failure
	[[ "$stderr" == *"0000:0b:00.3 (8086:0b25, Intel QAT, DSA or IAX) is on vfio-pci's denylist"*"[vfio-denylist]"* ]] ||
		fail "stderr: $stderr"
	echo "8086:0b25" >"$ROOT/etc/vfio-claim.conf"
	run --separate-stderr vc apply
	assert_failure 65
	[[ "$stderr" == *"[vfio-denylist]"* ]] || fail "stderr: $stderr"
	[ ! -e "$ROOT/etc/modprobe.d/vfio-claim-claims.conf" ]
}
