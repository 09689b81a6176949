#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Resolve the Debian kernels the VM harness boots, install their images and
# headers from the archive when missing, and print one line per kernel:
#
#   SERIES KVER          e.g. "6.1 6.1.0-56-amd64"
#
#   tests/vm/kernels.sh [--resolve-only] [6.1|6.12|all]
#
# Versions are resolved now, never pinned: 6.1 is bookworm's
# linux-image-amd64; 6.12 is the newest linux-image-6.12.*+deb12-amd64.
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
6.1 | 6.12) series=$which ;;
all) series="6.1 6.12" ;;
*) echo "usage: $0 [--resolve-only] [6.1|6.12|all]" >&2; exit 64 ;;
esac
mkdir -p "$VM_LOGS"

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
	esac
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
		apt-get -q -o DPkg::Lock::Timeout=900 update >/dev/null
		kver=$(resolve "$s")
	fi
	[ -n "$kver" ] || vm_die "no Debian $s kernel found in the package lists"
	if [ $install = 1 ]; then
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
