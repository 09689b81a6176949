// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-claim export: the libvirt <hostdev> elements or QEMU -device
 * arguments for devices and the rest of their IOMMU groups, as the guides
 * write them by hand: a guest gets a whole group or nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
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

static int run_export(struct context *ctx, int argc, char **argv)
{
	enum { OPT_LIBVIRT = OPT_FIRST_COMMAND_OPTION, OPT_QEMU, OPT_GUEST_SLOT, OPT_FORCE };
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{ "libvirt", no_argument, NULL, OPT_LIBVIRT },
		{ "qemu", no_argument, NULL, OPT_QEMU },
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
		if (c == OPT_LIBVIRT || c == OPT_QEMU) {
			if (format && format != c)
				return usage_error(&cmd_export, "give one of --libvirt and --qemu");
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
	if (!format && !ctx->json)
		return usage_error(&cmd_export, "give --libvirt or --qemu");
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
	.summary = "print libvirt <hostdev> or QEMU -device lines for devices and their groups",
	.usage = "export --libvirt|--qemu DEVICE... [--guest-slot N] [--force]\n"
		 "\n"
		 "Print what passes DEVICE and the other endpoints of its IOMMU group to a guest:\n"
		 "libvirt <hostdev mode='subsystem' type='pci' managed='yes'> elements, or QEMU\n"
		 "'-device vfio-pci,host=...' arguments. The functions of one card stay together\n"
		 "in one guest slot on bus 0 (QEMU's addr=SLOT.FUNCTION), function 0 with\n"
		 "multifunction=on; cards take slots from --guest-slot on, 0x10 by default.\n"
		 "--json gives each device with its guest address. A group holding a device the\n"
		 "host needs (boot VGA, a mounted filesystem's controller, an interface up, an\n"
		 "SR-IOV PF with VFs) is refused: exit 1, nothing printed, unless --force.\n",
};
