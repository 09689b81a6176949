// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initramfs.h"
#include "macro.h"

int initramfs_open(const struct sysroot *root, const char *kver, struct initramfs *ir)
{
	const char *patterns[] = { "boot/initrd.img-%s", "boot/initramfs-%s.img" };
	const char *base = streq(root->path, "/") ? "" : root->path;
	char image[PATH_MAX];
	int status;
	pid_t pid;

	ir->image[0] = ir->dir[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(patterns) && !ir->image[0]; i++) {
		char rel[256];

		snprintf(rel, sizeof(rel), patterns[i], kver);
		if (sysroot_exists(root, rel))
			snprintf(ir->image, sizeof(ir->image), "%s", rel);
	}
	if (!ir->image[0]) {
		snprintf(ir->image, sizeof(ir->image), patterns[0], kver);
		return -ENOENT;
	}
	if (system("command -v unmkinitramfs >/dev/null 2>&1") != 0)
		return -ENOEXEC;
	snprintf(ir->dir, sizeof(ir->dir), "/tmp/vfio-claim-initramfs.XXXXXX");
	if (!mkdtemp(ir->dir)) {
		ir->dir[0] = '\0';
		return -errno;
	}
	snprintf(image, sizeof(image), "%s/%s", base, ir->image);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/*
		 * Quiet: verify reports what matters itself. The results are
		 * checked because glibc's _FORTIFY_SOURCE (the Debian build's
		 * flags) marks freopen warn_unused_result.
		 */
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(127);
		execlp("unmkinitramfs", "unmkinitramfs", image, ir->dir, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void initramfs_close(struct initramfs *ir)
{
	if (ir->dir[0])
		nftw(ir->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	ir->dir[0] = '\0';
}

char *initramfs_path(const struct initramfs *ir, const char *rel)
{
	/* With early microcode, unmkinitramfs puts the main archive under main/. */
	const char *subdirs[] = { "", "/main" };

	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		char path[PATH_MAX];
		struct stat st;

		snprintf(path, sizeof(path), "%s%s/%s", ir->dir, subdirs[i], rel);
		if (stat(path, &st) == 0)
			return strdup(path);
	}
	return NULL;
}

static const char *wanted_module;
static bool module_found;

static int find_module(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	size_t len = strlen(wanted_module);

	(void)st;
	if (flag != FTW_F)
		return 0;
	/* NAME.ko, NAME.ko.xz, NAME.ko.zst...; module file names may use - or _ */
	for (size_t i = 0; i < len; i++) {
		char a = base[i] == '-' ? '_' : base[i], b = wanted_module[i] == '-' ? '_' : wanted_module[i];

		if (a != b)
			return 0;
	}
	if (strncmp(base + len, ".ko", 3) == 0) {
		module_found = true;
		return 1;
	}
	return 0;
}

bool initramfs_has_module(const struct initramfs *ir, const char *name)
{
	wanted_module = name;
	module_found = false;
	nftw(ir->dir, find_module, 16, FTW_PHYS);
	return module_found;
}
