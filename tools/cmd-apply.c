// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-claim apply: make the system match the config. Resolves the claims
 * against this machine, writes the module's options and native-driver
 * softdeps (modprobe.d) and the userspace fallback (udev rules), says which
 * kernel arguments are still missing, and on request regenerates the
 * initramfs and binds what can be bound now. Writes are atomic, a second
 * run changes nothing, and files vfio-claim did not write are left alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "artifacts.h"
#include "bind.h"
#include "claimsetup.h"
#include "config.h"
#include "exitcode.h"
#include "genfile.h"
#include "json.h"
#include "kmodinfo.h"
#include "lock.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "resolve.h"

/* Run the distribution's initramfs tool; returns its exit status or -errno. */
static int regenerate_initramfs(void)
{
	static const char *const tools[][5] = {
		{ "update-initramfs", "-u", "-k", "all", NULL },
		{ "dracut", "-f", "--regenerate-all", NULL, NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
		char cmd[64];
		int status;
		pid_t pid;

		snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tools[i][0]);
		if (system(cmd) != 0)
			continue;
		fprintf(stderr, "vfio-claim: regenerating the initramfs with %s (this takes a while)...\n",
			tools[i][0]);
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0) {
			dup2(STDERR_FILENO, STDOUT_FILENO);	/* keep our stdout for the report */
			execvp(tools[i][0], (char *const *)tools[i]);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0)
			return -errno;
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	}
	return -ENOENT;
}

/*
 * The claim policy's verdicts on what the config reaches: a line that would
 * take a device the host needs without 'force', split a card or a group
 * without 'partial', or name a chipset function is a config error (65), and
 * nothing is written. Returns the exit code, or 0.
 */
static int refuse_blocked(const struct claim_setup *s)
{
	char fix[1024];
	int n = 0;

	for (int i = 0; i < s->res.n_findings; i++) {
		const struct finding *f = &s->res.findings[i];
		const char *word;

		if (f->kind != FIND_POLICY || (f->verdict.answer == POLICY_REFUSE &&
					       f->verdict.kind == REASON_NO_GROUP))
			continue;
		resolution_fix_text(&s->res, &s->m, f, fix, sizeof(fix));
		word = policy_override_word(f->verdict.answer);
		if (word)
			ERR("%s; the line does not say '%s': %s", f->text, word, fix);
		else
			ERR("%s; the line can never take it: %s", f->text, fix);
		n++;
	}
	if (!n)
		return 0;
	ERR("%d claim(s) refused by the claim policy; nothing was written", n);
	return EXIT_CONFIG;
}

static void report_findings(const struct resolution *res)
{
	for (int i = 0; i < res->n_findings; i++) {
		const struct finding *f = &res->findings[i];

		if (f->kind == FIND_SEVERAL)
			INF("%s", f->text);
		else
			WRN("%s", f->text);
	}
}

static void print_json_report(const struct resolution *res, const struct artifacts *a,
			      const struct genfile *files, int n, bool check, const char *missing)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_bool(&j, "check", check);
	json_key(&j, "files");
	json_array_begin(&j);
	for (int i = 0; i < n; i++) {
		char path[256];

		snprintf(path, sizeof(path), "/%s", files[i].path);
		json_object_begin(&j);
		json_kv_string(&j, "path", path);
		json_kv_string(&j, "action", !genfile_changed(&files[i]) ? "unchanged" :
					     files[i].want ? (files[i].have ? "update" : "create") : "remove");
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "claimed");
	json_array_begin(&j);
	for (int i = 0; i < res->n; i++) {
		json_object_begin(&j);
		json_kv_string(&j, "device", res->devs[i].dev->name);
		json_kv_bool(&j, "by_group", res->devs[i].by_group);
		json_kv_string(&j, "driver", res->devs[i].dev->driver);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_kv_string(&j, "slots", a->slots);
	json_kv_string(&j, "ids", a->ids);
	json_key(&j, "softdeps");
	json_array_begin(&j);
	for (int i = 0; i < a->n_natives; i++)
		json_string(&j, a->natives[i]);
	json_array_end(&j);
	json_key(&j, "builtin_drivers");
	json_array_begin(&j);
	for (int i = 0; i < a->n_builtin; i++)
		json_string(&j, a->builtin[i]);
	json_array_end(&j);
	json_key(&j, "findings");
	json_array_begin(&j);
	for (int i = 0; i < res->n_findings; i++)
		json_string(&j, res->findings[i].text);
	json_array_end(&j);
	json_kv_string(&j, "kernel_args_missing", missing[0] ? missing : NULL);
	json_object_end(&j);
	json_finish(&j);
}

