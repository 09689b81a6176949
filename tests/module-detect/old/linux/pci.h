/* SPDX-License-Identifier: GPL-2.0 */
/* 5.19 .. 6.12.90: PCI matches on pci_dev.driver_override. */
#ifndef LINUX_PCI_H
#define LINUX_PCI_H
#include <linux/device.h>
struct pci_dev {
	struct device dev;
	const char *driver_override;
};
#endif
