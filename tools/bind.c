// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bind.h"
#include "genfile.h"
#include "macro.h"

/* What a device had before we touched it. */
struct undo {
	struct pci_dev *dev;
	char driver[NAME_MAX + 1];	/* "" when unbound */
	char override[NAME_MAX + 1];	/* "" when unset */
};

static int fail(struct bind_error *err, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct bind_error *err, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return r;
}

static void current_driver(const struct sysroot *root, const struct pci_dev *d, char *buf,
			   size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/driver", d->name);
	if (sysroot_link_name(root, path, buf, size) < 0 || !bind_valid_driver_name(buf))
		buf[0] = '\0';
}

static void current_override(const struct sysroot *root, const struct pci_dev *d, char *buf,
			     size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/driver_override", d->name);
	if (sysroot_read(root, path, buf, size) < 0 || streq(buf, "(null)"))
		buf[0] = '\0';
}

static int set_override(const struct sysroot *root, const struct pci_dev *d, const char *value)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/driver_override", d->name);
	/* A lone newline clears it; an empty write would be refused. */
	return sysroot_write(root, path, value[0] ? value : "\n");
}

static void current_driver(const struct sysroot *root, const struct pci_dev *d, char *buf,
			   size_t size);

/* Unbind from whatever driver has it now; nothing to do when none has. */
static int unbind_current(const struct sysroot *root, const struct pci_dev *d)
{
	char path[PATH_MAX], driver[NAME_MAX + 1];

	current_driver(root, d, driver, sizeof(driver));
	if (!driver[0])
		return 0;
	snprintf(path, sizeof(path), "sys/bus/pci/drivers/%s/unbind", driver);
	return sysroot_write(root, path, d->name);
}

static int probe(const struct sysroot *root, const struct pci_dev *d)
{
	return sysroot_write(root, "sys/bus/pci/drivers_probe", d->name);
}

static int bind_to(const struct sysroot *root, const struct pci_dev *d, const char *driver)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "sys/bus/pci/drivers/%s/bind", driver);
	return sysroot_write(root, path, d->name);
}

/* Binding is synchronous for PCI, but give a slow probe a moment. */
static bool wait_for_driver(const struct sysroot *root, const struct pci_dev *d, const char *want)
{
	struct timespec pause = { .tv_nsec = 20 * 1000 * 1000 };
	char now[NAME_MAX + 1];

	for (int i = 0; i < 50; i++) {
		current_driver(root, d, now, sizeof(now));
		if (want ? streq(now, want) : !streq(now, "vfio-pci"))
			return true;
		nanosleep(&pause, NULL);
	}
	return false;
}

static void state_path(const struct pci_dev *d, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", BIND_STATE_DIR, d->name);
}

static int remember(const struct sysroot *root, const struct undo *u)
{
	char path[PATH_MAX], text[2 * NAME_MAX + 32];
	int r;

	if (!u->driver[0] || streq(u->driver, "vfio-pci"))
		return 0;
	r = sysroot_mkdirs(root, BIND_STATE_DIR, 0755);
	if (r < 0)
		return r;
	state_path(u->dev, path, sizeof(path));
	snprintf(text, sizeof(text), "driver=%s\noverride=%s\n", u->driver, u->override);
	/* A new file renamed into place: a link planted at the name is replaced, never followed. */
	return genfile_write_atomic(root, path, text, 0);
}

