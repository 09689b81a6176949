// SPDX-License-Identifier: GPL-2.0
/* nextboot: the next boot's command line from GRUB's files, BLS entries or /etc/kernel/cmdline (cmdline words: test_cmdwords). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nextboot.h"
#include "unit.h"

static char top[256];

static void put(const char *path, const char *text)
{
	char p[1024], cmd[1100];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", top, path);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	if (system(cmd) != 0)
		abort();
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void check_next(const char *want, int want_err)
{
	struct sysroot r;
	struct nextboot nb;
	int e;

	if (sysroot_open(&r, top) < 0)
		abort();
	e = nextboot_read(&r, &nb);
	CHECK(e == want_err, "nextboot_read: %d, expected %d", e, want_err);
	if (!e && want)
		CHECK(!strcmp(nb.cmdline, want), "cmdline '%s', expected '%s'", nb.cmdline, want);
	nextboot_free(&nb);
	sysroot_close(&r);
}

int main(void)
{
	snprintf(top, sizeof(top), "/tmp/test_nextboot.XXXXXX");
	if (!mkdtemp(top))
		return 2;

	check_next(NULL, -ENOENT);
	put("etc/kernel/cmdline", "root=/dev/sda1  ro\tquiet\n");
	check_next("root=/dev/sda1 ro quiet", 0);
	/* GRUB wins over /etc/kernel/cmdline; drop-ins in name order expand the earlier value. */
	put("etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n"
				"GRUB_CMDLINE_LINUX=\"\"\n# GRUB_CMDLINE_LINUX=\"commented\"\n");
	check_next("quiet splash", 0);
	put("etc/default/grub.d/20-vfio.cfg", "GRUB_CMDLINE_LINUX=\"${GRUB_CMDLINE_LINUX} iommu=pt\"\n");
	put("etc/default/grub.d/10-iommu.cfg", "export GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX intel_iommu=on\"\n");
	put("etc/default/grub.d/30-ignored.conf", "GRUB_CMDLINE_LINUX=\"not read\"\n");
	check_next("intel_iommu=on iommu=pt quiet splash", 0);
	put("etc/default/grub.d/40-single.cfg", "GRUB_CMDLINE_LINUX_DEFAULT='$GRUB_CMDLINE_LINUX_DEFAULT' # literal\n");
	check_next("intel_iommu=on iommu=pt $GRUB_CMDLINE_LINUX_DEFAULT", 0);

	/*
	 * A BLS entry's options line with no words: nothing, never the line
	 * after it, nor the bytes after the file when it is the last line.
	 */
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s/etc'", top);
		if (system(cmd) != 0)
			abort();
	}
	put("boot/loader/entries/a.conf", "title A\noptions\nlinux /vmlinuz-6.1\noptions root=/dev/sda1\n");
	check_next("root=/dev/sda1", 0);
	put("boot/loader/entries/a.conf", "title A\noptions root=/dev/sda1\noptions");
	check_next("root=/dev/sda1", 0);

	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		if (system(cmd) != 0)
			return 2;
	}
	return unit_summary("nextboot");
}
