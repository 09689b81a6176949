/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host itself uses: mounted filesystems and active swap (through
 * /proc/self/mountinfo, /proc/swaps and sys/dev/block, following
 * device-mapper and md slaves down to the disks) and network interfaces
 * (sys/class/net). Each use is attached to the PCI device that controls it.
 */
#pragma once

#include "pci.h"

/*
 * Returns 0 or -errno for memory. A source that cannot be read never means
 * "not used": unreadable mountinfo or swaps mark every storage controller
 * (class 01) in use, and so does a mount or swap on a block device the tree
 * has no sysfs entry for (or whose slaves cannot be read); an unreadable
 * sys/class/net marks every NIC (class 02) up, and
 * an interface whose flags cannot be read counts as up. Only a tree without
 * sys/class/net at all has no interfaces.
 */
int usage_fill(const struct sysroot *root, struct pci_set *set);
