// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifacts.h"
#include "bootargs.h"
#include "genfile.h"
#include "iommuargs.h"
#include "macro.h"
#include "policy.h"
#include "strbuf.h"

static int add_name(char ***v, int *n, const char *name)
{
	char **p;

	for (int i = 0; i < *n; i++)
		if (streq((*v)[i], name))
			return 0;
	p = realloc(*v, sizeof(*p) * (size_t)(*n + 1));
	if (!p)
		return -ENOMEM;
	*v = p;
	p[*n] = strdup(name);
	if (!p[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The module's slots=: every address claim as written, and every device taken by group. */
static char *build_slots(const struct config *cfg, const struct resolution *res)
{
	struct strbuf b = { 0 };
	char addr[VC_ADDR_STRLEN], item[64];
	char **seen = NULL;
	int n_seen = 0;

	for (int i = 0; i < cfg->n; i++) {
		const struct claim *c = &cfg->claims[i];
		int before = n_seen;

		if (c->kind != CLAIM_SLOT)
			continue;
		snprintf(item, sizeof(item), "%s@%04x:%04x", vc_format_addr(addr, &c->slot.addr),
			 c->slot.vendor, c->slot.device);
		if (add_name(&seen, &n_seen, item) == 0 && n_seen > before)
			strbuf_printf(&b, "%s%s", b.len ? "," : "", item);
	}
	for (int i = 0; i < res->n; i++) {
		const struct claimed *cd = &res->devs[i];
		int before = n_seen;

		/* ID claims without group are the module's ids= already */
		if (!cd->by_group)
			continue;
		snprintf(item, sizeof(item), "%s@%04x:%04x", cd->dev->name, cd->dev->vendor,
			 cd->dev->device);
		if (add_name(&seen, &n_seen, item) == 0 && n_seen > before)
			strbuf_printf(&b, "%s%s", b.len ? "," : "", item);
	}
	for (int i = 0; i < n_seen; i++)
		free(seen[i]);
	free(seen);
	return strbuf_take(&b);
}

static char *build_ids(const struct config *cfg)
{
	struct strbuf b = { 0 };

	for (int i = 0; i < cfg->n; i++) {
		const struct claim *c = &cfg->claims[i];

		if (c->kind != CLAIM_ID)
			continue;
		if (c->id.subvendor == VC_ANY_ID)
			strbuf_printf(&b, "%s%04x:%04x", b.len ? "," : "", c->id.vendor, c->id.device);
		else
			strbuf_printf(&b, "%s%04x:%04x:%04x:%04x", b.len ? "," : "", c->id.vendor, c->id.device,
			    c->id.subvendor, c->id.subdevice);
	}
	return strbuf_take(&b);
}

static void udev_id_match(struct strbuf *b, unsigned int vendor, unsigned int device,
			  unsigned int subvendor, unsigned int subdevice)
{
	strbuf_printf(b, "ATTR{vendor}==\"0x%04x\", ATTR{device}==\"0x%04x\", ", vendor, device);
	if (subvendor != VC_ANY_ID)
		strbuf_printf(b, "ATTR{subsystem_vendor}==\"0x%04x\", ATTR{subsystem_device}==\"0x%04x\", ",
		    subvendor, subdevice);
}

/*
 * A byte string (a config file's name) for a rules file: printable ASCII
 * stays, everything else becomes \xHH. A newline can then never end a
 * comment and start a live rule, a quote never ends a value, and '$' and '%'
 * (udev's substitutions) never reach a value unescaped.
 */
static void put_escaped(struct strbuf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p > 0x7e || *p == '\\' || *p == '"' || *p == '$' || *p == '%')
			strbuf_printf(b, "\\x%02x", *p);
		else
			strbuf_printf(b, "%c", *p);
	}
}

/* Where a claim comes from, "/FILE:LINE", escaped: a comment and the VFIO_CLAIM value. */
static void put_origin(struct strbuf *b, const struct claim *c)
{
	strbuf_printf(b, "/");
	put_escaped(b, c->file ? c->file : "?");
	strbuf_printf(b, ":%d", c->line);
}

/* A user or group name for OWNER=/GROUP=: what config.c accepts, checked again here. */
static bool safe_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') && !(*s >= '0' && *s <= '9') &&
		    *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}


