/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a fleet's schedulers are told about the claims: the claimed devices
 * counted per vendor:device (export --kubevirt, verify --nfd), and the Node
 * Feature Discovery local feature file that verify --nfd writes.
 *
 * NFD's local source (source/local/local.go, v0.14 to v0.17) reads every
 * file of /etc/kubernetes/node-feature-discovery/features.d/ whose name does
 * not start with a dot, one "name[=value]" a line, "#" comments, 64 kB at
 * most; each name becomes a node label, so each name and value must be a
 * valid Kubernetes label (k8s.io/apimachinery validation: a DNS subdomain
 * prefix of at most 253 characters, "/", a name of at most 63 of
 * [A-Za-z0-9-_.] starting and ending alphanumeric; a value of at most 63 of
 * the same, or empty).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolve.h"

/* The label prefix and the KubeVirt resource name domain of every name the tool makes. */
#define FLEET_DOMAIN "vfio-claim.io"
/* Where verify --nfd writes by default, root-relative; the file is NFD_FEATURE_NAME in it. */
#define NFD_FEATURE_DIR "etc/kubernetes/node-feature-discovery/features.d"
#define NFD_FEATURE_NAME "vfio-claim"

struct id_count {
	uint32_t vendor, device;
	int claimed;	/* devices of this ID the config claims */
	int on_vfio;	/* ...of which on vfio-pci now */
	int present;	/* devices of this ID on the machine, claimed or not */
};

/*
 * The claimed devices of res counted per vendor:device, sorted by vendor
 * then device, into *out (malloc'd; NULL when none) and *n; present counts
 * the devices of each ID in all. Returns 0 or -ENOMEM.
 */
int fleet_id_counts(const struct resolution *res, const struct pci_set *all, struct id_count **out,
		    int *n);

/* A Kubernetes label name: optional DNS-subdomain prefix and "/", then a name (see above). */
bool k8s_label_name_valid(const char *s);
/* A Kubernetes label value: empty, or at most 63 of [A-Za-z0-9-_.] starting and ending alphanumeric. */
bool k8s_label_value_valid(const char *s);

/*
 * The feature file's text (malloc'd into *text): a comment line, then
 * "vfio-claim.io/ready=true|false" (every claim holds, verify's answer),
 * "vfio-claim.io/claimed=N" (devices claimed) and, per ID,
 * "vfio-claim.io/VVVV_DDDD.count=N" with N the devices of that ID on
 * vfio-pci now. Every line is checked with the two functions above:
 * -EINVAL if one is not a valid label (never written). -ENOMEM.
 */
int nfd_feature_text(bool ready, const struct id_count *ids, int n, char **text);

/*
 * Write text to DIR/vfio-claim inside root (dir root-relative; created with
 * its parents, 0755, when missing): to a new dot-named temporary beside it
 * first, then renamed (genfile_write_atomic), because NFD reads any other
 * name the moment it appears. A link at the file is replaced, never
 * followed. Returns 0 or -errno (-ENAMETOOLONG for a dir too long).
 */
int nfd_write(const struct sysroot *root, const char *dir, const char *text);
