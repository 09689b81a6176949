// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "earlyload.h"
#include "macro.h"

static bool same_name(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen && b[i]; i++)
		if ((a[i] == '-' ? '_' : a[i]) != (b[i] == '-' ? '_' : b[i]))
			return false;
	return i == alen && !b[i];
}

/* Does TEXT hold NAME as a word (separated by blanks, commas, quotes, parentheses)? */
static bool has_word(const char *text, const char *name)
{
	const char *sep = " \t\n,\"'()=+";

	for (const char *p = text; *p;) {
		size_t len;

		p += strspn(p, sep);
		len = strcspn(p, sep);
		if (len && same_name(p, len, name))
			return true;
		p += len;
	}
	return false;
}

/* The lines of FILE that are not comments and start with KEY (NULL: every line), checked for NAME. */
static bool file_names(const struct sysroot *root, const char *file, const char *key, const char *name)
{
	_cleanup_free_ char *text = NULL;
	char *line, *next;

	if (sysroot_read_all(root, file, &text) < 0)
		return false;
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (*line == '#')
			continue;
		line[strcspn(line, "#")] = '\0';
		if (key) {
			size_t klen = strlen(key);

			if (strncmp(line, key, klen) != 0)
				continue;
			line += klen;
			line += strspn(line, " \t");
			if (*line == '+')
				line++;
			if (*line != '=')
				continue;
			line++;
		}
		if (has_word(line, name))
			return true;
	}
	return false;
}

/* FILE, then DIR/NAME.conf, each checked with key; the first that names NAME into where. */
static bool files_name(const struct sysroot *root, const char *file, const char *dir, const char *const *keys,
		       const char *name, char *where, size_t size)
{
	DIR *d;
	struct dirent *ent;
	bool found = false;

	for (const char *const *k = keys; file && *k; k++) {
		if (file_names(root, file, streq(*k, "") ? NULL : *k, name)) {
			snprintf(where, size, "/%s", file);
			return true;
		}
	}
	d = dir ? sysroot_opendir(root, dir) : NULL;
	while (d && !found && (ent = readdir(d))) {
		size_t len = strlen(ent->d_name);
		char path[512];

		if (ent->d_name[0] == '.' || len < 6 || !streq(ent->d_name + len - 5, ".conf"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, ent->d_name);
		for (const char *const *k = keys; !found && *k; k++) {
			if (file_names(root, path, streq(*k, "") ? NULL : *k, name)) {
				snprintf(where, size, "/%s", path);
				found = true;
			}
		}
	}
	if (d)
		closedir(d);
	return found;
}

enum early_when early_load_of(const struct sysroot *root, const char *name, char *where, size_t size)
{
	static const char *const any[] = { "", NULL };
	static const char *const dracut[] = { "force_drivers", "add_drivers", NULL };
	static const char *const mkinitcpio[] = { "MODULES", NULL };
	char cmdline[8192] = "";

	where[0] = '\0';
	if (sysroot_read(root, "proc/cmdline", cmdline, sizeof(cmdline)) >= 0) {
		for (char *p = cmdline; (p = strstr(p, "rd.driver.pre=")); p += 14) {
			if (p != cmdline && p[-1] != ' ')
				continue;
			{
				char list[512];

				snprintf(list, sizeof(list), "%.*s", (int)strcspn(p + 14, " \n"), p + 14);
				if (has_word(list, name)) {
					snprintf(where, size, "rd.driver.pre= on the kernel command line");
					return EARLY_BEFORE_UDEV;
				}
			}
		}
	}
	if (files_name(root, "etc/dracut.conf", "etc/dracut.conf.d", dracut, name, where, size) ||
	    files_name(root, "etc/mkinitcpio.conf", "etc/mkinitcpio.conf.d", mkinitcpio, name, where, size))
		return EARLY_BEFORE_UDEV;
	if (files_name(root, "etc/modules", "etc/modules-load.d", any, name, where, size) ||
	    files_name(root, "etc/initramfs-tools/modules", NULL, any, name, where, size))
		return EARLY_AFTER_UDEV;
	return EARLY_NONE;
}
