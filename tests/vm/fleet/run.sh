#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 13's fleet in two QEMU guests (TCG, q35, emulated VT-d): one with a
# GPU group, one with two identical NICs of which one is claimed; one
# inventory (tests/vm/fleet/inventory.yml), one playbook
# (tests/vm/fleet/playbook.yml, the README's), Debian's ansible-playbook over
# SSH on loopback-forwarded ports with a key made for the run:
#
#   run 1 converges both and reboots them; run 2 is changed=0; a local
#   'vfio-claim add' on one guest is reported by --check --diff (exactly that
#   line, nothing changed); run 3 repairs it; verify exits 0 on both.
#
#   tests/vm/fleet/run.sh [--kernel 6.1|6.12]
#
# Installs what it needs, builds the packages (make deb), the guest disk
# (tests/vm/fleet/setup.sh), then runs tests/vm/fleet/fleet.py. One line per
# step; exit 0 when all pass. Logs: build/vm-fleet/logs (serial consoles
# fleet-HOST-BOOT.log, ansible-RUN.log).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=${VM_FLEET_BUILD:-$top/build/vm-fleet}
kernel=${VM_KERNEL:-6.1}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--kernel=*) kernel=${1#*=}; shift ;;
	-h | --help) sed -n '3,18p' "$0"; exit 0 ;;
	*) echo "usage: $0 [--kernel 6.1|6.12]" >&2; exit 64 ;;
	esac
done
t0=$(date +%s)
mkdir -p "$build/logs"
"$top/scripts/install-deps.sh" tool pkg vm fleet >&2
# The packages the harness's guests get (build/vm-deb; made when missing or
# when the sources changed).
VM_TOP=$top VM_BUILD=$build
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"
vm_debs
read -r series kver <<-EOF
	$("$here/setup.sh" "$kernel")
EOF
echo "fleet: packages and guest disk ready in $(($(date +%s) - t0))s" >&2
mkdir -p "$build/run"
key="$build/key"
rm -f "$key" "$key.pub"
ssh-keygen -q -t ed25519 -N '' -C "vfio-claim fleet $(date +%s)" -f "$key"
# The tool's package only: the DKMS package would compile in the guest (see setup.sh).
rc=0
python3 "$here/fleet.py" --kernel "$series=$kver" --image "$build/img/$kver" --key "$key" \
	--debs "$vm_deb_tool" || rc=$?
echo "fleet: total $(($(date +%s) - t0))s" >&2
exit $rc
