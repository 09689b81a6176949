// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libudev.h>

#include "macro.h"
#include "names.h"

/*
 * Machines repeat the same few IDs many times (SR-IOV VFs above all), and a
 * hwdb lookup is a trie walk plus an fnmatch per candidate: remember answers.
 */
#define CACHE_SIZE 1024	/* a power of two */

struct id_names {
	bool used;
	uint32_t key_a, key_b;
	char *vendor, *model;
};

struct class_name {
	bool used;
	uint32_t class;
	char *name;
};

struct names {
	struct udev *udev;
	struct udev_hwdb *hwdb;
	struct id_names ids[CACHE_SIZE];
	struct class_name classes[CACHE_SIZE];
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
	for (int i = 0; i < CACHE_SIZE; i++) {
		free(n->ids[i].vendor);
		free(n->ids[i].model);
		free(n->classes[i].name);
	}
	if (n->hwdb)
		udev_hwdb_unref(n->hwdb);
	if (n->udev)
		udev_unref(n->udev);
	free(n);
}

/* The values of two properties of the hwdb entries matching key. */
static void lookup(struct names *n, const char *key, const char *prop_a, char **a,
		   const char *prop_b, char **b)
{
	struct udev_list_entry *e;

	*a = NULL;
	if (b)
		*b = NULL;
	udev_list_entry_foreach(e, udev_hwdb_get_properties_list_entry(n->hwdb, key, 0)) {
		const char *name = udev_list_entry_get_name(e);

		if (!*a && streq(name, prop_a))
			*a = strdup(udev_list_entry_get_value(e));
		else if (b && !*b && streq(name, prop_b))
			*b = strdup(udev_list_entry_get_value(e));
	}
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Vendor and model of a vendor:device, without subsystem IDs, as lspci names them. */
static void id_names(struct names *n, struct pci_dev *d)
{
	uint32_t h = (d->vendor * 31u + d->device) & (CACHE_SIZE - 1);
	struct id_names *slot = NULL;
	char key[64];

	for (uint32_t i = 0; i < CACHE_SIZE; i++) {
		struct id_names *e = &n->ids[(h + i) & (CACHE_SIZE - 1)];

		if (!e->used) {
			slot = e;
			break;
		}
		if (e->key_a == d->vendor && e->key_b == d->device) {
			d->vendor_name = dup_or_null(e->vendor);
			d->device_name = dup_or_null(e->model);
			return;
		}
	}
	snprintf(key, sizeof(key), "pci:v%08Xd%08X", d->vendor, d->device);
	lookup(n, key, "ID_VENDOR_FROM_DATABASE", &d->vendor_name, "ID_MODEL_FROM_DATABASE",
	       &d->device_name);
	if (slot) {
		slot->used = true;
		slot->key_a = d->vendor;
		slot->key_b = d->device;
		slot->vendor = dup_or_null(d->vendor_name);
		slot->model = dup_or_null(d->device_name);
	}
}

/* The class name depends on the class code alone. */
static void class_names(struct names *n, struct pci_dev *d)
{
	uint32_t h = (d->class * 2654435761u) >> 22 & (CACHE_SIZE - 1);
	struct class_name *slot = NULL;
	char key[96], *subclass, *class;

	for (uint32_t i = 0; i < CACHE_SIZE; i++) {
		struct class_name *e = &n->classes[(h + i) & (CACHE_SIZE - 1)];

		if (!e->used) {
			slot = e;
			break;
		}
		if (e->class == d->class) {
			d->class_name = dup_or_null(e->name);
			return;
		}
	}
	snprintf(key, sizeof(key), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", d->vendor, d->device,
		 d->subvendor, d->subdevice, d->class >> 16, (d->class >> 8) & 0xff, d->class & 0xff);
	lookup(n, key, "ID_PCI_SUBCLASS_FROM_DATABASE", &subclass, "ID_PCI_CLASS_FROM_DATABASE", &class);
	d->class_name = subclass ? subclass : class;
	if (subclass)
		free(class);
	if (slot) {
		slot->used = true;
		slot->class = d->class;
		slot->name = dup_or_null(d->class_name);
	}
}

void names_fill(struct names *n, struct pci_set *set)
{
	if (!n)
		return;
	for (int i = 0; i < set->n; i++) {
		id_names(n, &set->devs[i]);
		class_names(n, &set->devs[i]);
	}
}
