// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootargs.h"
#include "cmdwords.h"
#include "macro.h"
#include "nextboot.h"

int nextboot_read(const struct sysroot *root, struct nextboot *nb)
{
	struct next_boot b;
	const char *line = NULL, *before;
	int r = next_boot_read(root, &b);

	memset(nb, 0, sizeof(*nb));
	if (r == 0)
		line = b.cmdline;
	else if (r == -ENOENT && b.pending)
		line = b.pending;	/* no grub.cfg yet: what update-grub will write */
	if (!line) {
		/* An unreadable file is named, never taken for "no boot loader". */
		snprintf(nb->label, sizeof(nb->label), "%.190s", b.source);
		next_boot_free(&b);
		return r == 0 ? -ENOENT : r;
	}
	/* The kernel gives the words after "--" to init (cmdwords.h): say where they go. */
	before = cmdline_has_init_words(line) ? " (before its '--')" : "";
	if (b.loader == BOOT_KERNEL_INSTALL) {
		nb->source = NEXTBOOT_KERNEL_CMDLINE;
		snprintf(nb->where, sizeof(nb->where), "/etc/kernel/cmdline%s", before);
		snprintf(nb->apply, sizeof(nb->apply), "kernel-install add (or reinstall the kernel)");
	} else if (b.loader == BOOT_BLS) {
		nb->source = NEXTBOOT_BLS;
		snprintf(nb->where, sizeof(nb->where), "the options line of %.120s%s", b.source, before);
		nb->apply[0] = '\0';	/* the entry is read at boot as it is */
	} else {
		nb->source = NEXTBOOT_GRUB;
		if (grub_settings_have_init_words(root))
			snprintf(nb->where, sizeof(nb->where), "GRUB_CMDLINE_LINUX in /etc/default/grub (before its '--')");
		else
			snprintf(nb->where, sizeof(nb->where),
				 "GRUB's command line ('vfio-claim apply --kernel-args' writes a drop-in)");
		snprintf(nb->apply, sizeof(nb->apply), "%s", grub_update_command(root));
	}
	snprintf(nb->label, sizeof(nb->label), "%.190s", r == 0 ? b.source : "GRUB_CMDLINE_LINUX* in /etc/default/grub, no grub.cfg yet");
	/* next_boot_read gives its lines as words separated by single spaces (cmdwords.h). */
	nb->cmdline = strdup(line);
	if (nb->cmdline && b.loader == BOOT_GRUB && b.pending)
		nb->pending = TAKE_PTR(b.pending);
	next_boot_free(&b);
	return nb->cmdline ? 0 : -ENOMEM;
}

void nextboot_free(struct nextboot *nb)
{
	free(nb->cmdline);
	nb->cmdline = NULL;
	free(nb->pending);
	nb->pending = NULL;
}
