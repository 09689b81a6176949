#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Benchmark: `vfio-claim --json list` against `lspci -D -nn -k` and the
# guides' lsgroup.sh loop, on one synthetic sysfs tree (see bench/README.md).
#
#   bench/run.sh [--quick] [--functions N] [--runs N] [--loop-runs N]
#                [--tree DIR] [--keep] [--tool PATH] [--strict]
#
#   --functions N   PCI functions in the generated tree (default 4096)
#   --runs N        timed runs of vfio-claim and of lspci (default 11)
#   --loop-runs N   timed runs of the loop (default 3; each is one lspci per function)
#   --quick         CI size: 1024 functions, 3 runs, 1 loop run (later options win)
#   --tree DIR      use the tree in DIR if it has one (sys/), else generate it there
#                   and keep it; default: a temporary directory ($TMPDIR, else
#                   /dev/shm when it has 1 GiB free, else /tmp), removed at the end
#   --keep          keep the temporary tree and say where it is
#   --tool PATH     the vfio-claim binary (default build/vfio-claim; `make bench` builds it)
#   --strict        exit 2 when a target is missed (vfio-claim slower than lspci,
#                   or less than 400 times faster than the loop)
#
# Exit 0 when every command ran, 1 when a command or the tree check failed,
# 2 (--strict) when a target is missed, 64 on a usage error, 69 when lspci,
# python3 or the tool is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
functions=4096
runs=11
loop_runs=3
tree=""
keep=0
tool="$top/build/vfio-claim"
strict=""

usage() {
	sed -n '3,/^set -eu/{/^#/s/^# \{0,1\}//p}' "$0"
	exit 0
}
need_arg() {
	[ $# -ge 2 ] || { echo "bench/run.sh: $1 needs a value" >&2; exit 64; }
}
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) functions=1024 runs=3 loop_runs=1 ;;
	--functions) need_arg "$@"; functions=$2; shift ;;
	--runs) need_arg "$@"; runs=$2; shift ;;
	--loop-runs) need_arg "$@"; loop_runs=$2; shift ;;
	--tree) need_arg "$@"; tree=$2; shift ;;
	--tool) need_arg "$@"; tool=$2; shift ;;
	--keep) keep=1 ;;
	--strict) strict=--strict ;;
	-h|--help) usage ;;
	*) echo "bench/run.sh: unknown argument '$1'; see bench/run.sh --help" >&2; exit 64 ;;
	esac
	shift
done
for n in "$functions" "$runs" "$loop_runs"; do
	case "$n" in
	''|*[!0-9]*) echo "bench/run.sh: '$n' is not a number" >&2; exit 64 ;;
	esac
done

for cmd in python3 lspci; do
	command -v "$cmd" >/dev/null 2>&1 || {
		echo "bench/run.sh: $cmd is missing; run scripts/install-deps.sh bench as root" >&2
		exit 69
	}
done
[ -x "$tool" ] || { echo "bench/run.sh: no $tool; run make first (or make bench)" >&2; exit 69; }
case "$tool" in /*) ;; *) tool="$PWD/$tool" ;; esac

cleanup=""
if [ -z "$tree" ]; then
	# sysfs lives in memory, and writing 160,000 files to a disk takes 3 to
	# 20 s, so the tree goes to /dev/shm when it has room (1 GiB), unless
	# TMPDIR says otherwise.
	base=${TMPDIR:-}
	if [ -z "$base" ]; then
		base=/tmp
		if [ -d /dev/shm ] && [ -w /dev/shm ] &&
		   [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -gt 1048576 ] 2>/dev/null; then
			base=/dev/shm
		fi
	fi
	tree=$(mktemp -d "$base/vfio-claim-bench.XXXXXX")
	if [ "$keep" = 1 ]; then
		echo "bench: the tree stays in $tree"
	else
		cleanup=$tree
	fi
fi
# A temporary tree of 4096 functions is 160,000 files: remove it however we exit.
trap '[ -z "$cleanup" ] || rm -rf "$cleanup"' EXIT
trap 'exit 130' INT TERM

gen_seconds=""
check_functions="--functions $functions"
if [ -d "$tree/sys" ]; then
	echo "bench: reusing the tree in $tree"
	# a reused tree is checked as it is, whatever its size
	check_functions=""
else
	start=$(python3 -c 'import time; print(time.perf_counter())')
	python3 "$here/gen-tree.py" --functions "$functions" "$tree"
	gen_seconds=$(python3 -c "import time; print('%.2f' % (time.perf_counter() - $start))")
	echo "bench: generator took $gen_seconds s (wall, including Python start-up)"
fi

# shellcheck disable=SC2086 # check_functions is empty or two words
python3 "$here/check-tree.py" $check_functions --tool "$tool" "$tree" || exit 1

set -- --tree "$tree" --tool "$tool" --runs "$runs" --loop-runs "$loop_runs" $strict
[ -z "$gen_seconds" ] || set -- "$@" --gen-seconds "$gen_seconds"
rc=0
python3 "$here/timing.py" "$@" || rc=$?
exit $rc
