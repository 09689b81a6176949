/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a root loads a module early, in the forms users write: on the kernel
 * command line (rd.driver.pre=), in /etc/modules-load.d/NAME.conf and
 * /etc/modules, dracut's force_drivers/add_drivers (/etc/dracut.conf and
 * /etc/dracut.conf.d/NAME.conf), mkinitcpio's MODULES= (/etc/mkinitcpio.conf and
 * /etc/mkinitcpio.conf.d/NAME.conf), initramfs-tools' /etc/initramfs-tools/modules.
 * Read from the root only.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sysroot.h"

enum early_when {
	EARLY_NONE,
	EARLY_AFTER_UDEV,	/* loaded beside or after udev's coldplug (modules-load.d, initramfs-tools) */
	EARLY_BEFORE_UDEV,	/* loaded before udev starts (rd.driver.pre, dracut force_drivers, mkinitcpio) */
};

/*
 * Whether NAME (- and _ alike) is loaded early, and where ("/etc/modules-load.d/vfio.conf",
 * "rd.driver.pre= on the kernel command line"...) into where; the earliest form found wins.
 */
enum early_when early_load_of(const struct sysroot *root, const char *name, char *where, size_t size);
