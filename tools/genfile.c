// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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

/* The directory that holds path, created if missing, as an O_PATH fd resolved inside the root. */
static int open_dir_of(const struct sysroot *root, const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	char parent[PATH_MAX];
	int r;

	if (slash) {
		if ((size_t)(slash - path) >= sizeof(parent))
			return -ENAMETOOLONG;
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
		r = sysroot_mkdirs(root, parent, 0755);
		if (r < 0)
			return r;
	}
	return sysroot_open_parent(root, path, name);
}

/*
 * Write text to a new temporary beside name in dirfd: a dot name with a
 * random part, created O_EXCL|O_NOFOLLOW so that nothing planted there is
 * followed or reused. like (may be NULL) gives the mode and owner to keep.
 */
static int write_temp(int dirfd, const char *name, const char *text, const struct stat *like,
		      char *tmp, size_t size)
{
	mode_t mode = like ? like->st_mode & 07777 : 0644;
	char suffix[17];
	int fd, r;

	r = random_suffix(suffix, sizeof(suffix));
	if (r < 0)
		return r;
	if (snprintf(tmp, size, ".%s.vfio-claim-%s", name, suffix) >= (int)size)
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		tmp[0] = '\0';
		return -errno;
	}
	/* The owner first (it clears set-id bits), then the mode, whatever the umask. */
	if (like && fchown(fd, like->st_uid, like->st_gid) < 0 && errno != EPERM)
		r = -errno;
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0)
		r = write_all(fd, text, strlen(text));
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		tmp[0] = '\0';
	}
	return r;
}

