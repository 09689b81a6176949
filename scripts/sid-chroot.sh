#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A Debian sid chroot with the newest kernel's headers and the compiler they
# need, for building and checking vfio_claim against sid's kernel (7.x).
#
#   scripts/sid-chroot.sh DIR            create DIR once (cached), print KVER
#   scripts/sid-chroot.sh DIR run CMD... run CMD in it, with /proc mounted
#
# Nothing is pinned: gcc-16 is what sid's 7.2 headers ask for (their
# .kernelvariables name gcc-16; gcc-12 cannot build them), and the kernel
# is whatever linux-headers-amd64 resolves to today. The headers' gcc is
# checked after install and added if it differs. Also installed: sparse
# (C=1) and linux-source-7.x (checkpatch.pl from the newest kernel).
# The archive seen from here is a fixed snapshot whose sid Release file
# reads as expired: apt runs with Acquire::Check-Valid-Until=false.
# Creation took about 7 minutes on 2 shared CPUs (debootstrap ~4, packages
# ~3); it is timed on stderr. Exit 69 when the sid archive is unreachable.
set -eu

[ $# -ge 1 ] || { echo "usage: sid-chroot.sh DIR [run CMD...]" >&2; exit 2; }
dir=$(realpath -m "$1")
shift
mirror=${SID_MIRROR:-http://deb.debian.org/debian}

in_chroot() {
	mounted=0
	if ! mountpoint -q "$dir/proc"; then
		mount -t proc proc "$dir/proc"
		mounted=1
	fi
	rc=0
	chroot "$dir" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
	[ $mounted = 0 ] || umount "$dir/proc"
	return $rc
}

sid_apt() {
	in_chroot apt-get -q -o Acquire::Check-Valid-Until=false \
		-o DPkg::Lock::Timeout=900 "$@"
}

kver() {
	# shellcheck disable=SC2012 # kernel release names, no odd characters
	ls "$dir/lib/modules" | sort -V | tail -1
}

if [ ! -e "$dir/.vc-ready" ]; then
	start=$(date +%s)
	tmp=$dir.tmp
	# A fresh machine has no /var/cache/vfio-claim yet (CI's first run).
	mkdir -p "$(dirname "$dir")"
	if [ ! -e "$tmp/.vc-debootstrap" ]; then
		rm -rf "$tmp"
		debootstrap --variant=minbase --include=gcc-16,make sid "$tmp" "$mirror" \
			>"$tmp.log" 2>&1 || {
			tail -5 "$tmp.log" >&2
			echo "sid-chroot: debootstrap failed (log $tmp.log)" >&2
			exit 69
		}
		touch "$tmp/.vc-debootstrap"
	fi
	echo "sid-chroot: debootstrap done after $(($(date +%s) - start)) s" >&2
	dir=$tmp
	sid_apt update >/dev/null
	sid_apt install -y --no-install-recommends linux-headers-amd64 sparse \
		>>"$dir.log" 2>&1
	src=$(in_chroot apt-cache depends linux-source | sed -n 's/^ *Depends: \(linux-source-[0-9.]*\)$/\1/p' | head -1)
	[ -n "$src" ] && sid_apt install -y --no-install-recommends "$src" >>"$dir.log" 2>&1
	k=$(kver)
	cc=$(sed -n 's/^.*\(gcc-[0-9][0-9]*\).*$/\1/p' "$dir/usr/src/linux-headers-$k/.kernelvariables" 2>/dev/null | head -1)
	if [ -n "$cc" ] && [ ! -x "$dir/usr/bin/$cc" ]; then
		sid_apt install -y --no-install-recommends "$cc" >>"$dir.log" 2>&1
	fi
	# Debian's headers package lacks scripts/checker-valid.sh, which the
	# 7.x top Makefile runs for C=1 (without it sparse is silently off).
	common=$(readlink -f "$dir/lib/modules/$k/source" 2>/dev/null || true)
	# shellcheck disable=SC2012 # package directory names
	[ -d "$common/scripts" ] || common=$(ls -d "$dir"/usr/src/linux-headers-*-common | tail -1)
	case $common in "$dir"/*) ;; *) common=$dir$common ;; esac
	if [ ! -e "$common/scripts/checker-valid.sh" ]; then
		cat >"$common/scripts/checker-valid.sh" <<'SH'
#!/bin/sh -eu
# Stand-in written by vfio-claim's scripts/sid-chroot.sh: Debian's headers
# package lacks the kernel's scripts/checker-valid.sh, which the top
# Makefile runs for C=1. Prints 1 when the checker ($1) runs.
[ -x "$(command -v "$1")" ] || exit 1
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
printf 'int vc(void);\nint vc(void) { return 0; }\n' >"$tmp"
"$@" -x c "$tmp" >/dev/null 2>&1 && echo 1
SH
		chmod 0755 "$common/scripts/checker-valid.sh"
	fi
	touch "$dir/.vc-ready"
	dir=${dir%.tmp}
	rm -rf "$dir"
	mv "$tmp" "$dir"
	echo "sid-chroot: $dir ready with $k after $(($(date +%s) - start)) s" >&2
fi

if [ "${1:-}" = run ]; then
	shift
	in_chroot "$@"
else
	kver
fi
