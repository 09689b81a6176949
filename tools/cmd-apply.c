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
#include "bootargs.h"
#include "claimsetup.h"
#include "cmdwords.h"
#include "bootimage.h"
#include "config.h"
#include "exitcode.h"
#include "genfile.h"
#include "iommuargs.h"
#include "json.h"
#include "kernelcmdline.h"
#include "kmodinfo.h"
#include "lock.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "resolve.h"

/*
 * Run the tool that builds this root's initramfs (bootimage_tool: detected
 * from what is installed, not assumed) for kver; returns its exit status,
 * or -ENOENT when the root has none.
 */
static int regenerate_initramfs(const struct sysroot *root, const char *kver)
{
	struct initramfs_tool t;
	int status;
	pid_t pid;

	if (bootimage_tool(root, kver, &t) < 0)
		return -ENOENT;
	fprintf(stderr, "vfio-claim: regenerating the initramfs with '%s' (%s; this takes a while)...\n",
		t.command, t.why);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);	/* keep our stdout for the report */
		execvp(t.argv[0], (char *const *)t.argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
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
			      const struct genfile *files, int n, bool check, const char *missing,
			      const char *next_boot_cmd)
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
	json_kv_string(&j, "next_boot_command", next_boot_cmd[0] ? next_boot_cmd : NULL);
	json_object_end(&j);
	json_finish(&j);
}

/* The kernel image kernel-install takes for kver: the first of the usual places under the root. */
static const char *kernel_image_for(const struct sysroot *root, const char *kver, char *buf, size_t size)
{
	static const char *const places[] = { "boot/vmlinuz-%s", "usr/lib/modules/%s/vmlinuz",
					      "lib/modules/%s/vmlinuz" };

	for (size_t i = 0; i < ARRAY_SIZE(places); i++) {
		char path[256];

		snprintf(path, sizeof(path), places[i], kver);
		if (sysroot_exists(root, path)) {
			snprintf(buf, size, "/%s", path);
			return buf;
		}
	}
	snprintf(buf, size, "/boot/vmlinuz-%s", kver);
	return buf;
}

/*
 * --kernel-args where kernel-install makes the boot entries (Boot Loader
 * Specification entries or /etc/kernel/cmdline, no GRUB settings): plan
 * /etc/kernel/cmdline and its record into files[0] and files[1]
 * (kernelcmdline.h: created when absent, never edited once somebody else
 * changed it), and *n = 2; *n stays 0 for a file vfio-claim leaves alone.
 * Returns 0 or an exit code (reported).
 */
static int kernel_cmdline_args_plan(struct context *ctx, const struct claim_setup *s, const char *required,
				    const struct next_boot *nb, struct genfile *files, int *n)
{
	_cleanup_free_ char *have = NULL, *record = NULL;
	int r;

	files[0].path = KERNEL_CMDLINE;
	files[1].path = KERNEL_CMDLINE_RECORD;
	r = sysroot_read_all(&ctx->root, KERNEL_CMDLINE, &have);
	if (r >= 0 || r == -ENOENT)
		r = sysroot_read_all(&ctx->root, KERNEL_CMDLINE_RECORD, &record);
	if (r < 0 && r != -ENOENT) {
		ERR("/%s or /%s: cannot read: %s", KERNEL_CMDLINE, KERNEL_CMDLINE_RECORD, sysroot_strerror(r));
		return exit_code_for(r);
	}
	r = kernel_cmdline_plan(&ctx->root, s->cfg.n ? required : "",
				nb->loader == BOOT_BLS ? nb->cmdline : NULL, have, record, &files[0].want,
				&files[1].want);
	if (r == 0 || (r == -EEXIST && !s->cfg.n))
		*n = 2;		/* with no claim left, a stale record goes */
	if (r == -EEXIST && s->cfg.n) {
		char lacks[128];

		/*
		 * The entry follows from the file: what matters is what the file
		 * lacks. It has them: both files stay as they are, and the advice
		 * for the entry (kernel_cmdline_advice) still comes.
		 */
		if (!kernel_args_missing(have, required, lacks, sizeof(lacks))) {
			files[0].want = have;
			files[1].want = record;
			have = record = NULL;
			*n = 2;
			return 0;
		}
		ERR("/etc/kernel/cmdline lacks %s; it was not written by vfio-claim, which does not edit it: add them there%s, then write the next boot's entry again (kernel-install add); nothing was changed",
		    lacks, cmdline_has_init_words(have) ? ", before its '--' (what follows goes to init)" : "");
		return EXIT_CHECK_FAILED;
	}
	if (r == -EINVAL || r == -E2BIG) {
		ERR("the command line to start /etc/kernel/cmdline from (/usr/lib/kernel/cmdline, the next boot's entry, /proc/cmdline or /%s) %s; write /etc/kernel/cmdline by hand with '%s'",
		    KERNEL_CMDLINE_RECORD,
		    r == -EINVAL ? "holds bytes that are not printable ASCII" : "would be too long for the kernel with the arguments",
		    required);
		return EXIT_CHECK_FAILED;
	}
	if (r < 0 && r != -EEXIST) {
		ERR("cannot work out /etc/kernel/cmdline: /usr/lib/kernel/cmdline or /proc/cmdline: %s; write it by hand with '%s'",
		    sysroot_strerror(r), required);
		return exit_code_for(r);
	}
	return 0;
}

