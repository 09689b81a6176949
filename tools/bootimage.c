// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "bootimage.h"
#include "initramfs.h"
#include "macro.h"

static bool exists_file(const struct sysroot *root, const char *rel)
{
	return sysroot_exists(root, rel);
}

/* Strip blanks at both ends, in place. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Whether a path names kver as a whole ("vmlinuz-6.1.0-5" does not name "6.1.0-57-amd64"). */
static bool names_kver(const char *path, const char *kver)
{
	size_t len = strlen(kver);

	for (const char *p = strstr(path, kver); p; p = strstr(p + 1, kver)) {
		char before = p == path ? '/' : p[-1], after = p[len];

		if ((before == '/' || before == '-') && (!after || after == '/' || after == '.'))
			return true;
	}
	return false;
}

/* "base/path" without a doubled slash, root-relative. */
static void join_rel(char *out, size_t size, const char *base, const char *path)
{
	while (*path == '/')
		path++;
	snprintf(out, size, "%s%s%s", base, *base ? "/" : "", path);
}

/*
 * A Boot Loader Specification entry in dir (root-relative, "boot/loader/entries")
 * for kver: its "version" is kver, or its "linux" path names kver. Paths in
 * it are relative to the partition the entries live on (base).
 */
static bool bls_entry(const struct sysroot *root, const char *dir, const char *base,
		      const char *kver, struct bootimage *bi)
{
	DIR *d = sysroot_opendir(root, dir);
	struct dirent *ent;
	char chosen[256] = "";

	/* Of several entries for the kernel, the last by name (as sd-boot sorts them). */
	while (d && (ent = readdir(d))) {
		char rel[512];
		_cleanup_free_ char *text = NULL;
		struct bootimage b = { .kind = BOOTIMAGE_INITRAMFS };
		bool ours = false;
		char *line, *save = NULL;
		size_t len = strlen(ent->d_name);

		if (ent->d_name[0] == '.' || len < 6 || !streq(ent->d_name + len - 5, ".conf"))
			continue;
		if (chosen[0] && strcmp(ent->d_name, chosen) < 0)
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", dir, ent->d_name);
		if (sysroot_read_all(root, rel, &text) < 0)
			continue;
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *key = trim(line), *val = key + strcspn(key, " \t");

			if (*val)
				*val++ = '\0';
			val = trim(val);
			if (streq(key, "version") && streq(val, kver))
				ours = true;
			else if (streq(key, "linux") && names_kver(val, kver))
				ours = true;
			else if (streq(key, "uki") || streq(key, "efi")) {
				b.kind = BOOTIMAGE_UKI;
				b.n = 0;
				join_rel(b.image[b.n++], sizeof(b.image[0]), base, val);
				if (names_kver(val, kver))
					ours = true;
			} else if (streq(key, "initrd") && b.kind == BOOTIMAGE_INITRAMFS && b.n < BOOTIMAGE_MAX)
				join_rel(b.image[b.n++], sizeof(b.image[0]), base, val);
		}
		if (!ours || !b.n)
			continue;
		*bi = b;
		snprintf(chosen, sizeof(chosen), "%s", ent->d_name);
		snprintf(bi->why, sizeof(bi->why), "the boot entry /%.200s names %s", rel,
			 b.kind == BOOTIMAGE_INITRAMFS && b.n > 1 ? "them" : "it");
	}
	if (d)
		closedir(d);
	return chosen[0] != '\0';
}

/* A unified kernel image for kver in an EFI/Linux directory. */
static bool uki_file(const struct sysroot *root, const char *dir, const char *kver, struct bootimage *bi)
{
	DIR *d = sysroot_opendir(root, dir);
	struct dirent *ent;
	bool found = false;

	while (d && (ent = readdir(d))) {
		size_t len = strlen(ent->d_name);

		if (len < 5 || !streq(ent->d_name + len - 4, ".efi") || !strstr(ent->d_name, kver))
			continue;
		if (found && strcmp(ent->d_name, strrchr(bi->image[0], '/') + 1) < 0)
			continue;
		bi->kind = BOOTIMAGE_UKI;
		bi->n = 1;
		snprintf(bi->image[0], sizeof(bi->image[0]), "%s/%.200s", dir, ent->d_name);
		snprintf(bi->why, sizeof(bi->why), "a unified kernel image for %s in /%s", kver, dir);
		found = true;
	}
	if (d)
		closedir(d);
	return found;
}

