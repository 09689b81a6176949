#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Make the disk the fleet's two guests boot (tests/vm/fleet/), on one kernel:
#
#   tests/vm/fleet/setup.sh [6.1|6.12|...]       prints "SERIES KVER"
#
#   build/vm-fleet/prep/                  tests/vm/flow/setup.sh's tree
#                                         (the VM harness's root with the
#                                         module built by dkms, seeded from
#                                         build/vm/base)
#   build/vm-fleet/img/KVER/fleet.img     that root plus, installed in a
#                                         chroot from Debian's archive,
#                                         openssh-server, python3,
#                                         python3-apt (Ansible's apt module)
#                                         and dbus (shutdown -r, which
#                                         Ansible's reboot module runs, asks
#                                         logind over D-Bus: without it,
#                                         "Failed to connect to bus")
#                                         (--no-install-recommends)
#                                         (the vfio-claim .deb is in that root
#                                         already), systemd-networkd on the
#                                         management NIC (virtio-net only, so
#                                         the NICs under test stay down),
#                                         /etc/kernel/cmdline, /boot/vmlinuz-KVER
#                                         and /boot/initrd.img-KVER,
#                                         MODULES=dep and COMPRESSLEVEL=1
#   build/vm-fleet/img/KVER/{vmlinuz,initrd.img}
#
# The DKMS package is not installed in the guest: it would compile the module
# there under TCG (and pull gcc and the headers in). The module is the one the
# harness built with dkms on the host from that package's source, in the same
# place; the role installs the tool's package from its file (installed with
# dpkg when the harness made the root, so its task finds it installed and
# reports ok).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=${VM_FLEET_BUILD:-$top/build/vm-fleet}
which=${1:-6.1}
log() { echo "fleet: $*" >&2; }

mkdir -p "$build"
"$top/scripts/install-deps.sh" tool vm fleet >&2
kernels=$(VM_FLOW_BUILD="$build/prep" "$top/tests/vm/flow/setup.sh" "$which")
read -r series kver <<-EOF
	$kernels
EOF
k="$build/prep/k/$kver"
[ -x "$k/root/usr/bin/vfio-claim" ] || { log "$k/root has no vfio-claim package"; exit 1; }

# k/stamp holds the packages' hashes (tests/vm/prepare.sh installed them).
out="$build/img/$kver"
hash=$(cat "$k/stamp" "$here/setup.sh" | sha256sum | cut -d' ' -f1)
if [ -e "$out/fleet.img" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$hash" ]; then
	echo "$series $kver"
	exit 0
fi
t0=$(date +%s)
rm -rf "$out"
mkdir -p "$out"
r="$out/root"
cp -a "$k/root" "$r"
cp "$k/vmlinuz" "$out/vmlinuz"
cp "$k/initrd.img" "$out/initrd.img"

# Packages from the archive, in a chroot with its own /proc (a private mount
# namespace: nothing stays mounted), services kept from starting, and the
# initramfs trigger stubbed out (a chroot's MODULES=dep would read the host).
cp /etc/resolv.conf "$r/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
chmod 0755 "$r/usr/sbin/policy-rc.d"
mv "$r/usr/sbin/update-initramfs" "$r/usr/sbin/update-initramfs.fleet"
printf '#!/bin/sh\nexit 0\n' >"$r/usr/sbin/update-initramfs"
chmod 0755 "$r/usr/sbin/update-initramfs"
log "apt-get install openssh-server python3 python3-apt dbus in a chroot of the guest root"
# shellcheck disable=SC2016 # expanded by the inner shell
unshare --mount --propagation private sh -c '
	mount -t proc proc "$1/proc"
	chroot "$1" sh -c "export DEBIAN_FRONTEND=noninteractive
		apt-get -q update &&
		apt-get -q -y --no-install-recommends install openssh-server python3 python3-apt dbus &&
		apt-get clean"' sh "$r" >"$build/chroot.log" 2>&1 ||
	{ tail -20 "$build/chroot.log" >&2; log "chroot install failed (log: $build/chroot.log)"; exit 1; }
rm -f "$r/usr/sbin/policy-rc.d" "$r/etc/resolv.conf" "$r/usr/sbin/update-initramfs"
mv "$r/usr/sbin/update-initramfs.fleet" "$r/usr/sbin/update-initramfs"
rm -rf "$r/var/lib/apt/lists/"*

# The guest's boot configuration: its own kernel and initramfs in /boot, and
# its command line where kernel-install (systemd-boot) keeps it. The
# stand-in boot loader (fleet.py) boots what these say.
cp "$k/vmlinuz" "$r/boot/vmlinuz-$kver"
cp "$k/initrd.img" "$r/boot/initrd.img-$kver"
ln -sf "boot/vmlinuz-$kver" "$r/vmlinuz"
ln -sf "boot/initrd.img-$kver" "$r/initrd.img"
mkdir -p "$r/etc/kernel"
# A loaded host slows TCG enough for the IO-APIC timer check to panic the
# kernel: no_timer_check (as the flow's guests).
echo "root=/dev/vda rw console=ttyS0 intel_iommu=on iommu=pt no_timer_check" >"$r/etc/kernel/cmdline"
conf="$r/etc/initramfs-tools/initramfs.conf"
sed -i -e 's/^MODULES=.*/MODULES=dep/' -e '$a COMPRESSLEVEL=1' "$conf"

# The management NIC (virtio-net) by DHCP from QEMU's user network; the NICs
# under test are left alone (an interface that is up is a device the host uses).
mkdir -p "$r/etc/systemd/network"
cat >"$r/etc/systemd/network/10-mgmt.network" <<-'EOF'
	[Match]
	Driver=virtio_net

	[Network]
	DHCP=ipv4
EOF
mkdir -p "$r/etc/systemd/system/multi-user.target.wants" "$r/etc/systemd/system/sockets.target.wants"
ln -sf /lib/systemd/system/systemd-networkd.service "$r/etc/systemd/system/multi-user.target.wants/"
ln -sf /lib/systemd/system/systemd-networkd.socket "$r/etc/systemd/system/sockets.target.wants/"
ln -sf /lib/systemd/system/ssh.service "$r/etc/systemd/system/multi-user.target.wants/"
mkdir -p "$r/etc/ssh/sshd_config.d"
cat >"$r/etc/ssh/sshd_config.d/fleet.conf" <<-'EOF'
	# tests/vm/fleet: root by key only (the key is made per run).
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	UseDNS no
EOF
install -d -m 0700 "$r/root/.ssh"
echo fleet >"$r/etc/hostname"

mke2fs -q -F -t ext4 -d "$r" "$out/fleet.img" 3G >/dev/null
rm -rf "$r"
echo "$hash" >"$out/stamp"
log "$kver: guest disk $out/fleet.img ($(($(date +%s) - t0))s)"
echo "$series $kver"
