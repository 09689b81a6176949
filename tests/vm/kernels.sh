#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Resolve the Debian kernels the VM harness boots, install their images and
# headers from the archive when missing, and print one line per kernel:
#
#   SERIES KVER          e.g. "6.1 6.1.0-56-amd64"
#
#   tests/vm/kernels.sh [--resolve-only] [6.1|6.12|7|bookworm|all]
#
# all is the three; bookworm is 6.1 and 6.12 (the flow's default until it
# is proven on 7.x).
#
# Versions are resolved now, never pinned: 6.1 is bookworm's
# linux-image-amd64; 6.12 is the newest linux-image-6.12.*+deb12-amd64;
# 7 is what sid's linux-image-amd64 depends on today (7.2.13+deb14-amd64
# when this was written).
#
# sid's kernel is never installed on the host: apt runs with a private
# sources list, package lists and cache ($VM_SID_APT, default
# /var/cache/vfio-claim/sid-apt, kept across clean clones like the sid
# chroot), `apt-get download`s linux-image-KVER and the linux-*-KVER
# packages it depends on (sid's linux-image-KVER is a metapackage: the
# image is in linux-binary-KVER, the modules, .ko.xz, in
# linux-modules-KVER, config and System.map in linux-base-KVER, all under
# /usr/lib/modules/KVER) and unpacks them with dpkg -x into
# $VM_SID_APT/KVER/ (tests/vm/lib.sh's vm_kernel_files finds them there).
# The headers to build vfio_claim for it are in the sid chroot
# (scripts/sid-chroot.sh, SID_CHROOT as in mk/module.mk), which this makes
# when missing and gives linux-headers-KVER when the archive moved on.
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

install=1
if [ "${1:-}" = "--resolve-only" ]; then
	install=0
	shift
fi
which=${1:-all}
case $which in
6.1 | 6.12 | 7) series=$which ;;
all) series="6.1 6.12 7" ;;
bookworm) series="6.1 6.12" ;;
*) echo "usage: $0 [--resolve-only] [6.1|6.12|7|all]" >&2; exit 64 ;;
esac
mkdir -p "$VM_LOGS"

# apt on sid's package lists without touching the host's apt state. The
# archive seen from here is a fixed snapshot whose sid Release reads as
# expired (FACTS.md section 7).
sid_dir=${VM_SID_APT:-/var/cache/vfio-claim/sid-apt}
sid_apt_opts() {
	echo "-q -o Dir::Etc::SourceList=$sid_dir/sources.list -o Dir::Etc::SourceParts=/nonexistent" \
		"-o Dir::State::Lists=$sid_dir/lists -o Dir::Cache=$sid_dir/cache" \
		"-o Dir::State::status=/dev/null -o Debug::NoLocking=1" \
		"-o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root"
}
sid_update() {
	mkdir -p "$sid_dir/lists/partial" "$sid_dir/cache/archives/partial"
	echo "deb ${VM_SID_MIRROR:-http://deb.debian.org/debian} sid main" >"$sid_dir/sources.list"
	# shellcheck disable=SC2046
	apt-get $(sid_apt_opts) update >"$VM_LOGS/sid-apt.log" 2>&1 || {
		tail -5 "$VM_LOGS/sid-apt.log" >&2
		vm_die "apt-get update of sid's lists failed (log $VM_LOGS/sid-apt.log)"
	}
}
sid_cache() {
	# shellcheck disable=SC2046
	apt-cache $(sid_apt_opts) "$@" 2>/dev/null
}

resolve() {
	case $1 in
	6.1)
		apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -1
		;;
	6.12)
		apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' 2>/dev/null |
			sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-amd64\) .*/\1/p' | sort -V | tail -1
		;;
	7)
		ls "$sid_dir"/lists/*sid*_Packages* >/dev/null 2>&1 || sid_update
		sid_cache depends linux-image-amd64 |
			sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -1
		;;
	esac
}

# Download and unpack sid's kernel KVER into $sid_dir/KVER (once).
sid_kernel() {
	kver=$1
	dest=$sid_dir/$kver
	[ -e "$dest/.vc-ready" ] && return 0
	pkgs="linux-image-$kver $(sid_cache depends "linux-image-$kver" |
		sed -n "s/^ *Depends: \(linux-[a-z]*-$kver\)\$/\1/p" | sort -u | tr '\n' ' ')"
	rm -rf "$dest" "$sid_dir/debs"
	mkdir -p "$dest" "$sid_dir/debs"
	vm_log "sid: apt-get download $pkgs"
	# shellcheck disable=SC2046,SC2086
	(cd "$sid_dir/debs" && apt-get $(sid_apt_opts) download $pkgs) \
		>>"$VM_LOGS/sid-apt.log" 2>&1 || {
		tail -5 "$VM_LOGS/sid-apt.log" >&2
		vm_die "apt-get download $pkgs failed (log $VM_LOGS/sid-apt.log)"
	}
	for deb in "$sid_dir"/debs/*.deb; do
		dpkg -x "$deb" "$dest"
	done
	rm -rf "$sid_dir/debs"
	[ -r "$dest/usr/lib/modules/$kver/vmlinuz" ] ||
		vm_die "sid's $pkgs hold no /usr/lib/modules/$kver/vmlinuz"
	touch "$dest/.vc-ready"
}

# The sid chroot (mk/module.mk's SID_CHROOT) with linux-headers-KVER.
sid_headers() {
	chroot_dir=${SID_CHROOT:-/var/cache/vfio-claim/sid-chroot}
	"$VM_TOP/scripts/sid-chroot.sh" "$chroot_dir" >/dev/null
	[ -d "$chroot_dir/usr/src/linux-headers-$1" ] && return 0
	vm_log "sid chroot: installing linux-headers-$1"
	"$VM_TOP/scripts/sid-chroot.sh" "$chroot_dir" run apt-get -q -y \
		-o Acquire::Check-Valid-Until=false -o DPkg::Lock::Timeout=900 \
		install --no-install-recommends "linux-headers-$1" >>"$VM_LOGS/sid-apt.log" 2>&1 ||
		vm_die "linux-headers-$1 in the sid chroot failed (log $VM_LOGS/sid-apt.log)"
}

packages() {
	case $1 in
	6.1) echo "linux-image-amd64 linux-headers-amd64 linux-image-$2 linux-headers-$2" ;;
	6.12) echo "linux-image-$2 linux-headers-$2" ;;
	esac
}

for s in $series; do
	kver=$(resolve "$s")
	if [ -z "$kver" ]; then
		if [ "$s" = 7 ]; then
			sid_update
		else
			apt-get -q -o DPkg::Lock::Timeout=900 update >/dev/null
		fi
		kver=$(resolve "$s")
	fi
	[ -n "$kver" ] || vm_die "no Debian $s kernel found in the package lists"
	if [ $install = 1 ] && [ "$s" = 7 ]; then
		sid_kernel "$kver"
		sid_headers "$kver"
	elif [ $install = 1 ]; then
		missing=""
		for p in $(packages "$s" "$kver"); do
			vm_installed "$p" || missing="$missing $p"
		done
		if [ -n "$missing" ]; then
			vm_log "installing$missing"
			# shellcheck disable=SC2086
			vm_apt_install $missing
		fi
		[ -r "/boot/vmlinuz-$kver" ] || vm_die "/boot/vmlinuz-$kver missing after install"
		[ -e "/lib/modules/$kver/build/include" ] ||
			vm_die "/lib/modules/$kver/build has no headers after install"
	fi
	echo "$s $kver"
done
