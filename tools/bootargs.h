/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel arguments passthrough needs, and the command line the NEXT boot
 * will have, read from where its boot loader takes it:
 *   GRUB          the default entry of boot/grub/grub.cfg (or boot/grub2/),
 *                 as grub-mkconfig wrote it; and what the next grub-mkconfig
 *                 would write, from GRUB_CMDLINE_LINUX(_DEFAULT) in
 *                 etc/default/grub then etc/default/grub.d/ (*.cfg, in order)
 *   BLS           the default Boot Loader Specification entry's "options"
 *                 (boot/loader/entries, boot/efi/loader/entries,
 *                 efi/loader/entries; GRUB with blscfg reads these too)
 *   kernel-install  etc/kernel/cmdline, what the next installed kernel gets
 * Nothing is ever executed: the GRUB files are shell, and a tree under --root
 * may come from anybody, so only plain assignments are understood and
 * anything else makes the pending line "unknown".
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sysroot.h"

#define GRUB_DROPIN "etc/default/grub.d/vfio-claim.cfg"

enum boot_loader {
	BOOT_UNKNOWN,
	BOOT_GRUB,
	BOOT_BLS,
	BOOT_KERNEL_INSTALL,
};

struct next_boot {
	enum boot_loader loader;
	char source[640];	/* "/boot/grub/grub.cfg, default entry 'Debian GNU/Linux'" */
	char *cmdline;		/* the next boot's arguments (malloc'd) */
	/*
	 * GRUB only: GRUB_CMDLINE_LINUX and _DEFAULT as the next grub-mkconfig
	 * would use them (malloc'd), NULL when etc/default/grub is absent or
	 * holds something that is not a plain assignment of them.
	 */
	char *pending;
	bool has_grub_defaults;	/* etc/default/grub exists */
	char kver[128];		/* BLS: the entry's "version", "" when absent or not a plain version */
};

/*
 * What the next boot's command line is. Returns 0 with *nb filled, -ENOENT
 * when the root has no boot loader configuration this understands (then
 * nb->loader is BOOT_UNKNOWN), or -errno when one exists and cannot be read
 * (never "nothing there" for an unreadable file). Free with next_boot_free().
 */
int next_boot_read(const struct sysroot *root, struct next_boot *nb);
void next_boot_free(struct next_boot *nb);
const char *boot_loader_name(enum boot_loader l);

/*
 * Which of the space-separated args are not words of cmdline (NULL: an empty
 * one), space-separated into out (size bytes, always terminated). Returns how
 * many are missing, also those that did not fit in out; 0 when cmdline has
 * every one; (size_t)-1 when args could not be copied (out of memory: taken
 * as "something is missing", never as "nothing to add").
 */
size_t kernel_args_missing(const char *cmdline, const char *args, char *out, size_t size);

/*
 * The GRUB drop-in that adds what GRUB's own settings (etc/default/grub and
 * the other drop-ins, not ours) lack of required: the text for GRUB_DROPIN
 * in *want (malloc'd), or NULL when nothing is missing. -ENOENT when
 * etc/default/grub is absent, -EINVAL when the settings cannot be read
 * without running them (*want untouched), other -errno on read errors.
 */
int grub_dropin_want(const struct sysroot *root, const char *required, char **want);

/* The command that regenerates grub.cfg on this root ("update-grub", "grub-mkconfig -o ..."). */
const char *grub_update_command(const struct sysroot *root);
