// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "policy.h"

/* On vfio-pci's denylist (VFIO_PCI_DENYLIST_INTEL, policy.h): vfio-pci refuses to probe it. */
static bool in_vfio_denylist(const struct pci_dev *d)
{
	const char *p = VFIO_PCI_DENYLIST_INTEL;

	if (d->vendor != 0x8086)
		return false;
	while (*p) {
		char *end;

		if (strtoul(p, &end, 16) == d->device)
			return true;
		p = *end == '|' ? end + 1 : end;
	}
	return false;
}

bool policy_host_need_next(const struct pci_dev *d, int *pos, enum reason_kind *kind,
			   const struct pci_use **use)
{
	*use = NULL;
	if (*pos == 0) {
		*pos = 1;
		if (d->numvfs > 0) {
			*kind = REASON_SRIOV_PF;
			return true;
		}
	}
	if (*pos == 1) {
		*pos = 2;
		if (d->boot_vga == 1) {
			*kind = REASON_BOOT_VGA;
			return true;
		}
	}
	for (; *pos - 2 < d->n_uses; (*pos)++) {
		const struct pci_use *u = &d->uses[*pos - 2];

		if (u->kind == USE_MOUNT)
			*kind = REASON_MOUNT;
		else if (u->kind == USE_SWAP)
			*kind = REASON_SWAP;
		else if (u->kind == USE_NET && u->active)
			*kind = REASON_NET_UP;
		else
			continue;
		*use = u;
		(*pos)++;
		return true;
	}
	return false;
}

static const char *chipset_kind(const struct pci_dev *d)
{
	switch (pci_class16(d)) {
	case PCI_CLASS_BRIDGE_HOST:
		return "a host bridge";
	case PCI_CLASS_BRIDGE_ISA:
		return "an ISA/LPC bridge";
	default:
		return "a chipset function";
	}
}

/* A function or group member that the claim leaves on a driver of the host's. */
static bool left_on_host(const struct pci_dev *o, const struct pci_dev *d,
			 const struct policy_claim *c)
{
	if (o == d || pci_is_infrastructure(o) || !o->driver || pci_driver_is_vfio(o->driver) ||
	    pci_driver_manages_dma(o->driver))
		return false;
	for (int i = 0; i < c->n_taken; i++)
		if (c->taken[i] == o)
			return false;
	return true;
}

static bool same_card(const struct pci_dev *a, const struct pci_dev *b)
{
	return a->addr.domain == b->addr.domain && a->addr.bus == b->addr.bus &&
	       a->addr.slot == b->addr.slot;
}

static enum policy_answer answer(struct policy_verdict *v, enum policy_answer a,
				 enum reason_kind kind)
{
	v->answer = a;
	v->kind = kind;
	return a;
}

static enum policy_answer judge_split(const struct pci_set *set, const struct group_set *gs,
				      const struct pci_dev *d, const struct policy_claim *c,
				      struct policy_verdict *v)
{
	const struct iommu_group *g = groups_find(gs, d->group);

	for (int i = 0; i < set->n; i++) {
		const struct pci_dev *o = &set->devs[i];

		/* SR-IOV VFs are made to leave their PF: not a split of the card. */
		if (!same_card(o, d) || o->physfn || d->physfn || !left_on_host(o, d, c))
			continue;
		v->other = o;
		if (o->addr.func == 0 && pci_base_class(o) == 0x03)
			snprintf(v->text, sizeof(v->text),
				 "%s would split its card: %s, the card's GPU, stays on %s, and a GPU driver left with a function on vfio-pci is known to crash the kernel (nvidia touches its audio function's driver data) [%s]",
				 d->name, o->name, o->driver, reason_name(REASON_SPLIT_CARD));
		else
			snprintf(v->text, sizeof(v->text), "%s would split its card: %s stays on %s [%s]",
				 d->name, o->name, o->driver, reason_name(REASON_SPLIT_CARD));
		return answer(v, POLICY_NEEDS_PARTIAL, REASON_SPLIT_CARD);
	}
	for (int i = 0; g && i < g->n_devs; i++) {
		const struct pci_dev *o = g->devs[i];

		if (!left_on_host(o, d, c))
			continue;
		v->other = o;
		snprintf(v->text, sizeof(v->text),
			 "%s would split IOMMU group %d: %s stays on %s, so the group cannot go to a guest [%s]",
			 d->name, g->number, o->name, o->driver, reason_name(REASON_SPLIT_GROUP));
		return answer(v, POLICY_NEEDS_PARTIAL, REASON_SPLIT_GROUP);
	}
	return POLICY_CLAIM;
}

enum policy_answer policy_judge(const struct pci_set *set, const struct group_set *gs,
				const struct pci_dev *d, const struct policy_claim *c,
				struct policy_verdict *v)
{
	/* Now: bind and export hand over what is on vfio-pci already, whatever it was. */
	bool handed = (c->via == VIA_BIND || c->via == VIA_EXPORT) && pci_driver_is_vfio(d->driver);
	const struct pci_use *use;
	enum reason_kind kind;
	int pos = 0;