/*
 * --kernel-args: the drop-in GRUB_DROPIN with what GRUB's own settings lack
 * (files[0]); where kernel-install makes the entries, /etc/kernel/cmdline
 * and its record (files[0], files[1]); either while the config has claims,
 * removed when it has none. Sets *n to how many of files are planned.
 * Other boot loaders (KARGS_BY_HAND): it changes nothing and says what to
 * add, exit 1 while something is missing. nb, nb_r: the next boot as
 * next_boot_read gave it, and what it returned. Returns 0 or an exit code
 * (reported).
 */
static int kernel_args_plan(struct context *ctx, const struct claim_setup *s, const struct next_boot *nb,
			    int nb_r, struct genfile *files, int *n)
{
	struct iommu_args args;
	const char *required = args.all;
	_cleanup_free_ char *want = NULL;
	enum kernel_args_way way;
	int r;

	iommu_args_of_root(&ctx->root, s->m.groups.iommu, &args);
	*n = 0;
	way = kernel_args_way(&ctx->root, nb, nb_r);
	if (way != KARGS_GRUB_DROPIN) {
		char missing[128];
		int code = 0;

		kernel_args_missing(nb_r == 0 ? nb->cmdline : "", required, missing, sizeof(missing));
		if (way == KARGS_KERNEL_INSTALL) {
			code = kernel_cmdline_args_plan(ctx, s, required, nb, files, n);
		} else if (nb_r == 0 && missing[0] && s->cfg.n) {
			/* A grub.cfg without /etc/default/grub: no drop-in would reach it. */
			ERR("the next boot (%s) lacks %s, and there is no /etc/default/grub for a drop-in: add '%s' to the boot loader's kernel command line",
			    nb->source, missing, required);
			code = EXIT_CHECK_FAILED;
		} else if (nb_r < 0 && nb_r != -ENOENT && s->cfg.n) {
			ERR("%s: cannot read the next boot's command line: %s", nb->source, sysroot_strerror(nb_r));
			code = exit_code_for(nb_r);
		} else if (nb_r < 0 && s->cfg.n) {
			ERR("no GRUB (/etc/default/grub), Boot Loader Specification entries or /etc/kernel/cmdline found: add '%s' to the boot loader's kernel command line",
			    required);
			code = EXIT_CHECK_FAILED;
		}
		if (!code && nb_r == 0 && !missing[0] && s->cfg.n)
			INF("the next boot (%s) has %s", nb->source, required);
		return code;
	}
	files[0].path = GRUB_DROPIN;
	*n = 1;
	if (!s->cfg.n)
		return 0;	/* want stays NULL: an earlier drop-in goes */
	r = grub_dropin_want(&ctx->root, required, &want);
	if (r == -EINVAL) {
		ERR("/etc/default/grub (or a file in /etc/default/grub.d) sets GRUB_CMDLINE_LINUX with shell code vfio-claim does not run; add '%s' to GRUB_CMDLINE_LINUX by hand, then update-grub",
		    required);
		return EXIT_CHECK_FAILED;
	}
	if (r == -EDOM) {
		ERR("/etc/default/grub (or a file in /etc/default/grub.d) sets GRUB_CMDLINE_LINUX with a '--' word: what follows it goes to init, not to the kernel; add '%s' to GRUB_CMDLINE_LINUX before the '--' by hand, then run %s; nothing was changed",
		    want, grub_update_command(&ctx->root));
		return EXIT_CHECK_FAILED;
	}
	if (r < 0) {
		ERR("/etc/default/grub: cannot read: %s", strerror(-r));
		return exit_code_for(r);
	}
	files[0].want = TAKE_PTR(want);
	return 0;
}

