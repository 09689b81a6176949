/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files vfio-claim generates under the root (modprobe.d, udev rules): what
 * they hold now and should hold, the diff between the two, and an atomic
 * commit: every new file is written to a temporary beside it first, then all
 * are renamed into place; if one step fails, the files already replaced get
 * their previous content back; if the process dies between the renames, the
 * GENFILE_PENDING marker says so until the next commit. Every path is
 * resolved inside the root (sysroot), temporaries are created exclusively
 * and never through a link. A file that exists without the marker line
 * was not written by vfio-claim and is never overwritten or removed.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "sysroot.h"

#define GENFILE_MARKER "# Written by vfio-claim"

struct genfile {
	const char *path;	/* root-relative */
	char *want;		/* NULL: the file should not exist */
	char *have;		/* NULL: it does not exist */
	bool foreign;		/* it exists and vfio-claim did not write it */
};

/* Read what is there now. -errno for a file that exists but cannot be read. */
int genfile_read(const struct sysroot *root, struct genfile *g);
bool genfile_changed(const struct genfile *g);
/* A unified-style line diff of have -> want. */
void genfile_diff(const struct genfile *g, FILE *out);
/*
 * Make every changed file hold want (or remove it). Returns 0 or -errno with
 * *failed set to the path that failed; on failure nothing has changed.
 */
int genfile_commit(const struct sysroot *root, struct genfile *files, int n, const char **failed);
void genfile_free(struct genfile *g);

/* genfile_write_atomic: a symlink at path is followed (inside the root) and its target replaced. */
#define GENFILE_FOLLOW 1u

/*
 * Replace one file's content atomically: a new temporary beside it (a dot
 * name with a random part, O_EXCL|O_NOFOLLOW), fsync, rename. An existing
 * file's mode and owner are kept. Without GENFILE_FOLLOW a link at path is
 * replaced, never followed; with it, the link's target is written, and a
 * link to nothing is -ENOENT. -EISDIR/-SYSROOT_ENOTREG for a directory,
 * FIFO or device at path.
 */
int genfile_write_atomic(const struct sysroot *root, const char *path, const char *text,
			 unsigned int flags);

/*
 * The marker genfile_commit keeps while it replaces a set of files one by
 * one: present only if a commit died half way. Under /var/lib (not /run) so
 * that a reboot does not hide a half-applied set.
 */
#define GENFILE_PENDING "var/lib/vfio-claim/apply-pending"
/* 1 (with *files, malloc'd, naming the set on one line, if files is not NULL) when a commit was interrupted, 0 when not, -errno. */
int genfile_pending(const struct sysroot *root, char **files);
/* Drop the marker once the files are known to match (an apply that found nothing left to change). */
int genfile_finish_pending(const struct sysroot *root);
