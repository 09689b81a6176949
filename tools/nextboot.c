// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootargs.h"
#include "macro.h"
#include "nextboot.h"

bool cmdline_has(const char *cmdline, const char *arg)
{
	size_t len = strlen(arg);
	bool prefix = len && arg[len - 1] == '=';

	for (const char *p = cmdline; (p = strstr(p, arg)); p += len) {
		if (p != cmdline && p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n')
			continue;
		if (prefix || p[len] == ' ' || p[len] == '\t' || p[len] == '\n' || p[len] == '\0')
			return true;
	}
	return false;
}

const char *cmdline_value(const char *cmdline, const char *name, char *buf, size_t size)
{
	char key[64];
	size_t len;

	snprintf(key, sizeof(key), "%s=", name);
	len = strlen(key);
	buf[0] = '\0';
	for (const char *p = cmdline; (p = strstr(p, key)); p += len) {
		if (p != cmdline && p[-1] != ' ' && p[-1] != '\t')
			continue;
		snprintf(buf, size, "%.*s", (int)strcspn(p + len, " \t\n"), p + len);
		break;
	}
	return buf;
}

/* Append s to *out with one space between words; -ENOMEM. */
static int append_words(char **out, const char *s)
{
	size_t have = *out ? strlen(*out) : 0;
	char *n = realloc(*out, have + strlen(s) + 2);
	char *w;

	if (!n)
		return -ENOMEM;
	*out = n;
	w = n + have;
	*w = '\0';
	for (const char *p = s; *p;) {
		size_t len;

		p += strspn(p, " \t\n");
		len = strcspn(p, " \t\n");
		if (!len)
			break;
		if (w != n)
			*w++ = ' ';
		memcpy(w, p, len);
		w += len;
		*w = '\0';
		p += len;
	}
	return 0;
}

int nextboot_read(const struct sysroot *root, struct nextboot *nb)
{
	struct next_boot b;
	const char *line = NULL;
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
	if (b.loader == BOOT_KERNEL_INSTALL) {
		nb->source = NEXTBOOT_KERNEL_CMDLINE;
		snprintf(nb->where, sizeof(nb->where), "/etc/kernel/cmdline");
		snprintf(nb->apply, sizeof(nb->apply), "kernel-install add (or reinstall the kernel)");
	} else if (b.loader == BOOT_BLS) {
		nb->source = NEXTBOOT_BLS;
		snprintf(nb->where, sizeof(nb->where), "the options line of %.120s", b.source);
		nb->apply[0] = '\0';	/* the entry is read at boot as it is */
	} else {
		nb->source = NEXTBOOT_GRUB;
		snprintf(nb->where, sizeof(nb->where),
			 "GRUB's command line ('vfio-claim apply --kernel-args' writes a drop-in)");
		snprintf(nb->apply, sizeof(nb->apply), "%s", grub_update_command(root));
	}
	snprintf(nb->label, sizeof(nb->label), "%.190s", r == 0 ? b.source : "GRUB_CMDLINE_LINUX* in /etc/default/grub, no grub.cfg yet");
	r = append_words(&nb->cmdline, line);
	if (r == 0 && b.loader == BOOT_GRUB && b.pending)
		nb->pending = TAKE_PTR(b.pending);
	next_boot_free(&b);
	return r;
}

void nextboot_free(struct nextboot *nb)
{
	free(nb->cmdline);
	nb->cmdline = NULL;
	free(nb->pending);
	nb->pending = NULL;
}
