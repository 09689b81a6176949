/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel command line the next boot will use, read simply from the boot
 * loader's configuration under the root (FACTS.md section 9):
 *  - GRUB: GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT from
 *    /etc/default/grub, then /etc/default/grub.d/ *.cfg in name order (a
 *    later assignment wins; "$GRUB_CMDLINE_LINUX" expands to the earlier
 *    value). It takes effect once update-grub runs, which is not checked.
 *  - kernel-install / systemd-boot: /etc/kernel/cmdline.
 * Kept apart so that a full boot-loader reader can replace it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sysroot.h"

enum nextboot_source {
	NEXTBOOT_GRUB,		/* /etc/default/grub (+ grub.d) */
	NEXTBOOT_KERNEL_CMDLINE,	/* /etc/kernel/cmdline */
};

struct nextboot {
	enum nextboot_source source;
	char *cmdline;		/* malloc'd, words separated by single spaces */
	char where[160];	/* where arguments go, as advice: "GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub" */
	char apply[96];		/* what makes a change take effect: "update-grub" */
};

/*
 * Read the next boot's command line. Returns 0, -ENOENT when no known boot
 * loader configuration is under the root, -ENOMEM.
 */
int nextboot_read(const struct sysroot *root, struct nextboot *nb);
void nextboot_free(struct nextboot *nb);

/* Whether the command line holds the word ARG ("intel_iommu=on"), or a word starting with ARG when it ends in '='. */
bool cmdline_has(const char *cmdline, const char *arg);
/* The value of the first word NAME=VALUE into buf ("" when absent); returns buf. */
const char *cmdline_value(const char *cmdline, const char *name, char *buf, size_t size);
