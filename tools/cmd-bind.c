// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-claim bind / unbind: give devices to vfio-pci now, or give them back,
 * without a reboot. The refusals are the point: no bridge, nothing the host
 * needs without --force, and no group left half on host drivers without
 * --partial, since such a group cannot go to a guest anyway.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "exitcode.h"
#include "json.h"
#include "lock.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "policy.h"

struct selection {
	struct pci_dev **devs;
	int n;
};

static bool selected(const struct selection *s, const struct pci_dev *d)
{
	for (int i = 0; i < s->n; i++)
		if (s->devs[i] == d)
			return true;
	return false;
}

static int select_dev(struct selection *s, struct pci_dev *d)
{
	struct pci_dev **v;

	if (selected(s, d))
		return 0;
	v = realloc(s->devs, sizeof(*v) * (size_t)(s->n + 1));
	if (!v)
		return -ENOMEM;
	s->devs = v;
	v[s->n++] = d;
	return 0;
}

/* The named devices, and with --group the endpoints of their groups. */
static int select_devices(const struct command *cmd, const struct machine *m, int argc,
			  char **argv, bool group, struct selection *s)
{
	for (int i = 0; i < argc; i++) {
		struct pci_dev *d;
		int code = machine_find_device(m, argv[i], cmd, &d);

		if (code)
			return code;
		if (select_dev(s, d) < 0)
			return EXIT_UNAVAILABLE;
		if (group) {
			const struct iommu_group *g = groups_find(&m->groups, d->group);

			for (int k = 0; g && k < g->n_devs; k++)
				if (!pci_is_infrastructure(g->devs[k]) && select_dev(s, g->devs[k]) < 0)
					return EXIT_UNAVAILABLE;
		}
	}
	return 0;
}

/*
 * Ask the claim policy about each selected device, with the selection as
 * what is taken together. Reports the first refusal and returns its exit
 * code (64 for what is never claimed, 1 for the rest), or 0.
 */
static int bind_policy(const struct machine *m, const struct selection *s, bool force,
		       bool partial)
{
	struct policy_claim pc = {
		.via = VIA_BIND, .force = force, .partial = partial, .taken = s->devs, .n_taken = s->n,
	};
	struct policy_verdict v;

	for (int i = 0; i < s->n; i++) {
		switch (policy_judge(&m->pci, &m->groups, s->devs[i], &pc, &v)) {
		case POLICY_CLAIM:
			continue;
		case POLICY_REFUSE:
			ERR("%s", v.text);
			return v.kind == REASON_NO_GROUP ? EXIT_CHECK_FAILED : EXIT_USAGE;
		case POLICY_NEEDS_FORCE:
			ERR("%s; bind it anyway with --force", v.text);
			return EXIT_CHECK_FAILED;
		case POLICY_NEEDS_PARTIAL:
			ERR("%s; name it too, use --group, or --partial to bind only what you named",
			    v.text);
			return EXIT_CHECK_FAILED;
		}
	}
	return 0;
}

/* Where each selected device went, for --json: {"KEY": [{device, from, to}...]}. */
struct move {
	const char *from, *to;
};

static void print_json_moves(const char *key, const struct selection *s, const struct move *moves)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, key);
	json_array_begin(&j);
	for (int i = 0; i < s->n; i++) {
		json_object_begin(&j);
		json_kv_string(&j, "device", s->devs[i]->name);
		json_kv_string(&j, "from", moves[i].from);
		json_kv_string(&j, "to", moves[i].to);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
}

