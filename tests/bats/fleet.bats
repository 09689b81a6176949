#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# What a fleet's schedulers are told (issue 13): export --kubevirt (KubeVirt's
# permittedHostDevices for the claimed devices, under the claim policy) and
# verify --nfd (Node Feature Discovery's local feature file), on writable
# copies of the fixtures: hd4850-twin (two identical cards, the second on
# vfio-pci) and x399 (a GPU on nouveau, the boot VGA device).

load helpers

KVER=6.1.0-99-amd64

setup() {
	export VFIO_CLAIM_LOCK_TIMEOUT=1
}

vc() {
	"$VC" --root "$ROOT" "$@"
}

@test "export --kubevirt: one entry per claimed ID, a note where a twin stays unclaimed; valid YAML" {
	ROOT=$(copy_fixture hd4850-twin)
	vc add --group 02:00.0 >/dev/null
	run --separate-stderr vc export --kubevirt
	assert_success
	assert_expected fleet/kubevirt-twin.yaml
	assert_equal "$stderr" ""
	run python3 -c 'import sys, yaml; d = yaml.safe_load(sys.stdin); print(d["permittedHostDevices"]["pciHostDevices"])' <<<"$output"
	assert_output "[{'pciVendorSelector': '1002:9442', 'resourceName': 'vfio-claim.io/1002_9442', 'externalResourceProvider': False}, {'pciVendorSelector': '1002:AA30', 'resourceName': 'vfio-claim.io/1002_aa30', 'externalResourceProvider': False}]"
	run --separate-stderr vc --json export --kubevirt
	assert_success
	assert_expected fleet/kubevirt-twin.json
}

@test "export --kubevirt: nothing claimed gives an empty list and says so" {
	ROOT=$(copy_fixture hd4850-twin)
	run --separate-stderr vc export --kubevirt
	assert_success
	assert_output "$(printf '%s\n' '# KubeVirt CR, spec.configuration: the devices /etc/vfio-claim.conf claims' \
		'permittedHostDevices:' '  pciHostDevices: []')"
	assert_equal "$stderr" "vfio-claim: warning: nothing is claimed: /etc/vfio-claim.conf has no claim that takes a device here; the list is empty"
}

