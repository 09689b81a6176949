// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "pci.h"

/* A scan-time attribute failure: ENOENT means the device went away. */
struct scan_error {
	int err;
	char *path;
};

static int read_hex_attr(const struct sysroot *root, const char *dir, const char *attr,
			 uint32_t *value, bool mandatory, struct scan_error *e)
{
	char path[PATH_MAX];
	unsigned long v;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	r = sysroot_read_ulong(root, path, &v);
	if (r < 0) {
		if (r == -ENOENT && !mandatory)
			return 0;
		e->err = r;
		e->path = strdup(path);
		return r;
	}
	*value = (uint32_t)v;
	return 1;
}

/* Optional string attribute: NULL when absent, an error for anything else. */
static int read_opt_string(const struct sysroot *root, const char *dir, const char *attr,
			   char **value, struct scan_error *e)
{
	char path[PATH_MAX], buf[256];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	r = sysroot_read(root, path, buf, sizeof(buf));
	if (r == -ENOENT) {
		*value = NULL;
		return 0;
	}
	if (r < 0) {
		e->err = r;
		e->path = strdup(path);
		return r;
	}
	*value = strdup(buf);
	return *value ? 0 : -ENOMEM;
}

static int read_link_name(const struct sysroot *root, const char *dir, const char *link,
			  char **value)
{
	char path[PATH_MAX], name[NAME_MAX + 1];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, link);
	r = sysroot_link_name(root, path, name, sizeof(name));
	if (r == -ENOENT) {
		*value = NULL;
		return 0;
	}
	if (r < 0)
		return r;
	*value = strdup(name);
	return *value ? 0 : -ENOMEM;
}

/*
 * The kernel's uevent file holds the IDs, class and modalias in one read
 * (PCI_ID=10DE:1C03, PCI_SUBSYS_ID=..., PCI_CLASS=30000, MODALIAS=...),
 * where the attributes take six: on a machine with thousands of VFs that is
 * most of the work. Returns 1 when it gave them, 0 when it is absent or
 * incomplete (then the attributes are read), or an error for a bad file.
 */
static int read_uevent(const struct sysroot *root, struct pci_dev *d, struct scan_error *e)
{
	char path[PATH_MAX], buf[1024];
	bool id = false, cls = false;
	char *line, *save = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/uevent", d->syspath);
	r = sysroot_read(root, path, buf, sizeof(buf));
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		goto bad;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "PCI_ID=%x:%x", &d->vendor, &d->device) == 2)
			id = true;
		else if (sscanf(line, "PCI_SUBSYS_ID=%x:%x", &d->subvendor, &d->subdevice) == 2)
			continue;
		else if (sscanf(line, "PCI_CLASS=%x", &d->class) == 1)
			cls = true;
		else if (strncmp(line, "MODALIAS=", 9) == 0 && !d->modalias)
			d->modalias = strdup(line + 9);
	}
	if (id && cls)
		return 1;
	if (!id && !cls)
		return 0;	/* not a PCI uevent: use the attributes */
	r = -EINVAL;
bad:
	e->err = r;
	e->path = strdup(path);
	return r;
}

