// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-claim list: every IOMMU group, its devices, and whether it can go to
 * a guest now, once its endpoints are claimed, or not, and why. Replaces
 * the guides' shell loop over /sys/kernel/iommu_groups and lspci.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "json.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "printable.h"
#include "readiness.h"

/* --class names, as PCI base class (and subclass when given). */
static const struct {
	const char *name;
	unsigned int class;	/* base class, or class16 when > 0xff */
} class_filters[] = {
	{ "gpu", 0x03 },	{ "display", 0x03 },	{ "audio", 0x0403 },
	{ "multimedia", 0x04 }, { "net", 0x02 },	{ "storage", 0x01 },
	{ "nvme", 0x0108 },	{ "sata", 0x0106 },	{ "usb", 0x0c03 },
	{ "serial", 0x07 },	{ "bridge", 0x06 },	{ "crypto", 0x10 },
	{ "accelerator", 0x12 }, { "other", 0xff },
};

struct filter {
	struct vc_pci_addr *addrs;
	int n_addrs;
	struct vc_pci_id *ids;
	int n_ids;
	int class;	/* -1 for none */
};

static bool filter_empty(const struct filter *f)
{
	return !f->n_addrs && !f->n_ids && f->class < 0;
}

static bool matches(const struct filter *f, const struct pci_dev *d)
{
	bool named = !f->n_addrs && !f->n_ids;

	for (int i = 0; !named && i < f->n_addrs; i++)
		named = vc_addr_equal(&f->addrs[i], &d->addr);
	for (int i = 0; !named && i < f->n_ids; i++)
		named = vc_id_matches(&f->ids[i], d->vendor, d->device, d->subvendor, d->subdevice);
	if (!named)
		return false;
	if (f->class < 0)
		return true;
	if (f->class > 0xff)
		return pci_class16(d) == (unsigned int)f->class;
	if (f->class == 0x04)	/* multimedia includes audio, and audio 0401 counts as audio */
		return pci_base_class(d) == 0x04;
	return pci_base_class(d) == (unsigned int)f->class;
}

static bool group_matches(const struct filter *f, const struct iommu_group *g)
{
	for (int i = 0; i < g->n_devs; i++)
		if (matches(f, g->devs[i]))
			return true;
	return false;
}

static void hex_string(char *buf, size_t size, unsigned int v, int digits)
{
	snprintf(buf, size, "%0*x", digits, v);
}

/* ---- human output ---- */

static void print_device(const struct pci_dev *d, const char *indent)
{
	char cls[128];

	if (d->class_name)
		snprintf(cls, sizeof(cls), "%s [%04x]", printable(d->class_name), pci_class16(d));
	else
		snprintf(cls, sizeof(cls), "Class [%04x]", pci_class16(d));
	printf("%s%s [%04x:%04x] %s: ", indent, printable(d->name), d->vendor, d->device, cls);
	if (d->vendor_name)
		printf("%s ", printable(d->vendor_name));
	else
		printf("Vendor %04x ", d->vendor);
	if (d->device_name)
		printf("%s", printable(d->device_name));
	else
		printf("Device %04x", d->device);
	if (d->revision > 0)
		printf(" (rev %02x)", d->revision);
	printf("\n%s    ", indent);

	printf("driver %s", d->driver ? printable(d->driver) : "none");
	if (d->driver_override)
		printf("  override %s", printable(d->driver_override));
	if (d->claimed_by_module)
		printf("  claimed by vfio_claim");
	if (d->subvendor || d->subdevice)
		printf("  subsystem [%04x:%04x]", d->subvendor, d->subdevice);
	if (d->reset_method)
		printf("  reset %s", d->reset_method[0] ? printable(d->reset_method) : "none");
	if (d->boot_vga == 1)
		printf("  boot-VGA");
	if (pci_is_bridge(d))
		printf("  bridge");
	if (d->totalvfs >= 0)
		printf("  SR-IOV PF %d/%d VFs", d->numvfs, d->totalvfs);
	if (d->physfn)
		printf("  VF of %s", printable(d->physfn->name));
	for (int u = 0; u < d->n_uses; u++) {
		const struct pci_use *use = &d->uses[u];

		if (use->kind == USE_MOUNT)
			printf("  mounted %s (%s)", printable(use->what), use->via ? printable(use->via) : "?");
		else if (use->kind == USE_SWAP)
			printf("  swap %s", printable(use->what));
		else
			printf("  net %s %s", printable(use->what), use->active ? "up" : "down");
	}
	printf("\n");
}

