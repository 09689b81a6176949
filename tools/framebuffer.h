/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Firmware framebuffers over a device's BARs (FACTS.md section 9): efifb,
 * vesafb, or simpledrm on sysfb's simple-framebuffer hold a region of the
 * boot GPU's memory BAR ("BOOTFB" in /proc/iomem). vfio-pci then cannot
 * reserve that BAR ("BAR 0: can't reserve") and the guest's driver fails.
 * Read from the root's proc/iomem and each device's sysfs "resource" file.
 */
#pragma once

#include <stdint.h>

#include "pci.h"
#include "sysroot.h"

struct fb_range {
	uint64_t start, end;	/* inclusive, as /proc/iomem prints them */
	char name[64];		/* "BOOTFB", "efifb", "vesafb", "simple-framebuffer" ... */
};

struct fb_ranges {
	struct fb_range *v;
	int n;
};

/*
 * The framebuffer ranges of the root's proc/iomem. A missing or unreadable
 * proc/iomem (or one read without privileges, all zeros) gives none: 0.
 * -ENOMEM.
 */
int fb_ranges_read(const struct sysroot *root, struct fb_ranges *out);
void fb_ranges_free(struct fb_ranges *fb);

/*
 * Which framebuffer lies over one of D's BARs (its sysfs resource file):
 * the range, with *bar set to the BAR's number, or NULL.
 */
const struct fb_range *fb_over_device(const struct sysroot *root, const struct fb_ranges *fb,
				      const struct pci_dev *d, int *bar);

/* The kernel argument that keeps framebuffer NAME off the GPU at boot. */
const char *fb_kernel_arg(const char *name);
