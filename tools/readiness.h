/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Is this host ready for PCI passthrough? One item per question, each with a
 * state and, where it is not ready, the fix for this machine: CPU
 * virtualization and KVM, the firmware's IOMMU tables (ACPI DMAR for Intel,
 * IVRS for AMD), the IOMMU on now and on the next boot's command line,
 * interrupt remapping, the vfio modules and /dev/vfio/vfio, the quality of
 * the IOMMU groups and an ACS override, each claimed device's reset, and, as
 * advice, the guest firmware (OVMF) and huge pages. Everything is read
 * through the root, so each item is testable on a fixture tree; an input
 * that is not under the root makes its item "not checked", never a failure.
 * Used by 'vfio-claim check' and at the top of 'vfio-claim verify'.
 */
#pragma once

#include <stdbool.h>

#include "json.h"
#include "machine.h"
#include "resolve.h"

enum ready_state {
	READY_PASS,
	READY_NOTE,	/* advice, or not checked; never a problem */
	READY_WARN,	/* works, at a cost or a risk the message names */
	READY_FAIL,	/* passthrough does not work until it is fixed */
};

/* Who needs an item: the claims themselves (vfio), or a guest (KVM), or nobody strictly. */
enum ready_scope {
	SCOPE_CLAIM,
	SCOPE_GUEST,
	SCOPE_ADVICE,
};

enum cpu_vendor {
	CPU_UNKNOWN,
	CPU_INTEL,
	CPU_AMD,
};

struct ready_item {
	char name[32];		/* "iommu-now", "reset", ... */
	char device[16];	/* the device an item is about, "" for the host */
	enum ready_state state;
	enum ready_scope scope;
	char message[900];
	char fix[600];		/* "" when there is nothing to fix */
};

struct readiness {
	struct ready_item *v;
	int n;
	enum cpu_vendor vendor;
	char kver[128];		/* the running kernel, "" when unknown */
};

/*
 * Judge the host under root. m is the machine as loaded; res the config
 * resolved against it (NULL or empty: nothing claimed, so no reset items).
 * Returns 0 or -ENOMEM; prints nothing.
 */
int readiness_run(const struct sysroot *root, const struct machine *m, const struct resolution *res,
		  struct readiness *out);
void readiness_free(struct readiness *r);

/* No item FAILs (in scope, or in every scope when scope < 0). */
bool readiness_ok(const struct readiness *r, int scope);

/* "PASS", "NOTE", "WARN", "FAIL" (lowercase when lower). */
const char *ready_state_name(enum ready_state s, bool lower);

/* The CPU's vendor from proc/cpuinfo's vendor_id; CPU_UNKNOWN when it cannot tell. */
enum cpu_vendor cpu_vendor_read(const struct sysroot *root);
/* "intel", "amd", or NULL. */
const char *cpu_vendor_name(enum cpu_vendor v);

/*
 * The advice for turning the IOMMU on, for this vendor (both when unknown):
 * "enable VT-d in the firmware and boot with intel_iommu=on iommu=pt".
 */
const char *iommu_enable_advice(enum cpu_vendor v);

/*
 * The command's output (cmd-check.c), shared with verify: one line per item,
 * "STATE  ITEM[ DEVICE]: message[; fix: ...]", then a summary line; or one
 * JSON object { ready, cpu_vendor, kernel, items: [...] }.
 */
void readiness_print(const struct readiness *r);
void readiness_json(struct json *j, const struct readiness *r);
