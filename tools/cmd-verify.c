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
#include "bootimage.h"
#include "claimsetup.h"
#include "config.h"
#include "earlyload.h"
#include "exitcode.h"
#include "fleet.h"
#include "genfile.h"
#include "initramfs.h"
#include "json.h"
#include "kmodinfo.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "policy.h"
#include "printable.h"
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
	/*
	 * Regenerating the kernel's initramfs (what 'vfio-claim apply
	 * --initramfs' runs) is the whole fix: set where the check is made,
	 * for tools that must not read the wording (--json "rebuild_initramfs").
	 */
	bool rebuild;
};

struct checks {
	struct check *v;
	int n;
};

/* One check onto c; the message from fmt and ap. The last one is dropped when memory runs out. */
static struct check *vadd_check(struct checks *c, bool ok, const char *subject, const char *name,
				const char *fix, const char *fmt, va_list ap)
{
	struct check *v = realloc(c->v, sizeof(*v) * (size_t)(c->n + 1));

	if (!v)
		return NULL;
	c->v = v;
	v = &v[c->n++];
	memset(v, 0, sizeof(*v));
	v->ok = ok;
	snprintf(v->subject, sizeof(v->subject), "%s", subject);
	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->fix, sizeof(v->fix), "%s", fix ? fix : "");
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	return v;
}

