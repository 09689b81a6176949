// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libkmod.h>

#include "kmodinfo.h"
#include "log.h"
#include "macro.h"

struct kmodinfo {
	struct kmod_ctx *ctx;
	char *dirname;		/* lib/modules/KVER, as a host path */
	char **blacklist;	/* modprobe.d and the root's modprobe.blacklist=, as names */
	int n_blacklist;
	char **hard_blacklist;	/* the root's module_blacklist= */
	int n_hard_blacklist;
	int n_host_options;	/* the tail of libkmod's options that came from the host's cmdline */
	char **cmd_module, **cmd_param, **cmd_value;	/* the root's MODULE.PARAM=VALUE */
	int n_cmd;
};

static void route_log(void *data, int priority, const char *file, int line, const char *fn,
		      const char *format, va_list args)
{
	char msg[512];

	(void)data;
	(void)file;
	(void)line;
	(void)fn;
	vsnprintf(msg, sizeof(msg), format, args);
	msg[strcspn(msg, "\n")] = '\0';
	if (priority <= 3)
		WRN("libkmod: %s", msg);
	else
		DBG("libkmod: %s", msg);
}

int kmodinfo_find_kver(const struct sysroot *root, char *kver, size_t size)
{
	char buf[256];
	struct dirent *ent;
	int found = 0;
	DIR *dir;

	if (sysroot_read(root, "proc/sys/kernel/osrelease", buf, sizeof(buf)) > 0) {
		snprintf(kver, size, "%s", buf);
		return 0;
	}
	dir = sysroot_opendir(root, "lib/modules");
	if (!dir)
		return -ENOENT;
	while ((ent = readdir(dir))) {
		if (ent->d_name[0] == '.')
			continue;
		snprintf(kver, size, "%s", ent->d_name);
		found++;
	}
	closedir(dir);
	return found == 1 ? 0 : -ENOENT;
}

static char kmodinfo_bad[PATH_MAX + 64];

const char *kmodinfo_bad_file(void)
{
	return kmodinfo_bad;
}

static int bad_file(const char *path, int r)
{
	snprintf(kmodinfo_bad, sizeof(kmodinfo_bad), "/%s", path);
	return r;
}

static int add_word(char ***v, int *n, const char *word)
{
	char **p = realloc(*v, sizeof(*p) * (size_t)(*n + 1));

	if (!p)
		return -ENOMEM;
	*v = p;
	p[*n] = strdup(word);
	if (!p[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* A libkmod context that reads no config file, quiet unless KMOD_LOG asks. */
static struct kmod_ctx *quiet_kmod_new(const char *dirname, const char *const *confs)
{
	bool quiet = !getenv("KMOD_LOG");
	struct kmod_ctx *ctx;

	if (quiet)
		setenv("KMOD_LOG", "0", 1);
	ctx = kmod_new(dirname, confs);
	if (quiet)
		unsetenv("KMOD_LOG");
	return ctx;
}

/*
 * libkmod (30) always appends what it finds on the running host's
 * /proc/cmdline (modprobe.blacklist=, MODULE.PARAM=) to the blacklists and
 * options it read from the config files, with no switch to turn it off
 * (KMOD_NEW_IGNORE_CMDLINE came later). A context given no config file at
 * all holds exactly those entries: count them, so that they can be cut off
 * the tail of the real context's lists. The root's own command line is read
 * by read_root_cmdline() instead.
 */
static int count_host_cmdline(const char *dirname, int *blacklists, int *options)
{
	static const char *const none[] = { "/nonexistent/vfio-claim/no-config", NULL };
	struct kmod_ctx *ctx = quiet_kmod_new(dirname, none);
	struct kmod_config_iter *it;

	*blacklists = *options = 0;
	if (!ctx)
		return -ENOMEM;
	it = kmod_config_get_blacklists(ctx);
	while (it && kmod_config_iter_next(it))
		(*blacklists)++;
	kmod_config_iter_free_iter(it);
	it = kmod_config_get_options(ctx);
	while (it && kmod_config_iter_next(it))
		(*options)++;
	kmod_config_iter_free_iter(it);
	kmod_unref(ctx);
	return 0;
}

/* Module names compare with - and _ alike. */
static bool same_module(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if ((*a == '-' ? '_' : *a) != (*b == '-' ? '_' : *b))
			return false;
	return *a == *b;
}

static int add_list(char ***v, int *n, const char *list)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, ",", &save); t && r == 0; t = strtok_r(NULL, ",", &save)) {
		for (char *c = t; *c; c++)
			if (*c == '-')
				*c = '_';
		r = add_word(v, n, t);
	}
	return r;
}

