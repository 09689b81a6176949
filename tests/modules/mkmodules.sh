#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the fake modules of kernel.list under ROOT/lib/modules/KVER and index
# them with the real depmod: mkmodules.sh ROOT KVER
set -eu
root=$1
kver=$2
here=$(cd "$(dirname "$0")" && pwd)
dir="$root/lib/modules/$kver"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
depmod -b "$root" "$kver" 2>/dev/null
mkdir -p "$root/proc/sys/kernel"
echo "$kver" >"$root/proc/sys/kernel/osrelease"