static void add_check(struct checks *c, bool ok, const char *subject, const char *name,
		      const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void add_check(struct checks *c, bool ok, const char *subject, const char *name,
		      const char *fix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd_check(c, ok, subject, name, fix, fmt, ap);
	va_end(ap);
}

/*
 * A check of the initramfs: as add_check, and rebuild says whether
 * regenerating the image is the whole fix when it fails (never set on a
 * check that holds).
 */
static void add_image_check(struct checks *c, bool ok, bool rebuild, const char *subject,
			    const char *name, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void add_image_check(struct checks *c, bool ok, bool rebuild, const char *subject,
			    const char *name, const char *fix, const char *fmt, ...)
{
	struct check *v;
	va_list ap;

	va_start(ap, fmt);
	v = vadd_check(c, ok, subject, name, fix, fmt, ap);
	va_end(ap);
	if (v)
		v->rebuild = !ok && rebuild;
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
		bool same = false;

		if (!every_scope && it->scope != SCOPE_CLAIM)
			continue;
		/*
		 * One cause, one problem: the IOMMU off in the firmware fails
		 * iommu-firmware and iommu-now with the same fix (seen in a
		 * guest booted without one); the first says it.
		 */
		for (int k = 0; k < i && it->state == READY_FAIL && it->fix[0]; k++)
			same |= host->v[k].state == READY_FAIL && streq(host->v[k].fix, it->fix) &&
				(every_scope || host->v[k].scope == SCOPE_CLAIM);
		if (same)
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

/* The policy finding about d, if the config reaches it against the claim policy. */
static const struct finding *policy_finding(const struct resolution *res, const struct pci_dev *d)
{
	for (int i = 0; i < res->n_findings; i++)
		if (res->findings[i].kind == FIND_POLICY && res->findings[i].dev == d)
			return &res->findings[i];
	return NULL;
}

/*
 * The fix for a claimed device not on vfio-pci: bind it with the claimed
 * devices of its card and group that are not on vfio-pci either, when the
 * claim policy lets bind take them now; else why not, without a command.
 */
static void bind_fix(const struct machine *m, const struct resolution *res,
		     const struct claimed *cd, char *fix, size_t size)
{
	_cleanup_free_ struct pci_dev **sel = calloc((size_t)res->n + 1, sizeof(*sel));
	struct policy_claim pc = { .via = VIA_BIND, .force = cd->claim->force,
				   .partial = cd->claim->partial };
	struct policy_verdict v;
	size_t len;
	int n = 0;

	if (!sel) {
		snprintf(fix, size, "out of memory");
		return;
	}
	for (int i = 0; i < res->n; i++) {
		const struct pci_dev *o = res->devs[i].dev;

		if (o == cd->dev || (!pci_driver_is_vfio(o->driver) &&
				     ((o->group >= 0 && o->group == cd->dev->group) ||
				      (o->addr.domain == cd->dev->addr.domain && o->addr.bus == cd->dev->addr.bus &&
				       o->addr.slot == cd->dev->addr.slot))))
			sel[n++] = res->devs[i].dev;
	}
	pc.taken = sel;
	pc.n_taken = n;
	for (int i = 0; i < n; i++) {
		enum policy_answer a = policy_judge(&m->pci, &m->groups, sel[i], &pc, &v);

		if (a == POLICY_NEEDS_FORCE || (a == POLICY_REFUSE && cd->claim->force)) {
			snprintf(fix, size, "none now: %s, and the host uses it; it goes to vfio-pci at the next boot",
				 v.text);
			return;
		}
		if (a != POLICY_CLAIM) {
			snprintf(fix, size, "none now: %s", v.text);
			return;
		}
	}
	/* A forced claim of a device the host uses now is for the next boot, never for bind. */
	for (int i = 0; cd->claim->force && i < n; i++) {
		int pos = 0;
		enum reason_kind kind;
		const struct pci_use *use;

		if (policy_host_need_next(sel[i], &pos, &kind, &use)) {
			snprintf(fix, size, "none now: %s is in use by the host (%s); it goes to vfio-pci at the next boot",
				 sel[i]->name, reason_name(kind));
			return;
		}
	}
	len = (size_t)snprintf(fix, size, "'vfio-claim bind%s", cd->claim->partial ? " --partial" : "");
	for (int i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(fix + len, size - len, " %s", sel[i]->name);
	if (len < size)
		snprintf(fix + len, size - len, "'");
}

/* Now: present, on vfio-pci, group viable. */
static void check_devices_now(const struct machine *m, const struct resolution *res,
			      const struct config *cfg, int argc, char **argv, struct checks *c)
{
	(void)cfg;
	for (int i = 0; i < res->n_findings; i++) {
		const struct finding *f = &res->findings[i];
		char subject[64], fix[1024];

		if (f->kind == FIND_SEVERAL)
			continue;
		if (f->dev && !wanted(argc, argv, f->dev))
			continue;
		claim_subject_text(f->claim, subject, sizeof(subject));
		if (f->kind == FIND_POLICY) {
			/* Without an IOMMU the iommu line is the one cause. */
			if (f->verdict.answer == POLICY_REFUSE && f->verdict.kind == REASON_NO_GROUP)
				continue;
			resolution_fix_text(res, m, f, fix, sizeof(fix));
			add_check(c, false, f->dev->name, "policy", fix, "%s", f->text);
			continue;
		}
		if (f->kind == FIND_ABSENT)
			snprintf(fix, sizeof(fix), "check the hardware, or 'vfio-claim remove %s'", subject);
		else if (f->kind == FIND_ID_MISMATCH)
			snprintf(fix, sizeof(fix), "'vfio-claim remove %s', then claim the right device with vfio-claim add", subject);
		else if (f->kind == FIND_NO_MATCH)
			snprintf(fix, sizeof(fix), "check the hardware, or 'vfio-claim remove %s'", subject);
		else
			snprintf(fix, sizeof(fix), "edit the claim");
		add_check(c, false, subject, "present", fix, "%s", f->text);
	}
	for (int i = 0; i < res->n; i++) {
		const struct pci_dev *d = res->devs[i].dev;
		const struct iommu_group *g = groups_find(&m->groups, d->group);
		char fix[1024], subject[64], claimed[64];
		bool seen = false;

		if (!wanted(argc, argv, d))
			continue;
		if (pci_driver_is_vfio(d->driver))
			add_check(c, true, d->name, "bound", NULL, "on %s", d->driver);
		else if (!m->groups.iommu)
			continue;	/* the iommu line says why: no per-device fix can work */
		else if (policy_finding(res, d))
			add_check(c, false, d->name, "bound", "see its 'policy' line", "on %s, not vfio-pci",
				  d->driver ? d->driver : "no driver");
		else {
			bind_fix(m, res, &res->devs[i], fix, sizeof(fix));
			add_check(c, false, d->name, "bound", fix, "on %s, not vfio-pci",
				  d->driver ? d->driver : "no driver");
		}
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
		claim_subject_text(res->devs[i].claim, claimed, sizeof(claimed));
		for (int k = 0; k < g->n_not_now; k++) {
			const struct reason *r = &g->not_now[k];
			char text[256];

			if (resolution_find(res, r->dev))
				continue;	/* a claimed device: its own line says it */
			reason_text(r, text, sizeof(text));
			if (g->n_blockers || res->devs[i].claim->kind != CLAIM_SLOT)
				snprintf(fix, sizeof(fix), "none while the group holds what the host needs (below)");
			else
				claim_add_command(fix, sizeof(fix), res->devs[i].claim, claimed, true, false,
						  false);
			add_check(c, false, subject, "viable", fix, "is not viable: %s is %s, not claimed",
				  r->dev->name, text);
		}
		for (int k = 0; k < g->n_blockers; k++) {
			const struct reason *r = &g->blockers[k];
			const struct claimed *rc = resolution_find(res, r->dev);
			char text[256], who[64];

			reason_text(r, text, sizeof(text));
			if (r->kind == REASON_FIRMWARE_FB) {
				snprintf(fix, sizeof(fix), "add the kernel argument %s (keeps the firmware framebuffer off the GPU at boot) and reboot",
					 fb_kernel_arg(r->fb->name));
				add_check(c, false, subject, "framebuffer", fix, "holds %s: %s", r->dev->name, text);
				continue;
			}
			claim_subject_text(rc ? rc->claim : res->devs[i].claim, who, sizeof(who));
			snprintf(fix, sizeof(fix), "the host needs it: 'vfio-claim remove %s', or move the card",
				 who);
			add_check(c, false, subject, "viable", fix, "holds %s, %s", r->dev->name, text);
		}
	}
}

/*
 * The loaded module claims what the config says, for devices added from now
 * on. module_blacklist= on the root's command line makes the kernel refuse
 * every load of it (seen in a guest: "Module vfio_claim is blacklisted"), so
 * 'modprobe vfio_claim' is no fix then: the argument is.
 */
static void check_module_now(struct context *ctx, const struct artifacts *a, struct kmodinfo *kmod,
			     bool judge_params, struct checks *c)
{
	static const char *const names[] = { "slots", "ids" };
	const char *want[] = { a->slots, a->ids };

	if (!sysroot_exists(&ctx->root, "sys/module/vfio_claim")) {
		if (kmod && kmodinfo_hard_blacklisted(kmod, "vfio_claim"))
			add_check(c, false, "vfio_claim", "loaded",
				  "remove vfio_claim from module_blacklist= in the boot loader's kernel command line, and reboot",
				  "is not loaded: module_blacklist= on the kernel command line refuses it; only the "
				  "udev rules claim, and a device added now (hotplug, SR-IOV VF) goes to a native "
				  "driver that is loaded or built in");
		else
			add_check(c, false, "vfio_claim", "loaded", "modprobe vfio_claim",
				  "is not loaded: a device added now (hotplug, SR-IOV VF) would not be claimed");
		return;
	}
	for (size_t i = 0; judge_params && i < ARRAY_SIZE(names); i++) {
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

/*
 * Whether what apply would write now cannot be compared with what it wrote:
 * a "group" claim expands to the group's endpoints only while the kernel has
 * IOMMU groups. Booted without the IOMMU, the files and the loaded module's
 * slots= written with it would read as "the config changed", and the fix,
 * 'vfio-claim apply', would drop the group's other members from the claims.
 */
static bool groups_unknown(const struct config *cfg, const struct machine *m)
{
	if (m->groups.iommu)
		return false;
	for (int i = 0; i < cfg->n; i++)
		if (cfg->claims[i].whole_group)
			return true;
	return false;
}

/*
 * The generated files match what apply would write now (not judged for a
 * config with group claims while there are no IOMMU groups: the iommu line
 * is the cause then, see groups_unknown()).
 */
static void check_files(struct context *ctx, const struct config *cfg, const struct resolution *res,
			const struct machine *m, struct kmodinfo *kmod, struct checks *c)
{
	struct genfile files[2] = { { .path = ARTIFACT_MODPROBE }, { .path = ARTIFACT_UDEV } };
	struct artifacts a;
	int r = artifacts_build(cfg, res, m, kmod, &a);
	bool unknown = groups_unknown(cfg, m);

	if (r < 0) {
		/* Not knowing what apply would write is a failed check, not a skipped one. */
		add_check(c, false, "/" ARTIFACT_MODPROBE, "applied", "vfio-claim apply",
			  "cannot work out what apply would write: %s", strerror(-r));
		artifacts_free(&a);
		return;
	}
	check_module_now(ctx, &a, kmod, !unknown, c);
	{
		_cleanup_free_ char *set = NULL;

		/* An apply that died between its renames: the files are a mix of two configs. */
		if (genfile_pending(&ctx->root, &set) > 0)
			add_check(c, false, "/" GENFILE_PENDING, "applied", "vfio-claim apply",
				  "half-applied: an apply was interrupted while it replaced %s", set);
	}
	files[0].want = a.modprobe;
	files[1].want = a.udev;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char subject[128];

		snprintf(subject, sizeof(subject), "/%s", files[i].path);
		r = genfile_read(&ctx->root, &files[i]);
		if (r < 0) {
			add_check(c, false, subject, "applied", "make it a readable file, then 'vfio-claim apply'",
				  "cannot be read: %s", strerror(-r));
			continue;
		}
		if (!genfile_changed(&files[i]))
			add_check(c, true, subject, "applied", NULL, "matches the config");
		else if (unknown && files[i].have && !files[i].foreign)
			;	/* judged again once the IOMMU is on */
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

/* What verify reads of an image: the files it compares with the root's. */
static const char *const initramfs_keep[] = {
	"etc/modprobe.d/", "etc/udev/rules.d/", "etc/vfio-claim.conf", "lib/udev/rules.d/",
	"usr/lib/udev/rules.d/", NULL,
};

/* The image(s) judged, for messages: "boot/initrd.img-KVER" or "a.img + b.img". */
struct judged {
	const struct initramfs *ir;
	const struct bootimage *bi;
	const struct initramfs_tool *tool;
	bool dracut_generic;	/* a dracut image built without host-only */
	char image[300];
};

/* The content of a regular file of the image, following its links; NULL if none. */
static const struct initramfs_member *image_file(const struct judged *j, const char *rel)
{
	const struct initramfs_member *m = initramfs_lookup(j->ir, rel);

	return m && m->data ? m : NULL;
}

/* A file in the initramfs is the same as under the root. */
static void compare_in_initramfs(struct context *ctx, const struct judged *j, const char *rel,
				 bool required, struct checks *c)
{
	const struct initramfs_member *inside = image_file(j, rel);
	_cleanup_free_ char *have = NULL;
	/* The distribution's tool, or apply (which finds it) when the root shows none. */
	const char *fix = j->tool->kind != TOOL_NONE ? j->tool->command : "vfio-claim apply --initramfs";
	char subject[128];

	/* Hooks may put udev rules from /etc into the image's /lib/udev/rules.d. */
	if (!inside && strncmp(rel, "etc/udev/rules.d/", 17) == 0) {
		char alt[300];

		snprintf(alt, sizeof(alt), "lib/udev/rules.d/%s", rel + 17);
		inside = image_file(j, alt);
		if (!inside) {
			snprintf(alt, sizeof(alt), "usr/lib/udev/rules.d/%s", rel + 17);
			inside = image_file(j, alt);
		}
	}
	snprintf(subject, sizeof(subject), "/%s", rel);
	if (sysroot_read_all(&ctx->root, rel, &have) < 0) {
		if (inside)
			add_image_check(c, false, true, subject, "initramfs", fix,
					"is gone from /etc but still in /%s: the initramfs is stale", j->image);
		return;
	}
	if (!inside) {
		if (required && j->dracut_generic && strncmp(rel, "etc/modprobe.d/", 15) == 0 &&
		    !streq(rel, ARTIFACT_MODPROBE)) {
			char dfix[512];

			snprintf(dfix, sizeof(dfix),
				 "echo 'install_items+=\" /%s \"' >/etc/dracut.conf.d/vfio-claim-modprobe.conf && %s",
				 rel, fix);
			/* The fix edits dracut's config first: a rebuild alone is not it. */
			add_image_check(c, false, false, subject, "initramfs", dfix,
					"is not in /%s: dracut copies /etc/modprobe.d only into host-only images and this one is generic, so rebuilding it alone changes nothing",
					j->image);
		} else if (required) {
			add_image_check(c, false, true, subject, "initramfs", fix,
					"is not in /%s: the initramfs was built before it was written", j->image);
		}
		return;
	}
	if (streq(inside->data, have))
		add_check(c, true, subject, "initramfs", NULL, "in /%s and identical", j->image);
	else
		add_image_check(c, false, true, subject, "initramfs", fix,
				"differs in /%s: the initramfs is stale (built before the last change)", j->image);
}

/*
 * The initramfs against /etc. With claims: it holds the module, vfio-pci and
 * the same generated files. Without: it must not hold an earlier apply's files,
 * or the next boot claims the devices all the same. With a hand-made setup
 * (by_hand) or claims: the user's modprobe.d files are in it too.
 * claim_avail and pci_avail are kmodinfo_available() of vfio_claim and
 * vfio_pci for kver: a rebuild puts a module in the image only when the
 * kernel has it as a file (1); built in (2), vfio_pci needs no check.
 * Returns 0, or -errno when the image cannot be read (ERR said why).
 */
static int check_initramfs(struct context *ctx, const char *kver, const struct config *cfg,
			   bool by_hand, int claim_avail, int pci_avail, struct checks *c)
{
	struct initramfs ir;
	struct bootimage bi;
	struct initramfs_tool tool;
	struct judged j = { .ir = &ir, .bi = &bi, .tool = &tool };
	const char *fix;
	char rule[128];
	const char *which = NULL;
	int r = bootimage_find(&ctx->root, kver, &bi);

	bootimage_tool(&ctx->root, kver, &tool);
	/* Nothing claimed, no initramfs: nothing in it to claim either. */
	if (r == -ENOENT && !cfg->n && !by_hand)
		return 0;
	if (r == -ENOENT) {
		char fix[300];

		/*
		 * update-initramfs -u (what apply --initramfs runs) cannot create
		 * a missing image; -c can. dracut and mkinitcpio create it.
		 */
		if (tool.kind == TOOL_INITRAMFS_TOOLS)
			snprintf(fix, sizeof(fix), "update-initramfs -c -k %s", kver);
		else
			snprintf(fix, sizeof(fix), "%s", tool.command);
		add_image_check(c, false, tool.kind == TOOL_DRACUT || tool.kind == TOOL_MKINITCPIO,
				"initramfs", "present", fix, "no initramfs for %s (/%s)", kver, bi.image[0]);
		return 0;
	}
	fix = tool.kind != TOOL_NONE ? tool.command : "vfio-claim apply --initramfs";
	for (int i = 0; i < bi.n; i++)
		snprintf(j.image + strlen(j.image), sizeof(j.image) - strlen(j.image), "%s%s", i ? " + /" : "",
			 bi.image[i]);
	initramfs_init(&ir, initramfs_keep, NULL);
	r = bootimage_read(&ctx->root, &bi, &ir, &which);
	if (r < 0) {
		ERR("/%s: cannot read the initramfs: %s", which ? which : bi.image[0], ir.error);
		initramfs_free(&ir);
		return r;
	}
	add_check(c, true, "initramfs", "judged", NULL, "judged /%s%s: %s", j.image,
		  bi.kind == BOOTIMAGE_UKI ? " (a unified kernel image: its .initrd section)" : "", bi.why);
	j.dracut_generic = tool.kind == TOOL_DRACUT &&
			   (initramfs_has_prefix(&ir, "usr/lib/dracut/") || initramfs_has_prefix(&ir, "lib/dracut/")) &&
			   !initramfs_lookup(&ir, "usr/lib/dracut/hostonly-files") &&
			   !initramfs_lookup(&ir, "lib/dracut/hostonly-files");
	if (!cfg->n) {
		compare_in_initramfs(ctx, &j, ARTIFACT_MODPROBE, false, c);
		compare_in_initramfs(ctx, &j, ARTIFACT_UDEV, false, c);
		compare_in_initramfs(ctx, &j, CONFIG_MAIN, false, c);
	} else {
		bool claim = initramfs_has_module(&ir, "vfio_claim");
		bool pci = initramfs_has_module(&ir, "vfio_pci");

		/* Not installed for kver, a rebuild cannot add it: the 'installed' line says so. */
		add_image_check(c, claim, claim_avail == 1, "vfio_claim", "initramfs", fix, "%s /%s",
				claim ? "is in" : "is not in", j.image);
		/* Built in, it is in the kernel image: no check that cannot pass. */
		if (pci_avail != 2)
			add_image_check(c, pci, pci_avail == 1, "vfio_pci", "initramfs", fix, "%s /%s",
					pci ? "is in" : "is not in", j.image);
		compare_in_initramfs(ctx, &j, ARTIFACT_MODPROBE, true, c);
		compare_in_initramfs(ctx, &j, ARTIFACT_UDEV, true, c);
		compare_in_initramfs(ctx, &j, CONFIG_MAIN, false, c);
		snprintf(rule, sizeof(rule), "usr/lib/udev/rules.d/%s", PACKAGE_RULE);
		if (!image_file(&j, rule)) {
			bool found;

			snprintf(rule, sizeof(rule), "lib/udev/rules.d/%s", PACKAGE_RULE);
			found = image_file(&j, rule) != NULL;
			/* The package's hook copies the rule it installed; none installed, none copied. */
			add_image_check(c, found,
					sysroot_exists(&ctx->root, "usr/lib/udev/rules.d/" PACKAGE_RULE) ||
						sysroot_exists(&ctx->root, "lib/udev/rules.d/" PACKAGE_RULE),
					PACKAGE_RULE, "initramfs", fix, "%s /%s", found ? "is in" : "is not in",
					j.image);
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
			compare_in_initramfs(ctx, &j, rel, true, c);
		}
		if (dir)
			closedir(dir);
	}
	initramfs_free(&ir);
	return 0;
}

/* Why a blacklist of NAME does not stop it, or NULL when it does. */
static const char *blacklist_leak(struct kmodinfo *k, const char *name, char *buf, size_t size)
{
	_cleanup_free_ char *deps = kmodinfo_dependents(k, name);
	_cleanup_free_ char *soft = kmodinfo_softdep_users(k, name);

	if (kmodinfo_hard_blacklisted(k, name))
		return NULL;	/* module_blacklist= on the root's cmdline stops every load path */
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
	bool from_cmdline = false;
	_cleanup_free_ char *ids = kmodinfo_option_from(k, "vfio_pci", "ids", &from_cmdline);
	bool builtin = kmodinfo_available(k, "vfio_pci") == 2;
	char early[300];
	enum early_when when = early_load_of(&ctx->root, "vfio_pci", early, sizeof(early));
	size_t pos = 0, len;
	const char *item;

	if (!ids)
		return false;
	/* A built-in vfio-pci reads its parameters from the command line only. */
	if (builtin && !from_cmdline) {
		add_check(c, false, "vfio_pci", "ids", "put vfio_pci.ids= on the kernel command line instead, or 'vfio-claim add' the devices",
			  "'options vfio-pci ids=%s' never applies: vfio-pci is built into the kernel, which reads only vfio_pci.ids= from the command line",
			  ids);
		return true;
	}
	if (builtin) {
		when = EARLY_BEFORE_UDEV;
		snprintf(early, sizeof(early), "the kernel itself (built in)");
	}
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
				} else if (nm->blacklisted || kmodinfo_hard_blacklisted(k, nm->name)) {
					leak = blacklist_leak(k, nm->name, why, sizeof(why));
					if (leak)
						add_check(c, false, d->name, "blacklist", fix,
							  "'blacklist %s' does not stop %s: %s", nm->name, nm->name, leak);
					else if (!softdep && when != EARLY_NONE)
						add_check(c, true, d->name, "ids", NULL,
							  "%s is blacklisted and vfio-pci is loaded by %s", nm->name, early);
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
				} else if (when == EARLY_BEFORE_UDEV) {
					add_check(c, true, d->name, "ids", NULL,
						  "vfio-pci is loaded before udev (%s) and takes it by ids=%s before %s can load",
						  early, idtext, nm->name);
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
				print_line("%s: %s; fix: %s", c->v[i].subject, c->v[i].message, c->v[i].fix);
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
			json_kv_bool(&j, "rebuild_initramfs", c->v[i].rebuild);
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
			/* Which image was judged, and why that one, goes with any problem. */
			if (log_max_level >= LOG_INFO || (failed && streq(k->name, "judged")))
				print_line("ok: %s: %s", k->subject, k->message);
			continue;
		}
		print_line("%s: %s; fix: %s", k->subject, k->message, k->fix);
	}
	if (failed)
		printf("%d problem(s)\n", failed);
	else
		printf("ok: %d checks hold now and for the next boot\n", c->n);
}

/*
 * apply refuses a config the claim policy refuses (65): while it does, a fix
 * that is 'vfio-claim apply' would be refused too; point at the policy line.
 */
static void policy_first(const struct resolution *res, struct checks *c)
{
	bool blocked = false;

	for (int i = 0; i < res->n_findings; i++)
		blocked |= res->findings[i].kind == FIND_POLICY &&
			   !(res->findings[i].verdict.answer == POLICY_REFUSE &&
			     res->findings[i].verdict.kind == REASON_NO_GROUP);
	for (int i = 0; blocked && i < c->n; i++)
		if (!c->v[i].ok && !strncmp(c->v[i].fix, "vfio-claim apply", 16)) {
			snprintf(c->v[i].fix, sizeof(c->v[i].fix),
				 "none until the 'policy' problem is fixed: apply refuses this config");
			c->v[i].rebuild = false;
		}
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
	if ((s->cfg.n || by_hand || sysroot_exists(&ctx->root, CONFIG_MAIN)) &&
	    check_initramfs(ctx, kver, &s->cfg, by_hand, kmod ? kmodinfo_available(kmod, "vfio_claim") : 0,
			    kmod ? kmodinfo_available(kmod, "vfio_pci") : 0, &checks) < 0) {
		readiness_free(&host);
		free(checks.v);
		return EXIT_UNAVAILABLE;
	}
	policy_first(&s->res, &checks);
	print_checks(&checks, ctx->json, &host, nothing);
	if (checks_failed(&checks))
		code = EXIT_CHECK_FAILED;
	readiness_free(&host);
	free(checks.v);
	return code;
}

/*
 * verify --nfd: the verdict (code 0 or 1, with claims) and the devices on
 * vfio-pci per claimed ID into NFD's feature file under dir. Returns code,
 * or the exit code of a failed write.
 */
static int write_nfd(struct context *ctx, const struct claim_setup *s, const char *dir, int code)
{
	_cleanup_free_ struct id_count *ids = NULL;
	_cleanup_free_ char *text = NULL;
	int n = 0, r;

	r = fleet_id_counts(&s->res, &s->m.pci, &ids, &n);
	if (!r)
		r = nfd_feature_text(s->cfg.n > 0 && code == 0, ids, n, &text);
	if (!r)
		r = nfd_write(&ctx->root, dir, text);
	if (r < 0) {
		ERR("writing the NFD feature file /%s/%s: %s", dir, NFD_FEATURE_NAME, strerror(-r));
		return exit_code_for(r);
	}
	return code;
}

static int run_verify(struct context *ctx, int argc, char **argv)
{
	enum { OPT_NFD = OPT_FIRST_COMMAND_OPTION };
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{ "nfd", optional_argument, NULL, OPT_NFD },
		{},
	};
	const char *nfd_dir = NULL;
	struct claim_setup s;
	int c, code = 0;

	while ((c = getopt_long(argc, argv, GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
		if (c == OPT_NFD) {
			nfd_dir = optarg ? optarg + strspn(optarg, "/") : NFD_FEATURE_DIR;
			if (!*nfd_dir)
				return usage_error(&cmd_verify, "--nfd=%s: name a directory below the root", optarg);
		} else if (handle_global_option(ctx, &cmd_verify, c, &code) < 0) {
			return code;
		}
	}
	if (nfd_dir && optind < argc)
		return usage_error(&cmd_verify, "--nfd labels the node by every claim: no DEVICE ('%s')",
				   argv[optind]);
	code = claim_setup_load_config(ctx, &cmd_verify, argc - optind, argv + optind, &s);
	/* The module index is needed for claims and hand-made setups only. */
	if (!code && (s.cfg.n || hand_made_setup(ctx)))
		code = kmodinfo_open_or_report(ctx, &s.kmod, s.kver, sizeof(s.kver));
	else if (!code && kmodinfo_open(&ctx->root, &s.kmod, s.kver, sizeof(s.kver)) < 0)
		s.kmod = NULL;
	if (!code)
		code = verify_setup(ctx, &s, argc - optind, argv + optind);
	if (nfd_dir && (code == EXIT_OK || code == EXIT_CHECK_FAILED))
		code = write_nfd(ctx, &s, nfd_dir, code);
	claim_setup_free(&s);
	return code;
}

const struct command cmd_verify = {
	.name = "verify",
	.run = run_verify,
	.summary = "check every claim holds now and at the next boot, and print the fix",
	.usage = "verify [DEVICE...] [--nfd[=DIR]]\n"
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
		 "  --nfd[=DIR]  also write Node Feature Discovery's local feature file\n"
		 "               DIR/vfio-claim (DIR below --root, by default\n"
		 "               /etc/kubernetes/node-feature-discovery/features.d), by a\n"
		 "               dot-named temporary and a rename: vfio-claim.io/ready=true|false\n"
		 "               (claims exist and all hold), vfio-claim.io/claimed=N and, per\n"
		 "               claimed ID, vfio-claim.io/VVVV_DDDD.count=N (devices on vfio-pci).\n"
		 "\n"
		 "Exit status: 0 when everything holds, 1 when something does not.\n",
};
