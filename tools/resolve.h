/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The config against this machine: which devices each claim takes now
 * (address claims checked against their expected ID, ID claims matched,
 * whole groups expanded to their endpoints), and what does not fit.
 */
#pragma once

#include "config.h"
#include "machine.h"

enum finding_kind {
	FIND_ABSENT,		/* an address claim's device is not present */
	FIND_ID_MISMATCH,	/* the address holds another ID: renumbered? */
	FIND_NO_MATCH,		/* an ID claim matches nothing */
	FIND_SEVERAL,		/* an ID claim matches several devices */
	FIND_BRIDGE,		/* a bridge was named: never claimed */
	FIND_NO_GROUP,		/* "group" asked, but the device has no IOMMU group */
	FIND_HOST_NEEDS,	/* a claimed device is one the host needs (boot VGA, mounted...) */
};

struct finding {
	enum finding_kind kind;
	const struct claim *claim;
	struct pci_dev *dev;	/* NULL for ABSENT / NO_MATCH */
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

int resolve_claims(const struct config *cfg, const struct machine *m, struct resolution *res);
void resolution_free(struct resolution *res);
const struct claimed *resolution_find(const struct resolution *res, const struct pci_dev *d);
