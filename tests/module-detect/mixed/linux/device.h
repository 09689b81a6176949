/* SPDX-License-Identifier: GPL-2.0 */
/* Upstream v7.0: the driver-core helpers are there ... */
#ifndef _DEVICE_H_
#define _DEVICE_H_
#include <linux/types.h>
struct spinlock { int x; };
struct device {
	void *driver;
	struct {
		const char *name;
		struct spinlock lock;
	} driver_override;
};
int driver_set_override(struct device *dev, const char **override,
			const char *s, size_t len);
int device_set_driver_override(struct device *dev, const char *s);
#endif
