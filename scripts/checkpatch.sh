#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the kernel's checkpatch.pl (--no-tree --strict -f) on the module
# sources; exit 1 when it reports anything.
#
#   scripts/checkpatch.sh [FILE...]      default: module/*.c module/*.h
#
# checkpatch is not in Debian's headers packages: it is taken from a kernel
# tarball (scripts/checkpatch.pl and the two data files it reads from the
# same directory) and cached. By default the tarball of the linux-source-6.1
# package, cached in $BUILD/checkpatch/ (BUILD defaults to build/);
# CHECKPATCH_TARBALL and CHECKPATCH_CACHE name another (check-module-build
# also runs the newest kernel's, from the sid chroot's linux-source-7.x).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${CHECKPATCH_CACHE:-${BUILD:-$top/build}/checkpatch}
case $cache in /*) ;; *) cache=$top/$cache ;; esac

if [ ! -x "$cache/checkpatch.pl" ]; then
	# shellcheck disable=SC2012 # package file names
	tarball=${CHECKPATCH_TARBALL:-$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | sort -V | tail -1)}
	if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
		echo "checkpatch: no /usr/src/linux-source-6.1.tar.*; install linux-source-6.1 (scripts/install-deps.sh module)" >&2
		exit 69
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# The tarball has one top directory, linux-source-X.Y/.
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
# CHECKPATCH_IGNORE: rule types that ask for an API the oldest kernel
# built for (6.1) lacks; each such site says why in a comment.
out=$("$cache/checkpatch.pl" --no-tree --strict --quiet --no-summary \
	${CHECKPATCH_IGNORE:+--ignore "$CHECKPATCH_IGNORE"} \
	--show-types --terse -f "$@" 2>&1) || true
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	echo "checkpatch: $(printf '%s\n' "$out" | wc -l) report(s) in $*" >&2
	exit 1
fi
echo "checkpatch: clean with $("$cache/checkpatch.pl" --version 2>/dev/null | sed -n 's/^Version: *//p' | head -1)${CHECKPATCH_TARBALL:+ from $(basename "$CHECKPATCH_TARBALL")} ($*)"
