/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every host path the tool touches (/sys, /proc, /etc, /lib/modules, /run,
 * /dev, /boot) goes through this layer, which resolves it under a root
 * directory: "/" on a live system, a fixture or snapshot tree with --root.
 * Paths are given without the leading slash ("sys/bus/pci/devices").
 * Symlinks are followed inside the root, so a tree's relative links
 * (as the kernel makes them) resolve the same as on the machine, and no
 * link or ".." can lead out of it: an absolute link is taken as rooted at
 * the root and ".." stops there. Opens use openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) (Linux 5.6); where the kernel lacks it (ENOSYS),
 * or VFIO_CLAIM_NO_OPENAT2=1 asks (tests), an equivalent walk resolves the
 * path with sysroot_resolve and opens it one component at a time with
 * O_NOFOLLOW. Reads take regular files only (a FIFO or device node is
 * refused, not waited on) and at most SYSROOT_READ_MAX bytes.
 *
 * Functions return >= 0 or -errno and print nothing.
 */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* A file that must be a regular one is a FIFO, socket or device node (errno value; sysroot_strerror names it). */
#define SYSROOT_ENOTREG EBADFD
/* The most sysroot_read_all takes: more is -EFBIG. /proc/interrupts of a big machine is a few MB. */
#define SYSROOT_READ_MAX (16u << 20)
#define SYSROOT_READ_MAX_TEXT "16 MiB"

struct sysroot {
	int fd;		/* the root directory */
	char *path;	/* as given, for messages */
};

int sysroot_open(struct sysroot *root, const char *dir);
void sysroot_close(struct sysroot *root);

/*
 * Open path under the root (flags as openat(2), O_CLOEXEC added; O_NOFOLLOW
 * and O_EXCL act on the last component). Returns the fd or -errno.
 */
int sysroot_openat(const struct sysroot *root, const char *path, int flags, mode_t mode);
/* An O_PATH fd of the directory holding path's last component (resolved inside the root); *name is that component. -EINVAL for the root itself. */
int sysroot_open_parent(const struct sysroot *root, const char *path, const char **name);
/* lstat(2) of path: its directory resolved inside the root, the last component not followed. */
int sysroot_lstat(const struct sysroot *root, const char *path, struct stat *st);
/* readlink(2) of path into buf (NUL-terminated); returns the length, -ENAMETOOLONG when it does not fit. */
int sysroot_readlink(const struct sysroot *root, const char *path, char *buf, size_t size);
/* mkdir(2) of path's last component inside the root; -EEXIST as mkdir gives it. */
int sysroot_mkdir(const struct sysroot *root, const char *path, mode_t mode);
/* mkdir -p inside the root; 0 when path ends up a directory (links to directories inside the root count). */
int sysroot_mkdirs(const struct sysroot *root, const char *path, mode_t mode);
/* unlink(2) of path's last component (a link itself, never its target). */
int sysroot_unlink(const struct sysroot *root, const char *path);

/* Read a small attribute into buf, NUL-terminated, trailing newlines removed. Returns its length. */
int sysroot_read(const struct sysroot *root, const char *path, char *buf, size_t size);
/* Read a whole regular file into a malloc'd, NUL-terminated buffer; returns its length, -EFBIG past SYSROOT_READ_MAX. */
int sysroot_read_all(const struct sysroot *root, const char *path, char **out);
/* The same with a cap of cap_bytes. */
int sysroot_read_capped(const struct sysroot *root, const char *path, size_t cap_bytes, char **out);
/* strerror(-r), with words for SYSROOT_ENOTREG and the read cap. */
const char *sysroot_strerror(int r);
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
/* Write value to an existing attribute (a regular file; a FIFO or device is -SYSROOT_ENOTREG), as one write(2). */
int sysroot_write(const struct sysroot *root, const char *path, const char *value);

/* "dir/name" into buf; -ENAMETOOLONG when it does not fit. */
int path_join(char *buf, size_t size, const char *dir, const char *name);

/*
 * Where the symlink at path points, as a root-relative path, normalised
 * lexically: one readlink instead of sysroot_resolve's walk. For links whose
 * targets hold no further links, such as sys/bus/pci/devices/ entries.
 */
int sysroot_link_target(const struct sysroot *root, const char *path, char **out);

/* Write all of data to fd, retrying short writes; -errno (-ENOSPC for a full disk, never -EIO for it). */
int write_all(int fd, const void *data, size_t len);
/* 16 random hex digits and a NUL into buf (size >= 17), for names of temporary files. */
int random_suffix(char *buf, size_t size);

/*
 * For a library that opens host paths itself (libkmod): path's host name
 * under the root, after checking that the host's own lookup of it reaches
 * the same file as the in-root one (a link out of the tree is -EXDEV).
 */
int sysroot_host_path(const struct sysroot *root, const char *path, char *out, size_t size);
/*
 * Before a library reads every file of dir: each entry (dot names aside;
 * only those starting with prefix unless it is NULL) is
 * a regular file or a directory, and a link lands on the host where it
 * lands in the root. -SYSROOT_ENOTREG or -EXDEV with bad set to "/PATH"; 0
 * for a missing dir.
 */
int sysroot_check_dir_files(const struct sysroot *root, const char *dir, const char *prefix,
			    char *bad, size_t bad_size);
