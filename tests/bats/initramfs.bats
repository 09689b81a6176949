#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# verify reads the initramfs in process (libarchive): every compressor the
# kernel takes, early microcode in front, the image each boot layout uses
# (initramfs-tools, dracut, mkinitcpio, BLS, kernel-install, unified kernel
# images), the distribution's own tool in the fixes, and hostile images that
# must neither write a byte nor crash (issue 9 kind 1, issue 11 items 1-3).

load helpers

KVER=6.1.0-99-amd64
MKNEWC="$BATS_TEST_DIRNAME/mknewc.py"

setup_file() {
	x399_template
}

setup() {
	x399_root
	mkdir -p "$ROOT/etc/modprobe.d" "$ROOT/etc/udev/rules.d" "$ROOT/boot"
	export VFIO_CLAIM_LOCK_TIMEOUT=1
}

vc() {
	"$VC" --root "$ROOT" "$@"
}

# A claim applied and in effect now, so that only the initramfs is judged.
claimed() {
	vc add 0a:00.0 --group >/dev/null
	vc apply >/dev/null 2>&1
	LD_PRELOAD="$TOP/build/fakesysfs.so" VFIO_CLAIM_MOCK_ROOT="$ROOT" \
		VFIO_CLAIM_MOCK_LOG="$BATS_TEST_TMPDIR/writes.log" "$VC" --root "$ROOT" bind --group 0a:00.0 >/dev/null
	mkdir -p "$ROOT/sys/module/vfio_claim/parameters"
	echo "0000:0a:00.0@10de:1c03,0000:0a:00.1@10de:10f1" >"$ROOT/sys/module/vfio_claim/parameters/slots"
	echo >"$ROOT/sys/module/vfio_claim/parameters/ids"
	echo "0000:0a:00.0,0000:0a:00.1" >"$ROOT/sys/module/vfio_claim/parameters/claimed"
}

# The main archive's tree: what the package's hooks copy, from the root's /etc.
main_tree() {
	local d="$BATS_TEST_TMPDIR/main"
	rm -rf "$d" && mkdir -p "$d/usr/lib/modules/$KVER/updates/dkms" "$d/usr/lib/udev/rules.d" \
		"$d/etc/modprobe.d" "$d/etc/udev/rules.d"
	ln -s usr/lib "$d/lib"
	: >"$d/usr/lib/modules/$KVER/updates/dkms/vfio_claim.ko.xz"
	: >"$d/usr/lib/modules/$KVER/vfio-pci.ko.zst"
	: >"$d/usr/lib/udev/rules.d/60-vfio-claim.rules"
	for f in etc/vfio-claim.conf etc/modprobe.d/vfio-claim-claims.conf etc/udev/rules.d/59-vfio-claim-claims.rules; do
		[ -f "$ROOT/$f" ] && cp "$ROOT/$f" "$d/$f"
	done
	echo "$d"
}

# pack COMPRESSOR [early]: the main tree as an image on stdout, compressed
# as the kernel takes it, with an uncompressed early microcode archive first.
pack() {
	local d early="$BATS_TEST_TMPDIR/early"
	d=$(main_tree)
	if [ "${2:-}" = early ]; then
		rm -rf "$early" && mkdir -p "$early/kernel/x86/microcode"
		echo ucode >"$early/kernel/x86/microcode/GenuineIntel.bin"
		(cd "$early" && find . | sort | cpio -o -H newc --quiet)
	fi
	case $1 in
	none) (cd "$d" && find . | sort | cpio -o -H newc --quiet) ;;
	lz4) (cd "$d" && find . | sort | cpio -o -H newc --quiet) | lz4 -l -q -c ;;
	*) (cd "$d" && find . | sort | cpio -o -H newc --quiet) | "$1" -q -c ;;
	esac
}

