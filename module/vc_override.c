// SPDX-License-Identifier: GPL-2.0
/*
 * driver_override of a PCI device, through whichever API the kernel's PCI
 * core reads (see vc_override.h for the three states).
 *
 * The check of the current override and driver and the setting of the
 * override happen under the device lock, which serialises them with bind
 * and unbind: a driver cannot bind between "is it unbound?" and "set".
 */
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vc_override.h"

#ifdef VC_OVERRIDE_IN_DEVICE
/*
 * Only the accessors, as device.h asks ("Do not touch directly"): they say
 * whether the override is set and whether it names a driver, not what it
 * names, so another driver's name reads as "another driver".
 */
static const struct device_driver vc_vfio_pci_name = { .name = VC_DRIVER };

#ifdef __CHECKER__
/*
 * bookworm's sparse (0.6.4) does not follow guard() (a cleanup attribute)
 * in the accessor and reports a context imbalance in the kernel's own
 * header: it is shown the same read with the lock taken by hand.
 */
static int vc_match_override(struct device *dev)
{
	int match = -1;

	spin_lock(&dev->driver_override.lock);
	if (dev->driver_override.name)
		match = !strcmp(dev->driver_override.name, vc_vfio_pci_name.name);
	spin_unlock(&dev->driver_override.lock);
	return match;
}
#else
static int vc_match_override(struct device *dev)
{
	return device_match_driver_override(dev, &vc_vfio_pci_name);
}
#endif

static void vc_read_locked(struct pci_dev *pdev, char *buf, size_t size)
{
	int match = vc_match_override(&pdev->dev);

	strscpy(buf, match > 0 ? VC_DRIVER : match == 0 ? "another driver" : "",
		size);
}

/*
 * Called with the device lock held.  The override has a lock of its own
 * (the one the accessors take), not the device lock: a write to the
 * driver_override file between vc_read_locked() and this call would be
 * replaced.  The window is the few instructions between two spinlock
 * sections, and the device lock still keeps binding out of it.
 */
static int vc_write_locked(struct pci_dev *pdev, const char *s)
{
	return device_set_driver_override(&pdev->dev, s);
}
#else
/* driver_set_override() replaces pdev->driver_override under the device lock. */
static void vc_read_locked(struct pci_dev *pdev, char *buf, size_t size)
{
	strscpy(buf, pdev->driver_override ?: "", size);
}

/*
 * Called with the device lock held, so driver_set_override() (which takes
 * it itself) cannot be used: this does what it does (drivers/base/driver.c:
 * swap the pointer under the device lock, free the old string), so the
 * check and the set are one step.  The kernel frees the string on release.
 */
static int vc_write_locked(struct pci_dev *pdev, const char *s)
{
	const char *old = pdev->driver_override;
	char *new = NULL;

	if (s[0]) {
		new = kstrdup(s, GFP_KERNEL);
		if (!new)
			return -ENOMEM;
	}
	pdev->driver_override = new;
	kfree(old);
	return 0;
}
#endif

/**
 * vc_override_get() - read the driver_override of @pdev
 * @pdev: the device
 * @buf: gets the override, "" when unset (cut to @size)
 * @size: size of @buf
 *
 * Context: process context; takes the device lock.
 */
void vc_override_get(struct pci_dev *pdev, char *buf, size_t size)
{
	device_lock(&pdev->dev);
	vc_read_locked(pdev, buf, size);
	device_unlock(&pdev->dev);
}

/**
 * vc_override_claim() - set driver_override of @pdev to vfio-pci, if free
 * @pdev: the device
 * @take_bound: also when it is bound to another driver (rebind=1)
 * @prev: gets the override found ("" when unset)
 * @prev_size: size of @prev
 * @drv: gets the name of the driver it is bound to ("" when unbound)
 * @drv_size: size of @drv
 *
 * The device is never bound or unbound here.  A device on a driver that
 * already gives it to userspace (a vfio-pci variant, pci-stub) is never
 * taken, whatever @take_bound says.
 *
 * Context: process context; takes the device lock.
 * Return: 0 when set; -EEXIST when an override was already set (see @prev);
 * -EBUSY when it is bound to another driver (see @drv); -ENOMEM.
 */
int vc_override_claim(struct pci_dev *pdev, bool take_bound, char *prev,
		      size_t prev_size, char *drv, size_t drv_size)
{
	int ret;

	device_lock(&pdev->dev);
	vc_read_locked(pdev, prev, prev_size);
	strscpy(drv, pdev->dev.driver ? pdev->dev.driver->name : "", drv_size);
	if (prev[0])
		ret = -EEXIST;
	else if (drv[0] && strcmp(drv, VC_DRIVER) &&
		 (!take_bound || vc_driver_passed_through(drv)))
		ret = -EBUSY;
	else
		ret = vc_write_locked(pdev, VC_DRIVER);
	device_unlock(&pdev->dev);
	return ret;
}

/**
 * vc_override_release() - clear driver_override of @pdev if it is vfio-pci
 * @pdev: the device
 *
 * Context: process context; takes the device lock.
 * Return: 0 when cleared; -ENOENT when it was not vfio-pci (left as is);
 * other -errno from the kernel's setter.
 */
int vc_override_release(struct pci_dev *pdev)
{
	char cur[sizeof(VC_DRIVER) + 1];
	int ret = -ENOENT;

	device_lock(&pdev->dev);
	vc_read_locked(pdev, cur, sizeof(cur));
	if (!strcmp(cur, VC_DRIVER))
		ret = vc_write_locked(pdev, "");
	device_unlock(&pdev->dev);
	return ret;
}