static int run_apply(struct context *ctx, int argc, char **argv)
{
	enum { OPT_CHECK = OPT_FIRST_COMMAND_OPTION, OPT_INITRAMFS, OPT_NOW };
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "initramfs", no_argument, NULL, OPT_INITRAMFS },
		{ "now", no_argument, NULL, OPT_NOW },
		{},
	};
	bool check = false, initramfs = false, now = false, changed = false;
	struct genfile files[2] = { { .path = ARTIFACT_MODPROBE }, { .path = ARTIFACT_UDEV } };
	char missing[128], where[256];
	struct artifacts a = { 0 };
	struct claim_setup s;
	const char *failed;
	int c, code = 0, r, lock = -1;

	while ((c = getopt_long(argc, argv, GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
		if (c == OPT_CHECK)
			check = true;
		else if (c == OPT_INITRAMFS)
			initramfs = true;
		else if (c == OPT_NOW)
			now = true;
		else if (handle_global_option(ctx, &cmd_apply, c, &code) < 0)
			return code;
	}
	if (optind < argc)
		return usage_error(&cmd_apply, "apply takes no arguments");
	if (check && (initramfs || now))
		return usage_error(&cmd_apply, "--check changes nothing; it goes alone");
	if (initramfs && !streq(ctx->root_path, "/"))
		return usage_error(&cmd_apply, "--initramfs regenerates the running system's initramfs; it does not go with --root");

	code = claim_setup_load(ctx, &cmd_apply, 0, NULL, &s);
	if (code)
		goto out;
	code = refuse_blocked(&s);
	if (code)
		goto out;
	if (artifacts_build(&s.cfg, &s.res, &s.m, s.kmod, &a) < 0) {
		code = EXIT_UNAVAILABLE;
		goto out;
	}
	files[0].want = a.modprobe ? strdup(a.modprobe) : NULL;
	files[1].want = a.udev ? strdup(a.udev) : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		r = genfile_read(&ctx->root, &files[i]);
		if (r < 0) {
			ERR("/%s: cannot read: %s", files[i].path, strerror(-r));
			code = exit_code_for(r);
			goto out;
		}
		if (files[i].foreign && genfile_changed(&files[i])) {
			ERR("/%s exists and was not written by vfio-claim; move it away and run apply again (nothing was changed)",
			    files[i].path);
			code = EXIT_CHECK_FAILED;
			goto out;
		}
		changed |= genfile_changed(&files[i]);
	}
	report_findings(&s.res);
	kernel_args_advice(&ctx->root, s.m.groups.iommu, missing, sizeof(missing), where, sizeof(where));

	if (check) {
		if (ctx->json)
			print_json_report(&s.res, &a, files, ARRAY_SIZE(files), true, missing);
		else if (!changed)
			printf("nothing to change\n");
		for (size_t i = 0; !ctx->json && i < ARRAY_SIZE(files); i++)
			if (genfile_changed(&files[i]))
				genfile_diff(&files[i], stdout);
		code = changed ? EXIT_CHANGES : EXIT_OK;
		goto out;
	}

	if (changed || now) {
		lock = lock_take_or_report(ctx);
		if (lock < 0) {
			code = -lock;
			goto out;
		}
	}
	if (changed) {
		r = genfile_commit(&ctx->root, files, ARRAY_SIZE(files), &failed);
		if (r < 0) {
			ERR("/%s: cannot write: %s; the previous files are in place", failed, strerror(-r));
			code = exit_code_for(r);
			goto out;
		}
	}
	if (ctx->json) {
		print_json_report(&s.res, &a, files, ARRAY_SIZE(files), false, missing);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			if (!genfile_changed(&files[i]))
				continue;
			printf("%s /%s\n", files[i].want ? (files[i].have ? "updated" : "wrote") : "removed",
			       files[i].path);
		}
		if (!changed)
			printf("nothing to change: the files match /%s\n", CONFIG_MAIN);
		printf("claims: %d device(s)", s.res.n);
		if (a.slots[0])
			printf("; vfio_claim slots=%s", a.slots);
		if (a.ids[0])
			printf(" ids=%s", a.ids);
		printf("\n");
		if (a.n_natives) {
			printf("native drivers that load vfio_claim first:");
			for (int i = 0; i < a.n_natives; i++)
				printf(" %s", a.natives[i]);
			printf("\n");
		}
	}
	for (int i = 0; i < a.n_builtin; i++)
		WRN("%s is built into %s: it takes its devices at boot before any module loads (only hot-added ones are claimed first); add 'rebind' to their claims ('vfio-claim add --rebind DEVICE') so that vfio_claim takes them when it loads",
		    a.builtin[i], s.kver);
	for (int i = 0; i < s.res.n; i++) {
		const struct pci_dev *d = s.res.devs[i].dev;

		if (d->driver && !pci_driver_is_vfio(d->driver) && !s.res.devs[i].claim->rebind &&
		    pci_driver_builtin(&ctx->root, d->driver))
			WRN("%s is on %s, which is built in and binds it at boot before any module loads; add 'rebind' to its claim ('vfio-claim add --rebind %s')",
			    d->name, d->driver, d->name);
	}
	if (missing[0])
		WRN("kernel arguments missing: %s; %s", missing, where);

	/* A loaded module takes new lists at once: devices added from now on are claimed. */
	for (size_t i = 0; i < 2; i++) {
		static const char *const params[] = { "sys/module/vfio_claim/parameters/slots",
						      "sys/module/vfio_claim/parameters/ids" };
		const char *value = i == 0 ? a.slots : a.ids;
		char now_value[4096];

		if (sysroot_read(&ctx->root, params[i], now_value, sizeof(now_value)) < 0 ||
		    streq(now_value, value) || check)
			continue;
		r = sysroot_write(&ctx->root, params[i], value[0] ? value : "\n");
		if (r < 0)
			WRN("/%s: cannot update the loaded module: %s; it takes the new list at its next load",
			    params[i], strerror(-r));
		else if (!ctx->json)
			printf("updated the loaded vfio_claim: %s=%s\n", i == 0 ? "slots" : "ids", value);
	}
	if (now) {
		/* Bind what is claimed and not yet on vfio-pci. */
		_cleanup_free_ struct pci_dev **devs = calloc((size_t)s.res.n + 1, sizeof(*devs));
		struct bind_error err;
		int n = 0;

		for (int i = 0; devs && i < s.res.n; i++)
			if (!pci_driver_is_vfio(s.res.devs[i].dev->driver))
				devs[n++] = s.res.devs[i].dev;
		if (n && vfio_pci_load_or_report(ctx, s.kmod)) {
			code = EXIT_CHECK_FAILED;
		} else if (n && bind_to_vfio(&ctx->root, devs, n, &err) < 0) {
			ERR("--now: %s; the devices stay on their drivers until the next boot", err.text);
			code = EXIT_CHECK_FAILED;
		} else if (!ctx->json) {
			printf("bound now: %d device(s)\n", n);
		}
	}
	if (initramfs && code == 0) {
		r = regenerate_initramfs();
		if (r == -ENOENT) {
			ERR("neither update-initramfs nor dracut was found; regenerate the initramfs by hand");
			code = EXIT_UNAVAILABLE;
		} else if (r != 0) {
			ERR("the initramfs tool failed (status %d); the files are written, run it again by hand", r);
			code = EXIT_UNAVAILABLE;
		}
	} else if (changed && !initramfs && !ctx->json) {
		printf("the initramfs still holds the old files: run 'vfio-claim apply --initramfs' (or update-initramfs -u) before rebooting\n");
	}
