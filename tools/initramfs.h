/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The initramfs the next boot will use, unpacked to a temporary directory
 * with the distribution's own tool (unmkinitramfs, which handles early
 * microcode archives and every compressor), so that verify can compare
 * what it holds with /etc.
 */
#pragma once

#include <stdbool.h>

#include "sysroot.h"

struct initramfs {
	char image[256];	/* root-relative, "boot/initrd.img-KVER" */
	char dir[64];		/* where it was unpacked */
};

/* -ENOENT: no image for kver; -ENOEXEC: no unmkinitramfs; -EIO: it could not be unpacked. */
int initramfs_open(const struct sysroot *root, const char *kver, struct initramfs *ir);
void initramfs_close(struct initramfs *ir);
/* The unpacked path of a file (root-relative inside the image), malloc'd, or NULL. */
char *initramfs_path(const struct initramfs *ir, const char *rel);
/* Whether a kernel module NAME (.ko, maybe compressed) is in the image, under any directory. */
bool initramfs_has_module(const struct initramfs *ir, const char *name);
