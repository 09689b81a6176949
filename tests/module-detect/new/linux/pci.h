/* SPDX-License-Identifier: GPL-2.0 */
/* 6.12.91+, 7.1+: no driver_override in pci_dev; PCI reads dev's. */
#ifndef LINUX_PCI_H
#define LINUX_PCI_H
#include <linux/device.h>
struct pci_dev {
	struct device dev;
};
#endif