static int run_bind(struct context *ctx, int argc, char **argv)
{
	enum { OPT_GROUP = OPT_FIRST_COMMAND_OPTION, OPT_PARTIAL, OPT_FORCE };
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{ "group", no_argument, NULL, OPT_GROUP },
		{ "partial", no_argument, NULL, OPT_PARTIAL },
		{ "force", no_argument, NULL, OPT_FORCE },
		{},
	};
	bool group = false, partial = false, force = false;
	_cleanup_free_ char **before = NULL;
	_cleanup_free_ struct move *moves = NULL;
	struct selection s = { 0 };
	struct bind_error err;
	struct machine m;
	int c, code = 0, lock, r;
	while ((c = getopt_long(argc, argv, GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
		if (c == OPT_GROUP)
			group = true;
		else if (c == OPT_PARTIAL)
			partial = true;
		else if (c == OPT_FORCE)
			force = true;
		else if (handle_global_option(ctx, &cmd_bind, c, &code) < 0)
			return code;
	}
	if (optind >= argc)
		return usage_error(&cmd_bind, "name at least one device");
	code = machine_load(ctx, &m);
	if (code)
		return code;
	code = select_devices(&cmd_bind, &m, argc - optind, argv + optind, group, &s);
	if (code)
		goto out;

	code = bind_policy(&m, &s, force, partial);
	if (code)
		goto out;

	code = vfio_pci_load_or_report(ctx, NULL);
	if (code)
		goto out;
	before = calloc((size_t)s.n + 1, sizeof(*before));
	moves = calloc((size_t)s.n + 1, sizeof(*moves));
	if (!before || !moves) {
		code = EXIT_UNAVAILABLE;
		goto out;
	}
	for (int i = 0; i < s.n; i++)
		before[i] = s.devs[i]->driver ? strdup(s.devs[i]->driver) : NULL;
	lock = lock_take_or_report(ctx);
	if (lock < 0) {
		code = -lock;
		goto out;
	}
	r = bind_to_vfio(&ctx->root, s.devs, s.n, &err);
	lock_release(lock);
	if (r < 0) {
		ERR("bind failed: %s; every device is back on its previous driver", err.text);
		code = r == -EIO ? EXIT_CHECK_FAILED : exit_code_for(r);
		goto out;
	}
	if (ctx->json) {
		for (int i = 0; i < s.n; i++) {
			moves[i].from = before[i];
			moves[i].to = "vfio-pci";
		}
		print_json_moves("bound", &s, moves);
	} else {
		for (int i = 0; i < s.n; i++) {
			const char *from = before[i];

			if (from && streq(from, "vfio-pci"))
				printf("%s: already on vfio-pci\n", s.devs[i]->name);
			else
				printf("%s: %s -> vfio-pci\n", s.devs[i]->name, from ? from : "no driver");
		}
	}
out:
	for (int i = 0; before && i < s.n; i++)
		free(before[i]);
	free(s.devs);
	machine_free(&m);
	return code;
}

static int run_unbind(struct context *ctx, int argc, char **argv)
{
	enum { OPT_GROUP = OPT_FIRST_COMMAND_OPTION };
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{ "group", no_argument, NULL, OPT_GROUP },
		{},
	};
	bool group = false;
	struct selection s = { 0 };
	struct bind_error err;
	struct machine m;
	int c, code = 0, lock, r;

	while ((c = getopt_long(argc, argv, GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
		if (c == OPT_GROUP)
			group = true;
		else if (handle_global_option(ctx, &cmd_unbind, c, &code) < 0)
			return code;
	}
	if (optind >= argc)
		return usage_error(&cmd_unbind, "name at least one device");
	code = machine_load(ctx, &m);
	if (code)
		return code;
	code = select_devices(&cmd_unbind, &m, argc - optind, argv + optind, group, &s);
	if (code)
		goto out;
	lock = lock_take_or_report(ctx);
	if (lock < 0) {
		code = -lock;
		goto out;
	}
	{
		_cleanup_free_ char **prev = calloc((size_t)s.n + 1, sizeof(*prev));
		_cleanup_free_ struct move *moves = calloc((size_t)s.n + 1, sizeof(*moves));

		if (!prev || !moves) {
			lock_release(lock);
			code = EXIT_UNAVAILABLE;
			goto out;
		}
		for (int i = 0; i < s.n; i++)
			prev[i] = bind_remembered_driver(&ctx->root, s.devs[i]);
		r = release_from_vfio(&ctx->root, s.devs, s.n, &err);
		lock_release(lock);
		if (r < 0) {
			ERR("unbind failed: %s; every device is back on vfio-pci", err.text);
			code = r == -EIO ? EXIT_CHECK_FAILED : exit_code_for(r);
		} else if (ctx->json) {
			for (int i = 0; i < s.n; i++) {
				moves[i].from = s.devs[i]->driver;
				moves[i].to = prev[i];
			}
			print_json_moves("released", &s, moves);
		} else {
			for (int i = 0; i < s.n; i++) {
				if (!pci_driver_is_vfio(s.devs[i]->driver) &&
				    !(s.devs[i]->driver_override && streq(s.devs[i]->driver_override, "vfio-pci")))
					printf("%s: not on vfio-pci; left as it is\n", s.devs[i]->name);
				else if (prev[i])
					printf("%s: vfio-pci -> %s\n", s.devs[i]->name, prev[i]);
				else
					printf("%s: vfio-pci -> the kernel's choice\n", s.devs[i]->name);
			}
		}
		for (int i = 0; i < s.n; i++)
			free(prev[i]);
	}
out:
	free(s.devs);
	machine_free(&m);
	return code;
}

const struct command cmd_bind = {
	.name = "bind",
	.run = run_bind,
	.summary = "give devices to vfio-pci now, checked, with rollback",
	.usage = "bind DEVICE... [--group] [--partial] [--force]\n"
		 "\n"
		 "Give each DEVICE to vfio-pci now: set driver_override, unbind it from its driver,\n"
		 "and probe it again; check that vfio-pci took it. If anything fails, every device\n"
		 "touched goes back to the driver it had. The previous driver is remembered under\n"
		 "/run/vfio-claim so that 'vfio-claim unbind' can give it back.\n"
		 "\n"
		 "Options:\n"
		 "  --group    also bind the other endpoints of each device's IOMMU group\n"
		 "  --partial  allow leaving a group partly on host drivers\n"
		 "  --force    bind a device the host uses (boot VGA, mounted filesystem, interface up)\n"
		 "  --json     report as JSON\n",
};

const struct command cmd_unbind = {
	.name = "unbind",
	.run = run_unbind,
	.summary = "give devices back from vfio-pci to the driver they had",
	.usage = "unbind DEVICE... [--group]\n"
		 "\n"
		 "Take each DEVICE from vfio-pci: clear driver_override, unbind it, and give it to\n"
		 "the driver it had before 'vfio-claim bind' (or let the kernel choose). Checked,\n"
		 "with rollback to vfio-pci if it fails.\n"
		 "\n"
		 "Options:\n"
		 "  --group  also release the other endpoints of each device's IOMMU group\n"
		 "  --json   report as JSON\n",
};
