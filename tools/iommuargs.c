// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "iommuargs.h"
#include "cmdwords.h"

void iommu_args_for(enum cpu_vendor vendor, bool iommu_on_now, const char *running_cmdline,
		    struct iommu_args *out)
{
	const char *cmdline = running_cmdline ? running_cmdline : "";
	bool intel_needed;

	if (vendor == CPU_AMD)
		intel_needed = false;
	else if (iommu_on_now)
		/* On without the argument: this kernel turns VT-d on by itself. */
		intel_needed = cmdline_has(cmdline, "intel_iommu=on");
	else
		intel_needed = true;
	snprintf(out->needed, sizeof(out->needed), "%s", intel_needed ? "intel_iommu=on" : "");
	snprintf(out->all, sizeof(out->all), "%s%siommu=pt", out->needed, out->needed[0] ? " " : "");
}

void iommu_args_of_root(const struct sysroot *root, bool iommu_on_now, struct iommu_args *out)
{
	char cmdline[4096] = "";

	sysroot_read(root, "proc/cmdline", cmdline, sizeof(cmdline));
	iommu_args_for(cpu_vendor_read(root), iommu_on_now, cmdline, out);
}
