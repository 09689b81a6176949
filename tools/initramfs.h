/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An initramfs image read in memory with libarchive: the kernel's format,
 * concatenated newc cpio archives (early microcode uncompressed first, then
 * the main archive, compressed with gzip, xz, zstd, lz4, bzip2 or not at
 * all). What comes out is the listing (every member's name, type and link
 * target) and the content of the few members a caller keeps; nothing is
 * ever written to disk, so an image's symlinks, device nodes and setuid
 * files stay bytes in memory (issue 9 kind 1).
 *
 * A later member of the same name replaces an earlier one, as when the
 * kernel unpacks them. Names are normalised (no "./", no leading "/"); a
 * name with a ".." component is refused as hostile.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one image may cost; reading stops with -EFBIG past any of them. */
struct initramfs_limits {
	uint64_t max_unpacked;	/* bytes decompressed in all, headers and data */
	size_t max_member;	/* bytes of one kept member's content */
	size_t max_members;	/* entries in the listing */
};

/* The defaults: 1 GiB unpacked, 1 MiB per kept member, 262144 members. */
extern const struct initramfs_limits initramfs_default_limits;

struct initramfs_member {
	char *name;		/* normalised, "usr/lib/udev/rules.d/60-x.rules" */
	char *target;		/* a symlink's target, as stored */
	char *data;		/* a kept regular file's content, NUL-terminated */
	size_t size;		/* its size in the archive */
	unsigned int type;	/* S_IFREG, S_IFDIR, S_IFLNK... */
	unsigned int seq;	/* order in the image */
};

struct initramfs {
	struct initramfs_member *v;
	size_t n, cap;
	int archives;		/* cpio archives read, over every image */
	uint64_t unpacked;	/* bytes decompressed, over every image */
	bool compressed;	/* some archive was behind a compression filter */
	char error[200];	/* why reading failed: one line, no newline */
	/* Which members' content to keep: regular files under these prefixes. */
	const char *const *keep;
	struct initramfs_limits lim;
};

/*
 * Start an empty reader keeping regular files whose normalised name starts
 * with one of the NULL-terminated keep prefixes (may be NULL); lim may be
 * NULL for the defaults.
 */
void initramfs_init(struct initramfs *ir, const char *const *keep, const struct initramfs_limits *lim);

/*
 * Add the members of one image in memory (buf, len bytes), as the kernel
 * would read it. Returns 0; -EBADMSG for a malformed or truncated image,
 * -EFBIG past a limit, -ENOMEM; ir->error then says what in one line.
 */
int initramfs_read_mem(struct initramfs *ir, const void *buf, size_t len);

/*
 * Add the members of the image at fd (a regular file, read with mmap).
 * Errors as initramfs_read_mem, plus -EINVAL for something that is not a
 * regular file (a FIFO would hang) and -errno of fstat/mmap.
 */
int initramfs_read_fd(struct initramfs *ir, int fd);

/* Sort the listing and keep the last member of each name; call once after reading. */
void initramfs_finish(struct initramfs *ir);

void initramfs_free(struct initramfs *ir);

/*
 * The member at path, following the archive's own symlinks (at most 40),
 * as the booted initramfs would see it; NULL when there is none.
 */
const struct initramfs_member *initramfs_lookup(const struct initramfs *ir, const char *path);

/* Whether a kernel module NAME (.ko, maybe compressed; - and _ alike) is in the listing. */
bool initramfs_has_module(const struct initramfs *ir, const char *name);

/* Whether any member's name starts with prefix ("usr/lib/dracut/"). */
bool initramfs_has_prefix(const struct initramfs *ir, const char *prefix);
