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
	char *cmdline;		/* the next boot's arguments (malloc'd), words separated by single spaces */
	/*
	 * GRUB only: GRUB_CMDLINE_LINUX and _DEFAULT as the next grub-mkconfig
	 * would use them (malloc'd), NULL when etc/default/grub is absent or
	 * holds something that is not a plain assignment of them; words
	 * separated by single spaces.
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
 * How `apply --kernel-args` gets the arguments to the next boot of this
 * root; one answer for what it plans and for what apply's advice promises.
 */
enum kernel_args_way {
	KARGS_BY_HAND,		/* no file of ours would do: it says what to add */
	KARGS_GRUB_DROPIN,	/* etc/default/grub exists: GRUB_DROPIN, then grub-mkconfig */
	KARGS_KERNEL_INSTALL,	/* the next boot is a BLS entry or etc/kernel/cmdline: etc/kernel/cmdline */
};

/*
 * The way for this root, from etc/default/grub's existence and the next
 * boot as next_boot_read gave it (nb, and nb_r, what it returned): a
 * grub.cfg without etc/default/grub, no boot loader configuration, or one
 * that cannot be read is KARGS_BY_HAND. Never fails.
 */
enum kernel_args_way kernel_args_way(const struct sysroot *root, const struct next_boot *nb, int nb_r);

/*
 * The places kernel-install takes the command line of the kernels it
 * installs from, in its order (systemd's 90-loaderentry.install), and one
 * that is vfio-claim's, not kernel-install's: KI_FROM_ENTRY.
 */
enum kernel_install_from {
	KI_FROM_ETC,		/* etc/kernel/cmdline */
	KI_FROM_VENDOR,		/* usr/lib/kernel/cmdline */
	KI_FROM_ENTRY,		/* the next boot's BLS entry's options (entry_options) */
	KI_FROM_PROC,		/* proc/cmdline, without BOOT_IMAGE= and initrd= */
};

/*
 * The command line kernel-install gives the kernels it installs: the first
 * of etc/kernel/cmdline, usr/lib/kernel/cmdline, proc/cmdline without
 * BOOT_IMAGE= and initrd= (the boot loader's words) that exists, each file
 * read whole, its words joined by single spaces (tr -s "$IFS" ' ';
 * cmdwords.h), into *line (malloc'd), and which it was into *from (may be
 * NULL). Only the places from first to last are looked at: next_boot_read
 * takes etc/kernel/cmdline alone, kernelcmdline.c, which plans that file,
 * what kernel-install would take without it. entry_options (NULL: none),
 * taken before proc/cmdline when in the range, is kernelcmdline.c's choice
 * over this boot's one-off words, not kernel-install's; BOOT_IMAGE= and
 * initrd= are left out of it too. flags: CMDLINE_WORDS_*; with
 * CMDLINE_WORDS_PRINTABLE a NUL in the line is -EINVAL too. Returns 0;
 * -ENOENT when none of them exists; -EINVAL (flags); -ENOMEM; other -errno
 * when a file exists and cannot be read (the next places are not tried).
 */
int kernel_install_cmdline(const struct sysroot *root, enum kernel_install_from first,
			   enum kernel_install_from last, const char *entry_options, unsigned int flags,
			   char **line, enum kernel_install_from *from);

/*
 * Which of the space-separated args are not words of cmdline (NULL: an empty
 * one), of the kernel's words of both (those before a "--" word; init gets
 * the rest), space-separated into out (size bytes, always terminated).
 * Returns how many are missing, also those that did not fit in out; 0 when
 * cmdline has every one; (size_t)-1 when args could not be copied (out of
 * memory: taken as "something is missing", never as "nothing to add").
 */
size_t kernel_args_missing(const char *cmdline, const char *args, char *out, size_t size);

/*
 * The GRUB drop-in that adds what GRUB's own settings (etc/default/grub and
 * the other drop-ins, not ours) lack of required: the text for GRUB_DROPIN
 * in *want (malloc'd), or NULL when nothing is missing. -ENOENT when
 * etc/default/grub is absent, -EINVAL when the settings cannot be read
 * without running them (*want untouched), -EDOM when something is missing
 * and GRUB_CMDLINE_LINUX holds a "--" word (what the drop-in appends would
 * go to init: grub-mkconfig's 10_linux puts GRUB_CMDLINE_LINUX first on the
 * linux line, then GRUB_CMDLINE_LINUX_DEFAULT), *want then holding the
 * missing arguments (malloc'd), other -errno on read errors.
 */
int grub_dropin_want(const struct sysroot *root, const char *required, char **want);

/*
 * Whether GRUB's own settings (etc/default/grub and the drop-ins, not ours)
 * set GRUB_CMDLINE_LINUX with a "--" word, so that no drop-in can add kernel
 * arguments (grub_dropin_want's -EDOM). False when they cannot be read.
 */
bool grub_settings_have_init_words(const struct sysroot *root);

/* The command that regenerates grub.cfg on this root ("update-grub", "grub-mkconfig -o ..."). */
const char *grub_update_command(const struct sysroot *root);
