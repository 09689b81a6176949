/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver_override of a PCI device, on every kernel vfio_claim builds for.
 *
 * Where PCI keeps the override, and so which API sets it, is decided at
 * build time by module/vc-detect.sh (a compile test run from Kbuild):
 *   old    struct pci_dev has driver_override; driver_set_override()
 *          (5.19 .. 6.12.90, Debian 6.1)
 *   mixed  struct pci_dev still has driver_override, and device.h already
 *          has device_set_driver_override(): PCI reads the pci_dev field,
 *          so that is the one to set (upstream v7.0, stable trees)
 *   new    struct pci_dev has no driver_override: the struct device one,
 *          through device_set_driver_override() (6.12.91+, 7.1+)
 * VC_OVERRIDE_IN_DEVICE is defined for "new" only.
 */
#ifndef VC_OVERRIDE_H
#define VC_OVERRIDE_H

#include <linux/pci.h>
#include <linux/string.h>

#define VC_DRIVER "vfio-pci"

/*
 * vc_driver_is_vfio() - is @name vfio-pci or a variant driver built on
 * vfio_pci_core (mlx5_vfio_pci, hisi_acc_vfio_pci, virtio_vfio_pci...)?
 * The same rule as the tool's pci_driver_is_vfio() (tools/pci.c).
 */
static inline bool vc_driver_is_vfio(const char *name)
{
	size_t n = strlen(name);

	return !strcmp(name, VC_DRIVER) ||
	       (n > 8 && !strcmp(name + n - 8, "vfio_pci"));
}

/*
 * vc_driver_passed_through() - is a device on driver @name already given to
 * userspace: a vfio-pci variant or pci-stub (vfio-pci itself excluded)?
 */
static inline bool vc_driver_passed_through(const char *name)
{
	return strcmp(name, VC_DRIVER) &&
	       (vc_driver_is_vfio(name) || !strcmp(name, "pci-stub"));
}

void vc_override_get(struct pci_dev *pdev, char *buf, size_t size);
int vc_override_claim(struct pci_dev *pdev, bool take_bound, char *prev,
		      size_t prev_size, char *drv, size_t drv_size);
int vc_override_release(struct pci_dev *pdev);

#endif /* VC_OVERRIDE_H */
