// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for the kernel behind a fixture tree, loaded with LD_PRELOAD
 * into the real vfio-claim binary (as libvirt's tests/virpcimock.c does):
 * writes to driver_override, a driver's bind/unbind and the bus's
 * drivers_probe under $VFIO_CLAIM_MOCK_ROOT move the `driver` links the
 * way the kernel would, and every such write is logged to
 * $VFIO_CLAIM_MOCK_LOG as "path: value", so tests can assert the exact
 * sequence. $VFIO_CLAIM_MOCK_REFUSE lists addresses that vfio-pci refuses,
 * to exercise rollback.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static ssize_t (*real_write)(int, const void *, size_t);

static const char *root(void)
{
	return getenv("VFIO_CLAIM_MOCK_ROOT");
}

static void log_write(const char *rel, const char *value)
{
	const char *path = getenv("VFIO_CLAIM_MOCK_LOG");
	FILE *f;

	if (!path || !(f = fopen(path, "a")))
		return;
	fprintf(f, "%s: %s\n", rel, value[0] ? value : "<newline>");
	fclose(f);
}

/* The device directory of addr, relative to ROOT/sys ("devices/pci0000:00/..."). */
static int device_dir(const char *addr, char *out, size_t size)
{
	char link[PATH_MAX], real[PATH_MAX], sys[PATH_MAX];

	snprintf(link, sizeof(link), "%s/sys/bus/pci/devices/%s", root(), addr);
	snprintf(sys, sizeof(sys), "%s/sys/", root());
	if (!realpath(sys, real))
		return -1;
	snprintf(sys, sizeof(sys), "%s/", real);
	if (!realpath(link, real) || strncmp(real, sys, strlen(sys)) != 0)
		return -1;
	snprintf(out, size, "%s", real + strlen(sys));
	return 0;
}

static int depth(const char *rel)
{
	int n = 1;

	for (const char *p = rel; *p; p++)
		n += *p == '/';
	return n;
}

static int current_driver(const char *dev, char *out, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	char *base;

	snprintf(path, sizeof(path), "%s/sys/%s/driver", root(), dev);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(out, size, "%s", base ? base + 1 : target);
	return 0;
}

static void read_override(const char *dev, char *out, size_t size)
{
	char path[PATH_MAX];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/sys/%s/driver_override", root(), dev);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(out, (int)size, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
	if (strcmp(out, "(null)") == 0)
		out[0] = '\0';
}

static void native_path(const char *addr, char *out, size_t size)
{
	snprintf(out, size, "%s/.mock-native-%s", root(), addr);
}

static int do_unbind(const char *driver, const char *addr)
{
	char dev[PATH_MAX], now[NAME_MAX + 1], path[PATH_MAX];
	FILE *f;

	if (device_dir(addr, dev, sizeof(dev)) < 0 || current_driver(dev, now, sizeof(now)) < 0 ||
	    strcmp(now, driver) != 0) {
		errno = ENODEV;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/sys/%s/driver", root(), dev);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/drivers/%s/%s", root(), driver, addr);
	unlink(path);
	if (strcmp(driver, "vfio-pci") != 0) {
		/* What the kernel would pick again for it. */
		native_path(addr, path, sizeof(path));
		f = fopen(path, "w");
		if (f) {
			fputs(driver, f);
			fclose(f);
		}
	}
	return 0;
}

static int do_bind(const char *driver, const char *addr)
{
	char dev[PATH_MAX], now[NAME_MAX + 1], over[NAME_MAX + 1], path[PATH_MAX], target[PATH_MAX];
	const char *refuse = getenv("VFIO_CLAIM_MOCK_REFUSE");
	size_t len = 0;
	int up;

	if (device_dir(addr, dev, sizeof(dev)) < 0) {
		errno = ENODEV;
		return -1;
	}
	if (current_driver(dev, now, sizeof(now)) == 0) {
		errno = EBUSY;
		return -1;
	}
	read_override(dev, over, sizeof(over));
	if ((over[0] && strcmp(over, driver) != 0) ||
	    (strcmp(driver, "vfio-pci") == 0 && refuse && strstr(refuse, addr))) {
		errno = ENODEV;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/sys/bus/pci/drivers/%s", root(), driver);
	if (access(path, F_OK) < 0) {
		errno = ENODEV;
		return -1;
	}
	up = depth(dev) - 1;
	for (int i = 0; i < up; i++)
		len += (size_t)snprintf(target + len, sizeof(target) - len, "../");
	snprintf(target + len, sizeof(target) - len, "bus/pci/drivers/%s", driver);
	snprintf(path, sizeof(path), "%s/sys/%s/driver", root(), dev);
	if (symlink(target, path) < 0)
		return -1;
	snprintf(target, sizeof(target), "../../../../%s", dev);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/drivers/%s/%s", root(), driver, addr);
	return symlink(target, path);
}

static int do_probe(const char *addr)
{
	char dev[PATH_MAX], now[NAME_MAX + 1], over[NAME_MAX + 1], path[PATH_MAX], native[NAME_MAX + 1] = "";
	FILE *f;

	if (device_dir(addr, dev, sizeof(dev)) < 0) {
		errno = ENODEV;
		return -1;
	}
	if (current_driver(dev, now, sizeof(now)) == 0)
		return 0;
	read_override(dev, over, sizeof(over));
	if (over[0]) {
		do_bind(over, addr);	/* a refusal leaves it unbound, as the kernel does */
		return 0;
	}
	native_path(addr, path, sizeof(path));
	f = fopen(path, "r");
	if (f) {
		if (fgets(native, sizeof(native), f))
			do_bind(native, addr);
		fclose(f);
	}
	return 0;
}

ssize_t write(int fd, const void *buf, size_t count)
{
	char link[64], path[PATH_MAX], value[256], top[PATH_MAX];
	const char *rel, *r = root();
	ssize_t n;

	if (!real_write)
		real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (!r || n < 0 || !realpath(r, top))
		return real_write(fd, buf, count);
	path[n] = '\0';
	if (strncmp(path, top, strlen(top)) != 0 || path[strlen(top)] != '/')
		return real_write(fd, buf, count);
	rel = path + strlen(top) + 1;
	if (strncmp(rel, "sys/", 4) != 0)
		return real_write(fd, buf, count);

	snprintf(value, sizeof(value), "%.*s", (int)(count < sizeof(value) ? count : sizeof(value) - 1),
		 (const char *)buf);
	value[strcspn(value, "\n")] = '\0';
	log_write(rel, value);

	{
		size_t len = strlen(rel);
		const char *slash;

		if (len > 16 && strcmp(rel + len - 16, "/driver_override") == 0) {
			/* Writing a newline clears it; reading gives "(null)" then. */
			const char *text = value[0] ? value : "(null)";

			if (real_write(fd, text, strlen(text)) < 0 || real_write(fd, "\n", 1) < 0)
				return -1;
			return (ssize_t)count;
		}
		if (strcmp(rel, "sys/bus/pci/drivers_probe") == 0)
			return do_probe(value) < 0 ? -1 : (ssize_t)count;
		if (strncmp(rel, "sys/bus/pci/drivers/", 20) == 0 && (slash = strchr(rel + 20, '/'))) {
			char driver[NAME_MAX + 1];

			snprintf(driver, sizeof(driver), "%.*s", (int)(slash - rel - 20), rel + 20);
			if (strcmp(slash, "/unbind") == 0)
				return do_unbind(driver, value) < 0 ? -1 : (ssize_t)count;
			if (strcmp(slash, "/bind") == 0)
				return do_bind(driver, value) < 0 ? -1 : (ssize_t)count;
		}
		/* A device's driver/unbind, reached through the driver link. */
	}
	return real_write(fd, buf, count);
}