/*
 * The root's proc/cmdline, as the kernel and modprobe read it: words split
 * on blanks, double quotes kept together (and dropped); modprobe.blacklist=
 * and module_blacklist= lists; MODULE.PARAM=VALUE options. A missing
 * proc/cmdline is an empty one.
 */
static int read_root_cmdline(const struct sysroot *root, struct kmodinfo *k)
{
	char cmdline[8192] = "", word[4096];
	const char *p = cmdline;
	int r = 0;

	if (sysroot_read(root, "proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		cmdline[0] = '\0';
	while (*p && r == 0) {
		size_t len = 0;
		bool quoted = false;
		char *eq, *dot;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
			if (*p == '"') {
				quoted = !quoted;
				continue;
			}
			if (len + 1 < sizeof(word))
				word[len++] = *p;
		}
		word[len] = '\0';
		eq = strchr(word, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (streq(word, "modprobe.blacklist")) {
			r = add_list(&k->blacklist, &k->n_blacklist, eq + 1);
			continue;
		}
		if (streq(word, "module_blacklist")) {
			r = add_list(&k->hard_blacklist, &k->n_hard_blacklist, eq + 1);
			continue;
		}
		dot = strchr(word, '.');
		if (!dot || dot == word || !dot[1])
			continue;
		*dot = '\0';
		for (char *c = word; *c; c++)
			if (*c == '-')
				*c = '_';
		r = add_word(&k->cmd_module, &k->n_cmd, word);
		if (r == 0) {
			k->n_cmd--;
			r = add_word(&k->cmd_param, &k->n_cmd, dot + 1);
		}
		if (r == 0) {
			k->n_cmd--;
			r = add_word(&k->cmd_value, &k->n_cmd, eq + 1);
		}
	}
	return r;
}

int kmodinfo_open(const struct sysroot *root, struct kmodinfo **out, char *kver, size_t kver_size)
{
	static const char *const confdirs[] = { "etc/modprobe.d", "run/modprobe.d",
						"usr/local/lib/modprobe.d", "usr/lib/modprobe.d",
						"lib/modprobe.d" };
	char dirname[PATH_MAX], index[PATH_MAX + 32];
	char conf[ARRAY_SIZE(confdirs)][PATH_MAX];
	const char *confs[ARRAY_SIZE(confdirs) + 1];
	struct kmod_config_iter *it;
	struct kmodinfo *k;
	int host_blacklists = 0, n;
	size_t nconf = 0;
	int r;

	kver[0] = '\0';
	r = kmodinfo_find_kver(root, kver, kver_size);
	if (r < 0)
		return r;
	/*
	 * libkmod opens these by host path and reads every file of the
	 * modprobe.d directories: first make sure each is a regular file where
	 * the root says (a FIFO would block it, a link could lead out of the tree).
	 */
	snprintf(index, sizeof(index), "lib/modules/%s", kver);
	r = sysroot_host_path(root, index, dirname, sizeof(dirname));
	if (r < 0)
		return r == -EXDEV ? bad_file(index, r) : -ENOENT;
	r = sysroot_check_dir_files(root, index, "modules.", kmodinfo_bad, sizeof(kmodinfo_bad));
	if (r < 0)
		return r;
	snprintf(index, sizeof(index), "%s/modules.dep.bin", dirname);
	if (access(index, R_OK) < 0)
		return -ENOENT;
	for (size_t i = 0; i < ARRAY_SIZE(confdirs); i++) {
		r = sysroot_check_dir_files(root, confdirs[i], NULL, kmodinfo_bad, sizeof(kmodinfo_bad));
		if (r < 0)
			return r;
		r = sysroot_host_path(root, confdirs[i], conf[i], sizeof(conf[i]));
		if (r == -ENOENT)
			continue;	/* not there: nothing to read */
		if (r < 0)
			return bad_file(confdirs[i], r);
		confs[nconf++] = conf[i];
	}
	confs[nconf] = NULL;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	/*
	 * kmod_new() parses modprobe.d before a log function can be set; keep it
	 * quiet there (the commands report what matters) unless KMOD_LOG asks.
	 */
	k->ctx = quiet_kmod_new(dirname, confs);
	k->dirname = strdup(dirname);
	if (!k->ctx || !k->dirname) {
		kmodinfo_close(k);
		return -ENOMEM;
	}
	kmod_set_log_fn(k->ctx, route_log, NULL);
	kmod_set_log_priority(k->ctx, 3);	/* LOG_ERR */
	r = kmod_load_resources(k->ctx);
	if (r < 0) {
		kmodinfo_close(k);
		return r;
	}
	r = count_host_cmdline(dirname, &host_blacklists, &k->n_host_options);
	if (r < 0) {
		kmodinfo_close(k);
		return r;
	}
	/* libkmod parses the host's /proc/cmdline after the files: its entries are the tail. */
	n = 0;
	it = kmod_config_get_blacklists(k->ctx);
	while (it && kmod_config_iter_next(it))
		n++;
	kmod_config_iter_free_iter(it);
	it = kmod_config_get_blacklists(k->ctx);
	for (int i = 0; i < n - host_blacklists && it && kmod_config_iter_next(it); i++) {
		r = add_word(&k->blacklist, &k->n_blacklist, kmod_config_iter_get_key(it));
		if (r < 0)
			break;
	}
	kmod_config_iter_free_iter(it);
	if (r >= 0)
		r = read_root_cmdline(root, k);
	if (r < 0) {
		kmodinfo_close(k);
		return r;
	}
	*out = k;
	return 0;
}

void kmodinfo_close(struct kmodinfo *k)
{
	if (!k)
		return;
	for (int i = 0; i < k->n_blacklist; i++)
		free(k->blacklist[i]);
	free(k->blacklist);
	for (int i = 0; i < k->n_hard_blacklist; i++)
		free(k->hard_blacklist[i]);
	free(k->hard_blacklist);
	for (int i = 0; i < k->n_cmd; i++) {
		free(k->cmd_module[i]);
		free(k->cmd_param[i]);
		free(k->cmd_value[i]);
	}
	free(k->cmd_module);
	free(k->cmd_param);
	free(k->cmd_value);
	free(k->dirname);
	if (k->ctx)
		kmod_unref(k->ctx);
	free(k);
}

static bool is_blacklisted(const struct kmodinfo *k, const char *name)
{
	for (int i = 0; i < k->n_blacklist; i++)
		if (same_module(k->blacklist[i], name))
			return true;
	return false;
}

bool kmodinfo_hard_blacklisted(const struct kmodinfo *k, const char *name)
{
	for (int i = 0; i < k->n_hard_blacklist; i++)
		if (same_module(k->hard_blacklist[i], name))
			return true;
	return false;
}

static char *join_names(struct kmod_list *list)
{
	char buf[1024] = "";
	struct kmod_list *l;
	size_t len = 0;

	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);
		const char *name = kmod_module_get_name(m);

		if (len + strlen(name) + 2 < sizeof(buf))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? " " : "", name);
		kmod_module_unref(m);
	}
	return len ? strdup(buf) : NULL;
}

