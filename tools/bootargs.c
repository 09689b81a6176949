// SPDX-License-Identifier: GPL-2.0
/*
 * The next boot's kernel command line and the arguments passthrough needs;
 * see bootargs.h. Formats read from their sources: GRUB 2.06's
 * util/grub-mkconfig.in (sources etc/default/grub, then grub.d/ *.cfg),
 * util/grub.d/00_header.in ("set default" with next_entry and saved_entry),
 * 10_linux.in (GRUB_CMDLINE_LINUX then GRUB_CMDLINE_LINUX_DEFAULT on the
 * default entry's "linux" line); the Boot Loader Specification (type #1
 * entries, "options" lines, loader.conf "default" glob); systemd's
 * kernel-install (etc/kernel/cmdline).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootargs.h"
#include "cmdwords.h"
#include "genfile.h"
#include "macro.h"
#include "strbuf.h"

size_t kernel_args_missing(const char *cmdline, const char *args, char *out, size_t size)
{
	_cleanup_free_ char *copy = strdup(args);
	size_t len = 0, missing = 0;
	char *save = NULL;

	out[0] = '\0';
	if (!copy)
		return (size_t)-1;
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		/* The kernel's words only, on both sides (cmdline_has stops at "--" too). */
		if (streq(w, "--"))
			break;
		if (cmdline_has(cmdline ? cmdline : "", w))
			continue;
		missing++;
		if (len + strlen(w) + 2 < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " " : "", w);
	}
	return missing;
}

/* ---- GRUB's settings: shell assignments, evaluated without a shell ---- */

struct grub_vars {
	char *cmdline_linux;		/* GRUB_CMDLINE_LINUX */
	char *cmdline_default;	/* GRUB_CMDLINE_LINUX_DEFAULT */
	bool opaque;		/* something was not a plain assignment we understand */
};

static char **grub_var(struct grub_vars *v, const char *name, size_t len)
{
	if (len == strlen("GRUB_CMDLINE_LINUX") && !strncmp(name, "GRUB_CMDLINE_LINUX", len))
		return &v->cmdline_linux;
	if (len == strlen("GRUB_CMDLINE_LINUX_DEFAULT") && !strncmp(name, "GRUB_CMDLINE_LINUX_DEFAULT", len))
		return &v->cmdline_default;
	return NULL;
}

/* Expand $NAME or ${NAME} at *p (pointing after the '$'); false when it is not one of ours. */
static bool expand(struct grub_vars *v, const char **p, struct strbuf *b)
{
	const char *s = *p, *name;
	bool brace = *s == '{';
	size_t len = 0;
	char **val;

	if (brace)
		s++;
	name = s;
	while (isalnum((unsigned char)s[len]) || s[len] == '_')
		len++;
	if (!len || (brace && s[len] != '}'))
		return false;
	val = grub_var(v, name, len);
	if (!val)
		return false;
	if (*val)
		strbuf_adds(b, *val);
	*p = s + len + (brace ? 1 : 0);
	return true;
}

/*
 * The value of an assignment at p (after the '='), as sh would make it for
 * the plain forms: quotes, backslashes, $VAR of our two variables. False for
 * anything else (command substitution, other variables, an open quote).
 */
static bool eval_value(struct grub_vars *v, const char *p, struct strbuf *b)
{
	strbuf_adds(b, "");
	while (*p && !isspace((unsigned char)*p) && *p != ';') {
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');

			if (!end)
				return false;
			strbuf_add(b, p + 1, (size_t)(end - p - 1));
			p = end + 1;
		} else if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (!*p || *p == '`')
					return false;
				if (*p == '\\' && p[1] && strchr("$`\"\\", p[1])) {
					strbuf_add(b, ++p, 1);
				} else if (*p == '$') {
					p++;
					if (!expand(v, &p, b))
						return false;
					p--;
				} else {
					strbuf_add(b, p, 1);
				}
			}
			p++;
		} else if (*p == '$') {
			p++;
			if (!expand(v, &p, b))
				return false;
		} else if (*p == '`' || *p == '(' || *p == ')' || *p == '|' || *p == '&' || *p == '<' || *p == '>') {
			return false;
		} else {
			if (*p == '\\' && p[1])
				p++;
			strbuf_add(b, p, 1);
			p++;
		}
	}
	/* Anything after the value but a comment is a command we do not run. */
	while (isspace((unsigned char)*p))
		p++;
	return !b->oom && (*p == '\0' || *p == '#');
}

