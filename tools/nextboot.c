// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "nextboot.h"

bool cmdline_has(const char *cmdline, const char *arg)
{
	size_t len = strlen(arg);
	bool prefix = len && arg[len - 1] == '=';

	for (const char *p = cmdline; (p = strstr(p, arg)); p += len) {
		if (p != cmdline && p[-1] != ' ' && p[-1] != '\t')
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

/*
 * One shell assignment's value, unquoted, with $NAME and ${NAME} of the two
 * GRUB variables expanded from their current values. Malloc'd.
 */
static char *grub_value(const char *v, const char *linux_, const char *def)
{
	char *out = calloc(strlen(v) + 1, strlen(linux_) + strlen(def) + 2);
	char *w = out;
	char quote = 0;

	if (!out)
		return NULL;
	for (const char *p = v; *p; p++) {
		if (!quote && (*p == '"' || *p == '\'')) {
			quote = *p;
			continue;
		}
		if (quote && *p == quote) {
			quote = 0;
			continue;
		}
		if (!quote && (*p == ' ' || *p == '\t' || *p == '#'))
			break;
		if (*p == '$' && quote != '\'') {
			static const char *const names[] = { "GRUB_CMDLINE_LINUX_DEFAULT", "GRUB_CMDLINE_LINUX" };
			const char *name = p + 1 + (p[1] == '{');
			bool done = false;

			for (size_t i = 0; !done && i < ARRAY_SIZE(names); i++) {
				size_t len = strlen(names[i]);
				const char *val = i == 0 ? def : linux_;

				if (strncmp(name, names[i], len) != 0)
					continue;
				if (p[1] == '{' && name[len] != '}')
					continue;
				w = stpcpy(w, val);
				p = name + len - 1 + (p[1] == '{');
				done = true;
			}
			if (done)
				continue;
		}
		*w++ = *p;
	}
	*w = '\0';
	return out;
}

/* Apply the GRUB_CMDLINE_LINUX* assignments of one file. */
static int grub_file(const struct sysroot *root, const char *path, char **linux_, char **def)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;

	if (sysroot_read_all(root, path, &text) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char **var = NULL;
		char *v;

		line += strspn(line, " \t");
		if (strncmp(line, "export ", 7) == 0)
			line += 7;
		if (strncmp(line, "GRUB_CMDLINE_LINUX_DEFAULT=", 27) == 0)
			var = def, v = line + 27;
		else if (strncmp(line, "GRUB_CMDLINE_LINUX=", 19) == 0)
			var = linux_, v = line + 19;
		else
			continue;
		v = grub_value(v, *linux_, *def);
		if (!v)
			return -ENOMEM;
		free(*var);
		*var = v;
	}
	return 0;
}

static int read_grub(const struct sysroot *root, struct nextboot *nb)
{
	_cleanup_free_ char *linux_ = strdup(""), *def = strdup("");
	struct dirent **names = NULL;
	_cleanup_close_ int dfd = -1;
	int n, r;

	if (!linux_ || !def)
		return -ENOMEM;
	r = grub_file(root, "etc/default/grub", &linux_, &def);
	dfd = openat(root->fd, "etc/default/grub.d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	n = dfd >= 0 ? scandirat(dfd, ".", &names, NULL, alphasort) : 0;
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		size_t len = strlen(names[i]->d_name);

		if (r == 0 && len > 4 && streq(names[i]->d_name + len - 4, ".cfg")) {
			snprintf(path, sizeof(path), "etc/default/grub.d/%s", names[i]->d_name);
			r = grub_file(root, path, &linux_, &def);
		}
		free(names[i]);
	}
	free(names);
	if (r < 0)
		return r;
	nb->source = NEXTBOOT_GRUB;
	snprintf(nb->where, sizeof(nb->where), "GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub");
	snprintf(nb->apply, sizeof(nb->apply), "update-grub");
	if (append_words(&nb->cmdline, linux_) < 0 || append_words(&nb->cmdline, def) < 0)
		return -ENOMEM;
	return 0;
}

int nextboot_read(const struct sysroot *root, struct nextboot *nb)
{
	_cleanup_free_ char *text = NULL;

	memset(nb, 0, sizeof(*nb));
	if (sysroot_exists(root, "etc/default/grub"))
		return read_grub(root, nb);
	if (sysroot_read_all(root, "etc/kernel/cmdline", &text) < 0)
		return -ENOENT;
	nb->source = NEXTBOOT_KERNEL_CMDLINE;
	snprintf(nb->where, sizeof(nb->where), "/etc/kernel/cmdline");
	snprintf(nb->apply, sizeof(nb->apply), "kernel-install add (or reinstall the kernel)");
	return append_words(&nb->cmdline, text);
}

void nextboot_free(struct nextboot *nb)
{
	free(nb->cmdline);
	nb->cmdline = NULL;
}