	memset(v, 0, sizeof(*v));
	v->answer = POLICY_CLAIM;
	if (pci_is_bridge(d)) {
		snprintf(v->text, sizeof(v->text),
			 "%s is a bridge; bridges stay with the host (pcieport) and are never claimed [%s]",
			 d->name, reason_name(REASON_BRIDGE));
		return answer(v, POLICY_REFUSE, REASON_BRIDGE);
	}
	if (pci_is_infrastructure(d)) {
		snprintf(v->text, sizeof(v->text),
			 "%s is %s (class %04x); chipset functions stay with the host and are never claimed [%s]",
			 d->name, chipset_kind(d), pci_class16(d), reason_name(REASON_CHIPSET));
		return answer(v, POLICY_REFUSE, REASON_CHIPSET);
	}
	if (in_vfio_denylist(d)) {
		snprintf(v->text, sizeof(v->text),
			 "%s (%04x:%04x, Intel QAT, DSA or IAX) is on vfio-pci's denylist; vfio-pci refuses it unless loaded with disable_denylist=1 [%s]",
			 d->name, d->vendor, d->device, reason_name(REASON_VFIO_DENYLIST));
		return answer(v, POLICY_REFUSE, REASON_VFIO_DENYLIST);
	}
	if (!c->force && !handed && policy_host_need_next(d, &pos, &kind, &use)) {
		if (kind == REASON_BOOT_VGA)
			snprintf(v->text, sizeof(v->text), "%s is the boot VGA device (the host's console)",
				 d->name);
		else if (kind == REASON_MOUNT)
			snprintf(v->text, sizeof(v->text), "%s controls the filesystem mounted at %s (%s)",
				 d->name, use->what, use->via ? use->via : "?");
		else if (kind == REASON_SWAP)
			snprintf(v->text, sizeof(v->text), "%s holds active swap %s", d->name, use->what);
		else if (kind == REASON_NET_UP)
			snprintf(v->text, sizeof(v->text), "%s has network interface %s up", d->name,
				 use->what);
		else
			snprintf(v->text, sizeof(v->text),
				 "%s is an SR-IOV PF with %d VFs enabled; vfio-pci takes it only with sriov_numvfs 0",
				 d->name, d->numvfs);
		snprintf(v->text + strlen(v->text), sizeof(v->text) - strlen(v->text), " [%s]",
			 reason_name(kind));
		return answer(v, POLICY_NEEDS_FORCE, kind);
	}
	/* Now, vfio-pci would bind but could not reserve the BAR: the guest's driver would fail. */
	if (!c->force && (c->via == VIA_BIND || c->via == VIA_EXPORT)) {
		char fb[300];
		const char *arg;

		if (pci_firmware_fb(gs, d, fb, sizeof(fb), &arg)) {
			snprintf(v->text, sizeof(v->text), "%s: %s [%s]", d->name, fb,
				 reason_name(REASON_FIRMWARE_FB));
			return answer(v, POLICY_NEEDS_FORCE, REASON_FIRMWARE_FB);
		}
	}
	if (d->group < 0 || !groups_find(gs, d->group)) {
		snprintf(v->text, sizeof(v->text),
			 "%s has no IOMMU group (is the IOMMU on?); vfio-pci cannot take it and it would be left without a driver [%s]",
			 d->name, reason_name(REASON_NO_GROUP));
		return answer(v, POLICY_REFUSE, REASON_NO_GROUP);
	}
	if (c->partial || c->via == VIA_EXPORT || handed)
		return POLICY_CLAIM;
	return judge_split(set, gs, d, c, v);
}

const char *reason_name(enum reason_kind k)
{
	static const char *const names[] = {
		[REASON_HOST_DRIVER] = "host-driver",
		[REASON_UNCLAIMED] = "unclaimed",
		[REASON_NO_DMA_DRIVER] = "no-dma-driver",
		[REASON_BOOT_VGA] = "boot-vga",
		[REASON_MOUNT] = "mounted-filesystem",
		[REASON_SWAP] = "active-swap",
		[REASON_NET_UP] = "network-up",
		[REASON_SRIOV_PF] = "sriov-vfs-enabled",
		[REASON_BRIDGE] = "bridge",
		[REASON_CHIPSET] = "chipset",
		[REASON_NO_GROUP] = "no-iommu-group",
		[REASON_ID_MISMATCH] = "id-mismatch",
		[REASON_SPLIT_CARD] = "split-card",
		[REASON_SPLIT_GROUP] = "split-group",
		[REASON_VFIO_DENYLIST] = "vfio-denylist",
		[REASON_FIRMWARE_FB] = "firmware-framebuffer",
	};

	return names[k];
}

const char *policy_override_word(enum policy_answer a)
{
	return a == POLICY_NEEDS_FORCE ? "force" : a == POLICY_NEEDS_PARTIAL ? "partial" : NULL;
}