/*
 * After --kernel-args planned /etc/kernel/cmdline (written, or not needed
 * because kernel-install's fallback line has the arguments): kernel-install
 * puts that line into the entries of the kernels it installs from now on;
 * an entry written before takes it only when kernel-install writes it
 * again. vfio-claim does not run that (its plugins also rebuild the
 * initramfs and copy the kernel); when the next boot's entry lacks the
 * arguments it says the exact command, also into cmd (size bytes; "" when
 * none is needed), for --json (an entry kernel-install did not write: what
 * to add to it, exit 1). nb, nb_r: as for kernel_args_plan (the entries
 * are not apply's to write: what was read before /etc/kernel/cmdline was
 * is what kernel-install would write again). Returns 0 or an exit code.
 */
static int kernel_cmdline_advice(struct context *ctx, const struct claim_setup *s, const struct next_boot *nb,
				 int nb_r, char *cmd, size_t size)
{
	struct iommu_args args;
	char missing[128] = "", image[320];
	int code = 0;

	cmd[0] = '\0';
	if (!s->cfg.n)
		return 0;
	iommu_args_of_root(&ctx->root, s->m.groups.iommu, &args);
	if (nb_r == 0 && nb->loader == BOOT_BLS &&
	    kernel_args_missing(nb->cmdline, args.all, missing, sizeof(missing))) {
		if (!nb->kver[0]) {
			/* kernel-install writes "version" into every entry it makes. */
			ERR("the next boot's entry (%s) lacks %s and was not written by kernel-install (no usable version line): add them to its options line%s",
			    nb->source, missing, cmdline_has_init_words(nb->cmdline) ? " (before its '--')" : "");
			code = EXIT_CHECK_FAILED;
		} else {
			snprintf(cmd, size, "kernel-install add %s %s", nb->kver,
				 kernel_image_for(&ctx->root, nb->kver, image, sizeof(image)));
			if (!ctx->json)
				printf("the next boot's entry (%s) lacks %s: run '%s'%s to write it again with kernel-install's command line\n",
				       nb->source, missing, cmd, streq(ctx->root_path, "/") ? "" : " in the root");
		}
	}
	return code;
}

/*
 * Make grub.cfg take the drop-in: run the update on "/", say it under
 * --root. nb, nb_r: as for kernel_args_plan, read before the drop-in was
 * written; when the drop-in did not change, GRUB's settings are what they
 * were then, and when it did, the update runs whatever they hold.
 */
static int kernel_args_commit(struct context *ctx, const struct genfile *dropin, const struct next_boot *nb,
			      int nb_r)
{
	const char *update = grub_update_command(&ctx->root);
	char missing[128] = "";
	int status;
	pid_t pid;

	if (!sysroot_exists(&ctx->root, "etc/default/grub"))
		return 0;
	if (nb_r == 0 && nb->pending)
		kernel_args_missing(nb->cmdline, nb->pending, missing, sizeof(missing));
	if (!genfile_changed(dropin) && nb_r == 0 && !missing[0])
		return 0;
	if (!streq(ctx->root_path, "/")) {
		if (!ctx->json)
			printf("the next boot takes the kernel arguments once '%s' runs in %s\n", update,
			       ctx->root_path);
		return 0;
	}
	fprintf(stderr, "vfio-claim: regenerating GRUB's configuration with %s...\n", update);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return exit_code_for(-errno);
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", update, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		ERR("%s failed; the drop-in /%s is written: run it again by hand", update, GRUB_DROPIN);
		return EXIT_UNAVAILABLE;
	}
	return 0;
}

