/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel arguments passthrough needs on this machine: one rule that the
 * readiness check (what it fails on), verify's advice and
 * `apply --kernel-args` (what it writes) all read.
 */
#pragma once

#include <stdbool.h>

#include "readiness.h"
#include "sysroot.h"

struct iommu_args {
	/* Without these the IOMMU stays off on the next boot: "intel_iommu=on" or "". */
	char needed[32];
	/* What `apply --kernel-args` writes: needed, then "iommu=pt". */
	char all[48];
};

/*
 * Intel: intel_iommu=on, unless the IOMMU is on now and the running command
 * line (running_cmdline, may be "") lacks it, i.e. a kernel built with
 * CONFIG_INTEL_IOMMU_DEFAULT_ON, whose next boot needs nothing either.
 * AMD: nothing is needed: the kernel enables AMD-Vi whenever the firmware's
 * IVRS table describes it, and amd_iommu= has no "on" (it is an unknown
 * option, drivers/iommu/amd/init.c parse_amd_iommu_options; only "off" and
 * tuning words). Vendor unknown and the IOMMU off: intel_iommu=on, which an
 * AMD kernel ignores. iommu=pt (identity-map the host's own DMA, so host
 * devices do not pay for translation) is recommended, not needed: it is in
 * all and never in needed.
 */
void iommu_args_for(enum cpu_vendor vendor, bool iommu_on_now, const char *running_cmdline,
		    struct iommu_args *out);

/*
 * iommu_args_for() with the root's CPU vendor (proc/cpuinfo) and running
 * command line (proc/cmdline; unreadable counts as empty, which at worst
 * asks for intel_iommu=on where it is not needed).
 */
void iommu_args_of_root(const struct sysroot *root, bool iommu_on_now, struct iommu_args *out);
