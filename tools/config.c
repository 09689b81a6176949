// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "macro.h"

/* One user or group name: POSIX portable filename characters, not starting with '-'. */
static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || len > 32 || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isascii((unsigned char)s[i]) ||
		    (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.'))
			return false;
	return true;
}

bool config_valid_owner(const char *s)
{
	const char *colon = strchr(s, ':');

	if (!colon)
		return valid_name(s, strlen(s));
	return valid_name(s, (size_t)(colon - s)) && valid_name(colon + 1, strlen(colon + 1));
}

int config_parse_line(const char *line, struct claim *claim, char *why, size_t why_size)
{
	_cleanup_free_ char *copy = strdup(line);
	char *save = NULL, *word;

	memset(claim, 0, sizeof(*claim));
	if (!copy) {
		snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	/* A comment starts at '#' anywhere on the line. */
	copy[strcspn(copy, "#")] = '\0';
	word = strtok_r(copy, " \t\r\n", &save);
	if (!word)
		return 1;

	if (strchr(word, '.')) {
		if (vc_parse_slot(word, strlen(word), &claim->slot)) {
			snprintf(why, why_size,
				 "'%s' is not ADDRESS@VENDOR:DEVICE (like 0000:0a:00.0@10de:1c03)", word);
			return -EINVAL;
		}
		if (!claim->slot.has_id) {
			snprintf(why, why_size,
				 "'%s' needs the ID expected there (%s@VENDOR:DEVICE), so that a renumbered bus cannot hand the claim to another device; 'vfio-claim add' writes it",
				 word, word);
			return -EINVAL;
		}
		claim->kind = CLAIM_SLOT;
	} else {
		if (vc_parse_id(word, strlen(word), &claim->id)) {
			snprintf(why, why_size,
				 "'%s' is neither ADDRESS@VENDOR:DEVICE nor VENDOR:DEVICE[:SUBVENDOR:SUBDEVICE]",
				 word);
			return -EINVAL;
		}
		claim->kind = CLAIM_ID;
	}

	while ((word = strtok_r(NULL, " \t\r\n", &save))) {
		if (streq(word, "group")) {
			if (claim->whole_group)
				goto repeated;
			claim->whole_group = true;
		} else if (streq(word, "rebind")) {
			if (claim->rebind)
				goto repeated;
			claim->rebind = true;
		} else if (streq(word, "force")) {
			if (claim->force)
				goto repeated;
			claim->force = true;
		} else if (streq(word, "partial")) {
			if (claim->partial)
				goto repeated;
			claim->partial = true;
		} else if (strncmp(word, "owner=", 6) == 0) {
			if (claim->owner)
				goto repeated;
			if (!config_valid_owner(word + 6)) {
				snprintf(why, why_size, "'%s': owner= takes USER or USER:GROUP", word);
				return -EINVAL;
			}
			claim->owner = strdup(word + 6);
			if (!claim->owner)
				return -ENOMEM;
		} else {
			snprintf(why, why_size, "unknown option '%s' (options are: group, rebind, force, partial, owner=USER[:GROUP])",
				 word);
			free(claim->owner);
			claim->owner = NULL;
			return -EINVAL;
		}
	}
	return 0;

repeated:
	snprintf(why, why_size, "'%s' given twice", word);
	free(claim->owner);
	claim->owner = NULL;
	return -EINVAL;
}

void config_format_claim(const struct claim *c, char *buf, size_t size)
{
	char addr[VC_ADDR_STRLEN];
	int n;

	if (c->kind == CLAIM_SLOT)
		n = snprintf(buf, size, "%s@%04x:%04x", vc_format_addr(addr, &c->slot.addr),
			     c->slot.vendor, c->slot.device);
	else if (c->id.subvendor == VC_ANY_ID)
		n = snprintf(buf, size, "%04x:%04x", c->id.vendor, c->id.device);
	else
		n = snprintf(buf, size, "%04x:%04x:%04x:%04x", c->id.vendor, c->id.device,
			     c->id.subvendor, c->id.subdevice);
	if (n < 0 || (size_t)n >= size)
		return;
	if (c->whole_group)
		n += snprintf(buf + n, size - (size_t)n, " group");
	if (c->rebind && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, " rebind");
	if (c->force && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, " force");
	if (c->partial && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, " partial");
	if (c->owner && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " owner=%s", c->owner);
}

static int load_file(const struct sysroot *root, const char *path, struct config *cfg,
		     struct config_error *err)
{
	_cleanup_free_ char *text = NULL;
	char *line, *next;
	int r, lineno = 0;

	r = sysroot_read_capped(root, path, CONFIG_MAX_BYTES, &text);
	if (r == -ENOENT) {
		struct stat st;

		if (sysroot_lstat(root, path, &st) < 0 || !S_ISLNK(st.st_mode))
			return 0;
		/* A link to nothing (or to a host path, which is nothing under --root): not an empty config. */
		snprintf(err->text, sizeof(err->text),
			 "/%s: a symbolic link to a file that does not exist under the root; point it at the config or replace it with one",
			 path);
		return r;
	}
	if (r < 0) {
		snprintf(err->text, sizeof(err->text), "/%s: cannot read: %s", path, sysroot_strerror(r));
		return r;
	}
	{
		/* Everything after a NUL would be silently lost (and then deleted by add). */
		const char *nul = memchr(text, '\0', (size_t)r);

		if (nul) {
			int at = 1;

			for (const char *p = text; p < nul; p++)
				at += *p == '\n';
			snprintf(err->text, sizeof(err->text),
				 "/%s:%d: holds a NUL byte (a config is text, and what follows it would be lost)",
				 path, at);
			return -EINVAL;
		}
	}
	cfg->files++;
	for (line = text; line && *line; line = next) {
		struct claim c;
		char why[400];

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		r = config_parse_line(line, &c, why, sizeof(why));
		if (r == 1)
			continue;
		if (r < 0) {
			snprintf(err->text, sizeof(err->text), "/%s:%d: %s", path, lineno, why);
			return r;
		}
		{
			struct claim *v = realloc(cfg->claims, sizeof(*v) * (size_t)(cfg->n + 1));

			if (!v) {
				free(c.owner);
				return -ENOMEM;
			}
			cfg->claims = v;
		}
		c.file = strdup(path);
		c.line = lineno;
		cfg->claims[cfg->n++] = c;
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int config_load(const struct sysroot *root, struct config *cfg, struct config_error *err)
{
	char **names = NULL;
	int n = 0, r;
	DIR *dir;

	memset(cfg, 0, sizeof(*cfg));
	err->text[0] = '\0';
	r = load_file(root, CONFIG_MAIN, cfg, err);
	if (r < 0)
		goto fail;
	dir = sysroot_opendir(root, CONFIG_DIR);
	if (!dir) {
		struct stat st;

		/*
		 * Only a conf.d that is not there at all is empty; one that cannot
		 * be read (a file, a dangling link, EACCES, EIO) hides claims, and
		 * an empty config would make apply delete what they generated.
		 */
		r = -errno;
		if (r == -ENOENT && fstatat(root->fd, CONFIG_DIR, &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = 0;
		if (r < 0) {
			snprintf(err->text, sizeof(err->text),
				 "/%s: cannot read the directory: %s; make it a readable directory (or remove it)",
				 CONFIG_DIR, strerror(-r));
			goto fail;
		}
	}
	if (dir) {
		struct dirent *ent;

		for (errno = 0; (ent = readdir(dir)); errno = 0) {
			size_t len = strlen(ent->d_name);
			char **v;

			if (ent->d_name[0] == '.' || len < 6 || !streq(ent->d_name + len - 5, ".conf"))
				continue;
			v = realloc(names, sizeof(*v) * (size_t)(n + 1));
			if (!v || !(v[n] = strdup(ent->d_name))) {
				free(v ? v : names);
				closedir(dir);
				r = -ENOMEM;
				names = NULL;
				n = 0;
				goto fail;
			}
			names = v;
			n++;
		}
		r = -errno;
		closedir(dir);
		if (r < 0) {
			snprintf(err->text, sizeof(err->text), "/%s: cannot read the directory: %s", CONFIG_DIR,
				 strerror(-r));
			for (int i = 0; i < n; i++)
				free(names[i]);
			free(names);
			goto fail;
		}
	}
	if (n)
		qsort(names, (size_t)n, sizeof(*names), name_cmp);
	for (int i = 0; i < n && r == 0; i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", CONFIG_DIR, names[i]);
		r = load_file(root, path, cfg, err);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (r == 0)
		return 0;
fail:
	config_free(cfg);
	return r;
}

void config_free(struct config *cfg)
{
	for (int i = 0; i < cfg->n; i++) {
		free(cfg->claims[i].owner);
		free(cfg->claims[i].file);
	}
	free(cfg->claims);
	memset(cfg, 0, sizeof(*cfg));
}

void claim_origin_text(const struct claim *c, char *buf, size_t size)
{
	snprintf(buf, size, "/%s:%d", c->file ? c->file : "?", c->line);
}

void claim_subject_text(const struct claim *c, char *buf, size_t size)
{
	char addr[VC_ADDR_STRLEN];

	if (c->kind == CLAIM_SLOT)
		snprintf(buf, size, "%s", vc_format_addr(addr, &c->slot.addr));
	else if (c->id.subvendor == VC_ANY_ID)
		snprintf(buf, size, "%04x:%04x", c->id.vendor, c->id.device);
	else
		snprintf(buf, size, "%04x:%04x:%04x:%04x", c->id.vendor, c->id.device, c->id.subvendor,
			 c->id.subdevice);
}

/*
 * What an updated line keeps of the line it replaces: its inline comment
 * with the blanks before it, or the carriage return of a CRLF file.
 */
static const char *kept_tail(const char *line)
{
	const char *hash = strchr(line, '#');
	size_t len = strlen(line);

	if (hash) {
		while (hash > line && (hash[-1] == ' ' || hash[-1] == '\t'))
			hash--;
		return hash;
	}
	return len && line[len - 1] == '\r' ? line + len - 1 : "";
}

int config_edit_text(const char *old, int lineno, const char *text, char **out)
{
	_cleanup_free_ char *copy = strdup(old);
	char *line, *next, *buf = NULL;
	size_t size = 0;
	FILE *f;
	int n = 0;

	if (!copy)
		return -ENOMEM;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	for (line = copy; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (++n == lineno) {
			if (text)
				fprintf(f, "%s%s\n", text, kept_tail(line));
			continue;
		}
		fprintf(f, "%s\n", line);
	}
	if (lineno == 0)
		fprintf(f, "%s\n", text);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}
