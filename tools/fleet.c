// SPDX-License-Identifier: GPL-2.0
/* Per-ID counts of the claimed devices, and the NFD feature file: see fleet.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "genfile.h"
#include "macro.h"

int fleet_id_counts(const struct resolution *res, const struct pci_set *all, struct id_count **out,
		    int *n)
{
	struct id_count *v = NULL;
	int count = 0;

	for (int i = 0; i < res->n; i++) {
		const struct pci_dev *d = res->devs[i].dev;
		int k = 0;

		while (k < count && (v[k].vendor < d->vendor ||
				     (v[k].vendor == d->vendor && v[k].device < d->device)))
			k++;
		if (k == count || v[k].vendor != d->vendor || v[k].device != d->device) {
			struct id_count *p = realloc(v, sizeof(*v) * (size_t)(count + 1));

			if (!p) {
				free(v);
				return -ENOMEM;
			}
			v = p;
			memmove(&v[k + 1], &v[k], sizeof(*v) * (size_t)(count - k));
			v[k] = (struct id_count){ .vendor = d->vendor, .device = d->device };
			count++;
		}
		v[k].claimed++;
		v[k].on_vfio += pci_driver_is_vfio(d->driver);
	}
	for (int k = 0; k < count; k++)
		for (int i = 0; i < all->n; i++)
			v[k].present += all->devs[i].vendor == v[k].vendor && all->devs[i].device == v[k].device;
	*out = v;
	*n = count;
	return 0;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? of at most max characters; empty is invalid. */
static bool qualified_part(const char *s, size_t len, size_t max)
{
	if (!len || len > max || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* RFC 1123 subdomain: dot-separated labels of [a-z0-9-], alphanumeric at both ends, 253 at most. */
static bool dns_subdomain(const char *s, size_t len)
{
	size_t start = 0;

	if (!len || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
				return false;
			continue;
		}
		if (i == start || i - start > 63 || s[start] == '-' || s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

bool k8s_label_name_valid(const char *s)
{
	const char *slash = strchr(s, '/');

	if (!slash)
		return qualified_part(s, strlen(s), 63);
	return dns_subdomain(s, (size_t)(slash - s)) && qualified_part(slash + 1, strlen(slash + 1), 63);
}

bool k8s_label_value_valid(const char *s)
{
	return !*s || qualified_part(s, strlen(s), 63);
}

/* Append "name=value\n" after checking both; -EINVAL for an invalid label. */
static int add_label(FILE *f, const char *name, const char *value)
{
	if (!k8s_label_name_valid(name) || !k8s_label_value_valid(value))
		return -EINVAL;
	fprintf(f, "%s=%s\n", name, value);
	return 0;
}

int nfd_feature_text(bool ready, const struct id_count *ids, int n, char **text)
{
	char *buf = NULL, name[64], value[16];
	size_t size = 0;
	int claimed = 0, r;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		claimed += ids[i].claimed;
	fprintf(f, "# Written by vfio-claim verify --nfd: whether every claim holds, and the devices on vfio-pci per claimed ID\n");
	r = add_label(f, FLEET_DOMAIN "/ready", ready ? "true" : "false");
	snprintf(value, sizeof(value), "%d", claimed);
	if (!r)
		r = add_label(f, FLEET_DOMAIN "/claimed", value);
	for (int i = 0; !r && i < n; i++) {
		snprintf(name, sizeof(name), FLEET_DOMAIN "/%04x_%04x.count", ids[i].vendor, ids[i].device);
		snprintf(value, sizeof(value), "%d", ids[i].on_vfio);
		r = add_label(f, name, value);
	}
	if (fclose(f) != 0 && !r)
		r = -ENOMEM;
	if (r) {
		free(buf);
		return r;
	}
	*text = buf;
	return 0;
}

int nfd_write(const struct sysroot *root, const char *dir, const char *text)
{
	char path[4096];
	int r;

	if (path_join(path, sizeof(path), dir, NFD_FEATURE_NAME) < 0)
		return -ENAMETOOLONG;
	r = sysroot_mkdirs(root, dir, 0755);
	if (r < 0)
		return r;
	return genfile_write_atomic(root, path, text, 0);
}