out:
	lock_release(lock);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		genfile_free(&files[i]);
	artifacts_free(&a);
	claim_setup_free(&s);
	return code;
}

const struct command cmd_apply = {
	.name = "apply",
	.run = run_apply,
	.summary = "make the system match the config (modprobe.d, udev rules, initramfs)",
	.usage = "apply [--check] [--initramfs] [--now]\n"
		 "\n"
		 "Resolve /etc/vfio-claim.conf against this machine and write:\n"
		 "  /etc/modprobe.d/vfio-claim-claims.conf      the vfio_claim module's slots= and ids=,\n"
		 "      and 'softdep NATIVE pre: vfio_claim' for each claimed device's native driver\n"
		 "  /etc/udev/rules.d/59-vfio-claim-claims.rules  driver_override rules with ID guards\n"
		 "      that load vfio-pci, for boots where the module cannot load; /dev/vfio owners\n"
		 "Then say which kernel arguments are missing and where they go. Writes are atomic;\n"
		 "a second apply changes nothing; files vfio-claim did not write are never touched.\n"
		 "\n"
		 "Options:\n"
		 "  --check      print what would change and change nothing; exit 2 if something would\n"
		 "  --initramfs  regenerate the initramfs (update-initramfs or dracut) afterwards\n"
		 "  --now        also bind the claimed devices now\n",
};
