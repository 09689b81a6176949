#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the fake modules of kernel.list under ROOT/lib/modules/KVER and index
# them with the real depmod: mkmodules.sh ROOT KVER
#
# Inside a bats run the tree of a KVER is built once, in
# $BATS_RUN_TMPDIR/mkmodules/KVER, and copied into each ROOT: gcc and depmod
# cost more than a second a call, and depmod's files name the modules relative
# to lib/modules/KVER, so the copy is the tree a build in ROOT makes. The cache
# is built in a directory of its own and renamed into place, so two callers
# never see half of it. A ROOT that already has lib/modules/KVER (a fixture
# with modules of its own) is built in place, as depmod indexes those too.
set -eu
root=$1
kver=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# build ROOT: the modules and their index under ROOT/lib/modules/$kver.
build() {
	dir="$1/lib/modules/$kver"
	mkdir -p "$dir/kernel/drivers"
	: >"$dir/modules.builtin"
	: >"$dir/modules.order"
	: >"$work/builtin.modinfo"

	grep -v '^#' "$here/kernel.list" | while read -r name kind aliases; do
		[ -n "$name" ] || continue
		if [ "$kind" = builtin ]; then
			echo "kernel/drivers/$name.ko" >>"$dir/modules.builtin"
			for a in $aliases; do
				printf '%s.alias=%s\0' "$name" "$a" >>"$work/builtin.modinfo"
			done
			continue
		fi
		{
			printf 'static const char modinfo[] __attribute__((used, section(".modinfo"), aligned(1))) =\n'
			printf '\t"license=GPL\\0name=%s\\0vermagic=%s SMP mod_unload modversions \\0"\n' "$name" "$kver"
			for a in $aliases; do
				printf '\t"alias=%s\\0"\n' "$a"
			done
			printf '\t;\n'
		} >"$work/$name.c"
		gcc -c "$work/$name.c" -o "$dir/kernel/drivers/$name.ko"
		echo "kernel/drivers/$name.ko" >>"$dir/modules.order"
	done
	cp "$work/builtin.modinfo" "$dir/modules.builtin.modinfo"
	depmod -b "$1" "$kver" 2>/dev/null
}

cache=${BATS_RUN_TMPDIR:+$BATS_RUN_TMPDIR/mkmodules}
if [ -n "$cache" ] && [ ! -e "$root/lib/modules/$kver" ]; then
	if [ ! -d "$cache/$kver" ]; then
		mkdir -p "$cache"
		new=$(mktemp -d "$cache/.new.XXXXXX")
		build "$new"
		# Another caller may have renamed its tree into place first: keep that one.
		mv -T "$new" "$cache/$kver" 2>/dev/null || rm -rf "$new"
	fi
	mkdir -p "$root/lib/modules"
	cp -a "$cache/$kver/lib/modules/$kver" "$root/lib/modules/"
else
	build "$root"
fi
mkdir -p "$root/proc/sys/kernel"
echo "$kver" >"$root/proc/sys/kernel/osrelease"
