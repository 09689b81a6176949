// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-claim verify: proof that every claim holds now and will at the next
 * boot. Now: each claimed device is present with its ID, on vfio-pci, in a
 * viable group, with the IOMMU and interrupt remapping on. Next boot: the
 * generated files match the config, vfio_claim and vfio-pci exist for the
 * kernel, the initramfs holds them and the same files as /etc, and each
 * native driver cannot get there first (built in, or loaded without the
 * softdep). Setups made the guides' way (blacklist + options vfio-pci ids=)
 * are judged too: whether the blacklist really stops the driver, and why not.
 * Every problem is one line with the command that fixes it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifacts.h"
#include "claimsetup.h"
#include "config.h"
#include "exitcode.h"
#include "genfile.h"
#include "initramfs.h"
#include "json.h"
#include "kmodinfo.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "readiness.h"
#include "resolve.h"

/* The package's static rule, as installed; see udev/. */
#define PACKAGE_RULE "60-vfio-claim.rules"

struct check {
	char subject[64];	/* a device address, a file, "iommu", a module... */
	char name[32];		/* what was checked */
	bool ok;
	char message[512];
	char fix[512];
};

struct checks {
	struct check *v;
	int n;
};

static void add_check(struct checks *c, bool ok, const char *subject, const char *name,
		      const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void add_check(struct checks *c, bool ok, const char *subject, const char *name,
		      const char *fix, const char *fmt, ...)
{
	struct check *v = realloc(c->v, sizeof(*v) * (size_t)(c->n + 1));
	va_list ap;

	if (!v)
		return;
	c->v = v;
	v = &v[c->n++];
	memset(v, 0, sizeof(*v));
	v->ok = ok;
	snprintf(v->subject, sizeof(v->subject), "%s", subject);
	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->fix, sizeof(v->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
}

static bool checks_failed(const struct checks *c)
{
	for (int i = 0; i < c->n; i++)
		if (!c->v[i].ok)
			return true;
	return false;
}

static bool wanted(int argc, char **argv, const struct pci_dev *d)
{
	if (!argc)
		return true;
	for (int i = 0; i < argc; i++) {
		struct vc_pci_addr a;

		if (!vc_parse_addr(argv[i], strlen(argv[i]), &a) && vc_addr_equal(&a, &d->addr))
			return true;
	}
	return false;
}

/*
 * The host, from the readiness check: what the claims need (the IOMMU now and
 * at the next boot, interrupt remapping, vfio), or with nothing claimed every
 * item; a FAIL is a problem, a PASS an ok line.
 */
static void check_host(const struct readiness *host, bool every_scope, struct checks *c)
{
	for (int i = 0; i < host->n; i++) {
		const struct ready_item *it = &host->v[i];

		if (!every_scope && it->scope != SCOPE_CLAIM)
			continue;
		if (it->state == READY_FAIL || it->state == READY_PASS)
			add_check(c, it->state == READY_PASS, it->name, "host", it->fix, "%s", it->message);
	}
}

/* Whether modprobe.d or the command line gives vfio-pci an ids= list: a setup made by hand. */
static bool hand_made_setup(struct context *ctx)
{
	static const char *const dirs[] = { "etc/modprobe.d", "run/modprobe.d", "usr/lib/modprobe.d",
					    "lib/modprobe.d" };
	char cmdline[4096] = "";
	bool found = false;

	sysroot_read(&ctx->root, "proc/cmdline", cmdline, sizeof(cmdline));
	if (strstr(cmdline, "vfio-pci.ids=") || strstr(cmdline, "vfio_pci.ids="))
		return true;
	for (size_t i = 0; !found && i < ARRAY_SIZE(dirs); i++) {
		DIR *dir = sysroot_opendir(&ctx->root, dirs[i]);
		struct dirent *ent;

		while (dir && !found && (ent = readdir(dir))) {
			_cleanup_free_ char *text = NULL;
			char path[600], *save = NULL;

			if (ent->d_name[0] == '.' || !strstr(ent->d_name, ".conf"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[i], ent->d_name);
			if (sysroot_read_all(&ctx->root, path, &text) < 0)
				continue;
			for (char *line = strtok_r(text, "\n", &save); line && !found;
			     line = strtok_r(NULL, "\n", &save)) {
				line += strspn(line, " \t");
				found = (!strncmp(line, "options vfio-pci ", 17) ||
					 !strncmp(line, "options vfio_pci ", 17)) && strstr(line, "ids=");
			}
		}
		if (dir)
			closedir(dir);
	}
	return found;
}

/* Now: present, on vfio-pci, group viable. */
static void check_devices_now(const struct machine *m, const struct resolution *res,
			      const struct config *cfg, int argc, char **argv, struct checks *c)
{
	(void)cfg;
	for (int i = 0; i < res->n_findings; i++) {
		const struct finding *f = &res->findings[i];
		char subject[64], fix[256];

		if (f->kind == FIND_SEVERAL || f->kind == FIND_HOST_NEEDS || f->kind == FIND_BRIDGE)
			continue;
		if (f->dev && !wanted(argc, argv, f->dev))
			continue;
		if (f->claim->kind == CLAIM_SLOT)
			vc_format_addr(subject, &f->claim->slot.addr);
		else
			snprintf(subject, sizeof(subject), "%04x:%04x", f->claim->id.vendor, f->claim->id.device);
		if (f->kind == FIND_ABSENT)
			snprintf(fix, sizeof(fix), "check the hardware, or 'vfio-claim remove %s'", subject);
		else if (f->kind == FIND_ID_MISMATCH)
			snprintf(fix, sizeof(fix), "'vfio-claim remove %s', then 'vfio-claim add' the right device", subject);
		else if (f->kind == FIND_NO_MATCH)
			snprintf(fix, sizeof(fix), "check the hardware, or 'vfio-claim remove %s'", subject);
		else
			snprintf(fix, sizeof(fix), "edit the claim");
		add_check(c, false, subject, "present", fix, "%s", f->text);
	}
	for (int i = 0; i < res->n; i++) {
		const struct pci_dev *d = res->devs[i].dev;
		const struct iommu_group *g = groups_find(&m->groups, d->group);
		char fix[256], subject[32];
		bool seen = false;

		if (!wanted(argc, argv, d))
			continue;
		snprintf(fix, sizeof(fix), "vfio-claim bind %s", d->name);
		if (pci_driver_is_vfio(d->driver))
			add_check(c, true, d->name, "bound", NULL, "on %s", d->driver);
		else
			add_check(c, false, d->name, "bound", fix, "on %s, not vfio-pci",
				  d->driver ? d->driver : "no driver");
		/* A group is judged once, with the first of its claimed devices. */
		for (int k = 0; k < i; k++)
			seen |= res->devs[k].dev->group == d->group && wanted(argc, argv, res->devs[k].dev);
		if (!g || seen)
			continue;
		snprintf(subject, sizeof(subject), "IOMMU group %d", g->number);
		if (g->verdict == VERDICT_READY) {
			add_check(c, true, subject, "viable", NULL, "can go to a guest");
			continue;
		}
		for (int k = 0; k < g->n_not_now; k++) {
			const struct reason *r = &g->not_now[k];
			char text[256];

			if (resolution_find(res, r->dev))
				continue;	/* a claimed device: its own line says it */
			reason_text(r, text, sizeof(text));
			snprintf(fix, sizeof(fix), "vfio-claim add --group %s, then 'vfio-claim bind --group %s'",
				 d->name, d->name);
			add_check(c, false, subject, "viable", fix, "is not viable: %s is %s, not claimed",
				  r->dev->name, text);
		}
		for (int k = 0; k < g->n_blockers; k++) {
			const struct reason *r = &g->blockers[k];
			char text[256];

			reason_text(r, text, sizeof(text));
			add_check(c, false, subject, "viable",
				  "the host needs it: remove the claim ('vfio-claim remove') or move the card",
				  "holds %s, %s", r->dev->name, text);
		}
	}
}

/* The loaded module claims what the config says, for devices added from now on. */
static void check_module_now(struct context *ctx, const struct artifacts *a, struct checks *c)
{
	static const char *const names[] = { "slots", "ids" };
	const char *want[] = { a->slots, a->ids };

	if (!sysroot_exists(&ctx->root, "sys/module/vfio_claim")) {
		add_check(c, false, "vfio_claim", "loaded", "modprobe vfio_claim",
			  "is not loaded: a device added now (hotplug, SR-IOV VF) would not be claimed");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char path[128], have[4096];

		snprintf(path, sizeof(path), "sys/module/vfio_claim/parameters/%s", names[i]);
		if (sysroot_read(&ctx->root, path, have, sizeof(have)) < 0)
			have[0] = '\0';
		if (streq(have, want[i]))
			add_check(c, true, "vfio_claim", "loaded", NULL, "%s=%s as configured", names[i], have);
		else
			add_check(c, false, "vfio_claim", "loaded", "vfio-claim apply",
				  "the loaded module has %s=%s, the config says %s=%s", names[i],
				  have[0] ? have : "(empty)", names[i], want[i][0] ? want[i] : "(empty)");
	}
}

/* The generated files match what apply would write now. */
static void check_files(struct context *ctx, const struct config *cfg, const struct resolution *res,
			const struct machine *m, struct kmodinfo *kmod, struct checks *c)
{
	struct genfile files[2] = { { .path = ARTIFACT_MODPROBE }, { .path = ARTIFACT_UDEV } };
	struct artifacts a;

	if (artifacts_build(cfg, res, m, kmod, &a) < 0)
		return;
	check_module_now(ctx, &a, c);
	files[0].want = a.modprobe;
	files[1].want = a.udev;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char subject[128];

		snprintf(subject, sizeof(subject), "/%s", files[i].path);
		if (genfile_read(&ctx->root, &files[i]) < 0)
			continue;
		if (!genfile_changed(&files[i]))
			add_check(c, true, subject, "applied", NULL, "matches the config");
		else if (files[i].foreign)
			add_check(c, false, subject, "applied", "move it away, then 'vfio-claim apply'",
				  "was not written by vfio-claim");
		else
			add_check(c, false, subject, "applied", "vfio-claim apply",
				  files[i].have ? "does not match /%s: the config changed since the last apply" :
						  "is missing: the config was never applied",
				  CONFIG_MAIN);
		free(files[i].have);
	}
	artifacts_free(&a);
}

/* A file in the initramfs is the same as under the root. */
static void compare_in_initramfs(struct context *ctx, const struct initramfs *ir, const char *rel,
				 bool required, struct checks *c)
{
	_cleanup_free_ char *inside = initramfs_path(ir, rel);
	_cleanup_free_ char *have = NULL, *packed = NULL;
	char subject[128];
	FILE *f;

	/* Hooks may put udev rules from /etc into the image's /lib/udev/rules.d. */
	if (!inside && strncmp(rel, "etc/udev/rules.d/", 17) == 0) {
		char alt[300];

		snprintf(alt, sizeof(alt), "lib/udev/rules.d/%s", rel + 17);
		inside = initramfs_path(ir, alt);
		if (!inside) {
			snprintf(alt, sizeof(alt), "usr/lib/udev/rules.d/%s", rel + 17);
			inside = initramfs_path(ir, alt);
		}
	}
	snprintf(subject, sizeof(subject), "/%s", rel);
	if (sysroot_read_all(&ctx->root, rel, &have) < 0) {
		if (inside)
			add_check(c, false, subject, "initramfs", "vfio-claim apply --initramfs",
				  "is gone from /etc but still in /%s: the initramfs is stale", ir->image);
		return;
	}
	if (!inside) {
		if (required)
			add_check(c, false, subject, "initramfs", "vfio-claim apply --initramfs",
				  "is not in /%s: the initramfs was built before it was written", ir->image);
		return;
	}
	f = fopen(inside, "re");
	if (f) {
		size_t size = 0;
		FILE *mem = open_memstream(&packed, &size);
		int ch;

		while (mem && (ch = fgetc(f)) != EOF)
			fputc(ch, mem);
		if (mem)
			fclose(mem);
		fclose(f);
	}
	if (packed && streq(packed, have))
		add_check(c, true, subject, "initramfs", NULL, "in /%s and identical", ir->image);
	else
		add_check(c, false, subject, "initramfs", "vfio-claim apply --initramfs",
			  "differs in /%s: the initramfs is stale (built before the last change)", ir->image);
}

/*
 * The initramfs against /etc. With claims: it holds the module, vfio-pci and
 * the same generated files. Without: it must not hold an earlier apply's files,
 * or the next boot claims the devices all the same. With a hand-made setup
 * (by_hand) or claims: the user's modprobe.d files are in it too.
 */
static void check_initramfs(struct context *ctx, const char *kver, const struct config *cfg,
			    bool by_hand, struct checks *c)
{
	struct initramfs ir;
	char fix[256], rule[128];
	int r = initramfs_open(&ctx->root, kver, &ir);

	/* Nothing claimed, no initramfs: nothing in it to claim either. */
	if (r == -ENOENT && !cfg->n && !by_hand)
		return;
	if (r == -ENOENT) {
		snprintf(fix, sizeof(fix), "update-initramfs -c -k %s", kver);
		add_check(c, false, "initramfs", "present", fix, "no initramfs for %s (/%s)", kver, ir.image);
		return;
	}
	if (r == -ENOEXEC) {
		add_check(c, false, "initramfs", "inspected", "apt-get install initramfs-tools-core",
			  "cannot look into /%s: unmkinitramfs is missing", ir.image);
		return;
	}
	if (r < 0) {
		add_check(c, false, "initramfs", "inspected", "update-initramfs -u",
			  "cannot unpack /%s: %s", ir.image, r == -EIO ? "unmkinitramfs failed" : strerror(-r));
		initramfs_close(&ir);
		return;
	}
	if (!cfg->n) {
		compare_in_initramfs(ctx, &ir, ARTIFACT_MODPROBE, false, c);
		compare_in_initramfs(ctx, &ir, ARTIFACT_UDEV, false, c);
		compare_in_initramfs(ctx, &ir, CONFIG_MAIN, false, c);
	} else {
		add_check(c, initramfs_has_module(&ir, "vfio_claim"), "vfio_claim", "initramfs",
			  "vfio-claim apply --initramfs", "%s /%s",
			  initramfs_has_module(&ir, "vfio_claim") ? "is in" : "is not in", ir.image);
		add_check(c, initramfs_has_module(&ir, "vfio_pci") || initramfs_has_module(&ir, "vfio-pci"),
			  "vfio_pci", "initramfs", "vfio-claim apply --initramfs", "%s /%s",
			  initramfs_has_module(&ir, "vfio_pci") || initramfs_has_module(&ir, "vfio-pci") ?
				  "is in" : "is not in",
			  ir.image);
		compare_in_initramfs(ctx, &ir, ARTIFACT_MODPROBE, true, c);
		compare_in_initramfs(ctx, &ir, ARTIFACT_UDEV, true, c);
		compare_in_initramfs(ctx, &ir, CONFIG_MAIN, false, c);
		snprintf(rule, sizeof(rule), "usr/lib/udev/rules.d/%s", PACKAGE_RULE);
		if (!initramfs_path(&ir, rule)) {
			char *alt;

			snprintf(rule, sizeof(rule), "lib/udev/rules.d/%s", PACKAGE_RULE);
			alt = initramfs_path(&ir, rule);
			add_check(c, alt != NULL, PACKAGE_RULE, "initramfs", "vfio-claim apply --initramfs",
				  "%s /%s", alt ? "is in" : "is not in", ir.image);
			free(alt);
		}
	}
	/* Blacklists users wrote (the guides' way) go stale the same way. */
	if (cfg->n || by_hand) {
		DIR *dir = sysroot_opendir(&ctx->root, "etc/modprobe.d");
		struct dirent *ent;

		while (dir && (ent = readdir(dir))) {
			char rel[300];

			if (ent->d_name[0] == '.' || !strstr(ent->d_name, ".conf"))
				continue;
			snprintf(rel, sizeof(rel), "etc/modprobe.d/%s", ent->d_name);
			if (streq(rel, ARTIFACT_MODPROBE))
				continue;
			compare_in_initramfs(ctx, &ir, rel, true, c);
		}
		if (dir)
			closedir(dir);
	}
	initramfs_close(&ir);
}

/* Why a blacklist of NAME does not stop it, or NULL when it does. */
static const char *blacklist_leak(struct kmodinfo *k, const char *cmdline, const char *name,
				  char *buf, size_t size)
{
	_cleanup_free_ char *deps = kmodinfo_dependents(k, name);
	_cleanup_free_ char *soft = kmodinfo_softdep_users(k, name);
	char arg[128];

	snprintf(arg, sizeof(arg), "module_blacklist=%s", name);
	if (strstr(cmdline, arg))
		return NULL;	/* stops every load path */
	if (deps) {
		snprintf(buf, size, "it is a dependency of %s, and loading those loads it despite the blacklist", deps);
		return buf;
	}
	if (soft) {
		snprintf(buf, size, "it is a softdep of %s, and modprobe loads softdeps despite the blacklist", soft);
		return buf;
	}
	return NULL;
}

/* A built-in driver binds at boot before any module loads: only 'rebind' takes the device. */
static void check_builtin(const char *driver, const char *kver, const struct claimed *cd,
			  struct checks *c)
{
	char fix[256];

	snprintf(fix, sizeof(fix), "add 'rebind' to the claim at /%s:%d ('vfio-claim add --rebind %s'), then 'vfio-claim apply --initramfs'",
		 cd->claim->file, cd->claim->line, cd->dev->name);
	add_check(c, cd->claim->rebind, cd->dev->name, "native-driver", fix,
		  "%s is built into %s and binds it at boot before any module loads%s", driver, kver,
		  cd->claim->rebind ? "; the claim has 'rebind', so vfio_claim takes it at load" :
				      "; a blacklist cannot stop it");
}

/* Next boot: the native drivers of the claimed devices cannot get there first. */
static void check_natives(struct context *ctx, struct kmodinfo *k, const char *kver,
			  const struct resolution *res, int argc, char **argv, struct checks *c)
{
	for (int i = 0; i < res->n; i++) {
		const struct pci_dev *d = res->devs[i].dev;
		struct native_module *mods;
		char alias[128];
		int n;

		if (!wanted(argc, argv, d))
			continue;
		/* Bound now to a built-in driver: whatever the module index says. */
		if (d->driver && !pci_driver_is_vfio(d->driver) && pci_driver_builtin(&ctx->root, d->driver)) {
			check_builtin(d->driver, kver, &res->devs[i], c);
			continue;
		}
		pci_modalias(d, alias, sizeof(alias));
		if (kmodinfo_lookup(k, alias, &mods, &n) < 0)
			continue;
		for (int j = 0; j < n; j++) {
			const struct native_module *nm = &mods[j];
			char subject[96];

			if (streq(nm->name, "vfio_pci") || streq(nm->name, "vfio_claim"))
				continue;
			snprintf(subject, sizeof(subject), "%s", d->name);
			if (nm->builtin) {
				check_builtin(nm->name, kver, &res->devs[i], c);
			} else if (kmodinfo_softdep_pre_has(k, nm->name, "vfio_claim")) {
				add_check(c, true, subject, "native-driver", NULL,
					  "%s loads vfio_claim first (softdep)", nm->name);
			} else {
				add_check(c, false, subject, "native-driver", "vfio-claim apply",
					  "%s can load before vfio_claim: no 'softdep %s pre: vfio_claim'",
					  nm->name, nm->name);
			}
		}
		native_modules_free(mods, n);
	}
}

/* The guides' way: options vfio-pci ids= with blacklists or softdeps. True when there is one. */
static bool check_guides_way(struct context *ctx, struct kmodinfo *k, const struct machine *m,
			     const struct resolution *res, struct checks *c)
{
	_cleanup_free_ char *ids = kmodinfo_option(k, "vfio_pci", "ids");
	char cmdline[4096] = "";
	size_t pos = 0, len;
	const char *item;

	if (!ids)
		return false;
	sysroot_read(&ctx->root, "proc/cmdline", cmdline, sizeof(cmdline));
	while (vc_next_item(ids, strlen(ids), &pos, &item, &len)) {
		struct vc_pci_id id;
		char idtext[40];
		int matches = 0;

		snprintf(idtext, sizeof(idtext), "%.*s", (int)len, item);
		if (vc_parse_id(item, len, &id)) {
			add_check(c, false, "vfio_pci", "ids", "fix 'options vfio-pci ids=' in /etc/modprobe.d",
				  "'options vfio-pci ids=' has '%s', which is not an ID", idtext);
			continue;
		}
		for (int i = 0; i < m->pci.n; i++)
			matches += vc_id_matches(&id, m->pci.devs[i].vendor, m->pci.devs[i].device,
						 m->pci.devs[i].subvendor, m->pci.devs[i].subdevice);
		for (int i = 0; i < m->pci.n; i++) {
			const struct pci_dev *d = &m->pci.devs[i];
			struct native_module *mods;
			char alias[128], why[300], fix[256];
			int n;

			if (!vc_id_matches(&id, d->vendor, d->device, d->subvendor, d->subdevice))
				continue;
			snprintf(fix, sizeof(fix), "vfio-claim add %s && vfio-claim apply --initramfs", d->name);
			if (matches > 1 && !resolution_find(res, d))
				add_check(c, false, d->name, "ids", fix,
					  "'options vfio-pci ids=%s' takes every device with that ID (%d here), this one too",
					  idtext, matches);
			pci_modalias(d, alias, sizeof(alias));
			if (kmodinfo_lookup(k, alias, &mods, &n) < 0)
				continue;
			for (int j = 0; j < n; j++) {
				const struct native_module *nm = &mods[j];
				bool softdep = kmodinfo_softdep_pre_has(k, nm->name, "vfio_pci");
				const char *leak;

				if (streq(nm->name, "vfio_pci") || streq(nm->name, "vfio_claim"))
					continue;
				if (resolution_find(res, d) && kmodinfo_softdep_pre_has(k, nm->name, "vfio_claim"))
					continue;	/* vfio-claim holds it; the ids= line is moot */
				if (nm->builtin) {
					add_check(c, false, d->name, "ids", fix,
						  "'options vfio-pci ids=%s' cannot work: %s is built in and binds it before vfio-pci loads; blacklisting it does nothing",
						  idtext, nm->name);
				} else if (nm->install) {
					add_check(c, true, d->name, "ids", NULL,
						  "%s is replaced by an install command ('%s'), so vfio-pci gets it",
						  nm->name, nm->install);
				} else if (nm->blacklisted || strstr(cmdline, nm->name)) {
					leak = blacklist_leak(k, cmdline, nm->name, why, sizeof(why));
					if (leak)
						add_check(c, false, d->name, "blacklist", fix,
							  "'blacklist %s' does not stop %s: %s", nm->name, nm->name, leak);
					else if (!softdep)
						add_check(c, false, d->name, "ids", fix,
							  "'options vfio-pci ids=%s' relies on %s being blacklisted, but nothing loads vfio-pci (it never loads from a device's modalias): add 'softdep %s pre: vfio-pci'",
							  idtext, nm->name, nm->name);
					else
						add_check(c, true, d->name, "ids", NULL,
							  "%s is blacklisted and vfio-pci loads first (softdep)", nm->name);
				} else if (softdep) {
					add_check(c, true, d->name, "ids", NULL,
						  "%s loads vfio-pci first (softdep), and vfio-pci takes it by ids=%s",
						  nm->name, idtext);
				} else {
					add_check(c, false, d->name, "ids", fix,
						  "'options vfio-pci ids=%s' loses the race: %s is neither blacklisted nor soft-dependent on vfio-pci, and udev loads it first",
						  idtext, nm->name);
				}
			}
			native_modules_free(mods, n);
		}
	}
	return true;
}

/*
 * With nothing claimed (nothing) the host's report comes first, as 'check'
 * prints it, then any other problem, then that nothing is claimed.
 */
static void print_checks(const struct checks *c, bool json, const struct readiness *host, bool nothing)
{
	int failed = 0, other = 0;

	for (int i = 0; i < c->n; i++) {
		failed += !c->v[i].ok;
		other += !c->v[i].ok && !streq(c->v[i].name, "host");
	}
	if (!json && nothing) {
		readiness_print(host);
		for (int i = 0; i < c->n; i++)
			if (!c->v[i].ok && !streq(c->v[i].name, "host"))
				printf("%s: %s; fix: %s\n", c->v[i].subject, c->v[i].message, c->v[i].fix);
		if (other)
			printf("%d problem(s)\n", other);
		else
			printf("nothing is claimed: /%s has no claims and modprobe.d has no 'options vfio-pci ids='; 'vfio-claim list' shows the devices, 'vfio-claim add DEVICE' claims one\n",
			       CONFIG_MAIN);
		return;
	}
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_bool(&j, "ok", failed == 0);
		json_kv_int(&j, "problems", failed);
		json_key(&j, "checks");
		json_array_begin(&j);
		for (int i = 0; i < c->n; i++) {
			json_object_begin(&j);
			json_kv_string(&j, "subject", c->v[i].subject);
			json_kv_string(&j, "check", c->v[i].name);
			json_kv_bool(&j, "ok", c->v[i].ok);
			json_kv_string(&j, "message", c->v[i].message);
			json_kv_string(&j, "fix", c->v[i].ok ? NULL : c->v[i].fix);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_kv_bool(&j, "claims", !nothing);
		json_key(&j, "host");
		readiness_json(&j, host);
		json_object_end(&j);
		json_finish(&j);
		return;
	}
	for (int i = 0; i < c->n; i++) {
		const struct check *k = &c->v[i];

		if (k->ok) {
			if (log_max_level >= LOG_INFO)
				printf("ok: %s: %s\n", k->subject, k->message);
			continue;
		}
		printf("%s: %s; fix: %s\n", k->subject, k->message, k->fix);
	}
	if (failed)
		printf("%d problem(s)\n", failed);
	else
		printf("ok: %d checks hold now and for the next boot\n", c->n);
}

/* Every check for the loaded setup, printed; the exit code. */
static int verify_setup(struct context *ctx, struct claim_setup *s, int argc, char **argv)
{
	struct checks checks = { 0 };
	struct kmodinfo *kmod = s->kmod;
	const char *kver = s->kver;
	_cleanup_free_ char *ids = kmod ? kmodinfo_option(kmod, "vfio_pci", "ids") : NULL;
	/* Nothing to verify but the host: no claims and no ids= line made by hand. */
	bool nothing = !s->cfg.n && !ids;
	struct readiness host;
	int code = 0;
	bool by_hand;

	if (readiness_run(&ctx->root, &s->m, &s->res, &host) < 0) {
		ERR("checking the host: %s", strerror(ENOMEM));
		return EXIT_UNAVAILABLE;
	}
	check_host(&host, nothing, &checks);
	check_devices_now(&s->m, &s->res, &s->cfg, argc, argv, &checks);
	if (s->cfg.n) {
		int avail = kmodinfo_available(kmod, "vfio_claim");
		char fix[256];

		snprintf(fix, sizeof(fix), "dkms autoinstall -k %s (from the vfio-claim-dkms package)", kver);
		add_check(&checks, avail > 0, "vfio_claim", "installed", fix, "%s for %s",
			  avail ? "is installed" : "is not installed", kver);
		add_check(&checks, kmodinfo_available(kmod, "vfio_pci") > 0, "vfio_pci", "installed",
			  "install the kernel's modules package", "%s for %s",
			  kmodinfo_available(kmod, "vfio_pci") ? "is available" : "is missing", kver);
		check_files(ctx, &s->cfg, &s->res, &s->m, kmod, &checks);
		check_natives(ctx, kmod, kver, &s->res, argc, argv, &checks);
	}
	/* Whether there is anything to verify is the config and an ids= line, not a count of checks. */
	by_hand = kmod && check_guides_way(ctx, kmod, &s->m, &s->res, &checks);
	/* A config without claims may be one whose claims were removed: look too. */
	if (s->cfg.n || by_hand || sysroot_exists(&ctx->root, CONFIG_MAIN))
		check_initramfs(ctx, kver, &s->cfg, by_hand, &checks);
	print_checks(&checks, ctx->json, &host, nothing);
	if (checks_failed(&checks))
		code = EXIT_CHECK_FAILED;
	readiness_free(&host);
	free(checks.v);
	return code;
}

static int run_verify(struct context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{},
	};
	struct claim_setup s;
	int c, code = 0;

	while ((c = getopt_long(argc, argv, GLOBAL_SHORT_OPTIONS, options, NULL)) != -1)
		if (handle_global_option(ctx, &cmd_verify, c, &code) < 0)
			return code;
	code = claim_setup_load_config(ctx, &cmd_verify, argc - optind, argv + optind, &s);
	/* The module index is needed for claims and hand-made setups only. */
	if (!code && (s.cfg.n || hand_made_setup(ctx)))
		code = kmodinfo_open_or_report(ctx, &s.kmod, s.kver, sizeof(s.kver));
	else if (!code && kmodinfo_open(&ctx->root, &s.kmod, s.kver, sizeof(s.kver)) < 0)
		s.kmod = NULL;
	if (!code)
		code = verify_setup(ctx, &s, argc - optind, argv + optind);
	claim_setup_free(&s);
	return code;
}

const struct command cmd_verify = {
	.name = "verify",
	.run = run_verify,
	.summary = "check every claim holds now and at the next boot, and print the fix",
	.usage = "verify [DEVICE...]\n"
		 "\n"
		 "Check each claim of /etc/vfio-claim.conf (or only those of DEVICE):\n"
		 "  now        present with its expected ID, on vfio-pci, its IOMMU group viable,\n"
		 "             the IOMMU and interrupt remapping on;\n"
		 "  next boot  the generated files match the config; vfio_claim and vfio-pci exist\n"
		 "             for the kernel; the initramfs holds them and the same files as /etc;\n"
		 "             no native driver gets there first (built in, or without the softdep).\n"
		 "Setups made by hand ('blacklist X' and 'options vfio-pci ids=') are judged too:\n"
		 "whether the blacklist really stops the driver, and why not.\n"
		 "The host's readiness ('vfio-claim check') comes first: what the claims need (the\n"
		 "IOMMU now and at the next boot, interrupt remapping, vfio) is checked with them;\n"
		 "with nothing claimed, the whole report is printed, then that nothing is claimed.\n"
		 "One line per problem with the command that fixes it; -v shows what holds.\n"
		 "\n"
		 "Exit status: 0 when everything holds, 1 when something does not.\n",
};
