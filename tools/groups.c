// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "macro.h"

static int push_reason(struct reason **v, int *n, enum reason_kind kind, struct pci_dev *d,
		       const struct pci_use *use)
{
	struct reason *p = realloc(*v, sizeof(*p) * (size_t)(*n + 1));

	if (!p)
		return -ENOMEM;
	*v = p;
	p[*n] = (struct reason){ .kind = kind, .dev = d, .use = use };
	(*n)++;
	return 0;
}

static int judge_member(const struct sysroot *root, const struct fb_ranges *fb, struct iommu_group *g,
			struct pci_dev *d)
{
	bool infra = pci_is_infrastructure(d);
	const struct fb_range *over;
	int r = 0, bar = -1;

	/* On vfio-pci or not: vfio-pci cannot reserve a BAR a framebuffer holds. */
	over = infra ? NULL : fb_over_device(root, fb, d, &bar);
	if (over) {
		r = push_reason(&g->blockers, &g->n_blockers, REASON_FIRMWARE_FB, d, NULL);
		if (r < 0)
			return r;
		g->blockers[g->n_blockers - 1].fb = over;
		g->blockers[g->n_blockers - 1].bar = bar;
	}
	if (pci_driver_is_vfio(d->driver))
		return 0;
	if (infra) {
		if (d->driver && !pci_driver_manages_dma(d->driver))
			r = push_reason(&g->blockers, &g->n_blockers, REASON_NO_DMA_DRIVER, d, NULL);
		return r;
	}

	/* An endpoint not on vfio-pci: claiming it is what it takes. */
	{
		struct pci_dev **c = realloc(g->claim, sizeof(*c) * (size_t)(g->n_claim + 1));

		if (!c)
			return -ENOMEM;
		g->claim = c;
		g->claim[g->n_claim++] = d;
	}
	if (d->driver && !pci_driver_manages_dma(d->driver))
		r = push_reason(&g->not_now, &g->n_not_now, REASON_HOST_DRIVER, d, NULL);
	if (r < 0)
		return r;

	{
		const struct pci_use *use;
		enum reason_kind kind;
		int pos = 0;

		while (r == 0 && policy_host_need_next(d, &pos, &kind, &use))
			r = push_reason(&g->blockers, &g->n_blockers, kind, d, use);
	}
	return r;
}

static int judge(const struct sysroot *root, const struct fb_ranges *fb, struct iommu_group *g)
{
	bool on_vfio = false;
	int endpoints = 0;

	for (int i = 0; i < g->n_devs; i++) {
		struct pci_dev *d = g->devs[i];
		int r = judge_member(root, fb, g, d);

		if (r < 0)
			return r;
		if (!pci_is_infrastructure(d)) {
			endpoints++;
			on_vfio |= pci_driver_is_vfio(d->driver);
		}
	}
	if (g->n_blockers)
		g->verdict = VERDICT_BLOCKED;
	else if (!endpoints)
		g->verdict = VERDICT_NO_ENDPOINTS;
	else if (on_vfio && !g->n_not_now)
		g->verdict = VERDICT_READY;
	else
		g->verdict = VERDICT_CLAIMABLE;

	/* Unbound endpoints keep a ready group ready; say so only when it is not. */
	if (g->verdict != VERDICT_READY) {
		for (int i = 0; i < g->n_claim; i++) {
			if (g->claim[i]->driver)
				continue;
			if (push_reason(&g->not_now, &g->n_not_now, REASON_UNCLAIMED, g->claim[i], NULL))
				return -ENOMEM;
		}
	} else {
		g->n_claim = 0;
	}
	return 0;
}

static int group_cmp(const void *a, const void *b)
{
	const struct iommu_group *x = a, *y = b;

	return (x->number > y->number) - (x->number < y->number);
}

static int member_cmp(const void *a, const void *b)
{
	const struct pci_dev *x = *(struct pci_dev *const *)a, *y = *(struct pci_dev *const *)b;

	if (x->group != y->group)
		return (x->group > y->group) - (x->group < y->group);
	return (x > y) - (x < y);	/* address order: the devices are one sorted array */
}

