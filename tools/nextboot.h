/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The next boot's kernel command line for the readiness check, in the terms
 * its advice needs (where arguments go, what makes them take effect): an
 * adapter over bootargs.c's reader (grub.cfg's default entry, BLS entries,
 * /etc/kernel/cmdline; GRUB's own settings when there is no grub.cfg yet).
 * The words of a command line (cmdline_has, ...) are cmdwords.h's.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sysroot.h"

enum nextboot_source {
	NEXTBOOT_GRUB,		/* /etc/default/grub (+ grub.d) */
	NEXTBOOT_KERNEL_CMDLINE,	/* /etc/kernel/cmdline */
	NEXTBOOT_BLS,		/* a Boot Loader Specification entry */
};

struct nextboot {
	enum nextboot_source source;
	char *cmdline;		/* malloc'd, words separated by single spaces */
	char where[160];	/* where arguments go, as advice: "GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub" */
	char apply[96];		/* what makes a change take effect: "update-grub" */
	char label[200];
	/* GRUB: GRUB_CMDLINE_LINUX* as the next update-grub writes them (malloc'd), else NULL */
	char *pending;	/* where the line was read: "/boot/grub/grub.cfg, default entry '...'" */
};

/*
 * Read the next boot's command line. Returns 0, -ENOENT when no known boot
 * loader configuration is under the root, -ENOMEM.
 */
int nextboot_read(const struct sysroot *root, struct nextboot *nb);
void nextboot_free(struct nextboot *nb);
