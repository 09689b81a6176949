#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What the two .deb files hold, compared whole with tests/expected/deb/:
# each package's files (the version written as @VERSION@), conffiles,
# triggers, relations, and the installed dkms.conf's version line, which
# must be literal (dh_dkms and dkms read it). UPDATE_EXPECTED=1 rewrites
# the expected files.
#
#   tests/pkg/deb-contents.sh DEB-DIR VERSION
set -eu
dir=$1
version=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
rc=0
for pkg in vfio-claim vfio-claim-dkms; do
	deb=$(ls "$dir/${pkg}_${version}_"*.deb)
	tmp=$(mktemp -d)
	dpkg-deb -R "$deb" "$tmp"
	out=$(
		echo "# files"
		dpkg-deb -c "$deb" | awk '{ print $1, $6, $7, $8 }'
		echo "# relations"
		for f in Section Architecture Depends Recommends Suggests; do
			v=$(dpkg-deb -f "$deb" "$f")
			[ -z "$v" ] || echo "$f: $v"
		done
		for f in conffiles triggers; do
			[ -f "$tmp/DEBIAN/$f" ] && { echo "# $f"; cat "$tmp/DEBIAN/$f"; }
		done
		echo "# maintainer scripts"
		ls "$tmp/DEBIAN" | grep -E '^(pre|post)(inst|rm)$' || true
		if [ -f "$tmp/usr/src/vfio-claim-$version/dkms.conf" ]; then
			echo "# dkms.conf"
			grep -E '^PACKAGE_(NAME|VERSION)=' "$tmp/usr/src/vfio-claim-$version/dkms.conf"
		fi
	)
	out=$(printf '%s\n' "$out" | sed "s/$version/@VERSION@/g")
	rm -rf "$tmp"
	file="$top/tests/expected/deb/$pkg.txt"
	if [ "${UPDATE_EXPECTED:-}" = 1 ]; then
		mkdir -p "$(dirname "$file")"
		printf '%s\n' "$out" >"$file"
	elif ! printf '%s\n' "$out" | diff -u "$file" -; then
		echo "deb-contents: $pkg differs from $file" >&2
		rc=1
	else
		echo "deb-contents: $pkg matches $file"
	fi
done
exit $rc
