#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Hostile and broken input (issue 9, kinds 3, 4 and 9): injection into what
# the tool writes, checks that must not fail open, and output that must stay
# one line and valid. Each row runs on a fresh writable copy of the X399
# fixture; its exit code, stdout and stderr (ROOT for the tree) are compared,
# whole, with tests/expected/hostile-inject.txt. A row that fails leaves
# every file as it was and says so in one line at most. Arguments are shell words ($'..' works).

load helpers

KVER=6.1.0-99-amd64

# name ;; setup (shell, in $ROOT) ;; vfio-claim arguments after --root
ROWS=(
	# kind 3: --owner is one validated token
	"add-owner-with-blank ;; : ;; add 02:00.1 --owner 'alice group'"
	"add-owner-with-newline ;; : ;; add 02:00.1 --owner \$'alice\\ngroup'"
	"add-owner-with-quote ;; : ;; add 02:00.1 --owner 'ali\"ce'"
	"add-owner-non-ascii ;; : ;; add 02:00.1 --owner \$'al\\xc3\\xafce'"
	"add-owner-user-group ;; : ;; add 02:00.1 --partial --owner alice:kvm"
	"config-owner-with-quote ;; echo '1022:43b6 owner=a\"b' >etc/vfio-claim.conf ;; apply --check"
	# kind 4: an input that cannot be read is an error naming it, or the safe assumption
	"confd-is-a-file ;; echo 1022:43b6 >etc/vfio-claim.conf; echo x >etc/vfio-claim.conf.d ;; verify"
	"confd-is-a-file-apply-check ;; echo 1022:43b6 >etc/vfio-claim.conf; echo x >etc/vfio-claim.conf.d ;; apply --check"
	"confd-dangling-link ;; ln -s /nonexistent/vfio-claim.conf.d etc/vfio-claim.conf.d ;; verify"
	"confd-conf-dangling-link ;; mkdir etc/vfio-claim.conf.d; ln -s /nonexistent/x.conf etc/vfio-claim.conf.d/10-gpu.conf ;; apply --check"
	"config-dangling-link ;; ln -s /nonexistent/vfio-claim.conf etc/vfio-claim.conf ;; apply --check"
	"verify-generated-file-unreadable ;; echo '0000:0a:00.0@10de:1c03 group' >etc/vfio-claim.conf; \"\$VC\" --root \"\$PWD\" apply >/dev/null 2>&1; rm etc/modprobe.d/vfio-claim-claims.conf; mkdir etc/modprobe.d/vfio-claim-claims.conf ;; verify"
	"mountinfo-unreadable-add ;; rm proc/self/mountinfo; mkdir proc/self/mountinfo ;; add 02:00.1"
	"swaps-unreadable-add ;; rm proc/swaps; ln -s /nonexistent/swaps proc/swaps ;; add 02:00.1"
	"mountinfo-unreadable-bind ;; rm proc/self/mountinfo; mkdir proc/self/mountinfo ;; bind 02:00.1 --partial"
	"mount-on-unknown-block-device ;; echo '99 26 8:99 / /srv rw - ext4 /dev/sdz1 rw' >>proc/self/mountinfo ;; add 02:00.1"
	"swap-on-unknown-block-device ;; echo '/dev/sdz2 partition 1024 0 -3' >>proc/swaps ;; add 02:00.1"
	"nic-flags-unreadable-add ;; f=\$(readlink -f sys/class/net/enp4s0)/flags; rm \$f; mkdir \$f ;; add 04:00.0"
	"net-class-unreadable-add ;; rm -rf sys/class/net; echo x >sys/class/net ;; add 04:00.0"
	# kind 9: bounded numbers, lock errors per errno, one-line errors
	"lock-timeout-overflow ;; echo '0000:0a:00.0@10de:1c03 group' >etc/vfio-claim.conf ;; env VFIO_CLAIM_LOCK_TIMEOUT=99999999999 \"\$VC\" --root \"\$root\" add --group 0a:00.0"
	"lock-timeout-not-a-number ;; echo '0000:0a:00.0@10de:1c03 group' >etc/vfio-claim.conf ;; env VFIO_CLAIM_LOCK_TIMEOUT=10s \"\$VC\" --root \"\$root\" add --group 0a:00.0"
	"lock-timeout-negative ;; echo '0000:0a:00.0@10de:1c03 group' >etc/vfio-claim.conf ;; env VFIO_CLAIM_LOCK_TIMEOUT=-1 \"\$VC\" --root \"\$root\" add --group 0a:00.0"
	"lock-run-dangling ;; echo '0000:0a:00.0@10de:1c03 group' >etc/vfio-claim.conf; rm -rf run; ln -s /nonexistent/run run ;; add --group 0a:00.0"
	"lock-run-a-file ;; echo '0000:0a:00.0@10de:1c03 group' >etc/vfio-claim.conf; rm -rf run; echo x >run ;; add --group 0a:00.0"
	"argument-with-newline ;; : ;; list \$'0a:00.0\\nvfio-claim: all good'"
	"argument-with-escape ;; : ;; add \$'0a:00.0\\e[2J'"
	"mount-point-with-newline ;; sed -i 's| /data | /da\\\\012ta |' proc/self/mountinfo ;; add 0c:00.2"
	# qsort(NULL, 0): caught under check-sanitize (UBSan nonnull-attribute)
	"export-nothing-to-pass ;; : ;; export --qemu 00:18.3"
	"nothing-resolves ;; echo 10de:ffff >etc/vfio-claim.conf ;; apply --check"
)