bool kmodinfo_valid_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= 64)	/* MODULE_NAME_LEN */
		return false;
	for (const char *p = name; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
		    *p != '_' && *p != '-')
			return false;
	return true;
}

int kmodinfo_lookup(struct kmodinfo *k, const char *modalias, struct native_module **mods, int *n)
{
	struct kmod_list *list = NULL, *l;
	struct native_module *v = NULL;
	int count = 0, r;

	*mods = NULL;
	*n = 0;
	r = kmod_module_new_from_lookup(k->ctx, modalias, &list);
	if (r < 0)
		return r;
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);
		struct kmod_list *pre = NULL, *post = NULL;
		const char *install = kmod_module_get_install_commands(m);
		struct native_module *p = realloc(v, sizeof(*v) * (size_t)(count + 1));

		if (!p) {
			kmod_module_unref(m);
			r = -ENOMEM;
			break;
		}
		v = p;
		p = &v[count++];
		memset(p, 0, sizeof(*p));
		p->name = strdup(kmod_module_get_name(m));
		/* The index comes from the tree: a name goes into softdep lines only as a token. */
		if (p->name && !kmodinfo_valid_name(p->name)) {
			kmod_module_unref(m);
			r = -EINVAL;
			break;
		}
		p->builtin = kmod_module_get_initstate(m) == KMOD_MODULE_BUILTIN;
		p->blacklisted = is_blacklisted(k, p->name);
		p->install = install ? strdup(install) : NULL;
		if (kmod_module_get_softdeps(m, &pre, &post) == 0) {
			p->softdep_pre = join_names(pre);
			kmod_module_unref_list(pre);
			kmod_module_unref_list(post);
		}
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
	if (r < 0) {
		native_modules_free(v, count);
		return r;
	}
	*mods = v;
	*n = count;
	return 0;
}

