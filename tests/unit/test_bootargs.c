// SPDX-License-Identifier: GPL-2.0
/* bootargs: which kernel arguments a command line lacks, counted even when they do not fit. */
#include <string.h>

#include "bootargs.h"
#include "unit.h"

int main(void)
{
	char out[64], tiny[8];

	CHECK(kernel_args_missing("ro intel_iommu=on iommu=pt", "intel_iommu=on iommu=pt", out, sizeof(out)) == 0,
	      "all present");
	CHECK(!strcmp(out, ""), "out '%s'", out);
	CHECK(kernel_args_missing("ro iommu=pt", "intel_iommu=on iommu=pt", out, sizeof(out)) == 1, "one missing");
	CHECK(!strcmp(out, "intel_iommu=on"), "out '%s'", out);
	CHECK(kernel_args_missing(NULL, "intel_iommu=on iommu=pt", out, sizeof(out)) == 2, "NULL is empty");
	CHECK(!strcmp(out, "intel_iommu=on iommu=pt"), "out '%s'", out);
	/* A word that does not fit is still missing: never "nothing to add". */
	CHECK(kernel_args_missing("ro", "intel_iommu=on", tiny, sizeof(tiny)) == 1, "too long for out");
	CHECK(!strcmp(tiny, ""), "tiny '%s'", tiny);
	/* Words after "--" go to init: they are missing for the kernel, and never asked for. */
	CHECK(kernel_args_missing("ro -- intel_iommu=on iommu=pt", "intel_iommu=on iommu=pt", out, sizeof(out)) == 2,
	      "after --");
	CHECK(!strcmp(out, "intel_iommu=on iommu=pt"), "out '%s'", out);
	CHECK(kernel_args_missing("ro iommu=pt -- single", "iommu=pt -- single", out, sizeof(out)) == 0,
	      "init's words are not compared");
	return unit_summary("bootargs");
}
