// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "claimsetup.h"
#include "exitcode.h"

int claim_setup_load_config(struct context *ctx, const struct command *cmd, int argc, char **argv,
			    struct claim_setup *s)
{
	int code;

	memset(s, 0, sizeof(*s));
	code = machine_load(ctx, &s->m);
	if (code)
		return code;
	for (int i = 0; i < argc; i++) {
		struct pci_dev *d;

		code = machine_find_device(&s->m, argv[i], cmd, &d);
		if (code)
			return code;
	}
	code = config_load_or_report(ctx, &s->cfg);
	if (code)
		return code;
	if (resolve_claims(&s->cfg, &s->m, &s->res) < 0)
		return EXIT_UNAVAILABLE;
	return 0;
}

int claim_setup_load(struct context *ctx, const struct command *cmd, int argc, char **argv,
		     struct claim_setup *s)
{
	int code = claim_setup_load_config(ctx, cmd, argc, argv, s);

	return code ? code : kmodinfo_open_or_report(ctx, &s->kmod, s->kver, sizeof(s->kver));
}

void claim_setup_free(struct claim_setup *s)
{
	kmodinfo_close(s->kmod);
	resolution_free(&s->res);
	config_free(&s->cfg);
	machine_free(&s->m);	/* safe on the zeroed machine of a failed load */
}