void native_modules_free(struct native_module *mods, int n)
{
	for (int i = 0; i < n; i++) {
		free(mods[i].name);
		free(mods[i].install);
		free(mods[i].softdep_pre);
	}
	free(mods);
}

void pci_modalias(const struct pci_dev *d, char *buf, size_t size)
{
	if (d->modalias) {
		snprintf(buf, size, "%s", d->modalias);
		return;
	}
	snprintf(buf, size, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", d->vendor, d->device,
		 d->subvendor, d->subdevice, d->class >> 16, (d->class >> 8) & 0xff, d->class & 0xff);
}

int kmodinfo_available(struct kmodinfo *k, const char *name)
{
	struct kmod_module *m;
	int r = 0;

	if (kmod_module_new_from_name(k->ctx, name, &m) < 0)
		return 0;
	if (kmod_module_get_initstate(m) == KMOD_MODULE_BUILTIN)
		r = 2;
	else if (kmod_module_get_path(m))
		r = 1;
	kmod_module_unref(m);
	return r;
}

/* Does a "pre: a b post: c" value name NAME? */
static bool names_module(const char *value, const char *name)
{
	_cleanup_free_ char *copy = strdup(value ? value : "");
	char *save = NULL;

	for (char *t = copy ? strtok_r(copy, " \t", &save) : NULL; t; t = strtok_r(NULL, " \t", &save))
		if (same_module(t, name))
			return true;
	return false;
}

char *kmodinfo_softdep_users(struct kmodinfo *k, const char *name)
{
	struct kmod_config_iter *it = kmod_config_get_softdeps(k->ctx);
	char buf[512] = "";
	size_t len = 0;

	while (it && kmod_config_iter_next(it)) {
		const char *key = kmod_config_iter_get_key(it);

		if (!same_module(key, name) && names_module(kmod_config_iter_get_value(it), name) &&
		    len + strlen(key) + 2 < sizeof(buf))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? " " : "", key);
	}
	kmod_config_iter_free_iter(it);
	return len ? strdup(buf) : NULL;
}

