#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The clean command DKMS runs on the shipped source exits 0, for every kernel
# whose headers are installed here. dkms 3.0.x (Debian 12) runs it in its
# build tree before and after each build: dkms.conf's CLEAN, or, with none,
# "make -C KDIR M=TREE clean" (read from /usr/sbin/dkms 3.0.10); dkms 3.1.8
# and later run no clean at all and call CLEAN deprecated. A failing clean
# showed up in a package guest as "Cleaning build area...(bad exit status: 2)".
# The tree comes from the built -dkms .deb, so this checks what users get.
#
#   tests/pkg/dkms-clean.sh DEB-DIR VERSION
set -eu
dir=$1
version=$2
deb=$(ls "$dir/vfio-claim-dkms_${version}_"*.deb)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp/root"
src="$tmp/root/usr/src/vfio-claim-$version"
[ -f "$src/dkms.conf" ] || { echo "dkms-clean: no dkms.conf in $deb" >&2; exit 1; }
rc=0
kernels=0
for kdir in /lib/modules/*/build; do
	[ -d "$kdir" ] || continue
	kver=${kdir#/lib/modules/}
	kver=${kver%/build}
	kernels=$((kernels + 1))
	# As dkms's prepare_build does: a fresh copy of the source, entered.
	build="$tmp/dkms/vfio-claim/$version/build"
	rm -rf "$build" && mkdir -p "${build%/build}" && cp -a "$src" "$build"
	# dkms sources dkms.conf with these set (read_conf in /usr/sbin/dkms).
	clean=$(kernelver=$kver kernel_source_dir=$kdir dkms_tree=$tmp/dkms bash -c \
		'. "$1" >/dev/null; printf %s "${CLEAN:-}"' _ "$build/dkms.conf")
	[ -n "$clean" ] || clean="make -C $kdir M=$build clean"
	if (cd "$build" && eval "$clean") >"$tmp/clean.log" 2>&1; then
		echo "dkms-clean: $kver: '$clean' exits 0"
	else
		echo "dkms-clean: $kver: '$clean' failed (status $?):" >&2
		tail -5 "$tmp/clean.log" >&2
		rc=1
	fi
done
[ "$kernels" -gt 0 ] || { echo "dkms-clean: no kernel headers under /lib/modules/*/build" >&2; exit 69; }
exit $rc