bool bind_valid_driver_name(const char *name)
{
	size_t len = strlen(name);

	/* A kernel driver's name, as a directory under /sys/bus/pci/drivers: one component. */
	if (!len || len > NAME_MAX || streq(name, ".") || streq(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
			return false;
	return true;
}

char *bind_remembered_driver(const struct sysroot *root, const struct pci_dev *d)
{
	char path[PATH_MAX], text[2 * NAME_MAX + 32], *p, *end;

	state_path(d, path, sizeof(path));
	if (sysroot_read(root, path, text, sizeof(text)) < 0)
		return NULL;
	p = strstr(text, "driver=");
	if (!p)
		return NULL;
	p += 7;
	end = strchrnul(p, '\n');
	*end = '\0';
	/* The name becomes a path: a tree's "driver=../../../tmp/x" is no driver. */
	return bind_valid_driver_name(p) ? strdup(p) : NULL;
}

/* Put a device back on what it had: its override, then its driver. */
static void restore(const struct sysroot *root, const struct undo *u)
{
	char now[NAME_MAX + 1];

	set_override(root, u->dev, u->override);
	current_driver(root, u->dev, now, sizeof(now));
	if (streq(now, u->driver))
		return;
	if (now[0])
		unbind_current(root, u->dev);
	if (u->driver[0] && bind_to(root, u->dev, u->driver) == 0)
		return;
	probe(root, u->dev);
}

int bind_to_vfio(const struct sysroot *root, struct pci_dev **devs, int n, struct bind_error *err)
{
	_cleanup_free_ struct undo *undo = calloc((size_t)n + 1, sizeof(*undo));
	int done = 0, r = 0;

	if (!undo)
		return fail(err, -ENOMEM, "out of memory");
	if (!sysroot_exists(root, "sys/bus/pci/drivers/vfio-pci"))
		return fail(err, -ENOENT, "vfio-pci is not loaded; run 'modprobe vfio-pci' and try again");
	for (int i = 0; i < n; i++) {
		struct pci_dev *d = devs[i];
		struct undo *u = &undo[done];

		u->dev = d;
		current_driver(root, d, u->driver, sizeof(u->driver));
		current_override(root, d, u->override, sizeof(u->override));
		if (streq(u->driver, "vfio-pci"))
			continue;
		done++;
		r = remember(root, u);
		if (r < 0) {
			fail(err, r, "%s: cannot remember its driver under /%s: %s", d->name,
			     BIND_STATE_DIR, strerror(-r));
			break;
		}
		r = set_override(root, d, "vfio-pci");
		if (r < 0) {
			fail(err, r, "%s: cannot set driver_override: %s", d->name, strerror(-r));
			break;
		}
		r = unbind_current(root, d);
		if (r < 0) {
			fail(err, r, "%s: cannot unbind it from %s: %s", d->name, u->driver, strerror(-r));
			break;
		}
		r = probe(root, d);
		if (r < 0 && r != -ENODEV && r != -EINVAL) {
			fail(err, r, "%s: drivers_probe failed: %s", d->name, strerror(-r));
			break;
		}
		if (!wait_for_driver(root, d, "vfio-pci")) {
			r = fail(err, -EIO,
				 "%s: did not bind to vfio-pci (see the kernel log: 'dmesg | grep %s')",
				 d->name, d->name);
			break;
		}
		r = 0;
	}
	if (r == 0) {
		for (int i = 0; i < n; i++) {
			free(devs[i]->driver);
			devs[i]->driver = strdup("vfio-pci");
		}
		return 0;
	}
	/* Back to how it was, last touched first. */
	for (int i = done - 1; i >= 0; i--) {
		char path[PATH_MAX];

		restore(root, &undo[i]);
		state_path(undo[i].dev, path, sizeof(path));
		sysroot_unlink(root, path);
	}
	return r;
}

int release_from_vfio(const struct sysroot *root, struct pci_dev **devs, int n,
		      struct bind_error *err)
{
	_cleanup_free_ struct undo *undo = calloc((size_t)n + 1, sizeof(*undo));
	int done = 0, r = 0;

	if (!undo)
		return fail(err, -ENOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		struct pci_dev *d = devs[i];
		struct undo *u = &undo[done];
		_cleanup_free_ char *prev = NULL;

		u->dev = d;
		current_driver(root, d, u->driver, sizeof(u->driver));
		current_override(root, d, u->override, sizeof(u->override));
		if (!streq(u->driver, "vfio-pci") && !streq(u->override, "vfio-pci"))
			continue;
		done++;
		prev = bind_remembered_driver(root, d);
		r = set_override(root, d, "");
		if (r < 0) {
			fail(err, r, "%s: cannot clear driver_override: %s", d->name, strerror(-r));
			break;
		}
		r = unbind_current(root, d);
		if (r < 0) {
			fail(err, r, "%s: cannot unbind it from vfio-pci: %s", d->name, strerror(-r));
			break;
		}
		/* The driver it had, if it is still there; otherwise the kernel's choice. */
		if (prev) {
			char path[PATH_MAX];

			snprintf(path, sizeof(path), "sys/bus/pci/drivers/%s", prev);
			if (!sysroot_exists(root, path) || bind_to(root, d, prev) < 0)
				probe(root, d);
		} else {
			probe(root, d);
		}
		if (!wait_for_driver(root, d, prev)) {
			if (prev)
				r = fail(err, -EIO, "%s: did not go back to %s (see 'dmesg | grep %s')",
					 d->name, prev, d->name);
			else
				r = fail(err, -EIO, "%s: still on vfio-pci", d->name);
			break;
		}
	}
	if (r == 0) {
		for (int i = 0; i < done; i++) {
			char path[PATH_MAX];

			state_path(undo[i].dev, path, sizeof(path));
			sysroot_unlink(root, path);
		}
		return 0;
	}
	for (int i = done - 1; i >= 0; i--)
		restore(root, &undo[i]);
	return r;
}
