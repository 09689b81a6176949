/* SPDX-License-Identifier: GPL-2.0 */
/* Debian 6.1 (5.19 .. 6.12.90): driver_set_override() only. */
#ifndef _DEVICE_H_
#define _DEVICE_H_
#include <linux/types.h>
struct device {
	void *driver;
};
int driver_set_override(struct device *dev, const char **override,
			const char *s, size_t len);
#endif