int groups_build(const struct sysroot *root, struct pci_set *set, struct group_set *gs)
{
	_cleanup_free_ struct pci_dev **byg = calloc((size_t)set->n + 1, sizeof(*byg));
	int n = 0;

	memset(gs, 0, sizeof(*gs));
	if (!byg)
		return -ENOMEM;
	for (int i = 0; i < set->n; i++) {
		struct pci_dev *d = &set->devs[i];

		if (d->group >= 0) {
			byg[n++] = d;
			continue;
		}
		{
			struct pci_dev **v = realloc(gs->ungrouped, sizeof(*v) * (size_t)(gs->n_ungrouped + 1));

			if (!v)
				return -ENOMEM;
			gs->ungrouped = v;
			gs->ungrouped[gs->n_ungrouped++] = d;
		}
	}
	/* Sorted by group, then address: each group is one run. */
	if (n > 1)
		qsort(byg, (size_t)n, sizeof(*byg), member_cmp);
	gs->groups = calloc((size_t)n + 1, sizeof(*gs->groups));
	if (!gs->groups)
		return -ENOMEM;
	for (int i = 0; i < n;) {
		struct iommu_group *g = &gs->groups[gs->n++];
		int j = i;

		while (j < n && byg[j]->group == byg[i]->group)
			j++;
		g->number = byg[i]->group;
		g->n_devs = j - i;
		g->devs = malloc(sizeof(*g->devs) * (size_t)g->n_devs);
		if (!g->devs)
			return -ENOMEM;
		memcpy(g->devs, byg + i, sizeof(*g->devs) * (size_t)g->n_devs);
		i = j;
	}
	if (fb_ranges_read(root, &gs->fb) < 0)
		return -ENOMEM;
	for (int k = 0; k < gs->n; k++) {
		int r = judge(root, &gs->fb, &gs->groups[k]);

		if (r < 0)
			return r;
	}
	/* Groups exist in sysfs even when no device of ours links to them. */
	gs->iommu = gs->n > 0;
	if (!gs->iommu) {
		DIR *dir = sysroot_opendir(root, "sys/kernel/iommu_groups");
		struct dirent *ent;

		while (dir && (ent = readdir(dir)))
			if (ent->d_name[0] != '.')
				gs->iommu = true;
		if (dir)
			closedir(dir);
	}
	return 0;
}

void groups_free(struct group_set *gs)
{
	for (int k = 0; k < gs->n; k++) {
		free(gs->groups[k].devs);
		free(gs->groups[k].claim);
		free(gs->groups[k].not_now);
		free(gs->groups[k].blockers);
	}
	free(gs->groups);
	free(gs->ungrouped);
	fb_ranges_free(&gs->fb);
	memset(gs, 0, sizeof(*gs));
}

struct iommu_group *groups_find(const struct group_set *gs, int number)
{
	struct iommu_group key = { .number = number };

	return bsearch(&key, gs->groups, (size_t)gs->n, sizeof(*gs->groups), group_cmp);
}

const char *verdict_name(enum verdict v)
{
	static const char *const names[] = {
		[VERDICT_READY] = "ready",
		[VERDICT_CLAIMABLE] = "claimable",
		[VERDICT_BLOCKED] = "blocked",
		[VERDICT_NO_ENDPOINTS] = "no-endpoints",
	};

	return names[v];
}

void reason_text(const struct reason *r, char *buf, size_t size)
{
	const struct pci_dev *d = r->dev;

	switch (r->kind) {
	case REASON_HOST_DRIVER:
		snprintf(buf, size, "bound to host driver %s", d->driver);
		break;
	case REASON_UNCLAIMED:
		snprintf(buf, size, "unbound and not claimed; a host driver may still take it");
		break;
	case REASON_NO_DMA_DRIVER:
		snprintf(buf, size, "bound to %s, which does not manage DMA; chipset functions and bridges are never claimed",
			 d->driver);
		break;
	case REASON_BOOT_VGA:
		snprintf(buf, size, "the boot VGA device (the host's console)");
		break;
	case REASON_MOUNT:
		snprintf(buf, size, "controls the filesystem mounted at %s (%s)", r->use->what,
			 r->use->via ? r->use->via : "?");
		break;
	case REASON_SWAP:
		snprintf(buf, size, "holds active swap %s", r->use->what);
		break;
	case REASON_NET_UP:
		snprintf(buf, size, "network interface %s is up", r->use->what);
		break;
	case REASON_SRIOV_PF:
		snprintf(buf, size, "SR-IOV PF with %d VFs enabled; vfio-pci takes it only with sriov_numvfs 0",
			 d->numvfs);
		break;
	case REASON_FIRMWARE_FB:
		snprintf(buf, size, "firmware framebuffer %s holds BAR %d (0x%" PRIx64 "-0x%" PRIx64 "): vfio-pci cannot reserve it; boot with %s",
			 r->fb->name, r->bar, r->fb->start, r->fb->end, fb_kernel_arg(r->fb->name));
		break;
	default:
		snprintf(buf, size, "%s", reason_name(r->kind));
		break;
	}
}

const char *pci_firmware_fb(const struct group_set *gs, const struct pci_dev *d, char *buf, size_t size,
			    const char **arg)
{
	const struct iommu_group *g = groups_find(gs, d->group);

	for (int i = 0; g && i < g->n_blockers; i++) {
		const struct reason *r = &g->blockers[i];

		if (r->kind != REASON_FIRMWARE_FB || r->dev != d)
			continue;
		reason_text(r, buf, size);
		*arg = fb_kernel_arg(r->fb->name);
		return buf;
	}
	return NULL;
}
