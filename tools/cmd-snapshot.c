// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-claim snapshot DIR: copy the PCI and IOMMU part of this machine's
 * sysfs, and the /proc files the verdicts use, into DIR, laid out the same,
 * so that `vfio-claim --root DIR list` shows what `list` shows here. For bug
 * reports and test fixtures. Links are copied as the kernel made them
 * (relative), attributes as they read; nothing is written outside DIR, and
 * DIR appears only once it is complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "macro.h"
#include "vc_parse.h"
#include "command.h"

struct snap {
	const struct sysroot *src;
	int dst;
	int files, links, skipped;
};

/* Attributes that are binary blobs, write-only triggers, or slow to read. */
static bool skip_attr(const char *name)
{
	static const char *const skip[] = { "config", "rom", "vpd", "remove", "rescan", "reset",
					     "new_id", "remove_id", "bind", "unbind", "uevent_seqnum" };

	for (size_t i = 0; i < ARRAY_SIZE(skip); i++)
		if (streq(name, skip[i]))
			return true;
	return strncmp(name, "resource", 8) == 0;
}

static int mkdirs(int dst, const char *path)
{
	char buf[PATH_MAX];

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (char *p = buf; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (buf[0] && mkdirat(dst, buf, 0755) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

static int parent_dirs(int dst, const char *path)
{
	char buf[PATH_MAX];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	return mkdirs(dst, buf);
}

static int write_file(struct snap *s, const char *path, const char *data, size_t len)
{
	_cleanup_close_ int fd = -1;
	int r = parent_dirs(s->dst, path);

	if (r < 0)
		return r;
	fd = openat(s->dst, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* A full disk is ENOSPC, and says so; only a write that stalls is EIO. */
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		off += (size_t)w;
	}
	s->files++;
	return 0;
}

/* Copy one readable file; one that cannot be read (write-only, EIO...) is left out. */
static int copy_file(struct snap *s, const char *path)
{
	_cleanup_free_ char *data = NULL;
	int n = sysroot_read_all(s->src, path, &data);

	if (n < 0) {
		s->skipped++;
		DBG("%s: not copied: %s", path, strerror(-n));
		return 0;
	}
	return write_file(s, path, data, (size_t)n);
}

static int copy_link(struct snap *s, const char *path)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(s->src->fd, path, target, sizeof(target) - 1);
	int r;

	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	target[n] = '\0';
	r = parent_dirs(s->dst, path);
	if (r < 0)
		return r;
	if (symlinkat(target, s->dst, path) < 0 && errno != EEXIST)
		return -errno;
	s->links++;
	return 0;
}

typedef bool (*want_link_fn)(const char *name);

/* Copy a directory's readable attributes (not its subdirectories) and the links want_link keeps. */
static int copy_attrs(struct snap *s, const char *dir, want_link_fn want_link)
{
	DIR *d = sysroot_opendir(s->src, dir);
	struct dirent *ent;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	r = mkdirs(s->dst, dir);
	while (r == 0 && (ent = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (ent->d_name[0] == '.')
			continue;
		if (path_join(path, sizeof(path), dir, ent->d_name) < 0)
			return -ENAMETOOLONG;
		if (fstatat(s->src->fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			if (want_link && want_link(ent->d_name))
				r = copy_link(s, path);
		} else if (S_ISREG(st.st_mode) && (st.st_mode & 0444) && !skip_attr(ent->d_name)) {
			r = copy_file(s, path);
		}
	}
	closedir(d);
	return r;
}

static bool device_link(const char *name)
{
	return streq(name, "driver") || streq(name, "iommu_group") || streq(name, "subsystem") ||
	       streq(name, "physfn") || strncmp(name, "virtfn", 6) == 0;
}

static bool any_link(const char *name)
{
	(void)name;
	return true;
}

typedef int (*entry_fn)(struct snap *s, const char *dir, const char *name);

static int for_each_entry(struct snap *s, const char *dir, entry_fn fn)
{
	DIR *d = sysroot_opendir(s->src, dir);
	struct dirent *ent;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (r == 0 && (ent = readdir(d)))
		if (ent->d_name[0] != '.')
			r = fn(s, dir, ent->d_name);
	closedir(d);
	return r;
}

/* A symlink (dir/name) and the directory it points to, with attrs. */
static int copy_link_and_target(struct snap *s, const char *dir, const char *name,
				want_link_fn want_link)
{
	_cleanup_free_ char *target = NULL;
	char path[PATH_MAX];
	int r;

	if (path_join(path, sizeof(path), dir, name) < 0)
		return -ENAMETOOLONG;
	r = copy_link(s, path);
	if (r < 0)
		return r;
	if (sysroot_resolve(s->src, path, &target) < 0)
		return 0;
	return copy_attrs(s, target, want_link);
}

static int pci_device(struct snap *s, const char *dir, const char *name)
{
	return copy_link_and_target(s, dir, name, device_link);
}

static int modules_wanted(struct snap *s, const char *name)
{
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "sys/module/%s", name);
	if (!sysroot_exists(s->src, path))
		return 0;
	r = copy_attrs(s, path, NULL);
	if (r == 0) {
		snprintf(path, sizeof(path), "sys/module/%s/parameters", name);
		r = copy_attrs(s, path, NULL);
	}
	return r;
}

static int driver_entry(struct snap *s, const char *dir, const char *name)
{
	struct vc_pci_addr a;
	char path[PATH_MAX];

	if (path_join(path, sizeof(path), dir, name) < 0)
		return -ENAMETOOLONG;
	if (!vc_parse_addr(name, strlen(name), &a))
		return copy_link(s, path);
	if (streq(name, "module")) {
		char mod[NAME_MAX + 1];
		int r = copy_link(s, path);

		if (r == 0 && sysroot_link_name(s->src, path, mod, sizeof(mod)) == 0)
			r = modules_wanted(s, mod);
		return r;
	}
	/* The write-only files bind and unbind exercise; empty, for tests to inspect. */
	if (streq(name, "bind") || streq(name, "unbind") || streq(name, "new_id") ||
	    streq(name, "remove_id"))
		return write_file(s, path, "", 0);
	return 0;
}

static int pci_driver(struct snap *s, const char *dir, const char *name)
{
	char path[PATH_MAX];
	int r;

	r = path_join(path, sizeof(path), dir, name);
	if (r == 0)
		r = mkdirs(s->dst, path);
	if (r == 0)
		r = for_each_entry(s, path, driver_entry);
	return r;
}

static int iommu_group(struct snap *s, const char *dir, const char *name)
{
	char path[PATH_MAX];
	int r;

	if (path_join(path, sizeof(path), dir, name) < 0)
		return -ENAMETOOLONG;
	r = copy_attrs(s, path, NULL);
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/%s/devices", dir, name);
		r = copy_attrs(s, path, any_link);
	}
	return r;
}

static bool block_link(const char *name)
{
	(void)name;
	return false;
}

static int block_device(struct snap *s, const char *dir, const char *name)
{
	_cleanup_free_ char *target = NULL;
	char path[PATH_MAX];
	int r = copy_link_and_target(s, dir, name, block_link);

	if (r < 0)
		return r;
	if (path_join(path, sizeof(path), dir, name) < 0)
		return -ENAMETOOLONG;
	if (sysroot_resolve(s->src, path, &target) < 0)
		return 0;
	/* device-mapper and md: the slaves lead to the disks and their controllers */
	snprintf(path, sizeof(path), "%s/slaves", target);
	r = copy_attrs(s, path, any_link);
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/dm", target);
		r = copy_attrs(s, path, NULL);
	}
	return r;
}

static int dev_block(struct snap *s, const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (path_join(path, sizeof(path), dir, name) < 0)
		return -ENAMETOOLONG;
	return copy_link(s, path);
}

static int net_device(struct snap *s, const char *dir, const char *name)
{
	return copy_link_and_target(s, dir, name, NULL);
}

static int take_snapshot(struct snap *s)
{
	static const char *const modules[] = { "vfio_claim", "vfio_pci", "vfio_pci_core", "vfio",
					       "vfio_iommu_type1", "pcieport" };
	/* cpuinfo picks intel_iommu or amd_iommu; interrupts shows interrupt remapping. */
	static const char *const files[] = { "proc/cmdline", "proc/self/mountinfo", "proc/swaps",
					     "proc/cpuinfo", "proc/interrupts",
					     "sys/bus/pci/drivers_autoprobe" };
	int r;

	if ((r = for_each_entry(s, "sys/bus/pci/devices", pci_device)) < 0 ||
	    (r = for_each_entry(s, "sys/bus/pci/drivers", pci_driver)) < 0 ||
	    (r = mkdirs(s->dst, "sys/kernel/iommu_groups")) < 0 ||
	    (r = for_each_entry(s, "sys/kernel/iommu_groups", iommu_group)) < 0 ||
	    (r = for_each_entry(s, "sys/class/block", block_device)) < 0 ||
	    (r = for_each_entry(s, "sys/dev/block", dev_block)) < 0 ||
	    (r = for_each_entry(s, "sys/class/net", net_device)) < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(modules); i++)
		if ((r = modules_wanted(s, modules[i])) < 0)
			return r;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if ((r = copy_file(s, files[i])) < 0)
			return r;
	/* Write-only triggers bind tests inspect. */
	if ((r = write_file(s, "sys/bus/pci/drivers_probe", "", 0)) < 0 ||
	    (r = write_file(s, "sys/bus/pci/rescan", "", 0)) < 0)
		return r;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int run_snapshot(struct context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{},
	};
	char partial[PATH_MAX];
	struct snap s = { 0 };
	const char *dir;
	struct stat st;
	int c, code = 0, r;

	while ((c = getopt_long(argc, argv, GLOBAL_SHORT_OPTIONS, options, NULL)) != -1)
		if (handle_global_option(ctx, &cmd_snapshot, c, &code) < 0)
			return code;
	if (argc - optind != 1)
		return usage_error(&cmd_snapshot, "snapshot takes one directory");
	dir = argv[optind];
	if (stat(dir, &st) == 0) {
		DIR *d = opendir(dir);
		struct dirent *ent;
		bool empty = true;

		while (d && (ent = readdir(d)))
			if (!streq(ent->d_name, ".") && !streq(ent->d_name, ".."))
				empty = false;
		if (d)
			closedir(d);
		if (!S_ISDIR(st.st_mode) || !empty) {
			ERR("%s: exists and is not an empty directory; name a new one", dir);
			return EXIT_USAGE;
		}
	}
	code = context_open_root(ctx);
	if (code)
		return code;

	snprintf(partial, sizeof(partial), "%s.partial.%d", dir, (int)getpid());
	if (mkdir(partial, 0755) < 0) {
		r = -errno;
		ERR("%s: cannot create: %s", partial, strerror(-r));
		return exit_code_for(r);
	}
	s.src = &ctx->root;
	s.dst = open(partial, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = s.dst < 0 ? -errno : take_snapshot(&s);
	if (s.dst >= 0)
		close(s.dst);
	if (r == 0 && rename(partial, dir) < 0)
		r = -errno;
	if (r < 0) {
		ERR("%s: snapshot failed: %s; nothing was left behind", dir, strerror(-r));
		nftw(partial, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		return exit_code_for(r);
	}
	if (ctx->json) {
		printf("{\n  \"directory\": \"%s\",\n  \"files\": %d,\n  \"links\": %d,\n  \"unreadable\": %d\n}\n",
		       dir, s.files, s.links, s.skipped);
	} else {
		printf("%s: %d files and %d links; attach it to a bug report or inspect it with 'vfio-claim --root %s list'\n",
		       dir, s.files, s.links, dir);
	}
	return EXIT_OK;
}

const struct command cmd_snapshot = {
	.name = "snapshot",
	.run = run_snapshot,
	.summary = "copy this machine's PCI and IOMMU sysfs into a directory",
	.usage = "snapshot DIR\n"
		 "\n"
		 "Copy the PCI and IOMMU part of sysfs (device attributes, driver and iommu_group\n"
		 "links, kernel/iommu_groups, drivers, the block and network links the verdicts use)\n"
		 "and /proc/cmdline, mountinfo, swaps, cpuinfo and interrupts into DIR, laid out as on\n"
		 "the machine, so that 'vfio-claim --root DIR list' shows what 'list' shows here.\n"
		 "DIR must not exist or be empty; it appears only once the copy is complete.\n",
};
