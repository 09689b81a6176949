// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framebuffer.h"
#include "macro.h"

/* The names firmware framebuffers take in /proc/iomem (drivers/firmware/sysfb*.c, efifb, vesafb). */
static bool is_fb_name(const char *name)
{
	static const char *const names[] = { "BOOTFB", "efifb", "vesafb", "simple-framebuffer",
					     "simplefb", "simpledrm" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (streq(name, names[i]))
			return true;
	return false;
}

int fb_ranges_read(const struct sysroot *root, struct fb_ranges *out)
{
	_cleanup_free_ char *iomem = NULL;
	char *line, *next;

	memset(out, 0, sizeof(*out));
	if (sysroot_read_all(root, "proc/iomem", &iomem) < 0)
		return 0;
	for (line = iomem; line && *line; line = next) {
		uint64_t start, end;
		char name[64];
		struct fb_range *v;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* "  e0000000-e02fffff : BOOTFB", nested by indentation */
		if (sscanf(line, " %" SCNx64 "-%" SCNx64 " : %63[^\n]", &start, &end, name) != 3)
			continue;
		if (!is_fb_name(name) || end < start || (start == 0 && end == 0))
			continue;
		v = realloc(out->v, sizeof(*v) * (size_t)(out->n + 1));
		if (!v) {
			fb_ranges_free(out);
			return -ENOMEM;
		}
		out->v = v;
		v[out->n].start = start;
		v[out->n].end = end;
		snprintf(v[out->n].name, sizeof(v[out->n].name), "%s", name);
		out->n++;
	}
	return 0;
}

void fb_ranges_free(struct fb_ranges *fb)
{
	free(fb->v);
	memset(fb, 0, sizeof(*fb));
}

const struct fb_range *fb_over_device(const struct sysroot *root, const struct fb_ranges *fb,
				      const struct pci_dev *d, int *bar)
{
	_cleanup_free_ char *res = NULL;
	char path[512], *line, *next;
	int n = 0;

	if (!fb->n || !d->syspath)
		return NULL;
	snprintf(path, sizeof(path), "%s/resource", d->syspath);
	if (sysroot_read_all(root, path, &res) < 0)
		return NULL;
	/* One line per resource: "0x%016llx 0x%016llx 0x%016llx"; lines 0-5 are the BARs. */
	for (line = res; line && *line && n < 6; line = next, n++) {
		uint64_t start, end, flags;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &start, &end, &flags) != 3 ||
		    (start == 0 && end == 0))
			continue;
		for (int i = 0; i < fb->n; i++) {
			if (fb->v[i].start <= end && fb->v[i].end >= start) {
				*bar = n;
				return &fb->v[i];
			}
		}
	}
	return NULL;
}

const char *fb_kernel_arg(const char *name)
{
	if (streq(name, "efifb"))
		return "video=efifb:off";
	if (streq(name, "vesafb"))
		return "video=vesafb:off";
	/* BOOTFB and simple-framebuffer are sysfb's: keep sysfb from registering them. */
	return "initcall_blacklist=sysfb_init";
}