@test "each compressor, early microcode or not: verify reads the image and exits 0" {
	claimed
	for comp in gzip xz zstd lz4 none; do
		for early in "" early; do
			pack $comp $early >"$ROOT/boot/initrd.img-$KVER"
			run --separate-stderr vc verify
			[ "$status" -eq 0 ] || fail "$comp $early: $output $stderr"
			assert_output --regexp '^ok: [0-9]+ checks hold now and for the next boot$'
		done
	done
}

@test "dracut: only /boot/initramfs-KVER.img (zstd, early microcode in front) is found and judged" {
	claimed
	mkdir -p "$ROOT/usr/bin" && : >"$ROOT/usr/bin/dracut"
	pack zstd early >"$ROOT/boot/initramfs-$KVER.img"
	run --separate-stderr vc -v verify
	assert_success
	assert_expected initramfs/dracut-ok.txt
	# Stale after a config change: the fix is dracut's own command.
	vc add --partial 43:00.1 >/dev/null
	vc apply >/dev/null 2>&1
	run --separate-stderr vc verify 0a:00.0
	assert_failure 1
	assert_expected initramfs/dracut-stale.txt
}

@test "dracut: a guides-style options file left out of a generic image is explained, with a fix that works on dracut" {
	mkdir -p "$ROOT/usr/bin" && : >"$ROOT/usr/bin/dracut"
	printf 'blacklist nouveau\nsoftdep nouveau pre: vfio-pci\noptions vfio-pci ids=10de:1c03\n' >"$ROOT/etc/modprobe.d/vfio.conf"
	d=$(main_tree)
	mkdir -p "$d/usr/lib/dracut" && echo 059 >"$d/usr/lib/dracut/dracut-059"
	(cd "$d" && find . | sort | cpio -o -H newc --quiet | zstd -q -c) >"$ROOT/boot/initramfs-$KVER.img"
	run --separate-stderr vc verify
	assert_failure 1
	assert_expected initramfs/dracut-generic.txt
	# A host-only image that lacks it was simply built before it was written.
	echo /etc/modprobe.d/foo.conf >"$d/usr/lib/dracut/hostonly-files"
	(cd "$d" && find . | sort | cpio -o -H newc --quiet | zstd -q -c) >"$ROOT/boot/initramfs-$KVER.img"
	run --separate-stderr vc verify
	assert_failure 1
	assert_line "/etc/modprobe.d/vfio.conf: is not in /boot/initramfs-$KVER.img: the initramfs was built before it was written; fix: dracut -f --kver $KVER"
}

@test "initramfs-tools: the fix is update-initramfs for the kernel, when its hook is installed" {
	mkdir -p "$ROOT/usr/sbin" "$ROOT/etc/kernel/postinst.d" "$ROOT/usr/bin"
	: >"$ROOT/usr/sbin/update-initramfs"
	: >"$ROOT/etc/kernel/postinst.d/initramfs-tools"
	: >"$ROOT/usr/bin/dracut"	# dracut-core beside initramfs-tools builds nothing at boot
	printf 'options vfio-pci ids=10de:1c03\n' >"$ROOT/etc/modprobe.d/vfio.conf"
	run --separate-stderr vc verify
	assert_failure 1
	assert_line "initramfs: no initramfs for $KVER (/boot/initrd.img-$KVER); fix: update-initramfs -c -k $KVER"
	pack gzip >"$ROOT/boot/initrd.img-$KVER"
	run --separate-stderr vc verify
	assert_failure 1
	assert_expected initramfs/initramfs-tools-stale.txt
}

@test "mkinitcpio: the image is the kernel package's, the fix is mkinitcpio -P" {
	mkdir -p "$ROOT/usr/bin" "$ROOT/usr/lib/modules/$KVER"
	: >"$ROOT/usr/bin/mkinitcpio"
	echo linux-lts >"$ROOT/usr/lib/modules/$KVER/pkgbase"
	printf 'options vfio-pci ids=10de:1c03\n' >"$ROOT/etc/modprobe.d/vfio.conf"
	pack zstd >"$ROOT/boot/initramfs-linux-lts.img"
	pack zstd >"$ROOT/boot/initramfs-linux.img"
	run --separate-stderr vc verify
	assert_failure 1
	assert_expected initramfs/mkinitcpio.txt
}