static bool starts_word(const char *p, const char *w)
{
	size_t n = strlen(w);

	return !strncmp(p, w, n) && (p[n] == '\0' || isspace((unsigned char)p[n]) || p[n] == ';');
}

/* Apply one settings file's assignments of our two variables to v. */
static void grub_eval(struct grub_vars *v, char *text)
{
	int depth = 0;
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *p = line, *name;
		struct strbuf b = { 0 };
		char **var;
		size_t len = 0;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '#' || !*p)
			continue;
		if (starts_word(p, "if") || starts_word(p, "case") || starts_word(p, "for") ||
		    starts_word(p, "while"))
			depth++;
		else if (starts_word(p, "fi") || starts_word(p, "esac") || starts_word(p, "done"))
			depth--;
		/* Another file sourced, or a function: anything may follow. */
		if (starts_word(p, ".") || starts_word(p, "source") || starts_word(p, "eval")) {
			v->opaque = true;
			continue;
		}
		if (!strstr(p, "GRUB_CMDLINE_LINUX"))
			continue;
		if (starts_word(p, "export"))
			p += strlen("export") + 1;
		while (isspace((unsigned char)*p))
			p++;
		name = p;
		while (isalnum((unsigned char)p[len]) || p[len] == '_')
			len++;
		var = p[len] == '=' ? grub_var(v, name, len) : NULL;
		if (!var || depth > 0 || !eval_value(v, p + len + 1, &b)) {
			v->opaque = true;
			free(b.s);
			continue;
		}
		free(*var);
		*var = strbuf_take(&b);
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the regular entries of dir ending in suffix; *n of them. -errno, 0 when absent. */
static int list_dir(const struct sysroot *root, const char *dir, const char *suffix, char ***names, int *n)
{
	DIR *d = sysroot_opendir(root, dir);
	struct dirent *e;
	size_t slen = strlen(suffix);

	*names = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char **v;

		if (e->d_name[0] == '.' || len <= slen || strcmp(e->d_name + len - slen, suffix))
			continue;
		v = realloc(*names, sizeof(*v) * (size_t)(*n + 1));
		if (!v || !(v[*n] = strdup(e->d_name))) {
			free(v ? v : *names);
			closedir(d);
			return -ENOMEM;
		}
		*names = v;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*names, (size_t)*n, sizeof(**names), name_cmp);
	return 0;
}

static void free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * GRUB's two variables after etc/default/grub and every grub.d/ *.cfg but
 * skip (NULL: none skipped). -ENOENT without etc/default/grub.
 */
static int grub_settings(const struct sysroot *root, const char *skip, struct grub_vars *v)
{
	char **names;
	int n, r;
	char *text = NULL;

	r = sysroot_read_all(root, "etc/default/grub", &text);
	if (r < 0)
		return r;
	grub_eval(v, text);
	free(text);
	r = list_dir(root, "etc/default/grub.d", ".cfg", &names, &n);
	if (r < 0)
		return r;
	for (int i = 0; i < n && r == 0; i++) {
		char path[512];

		snprintf(path, sizeof(path), "etc/default/grub.d/%s", names[i]);
		if (skip && streq(path, skip))
			continue;
		r = sysroot_read_all(root, path, &text);
		if (r >= 0) {
			grub_eval(v, text);
			free(text);
			r = 0;
		}
	}
	free_names(names, n);
	return r < 0 ? r : 0;
}

/* GRUB_CMDLINE_LINUX then _DEFAULT, as 10_linux puts them on the linux line: their words (malloc'd). */
static char *join_vars(const struct grub_vars *v)
{
	struct strbuf b = { 0 };

	cmdline_words_add(&b, v->cmdline_linux, 0);
	cmdline_words_add(&b, v->cmdline_default, 0);
	return strbuf_take(&b);
}

static void grub_vars_free(struct grub_vars *v)
{
	free(v->cmdline_linux);
	free(v->cmdline_default);
}