@test "export --kubevirt: the policy refuses the boot VGA device (exit 1, nothing printed) unless --force; devices off vfio-pci are named" {
	ROOT=$(copy_fixture x399)
	mkdir -p "$ROOT/etc"
	printf '0000:0a:00.0@10de:1c03 group\n0000:43:00.0@1002:67c7 group force\n' >"$ROOT/etc/vfio-claim.conf"
	run --separate-stderr vc export --kubevirt
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "vfio-claim: IOMMU group 34 cannot go to a guest: 0000:43:00.0 is the boot VGA device (the host's console) [boot-vga]; the whole group goes or nothing (--force prints it anyway)"
	run --separate-stderr vc export --kubevirt --force
	assert_success
	assert_expected fleet/kubevirt-x399-force.yaml
	assert_equal "$stderr" "$(printf '%s\n' \
		"vfio-claim: warning: 0000:43:00.0 is the boot VGA device (the host's console) [boot-vga]; exported anyway (--force): the guest cannot start while the host uses it" \
		"vfio-claim: warning: 0000:0a:00.0 is on nouveau, not vfio-pci: KubeVirt offers it once it is ('vfio-claim bind 0000:0a:00.0', or reboot after 'vfio-claim apply --initramfs')" \
		"vfio-claim: warning: 0000:0a:00.1 is on snd_hda_intel, not vfio-pci: KubeVirt offers it once it is ('vfio-claim bind 0000:0a:00.1', or reboot after 'vfio-claim apply --initramfs')" \
		"vfio-claim: warning: 0000:43:00.1 is on snd_hda_intel, not vfio-pci: KubeVirt offers it once it is ('vfio-claim bind 0000:43:00.1', or reboot after 'vfio-claim apply --initramfs')")"
}

@test "export --kubevirt: takes no DEVICE and no second format" {
	ROOT=$(copy_fixture hd4850-twin)
	run --separate-stderr vc export --kubevirt 02:00.0
	assert_failure 64
	assert_equal "$stderr" "vfio-claim: --kubevirt takes the devices the config claims, not '02:00.0'; try 'vfio-claim export --help'"
	run --separate-stderr vc export --kubevirt --qemu
	assert_failure 64
	assert_equal "$stderr" "vfio-claim: give one of --libvirt, --qemu and --kubevirt; try 'vfio-claim export --help'"
}

# x399 with the claims applied, bound (the fake kernel), in an initramfs and
# in the loaded module's parameters: verify holds (workflow.bats shows each step).
verified_x399() {
	ROOT=$(copy_fixture x399)
	"$TOP/tests/modules/mkmodules.sh" "$ROOT" "$KVER"
	mkdir -p "$ROOT/etc/modprobe.d" "$ROOT/etc/udev/rules.d" "$ROOT/etc/default"
	echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$ROOT/etc/default/grub"
	vc add 0a:00.0 --group >/dev/null
	vc apply >/dev/null 2>&1
	LD_PRELOAD="$TOP/build/fakesysfs.so" VFIO_CLAIM_MOCK_ROOT="$ROOT" \
		VFIO_CLAIM_MOCK_LOG="$BATS_TEST_TMPDIR/writes.log" "$VC" --root "$ROOT" bind --group 0a:00.0 >/dev/null
	local d="$BATS_TEST_TMPDIR/initramfs"
	mkdir -p "$d/usr/lib/modules/$KVER/updates/dkms" "$d/usr/lib/udev/rules.d" "$d/etc/modprobe.d" "$d/etc/udev/rules.d"
	: >"$d/usr/lib/modules/$KVER/updates/dkms/vfio_claim.ko"
	: >"$d/usr/lib/modules/$KVER/vfio-pci.ko"
	: >"$d/usr/lib/udev/rules.d/60-vfio-claim.rules"
	for f in etc/vfio-claim.conf etc/modprobe.d/vfio-claim-claims.conf etc/udev/rules.d/59-vfio-claim-claims.rules; do
		cp "$ROOT/$f" "$d/$f"
	done
	mkdir -p "$ROOT/boot"
	(cd "$d" && find . | cpio -o -H newc --quiet | gzip) >"$ROOT/boot/initrd.img-$KVER"
	mkdir -p "$ROOT/sys/module/vfio_claim/parameters"
	echo "0000:0a:00.0@10de:1c03,0000:0a:00.1@10de:10f1" >"$ROOT/sys/module/vfio_claim/parameters/slots"
	echo >"$ROOT/sys/module/vfio_claim/parameters/ids"
	echo "0000:0a:00.0,0000:0a:00.1" >"$ROOT/sys/module/vfio_claim/parameters/claimed"
}

NFD=etc/kubernetes/node-feature-discovery/features.d

@test "verify --nfd: every claim holds: ready=true and the count per ID, written by a rename of a dot-named file" {
	verified_x399
	# LeakSanitizer cannot run under ptrace (check-sanitize runs this suite too).
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run --separate-stderr strace -f -e trace=openat,renameat,rename,renameat2 -o "$BATS_TEST_TMPDIR/trace" "$VC" --root "$ROOT" verify --nfd
	assert_success
	assert_output --regexp '^ok: [0-9]+ checks hold now and for the next boot$'
	run cat "$ROOT/$NFD/vfio-claim"
	assert_expected fleet/nfd-ready.txt
	# Created as a dot name, then renamed over the feature file: NFD never reads half a file.
	run grep -E "O_CREAT|rename" "$BATS_TEST_TMPDIR/trace"
	assert_line --regexp 'openat\(.*"\.vfio-claim\.[^"]*", O_[A-Z|]*O_CREAT'
	assert_line --regexp 'renameat2?\(.*"\.vfio-claim\.[^"]*", .*"vfio-claim"'
	[ "$(ls -A "$ROOT/$NFD")" = vfio-claim ]
	# Every name and value is a valid Kubernetes label (the NFD local source's rule).
	while IFS='=' read -r name value; do
		[[ $name == \#* ]] && continue
		[[ $name =~ ^vfio-claim\.io/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$ ]] || fail "bad label name $name"
		[[ $value =~ ^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$ ]] || fail "bad label value $value"
	done <"$ROOT/$NFD/vfio-claim"
}

@test "verify --nfd: a claim that stops holding turns ready=false and its count drops; exit 1 as verify" {
	verified_x399
	vc verify --nfd >/dev/null
	# The GPU went back to nouveau.
	ln -sfn ../../../../bus/pci/drivers/nouveau "$ROOT/sys/bus/pci/devices/0000:0a:00.0/driver"
	run --separate-stderr vc verify --nfd
	assert_failure 1
	run cat "$ROOT/$NFD/vfio-claim"
	assert_expected fleet/nfd-broken.txt
}

@test "verify --nfd=DIR writes below the root, never outside it; no DEVICE with --nfd" {
	ROOT=$(copy_fixture hd4850-twin)
	"$TOP/tests/modules/mkmodules.sh" "$ROOT" "$KVER"
	vc add --group 02:00.0 >/dev/null
	run --separate-stderr vc verify --nfd=/srv/features.d
	assert_failure 1
	run cat "$ROOT/srv/features.d/vfio-claim"
	assert_expected fleet/nfd-twin.txt
	# A link planted at the directory's place that points out of the root is followed inside it.
	mkdir -p "$BATS_TEST_TMPDIR/outside"
	ln -s "$BATS_TEST_TMPDIR/outside" "$ROOT/srv/elsewhere"
	run --separate-stderr vc verify --nfd=srv/elsewhere
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/outside")" ] || fail "wrote outside the root"
	run --separate-stderr vc verify --nfd 02:00.0
	assert_failure 64
	assert_equal "$stderr" "vfio-claim: --nfd labels the node by every claim: no DEVICE ('02:00.0'); try 'vfio-claim verify --help'"
}