bool kmodinfo_softdep_pre_has(struct kmodinfo *k, const char *module, const char *pre)
{
	struct kmod_config_iter *it = kmod_config_get_softdeps(k->ctx);
	bool found = false;

	while (!found && it && kmod_config_iter_next(it)) {
		const char *value = kmod_config_iter_get_value(it);
		const char *post = value ? strstr(value, "post:") : NULL;
		_cleanup_free_ char *pre_part = value ? strndup(value, post ? (size_t)(post - value) : strlen(value)) : NULL;

		if (same_module(kmod_config_iter_get_key(it), module) && pre_part)
			found = names_module(pre_part, pre);
	}
	kmod_config_iter_free_iter(it);
	return found;
}

char *kmodinfo_option_from(struct kmodinfo *k, const char *module, const char *param, bool *cmdline)
{
	struct kmod_config_iter *it = kmod_config_get_options(k->ctx);
	size_t plen = strlen(param);
	char *found = NULL;
	int n = 0, files;

	*cmdline = false;
	while (it && kmod_config_iter_next(it))
		n++;
	kmod_config_iter_free_iter(it);
	files = n - k->n_host_options;	/* the rest is the host's command line */
	it = kmod_config_get_options(k->ctx);
	for (int i = 0; i < files && it && kmod_config_iter_next(it); i++) {
		_cleanup_free_ char *copy = NULL;
		char *save = NULL;

		if (!same_module(kmod_config_iter_get_key(it), module))
			continue;
		copy = strdup(kmod_config_iter_get_value(it));
		for (char *t = copy ? strtok_r(copy, " \t", &save) : NULL; t; t = strtok_r(NULL, " \t", &save)) {
			if (strncmp(t, param, plen) == 0 && t[plen] == '=') {
				free(found);	/* the last one wins, as in modprobe */
				found = strdup(t + plen + 1);
			}
		}
	}
	kmod_config_iter_free_iter(it);
	/* The root's command line comes after modprobe.d, and wins (built in, it is all there is). */
	for (int i = 0; i < k->n_cmd; i++) {
		if (same_module(k->cmd_module[i], module) && streq(k->cmd_param[i], param)) {
			free(found);
			found = strdup(k->cmd_value[i]);
			*cmdline = true;
		}
	}
	return found;
}

char *kmodinfo_option(struct kmodinfo *k, const char *module, const char *param)
{
	bool cmdline;

	return kmodinfo_option_from(k, module, param, &cmdline);
}

char *kmodinfo_dependents(struct kmodinfo *k, const char *name)
{
	char path[PATH_MAX], line[4096], buf[512] = "";
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/modules.dep", k->dirname);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *save = NULL, *self;
		char modname[256];

		if (!colon)
			continue;
		*colon = '\0';
		self = strrchr(line, '/');
		self = self ? self + 1 : line;
		snprintf(modname, sizeof(modname), "%.*s", (int)strcspn(self, "."), self);
		for (char *t = strtok_r(colon + 1, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
			char *base = strrchr(t, '/');
			char dep[256];

			base = base ? base + 1 : t;
			snprintf(dep, sizeof(dep), "%.*s", (int)strcspn(base, "."), base);
			if (same_module(dep, name) && len + strlen(modname) + 2 < sizeof(buf)) {
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? " " : "", modname);
				break;
			}
		}
	}
	fclose(f);
	return len ? strdup(buf) : NULL;
}

int kmodinfo_load(struct kmodinfo *k, const char *name)
{
	struct kmod_module *mod = NULL;
	int r = kmod_module_new_from_name(k->ctx, name, &mod);

	if (r < 0)
		return r;
	r = kmod_module_probe_insert_module(mod, 0, NULL, NULL, NULL, NULL);
	kmod_module_unref(mod);
	return r > 0 ? -EPERM : r;	/* > 0: refused by a blacklist flag we do not pass */
}