int grub_dropin_want(const struct sysroot *root, const char *required, char **want)
{
	struct grub_vars v = { 0 };
	_cleanup_free_ char *base = NULL;
	char missing[256];
	struct strbuf b = { 0 };
	int r = grub_settings(root, GRUB_DROPIN, &v);
	bool init_words;

	if (r == 0 && v.opaque)
		r = -EINVAL;
	if (r == 0)
		base = join_vars(&v);
	/* grub-mkconfig's linux line: GRUB_CMDLINE_LINUX, then ..._DEFAULT (10_linux). */
	init_words = cmdline_has_init_words(v.cmdline_linux);
	grub_vars_free(&v);
	if (r < 0)
		return r;
	if (!base)
		return -ENOMEM;
	if (!kernel_args_missing(base, required, missing, sizeof(missing))) {
		*want = NULL;
		return 0;
	}
	/* Appended after a "--", the arguments would go to init, not to the kernel. */
	if (init_words) {
		*want = strdup(missing);
		return *want ? -EDOM : -ENOMEM;
	}
	strbuf_adds(&b, GENFILE_MARKER " apply --kernel-args: the kernel arguments PCI passthrough\n"
		"# needs that GRUB's own settings lack. grub-mkconfig reads this file after\n"
		"# /etc/default/grub; update-grub (grub-mkconfig) must run after a change.\n"
		"GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX ");
	strbuf_adds(&b, missing);
	strbuf_adds(&b, "\"\n");
	*want = strbuf_take(&b);
	return *want ? 0 : -ENOMEM;
}

bool grub_settings_have_init_words(const struct sysroot *root)
{
	struct grub_vars v = { 0 };
	bool init_words = grub_settings(root, GRUB_DROPIN, &v) == 0 && !v.opaque &&
			  cmdline_has_init_words(v.cmdline_linux);

	grub_vars_free(&v);
	return init_words;
}

const char *grub_update_command(const struct sysroot *root)
{
	if (sysroot_exists(root, "usr/sbin/update-grub") || sysroot_exists(root, "sbin/update-grub"))
		return "update-grub";
	if (sysroot_exists(root, "boot/grub2/grub.cfg") && !sysroot_exists(root, "boot/grub/grub.cfg"))
		return "grub2-mkconfig -o /boot/grub2/grub.cfg";
	return "grub-mkconfig -o /boot/grub/grub.cfg";
}

/* ---- grub.cfg: the default entry's "linux" line ---- */

struct grub_entry {
	int parent;		/* index of the enclosing submenu, -1 at the top */
	int index;		/* position among its parent's entries */
	bool submenu;
	char title[128];
	char id[128];
	char *args;		/* from its first linux line; NULL if none */
};

/* The quoted or bare word at p into out; returns the position after it. */
static const char *grub_word(const char *p, char *out, size_t size)
{
	size_t n = 0;
	char q = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\'' || *p == '"')
		q = *p++;
	while (*p && (q ? *p != q : !isspace((unsigned char)*p) && *p != '{')) {
		if (*p == '\\' && q != '\'' && p[1])
			p++;
		if (n + 1 < size)
			out[n++] = *p;
		p++;
	}
	out[n] = '\0';
	return q && *p == q ? p + 1 : p;
}

static bool grub_linux_line(const char *p)
{
	return starts_word(p, "linux") || starts_word(p, "linux16") || starts_word(p, "linuxefi");
}

/* The entry that `value` names under parent: a number, a title or an id. */
static int grub_find(const struct grub_entry *e, int n, int parent, const char *value, size_t len)
{
	char *end;
	long idx = strtol(value, &end, 10);
	bool numeric = end == value + len && len > 0;

	for (int i = 0; i < n; i++) {
		if (e[i].parent != parent)
			continue;
		if (numeric ? e[i].index == idx :
			      (strlen(e[i].title) == len && !strncmp(e[i].title, value, len)) ||
				      (strlen(e[i].id) == len && !strncmp(e[i].id, value, len)))
			return i;
	}
	return -1;
}

