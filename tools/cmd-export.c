// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-claim export: the libvirt <hostdev> elements or QEMU -device
 * arguments for devices and the rest of their IOMMU groups, as the guides
 * write them by hand: a guest gets a whole group or nothing; or KubeVirt's
 * permittedHostDevices.pciHostDevices entries for the devices the config
 * claims.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claimsetup.h"
#include "exitcode.h"
#include "fleet.h"
#include "json.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "policy.h"

/* Other functions of the same slot are also being exported. */
static bool has_sibling(struct pci_dev **devs, int n, const struct pci_dev *d)
{
	for (int i = 0; i < n; i++)
		if (devs[i] != d && devs[i]->addr.domain == d->addr.domain &&
		    devs[i]->addr.bus == d->addr.bus && devs[i]->addr.slot == d->addr.slot)
			return true;
	return false;
}

static int add_unique(struct pci_dev ***v, int *n, struct pci_dev *d)
{
	struct pci_dev **p;

	for (int i = 0; i < *n; i++)
		if ((*v)[i] == d)
			return 0;
	p = realloc(*v, sizeof(*p) * (size_t)(*n + 1));
	if (!p)
		return -1;
	*v = p;
	p[(*n)++] = d;
	return 0;
}

static int addr_order(const void *a, const void *b)
{
	const struct pci_dev *x = *(struct pci_dev *const *)a, *y = *(struct pci_dev *const *)b;

	return (x > y) - (x < y);	/* the devices live in one sorted array */
}

/*
 * The guest slot on bus 0 of each device that has sibling functions going
 * along (-1 for the others): the functions of one card share one slot, so the
 * guest sees one multifunction card as on the host. Cards take slots in
 * address order from first_slot.
 */
static void assign_guest_slots(struct pci_dev **devs, int n, int first_slot, int *slots)
{
	const struct pci_dev *card = NULL;	/* a function of the last multifunction card */
	int slot = first_slot - 1;

	for (int i = 0; i < n; i++) {
		const struct pci_dev *d = devs[i];

		slots[i] = -1;
		if (!has_sibling(devs, n, d))
			continue;
		if (!card || card->addr.domain != d->addr.domain || card->addr.bus != d->addr.bus ||
		    card->addr.slot != d->addr.slot) {
			card = d;
			slot++;
		}
		slots[i] = slot;
	}
}

static void print_libvirt(struct pci_dev **devs, int n, const int *slots)
{
	for (int i = 0; i < n; i++) {
		const struct pci_dev *d = devs[i];

		printf("<hostdev mode='subsystem' type='pci' managed='yes'>\n"
		       "  <source>\n"
		       "    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>\n"
		       "  </source>\n",
		       d->addr.domain, d->addr.bus, d->addr.slot, d->addr.func);
		if (slots[i] >= 0)
			printf("  <address type='pci' domain='0x0000' bus='0x00' slot='0x%02x' function='0x%x'%s/>\n",
			       slots[i], d->addr.func, d->addr.func == 0 ? " multifunction='on'" : "");
		printf("</hostdev>\n");
	}
}

/* QEMU's own bus 0 (pcie.0 on q35, pci.0 on i440fx): addr=SLOT.FUNCTION. */
static void print_qemu(struct pci_dev **devs, int n, const int *slots)
{
	for (int i = 0; i < n; i++) {
		const struct pci_dev *d = devs[i];
		char addr[48] = "";

		if (slots[i] >= 0)
			snprintf(addr, sizeof(addr), ",addr=0x%02x.%x%s", slots[i], d->addr.func,
				 d->addr.func == 0 ? ",multifunction=on" : "");
		printf("-device vfio-pci,host=%s%s%s\n", d->name, addr, i < n - 1 ? " \\" : "");
	}
}

/*
 * A group goes to a guest whole: ask the claim policy about every device
 * exported. Without force, a device the host needs makes the export fail
 * (1, nothing printed); with it, it is marked in host_needs so that no
 * 'bind' is suggested for it. Returns the exit code, or 0.
 */
