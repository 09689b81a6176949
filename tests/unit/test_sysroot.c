// SPDX-License-Identifier: GPL-2.0
/* sysroot: path resolution stays inside the root and follows links as the kernel's. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysroot.h"
#include "unit.h"

static char top[256];

static void mk(const char *path)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", top, path);
	if (system(cmd) != 0)
		abort();
}

static void ln(const char *target, const char *path)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", top, path);
	if (symlink(target, p) < 0)
		abort();
}

static void put(const char *path, const char *text)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", top, path);
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void check_resolve(struct sysroot *r, const char *path, int want_err, const char *want)
{
	char *out = NULL;
	int e = sysroot_resolve(r, path, &out);

	CHECK(e == want_err, "resolve %s: %d, want %d", path, e, want_err);
	if (e == 0 && want)
		CHECK(strcmp(out, want) == 0, "resolve %s: %s, want %s", path, out, want);
	free(out);
}

int main(void)
{
	struct sysroot r;
	char buf[64], *all = NULL;
	unsigned long v;

	snprintf(top, sizeof(top), "/tmp/test_sysroot.XXXXXX");
	if (!mkdtemp(top))
		return 2;
	mk("sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0");
	mk("sys/bus/pci/devices");
	mk("sys/bus/pci/drivers/nouveau");
	ln("../../../devices/pci0000:00/0000:00:03.1/0000:0a:00.0", "sys/bus/pci/devices/0000:0a:00.0");
	ln("../../../../bus/pci/drivers/nouveau", "sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0/driver");
	put("sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0/vendor", "0x10de\n");
	put("sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0/numa", "-1\n");
	put("sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0/bad", "12abc\n");
	ln("/sys/devices", "abs");			/* absolute: taken as rooted at the root */
	ln("../../../../../../../../etc", "sys/escape");	/* ".." stops at the root */
	ln("loop2", "sys/loop1");
	ln("loop1", "sys/loop2");
	ln("missing", "sys/dangling");

	CHECK(sysroot_open(&r, "/nonexistent-root") == -ENOENT, "open of a missing root");
	CHECK(sysroot_open(&r, top) == 0, "open %s", top);

	check_resolve(&r, "sys/bus/pci/devices/0000:0a:00.0", 0,
		      "sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0");
	check_resolve(&r, "/sys/bus/pci/devices/0000:0a:00.0/driver", 0, "sys/bus/pci/drivers/nouveau");
	check_resolve(&r, "abs/pci0000:00", 0, "sys/devices/pci0000:00");
	check_resolve(&r, "sys/escape", -ENOENT, NULL);
	check_resolve(&r, "sys/loop1", -ELOOP, NULL);
	check_resolve(&r, "sys/dangling", -ENOENT, NULL);
	check_resolve(&r, "sys/./bus/../bus//pci", 0, "sys/bus/pci");
	check_resolve(&r, "..", 0, ".");
	{
		char *t = NULL;

		CHECK(sysroot_link_target(&r, "sys/bus/pci/devices/0000:0a:00.0", &t) == 0 && t &&
			      strcmp(t, "sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0") == 0,
		      "link target: %s", t ? t : "(null)");
		free(t);
		t = NULL;
		CHECK(sysroot_link_target(&r, "sys/escape", &t) == 0 && t && strcmp(t, "etc") == 0,
		      "link target clamps at the root: %s", t ? t : "(null)");
		free(t);
		t = NULL;
		CHECK(sysroot_link_target(&r, "sys/bus", &t) == -EINVAL, "not a link");
		free(t);
	}

	CHECK(sysroot_read(&r, "sys/bus/pci/devices/0000:0a:00.0/vendor", buf, sizeof(buf)) == 6 &&
		      strcmp(buf, "0x10de") == 0, "read strips the newline: '%s'", buf);
	CHECK(sysroot_read(&r, "sys/nothing", buf, sizeof(buf)) == -ENOENT, "read of a missing file");
	CHECK(sysroot_read(&r, "sys/bus", buf, sizeof(buf)) == -EISDIR, "read of a directory");
	CHECK(sysroot_read_ulong(&r, "sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0/vendor", &v) == 0 &&
		      v == 0x10de, "hex attribute: %lx", v);
	CHECK(sysroot_read_ulong(&r, "sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0/bad", &v) == -EINVAL,
	      "garbage is -EINVAL");
	CHECK(sysroot_link_name(&r, "sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0/driver", buf,
				sizeof(buf)) == 0 && strcmp(buf, "nouveau") == 0, "link name '%s'", buf);
	CHECK(sysroot_read_all(&r, "sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0/vendor", &all) == 7 &&
		      strcmp(all, "0x10de\n") == 0, "read_all keeps the content");
	free(all);
	CHECK(path_join(buf, 8, "abc", "def") == 0 && strcmp(buf, "abc/def") == 0, "join fits");
	CHECK(path_join(buf, 7, "abc", "def") == -ENAMETOOLONG, "join too long");
	sysroot_close(&r);

	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		if (system(cmd) != 0)
			return 2;
	}
	return unit_summary("test_sysroot");
}