/*
 * The rules. Each claim rule only names its candidates (ENV{VFIO_CLAIM} = the
 * claim's origin); the checks vfio_claim makes in the kernel follow, with the
 * module's words in ENV{VFIO_CLAIM_REFUSED} (udevadm info shows them): a
 * bridge, no IOMMU group, an override naming another driver, vfio-pci's
 * denylist, an ID that is not the one the claim expects. Only then is the
 * override set, and the device probed again through the bus's drivers_probe
 * (an ATTR write through the device's "subsystem" link: no shell), since a
 * built-in or already loaded vfio-pci has had its one probe before udev ran.
 * udev rebuilds a device's properties at every event (udev(7): IMPORT{db}
 * "works only if the database is already populated by an earlier event"), so
 * the VFIO_CLAIM* words of the add event are imported again at each later
 * one: the bind event of a driver loaded by the add event itself (e1000e for
 * a refused NIC) would otherwise leave 'udevadm info' silent.
 */
static char *build_udev(const struct config *cfg, const struct resolution *res)
{
	struct strbuf b = { 0 };
	bool owners = false;

	strbuf_printf(&b, GENFILE_MARKER " apply from /etc/vfio-claim.conf; do not edit: change the config\n"
		"# and run 'vfio-claim apply'. These rules claim the devices from userspace where the\n"
		"# vfio_claim module cannot load (Secure Boot without an enrolled key); the module,\n"
		"# when loaded, has claimed them before udev hears of them. A device they leave\n"
		"# alone says why in VFIO_CLAIM_REFUSED ('udevadm info'), in the module's words.\n"
		"# udev keeps no property from one event to the next: the bind event of the\n"
		"# driver that takes a device after its add event would drop why; keep the\n"
		"# add event's words through the device's later events.\n"
		"ACTION!=\"add|remove\", SUBSYSTEM==\"pci\", IMPORT{db}=\"VFIO_CLAIM\"\n"
		"ACTION!=\"add|remove\", SUBSYSTEM==\"pci\", IMPORT{db}=\"VFIO_CLAIM_MODULE\"\n"
		"ACTION!=\"add|remove\", SUBSYSTEM==\"pci\", IMPORT{db}=\"VFIO_CLAIM_REFUSED\"\n"
		"ACTION!=\"add|remove\", SUBSYSTEM==\"pci\", IMPORT{db}=\"VFIO_CLAIM_RESULT\"\n"
		"ACTION!=\"add\", GOTO=\"vfio_claim_claims_end\"\n"
		"SUBSYSTEM==\"vfio\", GOTO=\"vfio_claim_claims_dev\"\n"
		"SUBSYSTEM!=\"pci\", GOTO=\"vfio_claim_claims_end\"\n"
		"\n"
		"# The claims: each names its devices (address and ID guard, or ID).\n");
	for (int i = 0; i < cfg->n; i++) {
		const struct claim *c = &cfg->claims[i];
		char addr[VC_ADDR_STRLEN];

		strbuf_printf(&b, "# ");
		put_origin(&b, c);
		strbuf_printf(&b, "\n");
		if (c->kind == CLAIM_SLOT) {
			strbuf_printf(&b, "KERNEL==\"%s\", ", vc_format_addr(addr, &c->slot.addr));
			udev_id_match(&b, c->slot.vendor, c->slot.device, VC_ANY_ID, VC_ANY_ID);
		} else {
			udev_id_match(&b, c->id.vendor, c->id.device, c->id.subvendor, c->id.subdevice);
		}
		strbuf_printf(&b, "ENV{VFIO_CLAIM}=\"");
		put_origin(&b, c);
		strbuf_printf(&b, "\"\n");
		if (c->kind == CLAIM_SLOT) {
			strbuf_printf(&b, "KERNEL==\"%s\", ENV{VFIO_CLAIM}!=\"?*\", "
				"ENV{VFIO_CLAIM_REFUSED}=\"is not %04x:%04x, which ",
			    addr, c->slot.vendor, c->slot.device);
			put_origin(&b, c);
			strbuf_printf(&b, " expects; not claimed (was the hardware changed?)\"\n");
		}
		owners |= c->owner != NULL;
	}
	/* Group members as found at apply time, each guarded by its ID. */
	for (int i = 0; i < res->n; i++) {
		const struct pci_dev *d = res->devs[i].dev;

		if (!res->devs[i].by_group)
			continue;
		strbuf_printf(&b, "# group %d of ", d->group);
		put_origin(&b, res->devs[i].claim);
		strbuf_printf(&b, "\nKERNEL==\"%s\", ", d->name);
		udev_id_match(&b, d->vendor, d->device, VC_ANY_ID, VC_ANY_ID);
		strbuf_printf(&b, "ENV{VFIO_CLAIM}=\"group %d of ", d->group);
		put_origin(&b, res->devs[i].claim);
		strbuf_printf(&b, "\"\n");
	}
	strbuf_printf(&b, "ENV{VFIO_CLAIM}!=\"?*\", GOTO=\"vfio_claim_claims_end\"\n"
		"\n"
		"# What vfio_claim refuses, these rules refuse, in the same words.\n"
		"TEST!=\"/sys/module/vfio_claim\", ENV{VFIO_CLAIM_MODULE}=\"absent: the vfio_claim module is not loaded; these rules claim alone\"\n"
		"ATTR{class}==\"0x0604*|0x0609*\", ENV{VFIO_CLAIM_REFUSED}=\"is a bridge; bridges are never claimed\", GOTO=\"vfio_claim_claims_end\"\n"
		"TEST!=\"iommu_group\", ENV{VFIO_CLAIM_REFUSED}=\"has no IOMMU group: the IOMMU is off or absent, vfio-pci could not bind it; not claimed\", GOTO=\"vfio_claim_claims_end\"\n"
		"ATTR{driver_override}==\"?*\", ATTR{driver_override}!=\"(null)|vfio-pci\", ENV{VFIO_CLAIM_REFUSED}=\"driver_override names another driver; left alone, not claimed\", GOTO=\"vfio_claim_claims_end\"\n"
		"ATTR{vendor}==\"0x8086\", ATTR{device}==\"" VFIO_PCI_DENYLIST_INTEL "\", ENV{VFIO_CLAIM_REFUSED}=\"is on vfio-pci's denylist (Intel QAT, DSA, IAX): vfio-pci refuses to probe it; not claimed\", GOTO=\"vfio_claim_claims_end\"\n"
		"\n"
		"# Claim it, and probe it again: a built-in or loaded vfio-pci has had its one probe.\n"
		"ATTR{driver_override}=\"vfio-pci\", ENV{VFIO_CLAIM_RESULT}=\"claimed for vfio-pci\"\n"
		"ATTR{subsystem/drivers_probe}=\"$kernel\"\n"
		"# vfio-pci never loads from a modalias: load it for what is claimed.\n"
		"RUN{builtin}+=\"kmod load vfio-pci\"\n"
		"GOTO=\"vfio_claim_claims_end\"\n"
		"\nLABEL=\"vfio_claim_claims_dev\"\n");
	if (owners) {
		strbuf_printf(&b, "# /dev/vfio/N of the claimed groups, for QEMU without root\n");
		for (int i = 0; i < res->n; i++) {
			const struct claimed *cd = &res->devs[i];
			bool dup = false;

			if (!cd->claim->owner || cd->dev->group < 0)
				continue;
			for (int k = 0; k < i; k++)
				dup |= res->devs[k].dev->group == cd->dev->group && res->devs[k].claim->owner;
			if (dup)
				continue;
			{
				_cleanup_free_ char *user = strdup(cd->claim->owner);
				char *group = user ? strchr(user, ':') : NULL;

				if (!user) {
					b.oom = true;
					break;
				}
				if (group)
					*group++ = '\0';
				if (!safe_name(user) || (group && !safe_name(group)))
					continue;	/* config.c refuses these; never write one */
				strbuf_printf(&b, "KERNEL==\"%d\", OWNER=\"%s\", ", cd->dev->group, user);
				if (group)
					strbuf_printf(&b, "GROUP=\"%s\", ", group);
				strbuf_printf(&b, "MODE=\"0660\"\n");
			}
		}
	}
	strbuf_printf(&b, "LABEL=\"vfio_claim_claims_end\"\n");
	return strbuf_take(&b);
}

