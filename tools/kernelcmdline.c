// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bootargs.h"
#include "genfile.h"
#include "kernelcmdline.h"
#include "macro.h"
#include "strbuf.h"

/*
 * text as kernel-install reads a cmdline file (tr -s "$IFS" ' '): words
 * separated by one space, into *out (malloc'd). fallback: drop BOOT_IMAGE=
 * and initrd=, which the boot loader adds (90-loaderentry.install does the
 * same with /proc/cmdline). size: text's length as read. -EINVAL for a NUL
 * or a byte that is neither printable ASCII nor IFS, or a line longer than
 * KERNEL_CMDLINE_MAX; -ENOMEM.
 */
static int normalize(const char *text, size_t size, bool fallback, char **out)
{
	struct strbuf b = { 0 };

	/* A NUL inside would end the line early here, not for kernel-install's shell. */
	if (strlen(text) != size)
		return -EINVAL;

	for (const char *p = text; *p;) {
		size_t len;

		p += strspn(p, " \t\n");
		len = strcspn(p, " \t\n");
		if (!len)
			break;
		for (size_t i = 0; i < len; i++) {
			if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e) {
				free(strbuf_take(&b));
				return -EINVAL;
			}
		}
		if (!fallback || (strncmp(p, "BOOT_IMAGE=", 11) && strncmp(p, "initrd=", 7))) {
			if (b.len)
				strbuf_adds(&b, " ");
			strbuf_add(&b, p, len);
		}
		p += len;
		if (b.len > KERNEL_CMDLINE_MAX) {
			free(strbuf_take(&b));
			return -EINVAL;
		}
	}
	*out = strbuf_take(&b);
	return *out ? 0 : -ENOMEM;
}

/* The value of the record's line starting with key ("base ", "cmdline "), malloc'd; NULL if none. */
static char *record_field(const char *record, const char *key)
{
	size_t klen = strlen(key);

	if (!record || strncmp(record, GENFILE_MARKER, strlen(GENFILE_MARKER)))
		return NULL;
	for (const char *p = record; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, klen))
			return strndup(p + klen, strcspn(p + klen, "\n"));
	}
	return NULL;
}

bool kernel_cmdline_is_ours(const char *cmdline, const char *record)
{
	_cleanup_free_ char *wrote = record_field(record, "cmdline ");
	size_t len;

	if (!cmdline || !wrote)
		return false;
	len = strlen(wrote);
	return !strncmp(cmdline, wrote, len) && (cmdline[len] == '\0' || streq(cmdline + len, "\n"));
}

/*
 * The line to start from, normalized into *base: /usr/lib/kernel/cmdline
 * (the vendor's, which kernel-install takes before /proc/cmdline); else the
 * next boot's entry (entry_options, NULL when the next boot is not a BLS
 * entry), not the running command line, so that a one-off argument of this
 * boot (nomodeset, rd.break, systemd.unit=) is not kept for every kernel;
 * else /proc/cmdline without BOOT_IMAGE= and initrd=.
 */
static int start_line(const struct sysroot *root, const char *entry_options, char **base)
{
	_cleanup_free_ char *text = NULL;
	int r = sysroot_read_all(root, "usr/lib/kernel/cmdline", &text);

	if (r >= 0)
		return normalize(text, (size_t)r, false, base);
	if (r != -ENOENT)
		return r;
	if (entry_options)
		return normalize(entry_options, strlen(entry_options), true, base);
	r = sysroot_read_all(root, "proc/cmdline", &text);
	if (r < 0)
		return r;
	return normalize(text, (size_t)r, true, base);
}

/*
 * base with the words of missing added where the kernel takes them: before
 * a "--" word, after which the words go to init (Documentation/admin-guide/
 * kernel-parameters.rst), else at the end.
 */
static void add_args(struct strbuf *line, const char *base, const char *missing)
{
	const char *dashes = NULL;

	for (const char *p = base; (p = strstr(p, "--")); p += 2) {
		if ((p == base || p[-1] == ' ') && (p[2] == ' ' || p[2] == '\0')) {
			dashes = p;
			break;
		}
	}
	if (!dashes) {
		strbuf_printf(line, "%s%s%s", base, *base ? " " : "", missing);
		return;
	}
	strbuf_printf(line, "%.*s%s %s", (int)(dashes - base), base, missing, dashes);
}

int kernel_cmdline_plan(const struct sysroot *root, const char *required, const char *entry_options,
			const char *have_cmdline, const char *have_record, char **cmdline_want,
			char **record_want)
{
	bool ours = kernel_cmdline_is_ours(have_cmdline, have_record);
	_cleanup_free_ char *base = NULL, *recorded = NULL;
	char missing[256];
	struct strbuf line = { 0 }, rec = { 0 };
	size_t n;
	int r;

	*cmdline_want = *record_want = NULL;
	if (have_cmdline && !ours) {
		/* Somebody else's file stays; a record of ours goes with the claims. */
		if ((!required || !*required) && !(*cmdline_want = strdup(have_cmdline)))
			return -ENOMEM;
		return -EEXIST;
	}
	if (!required || !*required)
		return 0;
	recorded = ours ? record_field(have_record, "base ") : NULL;
	r = recorded ? normalize(recorded, strlen(recorded), false, &base) :
		       start_line(root, entry_options, &base);
	if (r < 0)
		return r;
	n = kernel_args_missing(base, required, missing, sizeof(missing));
	if (n == (size_t)-1)
		return -ENOMEM;
	if (!n)
		return 0;
	add_args(&line, base, missing);
	if (line.len > KERNEL_CMDLINE_MAX) {
		free(strbuf_take(&line));
		return -E2BIG;
	}
	strbuf_printf(&rec, GENFILE_MARKER " apply --kernel-args, which created /etc/kernel/cmdline\n"
		      "# (kernel-install's command line for the kernels it installs) from a line\n"
		      "# (base: /usr/lib/kernel/cmdline, the next boot's entry or /proc/cmdline)\n"
		      "# and the IOMMU arguments it lacked.\n"
		      "# While /etc/kernel/cmdline holds exactly the cmdline below, apply changes or\n"
		      "# removes it with the claims; once edited, it is left alone.\n"
		      "base %s\ncmdline %s\n", base, line.s ? line.s : "");
	strbuf_adds(&line, "\n");
	*cmdline_want = strbuf_take(&line);
	*record_want = strbuf_take(&rec);
	if (!*cmdline_want || !*record_want) {
		free(*cmdline_want);
		free(*record_want);
		*cmdline_want = *record_want = NULL;
		return -ENOMEM;
	}
	return 0;
}