# The failed checks of verify --json on stdin, one "SUBJECT CHECK REBUILD" line
# each: the rebuild_initramfs field the Ansible module reads.
rebuild_marks() {
	python3 -c 'import json, sys
for c in json.load(sys.stdin)["checks"]:
    if not c["ok"]:
        print(c["subject"], c["check"], str(c["rebuild_initramfs"]).lower())'
}

@test "verify --json: rebuild_initramfs marks the failed checks that rebuilding the initramfs alone fixes" {
	claimed
	# An image built before the last apply, and before vfio_claim was installed.
	d=$(main_tree)
	rm "$d/usr/lib/modules/$KVER/updates/dkms/vfio_claim.ko.xz"
	echo "# an older config" >>"$d/etc/vfio-claim.conf"
	(cd "$d" && find . | sort | cpio -o -H newc --quiet | gzip) >"$ROOT/boot/initrd.img-$KVER"
	run --separate-stderr vc --json verify
	assert_failure 1
	assert_expected initramfs/rebuild.json
	# vfio_claim not installed for the kernel: a rebuild cannot put it in the image.
	rm "$ROOT/lib/modules/$KVER/kernel/drivers/vfio_claim.ko"
	depmod -b "$ROOT" "$KVER"
	run --separate-stderr vc --json verify
	assert_failure 1
	run rebuild_marks <<<"$output"
	assert_output - <<'OUT'
vfio_claim installed false
vfio_claim initramfs false
/etc/vfio-claim.conf initramfs true
OUT
	# No image: initramfs-tools' update-initramfs -u (what apply --initramfs runs) cannot create one ...
	rm "$ROOT/boot/initrd.img-$KVER"
	mkdir -p "$ROOT/usr/sbin" "$ROOT/etc/kernel/postinst.d"
	: >"$ROOT/usr/sbin/update-initramfs"
	: >"$ROOT/etc/kernel/postinst.d/initramfs-tools"
	run --separate-stderr vc --json verify
	run rebuild_marks <<<"$output"
	assert_line "initramfs present false"
	# ... dracut's command makes it.
	rm "$ROOT/usr/sbin/update-initramfs" "$ROOT/etc/kernel/postinst.d/initramfs-tools"
	mkdir -p "$ROOT/usr/bin" && : >"$ROOT/usr/bin/dracut"
	run --separate-stderr vc --json verify
	run rebuild_marks <<<"$output"
	assert_line "initramfs present true"
}

@test "verify --json: a generic dracut image lacking a modprobe.d file is not fixed by a rebuild alone" {
	mkdir -p "$ROOT/usr/bin" && : >"$ROOT/usr/bin/dracut"
	printf 'blacklist nouveau\nsoftdep nouveau pre: vfio-pci\noptions vfio-pci ids=10de:1c03\n' >"$ROOT/etc/modprobe.d/vfio.conf"
	d=$(main_tree)
	mkdir -p "$d/usr/lib/dracut" && echo 059 >"$d/usr/lib/dracut/dracut-059"
	(cd "$d" && find . | sort | cpio -o -H newc --quiet | zstd -q -c) >"$ROOT/boot/initramfs-$KVER.img"
	run --separate-stderr vc --json verify
	assert_failure 1
	assert_expected initramfs/dracut-generic.json
	# Host-only, the same image lacks it only because it was built before: a rebuild fixes it.
	echo /etc/modprobe.d/foo.conf >"$d/usr/lib/dracut/hostonly-files"
	(cd "$d" && find . | sort | cpio -o -H newc --quiet | zstd -q -c) >"$ROOT/boot/initramfs-$KVER.img"
	run --separate-stderr vc --json verify
	run rebuild_marks <<<"$output"
	assert_output "/etc/modprobe.d/vfio.conf initramfs true"
}