/*
 * genfile_read each of files; /etc/kernel/cmdline cannot carry the marker,
 * so whether it is vfio-claim's comes from its record (the file after it).
 * Returns 0, or -(index + 1) of the file that could not be read with errno
 * set to why.
 */
static int read_files(const struct sysroot *root, struct genfile *files, int n)
{
	for (int i = 0; i < n; i++) {
		int r = genfile_read(root, &files[i]);

		if (r < 0) {
			errno = -r;
			return -(i + 1);
		}
	}
	for (int i = 0; i + 1 < n; i++)
		if (streq(files[i].path, KERNEL_CMDLINE))
			files[i].foreign = files[i].have && !kernel_cmdline_is_ours(files[i].have, files[i + 1].have);
	return 0;
}

static int run_apply(struct context *ctx, int argc, char **argv)
{
	enum { OPT_CHECK = OPT_FIRST_COMMAND_OPTION, OPT_INITRAMFS, OPT_NOW, OPT_KERNEL_ARGS };
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "initramfs", no_argument, NULL, OPT_INITRAMFS },
		{ "now", no_argument, NULL, OPT_NOW },
		{ "kernel-args", no_argument, NULL, OPT_KERNEL_ARGS },
		{},
	};
	bool check = false, initramfs = false, now = false, changed = false, kargs = false;
	/* The two artifacts, then what --kernel-args plans (kernel_args_plan). */
	struct genfile files[4] = { { .path = ARTIFACT_MODPROBE }, { .path = ARTIFACT_UDEV } };
	int n_files = 2, n_kargs = 0, kargs_code = 0;
	char next_boot_cmd[512] = "";	/* kernel-install add ..., for the next boot's entry */
	char missing[128], where[256];
	/*
	 * The next boot, read once: where missing arguments go, and for
	 * --kernel-args the plan, the entry's advice and GRUB's update.
	 */
	struct next_boot nb = { 0 };
	int nb_r = -ENOENT;
	struct artifacts a = { 0 };
	struct claim_setup s;
	_cleanup_free_ char *pending_set = NULL;
	const char *failed;
	int c, code = 0, r, lock = -1, pending = 0;

	while ((c = getopt_long(argc, argv, GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
		if (c == OPT_CHECK)
			check = true;
		else if (c == OPT_INITRAMFS)
			initramfs = true;
		else if (c == OPT_NOW)
			now = true;
		else if (c == OPT_KERNEL_ARGS)
			kargs = true;
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
	r = artifacts_build(&s.cfg, &s.res, &s.m, s.kmod, &a);
	if (r < 0) {
		ERR("cannot work out the generated files: %s; nothing was changed%s", strerror(-r),
		    r == -EINVAL ? " (a module name in the module index is not a name: rebuild it with depmod)" : "");
		code = exit_code_for(r);
		goto out;
	}
	files[0].want = a.modprobe ? strdup(a.modprobe) : NULL;
	files[1].want = a.udev ? strdup(a.udev) : NULL;
	nb_r = next_boot_read(&ctx->root, &nb);
	if (kargs) {
		code = kernel_args_plan(ctx, &s, &nb, nb_r, &files[2], &n_kargs);
		if (code)
			goto out;
		n_files += n_kargs;
	}
	/* --json reports the command with the rest; the text says it after the files. */
	if (kargs && n_kargs == 2 && ctx->json)
		kargs_code = kernel_cmdline_advice(ctx, &s, &nb, nb_r, next_boot_cmd, sizeof(next_boot_cmd));
	r = read_files(&ctx->root, files, n_files);
	if (r < 0) {
		int e = errno;

		ERR("/%s: cannot read: %s", files[-r - 1].path, strerror(e));
		code = exit_code_for(-e);
		goto out;
	}
	for (int i = 0; i < n_files; i++) {
		if (files[i].foreign && genfile_changed(&files[i])) {
			ERR("/%s exists and was not written by vfio-claim; move it away and run apply again (nothing was changed)",
			    files[i].path);
			code = EXIT_CHECK_FAILED;
			goto out;
		}
		changed |= genfile_changed(&files[i]);
	}
	/* An apply that died between its renames left a marker: the files are a mix. */
	pending = genfile_pending(&ctx->root, &pending_set);
	if (pending < 0) {
		ERR("/%s: cannot read: %s", GENFILE_PENDING, sysroot_strerror(pending));
		code = exit_code_for(pending);
		goto out;
	}
	report_findings(&s.res);
	kernel_args_advice(&ctx->root, s.m.groups.iommu, &nb, nb_r, missing, sizeof(missing), where, sizeof(where));

	if (check) {
		if (ctx->json)
			print_json_report(&s.res, &a, files, n_files, true, missing, next_boot_cmd);
		else if (pending > 0)
			printf("an interrupted apply left %s half replaced; 'vfio-claim apply' repairs it\n",
			       pending_set);
		else if (!changed)
			printf("nothing to change\n");
		for (int i = 0; !ctx->json && i < n_files; i++)
			if (genfile_changed(&files[i]))
				genfile_diff(&files[i], stdout);
		code = changed || pending > 0 ? EXIT_CHANGES : EXIT_OK;
		goto out;
	}

	if (changed || now || pending) {
		lock = lock_take_or_report(ctx);
		if (lock < 0) {
			code = -lock;
			goto out;
		}
		/* What another writer left before we held the lock is what we replace. */
		changed = false;
		for (int i = 0; i < n_files; i++)
			free(files[i].have);
		r = read_files(&ctx->root, files, n_files);
		for (int i = 0; i < n_files; i++) {
			if (r < 0 || (files[i].foreign && genfile_changed(&files[i]))) {
				int e = errno;

				ERR("/%s: changed while apply ran; run apply again (nothing was changed)",
				    files[r < 0 ? -r - 1 : i].path);
				code = r < 0 ? exit_code_for(-e) : EXIT_CHECK_FAILED;
				goto out;
			}
			changed |= genfile_changed(&files[i]);
		}
	}
	if (changed) {
		r = genfile_commit(&ctx->root, files, n_files, &failed);
		if (r < 0) {
			ERR("/%s: cannot write: %s; the previous files are in place", failed, sysroot_strerror(r));
			code = exit_code_for(r);
			goto out;
		}
	} else if (pending > 0) {
		/* An apply died after its last rename: the files match, only the marker is left. */
		r = genfile_finish_pending(&ctx->root);
		if (r < 0) {
			ERR("/%s: cannot remove: %s", GENFILE_PENDING, sysroot_strerror(r));
			code = exit_code_for(r);
			goto out;
		}
	}
	if (pending > 0 && !ctx->json)
		printf("repaired the files an interrupted apply left half replaced (%s)\n", pending_set);
	if (ctx->json) {
		print_json_report(&s.res, &a, files, n_files, false, missing, next_boot_cmd);
	} else {
		for (int i = 0; i < n_files; i++) {
			if (!genfile_changed(&files[i]))
				continue;
			printf("%s /%s\n", files[i].want ? (files[i].have ? "updated" : "wrote") : "removed",
			       files[i].path);
		}
		if (!changed && pending <= 0)
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
	if (kargs && code == 0 && n_kargs == 1)
		code = kernel_args_commit(ctx, &files[2], &nb, nb_r);
	else if (kargs && code == 0 && n_kargs == 2)
		code = ctx->json ? kargs_code :
				   kernel_cmdline_advice(ctx, &s, &nb, nb_r, next_boot_cmd, sizeof(next_boot_cmd));
	else if (missing[0] && s.cfg.n && !kargs)
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
		r = regenerate_initramfs(&ctx->root, s.kver);
		if (r == -ENOENT) {
			ERR("none of update-initramfs, dracut or mkinitcpio is installed; regenerate the initramfs by hand");
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
	next_boot_free(&nb);
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
	.usage = "apply [--check] [--initramfs] [--now] [--kernel-args]\n"
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
		 "  --now        also bind the claimed devices now\n"
		 "  --kernel-args  add the missing IOMMU arguments for GRUB (/etc/default/grub.d/\n"
		 "               vfio-claim.cfg, then update-grub); for kernel-install (BLS entries),\n"
		 "               create /etc/kernel/cmdline when it is absent; otherwise say what to add\n",
};
