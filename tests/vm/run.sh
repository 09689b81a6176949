#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM harness: boot Debian kernels under QEMU (TCG, q35, emulated VT-d)
# with the package installed the way a user would, and check each scenario.
#
#   tests/vm/run.sh [--kernel 6.1|6.12|7|bookworm|all] [--jobs N] [SCENARIO...]
#   tests/vm/run.sh --list
#
# Installs what it needs (scripts/deps/vm.list, the kernels and headers),
# builds the guests (tests/vm/prepare.sh), boots them (tests/vm/vmtest.py).
# Serial logs: build/vm/logs/SERIES-SCENARIO.log. Exit 0 when all pass.
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=all
jobs=${VM_JOBS:-2}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--kernel=*) kernel=${1#*=}; shift ;;
	--jobs) jobs=$2; shift 2 ;;
	--list) exec python3 "$VM_DIR/vmtest.py" --list ;;
	-h | --help) sed -n '3,12p' "$0"; exit 0 ;;
	-*) echo "usage: $0 [--kernel 6.1|6.12|7|bookworm|all] [--jobs N] [SCENARIO...]" >&2; exit 64 ;;
	*) break ;;
	esac
done
scenarios="$*"
mkdir -p "$VM_LOGS"
t0=$(date +%s)
"$VM_TOP/scripts/install-deps.sh" vm >&2
kernels=$("$VM_DIR/kernels.sh" "$kernel")
t1=$(date +%s)
vm_log "kernels ($((t1 - t0))s): $(echo "$kernels" | tr '\n' ' ')"

# shellcheck disable=SC2046
"$VM_DIR/prepare.sh" $(echo "$kernels" | cut -d' ' -f2)
# The dracut guests: by default for the series where the default scenarios
# boot a-dracut, b-dracut, c-dracut (vmtest.py's DRACUT_SERIES, 6.1 and
# 6.12), for every kernel given when a -dracut scenario is named.
case " $scenarios " in
"  ") dracut=$(echo "$kernels" | awk '$1 == "6.1" || $1 == "6.12" { print $2 }') ;;
*-dracut*) dracut=$(echo "$kernels" | cut -d' ' -f2) ;;
*) dracut="" ;;
esac
if [ -n "$dracut" ]; then
	# shellcheck disable=SC2086
	"$VM_DIR/prepare-dracut.sh" $dracut
fi
t2=$(date +%s)
vm_log "guests prepared ($((t2 - t1))s)"

set --
for kv in $(echo "$kernels" | tr ' ' '='); do
	set -- "$@" --kernel "$kv"
done
rc=0
# shellcheck disable=SC2086
python3 "$VM_DIR/vmtest.py" --jobs "$jobs" "$@" $scenarios || rc=$?
vm_log "boots ($(($(date +%s) - t2))s), total $(($(date +%s) - t0))s"
vm_disk_report "$VM_BUILD"
exit $rc