int bootimage_find(const struct sysroot *root, const char *kver, struct bootimage *bi)
{
	static const struct {
		const char *dir, *base;
	} entries[] = {
		{ "boot/loader/entries", "boot" },
		{ "boot/efi/loader/entries", "boot/efi" },
		{ "efi/loader/entries", "efi" },
	};
	static const char *const ukis[] = { "boot/EFI/Linux", "boot/efi/EFI/Linux", "efi/EFI/Linux" };
	static const struct {
		const char *pattern, *why;
	} names[] = {
		{ "boot/initrd.img-%s", "the name initramfs-tools (and Debian's dracut) give the image of %s" },
		{ "boot/initramfs-%s.img", "the name dracut gives the image of %s" },
	};
	char rel[512], buf[128];

	memset(bi, 0, sizeof(*bi));
	for (size_t i = 0; i < ARRAY_SIZE(entries); i++)
		if (bls_entry(root, entries[i].dir, entries[i].base, kver, bi))
			return 0;
	for (size_t i = 0; i < ARRAY_SIZE(ukis); i++)
		if (uki_file(root, ukis[i], kver, bi))
			return 0;
	/* kernel-install's layout: /boot/MACHINE-ID/KVER/initrd. */
	if (sysroot_read(root, "etc/machine-id", buf, sizeof(buf)) > 0) {
		snprintf(rel, sizeof(rel), "boot/%s/%s/initrd", buf, kver);
		if (exists_file(root, rel)) {
			bi->kind = BOOTIMAGE_INITRAMFS;
			bi->n = 1;
			snprintf(bi->image[0], sizeof(bi->image[0]), "%.250s", rel);
			snprintf(bi->why, sizeof(bi->why),
				 "kernel-install's layout for %s (/etc/machine-id is %s)", kver, buf);
			return 0;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(rel, sizeof(rel), names[i].pattern, kver);
		if (exists_file(root, rel)) {
			bi->kind = BOOTIMAGE_INITRAMFS;
			bi->n = 1;
			snprintf(bi->image[0], sizeof(bi->image[0]), "%.250s", rel);
			snprintf(bi->why, sizeof(bi->why), names[i].why, kver);
			return 0;
		}
	}
	/* mkinitcpio names images after the kernel package (pkgbase), not the version. */
	snprintf(rel, sizeof(rel), "usr/lib/modules/%s/pkgbase", kver);
	if (sysroot_read(root, rel, buf, sizeof(buf)) > 0 && !strchr(buf, '/')) {
		snprintf(rel, sizeof(rel), "boot/initramfs-%s.img", buf);
		if (exists_file(root, rel)) {
			bi->kind = BOOTIMAGE_INITRAMFS;
			bi->n = 1;
			snprintf(bi->image[0], sizeof(bi->image[0]), "%.250s", rel);
			snprintf(bi->why, sizeof(bi->why),
				 "mkinitcpio's image for the kernel package '%s' (/usr/lib/modules/%s/pkgbase)", buf, kver);
			return 0;
		}
	}
	snprintf(bi->image[0], sizeof(bi->image[0]), names[0].pattern, kver);
	return -ENOENT;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int bootimage_uki_initrd(const void *buf, size_t len, size_t *off, size_t *size)
{
	const unsigned char *p = buf;
	size_t pe, sections;
	unsigned int count;
	bool has_linux = false, has_initrd = false;

	if (len < 0x40 || p[0] != 'M' || p[1] != 'Z')
		return -ENOEXEC;
	pe = le32(p + 0x3c);
	if (pe > len || len - pe < 24 || memcmp(p + pe, "PE\0\0", 4) != 0)
		return -ENOEXEC;
	count = le16(p + pe + 6);
	sections = pe + 24 + le16(p + pe + 20);
	for (unsigned int i = 0; i < count; i++) {
		const unsigned char *s = p + sections + 40 * (size_t)i;

		if (sections + 40 * ((size_t)i + 1) > len)
			return -ENOEXEC;
		if (memcmp(s, ".linux\0", 7) == 0)
			has_linux = true;
		if (memcmp(s, ".initrd\0", 8) == 0) {
			has_initrd = true;
			*size = le32(s + 16);	/* SizeOfRawData */
			*off = le32(s + 20);	/* PointerToRawData */
		}
	}
	if (!has_linux || !has_initrd)
		return -ENOEXEC;
	if (*off > len || *size > len - *off)
		return -EBADMSG;
	return 0;
}

static bool any(const struct sysroot *root, const char *const *paths)
{
	for (; *paths; paths++)
		if (exists_file(root, *paths))
			return true;
	return false;
}

int bootimage_tool(const struct sysroot *root, const char *kver, struct initramfs_tool *t)
{
	static const char *const mkinitcpio[] = { "usr/bin/mkinitcpio", "bin/mkinitcpio", NULL };
	static const char *const hook[] = { "etc/kernel/postinst.d/initramfs-tools", NULL };
	static const char *const update[] = { "usr/sbin/update-initramfs", "sbin/update-initramfs", NULL };
	static const char *const dracut[] = { "usr/bin/dracut", "usr/sbin/dracut", "sbin/dracut", NULL };

	memset(t, 0, sizeof(*t));
	snprintf(t->kver, sizeof(t->kver), "%s", kver);
	if (any(root, mkinitcpio)) {
		t->kind = TOOL_MKINITCPIO;
		t->argv[0] = "mkinitcpio";
		t->argv[1] = "-P";
		snprintf(t->why, sizeof(t->why), "mkinitcpio is installed");
	} else if (any(root, update) && any(root, hook)) {
		t->kind = TOOL_INITRAMFS_TOOLS;
		snprintf(t->why, sizeof(t->why), "initramfs-tools builds the images (/etc/kernel/postinst.d/initramfs-tools)");
	} else if (any(root, dracut)) {
		t->kind = TOOL_DRACUT;
		t->argv[0] = "dracut";
		t->argv[1] = "-f";
		t->argv[2] = "--kver";
		t->argv[3] = t->kver;
		snprintf(t->why, sizeof(t->why), "dracut is installed and initramfs-tools' kernel hook is not");
	} else if (any(root, update)) {
		t->kind = TOOL_INITRAMFS_TOOLS;
		snprintf(t->why, sizeof(t->why), "update-initramfs is installed");
	} else {
		snprintf(t->command, sizeof(t->command),
			 "rebuild the initramfs of %s with the distribution's tool (the root has no update-initramfs, dracut or mkinitcpio)",
			 kver);
		return -ENOENT;
	}
	if (t->kind == TOOL_INITRAMFS_TOOLS) {
		t->argv[0] = "update-initramfs";
		t->argv[1] = "-u";
		t->argv[2] = "-k";
		t->argv[3] = t->kver;
	}
	for (int i = 0; t->argv[i]; i++)
		snprintf(t->command + strlen(t->command), sizeof(t->command) - strlen(t->command), "%s%s",
			 i ? " " : "", t->argv[i]);
	return 0;
}

/* Open a regular file under the root for reading, never blocking on a FIFO. */
static int open_in_root(const struct sysroot *root, const char *rel)
{
	_cleanup_free_ char *real = NULL;
	int r = sysroot_resolve(root, rel, &real);

	if (r < 0)
		return r;
	r = openat(root->fd, real[0] ? real : ".", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	return r < 0 ? -errno : r;
}

int bootimage_read(const struct sysroot *root, const struct bootimage *bi, struct initramfs *ir,
		   const char **which)
{
	int r = 0;

	for (int i = 0; i < bi->n && r >= 0; i++) {
		_cleanup_close_ int fd = open_in_root(root, bi->image[i]);
		struct stat st;
		void *map;
		size_t off = 0, size;

		*which = bi->image[i];
		if (fd < 0) {
			snprintf(ir->error, sizeof(ir->error), "%s", strerror(-fd));
			return fd;
		}
		if (bi->kind == BOOTIMAGE_INITRAMFS) {
			r = initramfs_read_fd(ir, fd);
			continue;
		}
		/* A unified kernel image: its .initrd section is the initramfs. */
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !st.st_size) {
			snprintf(ir->error, sizeof(ir->error), "it is not a regular file");
			return -EINVAL;
		}
		size = (size_t)st.st_size;
		map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			r = -errno;
			snprintf(ir->error, sizeof(ir->error), "%s", strerror(-r));
			return r;
		}
		r = bootimage_uki_initrd(map, size, &off, &size);
		if (r < 0)
			snprintf(ir->error, sizeof(ir->error), "%s",
				 r == -ENOEXEC ? "it is not a unified kernel image (no .linux and .initrd sections)"
					       : "its .initrd section lies outside the file");
		else
			r = initramfs_read_mem(ir, (const char *)map + off, size);
		munmap(map, (size_t)st.st_size);
	}
	if (r >= 0)
		initramfs_finish(ir);
	return r;
}
