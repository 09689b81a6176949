// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-claim add / remove: edit /etc/vfio-claim.conf, keeping its comments
 * and order. add writes the address with the ID found there, so that the
 * claim cannot follow a renumbered bus to another card, and refuses what the
 * host needs unless forced. Nothing takes effect until 'vfio-claim apply'.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "exitcode.h"
#include "genfile.h"
#include "json.h"
#include "lock.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "policy.h"
#include "resolve.h"

#define CONFIG_HEADER                                                                     \
	"# vfio-claim: devices claimed for vfio-pci, one a line; see 'vfio-claim add --help'.\n" \
	"#   ADDRESS@VENDOR:DEVICE [group] [rebind] [force] [partial] [owner=USER[:GROUP]]  the device at ADDRESS, if it has that ID\n" \
	"#   VENDOR:DEVICE[:SUBVENDOR:SUBDEVICE] [group] [rebind] [owner=...] every device with that ID\n" \
	"# Run 'vfio-claim apply' after a change.\n"

/*
 * Rewrite a config file with line `lineno` replaced by `text` (NULL drops it,
 * 0 appends). A symlinked config has its target (inside the root) rewritten;
 * mode and owner are kept (genfile_write_atomic).
 */
static int edit_file(struct context *ctx, const char *path, int lineno, const char *text)
{
	_cleanup_free_ char *old = NULL;
	char *out = NULL;
	int r;

	r = sysroot_read_all(&ctx->root, path, &old);
	if (r == -ENOENT) {
		old = strdup(CONFIG_HEADER);
		if (!old)
			return -ENOMEM;
	} else if (r < 0) {
		return r;
	} else if (memchr(old, '\0', (size_t)r)) {
		return -EINVAL;	/* the loader names the line; never drop what follows a NUL */
	}
	r = config_edit_text(old, lineno, text, &out);
	if (r < 0)
		return r;
	r = genfile_write_atomic(&ctx->root, path, out, GENFILE_FOLLOW);
	free(out);
	return r;
}

/*
 * Ask the claim policy about the device and, with --group, the endpoints of
 * its group, taken together with everything the config already takes.
 * Reports a refusal and returns its exit code (64 for what is never
 * claimed, 1 for what needs --force or --partial), or 0.
 */
static int add_policy(const struct machine *m, const struct config *cfg, struct pci_dev *d,
		      const struct iommu_group *g, const struct claim *want)
{
	_cleanup_free_ struct pci_dev **taken = NULL;
	struct resolution res;
	struct policy_verdict v;
	int n = 0, code = 0;

	if (resolve_claims(cfg, m, &res) < 0)
		return EXIT_UNAVAILABLE;
	taken = calloc((size_t)res.n + (size_t)(g ? g->n_devs : 0) + 1, sizeof(*taken));
	if (!taken) {
		resolution_free(&res);
		return EXIT_UNAVAILABLE;
	}
	for (int i = 0; i < res.n; i++)
		if (!vc_addr_equal(&res.devs[i].dev->addr, &d->addr) || res.devs[i].by_group)
			taken[n++] = res.devs[i].dev;
	resolution_free(&res);
	taken[n++] = d;
	for (int k = 0; want->whole_group && k < g->n_devs; k++)
		if (g->devs[k] != d && !pci_is_infrastructure(g->devs[k]))
			taken[n++] = g->devs[k];
	for (int k = -1; k < (want->whole_group ? g->n_devs : 0) && !code; k++) {
		const struct pci_dev *who = k < 0 ? d : g->devs[k];
		struct policy_claim pc = {
			.via = k < 0 ? VIA_ADDRESS : VIA_GROUP,
			.force = want->force,
			.partial = want->partial,
			.taken = taken,
			.n_taken = n,
		};

		if (k >= 0 && (who == d || pci_is_infrastructure(who)))
			continue;
		switch (policy_judge(&m->pci, &m->groups, who, &pc, &v)) {
		case POLICY_CLAIM:
			break;
		case POLICY_REFUSE:
			ERR("%s", v.text);
			code = v.kind == REASON_NO_GROUP ? EXIT_CHECK_FAILED : EXIT_USAGE;
			break;
		case POLICY_NEEDS_FORCE:
			ERR("%s; the host needs it: claim it anyway with --force", v.text);
			code = EXIT_CHECK_FAILED;
			break;
		case POLICY_NEEDS_PARTIAL:
			ERR("%s; claim the rest too (--group, or add it), or keep the split with --partial",
			    v.text);
			code = EXIT_CHECK_FAILED;
			break;
		}
	}
	return code;
}

