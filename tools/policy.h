/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The claim policy (DESIGN.md "The claim policy"): the one place that
 * decides whether a device may be claimed, for every path that can claim
 * one (add, apply by address, by ID or by group expansion, bind, export,
 * and verify's fixes), with one reason word and one text for each answer.
 *
 *   never:           bridges and chipset functions (PCI base class 06),
 *                    vfio-pci's denylist, devices without an IOMMU group
 *   only with force: the boot VGA device, the controller of a mounted
 *                    filesystem or active swap, a NIC with an interface
 *                    up, an SR-IOV PF with VFs enabled
 *   only partial:    a claim that leaves another function of the same card
 *                    (domain:bus:slot) or another endpoint of the group on
 *                    a host driver
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pci.h"

struct group_set;

/*
 * vfio-pci's own denylist (vfio_pci_dev_in_denylist() in
 * drivers/vfio/pci/vfio_pci.c, 6.1 to 7.x): Intel (8086) QAT DH895XCC, C3XXX
 * and C62X with their VFs, DSA and IAX (SPR0); vfio-pci refuses to probe
 * them. Written as udev matches it: the one list policy_judge() and the
 * generated rules use (the module names the kernel's own constants).
 */
#define VFIO_PCI_DENYLIST_INTEL "0x0435|0x0443|0x19e2|0x19e3|0x37c8|0x37c9|0x0b25|0x0cfe"

/* Why: the reason words list, verify, the refusals and the findings all use. */
enum reason_kind {
	REASON_HOST_DRIVER,	/* an endpoint on a host driver: claim it */
	REASON_UNCLAIMED,	/* an unbound endpoint that nothing claims yet */
	REASON_NO_DMA_DRIVER,	/* a bridge or chipset function on a driver that does not manage DMA */
	REASON_BOOT_VGA,
	REASON_MOUNT,
	REASON_SWAP,
	REASON_NET_UP,
	REASON_SRIOV_PF,	/* a PF with VFs enabled: vfio-pci refuses it */
	REASON_BRIDGE,		/* a PCI bridge: pcieport keeps it */
	REASON_CHIPSET,		/* host bridge, ISA/LPC bridge, other chipset function */
	REASON_NO_GROUP,	/* no IOMMU group: vfio-pci cannot take it */
	REASON_ID_MISMATCH,	/* the address holds another ID than the claim says */
	REASON_SPLIT_CARD,	/* another function of the card stays on a host driver */
	REASON_SPLIT_GROUP,	/* another endpoint of the group stays on a host driver */
	REASON_VFIO_DENYLIST,	/* vfio-pci refuses it unless disable_denylist=1 */
	REASON_FIRMWARE_FB,	/* a firmware framebuffer holds one of its BARs */
};

/* How a claim reached the device. */
enum policy_via {
	VIA_ADDRESS,	/* a config line or add naming its address */
	VIA_ID,		/* a config line naming its vendor:device */
	VIA_GROUP,	/* a member of a claimed device's IOMMU group */
	VIA_BIND,	/* bind now */
	VIA_EXPORT,	/* handed to a guest by export */
};

enum policy_answer {
	POLICY_CLAIM,
	POLICY_REFUSE,		/* never, whatever the claim says */
	POLICY_NEEDS_FORCE,	/* the host needs it: only a forced claim takes it */
	POLICY_NEEDS_PARTIAL,	/* it splits a card or a group: only a partial claim */
};

struct policy_claim {
	enum policy_via via;
	bool force, partial;	/* the claim's own keywords or options */
	/*
	 * Every device the same set of claims takes (the config resolved, a
	 * bind's selection, an export's devices), to tell whether the claim
	 * splits a card or a group; the device judged need not be in it.
	 */
	struct pci_dev *const *taken;
	int n_taken;
};

struct policy_verdict {
	enum policy_answer answer;
	enum reason_kind kind;		/* meaningful unless answer is POLICY_CLAIM */
	const struct pci_dev *other;	/* SPLIT_*: the device left behind */
	char text[400];			/* "0000:01:00.0 controls the filesystem mounted at / (mounted-filesystem)" */
};

/*
 * Judge claiming d by c on the machine whose groups are gs and devices are
 * set. The first reason found wins, in the order: bridge, chipset, vfio
 * denylist (REFUSE); SR-IOV PF, boot VGA, mounted filesystem, swap,
 * interface up (NEEDS_FORCE, unless c->force); no IOMMU group (REFUSE); split
 * card, split group (NEEDS_PARTIAL, unless c->partial). v->text names the
 * device and ends with the reason word in parentheses. Returns the answer.
 */
enum policy_answer policy_judge(const struct pci_set *set, const struct group_set *gs,
				const struct pci_dev *d, const struct policy_claim *c,
				struct policy_verdict *v);

/*
 * The reasons the host needs d, one a call from *pos (0 to start): an SR-IOV
 * PF with VFs enabled, the boot VGA device, then each mounted filesystem,
 * active swap and interface up on it. *use is the use for MOUNT, SWAP
 * and NET_UP, else NULL. The group verdicts of list use it too.
 */
bool policy_host_need_next(const struct pci_dev *d, int *pos, enum reason_kind *kind,
			   const struct pci_use **use);

/* The reason word ("boot-vga", "mounted-filesystem", ...). */
const char *reason_name(enum reason_kind k);

/* What the option or keyword that overrides an answer is called: "force", "partial", NULL. */
const char *policy_override_word(enum policy_answer a);
