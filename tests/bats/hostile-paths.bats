#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Trees from someone else (issue 9, kinds 2, 6, 7, 8): links and ".." that
# lead out of --root, links planted at the names vfio-claim creates, FIFOs
# and huge files where a file is expected, writers running at once, an apply
# killed between its renames, and configs that must not lose a byte.
# Each test runs on a writable copy of the X399 fixture with a fake
# /lib/modules; a directory beside the root ("outside") stands for the host
# and must never change. Tests that resolve paths run twice: with openat2
# and with the walk that replaces it (VFIO_CLAIM_NO_OPENAT2=1).

load helpers

KVER=6.1.0-99-amd64

setup_file() {
	export TEMPLATE="$BATS_FILE_TMPDIR/template"
	cp -a "$FIXTURES/x399" "$TEMPLATE"
	"$TOP/tests/modules/mkmodules.sh" "$TEMPLATE" "$KVER"
	mkdir -p "$TEMPLATE/etc/modprobe.d" "$TEMPLATE/etc/udev/rules.d"
}

setup() {
	ROOT="$BATS_TEST_TMPDIR/root"
	cp -a "$TEMPLATE" "$ROOT"
	OUT="$BATS_TEST_TMPDIR/outside"
	mkdir -p "$OUT/dir"
	echo "host file" >"$OUT/victim"
	echo "host file" >"$OUT/dir/victim"
	: >"$OUT/dir/bind"
	export VFIO_CLAIM_LOCK_TIMEOUT=2
	unset VFIO_CLAIM_NO_OPENAT2
}

# A hang is a failure (exit 124), not a stuck suite.
vc() {
	timeout 60 "$VC" --root "$ROOT" "$@"
}

vc_mock() {
	LD_PRELOAD="$TOP/build/fakesysfs.so" VFIO_CLAIM_MOCK_ROOT="$ROOT" \
		VFIO_CLAIM_MOCK_LOG="$BATS_TEST_TMPDIR/writes.log" timeout 60 "$VC" --root "$ROOT" "$@"
}

