/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The config against this machine: which devices each claim takes now
 * (address claims checked against their expected ID, ID claims matched,
 * whole groups expanded to their endpoints), and what does not fit.
 */
#pragma once

#include "config.h"
#include "machine.h"
#include "policy.h"

enum finding_kind {
	FIND_ABSENT,		/* an address claim's device is not present */
	FIND_ID_MISMATCH,	/* the address holds another ID: renumbered? */
	FIND_NO_MATCH,		/* an ID claim matches nothing */
	FIND_SEVERAL,		/* an ID claim matches several devices */
	FIND_POLICY,		/* the claim policy does not let the line take a device (verdict) */
};

struct finding {
	enum finding_kind kind;
	const struct claim *claim;
	struct pci_dev *dev;	/* NULL for ABSENT / NO_MATCH */
	struct policy_verdict verdict;	/* FIND_POLICY: the answer, its reason and text */
	char text[400];
};

struct claimed {
	struct pci_dev *dev;
	const struct claim *claim;	/* the first claim that takes it */
	bool by_group;			/* taken as a member of a claimed device's group */
};

struct resolution {
	struct claimed *devs;	/* sorted by address, each once */
	int n;
	struct finding *findings;
	int n_findings;
};

/*
 * Resolve every claim of cfg on m and ask the claim policy about every
 * device a claim reaches, as the line's keywords allow: devices the policy
 * refuses for good (bridges, chipset functions, vfio-pci's denylist) are not
 * taken; the others are, and each answer other than POLICY_CLAIM is a
 * FIND_POLICY finding. Returns 0 or -ENOMEM.
 */
int resolve_claims(const struct config *cfg, const struct machine *m, struct resolution *res);
/*
 * The commands that resolve a FIND_POLICY finding, each quoted
 * ('vfio-claim ...'); ", then " joins the steps of one fix and "; or "
 * separates alternatives. Every command is one the tool accepts in the
 * state that produced the finding: remove the line, or write it again with
 * the keyword it lacks (add --force, add --partial, add --group), or, for an
 * ID claim, claim by address the devices it may take.
 */
void resolution_fix_text(const struct resolution *res, const struct machine *m,
			 const struct finding *f, char *buf, size_t size);

void resolution_free(struct resolution *res);
const struct claimed *resolution_find(const struct resolution *res, const struct pci_dev *d);

/*
 * "'vfio-claim add [--group] [--rebind] [--force] [--partial] [--owner O] ADDR'"
 * into buf: the add that writes claim c again for addr, keeping what the line
 * says, with group, force or partial added when true. Returns the length.
 */
size_t claim_add_command(char *buf, size_t size, const struct claim *c, const char *addr,
			 bool group, bool force, bool partial);
