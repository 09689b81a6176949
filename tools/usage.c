// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "usage.h"

static int add_use(struct pci_dev *d, int kind, const char *what, const char *via, bool active)
{
	struct pci_use *u;

	/* One mount point per device and block device is enough to say why. */
	for (int i = 0; i < d->n_uses; i++)
		if ((int)d->uses[i].kind == kind && streq(d->uses[i].what, what))
			return 0;
	u = realloc(d->uses, sizeof(*u) * (size_t)(d->n_uses + 1));
	if (!u)
		return -ENOMEM;
	d->uses = u;
	u = &d->uses[d->n_uses];
	u->kind = kind;
	u->what = strdup(what);
	u->via = via ? strdup(via) : NULL;
	u->active = active;
	if (!u->what || (via && !u->via))
		return -ENOMEM;
	d->n_uses++;
	return 0;
}

/*
 * The safe assumption when a list of uses cannot be read: every device of
 * base class `base` (0x01 storage, 0x02 network) is in use by the host, with
 * `what` saying which file was unreadable. Never "nothing is mounted".
 */
static int assume_all_used(struct pci_set *set, unsigned int base, int kind, const char *use,
			   const char *file, int err)
{
	char what[PATH_MAX + 128];
	int r;

	if (use)	/* a mount or swap known by name, on a device that is not */
		snprintf(what, sizeof(what), "%s (on an unknown device: /%s cannot be read: %s)", use,
			 file, strerror(-err));
	else
		snprintf(what, sizeof(what), "(unknown: /%s cannot be read: %s)", file, strerror(-err));
	for (int i = 0; i < set->n; i++) {
		if (pci_base_class(&set->devs[i]) != base)
			continue;
		r = add_use(&set->devs[i], kind, what, NULL, true);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The deepest PCI device named by a component of a root-relative path. */
static struct pci_dev *controller_of(const struct pci_set *set, const char *path)
{
	struct pci_dev *found = NULL;
	const char *p = path;

	while (*p) {
		const char *end = strchrnul(p, '/');
		struct vc_pci_addr a;
		struct pci_dev *d;

		if (!vc_parse_addr(p, (size_t)(end - p), &a) && (d = pci_find(set, &a)))
			found = d;
		p = *end ? end + 1 : end;
	}
	return found;
}

/*
 * Attach a use to the controllers behind a block device directory: the PCI
 * device on its path, or, for device-mapper, md and the like, the
 * controllers of its slaves (a partition's slaves are its disk's).
 */
static int attach_block(const struct sysroot *root, struct pci_set *set, const char *blockdir,
			int kind, const char *what, const char *via, int depth)
{
	struct pci_dev *d = controller_of(set, blockdir);
	const char *slave_dirs[2] = { "slaves", "../slaves" };
	int r;

	if (d)
		return add_use(d, kind, what, via, true);
	if (depth > 8)
		return 0;
	for (size_t s = 0; s < ARRAY_SIZE(slave_dirs); s++) {
		char path[PATH_MAX];
		struct dirent *ent;
		DIR *dir;

		if (path_join(path, sizeof(path), blockdir, slave_dirs[s]) < 0)
			continue;
		dir = sysroot_opendir(root, path);
		if (!dir) {
			/* No slaves is a disk of its own; slaves that cannot be read are unknown. */
			if (errno != ENOENT && errno != ENOTDIR)
				return assume_all_used(set, 0x01, kind, what, path, -errno);
			continue;
		}
		while ((ent = readdir(dir))) {
			_cleanup_free_ char *slave = NULL;
			char link[PATH_MAX];

			if (ent->d_name[0] == '.')
				continue;
			if (path_join(link, sizeof(link), path, ent->d_name) < 0 ||
			    sysroot_resolve(root, link, &slave) < 0)
				continue;
			r = attach_block(root, set, slave, kind, what, via, depth + 1);
			if (r < 0) {
				closedir(dir);
				return r;
			}
		}
		closedir(dir);
		return 0;
	}
	return 0;
}

/* Resolve a block device by "MAJ:MIN" or, failing that, by its /dev name. */
static int attach_blockdev(const struct sysroot *root, struct pci_set *set, const char *devnum,
			   const char *source, int kind, const char *what)
{
	_cleanup_free_ char *dir = NULL;
	char path[PATH_MAX];
	const char *via;

	int r = 0;

	if (devnum && strncmp(devnum, "0:", 2) != 0) {
		snprintf(path, sizeof(path), "sys/dev/block/%s", devnum);
		r = sysroot_resolve(root, path, &dir);
		if (r < 0)
			dir = NULL;
	}
	/* btrfs and others show an anonymous 0:N; the source names the disk. */
	if (!dir && source && strncmp(source, "/dev/", 5) == 0 && !strchr(source + 5, '/')) {
		snprintf(path, sizeof(path), "sys/class/block/%s", source + 5);
		r = sysroot_resolve(root, path, &dir);
		if (r < 0)
			dir = NULL;
	}
	/*
	 * A block device the tree has no sysfs entry for is a mount or swap on
	 * something unknown: every storage controller may hold it.
	 */
	if (!dir && ((devnum && strncmp(devnum, "0:", 2) != 0) ||
		     (source && strncmp(source, "/dev/", 5) == 0)))
		return assume_all_used(set, 0x01, kind, what, path, r < 0 ? r : -ENOENT);
	if (!dir)
		return 0;
	via = strrchr(dir, '/');
	via = via ? via + 1 : dir;
	return attach_block(root, set, dir, kind, what, via, 0);
}

/* Undo the octal escapes of mountinfo fields ("\040" for a space). */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static int scan_mounts(const struct sysroot *root, struct pci_set *set)
{
	static const char file[] = "proc/self/mountinfo";
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	int r;

	r = sysroot_read_all(root, file, &text);
	if (r < 0)
		return assume_all_used(set, 0x01, USE_MOUNT, NULL, file, r);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER */
		char *f[6], *sep, *source, *save2 = NULL;
		int n = 0;

		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		for (char *t = strtok_r(line, " ", &save2); t && n < 6; t = strtok_r(NULL, " ", &save2))
			f[n++] = t;
		if (n < 5)
			continue;
		source = strtok_r(sep + 3, " ", &save2);	/* fstype */
		source = source ? strtok_r(NULL, " ", &save2) : NULL;
		unescape(f[4]);
		r = attach_blockdev(root, set, f[2], source, USE_MOUNT, f[4]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int scan_swaps(const struct sysroot *root, struct pci_set *set)
{
	static const char file[] = "proc/swaps";
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	int r;

	r = sysroot_read_all(root, file, &text);
	if (r < 0)
		return assume_all_used(set, 0x01, USE_SWAP, NULL, file, r);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strpbrk(line, " \t");

		if (strncmp(line, "/dev/", 5) != 0 || !sp)
			continue;	/* the header, or a swap file (its filesystem is a mount) */
		*sp = '\0';
		r = attach_blockdev(root, set, NULL, line, USE_SWAP, line);
		if (r < 0)
			return r;
	}
	return 0;
}

static int scan_net(const struct sysroot *root, struct pci_set *set)
{
	DIR *dir = sysroot_opendir(root, "sys/class/net");
	struct dirent *ent;
	int r = 0;

	/* No sys/class/net at all is a tree without networking; anything else is unknown. */
	if (!dir)
		return errno == ENOENT ? 0 : assume_all_used(set, 0x02, USE_NET, NULL, "sys/class/net", -errno);
	while ((ent = readdir(dir))) {
		_cleanup_free_ char *path = NULL;
		char attr[PATH_MAX];
		unsigned long flags = 0;
		struct pci_dev *d;

		if (ent->d_name[0] == '.')
			continue;
		snprintf(attr, sizeof(attr), "sys/class/net/%s", ent->d_name);
		if (sysroot_link_target(root, attr, &path) < 0)
			continue;
		d = controller_of(set, path);
		if (!d)
			continue;
		snprintf(attr, sizeof(attr), "%s/flags", path);
		/* IFF_UP: administratively up, whatever the link state; unreadable flags count as up. */
		if (sysroot_read_ulong(root, attr, &flags) < 0)
			flags = 0x1;
		r = add_use(d, USE_NET, ent->d_name, NULL, flags & 0x1);
		if (r < 0)
			break;
	}
	closedir(dir);
	return r;
}

int usage_fill(const struct sysroot *root, struct pci_set *set)
{
	int r;

	if ((r = scan_mounts(root, set)) < 0 || (r = scan_swaps(root, set)) < 0)
		return r;
	return scan_net(root, set);
}