static void print_reasons(const char *label, const struct reason *v, int n)
{
	char text[256];

	for (int i = 0; i < n; i++) {
		reason_text(&v[i], text, sizeof(text));
		printf("    %s: %s %s\n", label, printable(v[i].dev->name), printable(text));
	}
}

static void print_group(const struct iommu_group *g)
{
	printf("IOMMU group %d: ", g->number);
	switch (g->verdict) {
	case VERDICT_READY:
		printf("ready: can go to a guest now\n");
		break;
	case VERDICT_CLAIMABLE:
		printf("claimable: can go to a guest once ");
		for (int i = 0; i < g->n_claim; i++)
			printf("%s%s", i ? (i == g->n_claim - 1 ? " and " : ", ") : "", printable(g->claim[i]->name));
		printf(" %s claimed\n", g->n_claim > 1 ? "are" : "is");
		break;
	case VERDICT_BLOCKED:
		printf("blocked: not safe to give to a guest\n");
		break;
	case VERDICT_NO_ENDPOINTS:
		printf("bridges only: nothing to pass through\n");
		break;
	}
	for (int i = 0; i < g->n_devs; i++)
		print_device(g->devs[i], "  ");
	print_reasons("blocked", g->blockers, g->n_blockers);
	if (g->verdict == VERDICT_CLAIMABLE || g->verdict == VERDICT_BLOCKED)
		print_reasons("not now", g->not_now, g->n_not_now);
}

static void print_human(const struct machine *m, const struct filter *f)
{
	bool first = true;

	for (int k = 0; k < m->groups.n; k++) {
		const struct iommu_group *g = &m->groups.groups[k];

		if (!group_matches(f, g))
			continue;
		if (!first)
			printf("\n");
		first = false;
		print_group(g);
	}
	bool header = false;

	for (int i = 0; i < m->groups.n_ungrouped; i++) {
		const struct pci_dev *d = m->groups.ungrouped[i];

		if (!matches(f, d))
			continue;
		if (!header)
			printf("%s%s\n", first ? "" : "\n",
			       m->groups.iommu ? "No IOMMU group (cannot be passed through):" :
						 "No IOMMU group, as the IOMMU is off (none can be passed through until it is on):");
		header = true;
		print_device(d, "  ");
	}
}

/* ---- JSON output ---- */