static int export_policy(const struct machine *m, struct pci_dev **devs, int n, bool force,
			 bool *host_needs)
{
	struct policy_claim pc = { .via = VIA_EXPORT, .taken = devs, .n_taken = n };
	struct policy_verdict v;
	int code = 0;

	for (int i = 0; i < n; i++) {
		enum policy_answer a = policy_judge(&m->pci, &m->groups, devs[i], &pc, &v);

		if (a == POLICY_CLAIM)
			continue;
		host_needs[i] = true;
		if (force) {
			WRN("%s; exported anyway (--force): the guest cannot start while the host uses it",
			    v.text);
			continue;
		}
		ERR("IOMMU group %d cannot go to a guest: %s; the whole group goes or nothing (--force prints it anyway)",
		    devs[i]->group, v.text);
		code = EXIT_CHECK_FAILED;
	}
	return code;
}

/*
 * KubeVirt's permittedHostDevices (spec.configuration of the KubeVirt CR,
 * API kubevirt.io/v1 PciHostDevice): one entry per claimed vendor:device,
 * pciVendorSelector "VVVV:DDDD" (KubeVirt compares it lowercased; its docs
 * write it in capitals), resourceName "vfio-claim.io/vvvv_dddd", and
 * externalResourceProvider false: KubeVirt's own device plugin then offers
 * the devices of that ID that are on vfio-pci. The claimed devices go through
 * the same policy as the other forms. Returns the exit code.
 */
static int export_kubevirt(struct context *ctx, bool force)
{
	_cleanup_free_ struct pci_dev **devs = NULL;
	_cleanup_free_ bool *host_needs = NULL;
	_cleanup_free_ struct id_count *ids = NULL;
	struct claim_setup s;
	int code, n_ids = 0;

	code = claim_setup_load_config(ctx, &cmd_export, 0, NULL, &s);
	if (code)
		goto out;
	devs = calloc((size_t)s.res.n + 1, sizeof(*devs));
	host_needs = calloc((size_t)s.res.n + 1, sizeof(*host_needs));
	if (!devs || !host_needs || fleet_id_counts(&s.res, &s.m.pci, &ids, &n_ids) < 0) {
		ERR("export: %s", strerror(ENOMEM));
		code = EXIT_UNAVAILABLE;
		goto out;
	}
	for (int i = 0; i < s.res.n; i++)
		devs[i] = s.res.devs[i].dev;
	code = export_policy(&s.m, devs, s.res.n, force, host_needs);
	if (code)
		goto out;
	if (!s.res.n)
		WRN("nothing is claimed: /%s has no claim that takes a device here; the list is empty",
		    CONFIG_MAIN);
	for (int i = 0; i < s.res.n; i++)
		if (!pci_driver_is_vfio(devs[i]->driver) && !host_needs[i])
			WRN("%s is on %s, not vfio-pci: KubeVirt offers it once it is ('vfio-claim bind %s', or reboot after 'vfio-claim apply --initramfs')",
			    devs[i]->name, devs[i]->driver ? devs[i]->driver : "no driver", devs[i]->name);
	if (ctx->json) {
		struct json j;
		char sel[16], name[64];

		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "permittedHostDevices");
		json_object_begin(&j);
		json_key(&j, "pciHostDevices");
		json_array_begin(&j);
		for (int i = 0; i < n_ids; i++) {
			snprintf(sel, sizeof(sel), "%04X:%04X", ids[i].vendor, ids[i].device);
			snprintf(name, sizeof(name), FLEET_DOMAIN "/%04x_%04x", ids[i].vendor, ids[i].device);
			json_object_begin(&j);
			json_kv_string(&j, "pciVendorSelector", sel);
			json_kv_string(&j, "resourceName", name);
			json_kv_bool(&j, "externalResourceProvider", false);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
		json_object_end(&j);
		json_finish(&j);
		goto out;
	}
	printf("# KubeVirt CR, spec.configuration: the devices /%s claims\n"
	       "permittedHostDevices:\n"
	       "  pciHostDevices:%s\n",
	       CONFIG_MAIN, n_ids ? "" : " []");
	for (int i = 0; i < n_ids; i++) {
		if (ids[i].present > ids[i].claimed)
			printf("    # %04x:%04x: %d of the %d devices here are claimed; KubeVirt offers those on vfio-pci\n",
			       ids[i].vendor, ids[i].device, ids[i].claimed, ids[i].present);
		printf("    - pciVendorSelector: \"%04X:%04X\"\n"
		       "      resourceName: \"" FLEET_DOMAIN "/%04x_%04x\"\n"
		       "      externalResourceProvider: false\n",
		       ids[i].vendor, ids[i].device, ids[i].vendor, ids[i].device);
	}
out:
	claim_setup_free(&s);
	return code;
}