# One X399 copy with a fake /lib/modules (depmod is slow), copied per row.
setup_file() {
	x399_template
}

# Run one row's arguments: plain arguments go to vfio-claim --root ROOT; a
# row starting with "env" gives the whole command line.
run_row() {
	local root=$1 args=$2
	if [ "${args#env }" != "$args" ]; then
		eval "run --separate-stderr $args"
	else
		eval "run --separate-stderr \"\$VC\" --root \"\$root\" $args"
	fi
}

@test "hostile inputs: exit code, whole output, nothing changed on failure (${#ROWS[@]} rows)" {
	export VFIO_CLAIM_LOCK_TIMEOUT=1
	result="$BATS_TEST_TMPDIR/result.txt"
	: >"$result"
	for row in "${ROWS[@]}"; do
		split_row "$row"
		name=$ROW_NAME
		args=$ROW_ARGS
		root="$BATS_TEST_TMPDIR/$name"
		row_root "$root" "$ROW_SETUP"
		before=$(tree_state "$root")
		run_row "$root" "$args"
		after=$(tree_state "$root")
		if [ "$status" -ne 0 ]; then
			[ "$before" = "$after" ] || fail "$name: failed (exit $status) but changed files"
			# One error line at most (verify's findings go to stdout); the whole output is compared below.
			[ "${#stderr_lines[@]}" -le 1 ] || fail "$name: want one line on stderr, got: $stderr"
		fi
		{
			echo "== $name: exit $status"
			[ -z "$output" ] || printf '%s\n' "${output//$root/ROOT}"
			[ -z "$stderr" ] || printf 'stderr: %s\n' "${stderr//$root/ROOT}"
			if [ -f "$root/etc/vfio-claim.conf" ] && [ "$status" -eq 0 ] && [ "${args#add}" != "$args" ]; then
				echo "config:"; grep -v '^#' "$root/etc/vfio-claim.conf"
			fi
		} >>"$result"
	done
	output=$(cat "$result")
	assert_expected hostile-inject.txt
}

@test "list --json is valid UTF-8 JSON with non-UTF-8 and control bytes in sysfs names and mount points" {
	root=$(copy_fixture x399)
	# A mount point with a newline, a quote and bytes that are not UTF-8 (mountinfo's octal escapes).
	printf '99 26 8:1 / /m\\012n"t\\377\\300\\257 rw - ext4 /dev/sda1 rw\n' >>"$root/proc/self/mountinfo"
	# An interface name that is not UTF-8.
	name=$(printf 'e\377x')
	link=$(readlink "$root/sys/class/net/enp4s0")
	netdir=$(dirname "$(readlink -f "$root/sys/class/net/enp4s0")")
	mkdir "$netdir/$name"
	echo 0x1003 >"$netdir/$name/flags"
	ln -s "$(dirname "$link")/$name" "$root/sys/class/net/$name"
	run --separate-stderr "$VC" --root "$root" --json list
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	printf '%s' "$output" >"$BATS_TEST_TMPDIR/list.json"
	run python3 -c '
import json, sys
doc = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", errors="strict"))
for g in doc["groups"]:
    for d in g["devices"]:
        for u in d["uses"]:
            if u["what"].startswith("/m") or u["what"].startswith("e\ufffd"):
                print(u["kind"], ascii(u["what"]))
' "$BATS_TEST_TMPDIR/list.json"
	assert_success
	assert_output - <<'OUT'
net 'e\ufffdx'
mount '/m\nn"t\ufffd\ufffd\ufffd'
OUT
}

@test "snapshot onto a full disk says so (ENOSPC), and leaves nothing" {
	command -v unshare >/dev/null || skip "no unshare"
	dir="$BATS_TEST_TMPDIR/small"
	mkdir -p "$dir"
	run --separate-stderr unshare -m sh -c '
		mount -t tmpfs -o size=16k tmpfs "$1" || exit 99
		"$2" --root "$3" snapshot "$1/snap"; rc=$?
		ls -A "$1"; exit $rc' sh "$dir" "$VC" "$FIXTURES/x399"
	[ "$status" -ne 99 ] || skip "cannot mount a tmpfs here"
	[ "$status" -ne 0 ] || fail "snapshot succeeded on a 16k disk"
	[[ "$stderr" == *"No space left on device"* ]] || fail "stderr: $stderr"
	[ -z "$output" ] || fail "left behind: $output"
}