static int run_add(struct context *ctx, int argc, char **argv)
{
	enum { OPT_GROUP = OPT_FIRST_COMMAND_OPTION, OPT_FORCE, OPT_OWNER, OPT_REBIND, OPT_PARTIAL };
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{ "group", no_argument, NULL, OPT_GROUP },
		{ "rebind", no_argument, NULL, OPT_REBIND },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "partial", no_argument, NULL, OPT_PARTIAL },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{},
	};
	struct claim want = { .kind = CLAIM_SLOT };
	char line[256], why[256], origin[300];
	const struct iommu_group *g;
	const char *owner = NULL;
	struct config cfg = { 0 };
	struct pci_dev *d;
	struct machine m;
	int c, code = 0, r, lock = -1;

	while ((c = getopt_long(argc, argv, GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
		if (c == OPT_GROUP)
			want.whole_group = true;
		else if (c == OPT_FORCE)
			want.force = true;
		else if (c == OPT_PARTIAL)
			want.partial = true;
		else if (c == OPT_REBIND)
			want.rebind = true;
		else if (c == OPT_OWNER)
			owner = optarg;
		else if (handle_global_option(ctx, &cmd_add, c, &code) < 0)
			return code;
	}
	if (argc - optind != 1)
		return usage_error(&cmd_add, "add takes one device");
	if (owner) {
		/* The whole argument is one token: 'alice group' is not owner=alice plus group. */
		if (!config_valid_owner(owner))
			return usage_error(&cmd_add, "--owner %s: give USER or USER:GROUP", owner);
		want.owner = (char *)owner;
	}
	code = machine_load(ctx, &m);
	if (code)
		return code;
	code = machine_find_device(&m, argv[optind], &cmd_add, &d);
	if (code)
		goto out;
	g = groups_find(&m.groups, d->group);
	if (want.whole_group && !g) {
		ERR("%s has no IOMMU group, so --group means nothing; is the IOMMU on? ('vfio-claim list' says)",
		    d->name);
		code = EXIT_CHECK_FAILED;
		goto out;
	}
	/* The policy first, without the lock: a refused add leaves the tree as it was. */
	code = config_load_or_report(ctx, &cfg);
	if (code)
		goto out;
	code = add_policy(&m, &cfg, d, g, &want);
	config_free(&cfg);
	if (code)
		goto out;
	/* Read and write the config under the writers' lock: two adds at once both land. */
	lock = lock_take_or_report(ctx);
	if (lock < 0) {
		code = -lock;
		goto out;
	}
	code = config_load_or_report(ctx, &cfg);
	if (code)
		goto out;
	code = add_policy(&m, &cfg, d, g, &want);
	if (code)
		goto out;

	want.slot.addr = d->addr;
	want.slot.has_id = true;
	want.slot.vendor = d->vendor;
	want.slot.device = d->device;
	config_format_claim(&want, line, sizeof(line));

	/* An existing claim of this address is updated where it stands. */
	for (int i = 0; i < cfg.n; i++) {
		const struct claim *cl = &cfg.claims[i];

		if (cl->kind != CLAIM_SLOT || !vc_addr_equal(&cl->slot.addr, &d->addr))
			continue;
		config_format_claim(cl, why, sizeof(why));
		claim_origin_text(cl, origin, sizeof(origin));
		if (streq(why, line)) {
			printf("%s is already claimed at %s: %s\n", d->name, origin, line);
			goto out;
		}
		r = edit_file(ctx, cl->file, cl->line, line);
		if (r < 0)
			goto write_failed;
		printf("%s: %s (was: %s); run 'vfio-claim apply' to make it take effect\n", origin, line, why);
		goto out;
	}
	for (int i = 0; i < cfg.n; i++) {
		const struct claim *cl = &cfg.claims[i];

		if (cl->kind == CLAIM_ID &&
		    vc_id_matches(&cl->id, d->vendor, d->device, d->subvendor, d->subdevice)) {
			claim_origin_text(cl, origin, sizeof(origin));
			INF("%s is also claimed by its ID at %s", d->name, origin);
		}
	}
	r = edit_file(ctx, CONFIG_MAIN, 0, line);
	if (r < 0)
		goto write_failed;
	printf("added to /%s: %s; run 'vfio-claim apply' to make it take effect\n", CONFIG_MAIN, line);
	goto out;

write_failed:
	ERR("/%s: cannot write: %s; nothing was changed", CONFIG_MAIN, sysroot_strerror(r));
	code = exit_code_for(r);
out:
	lock_release(lock);
	config_free(&cfg);
	machine_free(&m);
	return code;
}

static int run_remove(struct context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{},
	};
	struct vc_pci_addr addr;
	struct vc_pci_id id;
	struct config cfg = { 0 };
	bool is_addr;
	int c, code = 0, removed = 0, lock = -1;
	char origin[300], text[256];
	const char *arg;

	while ((c = getopt_long(argc, argv, GLOBAL_SHORT_OPTIONS, options, NULL)) != -1)
		if (handle_global_option(ctx, &cmd_remove, c, &code) < 0)
			return code;
	if (argc - optind != 1)
		return usage_error(&cmd_remove, "remove takes one device or ID");
	arg = argv[optind];
	is_addr = vc_parse_addr(arg, strlen(arg), &addr) == 0;
	if (!is_addr && vc_parse_id(arg, strlen(arg), &id))
		return usage_error(&cmd_remove,
				   "'%s' is neither a PCI address (0000:0a:00.0, 0a:00.0) nor an ID (10de:1c03)",
				   arg);
	code = context_open_root(ctx);
	if (code)
		return code;
	lock = lock_take_or_report(ctx);
	if (lock < 0)
		return -lock;
	code = config_load_or_report(ctx, &cfg);
	if (code) {
		lock_release(lock);
		return code;
	}
	/* Last line first, so that earlier line numbers stay valid. */
	for (int i = cfg.n - 1; i >= 0; i--) {
		const struct claim *cl = &cfg.claims[i];
		bool hit;
		int r;

		if (is_addr)
			hit = cl->kind == CLAIM_SLOT && vc_addr_equal(&cl->slot.addr, &addr);
		else
			hit = cl->kind == CLAIM_ID && !memcmp(&cl->id, &id, sizeof(id));
		if (!hit)
			continue;
		r = edit_file(ctx, cl->file, cl->line, NULL);
		claim_origin_text(cl, origin, sizeof(origin));
		if (r < 0) {
			ERR("%s: cannot write: %s; %d earlier line(s) were removed", origin, sysroot_strerror(r),
			    removed);
			code = exit_code_for(r);
			goto out;
		}
		config_format_claim(cl, text, sizeof(text));
		printf("removed %s: %s\n", origin, text);
		removed++;
	}
	if (!removed) {
		if (is_addr) {
			/* Say if an ID claim would still take the device. */
			struct machine m;

			if (machine_load(ctx, &m) == 0) {
				struct pci_dev *d = pci_find(&m.pci, &addr);

				for (int i = 0; d && i < cfg.n; i++) {
					const struct claim *cl = &cfg.claims[i];

					if (cl->kind == CLAIM_ID &&
					    vc_id_matches(&cl->id, d->vendor, d->device, d->subvendor, d->subdevice)) {
						claim_origin_text(cl, origin, sizeof(origin));
						config_format_claim(cl, text, sizeof(text));
						ERR("%s is claimed by its ID at %s (%s); remove that with 'vfio-claim remove %04x:%04x'",
						    d->name, origin, text, cl->id.vendor, cl->id.device);
						code = EXIT_CHECK_FAILED;
					}
				}
				machine_free(&m);
			}
			if (code)
				goto out;
		}
		printf("%s is not in the config; nothing to remove\n", arg);
	} else {
		printf("run 'vfio-claim apply' to make it take effect\n");
	}
out:
	lock_release(lock);
	config_free(&cfg);
	return code;
}