int artifacts_build(const struct config *cfg, const struct resolution *res,
		    const struct machine *m, struct kmodinfo *kmod, struct artifacts *a)
{
	struct strbuf b = { 0 };
	int r = 0;

	(void)m;
	memset(a, 0, sizeof(*a));
	a->slots = build_slots(cfg, res);
	a->ids = build_ids(cfg);
	if (!a->slots || !a->ids)
		return -ENOMEM;
	for (int i = 0; kmod && i < res->n && r == 0; i++) {
		struct native_module *mods;
		char alias[128];
		int n;

		pci_modalias(res->devs[i].dev, alias, sizeof(alias));
		/* A lookup that fails would leave out a softdep: fail, never skip. */
		r = kmodinfo_lookup(kmod, alias, &mods, &n);
		if (r < 0)
			break;
		for (int k = 0; k < n && r == 0; k++) {
			if (streq(mods[k].name, "vfio_pci") || streq(mods[k].name, "vfio_claim"))
				continue;
			if (mods[k].builtin)
				r = add_name(&a->builtin, &a->n_builtin, mods[k].name);
			else
				r = add_name(&a->natives, &a->n_natives, mods[k].name);
		}
		native_modules_free(mods, n);
	}
	if (r < 0)
		return r;
	if (a->n_natives)
		qsort(a->natives, (size_t)a->n_natives, sizeof(char *), name_cmp);
	if (a->n_builtin)
		qsort(a->builtin, (size_t)a->n_builtin, sizeof(char *), name_cmp);

	if (!cfg->n)
		return 0;	/* nothing claimed: no files */
	strbuf_printf(&b, GENFILE_MARKER " apply from /etc/vfio-claim.conf; do not edit: change the config\n"
		"# and run 'vfio-claim apply'.\n"
		"# The vfio_claim module gives these devices to vfio-pci the moment the kernel adds them.\n"
		"options vfio_claim");
	if (a->slots[0])
		strbuf_printf(&b, " slots=%s", a->slots);
	if (a->ids[0])
		strbuf_printf(&b, " ids=%s", a->ids);
	for (int i = 0; i < cfg->n; i++) {
		if (cfg->claims[i].rebind) {
			strbuf_printf(&b, " rebind=1");
			break;
		}
	}
	strbuf_printf(&b, "\n");
	if (a->n_natives)
		strbuf_printf(&b, "# The claimed devices' native drivers load vfio_claim first, wherever they load\n"
			"# from (the initramfs included), so that the claim is in place before they probe.\n");
	for (int i = 0; i < a->n_natives; i++)
		strbuf_printf(&b, "softdep %s pre: vfio_claim\n", a->natives[i]);
	a->modprobe = strbuf_take(&b);
	a->udev = build_udev(cfg, res);
	return a->modprobe && a->udev ? 0 : -ENOMEM;
}

