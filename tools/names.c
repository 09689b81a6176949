// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libudev.h>

#include "macro.h"
#include "names.h"

struct names {
	struct udev *udev;
	struct udev_hwdb *hwdb;
};

struct names *names_open(void)
{
	struct names *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->udev = udev_new();
	if (n->udev)
		n->hwdb = udev_hwdb_new(n->udev);
	if (!n->hwdb) {
		names_close(n);
		return NULL;
	}
	return n;
}

void names_close(struct names *n)
{
	if (!n)
		return;
	if (n->hwdb)
		udev_hwdb_unref(n->hwdb);
	if (n->udev)
		udev_unref(n->udev);
	free(n);
}

/* The value of one property of the hwdb entries matching key. */
static char *lookup(struct names *n, const char *key, const char *property)
{
	struct udev_list_entry *e;

	udev_list_entry_foreach(e, udev_hwdb_get_properties_list_entry(n->hwdb, key, 0)) {
		if (streq(udev_list_entry_get_name(e), property))
			return strdup(udev_list_entry_get_value(e));
	}
	return NULL;
}

void names_fill(struct names *n, struct pci_set *set)
{
	if (!n)
		return;
	for (int i = 0; i < set->n; i++) {
		struct pci_dev *d = &set->devs[i];
		char key[96];

		/* Without subsystem IDs: the chip's name, as lspci prints it. */
		snprintf(key, sizeof(key), "pci:v%08Xd%08X", d->vendor, d->device);
		d->vendor_name = lookup(n, key, "ID_VENDOR_FROM_DATABASE");
		d->device_name = lookup(n, key, "ID_MODEL_FROM_DATABASE");
		snprintf(key, sizeof(key), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X",
			 d->vendor, d->device, d->subvendor, d->subdevice,
			 d->class >> 16, (d->class >> 8) & 0xff, d->class & 0xff);
		d->class_name = lookup(n, key, "ID_PCI_SUBCLASS_FROM_DATABASE");
		if (!d->class_name)
			d->class_name = lookup(n, key, "ID_PCI_CLASS_FROM_DATABASE");
	}
}
