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
	/* Opens stay inside the root, with openat2 and with the walk that replaces it. */
	mk("etc");
	put("etc/inside", "in\n");
	ln("/etc/inside", "sys/abs-file");
	ln("../../../../../../../etc/inside", "sys/up-file");
	ln("/", "sys/slash");
	{
		char p[1024];

		snprintf(p, sizeof(p), "%s/etc/fifo", top);
		if (mkfifo(p, 0600) < 0)
			abort();
	}
	for (int walk = 0; walk < 2; walk++) {
		const char *how = walk ? "walk" : "openat2";
		struct stat st;
		int fd;

		if (walk)
			setenv("VFIO_CLAIM_NO_OPENAT2", "1", 1);
		CHECK(sysroot_read(&r, "sys/abs-file", buf, sizeof(buf)) == 2 && strcmp(buf, "in") == 0,
		      "%s: an absolute link is rooted at the root: '%s'", how, buf);
		CHECK(sysroot_read(&r, "sys/up-file", buf, sizeof(buf)) == 2, "%s: '..' stops at the root", how);
		CHECK(sysroot_read(&r, "sys/slash/etc/inside", buf, sizeof(buf)) == 2,
		      "%s: a link to / is the root", how);
		CHECK(sysroot_read(&r, "../../../../etc/inside", buf, sizeof(buf)) == 2,
		      "%s: a leading '..' stays in", how);
		CHECK(sysroot_read(&r, "etc/fifo", buf, sizeof(buf)) == -SYSROOT_ENOTREG,
		      "%s: a FIFO is refused, not waited on", how);
		CHECK(sysroot_read_all(&r, "etc/fifo", &all) == -SYSROOT_ENOTREG, "%s: read_all of a FIFO", how);
		CHECK(sysroot_write(&r, "etc/fifo", "x") == -SYSROOT_ENOTREG, "%s: write to a FIFO", how);
		CHECK(sysroot_read_capped(&r, "etc/inside", 2, &all) == -EFBIG, "%s: the cap", how);
		fd = sysroot_openat(&r, "sys/abs-file", O_RDONLY | O_NOFOLLOW, 0);
		CHECK(fd == -ELOOP, "%s: O_NOFOLLOW on a last link: %d", how, fd);
		fd = sysroot_openat(&r, "sys/abs-file", O_WRONLY | O_CREAT | O_EXCL, 0600);
		CHECK(fd == -EEXIST, "%s: O_EXCL does not create through a link: %d", how, fd);
		fd = sysroot_openat(&r, "sys/slash/etc/new", O_WRONLY | O_CREAT | O_EXCL, 0600);
		CHECK(fd >= 0, "%s: create through an inside link: %d", how, fd);
		if (fd >= 0)
			close(fd);
		CHECK(sysroot_lstat(&r, "sys/slash/etc/new", &st) == 0 && S_ISREG(st.st_mode), "%s: created", how);
		CHECK(sysroot_unlink(&r, "sys/slash/etc/new") == 0, "%s: unlink", how);
		CHECK(sysroot_mkdirs(&r, "sys/slash/var/lib/x", 0755) == 0 &&
			      sysroot_lstat(&r, "var/lib/x", &st) == 0 && S_ISDIR(st.st_mode),
		      "%s: mkdirs through an inside link", how);
		CHECK(sysroot_readlink(&r, "sys/abs-file", buf, sizeof(buf)) == 11, "%s: readlink", how);
		{
			char cmd[1100];

			snprintf(cmd, sizeof(cmd), "rm -rf '%s/var'", top);
			if (system(cmd) != 0)
				abort();
		}
		unsetenv("VFIO_CLAIM_NO_OPENAT2");
	}
	{
		char host[4096];

		CHECK(sysroot_host_path(&r, "sys/abs-file", host, sizeof(host)) == -EXDEV,
		      "host path of a link that leaves on the host");
		CHECK(sysroot_host_path(&r, "etc/inside", host, sizeof(host)) == 0, "host path inside");
	}
	{
		int fd = open("/dev/full", O_WRONLY);
		char suffix[17];

		CHECK(fd < 0 || write_all(fd, "x", 1) == -ENOSPC, "a full disk is ENOSPC");
		if (fd >= 0)
			close(fd);
		CHECK(random_suffix(suffix, sizeof(suffix)) == 0 && strlen(suffix) == 16, "random suffix");
	}
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
