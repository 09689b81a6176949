/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host itself uses: mounted filesystems and active swap (through
 * /proc/self/mountinfo, /proc/swaps and sys/dev/block, following
 * device-mapper and md slaves down to the disks) and network interfaces
 * (sys/class/net). Each use is attached to the PCI device that controls it.
 */
#pragma once

#include "pci.h"

/* Returns 0 or -errno for memory; unreadable or missing sources are skipped. */
int usage_fill(const struct sysroot *root, struct pci_set *set);
