/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IOMMU groups and whether each can go to a guest (FACTS.md section 4):
 * only when every member is unbound or on a driver that manages DMA itself
 * (vfio-pci and its variants, pci-stub, pcieport). Bridges stay with
 * pcieport and are never claimed. Some members make a group unsafe to hand
 * over at all: the boot VGA device, the controller of a mounted filesystem
 * or active swap, a NIC with an interface up.
 */
#pragma once

#include "framebuffer.h"
#include "pci.h"
#include "policy.h"

enum verdict {
	VERDICT_READY,		/* can go to a guest now */
	VERDICT_CLAIMABLE,	/* can once its endpoints are claimed */
	VERDICT_BLOCKED,	/* a member the host needs is in it */
	VERDICT_NO_ENDPOINTS,	/* bridges only: nothing to pass through */
};


struct reason {
	enum reason_kind kind;
	struct pci_dev *dev;
	const struct pci_use *use;	/* for MOUNT, SWAP, NET_UP */
	const struct fb_range *fb;	/* for FIRMWARE_FB, with the BAR it lies over */
	int bar;
};

struct iommu_group {
	int number;
	struct pci_dev **devs;
	int n_devs;
	enum verdict verdict;
	struct pci_dev **claim;	/* endpoints to claim for it to be ready */
	int n_claim;
	struct reason *not_now;	/* why it cannot go to a guest now */
	int n_not_now;
	struct reason *blockers;	/* why claiming its endpoints is not enough or not safe */
	int n_blockers;
};

struct group_set {
	struct iommu_group *groups;	/* sorted by number */
	int n;
	struct pci_dev **ungrouped;	/* devices without a group */
	int n_ungrouped;
	bool iommu;	/* the kernel made IOMMU groups */
	struct fb_ranges fb;	/* the firmware framebuffers of proc/iomem */
};

int groups_build(const struct sysroot *root, struct pci_set *set, struct group_set *gs);
void groups_free(struct group_set *gs);
struct iommu_group *groups_find(const struct group_set *gs, int number);

const char *verdict_name(enum verdict v);
/*
 * Whether a firmware framebuffer holds one of d's BARs: the text ("firmware
 * framebuffer BOOTFB holds BAR 0 ...") into buf, the kernel argument that
 * keeps it off into *arg; NULL when none does.
 */
const char *pci_firmware_fb(const struct group_set *gs, const struct pci_dev *d, char *buf, size_t size,
			    const char **arg);

/* One line of text for a reason, without the device address. */
void reason_text(const struct reason *r, char *buf, size_t size);