static int read_device(const struct sysroot *root, struct pci_dev *d, struct scan_error *e)
{
	const char *dir = d->syspath;
	uint32_t v;
	char *s;
	int r;

	d->subvendor = d->subdevice = 0;
	d->revision = -1;
	r = read_uevent(root, d, e);
	if (r < 0)
		return r;
	if (r == 0 &&
	    ((r = read_hex_attr(root, dir, "vendor", &d->vendor, true, e)) < 0 ||
	     (r = read_hex_attr(root, dir, "device", &d->device, true, e)) < 0 ||
	     (r = read_hex_attr(root, dir, "class", &d->class, true, e)) < 0 ||
	     (r = read_hex_attr(root, dir, "subsystem_vendor", &d->subvendor, false, e)) < 0 ||
	     (r = read_hex_attr(root, dir, "subsystem_device", &d->subdevice, false, e)) < 0 ||
	     (r = read_opt_string(root, dir, "modalias", &d->modalias, e)) < 0))
		return r;
	if ((r = read_hex_attr(root, dir, "revision", &v, false, e)) < 0)
		return r;
	if (r > 0)
		d->revision = (int)v;

	d->boot_vga = -1;
	/* The kernel gives boot_vga to display devices only. */
	if (pci_base_class(d) == 0x03 && (r = read_hex_attr(root, dir, "boot_vga", &v, false, e)) < 0)
		return r;
	if (pci_base_class(d) == 0x03 && r > 0)
		d->boot_vga = v != 0;

	if ((r = read_opt_string(root, dir, "driver_override", &d->driver_override, e)) < 0)
		return r;
	/* An unset override reads "(null)"; an empty one means the same. */
	if (d->driver_override &&
	    (!d->driver_override[0] || streq(d->driver_override, "(null)"))) {
		free(d->driver_override);
		d->driver_override = NULL;
	}
	if ((r = read_opt_string(root, dir, "reset_method", &d->reset_method, e)) < 0)
		return r;

	d->numvfs = d->totalvfs = -1;
	if ((r = read_hex_attr(root, dir, "sriov_totalvfs", &v, false, e)) < 0)
		return r;
	if (r > 0) {
		d->totalvfs = (int)v;
		d->numvfs = 0;
		if ((r = read_hex_attr(root, dir, "sriov_numvfs", &v, false, e)) < 0)
			return r;
		if (r > 0)
			d->numvfs = (int)v;
	}

	if ((r = read_link_name(root, dir, "driver", &d->driver)) < 0 ||
	    (r = read_link_name(root, dir, "iommu_group", &s)) < 0) {
		e->err = r;
		e->path = strdup(dir);
		return r;
	}
	d->group = -1;
	if (s) {
		char *end;
		long g = strtol(s, &end, 10);

		if (!*end && g >= 0 && g <= INT_MAX)
			d->group = (int)g;
		free(s);
	}
	return 0;
}

static int addr_cmp(const struct vc_pci_addr *a, const struct vc_pci_addr *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus - b->bus;
	if (a->slot != b->slot)
		return a->slot - b->slot;
	return a->func - b->func;
}

static int dev_cmp(const void *a, const void *b)
{
	return addr_cmp(&((const struct pci_dev *)a)->addr, &((const struct pci_dev *)b)->addr);
}

static int dev_cmp_ptr(const void *a, const void *b)
{
	return dev_cmp(*(const struct pci_dev *const *)a, *(const struct pci_dev *const *)b);
}

struct pci_dev *pci_find(const struct pci_set *set, const struct vc_pci_addr *addr)
{
	struct pci_dev key = { .addr = *addr };

	return bsearch(&key, set->devs, (size_t)set->n, sizeof(*set->devs), dev_cmp);
}

/* The device a path component names, if it is a PCI address. */
static struct pci_dev *find_by_name(const struct pci_set *set, const char *name, size_t len)
{
	struct vc_pci_addr a;

	if (vc_parse_addr(name, len, &a))
		return NULL;
	return pci_find(set, &a);
}

/* Link VFs to PFs and devices to the bridge above them, from the paths. */
static void link_devices(const struct sysroot *root, struct pci_set *set)
{
	for (int i = 0; i < set->n; i++) {
		struct pci_dev *d = &set->devs[i];
		const char *end = strrchr(d->syspath, '/');
		const char *start;
		char path[PATH_MAX], pf[NAME_MAX + 1];

		if (end) {
			for (start = end; start > d->syspath && start[-1] != '/'; start--)
				;
			d->upstream = find_by_name(set, start, (size_t)(end - start));
		}
		snprintf(path, sizeof(path), "%s/physfn", d->syspath);
		if (sysroot_link_name(root, path, pf, sizeof(pf)) == 0) {
			d->physfn = find_by_name(set, pf, strlen(pf));
			if (d->physfn) {
				struct pci_dev *p = d->physfn;
				struct pci_dev **vfs = realloc(p->vfs, sizeof(*vfs) * (size_t)(p->n_vfs + 1));

				if (vfs) {
					p->vfs = vfs;
					p->vfs[p->n_vfs++] = d;
				}
			}
		}
	}
}

