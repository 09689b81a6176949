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

static int take_with_group(struct resolution *res, const struct machine *m,
			   const struct claim *c, struct pci_dev *d)
{
	struct iommu_group *g;
	int r;

	r = take(res, d, c, false);
	if (r < 0 || !c->whole_group || pci_is_infrastructure(d))
		return r;
	g = d->group >= 0 ? groups_find(&m->groups, d->group) : NULL;
	for (int i = 0; g && i < g->n_devs && r == 0; i++) {
		struct pci_dev *member = g->devs[i];

		if (member != d && !pci_is_infrastructure(member))
			r = take(res, member, c, true);
	}
	return r;
}

/* Whether a refusal is for good: the device is not even written down. */
static bool refused_for_good(const struct policy_verdict *v)
{
	return v->answer == POLICY_REFUSE && v->kind != REASON_NO_GROUP;
}

/*
 * Ask the policy about every device taken, with everything taken as the
 * set it is taken with; drop what it refuses for good.
 */
static int judge_taken(struct resolution *res, const struct machine *m)
{
	_cleanup_free_ struct pci_dev **taken = calloc((size_t)res->n + 1, sizeof(*taken));
	int kept = 0, r = 0;

	if (!taken)
		return -ENOMEM;
	for (int i = 0; i < res->n; i++)
		taken[i] = res->devs[i].dev;
	for (int i = 0; i < res->n && r == 0; i++) {
		const struct claimed *cd = &res->devs[i];
		struct policy_claim pc = {
			.via = cd->by_group ? VIA_GROUP : cd->claim->kind == CLAIM_ID ? VIA_ID : VIA_ADDRESS,
			.force = cd->claim->force,
			.partial = cd->claim->partial,
			.taken = taken,
			.n_taken = res->n,
		};
		struct policy_verdict v;
		char origin[300];

		if (policy_judge(&m->pci, &m->groups, cd->dev, &pc, &v) == POLICY_CLAIM) {
			res->devs[kept++] = *cd;
			continue;
		}
		claim_origin_text(cd->claim, origin, sizeof(origin));
		r = add_finding(res, FIND_POLICY, cd->claim, cd->dev, "%s: %s", origin, v.text);
		if (r == 0)
			res->findings[res->n_findings - 1].verdict = v;
		if (!refused_for_good(&v))
			res->devs[kept++] = *cd;
	}
	res->n = kept;
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
	if (r == 0)
		r = judge_taken(res, m);
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

size_t claim_add_command(char *buf, size_t size, const struct claim *c, const char *addr,
			 bool group, bool force, bool partial)
{
	int n = snprintf(buf, size, "'vfio-claim add%s%s%s%s%s%s %s'",
				group || c->whole_group ? " --group" : "", c->rebind ? " --rebind" : "",
				force || c->force ? " --force" : "",
				partial || c->partial ? " --partial" : "",
				c->owner ? " --owner " : "", c->owner ? c->owner : "", addr);

	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

void resolution_fix_text(const struct resolution *res, const struct machine *m,
			 const struct finding *f, char *buf, size_t size)
{
	const struct claim *c = f->claim;
	const struct policy_verdict *v = &f->verdict;
	char subject[VC_ADDR_STRLEN + 16];
	size_t n;

	claim_subject_text(c, subject, sizeof(subject));
	n = (size_t)snprintf(buf, size, "'vfio-claim remove %s'", subject);
	if (n >= size || v->answer == POLICY_REFUSE)
		return;
	if (c->kind == CLAIM_SLOT) {
		if (v->answer == POLICY_NEEDS_FORCE) {
			snprintf(buf + n, size - n, "; or, to take it anyway, ");
			n += strlen(buf + n);
			claim_add_command(buf + n, size - n, c, subject, false, true, false);
			return;
		}
		/* Claiming the rest of the group keeps it whole, when nothing in it is the host's. */
		{
			const struct iommu_group *g = groups_find(&m->groups, f->dev->group);

			if (g && !g->n_blockers && !c->whole_group &&
			    v->other && v->other->group == f->dev->group) {
				snprintf(buf + n, size - n, "; or 'vfio-claim add --group %s'", subject);
				n += strlen(buf + n);
			}
		}
		snprintf(buf + n, size - n, "; or, to keep the split, ");
		n += strlen(buf + n);
		claim_add_command(buf + n, size - n, c, subject, false, false, true);
		return;
	}
	/* An ID claim: the devices it may take, by address. */
	for (int i = 0; i < res->n; i++) {
		const struct claimed *cd = &res->devs[i];
		bool blocked = false;

		if (cd->claim != c || cd->by_group)
			continue;
		for (int k = 0; k < res->n_findings; k++)
			blocked |= res->findings[k].dev == cd->dev && res->findings[k].kind == FIND_POLICY;
		if (blocked || n + 80 >= size)
			continue;
		snprintf(buf + n, size - n, ", then ");
		n += strlen(buf + n);
		n += claim_add_command(buf + n, size - n, c, cd->dev->name, false, false, false);
	}
}
