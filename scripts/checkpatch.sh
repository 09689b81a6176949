#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the kernel's checkpatch.pl (--no-tree --strict -f) on the module
# sources; exit 1 when it reports anything.
#
#   scripts/checkpatch.sh [FILE...]      default: module/*.c module/*.h
#
# checkpatch is not in Debian's headers packages: it is taken from the kernel
# tarball of the linux-source-6.1 package (scripts/checkpatch.pl and the two
# data files it reads from the same directory) and cached in
# $BUILD/checkpatch/ (BUILD defaults to build/).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${BUILD:-$top/build}/checkpatch
case $cache in /*) ;; *) cache=$top/$cache ;; esac

if [ ! -x "$cache/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | sort -V | tail -1)
	if [ -z "$tarball" ]; then
		echo "checkpatch: no /usr/src/linux-source-6.1.tar.*; install linux-source-6.1 (scripts/install-deps.sh module)" >&2
		exit 69
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# The tarball has one top directory, linux-source-6.1/.
	tar -xf "$tarball" -C "$tmp" --wildcards --strip-components=2 \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	mkdir -p "$cache"
	for f in spelling.txt const_structs.checkpatch checkpatch.pl; do
		install -m 0644 "$tmp/$f" "$cache/$f"
	done
	chmod 0755 "$cache/checkpatch.pl"
fi

cd "$top"
[ $# -gt 0 ] || set -- module/*.c module/*.h
# --no-tree: no kernel tree around; --strict: the CHECK level as well.
# Errors, warnings and checks all fail: a clean run prints nothing.
out=$("$cache/checkpatch.pl" --no-tree --strict --quiet --no-summary \
	--show-types --terse -f "$@" 2>&1) || true
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	echo "checkpatch: $(printf '%s\n' "$out" | wc -l) report(s) in $*" >&2
	exit 1
fi
echo "checkpatch: clean ($*)"
