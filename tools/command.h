/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every command gets, and the descriptor each command file ends with.
 * Commands return an exit code (exitcode.h); the helpers they call return
 * -errno, and exit_code_for() is the one place that maps those.
 */
#pragma once

#include <getopt.h>
#include <stdbool.h>

#include "sysroot.h"

struct context {
	char **argv;		/* the command's arguments, for messages about them */
	const char *root_path;	/* --root, "/" by default */
	struct sysroot root;	/* opened by context_open_root() */
	bool json;
};

struct command {
	const char *name;
	int (*run)(struct context *ctx, int argc, char **argv);
	const char *summary;	/* one line for the main --help */
	const char *usage;	/* the command's --help text */
};

/*
 * Global options are accepted after the command name too; each command's
 * getopt_long table starts with GLOBAL_LONG_OPTIONS and its short option
 * string with GLOBAL_SHORT_OPTIONS, and passes what it does not know itself
 * to handle_global_option().
 */
enum {
	OPT_ROOT = 0x100,
	OPT_JSON,
	OPT_VERSION,
	OPT_FIRST_COMMAND_OPTION = 0x200,
};

/* Commands let options and arguments mix; main stops at the command name. */
#define GLOBAL_SHORT_OPTIONS "hvq"
#define MAIN_SHORT_OPTIONS "+hvq"
#define GLOBAL_LONG_OPTIONS                                         \
	{ "root", required_argument, NULL, OPT_ROOT },              \
	{ "json", no_argument, NULL, OPT_JSON },                    \
	{ "verbose", no_argument, NULL, 'v' },                      \
	{ "quiet", no_argument, NULL, 'q' },                        \
	{ "help", no_argument, NULL, 'h' }

/*
 * Returns 0 when c was a global option, -1 when the command should stop
 * with *exit_code (help printed, or a usage error reported).
 */
int handle_global_option(struct context *ctx, const struct command *cmd, int c, int *exit_code);

/* Open --root; reports the error itself and returns an exit code, or 0. */
int context_open_root(struct context *ctx);

/* Map -errno to an exit code: EACCES/EPERM/EROFS 77, anything else 69. */
int exit_code_for(int negative_errno);

/* Report a usage error for cmd ("try 'vfio-claim CMD --help'") and return EXIT_USAGE. */
int usage_error(const struct command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

extern const struct command cmd_check;
extern const struct command cmd_list;
extern const struct command cmd_add;
extern const struct command cmd_remove;
extern const struct command cmd_apply;
extern const struct command cmd_verify;
extern const struct command cmd_snapshot;
extern const struct command cmd_bind;
extern const struct command cmd_unbind;
extern const struct command cmd_export;