static int grub_cfg_read(const struct sysroot *root, const char *path, struct next_boot *nb)
{
	_cleanup_free_ char *text = NULL, *env = NULL;
	struct grub_entry *e = NULL;
	int n = 0, r, stack[16], depth = 0, found = -1;
	char deflt[256] = "0";
	char *save = NULL;

	r = sysroot_read_all(root, path, &text);
	if (r < 0)
		return r;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *p = line;
		size_t len;

		while (isspace((unsigned char)*p))
			p++;
		len = strlen(p);
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (*p == '}' && len == 1) {
			if (depth > 0)
				depth--;
			continue;
		}
		if (starts_word(p, "menuentry") || starts_word(p, "submenu")) {
			int parent = -1, in_entry = 0;
			struct grub_entry *v;
			const char *q;

			for (int i = 0; i < depth; i++) {
				if (stack[i] >= 0 && e[stack[i]].submenu)
					parent = stack[i];
				else
					in_entry = 1;
			}
			if (in_entry || depth >= (int)ARRAY_SIZE(stack)) {
				for (int i = 0; i < n; i++)
					free(e[i].args);
				free(e);
				return -EINVAL;
			}
			v = realloc(e, sizeof(*v) * (size_t)(n + 1));
			if (!v) {
				free(e);
				return -ENOMEM;
			}
			e = v;
			v = &e[n];
			memset(v, 0, sizeof(*v));
			v->parent = parent;
			v->submenu = starts_word(p, "submenu");
			for (int i = 0; i < n; i++)
				if (e[i].parent == parent)
					v->index++;
			q = grub_word(p + (v->submenu ? 7 : 9), v->title, sizeof(v->title));
			for (const char *t = q; (t = strstr(t, "menuentry_id_option")); t++)
				grub_word(t + strlen("menuentry_id_option"), v->id, sizeof(v->id));
			if ((q = strstr(q, "--id")))
				grub_word(q + 4, v->id, sizeof(v->id));
			if (len && p[len - 1] == '{')
				stack[depth++] = n;
			n++;
			continue;
		}
		if (len && p[len - 1] == '{') {
			if (depth < (int)ARRAY_SIZE(stack))
				stack[depth++] = -1;
			continue;
		}
		if (grub_linux_line(p)) {
			int owner = -1;
			char word[512];
			const char *q;

			for (int i = depth - 1; i >= 0 && owner < 0; i--)
				if (stack[i] >= 0 && !e[stack[i]].submenu)
					owner = stack[i];
			if (owner < 0 || e[owner].args)
				continue;
			q = grub_word(p, word, sizeof(word));	/* linux */
			q = grub_word(q, word, sizeof(word));	/* the kernel's path */
			while (isspace((unsigned char)*q))
				q++;
			e[owner].args = strndup(q, len - (size_t)(q - p));
			continue;
		}
		/* 00_header: "set default=..."; ${next_entry} is a one-time boot, not the default. */
		if (depth == 0 && starts_word(p, "set") && strstr(p, "default=")) {
			char value[256];

			grub_word(strstr(p, "default=") + 8, value, sizeof(value));
			if (!strstr(value, "next_entry"))
				snprintf(deflt, sizeof(deflt), "%s", value);
		}
	}
	if (strstr(deflt, "saved_entry")) {
		char envpath[64];
		const char *s;

		snprintf(envpath, sizeof(envpath), "%.*s/grubenv", (int)(strrchr(path, '/') - path), path);
		snprintf(deflt, sizeof(deflt), "0");
		if (sysroot_read_all(root, envpath, &env) >= 0 && (s = strstr(env, "saved_entry="))) {
			s += strlen("saved_entry=");
			snprintf(deflt, sizeof(deflt), "%.*s", (int)strcspn(s, "\n"), s);
		}
	}
	/* "1>2": the third entry of the second top-level item (a submenu). */
	{
		const char *p = deflt;
		int parent = -1;

		for (;;) {
			size_t len = strcspn(p, ">");

			found = grub_find(e, n, parent, p, len);
			if (found < 0 || !p[len])
				break;
			parent = found;
			p += len + 1;
		}
		if (found < 0)
			found = grub_find(e, n, -1, "0", 1);
		/* A submenu named alone boots its first entry. */
		while (found >= 0 && e[found].submenu)
			found = grub_find(e, n, found, "0", 1);
	}
	if (found >= 0 && e[found].args) {
		r = cmdline_words_join(e[found].args, 0, &nb->cmdline);
		snprintf(nb->source, sizeof(nb->source), "/%s, default entry '%s'", path, e[found].title);
	}
	for (int i = 0; i < n; i++)
		free(e[i].args);
	free(e);
	if (r == -ENOMEM)
		return r;
	if (!nb->cmdline) {
		snprintf(nb->source, sizeof(nb->source), "/%s", path);
		return -ENODATA;
	}
	return 0;
}

