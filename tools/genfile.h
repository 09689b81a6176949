/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files vfio-claim generates under the root (modprobe.d, udev rules): what
 * they hold now and should hold, the diff between the two, and an atomic
 * commit: every new file is written to a temporary beside it first, then all
 * are renamed into place; if one step fails, the files already replaced get
 * their previous content back. A file that exists without the marker line
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

/* Replace one file's content atomically (temporary beside it, fsync, rename). */
int genfile_write_atomic(const struct sysroot *root, const char *path, const char *text);