@test "the generated-file checker refuses injected lines (it is what every suite's teardown runs)" {
	d="$BATS_TEST_TMPDIR/bad"
	mkdir -p "$d"
	printf '%s\n' '# /etc/vfio-claim.conf.d/x' 'RUN{builtin}+="kmod load evilmod"' \
		'KERNEL=="16", OWNER="alice group", MODE="0660"' 'KERNEL=="1" GOTO="nowhere"' \
		'ATTR{driver_override}="vfio-pci", PROGRAM="/bin/sh -c x"' \
		'ACTION!="add|remove", IMPORT{program}="/bin/sh -c x"' 'ACTION!="add|remove", IMPORT{db}="ID_PATH"' \
		'ACTION!="add|remove", IMPORT{db}="VFIO_CLAIM_REFUSED"' >"$d/59-vfio-claim-claims.rules"
	printf '%s\n' 'options vfio_claim slots=0000:0a:00.0@10de:1c03 ids=10de:1c03,$(reboot)' \
		'install vfio_claim /bin/sh -c evil' 'softdep e1000e pre: vfio_claim' 'evil' >"$d/vfio-claim-claims.conf"
	run python3 "$TOP/tests/syntax/check-generated.py" "$d/59-vfio-claim-claims.rules" "$d/vfio-claim-claims.conf"
	assert_failure
	output=${output//$d/DIR}
	assert_output - <<'OUT'
DIR/59-vfio-claim-claims.rules:2: RUN{builtin}+="kmod load evilmod": vfio-claim only loads vfio-pci
DIR/59-vfio-claim-claims.rules:3: OWNER="alice group": not a user/group name
DIR/59-vfio-claim-claims.rules:4: expected ',' at column 13
DIR/59-vfio-claim-claims.rules:5: PROGRAM: vfio-claim never writes it
DIR/59-vfio-claim-claims.rules:6: IMPORT{program}="/bin/sh -c x": vfio-claim only imports its VFIO_CLAIM* properties from the udev database
DIR/59-vfio-claim-claims.rules:7: IMPORT{db}="ID_PATH": vfio-claim only imports its VFIO_CLAIM* properties from the udev database
DIR/vfio-claim-claims.conf:1: ids=10de:1c03,$(reboot): not VENDOR:DEVICE[:SUBVENDOR:SUBDEVICE],...
DIR/vfio-claim-claims.conf:2: install: runs a shell command; vfio-claim never writes it
DIR/vfio-claim-claims.conf:4: 'evil' is not a modprobe.d command
OUT
}

@test "add --owner alice:kvm then apply: the generated rules hold the owner as one token" {
	root="$BATS_FILE_TMPDIR/owner"
	rm -rf "$root"; cp -a "$BATS_FILE_TMPDIR/x399" "$root"
	run --separate-stderr "$VC" --root "$root" add 0a:00.0 --group --owner alice:kvm
	assert_success
	run --separate-stderr "$VC" --root "$root" add 0a:00.0 --group --owner 'alice group'
	[ "$status" -eq 64 ]
	VFIO_CLAIM_LOCK_TIMEOUT=1 run --separate-stderr "$VC" --root "$root" apply
	assert_success
	run grep -h 'OWNER\|^options' "$root/etc/udev/rules.d/59-vfio-claim-claims.rules" "$root/etc/modprobe.d/vfio-claim-claims.conf"
	assert_output - <<'OUT'
KERNEL=="16", OWNER="alice", GROUP="kvm", MODE="0660"
options vfio_claim slots=0000:0a:00.0@10de:1c03,0000:0a:00.1@10de:10f1
OUT
	run python3 "$TOP/tests/syntax/check-generated.py" "$root/etc/udev/rules.d/59-vfio-claim-claims.rules" "$root/etc/modprobe.d/vfio-claim-claims.conf"
	assert_success
}

@test "list keeps one line per fact with control bytes in mount points and sysfs text" {
	root=$(copy_fixture x399)
	printf '99 26 8:1 / /m\\012vfio-claim:\\040all\\040good\\033[2J rw - ext4 /dev/sda1 rw\n' >>"$root/proc/self/mountinfo"
	printf 'flr\nbus\033[2J\n' >"$root/sys/bus/pci/devices/0000:0a:00.0/reset_method"
	run --separate-stderr "$VC" --root "$root" list 0a:00.0
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	# No raw control byte reaches the terminal, and the forged line is not a line of its own.
	printf '%s' "$output" | LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" && fail "a control byte in: $output"
	printf '%s\n' "$output" | grep -q '^vfio-claim: all good' && fail "a line was forged: $output"
	printf '%s\n' "$output" | grep -F 'reset flr\nbus\x1b[2J' >/dev/null || fail "reset_method not escaped: $output"
	run --separate-stderr "$VC" --root "$root" list
	printf '%s\n' "$output" | grep -F 'mounted /m\nvfio-claim: all good\x1b[2J' >/dev/null || fail "mount point not escaped: $output"
}
