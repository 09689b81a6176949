// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bootargs.h"
#include "cmdwords.h"
#include "genfile.h"
#include "kernelcmdline.h"
#include "macro.h"
#include "strbuf.h"

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
 * The line to start from, its words into *base (malloc'd): the record's
 * base while etc/kernel/cmdline is ours (recorded, else NULL), so that the
 * line stays what it was started from; else what kernel-install takes
 * without etc/kernel/cmdline (kernel_install_cmdline: the vendor's
 * /usr/lib/kernel/cmdline, then the next boot's entry, entry_options, NULL
 * when the next boot is not a BLS entry, not the running command line, so
 * that a one-off argument of this boot (nomodeset, rd.break, systemd.unit=)
 * is not kept for every kernel; else /proc/cmdline without BOOT_IMAGE= and
 * initrd=). -EINVAL for a NUL or a byte that is neither printable ASCII nor
 * white space, or a line longer than KERNEL_CMDLINE_MAX; -ENOENT, other
 * -errno as kernel_install_cmdline; -ENOMEM.
 */
static int start_line(const struct sysroot *root, const char *recorded, const char *entry_options,
		      char **base)
{
	int r = recorded ? cmdline_words_join(recorded, CMDLINE_WORDS_PRINTABLE, base) :
			   kernel_install_cmdline(root, KI_FROM_VENDOR, KI_FROM_PROC, entry_options,
						  CMDLINE_WORDS_PRINTABLE, base, NULL);

	if (r == 0 && strlen(*base) > KERNEL_CMDLINE_MAX) {
		free(*base);
		*base = NULL;
		return -EINVAL;
	}
	return r;
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
	r = start_line(root, recorded, entry_options, &base);
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
