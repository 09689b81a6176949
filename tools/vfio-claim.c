// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-claim: claim PCI devices for vfio-pci, exactly, early, and verified.
 * This file holds the command table, the global options and the mapping of
 * errors to exit codes; each command lives in its own cmd-*.c file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "exitcode.h"
#include "log.h"
#include "macro.h"

static const struct command *const commands[] = {
	&cmd_check,
	&cmd_list,
	&cmd_add,
	&cmd_remove,
	&cmd_apply,
	&cmd_verify,
	&cmd_bind,
	&cmd_unbind,
	&cmd_export,
	&cmd_snapshot,
};

static void print_main_help(FILE *out)
{
	fprintf(out,
		"Usage: vfio-claim [--root DIR] [--json] [-v|-q] COMMAND [ARGS]\n"
		"\n"
		"Claim PCI devices for vfio-pci so they can be passed through to virtual machines.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out,
		"\n"
		"Global options:\n"
		"  --root DIR     resolve /sys, /proc, /etc, /lib/modules, /run, /dev and /boot under DIR\n"
		"  --json         print one JSON document on stdout\n"
		"  -v, --verbose  say more (repeat for debug)\n"
		"  -q, --quiet    only errors\n"
		"  -h, --help     this help; 'vfio-claim COMMAND --help' for a command\n"
		"  --version      print the version\n"
		"\n"
		"Exit codes: 0 success, 1 a check failed, 2 apply --check found changes,\n"
		"64 usage error, 65 bad config, 69 something needed is missing, 77 permission denied.\n");
}

static void print_command_help(const struct command *cmd)
{
	printf("Usage: vfio-claim [GLOBAL OPTIONS] %s\n", cmd->usage);
}

int usage_error(const struct command *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cmd)
		ERR("%s; try 'vfio-claim %s --help'", msg, cmd->name);
	else
		ERR("%s; try 'vfio-claim --help'", msg);
	return EXIT_USAGE;
}

int exit_code_for(int negative_errno)
{
	switch (-negative_errno) {
	case EACCES:
	case EPERM:
	case EROFS:
		return EXIT_NOPERM;
	default:
		return EXIT_UNAVAILABLE;
	}
}

int handle_global_option(struct context *ctx, const struct command *cmd, int c, int *exit_code)
{
	switch (c) {
	case OPT_ROOT:
		ctx->root_path = optarg;
		return 0;
	case OPT_JSON:
		ctx->json = true;
		return 0;
	case 'v':
		log_max_level++;
		return 0;
	case 'q':
		log_max_level = LOG_ERR;
		return 0;
	case 'h':
		if (cmd)
			print_command_help(cmd);
		else
			print_main_help(stdout);
		*exit_code = EXIT_OK;
		return -1;
	case OPT_VERSION:
		printf("vfio-claim %s\n", VFIO_CLAIM_VERSION);
		*exit_code = EXIT_OK;
		return -1;
	default:
		/* getopt is quiet (opterr = 0): say it once, our way. */
		if (optopt && optopt < 0x100 && !strchr("hvq", optopt))
			*exit_code = usage_error(cmd, "unknown option '-%c'", optopt);
		else if (optopt)
			*exit_code = usage_error(cmd, "option '%s' needs a value", ctx->argv[optind - 1]);
		else
			*exit_code = usage_error(cmd, "unknown option '%s'", ctx->argv[optind - 1]);
		return -1;
	}
}

int context_open_root(struct context *ctx)
{
	char sys[4096];
	int r = sysroot_open(&ctx->root, ctx->root_path);

	if (r < 0) {
		ERR("--root %s: %s; give a directory that holds a sys/ tree", ctx->root_path,
		    strerror(-r));
		return exit_code_for(r);
	}
	snprintf(sys, sizeof(sys), "sys/bus/pci");
	if (!sysroot_exists(&ctx->root, sys)) {
		ERR("%s%ssys/bus/pci: not found; %s", ctx->root_path,
		    ctx->root_path[strlen(ctx->root_path) - 1] == '/' ? "" : "/",
		    streq(ctx->root_path, "/") ? "is sysfs mounted?"
						: "--root must name a tree made by 'vfio-claim snapshot' or laid out like /");
		sysroot_close(&ctx->root);
		return EXIT_UNAVAILABLE;
	}
	return 0;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (streq(commands[i]->name, name))
			return commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{ "version", no_argument, NULL, OPT_VERSION },
		{},
	};
	struct context ctx = { .root_path = "/", .root = { .fd = -1 } };
	const struct command *cmd;
	int c, code;

	opterr = 0;
	ctx.argv = argv;
	/* Listings of thousands of devices: write in large blocks. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while ((c = getopt_long(argc, argv, MAIN_SHORT_OPTIONS, options, NULL)) != -1)
		if (handle_global_option(&ctx, NULL, c, &code) < 0)
			return code;
	if (optind >= argc) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	if (streq(argv[optind], "help")) {
		if (optind + 1 < argc && (cmd = find_command(argv[optind + 1]))) {
			print_command_help(cmd);
			return EXIT_OK;
		}
		print_main_help(stdout);
		return EXIT_OK;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return usage_error(NULL, "unknown command '%s'", argv[optind]);

	argc -= optind;
	argv += optind;
	optind = 0;	/* a full reset of getopt for the command's own parse */
	ctx.argv = argv;
	code = cmd->run(&ctx, argc, argv);
	if (ctx.root.fd >= 0)
		sysroot_close(&ctx.root);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ERR("writing the output: %s", strerror(errno));
		return EXIT_UNAVAILABLE;
	}
	return code;
}
