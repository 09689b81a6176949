/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every host path the tool touches (/sys, /proc, /etc, /lib/modules, /run,
 * /dev, /boot) goes through this layer, which resolves it under a root
 * directory: "/" on a live system, a fixture or snapshot tree with --root.
 * Paths are given without the leading slash ("sys/bus/pci/devices").
 * Symlinks are followed inside the root, so a tree's relative links
 * (as the kernel makes them) resolve the same as on the machine.
 *
 * Functions return >= 0 or -errno and print nothing.
 */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>

struct sysroot {
	int fd;		/* the root directory */
	char *path;	/* as given, for messages */
};

int sysroot_open(struct sysroot *root, const char *dir);
void sysroot_close(struct sysroot *root);

/* Read a small attribute into buf, NUL-terminated, trailing newlines removed. Returns its length. */
int sysroot_read(const struct sysroot *root, const char *path, char *buf, size_t size);
/* Read a whole file into a malloc'd, NUL-terminated buffer. */
int sysroot_read_all(const struct sysroot *root, const char *path, char **out);
/* Parse an attribute holding a number ("0x10de", "-1", "16"). */
int sysroot_read_ulong(const struct sysroot *root, const char *path, unsigned long *value);
/* The last path component a symlink points to ("nouveau" for .../drivers/nouveau). */
int sysroot_link_name(const struct sysroot *root, const char *path, char *buf, size_t size);
/*
 * Resolve path to its canonical root-relative form, following every symlink
 * inside the root ("sys/bus/pci/devices/0000:0a:00.0" ->
 * "sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0"). -ENOENT when a
 * component is missing.
 */
int sysroot_resolve(const struct sysroot *root, const char *path, char **out);
bool sysroot_exists(const struct sysroot *root, const char *path);
DIR *sysroot_opendir(const struct sysroot *root, const char *path);
/* Write value to an existing attribute, as one write(2). */
int sysroot_write(const struct sysroot *root, const char *path, const char *value);

/* "dir/name" into buf; -ENAMETOOLONG when it does not fit. */
int path_join(char *buf, size_t size, const char *dir, const char *name);

/*
 * Where the symlink at path points, as a root-relative path, normalised
 * lexically: one readlink instead of sysroot_resolve's walk. For links whose
 * targets hold no further links, such as sys/bus/pci/devices/ entries.
 */
int sysroot_link_target(const struct sysroot *root, const char *path, char **out);