const struct command cmd_add = {
	.name = "add",
	.run = run_add,
	.summary = "claim a device in /etc/vfio-claim.conf",
	.usage = "add DEVICE [--group] [--rebind] [--owner USER[:GROUP]] [--force] [--partial]\n"
		 "\n"
		 "Add a claim for DEVICE to /etc/vfio-claim.conf, as its address with the ID found\n"
		 "there (0000:0a:00.0@10de:1c03), so that the claim never follows a renumbered bus to\n"
		 "another card. Comments and order are kept; an existing claim of the address is\n"
		 "updated in place. The claim policy decides (see the README): never for bridges,\n"
		 "chipset functions or devices without an IOMMU group; only with --force for the\n"
		 "boot VGA device, the controller of a mounted filesystem or swap, a NIC whose\n"
		 "interface is up, and an SR-IOV PF with VFs; only with --partial for a claim that\n"
		 "leaves another function of the card or endpoint of the group on a host driver.\n"
		 "--force and --partial are written to the line. 'vfio-claim apply' makes it take effect.\n"
		 "\n"
		 "Options:\n"
		 "  --group              claim the other endpoints of its IOMMU group too\n"
		 "  --rebind             let the module take it from a driver that has it when the\n"
		 "                       module loads (the way past a built-in driver)\n"
		 "  --owner USER[:GROUP] give /dev/vfio/N of the group to USER, so QEMU need not be root\n"
		 "  --force              claim what the host uses (writes 'force')\n"
		 "  --partial            allow splitting a card or group (writes 'partial')\n",
};

const struct command cmd_remove = {
	.name = "remove",
	.run = run_remove,
	.summary = "remove a claim from the config",
	.usage = "remove DEVICE|VENDOR:DEVICE\n"
		 "\n"
		 "Remove the claims of an address, or of an ID, from /etc/vfio-claim.conf and\n"
		 "/etc/vfio-claim.conf.d/, keeping every other line. 'vfio-claim apply' makes it\n"
		 "take effect; 'vfio-claim unbind' releases a bound device now.\n",
};
