// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "genfile.h"
#include "macro.h"

int genfile_read(const struct sysroot *root, struct genfile *g)
{
	char *text = NULL;
	int r = sysroot_read_all(root, g->path, &text);

	g->have = NULL;
	g->foreign = false;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	g->have = text;
	g->foreign = strncmp(text, GENFILE_MARKER, strlen(GENFILE_MARKER)) != 0;
	return 0;
}

bool genfile_changed(const struct genfile *g)
{
	if (!g->want || !g->have)
		return g->want != g->have;
	return !streq(g->want, g->have);
}

/* Split text into lines (in place); returns the count. */
static int split_lines(char *text, char ***lines)
{
	int n = 0, cap = 0;

	*lines = NULL;
	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n');

		if (n == cap) {
			char **v = realloc(*lines, sizeof(*v) * (size_t)(cap = cap ? cap * 2 : 16));

			if (!v)
				break;
			*lines = v;
		}
		(*lines)[n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

void genfile_diff(const struct genfile *g, FILE *out)
{
	_cleanup_free_ char *a_text = g->have ? strdup(g->have) : NULL;
	_cleanup_free_ char *b_text = g->want ? strdup(g->want) : NULL;
	_cleanup_free_ char **a = NULL;
	_cleanup_free_ char **b = NULL;
	_cleanup_free_ int *lcs = NULL;
	int na = split_lines(a_text, &a), nb = split_lines(b_text, &b);
	int i = 0, j = 0;

	fprintf(out, "--- /%s%s\n+++ /%s%s\n", g->path, g->have ? "" : " (absent)", g->path,
		g->want ? "" : " (removed)");
	/* Generated files are short: a plain LCS table is enough. */
	lcs = calloc((size_t)(na + 1) * (size_t)(nb + 1), sizeof(*lcs));
	if (!lcs)
		return;
#define L(x, y) lcs[(size_t)(x) * (size_t)(nb + 1) + (size_t)(y)]
	for (int x = na - 1; x >= 0; x--)
		for (int y = nb - 1; y >= 0; y--)
			L(x, y) = streq(a[x], b[y]) ? L(x + 1, y + 1) + 1 :
				  (L(x + 1, y) > L(x, y + 1) ? L(x + 1, y) : L(x, y + 1));
	while (i < na || j < nb) {
		if (i < na && j < nb && streq(a[i], b[j])) {
			fprintf(out, " %s\n", a[i]);
			i++;
			j++;
		} else if (j < nb && (i == na || L(i, j + 1) >= L(i + 1, j))) {
			fprintf(out, "+%s\n", b[j++]);
		} else {
			fprintf(out, "-%s\n", a[i++]);
		}
	}
#undef L
}

static int mkparents(int dirfd, const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = strchr(buf, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdirat(dirfd, buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static int write_temp(int dirfd, const char *path, const char *text, char *tmp, size_t size)
{
	size_t len = strlen(text);
	int fd, r = 0;

	snprintf(tmp, size, "%s.vfio-claim-new", path);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		r = errno ? -errno : -EIO;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		unlinkat(dirfd, tmp, 0);
	return r;
}

int genfile_commit(const struct sysroot *root, struct genfile *files, int n, const char **failed)
{
	char tmp[n > 0 ? n : 1][PATH_MAX];
	int done, r = 0, i;

	*failed = NULL;
	for (i = 0; i < n; i++)
		tmp[i][0] = '\0';
	/* First every new content, beside its file: nothing is replaced yet. */
	for (i = 0; i < n; i++) {
		if (!genfile_changed(&files[i]) || !files[i].want)
			continue;
		r = mkparents(root->fd, files[i].path);
		if (r == 0)
			r = write_temp(root->fd, files[i].path, files[i].want, tmp[i], sizeof(tmp[i]));
		if (r < 0) {
			*failed = files[i].path;
			goto undo_temps;
		}
	}
	/* Then into place. */
	for (done = 0; done < n; done++) {
		struct genfile *g = &files[done];

		if (!genfile_changed(g))
			continue;
		if (g->want)
			r = renameat(root->fd, tmp[done], root->fd, g->path) < 0 ? -errno : 0;
		else
			r = unlinkat(root->fd, g->path, 0) < 0 && errno != ENOENT ? -errno : 0;
		if (r < 0) {
			*failed = g->path;
			break;
		}
		tmp[done][0] = '\0';
	}
	if (r == 0)
		return 0;

	/* Put back what was replaced before the failure. */
	for (i = 0; i < done; i++) {
		struct genfile *g = &files[i];
		char back[PATH_MAX];

		if (!genfile_changed(g))
			continue;
		if (g->have && write_temp(root->fd, g->path, g->have, back, sizeof(back)) == 0)
			renameat(root->fd, back, root->fd, g->path);
		else if (!g->have)
			unlinkat(root->fd, g->path, 0);
	}
undo_temps:
	for (i = 0; i < n; i++)
		if (tmp[i][0])
			unlinkat(root->fd, tmp[i], 0);
	return r;
}

void genfile_free(struct genfile *g)
{
	free(g->want);
	free(g->have);
	g->want = g->have = NULL;
}

int genfile_write_atomic(const struct sysroot *root, const char *path, const char *text)
{
	char tmp[PATH_MAX];
	int r = mkparents(root->fd, path);

	if (r == 0)
		r = write_temp(root->fd, path, text, tmp, sizeof(tmp));
	if (r == 0 && renameat(root->fd, tmp, root->fd, path) < 0) {
		r = -errno;
		unlinkat(root->fd, tmp, 0);
	}
	return r;
}