void artifacts_free(struct artifacts *a)
{
	free(a->modprobe);
	free(a->udev);
	free(a->slots);
	free(a->ids);
	for (int i = 0; i < a->n_natives; i++)
		free(a->natives[i]);
	free(a->natives);
	for (int i = 0; i < a->n_builtin; i++)
		free(a->builtin[i]);
	free(a->builtin);
	memset(a, 0, sizeof(*a));
}

int kernel_args_advice(const struct sysroot *root, bool iommu_on, const struct next_boot *nb, int nb_r,
		       char *missing, size_t missing_size, char *where, size_t where_size)
{
	char cmdline[4096] = "";
	struct iommu_args args;

	missing[0] = where[0] = '\0';
	sysroot_read(root, "proc/cmdline", cmdline, sizeof(cmdline));
	iommu_args_for(cpu_vendor_read(root), iommu_on, cmdline, &args);
	if (!kernel_args_missing(cmdline, args.all, missing, missing_size))
		return 0;
	switch (kernel_args_way(root, nb, nb_r)) {
	case KARGS_GRUB_DROPIN:
		if (grub_settings_have_init_words(root)) {
			snprintf(where, where_size,
				 "add them to GRUB_CMDLINE_LINUX in /etc/default/grub before its '--' (no drop-in can: it would append after it), then run %s",
				 grub_update_command(root));
			break;
		}
		snprintf(where, where_size,
			 "'vfio-claim apply --kernel-args' adds them for GRUB (/%s, then update-grub)",
			 GRUB_DROPIN);
		break;
	case KARGS_KERNEL_INSTALL:
		snprintf(where, where_size,
			 "'vfio-claim apply --kernel-args' adds them for kernel-install (/etc/kernel/cmdline, unless somebody else wrote it; then kernel-install add)");
		break;
	default:
		snprintf(where, where_size, "add them to the boot loader's kernel command line");
	}
	return 1;
}