int pci_scan(const struct sysroot *root, struct pci_set *set, int *vanished, char **failed_path)
{
	DIR *dir = sysroot_opendir(root, "sys/bus/pci/devices");
	struct dirent *ent;
	int cap = 0, r = 0;

	set->devs = NULL;
	set->n = 0;
	*vanished = 0;
	*failed_path = NULL;
	if (!dir)
		return -errno;
	while ((ent = readdir(dir))) {
		struct scan_error e = { 0 };
		char link[PATH_MAX];
		struct pci_dev *d;

		if (ent->d_name[0] == '.')
			continue;
		if (set->n == cap) {
			struct pci_dev *p;

			cap = cap ? cap * 2 : 64;
			p = realloc(set->devs, sizeof(*p) * (size_t)cap);
			if (!p) {
				r = -ENOMEM;
				break;
			}
			set->devs = p;
		}
		d = &set->devs[set->n];
		memset(d, 0, sizeof(*d));
		if (vc_parse_addr(ent->d_name, strlen(ent->d_name), &d->addr))
			continue;	/* not a device entry */
		vc_format_addr(d->name, &d->addr);
		snprintf(link, sizeof(link), "sys/bus/pci/devices/%s", ent->d_name);
		r = sysroot_link_target(root, link, &d->syspath);
		if (r == 0)
			r = read_device(root, d, &e);
		if (r == -ENOENT || r == -ENODEV) {
			/* Removed between readdir and now. */
			(*vanished)++;
			free(e.path);
			free(d->syspath);
			free(d->driver);
			free(d->driver_override);
			free(d->reset_method);
			free(d->modalias);
			r = 0;
			continue;
		}
		set->n++;
		if (r < 0) {
			*failed_path = e.path ? e.path : strdup(link);
			break;
		}
	}
	closedir(dir);
	if (r < 0) {
		pci_set_free(set);
		return r;
	}
	if (set->n > 1)	/* devs is NULL with no device: qsort(NULL, 0) is undefined */
		qsort(set->devs, (size_t)set->n, sizeof(*set->devs), dev_cmp);
	link_devices(root, set);
	for (int i = 0; i < set->n; i++) {
		struct pci_dev *p = &set->devs[i];

		if (p->n_vfs > 1)
			qsort(p->vfs, (size_t)p->n_vfs, sizeof(*p->vfs), dev_cmp_ptr);
	}
	return 0;
}

void pci_set_free(struct pci_set *set)
{
	for (int i = 0; i < set->n; i++) {
		struct pci_dev *d = &set->devs[i];

		free(d->syspath);
		free(d->driver);
		free(d->driver_override);
		free(d->reset_method);
		free(d->modalias);
		free(d->vfs);
		free(d->vendor_name);
		free(d->device_name);
		free(d->class_name);
		for (int u = 0; u < d->n_uses; u++) {
			free(d->uses[u].what);
			free(d->uses[u].via);
		}
		free(d->uses);
	}
	free(set->devs);
	set->devs = NULL;
	set->n = 0;
}

bool pci_is_bridge(const struct pci_dev *d)
{
	unsigned int c = pci_class16(d);

	return c == PCI_CLASS_BRIDGE_PCI || c == PCI_CLASS_BRIDGE_PCI_SEMI ||
	       c == PCI_CLASS_BRIDGE_CARDBUS;
}

bool pci_is_infrastructure(const struct pci_dev *d)
{
	return pci_base_class(d) == 0x06;
}

bool pci_driver_is_vfio(const char *driver)
{
	size_t n;

	if (!driver)
		return false;
	if (streq(driver, "vfio-pci"))
		return true;
	/* Variant drivers: mlx5_vfio_pci, hisi_acc_vfio_pci, virtio_vfio_pci... */
	n = strlen(driver);
	return n > 8 && streq(driver + n - 8, "vfio_pci");
}

bool pci_driver_manages_dma(const char *driver)
{
	/* The drivers that set driver_managed_dma (FACTS.md section 4). */
	return pci_driver_is_vfio(driver) || streq(driver, "pci-stub") || streq(driver, "pcieport");
}

bool pci_driver_builtin(const struct sysroot *root, const char *driver)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "sys/bus/pci/drivers/%s", driver);
	if (!sysroot_exists(root, path))
		return false;
	/*
	 * A loaded module has /sys/module/NAME/initstate. A built-in driver has
	 * no module link, or (when it names its module, as 8250_pci does on
	 * Debian's 6.12) a link to a /sys/module entry without initstate.
	 */
	snprintf(path, sizeof(path), "sys/bus/pci/drivers/%s/module/initstate", driver);
	return !sysroot_exists(root, path);
}
