// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "resolve.h"

static int add_finding(struct resolution *res, enum finding_kind kind, const struct claim *c,
		       struct pci_dev *d, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int add_finding(struct resolution *res, enum finding_kind kind, const struct claim *c,
		       struct pci_dev *d, const char *fmt, ...)
{
	struct finding *f = realloc(res->findings, sizeof(*f) * (size_t)(res->n_findings + 1));
	va_list ap;

	if (!f)
		return -ENOMEM;
	res->findings = f;
	f = &f[res->n_findings++];
	f->kind = kind;
	f->claim = c;
	f->dev = d;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	return 0;
}

const struct claimed *resolution_find(const struct resolution *res, const struct pci_dev *d)
{
	for (int i = 0; i < res->n; i++)
		if (res->devs[i].dev == d)
			return &res->devs[i];
	return NULL;
}

static int take(struct resolution *res, struct pci_dev *d, const struct claim *c, bool by_group)
{
	struct claimed *v;

	if (resolution_find(res, d))
		return 0;
	v = realloc(res->devs, sizeof(*v) * (size_t)(res->n + 1));
	if (!v)
		return -ENOMEM;
	res->devs = v;
	v[res->n++] = (struct claimed){ .dev = d, .claim = c, .by_group = by_group };
	return 0;
}

/* Say once per device when it is something the host needs. */
static int check_host_needs(struct resolution *res, const struct claim *c, struct pci_dev *d)
{
	char why[200];

	if (!pci_host_need(d, why, sizeof(why)))
		return 0;
	return add_finding(res, FIND_HOST_NEEDS, c, d, "%s %s", d->name, why);
}

static int take_with_group(struct resolution *res, const struct machine *m,
			   const struct claim *c, struct pci_dev *d)
{
	struct iommu_group *g;
	int r;

	if (pci_is_bridge(d))
		return add_finding(res, FIND_BRIDGE, c, d,
				   "%s is a bridge; bridges stay with the host (pcieport) and are never claimed",
				   d->name);
	r = take(res, d, c, false);
	if (r == 0)
		r = check_host_needs(res, c, d);
	if (r < 0 || !c->whole_group)
		return r;
	g = d->group >= 0 ? groups_find(&m->groups, d->group) : NULL;
	if (!g)
		return add_finding(res, FIND_NO_GROUP, c, d,
				   "%s has no IOMMU group; 'group' cannot be expanded (is the IOMMU on?)",
				   d->name);
	for (int i = 0; i < g->n_devs && r == 0; i++) {
		struct pci_dev *member = g->devs[i];

		if (member == d || pci_is_infrastructure(member))
			continue;
		if (!resolution_find(res, member)) {
			r = take(res, member, c, true);
			if (r == 0)
				r = check_host_needs(res, c, member);
		}
	}
	return r;
}

static int dev_ptr_cmp(const void *a, const void *b)
{
	const struct claimed *x = a, *y = b;

	/* devs points into one sorted array: pointer order is address order */
	return (x->dev > y->dev) - (x->dev < y->dev);
}

int resolve_claims(const struct config *cfg, const struct machine *m, struct resolution *res)
{
	char origin[300], addr[VC_ADDR_STRLEN];
	int r = 0;

	memset(res, 0, sizeof(*res));
	for (int i = 0; i < cfg->n && r == 0; i++) {
		const struct claim *c = &cfg->claims[i];

		claim_origin_text(c, origin, sizeof(origin));
		if (c->kind == CLAIM_SLOT) {
			struct pci_dev *d = pci_find(&m->pci, &c->slot.addr);

			vc_format_addr(addr, &c->slot.addr);
			if (!d)
				r = add_finding(res, FIND_ABSENT, c, NULL,
						"%s: %s is not present; it will be claimed if it appears with ID %04x:%04x",
						origin, addr, c->slot.vendor, c->slot.device);
			else if (d->vendor != c->slot.vendor || d->device != c->slot.device)
				r = add_finding(res, FIND_ID_MISMATCH, c, d,
						"%s: %s is now %04x:%04x, not %04x:%04x as claimed (was the bus renumbered?); nothing there is claimed: fix the line with 'vfio-claim remove %s' and 'vfio-claim add'",
						origin, addr, d->vendor, d->device, c->slot.vendor,
						c->slot.device, addr);
			else
				r = take_with_group(res, m, c, d);
		} else {
			int matches = 0;
			char list[200] = "";
			size_t len = 0;

			for (int k = 0; k < m->pci.n && r == 0; k++) {
				struct pci_dev *d = &m->pci.devs[k];

				if (!vc_id_matches(&c->id, d->vendor, d->device, d->subvendor,
						   d->subdevice))
					continue;
				matches++;
				if (len + 20 < sizeof(list))
					len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
								len ? ", " : "", d->name);
				r = take_with_group(res, m, c, d);
			}
			if (r == 0 && matches == 0)
				r = add_finding(res, FIND_NO_MATCH, c, NULL,
						"%s: no device has ID %04x:%04x; the claim waits for one to appear",
						origin, c->id.vendor, c->id.device);
			else if (r == 0 && matches > 1)
				r = add_finding(res, FIND_SEVERAL, c, NULL,
						"%s: ID %04x:%04x matches %d devices (%s); claim by address to take only one",
						origin, c->id.vendor, c->id.device, matches, list);
		}
	}
	if (r < 0) {
		resolution_free(res);
		return r;
	}
	if (res->n > 1)	/* devs is NULL when nothing resolved: qsort(NULL, 0) is undefined */
		qsort(res->devs, (size_t)res->n, sizeof(*res->devs), dev_ptr_cmp);
	return 0;
}

void resolution_free(struct resolution *res)
{
	free(res->devs);
	free(res->findings);
	memset(res, 0, sizeof(*res));
}
