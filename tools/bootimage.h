/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which initramfs the next boot of a kernel uses, and which tool of the
 * distribution builds it, decided from what is in the root (FACTS.md
 * section 9): a Boot Loader Specification entry's initrd lines, a unified
 * kernel image, kernel-install's /boot/MACHINE-ID/KVER/initrd, the names
 * initramfs-tools, dracut and mkinitcpio give their images.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sysroot.h"

#define BOOTIMAGE_MAX 4

enum bootimage_kind {
	BOOTIMAGE_NONE,
	BOOTIMAGE_INITRAMFS,	/* one or more initrd files, loaded in order */
	BOOTIMAGE_UKI,		/* a unified kernel image: its .initrd section */
};

struct bootimage {
	enum bootimage_kind kind;
	int n;
	char image[BOOTIMAGE_MAX][256];	/* root-relative: "boot/initrd.img-KVER" */
	char why[256];			/* why these: "initramfs-tools' name for KVER" */
};

/*
 * Find the image(s) the next boot of kver loads. Returns 0, or -ENOENT
 * with image[0] set to where initramfs-tools would have put it.
 */
int bootimage_find(const struct sysroot *root, const char *kver, struct bootimage *bi);

/*
 * The .initrd section of a unified kernel image (a PE file with .linux and
 * .initrd sections) in buf: its offset and size. -ENOEXEC when buf is not
 * a PE file with both sections, -EBADMSG when the section lies outside it.
 */
int bootimage_uki_initrd(const void *buf, size_t len, size_t *off, size_t *size);

enum initramfs_tool_kind {
	TOOL_NONE,
	TOOL_INITRAMFS_TOOLS,
	TOOL_DRACUT,
	TOOL_MKINITCPIO,
};

struct initramfs_tool {
	enum initramfs_tool_kind kind;
	const char *argv[6];	/* the command that rebuilds kver's image, NULL-terminated */
	char kver[128];		/* storage argv points into */
	char command[256];	/* argv as one shell line, for fixes */
	char why[128];		/* "/etc/kernel/postinst.d/initramfs-tools is installed" */
};

/*
 * The tool that builds kver's initramfs in this root: mkinitcpio where it is
 * installed, initramfs-tools where its kernel hook is, dracut where it is
 * installed, update-initramfs alone last. TOOL_NONE (and -ENOENT) when the
 * root has none of them; command then says so in words.
 */
int bootimage_tool(const struct sysroot *root, const char *kver, struct initramfs_tool *t);

struct initramfs;

/*
 * Read the image(s) of bi under root into ir (initramfs_init'd by the
 * caller), a unified kernel image's .initrd section included, and finish
 * the listing. Errors as initramfs_read_fd; ir->error says what, and
 * which is the image it concerns (root-relative) when there are several.
 */
int bootimage_read(const struct sysroot *root, const struct bootimage *bi, struct initramfs *ir,
		   const char **which);
