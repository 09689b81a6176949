#!/bin/sh
# The guides' lsgroup.sh (seed 000, "Virtualization Tools and Notes"), kept
# as the guide has it except for two changes, both so that it reads the
# benchmark's tree instead of this machine's /sys:
#
#   1. BASE is "$1/sys/kernel/iommu_groups" instead of
#      "/sys/kernel/iommu_groups" ($1 is the tree's root, the DIR that
#      vfio-claim gets as --root DIR);
#   2. lspci gets "-A linux-sysfs -O sysfs.path=$1/sys/bus/pci" (the options
#      the benchmark gives the one-shot lspci), so that it reads that tree's
#      devices. The guide's "lspci -s $DEV" is otherwise unchanged: no -nn,
#      no -k.
#
# Usage: bench/lsgroup.sh TREE   (TREE without spaces: the guide's loop does
# not quote, and is timed as written)
# shellcheck disable=SC2044,SC2086,SC3037 # the guide's code, kept as it is

BASE="$1/sys/kernel/iommu_groups"
LSPCI_TREE="-A linux-sysfs -O sysfs.path=$1/sys/bus/pci"

for i in $(find $BASE -maxdepth 1 -mindepth 1 -type d); do
  GROUP=$(basename $i)
  echo "### Group $GROUP ###"
  for j in $(find $i/devices -type l); do
    DEV=$(basename $j)
    echo -n "    "
    lspci $LSPCI_TREE -s $DEV
  done
done