static void json_device(struct json *j, const struct pci_dev *d)
{
	char hex[16];

	json_object_begin(j);
	json_kv_string(j, "address", d->name);
	hex_string(hex, sizeof(hex), d->vendor, 4);
	json_kv_string(j, "vendor", hex);
	hex_string(hex, sizeof(hex), d->device, 4);
	json_kv_string(j, "device", hex);
	hex_string(hex, sizeof(hex), d->subvendor, 4);
	json_kv_string(j, "subsystem_vendor", hex);
	hex_string(hex, sizeof(hex), d->subdevice, 4);
	json_kv_string(j, "subsystem_device", hex);
	hex_string(hex, sizeof(hex), d->class, 6);
	json_kv_string(j, "class", hex);
	if (d->revision >= 0) {
		hex_string(hex, sizeof(hex), (unsigned int)d->revision, 2);
		json_kv_string(j, "revision", hex);
	} else {
		json_kv_string(j, "revision", NULL);
	}
	json_kv_string(j, "vendor_name", d->vendor_name);
	json_kv_string(j, "device_name", d->device_name);
	json_kv_string(j, "class_name", d->class_name);
	json_kv_string(j, "driver", d->driver);
	json_kv_string(j, "driver_override", d->driver_override);
	json_kv_bool(j, "claimed_by_module", d->claimed_by_module);
	json_key(j, "boot_vga");
	if (d->boot_vga < 0)
		json_null(j);
	else
		json_bool(j, d->boot_vga);
	json_kv_bool(j, "bridge", pci_is_bridge(d));
	json_key(j, "reset_methods");
	if (!d->reset_method) {
		json_null(j);
	} else {
		_cleanup_free_ char *copy = strdup(d->reset_method);
		char *save = NULL;

		json_array_begin(j);
		for (char *t = copy ? strtok_r(copy, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save))
			json_string(j, t);
		json_array_end(j);
	}
	json_key(j, "iommu_group");
	if (d->group < 0)
		json_null(j);
	else
		json_int(j, d->group);
	json_kv_string(j, "upstream_bridge", d->upstream ? d->upstream->name : NULL);
	json_key(j, "sriov");
	if (d->totalvfs < 0) {
		json_null(j);
	} else {
		json_object_begin(j);
		json_kv_int(j, "numvfs", d->numvfs);
		json_kv_int(j, "totalvfs", d->totalvfs);
		json_key(j, "vfs");
		json_array_begin(j);
		for (int i = 0; i < d->n_vfs; i++)
			json_string(j, d->vfs[i]->name);
		json_array_end(j);
		json_object_end(j);
	}
	json_kv_string(j, "physfn", d->physfn ? d->physfn->name : NULL);
	json_key(j, "uses");
	json_array_begin(j);
	for (int u = 0; u < d->n_uses; u++) {
		static const char *const kinds[] = { [USE_MOUNT] = "mount", [USE_SWAP] = "swap",
						     [USE_NET] = "net" };
		const struct pci_use *use = &d->uses[u];

		json_object_begin(j);
		json_kv_string(j, "kind", kinds[use->kind]);
		json_kv_string(j, "what", use->what);
		json_kv_string(j, "via", use->via);
		json_kv_bool(j, "active", use->active);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void json_reasons(struct json *j, const char *key, const struct reason *v, int n)
{
	char text[256];

	json_key(j, key);
	json_array_begin(j);
	for (int i = 0; i < n; i++) {
		json_object_begin(j);
		json_kv_string(j, "device", v[i].dev->name);
		json_kv_string(j, "reason", reason_name(v[i].kind));
		reason_text(&v[i], text, sizeof(text));
		json_kv_string(j, "message", text);
		json_object_end(j);
	}
	json_array_end(j);
}

static void print_json(const struct machine *m, const struct filter *f, enum cpu_vendor vendor)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_int(&j, "schema", 1);
	json_kv_bool(&j, "iommu", m->groups.iommu);
	json_key(&j, "groups");
	json_array_begin(&j);
	for (int k = 0; k < m->groups.n; k++) {
		const struct iommu_group *g = &m->groups.groups[k];

		if (!group_matches(f, g))
			continue;
		json_object_begin(&j);
		json_kv_int(&j, "group", g->number);
		json_kv_string(&j, "verdict", verdict_name(g->verdict));
		json_kv_bool(&j, "guest_now", g->verdict == VERDICT_READY);
		json_kv_bool(&j, "guest_once_claimed",
			     g->verdict == VERDICT_READY || g->verdict == VERDICT_CLAIMABLE);
		json_key(&j, "claim");
		json_array_begin(&j);
		for (int i = 0; i < g->n_claim; i++)
			json_string(&j, g->claim[i]->name);
		json_array_end(&j);
		json_reasons(&j, "not_now", g->not_now, g->n_not_now);
		json_reasons(&j, "blockers", g->blockers, g->n_blockers);
		json_key(&j, "devices");
		json_array_begin(&j);
		for (int i = 0; i < g->n_devs; i++)
			json_device(&j, g->devs[i]);
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "ungrouped");
	json_array_begin(&j);
	for (int i = 0; i < m->groups.n_ungrouped; i++)
		if (matches(f, m->groups.ungrouped[i]))
			json_device(&j, m->groups.ungrouped[i]);
	json_array_end(&j);
	if (!m->groups.iommu) {
		json_kv_string(&j, "cpu_vendor", cpu_vendor_name(vendor));
		json_key(&j, "advice");
		json_array_begin(&j);
		json_string(&j, iommu_enable_advice(vendor));
		json_array_end(&j);
	}
	json_object_end(&j);
	json_finish(&j);
}

/* ---- the command ---- */

static int parse_filter(const struct command *cmd, int argc, char **argv, struct filter *f)
{
	f->addrs = calloc((size_t)argc + 1, sizeof(*f->addrs));
	f->ids = calloc((size_t)argc + 1, sizeof(*f->ids));
	if (!f->addrs || !f->ids)
		return EXIT_UNAVAILABLE;
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (!vc_parse_addr(argv[i], len, &f->addrs[f->n_addrs]))
			f->n_addrs++;
		else if (!vc_parse_id(argv[i], len, &f->ids[f->n_ids]))
			f->n_ids++;
		else
			return usage_error(cmd,
					   "'%s' is neither a PCI address (0000:0a:00.0, 0a:00.0) nor an ID (10de:1c03, 10de:1c03:1458:3728)",
					   argv[i]);
	}
	return 0;
}

