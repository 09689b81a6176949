// SPDX-License-Identifier: GPL-2.0
/* iommuargs: the one rule for the kernel arguments passthrough needs; printable: escaped text. */
#include <stdio.h>
#include <string.h>

#include "iommuargs.h"
#include "printable.h"
#include "unit.h"

static void check_args(enum cpu_vendor v, bool on, const char *cmdline, const char *needed, const char *all)
{
	struct iommu_args a;

	iommu_args_for(v, on, cmdline, &a);
	CHECK(!strcmp(a.needed, needed), "vendor %d on %d '%s': needed '%s', expected '%s'", v, on, cmdline,
	      a.needed, needed);
	CHECK(!strcmp(a.all, all), "vendor %d on %d '%s': all '%s', expected '%s'", v, on, cmdline, a.all, all);
}

int main(void)
{
	/* Intel: VT-d needs intel_iommu=on, unless the kernel turned it on without it. */
	check_args(CPU_INTEL, false, "root=/dev/sda1", "intel_iommu=on", "intel_iommu=on iommu=pt");
	check_args(CPU_INTEL, true, "root=/dev/sda1 intel_iommu=on", "intel_iommu=on", "intel_iommu=on iommu=pt");
	check_args(CPU_INTEL, true, "root=/dev/sda1", "", "iommu=pt");
	/* AMD: no argument turns AMD-Vi on; amd_iommu=on is not a thing. */
	check_args(CPU_AMD, false, "", "", "iommu=pt");
	check_args(CPU_AMD, true, "amd_iommu=on", "", "iommu=pt");
	/* Unknown vendor: intel_iommu=on while off (harmless on AMD). */
	check_args(CPU_UNKNOWN, false, NULL, "intel_iommu=on", "intel_iommu=on iommu=pt");
	check_args(CPU_UNKNOWN, true, "", "", "iommu=pt");

	/* printable(): unchanged text is the same pointer; control bytes escaped. */
	const char *plain = "/mnt/data ü";

	CHECK(printable(plain) == plain, "plain text copied");
	CHECK(!strcmp(printable("a\nb\tc\r\x1b[2J\x7f"), "a\\nb\\tc\\r\\x1b[2J\\x7f"), "got '%s'",
	      printable("a\nb\tc\r\x1b[2J\x7f"));
	CHECK(!strcmp(printable(""), ""), "empty");
	CHECK(printable(NULL) == NULL, "NULL");
	/* The ring keeps 8 copies alive: the first of 8 is still intact after 7 more. */
	const char *first = printable("1\n");

	for (int i = 0; i < 7; i++)
		printable("x\n");
	CHECK(!strcmp(first, "1\\n"), "ring overwrote a live copy: '%s'", first);
	return unit_summary("iommuargs");
}