@test "BLS: the entry's initrd lines (microcode first) on the ESP are the image" {
	claimed
	mkdir -p "$ROOT/boot/efi/loader/entries" "$ROOT/boot/efi/ucode"
	# A stale image under the Debian name must not be judged.
	: >"$ROOT/boot/initrd.img-$KVER"
	printf 'title Debian\nversion %s\nlinux /vmlinuz-%s\ninitrd /ucode/intel.img\ninitrd /initramfs-%s.img\noptions root=/dev/vda\n' \
		"$KVER" "$KVER" "$KVER" >"$ROOT/boot/efi/loader/entries/debian-$KVER.conf"
	printf 'title other\nversion 5.10.0-1-amd64\nlinux /vmlinuz-5.10.0-1-amd64\ninitrd /nope.img\n' \
		>"$ROOT/boot/efi/loader/entries/debian-5.10.0-1-amd64.conf"
	printf 'dir kernel\nfile kernel/x86/microcode/GenuineIntel.bin ucode\n' | python3 "$MKNEWC" >"$ROOT/boot/efi/ucode/intel.img"
	pack xz >"$ROOT/boot/efi/initramfs-$KVER.img"
	run --separate-stderr vc -v verify
	assert_success
	assert_expected initramfs/bls-ok.txt
}

@test "kernel-install: /boot/MACHINE-ID/KVER/initrd is the image" {
	claimed
	echo 0123456789abcdef0123456789abcdef >"$ROOT/etc/machine-id"
	mkdir -p "$ROOT/boot/0123456789abcdef0123456789abcdef/$KVER"
	pack zstd early >"$ROOT/boot/0123456789abcdef0123456789abcdef/$KVER/initrd"
	run --separate-stderr vc -v verify
	assert_success
	assert_line "ok: initramfs: judged /boot/0123456789abcdef0123456789abcdef/$KVER/initrd: kernel-install's layout for $KVER (/etc/machine-id is 0123456789abcdef0123456789abcdef)"
}

# A minimal PE file with .linux, .cmdline and .initrd sections holding $1.
make_uki() {
	python3 - "$1" <<'PY'
import struct, sys
initrd = open(sys.argv[1], "rb").read()
secs = [(b".linux", b"\x90" * 16), (b".cmdline", b"root=/dev/vda\0"), (b".initrd", initrd)]
head = 0x40 + 24 + 40 * len(secs)
off = (head + 511) & ~511
table, body = b"", b""
for name, data in secs:
    table += struct.pack("<8sIIIIIIHHI", name.ljust(8, b"\0"), len(data), 0, len(data), off + len(body), 0, 0, 0, 0, 0)
    body += data + b"\0" * (-len(data) % 512)
dos = b"MZ" + b"\0" * 0x3a + struct.pack("<I", 0x40)
coff = b"PE\0\0" + struct.pack("<HHIIIHH", 0x8664, len(secs), 0, 0, 0, 0, 0x22)
pe = dos + coff + table
sys.stdout.buffer.write(pe + b"\0" * (off - len(pe)) + body)
PY
}

@test "a unified kernel image is recognised and its .initrd section judged" {
	claimed
	mkdir -p "$ROOT/boot/efi/EFI/Linux"
	pack zstd early >"$BATS_TEST_TMPDIR/initrd"
	make_uki "$BATS_TEST_TMPDIR/initrd" >"$ROOT/boot/efi/EFI/Linux/debian-$KVER.efi"
	run --separate-stderr vc -v verify
	assert_success
	assert_line "ok: initramfs: judged /boot/efi/EFI/Linux/debian-$KVER.efi (a unified kernel image: its .initrd section): a unified kernel image for $KVER in /boot/efi/EFI/Linux"
	# A PE file without an .initrd section is not misjudged as an initramfs.
	printf 'MZ' >"$ROOT/boot/efi/EFI/Linux/debian-$KVER.efi"
	head -c 200 /dev/zero >>"$ROOT/boot/efi/EFI/Linux/debian-$KVER.efi"
	run --separate-stderr vc verify
	assert_failure 69
	assert_output ""
	assert_equal "$stderr" "vfio-claim: /boot/efi/EFI/Linux/debian-$KVER.efi: cannot read the initramfs: it is not a unified kernel image (no .linux and .initrd sections)"
}