/* Named devices and IDs must exist: a typo should not look like an empty machine. */
static int check_named(const struct machine *m, const struct filter *f)
{
	char name[VC_ADDR_STRLEN];

	for (int i = 0; i < f->n_addrs; i++) {
		if (!pci_find(&m->pci, &f->addrs[i])) {
			ERR("%s: no such PCI device; 'vfio-claim list' shows the devices present",
			    vc_format_addr(name, &f->addrs[i]));
			return EXIT_UNAVAILABLE;
		}
	}
	for (int i = 0; i < f->n_ids; i++) {
		const struct vc_pci_id *id = &f->ids[i];
		bool found = false;

		for (int k = 0; !found && k < m->pci.n; k++) {
			const struct pci_dev *d = &m->pci.devs[k];

			found = vc_id_matches(id, d->vendor, d->device, d->subvendor, d->subdevice);
		}
		if (!found) {
			if (id->subvendor == VC_ANY_ID)
				ERR("%04x:%04x: no device with this ID; 'vfio-claim list' shows the devices present",
				    id->vendor, id->device);
			else
				ERR("%04x:%04x:%04x:%04x: no device with this ID; 'vfio-claim list' shows the devices present",
				    id->vendor, id->device, id->subvendor, id->subdevice);
			return EXIT_UNAVAILABLE;
		}
	}
	return 0;
}

static int run_list(struct context *ctx, int argc, char **argv)
{
	enum { OPT_CLASS = OPT_FIRST_COMMAND_OPTION };
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{ "class", required_argument, NULL, OPT_CLASS },
		{},
	};
	struct filter f = { .class = -1 };
	enum cpu_vendor vendor;
	struct machine m;
	int c, code = 0;

	while ((c = getopt_long(argc, argv, GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
		if (c == OPT_CLASS) {
			size_t i;

			for (i = 0; i < ARRAY_SIZE(class_filters); i++)
				if (streq(optarg, class_filters[i].name))
					break;
			if (i == ARRAY_SIZE(class_filters))
				return usage_error(&cmd_list, "--class %s: unknown class", optarg);
			f.class = (int)class_filters[i].class;
		} else if (handle_global_option(ctx, &cmd_list, c, &code) < 0) {
			return code;
		}
	}
	code = parse_filter(&cmd_list, argc - optind, argv + optind, &f);
	if (code)
		goto out;
	code = machine_load(ctx, &m);
	if (code)
		goto out;
	code = check_named(&m, &f);
	if (code)
		goto out_machine;

	vendor = cpu_vendor_read(&ctx->root);
	if (ctx->json)
		print_json(&m, &f, vendor);
	else
		print_human(&m, &f);
	if (!m.groups.iommu) {
		/* The devices are shown all the same; then what turns the IOMMU on, for this CPU. */
		if (!ctx->json)
			printf("\nNo IOMMU groups: the IOMMU is off or absent; %s; 'vfio-claim check' tells which\n",
			       iommu_enable_advice(vendor));
		code = EXIT_CHECK_FAILED;
	} else if (!filter_empty(&f) && !ctx->json) {
		/* Filtering to nothing is worth a word when a class was asked for. */
		bool any = false;

		for (int k = 0; !any && k < m.pci.n; k++)
			any = matches(&f, &m.pci.devs[k]);
		if (!any)
			INF("no device matches");
	}
out_machine:
	machine_free(&m);
out:
	free(f.addrs);
	free(f.ids);
	return code;
}

const struct command cmd_list = {
	.name = "list",
	.run = run_list,
	.summary = "show IOMMU groups, their devices, and whether each can go to a guest",
	.usage = "list [DEVICE|VENDOR:DEVICE ...] [--class CLASS]\n"
		 "\n"
		 "Show every IOMMU group with its devices: address, [vendor:device], class and names\n"
		 "from the udev hardware database, subsystem IDs, driver, driver_override, reset\n"
		 "methods, boot VGA, SR-IOV relations, bridges, and what the host uses (mounted\n"
		 "filesystems, swap, network interfaces). Each group gets a verdict:\n"
		 "  ready         can go to a guest now\n"
		 "  claimable     can go once the listed endpoints are claimed for vfio-pci\n"
		 "  blocked       holds something the host needs (boot VGA, a mounted filesystem's\n"
		 "                controller, an interface that is up, ...)\n"
		 "  bridges only  nothing to pass through\n"
		 "\n"
		 "DEVICE is a PCI address (0000:0a:00.0 or 0a:00.0); VENDOR:DEVICE an ID (10de:1c03,\n"
		 "optionally :SUBVENDOR:SUBDEVICE). Only groups holding a named device are shown.\n"
		 "\n"
		 "Options:\n"
		 "  --class CLASS  only groups holding a device of CLASS: gpu, display, audio,\n"
		 "                 multimedia, net, storage, nvme, sata, usb, serial, bridge, crypto,\n"
		 "                 accelerator, other\n"
		 "  --json         one JSON document (schema in README.md)\n"
		 "\n"
		 "Without IOMMU groups every device is listed as having none, followed by what\n"
		 "turns the IOMMU on for this CPU ('vfio-claim check' says what is missing).\n"
		 "\n"
		 "Exit status: 0, or 1 when the machine has no IOMMU groups.\n",
};
