/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What apply and verify both start from: the machine, the config resolved
 * against it, and libkmod for the root's kernel, loaded in one order with
 * each failure reported once.
 */
#pragma once

#include "command.h"
#include "kmodinfo.h"
#include "resolve.h"

struct claim_setup {
	struct machine m;
	struct config cfg;
	struct resolution res;
	struct kmodinfo *kmod;
	char kver[128];
};

/*
 * Load it all; the devices named in argv must exist (checked before the
 * config is read). Reports what fails and returns its exit code, or 0; call
 * claim_setup_free() either way.
 */
int claim_setup_load(struct context *ctx, const struct command *cmd, int argc, char **argv,
		     struct claim_setup *s);
/* The same without libkmod (s->kmod stays NULL), for verify with nothing configured. */
int claim_setup_load_config(struct context *ctx, const struct command *cmd, int argc, char **argv,
			    struct claim_setup *s);
void claim_setup_free(struct claim_setup *s);