static int run_export(struct context *ctx, int argc, char **argv)
{
	enum { OPT_LIBVIRT = OPT_FIRST_COMMAND_OPTION, OPT_QEMU, OPT_GUEST_SLOT, OPT_FORCE, OPT_KUBEVIRT };
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{ "libvirt", no_argument, NULL, OPT_LIBVIRT },
		{ "qemu", no_argument, NULL, OPT_QEMU },
		{ "kubevirt", no_argument, NULL, OPT_KUBEVIRT },
		{ "guest-slot", required_argument, NULL, OPT_GUEST_SLOT },
		{ "force", no_argument, NULL, OPT_FORCE },
		{},
	};
	_cleanup_free_ struct pci_dev **devs = NULL;
	int c, code = 0, n = 0, format = 0, guest_slot = 0x10;
	_cleanup_free_ int *slots = NULL;
	_cleanup_free_ bool *host_needs = NULL;
	bool force = false;
	struct machine m;

	while ((c = getopt_long(argc, argv, GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
		if (c == OPT_LIBVIRT || c == OPT_QEMU || c == OPT_KUBEVIRT) {
			if (format && format != c)
				return usage_error(&cmd_export, "give one of --libvirt, --qemu and --kubevirt");
			format = c;
		} else if (c == OPT_GUEST_SLOT) {
			char *end;
			long v = strtol(optarg, &end, 0);

			if (*end || v < 1 || v > 0x1f)
				return usage_error(&cmd_export, "--guest-slot %s: a slot from 1 to 0x1f", optarg);
			guest_slot = (int)v;
		} else if (c == OPT_FORCE) {
			force = true;
		} else if (handle_global_option(ctx, &cmd_export, c, &code) < 0) {
			return code;
		}
	}
	if (format == OPT_KUBEVIRT) {
		if (optind < argc)
			return usage_error(&cmd_export, "--kubevirt takes the devices the config claims, not '%s'",
					   argv[optind]);
		return export_kubevirt(ctx, force);
	}
	if (!format && !ctx->json)
		return usage_error(&cmd_export, "give --libvirt, --qemu or --kubevirt");
	if (optind >= argc)
		return usage_error(&cmd_export, "name at least one device");
	code = machine_load(ctx, &m);
	if (code)
		return code;
	for (int i = optind; i < argc; i++) {
		const struct iommu_group *g;
		struct pci_dev *d;

		code = machine_find_device(&m, argv[i], &cmd_export, &d);
		if (code)
			goto out;
		{
			struct policy_claim pc = { .via = VIA_EXPORT };
			struct policy_verdict v;

			if (policy_judge(&m.pci, &m.groups, d, &pc, &v) == POLICY_REFUSE) {
				ERR("%s", v.text);
				code = v.kind == REASON_NO_GROUP ? EXIT_CHECK_FAILED : EXIT_USAGE;
				goto out;
			}
		}
		g = groups_find(&m.groups, d->group);
		for (int k = 0; k < g->n_devs; k++)
			if (!pci_is_infrastructure(g->devs[k]) && add_unique(&devs, &n, g->devs[k]) < 0) {
				code = EXIT_UNAVAILABLE;
				goto out;
			}
	}
	if (n > 1)	/* devs is NULL when nothing was added: qsort(NULL, 0) is undefined */
		qsort(devs, (size_t)n, sizeof(*devs), addr_order);
	slots = calloc((size_t)n + 1, sizeof(*slots));
	host_needs = calloc((size_t)n + 1, sizeof(*host_needs));
	if (!slots || !host_needs) {
		code = EXIT_UNAVAILABLE;
		goto out;
	}
	code = export_policy(&m, devs, n, force, host_needs);
	if (code)
		goto out;
	assign_guest_slots(devs, n, guest_slot, slots);
	for (int i = 0; i < n; i++)
		if (!pci_driver_is_vfio(devs[i]->driver) && !host_needs[i])
			WRN(format == OPT_LIBVIRT ?
				    "%s is on %s, not vfio-pci: 'vfio-claim bind %s' first, or let libvirt do it (managed='yes')" :
				    "%s is on %s, not vfio-pci: 'vfio-claim bind %s' before starting QEMU",
			    devs[i]->name, devs[i]->driver ? devs[i]->driver : "no driver", devs[i]->name);
	if (ctx->json) {
		struct json j;

		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "devices");
		json_array_begin(&j);
		for (int i = 0; i < n; i++) {
			char ga[24];

			json_object_begin(&j);
			json_kv_string(&j, "address", devs[i]->name);
			json_kv_int(&j, "iommu_group", devs[i]->group);
			json_kv_bool(&j, "multifunction", devs[i]->addr.func == 0 && slots[i] >= 0);
			if (slots[i] >= 0)
				snprintf(ga, sizeof(ga), "00:%02x.%x", slots[i], devs[i]->addr.func);
			json_kv_string(&j, "guest_address", slots[i] >= 0 ? ga : NULL);
			json_kv_string(&j, "driver", devs[i]->driver);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
		json_finish(&j);
	} else if (format == OPT_LIBVIRT) {
		print_libvirt(devs, n, slots);
	} else {
		print_qemu(devs, n, slots);
	}
out:
	machine_free(&m);
	return code;
}

const struct command cmd_export = {
	.name = "export",
	.run = run_export,
	.summary = "print libvirt <hostdev>, QEMU -device lines or KubeVirt permittedHostDevices",
	.usage = "export --libvirt|--qemu|--kubevirt [DEVICE...] [--guest-slot N] [--force]\n"
		 "\n"
		 "With --libvirt or --qemu, print what passes DEVICE and the other endpoints of\n"
		 "its IOMMU group to a guest: libvirt <hostdev mode='subsystem' type='pci'\n"
		 "managed='yes'> elements, or QEMU '-device vfio-pci,host=...' arguments. The\n"
		 "functions of one card stay together in one guest slot on bus 0 (QEMU's\n"
		 "addr=SLOT.FUNCTION), function 0 with multifunction=on; cards take slots from\n"
		 "--guest-slot on, 0x10 by default. --json gives each device with its guest\n"
		 "address. A group holding a device the host needs (boot VGA, a mounted\n"
		 "filesystem's controller, an interface up, an SR-IOV PF with VFs) is refused:\n"
		 "exit 1, nothing printed, unless --force.\n"
		 "\n"
		 "--kubevirt (no DEVICE) prints, for the devices /etc/vfio-claim.conf claims, the\n"
		 "KubeVirt CR's spec.configuration.permittedHostDevices: one pciHostDevices\n"
		 "entry per vendor:device (pciVendorSelector \"VVVV:DDDD\", resourceName\n"
		 "\"vfio-claim.io/vvvv_dddd\", externalResourceProvider false), as YAML, or as\n"
		 "JSON with --json. The claimed devices meet the same refusals.\n",
};