# Run "$@" with openat2, then again on a fresh copy with the walk, and
# append both results (exit code and stderr, ROOT and OUT made generic) to
# $BATS_TEST_TMPDIR/result; fail if "outside" changed in either.
both_ways() {
	local setup=$1 mode before
	shift
	: >"$BATS_TEST_TMPDIR/result"
	for mode in openat2 walk; do
		rm -rf "$ROOT" "$OUT"
		cp -a "$TEMPLATE" "$ROOT"
		mkdir -p "$OUT/dir"
		echo "host file" >"$OUT/victim"
		echo "host file" >"$OUT/dir/victim"
		: >"$OUT/dir/bind"
		(cd "$ROOT" && eval "$setup")
		before=$(tree_state "$OUT"; find "$OUT" | sort)
		if [ $mode = walk ]; then
			export VFIO_CLAIM_NO_OPENAT2=1
		else
			unset VFIO_CLAIM_NO_OPENAT2
		fi
		run --separate-stderr "$@"
		unset VFIO_CLAIM_NO_OPENAT2
		[ "$(tree_state "$OUT"; find "$OUT" | sort)" = "$before" ] ||
			fail "$mode: something outside the root changed"
		[ "$status" -ne 124 ] || fail "$mode: hung"
		stderr=${stderr//$ROOT/ROOT}
		echo "$mode: exit $status: ${stderr//$OUT/OUT}" >>"$BATS_TEST_TMPDIR/result"
	done
	output=$(cat "$BATS_TEST_TMPDIR/result")
}

claim() {
	echo '0000:0a:00.0@10de:1c03 group' >etc/vfio-claim.conf
}

# --- kind 2: paths out of the root -------------------------------------------

@test "apply: etc/modprobe.d linked to a host directory (absolute) writes nothing there" {
	both_ways "$(declare -f claim); claim; rm -rf etc/modprobe.d; ln -s '$OUT/dir' etc/modprobe.d" vc apply
	assert_expected hostile-paths/modprobe.d-absolute.txt
}

@test "apply: etc/udev/rules.d linked out with ../../.. writes nothing outside" {
	both_ways "$(declare -f claim); claim; rm -rf etc/udev/rules.d; ln -s ../../../outside/dir etc/udev/rules.d" vc apply
	assert_expected hostile-paths/rules.d-dotdot.txt
}

@test "apply: a link planted at a temporary name is not followed" {
	both_ways "$(declare -f claim); claim; ln -s '$OUT/victim' etc/udev/rules.d/59-vfio-claim-claims.rules.vfio-claim-new" vc apply
	assert_expected hostile-paths/temp-link.txt
	[ -f "$ROOT/etc/udev/rules.d/59-vfio-claim-claims.rules" ] && [ ! -L "$ROOT/etc/udev/rules.d/59-vfio-claim-claims.rules" ]
	both_ways "ln -s '$OUT/victim' etc/vfio-claim.conf.vfio-claim-new" vc add --partial 0a:00.0
	assert_output "$(printf 'openat2: exit 0: \nwalk: exit 0: ')"
	grep -q '^0000:0a:00.0@10de:1c03 partial$' "$ROOT/etc/vfio-claim.conf"
}

@test "apply: a lock file linked to a host file is neither followed nor truncated" {
	both_ways "$(declare -f claim); claim; mkdir -p run; ln -s '$OUT/victim' run/vfio-claim.lock" vc apply
	assert_expected hostile-paths/lock-link.txt
	[ ! -e "$ROOT/etc/modprobe.d/vfio-claim-claims.conf" ]
}

@test "apply: a lock file linked to a missing host file does not create it" {
	both_ways "$(declare -f claim); claim; mkdir -p run; ln -s '$OUT/new-file' run/vfio-claim.lock" vc apply
	[ ! -e "$OUT/new-file" ]
	assert_expected hostile-paths/lock-link-missing.txt
}

@test "add: a config linked to /etc/passwd does not echo the host's file" {
	both_ways "ln -s /etc/passwd etc/vfio-claim.conf" vc add 0a:00.0
	refute_output --partial "root:"
	assert_expected hostile-paths/config-passwd.txt
}

@test "bind: a state file linked to a host file is replaced, not followed" {
	both_ways "mkdir -p run/vfio-claim/bound; ln -s '$OUT/victim' run/vfio-claim/bound/0000:0a:00.0" vc_mock bind --group 0a:00.0
	assert_expected hostile-paths/state-link.txt
	[ ! -L "$ROOT/run/vfio-claim/bound/0000:0a:00.0" ]
	[ "$(cat "$ROOT/run/vfio-claim/bound/0000:0a:00.0")" = "$(printf 'driver=nouveau\noverride=')" ]
}

@test "unbind: a driver name from a state file is validated before it becomes a path" {
	local up="../../../../../../../../../../../../../../../../../../../../.."
	both_ways "d=\$(readlink -f sys/bus/pci/devices/0000:0a:00.0); l=\$(readlink \$d/driver); rm \$d/driver; ln -s \${l%/*}/vfio-pci \$d/driver; echo vfio-pci >\$d/driver_override; mkdir -p run/vfio-claim/bound; printf 'driver=$up$OUT/dir\noverride=\n' >run/vfio-claim/bound/0000:0a:00.0" vc_mock unbind 0a:00.0
	assert_expected hostile-paths/state-driver-dotdot.txt
	[ ! -s "$OUT/dir/bind" ]
	grep -q "sys/bus/pci/drivers_probe: 0000:0a:00.0" "$BATS_TEST_TMPDIR/writes.log"
}

@test "list: device links that stay inside the root keep working under the walk" {
	run --separate-stderr vc list
	assert_success
	local with=$output
	VFIO_CLAIM_NO_OPENAT2=1 run --separate-stderr vc list
	assert_success
	assert_equal "$output" "$with"
}

# --- kind 6: writers at once, an apply killed half way -----------------------

@test "20 concurrent adds: every claim lands once" {
	local devs=() d i
	for d in "$ROOT"/sys/bus/pci/devices/*; do
		case $(cat "$d/class") in 0x06*) continue ;; esac
		[ -e "$d/iommu_group" ] || continue	# never claimed: the policy refuses it
		devs+=("$(basename "$d")")
	done
	# The 15 it may claim, and five of them twice: the same line must land once.
	devs+=(0000:0a:00.0 0000:0a:00.1 0000:02:00.0 0000:0a:00.0 0000:02:00.0)
	devs=("${devs[@]:0:20}")
	[ "${#devs[@]}" -eq 20 ]
	export VFIO_CLAIM_LOCK_TIMEOUT=60
	for i in "${!devs[@]}"; do
		"$VC" --root "$ROOT" add --force --partial "${devs[$i]}" >"$BATS_TEST_TMPDIR/add.$i" 2>&1 &
	done
	wait
	for d in $(printf '%s\n' "${devs[@]}" | sort -u); do
		n=$(grep -c "^$d@" "$ROOT/etc/vfio-claim.conf" || true)
		[ "$n" -eq 1 ] || fail "$d: $n lines in the config: $(cat "$BATS_TEST_TMPDIR"/add.*)"
	done
	[ -z "$(find "$ROOT/etc" -name '*vfio-claim-*' -print -quit)" ] || fail "a temporary was left"
}

@test "apply killed between its renames: verify names the half-applied set, apply repairs it" {
	claim() { echo '0000:0a:00.0@10de:1c03 group' >"$ROOT/etc/vfio-claim.conf"; }
	claim
	VFIO_CLAIM_TEST_KILL_AFTER_RENAMES=1 run vc apply
	[ "$status" -eq 137 ] || fail "apply was not killed: $status $output"
	[ -f "$ROOT/var/lib/vfio-claim/apply-pending" ]
	run --separate-stderr vc verify
	assert_failure 1
	assert_line --partial "half-applied: an apply was interrupted while it replaced /etc/modprobe.d/vfio-claim-claims.conf /etc/udev/rules.d/59-vfio-claim-claims.rules"
	run --separate-stderr vc apply --check
	assert_failure 2
	assert_line "an interrupted apply left /etc/modprobe.d/vfio-claim-claims.conf /etc/udev/rules.d/59-vfio-claim-claims.rules half replaced; 'vfio-claim apply' repairs it"
	run --separate-stderr vc apply
	assert_success
	assert_line "repaired the files an interrupted apply left half replaced (/etc/modprobe.d/vfio-claim-claims.conf /etc/udev/rules.d/59-vfio-claim-claims.rules)"
	[ ! -e "$ROOT/var/lib/vfio-claim/apply-pending" ]
	run --separate-stderr vc apply --check
	assert_success
	assert_output "nothing to change"
}

@test "apply killed after its last rename: the next apply only drops the marker" {
	echo '0000:0a:00.0@10de:1c03 group' >"$ROOT/etc/vfio-claim.conf"
	VFIO_CLAIM_TEST_KILL_AFTER_RENAMES=2 run vc apply
	[ "$status" -eq 137 ]
	run --separate-stderr vc apply
	assert_success
	assert_line --index 0 "repaired the files an interrupted apply left half replaced (/etc/modprobe.d/vfio-claim-claims.conf /etc/udev/rules.d/59-vfio-claim-claims.rules)"
	[ ! -e "$ROOT/var/lib/vfio-claim/apply-pending" ]
}

# --- kind 7: FIFOs, huge files, bounded snapshots ------------------------------

@test "a FIFO as the config, a sysfs attribute or in etc/modprobe.d: an error, never a hang" {
	: >"$BATS_TEST_TMPDIR/all"
	both_ways "rm -f etc/vfio-claim.conf; mkfifo etc/vfio-claim.conf" vc apply
	echo "$output" >>"$BATS_TEST_TMPDIR/all"
	both_ways "$(declare -f claim); claim; d=\$(readlink -f sys/bus/pci/devices/0000:0a:00.0); rm \$d/uevent; mkfifo \$d/uevent" vc list 0a:00.0
	echo "$output" >>"$BATS_TEST_TMPDIR/all"
	both_ways "$(declare -f claim); claim; mkfifo etc/modprobe.d/evil.conf" vc apply
	echo "$output" >>"$BATS_TEST_TMPDIR/all"
	both_ways "$(declare -f claim); claim; d=\$(readlink -f sys/bus/pci/devices/0000:0a:00.0); rm \$d/driver_override; mkfifo \$d/driver_override" vc_mock bind --group 0a:00.0
	echo "$output" >>"$BATS_TEST_TMPDIR/all"
	output=$(cat "$BATS_TEST_TMPDIR/all")
	assert_expected hostile-paths/fifo.txt
}

@test "a 1 GiB file where a small one is expected: a clear error, not 1 GB of memory" {
	: >"$BATS_TEST_TMPDIR/all"
	both_ways "truncate -s 1G etc/vfio-claim.conf" vc apply
	echo "$output" >>"$BATS_TEST_TMPDIR/all"
	both_ways "truncate -s 1G proc/self/mountinfo" vc add 01:00.0
	echo "$output" >>"$BATS_TEST_TMPDIR/all"
	output=$(cat "$BATS_TEST_TMPDIR/all")
	assert_expected hostile-paths/huge.txt
}

@test "snapshot: a 1 GiB attribute is an error and nothing is left behind" {
	d=$(readlink -f "$ROOT/sys/bus/pci/devices/0000:0a:00.0")
	truncate -s 1G "$d/huge"
	run --separate-stderr vc snapshot "$BATS_TEST_TMPDIR/snap"
	assert_failure
	[ "${stderr//$BATS_TEST_TMPDIR/TMP}" = "vfio-claim: TMP/snap: snapshot failed: ${d#"$ROOT"}/huge is larger than vfio-claim copies (16 MiB a file); nothing was left behind" ] ||
		fail "stderr: $stderr"
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep snap)" ]
}

@test "snapshot: the total is capped" {
	VFIO_CLAIM_SNAPSHOT_MAX_BYTES=2000 run --separate-stderr vc snapshot "$BATS_TEST_TMPDIR/snap"
	assert_failure
	[[ "$stderr" == *"snapshot failed: the copy would pass 2000 bytes at /"* ]] || fail "stderr: $stderr"
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep snap)" ]
}

@test "snapshot: a full disk says No space left on device" {
	mkdir -p "$BATS_TEST_TMPDIR/small"
	mount -t tmpfs -o size=32k tmpfs "$BATS_TEST_TMPDIR/small" 2>/dev/null || skip "cannot mount a tmpfs here"
	run --separate-stderr vc snapshot "$BATS_TEST_TMPDIR/small/snap"
	umount "$BATS_TEST_TMPDIR/small"
	assert_failure
	[[ "$stderr" == *"No space left on device"* ]] || fail "stderr: $stderr"
}

# --- kind 8: config loss -------------------------------------------------------

@test "a NUL byte in the config is an error naming file:line, and add keeps every byte" {
	printf '# gpus\n10de:1b80\n\0000:0a:00.1@10de:10f1\n' >"$ROOT/etc/vfio-claim.conf"
	before=$(sha256sum <"$ROOT/etc/vfio-claim.conf")
	run --separate-stderr vc apply
	assert_failure 65
	[ "$stderr" = "vfio-claim: /etc/vfio-claim.conf:3: holds a NUL byte (a config is text, and what follows it would be lost); fix the line and try again (nothing was changed)" ] ||
		fail "stderr: $stderr"
	run --separate-stderr vc add 0a:00.0
	assert_failure 65
	[ "$(sha256sum <"$ROOT/etc/vfio-claim.conf")" = "$before" ]
}

@test "add on a symlinked config updates the target inside the root" {
	mkdir -p "$ROOT/etc/vfio"
	echo '10de:1b80' >"$ROOT/etc/vfio/claims.conf"
	ln -s vfio/claims.conf "$ROOT/etc/vfio-claim.conf"
	run --separate-stderr vc add --partial 0a:00.0
	assert_success
	[ -L "$ROOT/etc/vfio-claim.conf" ]
	assert_equal "$(cat "$ROOT/etc/vfio/claims.conf")" "$(printf '10de:1b80\n0000:0a:00.0@10de:1c03 partial')"
	ln -sfn /etc/vfio/claims.conf "$ROOT/etc/vfio-claim.conf"
	VFIO_CLAIM_NO_OPENAT2=1 run --separate-stderr vc remove 0a:00.0
	assert_success
	[ -L "$ROOT/etc/vfio-claim.conf" ]
	assert_equal "$(cat "$ROOT/etc/vfio/claims.conf")" "10de:1b80"
}

@test "add keeps the config's mode, owner and the inline comment of the line it updates" {
	printf '0000:0a:00.0@10de:1c03 group   # the guest GPU\r\n10de:1b80\r\n' >"$ROOT/etc/vfio-claim.conf"
	chmod 0600 "$ROOT/etc/vfio-claim.conf"
	chown 1234:5678 "$ROOT/etc/vfio-claim.conf"
	run --separate-stderr vc add 0a:00.0
	assert_success
	assert_equal "$(stat -c '%a %u %g' "$ROOT/etc/vfio-claim.conf")" "600 1234 5678"
	assert_equal "$(cat -A "$ROOT/etc/vfio-claim.conf")" "$(printf '0000:0a:00.0@10de:1c03   # the guest GPU^M$\n10de:1b80^M$')"
}