/* Make a directory's entries durable; best effort, as rename(2) itself already happened. */
static void sync_dir(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * Test hooks: VFIO_CLAIM_TEST_KILL_AFTER_RENAMES=N kills the process after
 * its Nth rename, to prove a half-applied set is found and repaired;
 * VFIO_CLAIM_TEST_FAIL_RENAME=N makes the Nth rename fail (EIO), to prove
 * the files already replaced are put back.
 */
static void test_kill_point(int renamed)
{
	const char *env = getenv("VFIO_CLAIM_TEST_KILL_AFTER_RENAMES");

	if (env && *env && atoi(env) == renamed)
		raise(SIGKILL);
}

static bool test_fail_point(int renaming)
{
	const char *env = getenv("VFIO_CLAIM_TEST_FAIL_RENAME");

	return env && *env && atoi(env) == renaming;
}

int genfile_pending(const struct sysroot *root, char **files)
{
	char *text = NULL;
	int r = sysroot_read_capped(root, GENFILE_PENDING, 65536, &text);

	if (files)
		*files = NULL;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (files) {
		/* One path a line: make it one line for messages. */
		for (char *p = text; *p; p++)
			if (*p == '\n')
				*p = p[1] ? ' ' : '\0';
		*files = text;
	} else {
		free(text);
	}
	return 1;
}

static int clear_pending(const struct sysroot *root)
{
	int r = sysroot_unlink(root, GENFILE_PENDING);

	return r == -ENOENT ? 0 : r;
}

int genfile_commit(const struct sysroot *root, struct genfile *files, int n, const char **failed)
{
	char tmp[n > 0 ? n : 1][NAME_MAX + 1];
	int dirfd[n > 0 ? n : 1];
	const char *name[n > 0 ? n : 1];
	char list[n > 0 ? n * (PATH_MAX + 1) : 1];
	size_t len = 0;
	int done = 0, renamed = 0, r = 0, i;

	*failed = NULL;
	list[0] = '\0';
	for (i = 0; i < n; i++) {
		tmp[i][0] = '\0';
		dirfd[i] = -1;
	}
	/* First every new content, beside its file: nothing is replaced yet. */
	for (i = 0; i < n; i++) {
		struct genfile *g = &files[i];

		if (!genfile_changed(g))
			continue;
		len += (size_t)snprintf(list + len, sizeof(list) - len, "/%s\n", g->path);
		r = g->want ? open_dir_of(root, g->path, &name[i]) : sysroot_open_parent(root, g->path, &name[i]);
		if (r >= 0) {
			dirfd[i] = r;
			r = g->want ? write_temp(dirfd[i], name[i], g->want, NULL, tmp[i], sizeof(tmp[i])) : 0;
		}
		if (r < 0) {
			*failed = g->path;
			goto undo_temps;
		}
	}
	/*
	 * Then into place. rename(2) replaces one file at a time: a marker names
	 * the set while it is half done, for verify to report and the next apply
	 * to finish, should this process die in between.
	 */
	if (len) {
		r = genfile_write_atomic(root, GENFILE_PENDING, list, 0);
		if (r < 0) {
			*failed = GENFILE_PENDING;
			goto undo_temps;
		}
	}
	for (done = 0; done < n; done++) {
		struct genfile *g = &files[done];

		if (!genfile_changed(g))
			continue;
		if (test_fail_point(++renamed))
			r = -EIO;
		else if (g->want)
			r = renameat(dirfd[done], tmp[done], dirfd[done], name[done]) < 0 ? -errno : 0;
		else
			r = unlinkat(dirfd[done], name[done], 0) < 0 && errno != ENOENT ? -errno : 0;
		if (r < 0) {
			*failed = g->path;
			break;
		}
		tmp[done][0] = '\0';
		sync_dir(dirfd[done]);
		test_kill_point(renamed);
	}
	if (r == 0) {
		r = clear_pending(root);
		if (r < 0)
			*failed = GENFILE_PENDING;
		goto close_dirs;
	}

	/* Put back what was replaced before the failure. */
	for (i = 0; i < done; i++) {
		struct genfile *g = &files[i];
		char back[NAME_MAX + 1];

		if (!genfile_changed(g))
			continue;
		if (g->have && write_temp(dirfd[i], name[i], g->have, NULL, back, sizeof(back)) == 0)
			renameat(dirfd[i], back, dirfd[i], name[i]);
		else if (!g->have)
			unlinkat(dirfd[i], name[i], 0);
	}
	clear_pending(root);
undo_temps:
	for (i = 0; i < n; i++)
		if (tmp[i][0])
			unlinkat(dirfd[i], tmp[i], 0);
close_dirs:
	for (i = 0; i < n; i++)
		if (dirfd[i] >= 0)
			close(dirfd[i]);
	return r;
}

int genfile_finish_pending(const struct sysroot *root)
{
	return clear_pending(root);
}

void genfile_free(struct genfile *g)
{
	free(g->want);
	free(g->have);
	g->want = g->have = NULL;
}

int genfile_write_atomic(const struct sysroot *root, const char *path, const char *text,
			 unsigned int flags)
{
	_cleanup_free_ char *target = NULL;
	char tmp[NAME_MAX + 1];
	const char *name;
	struct stat st;
	bool exists;
	int dirfd, r;

	if (flags & GENFILE_FOLLOW) {
		/* Write where a link points (inside the root), never over the link itself. */
		r = sysroot_resolve(root, path, &target);
		if (r == 0)
			path = target;
		else if (r != -ENOENT)
			return r;
		else if (sysroot_lstat(root, path, &st) == 0 && S_ISLNK(st.st_mode))
			return -ENOENT;	/* a link to nothing: refuse rather than guess */
	}
	dirfd = open_dir_of(root, path, &name);
	if (dirfd < 0)
		return dirfd;
	exists = fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
		close(dirfd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -SYSROOT_ENOTREG;
	}
	r = write_temp(dirfd, name, text, exists && S_ISREG(st.st_mode) ? &st : NULL, tmp, sizeof(tmp));
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0) {
		r = -errno;
		unlinkat(dirfd, tmp, 0);
	}
	if (r == 0)
		sync_dir(dirfd);
	close(dirfd);
	return r;
}