/* ---- Boot Loader Specification entries ---- */

static const char *const bls_dirs[] = { "boot/loader", "boot/efi/loader", "efi/loader" };

static int version_cmp_desc(const void *a, const void *b)
{
	return strverscmp(*(char *const *)b, *(char *const *)a);
}

static int bls_read(const struct sysroot *root, struct next_boot *nb)
{
	for (size_t i = 0; i < ARRAY_SIZE(bls_dirs); i++) {
		_cleanup_free_ char *conf = NULL, *entry = NULL;
		char dir[64], path[512], pattern[256] = "";
		const char *s;
		char **names;
		int n, r, pick = -1;
		struct strbuf b = { 0 };
		char *save = NULL;

		snprintf(dir, sizeof(dir), "%s/entries", bls_dirs[i]);
		r = list_dir(root, dir, ".conf", &names, &n);
		if (r < 0)
			return r;
		if (!n)
			continue;
		/* Newest first, as systemd-boot sorts; loader.conf's "default" glob picks among them. */
		qsort(names, (size_t)n, sizeof(*names), version_cmp_desc);
		snprintf(path, sizeof(path), "%s/loader.conf", bls_dirs[i]);
		if (sysroot_read_all(root, path, &conf) >= 0 && (s = strstr(conf, "\ndefault")))
			sscanf(s + 8, " %255s", pattern);
		else if (conf && !strncmp(conf, "default", 7))
			sscanf(conf + 7, " %255s", pattern);
		for (int k = 0; k < n && pick < 0; k++) {
			char stem[256];

			snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(names[k]) - 5), names[k]);
			if (!pattern[0] || !fnmatch(pattern, names[k], 0) || !fnmatch(pattern, stem, 0))
				pick = k;
		}
		if (pick < 0)
			pick = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, names[pick]);
		free_names(names, n);
		r = sysroot_read_all(root, path, &entry);
		if (r < 0) {
			snprintf(nb->source, sizeof(nb->source), "/%s", path);
			return r;
		}
		for (char *line = strtok_r(entry, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			while (isspace((unsigned char)*line))
				line++;
			if (starts_word(line, "version")) {
				line += 7 + strspn(line + 7, " \t");
				line[strcspn(line, " \t\r")] = '\0';
				/* Only a version that can go into a printed command as it is. */
				if (line[0] && strspn(line, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-_~") ==
				    strlen(line))
					snprintf(nb->kver, sizeof(nb->kver), "%s", line);
				continue;
			}
			/* Several options lines make one command line. */
			if (starts_word(line, "options"))
				cmdline_words_add(&b, line + 7, 0);
		}
		nb->cmdline = strbuf_take(&b);
		nb->loader = BOOT_BLS;
		snprintf(nb->source, sizeof(nb->source), "/%s", path);
		return nb->cmdline ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

enum kernel_args_way kernel_args_way(const struct sysroot *root, const struct next_boot *nb, int nb_r)
{
	if (sysroot_exists(root, "etc/default/grub"))
		return KARGS_GRUB_DROPIN;
	if (nb_r == 0 && (nb->loader == BOOT_BLS || nb->loader == BOOT_KERNEL_INSTALL))
		return KARGS_KERNEL_INSTALL;
	return KARGS_BY_HAND;
}

int kernel_install_cmdline(const struct sysroot *root, enum kernel_install_from first,
			   enum kernel_install_from last, const char *entry_options, unsigned int flags,
			   char **line, enum kernel_install_from *from)
{
	static const struct {
		const char *path;	/* NULL: entry_options */
		unsigned int flags;
	} places[] = {
		[KI_FROM_ETC] = { "etc/kernel/cmdline", 0 },
		[KI_FROM_VENDOR] = { "usr/lib/kernel/cmdline", 0 },
		[KI_FROM_ENTRY] = { NULL, CMDLINE_WORDS_NO_LOADER },
		[KI_FROM_PROC] = { "proc/cmdline", CMDLINE_WORDS_NO_LOADER },
	};

	for (enum kernel_install_from k = first; k <= last; k++) {
		_cleanup_free_ char *text = NULL;
		const char *s = entry_options;
		size_t size;
		int r;

		if (places[k].path) {
			r = sysroot_read_all(root, places[k].path, &text);
			if (r == -ENOENT)
				continue;
			if (r < 0)
				return r;
			s = text;
			size = (size_t)r;
		} else if (s) {
			size = strlen(s);
		} else {
			continue;
		}
		/* A NUL inside would end the line early here, not for kernel-install's shell. */
		if ((flags & CMDLINE_WORDS_PRINTABLE) && strlen(s) != size)
			return -EINVAL;
		if (from)
			*from = k;
		return cmdline_words_join(s, flags | places[k].flags, line);
	}
	return -ENOENT;
}

int next_boot_read(const struct sysroot *root, struct next_boot *nb)
{
	static const char *const grub_cfgs[] = { "boot/grub/grub.cfg", "boot/grub2/grub.cfg" };
	struct grub_vars v = { 0 };
	int r;

	memset(nb, 0, sizeof(*nb));
	nb->has_grub_defaults = sysroot_exists(root, "etc/default/grub");
	if (nb->has_grub_defaults) {
		r = grub_settings(root, NULL, &v);
		if (r == 0 && !v.opaque)
			nb->pending = join_vars(&v);
		grub_vars_free(&v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(grub_cfgs); i++) {
		_cleanup_free_ char *cfg = NULL;

		r = sysroot_read_all(root, grub_cfgs[i], &cfg);
		if (r == -ENOENT)
			continue;
		if (r < 0) {
			snprintf(nb->source, sizeof(nb->source), "/%s", grub_cfgs[i]);
			return r;
		}
		/* GRUB with blscfg (Fedora, RHEL) boots the BLS entries. */
		if (strstr(cfg, "blscfg"))
			break;
		nb->loader = BOOT_GRUB;
		return grub_cfg_read(root, grub_cfgs[i], nb);
	}
	r = bls_read(root, nb);
	if (r != -ENOENT)
		return r;
	/* GRUB's settings without a grub.cfg: update-grub has yet to run; kernel-install is not it. */
	if (nb->has_grub_defaults) {
		nb->loader = BOOT_GRUB;
		return -ENOENT;
	}
	/*
	 * Only etc/kernel/cmdline: without it kernel-install would take
	 * /usr/lib/kernel/cmdline or this boot's line, but nothing here says
	 * that kernel-install makes the next boot's entry at all.
	 */
	r = kernel_install_cmdline(root, KI_FROM_ETC, KI_FROM_ETC, NULL, 0, &nb->cmdline, NULL);
	if (r == 0) {
		nb->loader = BOOT_KERNEL_INSTALL;
		snprintf(nb->source, sizeof(nb->source), "/etc/kernel/cmdline");
		return 0;
	}
	if (r != -ENOENT) {
		snprintf(nb->source, sizeof(nb->source), "/etc/kernel/cmdline");
		return r;
	}
	/* etc/default/grub alone: grub-mkconfig has not run, or grub.cfg is elsewhere. */
	nb->loader = nb->has_grub_defaults ? BOOT_GRUB : BOOT_UNKNOWN;
	return -ENOENT;
}

void next_boot_free(struct next_boot *nb)
{
	free(nb->cmdline);
	free(nb->pending);
	memset(nb, 0, sizeof(*nb));
}

const char *boot_loader_name(enum boot_loader l)
{
	switch (l) {
	case BOOT_GRUB:
		return "grub";
	case BOOT_BLS:
		return "bls";
	case BOOT_KERNEL_INSTALL:
		return "kernel-install";
	default:
		return "unknown";
	}
}
