#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo: on a fresh Debian machine, install what is needed, then show a
# user's session with vfio-claim inside a QEMU guest (TCG, q35, emulated
# VT-d) that has a second GPU with its audio function (one IOMMU group) and
# two identical NICs:
#
#   vfio-claim list; vfio-claim add --group <gpu>; vfio-claim apply --initramfs;
#   reboot; vfio-claim verify; vfio-claim export --qemu <gpu>
#
# Lines "guest$ CMD" are what runs in the guest, "guest  ..." its output, as
# read from the guest's serial console while it runs; "==" lines are the
# host's. Everything is built under build/vm-flow: the host's /boot, /etc and
# kernel are left alone (only Debian packages are installed).
#
#   demo/demo.sh [--kernel 6.1|6.12]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
kernel=6.1
case ${1:-} in
--kernel) kernel=$2 ;;
--kernel=*) kernel=${1#*=} ;;
-h | --help) sed -n '3,16p' "$0"; exit 0 ;;
"") ;;
*) echo "usage: $0 [--kernel 6.1|6.12]" >&2; exit 64 ;;
esac
case $kernel in 6.1 | 6.12) ;; *) echo "demo: one kernel: 6.1 or 6.12" >&2; exit 64 ;; esac
if [ "$(id -u)" != 0 ]; then
	echo "demo: run as root (it installs Debian packages and builds a guest root with debootstrap)" >&2
	exit 77
fi

echo "== preparing: Debian packages, the $kernel kernel, a guest root, the package built and installed into it (first run: a few minutes)"
t0=$(date +%s)
log=$top/build/vm-flow/logs/setup.log
mkdir -p "$top/build/vm-flow/logs"
line=$("$top/tests/vm/flow/setup.sh" "$kernel" 2>"$log" | tail -1) || {
	tail -20 "$log" >&2
	echo "demo: preparing the guest failed (log: $log)" >&2
	exit 1
}
grep -i warning "$log" >&2 || true
echo "== ready in $(($(date +%s) - t0))s; the guest runs under emulation (TCG): each boot takes a minute or two"
exec python3 "$top/tests/vm/flow/flow.py" --demo --kernel "$(echo "$line" | tr ' ' '=')"