# Every file-creating system call verify makes, from strace.
creating_calls() {
	grep -E 'O_CREAT|mkdir|mknod|symlink|\blink(at)?\(|rename|unlink|execve\(' "$1" | grep -v 'execve("'"$VC"'"' || true
}

@test "a hostile image (a link the archive then writes through, a device node, setuid) writes nothing anywhere" {
	claimed
	victim="$BATS_TEST_TMPDIR/victim"
	printf 'link evil %s\nfile evil/pwned owned\ndev console\nsetuid su\nfile etc/modprobe.d/x.conf hi\n' "$victim" |
		python3 "$MKNEWC" | gzip -c >"$ROOT/boot/initrd.img-$KVER"
	mkdir -p "$BATS_TEST_TMPDIR/tmp"
	TMPDIR="$BATS_TEST_TMPDIR/tmp" run --separate-stderr strace -f -qq -o "$BATS_TEST_TMPDIR/trace" "$VC" --root "$ROOT" verify
	assert_failure 1
	assert_line "vfio_claim: is not in /boot/initrd.img-$KVER; fix: vfio-claim apply --initramfs"
	[ ! -e "$victim" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/tmp")" ]
	run creating_calls "$BATS_TEST_TMPDIR/trace"
	assert_output ""
}

# hostile NAME: verify on the image in boot/initrd.img-KVER fails with 69 and one line.
hostile() {
	run --separate-stderr vc verify
	assert_failure 69
	assert_output ""
	assert_equal "$stderr" "vfio-claim: /boot/initrd.img-$KVER: cannot read the initramfs: $1"
}

@test "malformed and hostile images: one line, exit 69, never a crash" {
	claimed
	pack zstd >"$BATS_TEST_TMPDIR/good"
	head -c 300 "$BATS_TEST_TMPDIR/good" >"$ROOT/boot/initrd.img-$KVER"
	hostile "not a cpio archive: Truncated zstd input"
	printf 'file ../../etc/shadow x\n' | python3 "$MKNEWC" | gzip -c >"$ROOT/boot/initrd.img-$KVER"
	hostile "member '../../etc/shadow' leaves the archive with '..'"
	# An uncompressed archive cut before its trailer.
	printf 'dir a\nfile a/b hello\n' | python3 "$MKNEWC" | head -c 200 >"$ROOT/boot/initrd.img-$KVER"
	hostile "the uncompressed archive at byte 0 is cut short or corrupt"
	# A judged file far larger than any config.
	{ printf 'size etc/modprobe.d/big.conf 2097152\n' | python3 "$MKNEWC"; head -c 2097152 /dev/zero; printf 'trailer\n' | python3 "$MKNEWC"; } |
		gzip -1 -c >"$ROOT/boot/initrd.img-$KVER"
	hostile "member 'etc/modprobe.d/big.conf' is 2097152 bytes, more than the 1048576 a file it judges may have"
	# A decompression bomb: a few kB of zstd claiming 4 GiB.
	{ printf 'size usr/lib/bomb 4294967295\n' | python3 "$MKNEWC"; head -c 1048576 /dev/zero; } |
		zstd -q -c >"$ROOT/boot/initrd.img-$KVER"
	hostile "it unpacks to more than 1024 MiB (a decompression bomb?)"
	printf 'not an initramfs at all\n' >"$ROOT/boot/initrd.img-$KVER"
	hostile "not a cpio archive: Unrecognized archive format"
	rm "$ROOT/boot/initrd.img-$KVER" && mkfifo "$ROOT/boot/initrd.img-$KVER"
	hostile "it is not a regular file"
}
