// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "sysroot.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int sysroot_open(struct sysroot *root, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	root->fd = fd;
	root->path = strdup(dir);
	if (!root->path) {
		close(fd);
		return -ENOMEM;
	}
	return 0;
}

void sysroot_close(struct sysroot *root)
{
	if (root->fd >= 0)
		close(root->fd);
	root->fd = -1;
	free(root->path);
	root->path = NULL;
}

/* A path relative to the root; an absolute one is taken as rooted there. */
static const char *rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* 1: openat2 works (or is not tried yet), -1: the kernel lacks it. */
static int have_openat2 = 1;

static bool use_openat2(void)
{
	/* Tests force the walk to prove it does what openat2 does. */
	const char *env = getenv("VFIO_CLAIM_NO_OPENAT2");

	if (env && *env && !streq(env, "0"))
		return false;
	return have_openat2 > 0;
}

/* Open the canonical (symlink-free, ".."-free) root-relative path one component at a time, following nothing. */
static int open_canonical(int rootfd, const char *canon, int flags, mode_t mode)
{
	char buf[PATH_MAX];
	char *comp, *save = NULL, *next;
	int dirfd, fd;

	if (strlen(canon) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, canon);
	dirfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (dirfd < 0)
		return -errno;
	comp = strtok_r(buf, "/", &save);
	if (!comp || streq(comp, ".")) {
		/* The root itself. */
		fd = openat(dirfd, ".", flags | O_NOFOLLOW, mode);
		close(dirfd);
		return fd < 0 ? -errno : fd;
	}
	for (;;) {
		next = strtok_r(NULL, "/", &save);
		if (!next)
			break;
		fd = openat(dirfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dirfd);
		if (fd < 0)
			return -errno;
		dirfd = fd;
		comp = next;
	}
	fd = openat(dirfd, comp, flags | O_NOFOLLOW, mode);
	close(dirfd);
	return fd < 0 ? -errno : fd;
}

/*
 * The walk that stands in for openat2(RESOLVE_IN_ROOT): resolve the path
 * with sysroot_resolve (links taken inside the root, ".." clamped at it),
 * then open the result one component at a time with O_NOFOLLOW, so that a
 * link that appears in between fails instead of leading out.
 */
static int walk_open(const struct sysroot *root, const char *path, int flags, mode_t mode)
{
	_cleanup_free_ char *canon = NULL;
	bool follow_last = !(flags & O_NOFOLLOW) && !((flags & O_CREAT) && (flags & O_EXCL));
	const char *last = strrchr(path, '/');
	char parent[PATH_MAX], joined[PATH_MAX];
	int r;

	last = last ? last + 1 : path;
	if (follow_last || !*last || streq(last, ".") || streq(last, "..")) {
		r = sysroot_resolve(root, path, &canon);
		if (r == 0)
			return open_canonical(root->fd, canon, flags & ~O_NOFOLLOW, mode);
		if (r != -ENOENT || !(flags & O_CREAT))
			return r;
		/* Creating: a missing last component is created, never through a link. */
		flags |= O_NOFOLLOW;
	}
	if ((size_t)(last - path) >= sizeof(parent))
		return -ENAMETOOLONG;
	snprintf(parent, sizeof(parent), "%.*s", (int)(last - path), path);
	r = sysroot_resolve(root, parent[0] ? parent : ".", &canon);
	if (r < 0)
		return r;
	if (snprintf(joined, sizeof(joined), "%s/%s", canon, last) >= (int)sizeof(joined))
		return -ENAMETOOLONG;
	return open_canonical(root->fd, streq(canon, ".") ? last : joined, flags, mode);
}

int sysroot_openat(const struct sysroot *root, const char *path, int flags, mode_t mode)
{
	const char *p = rel(path);

	flags |= O_CLOEXEC;
	if (use_openat2()) {
		struct open_how how = {
			.flags = (unsigned long long)flags,
			.mode = (flags & O_CREAT) ? mode : 0,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};

		for (int tries = 0; tries < 16; tries++) {
			long fd = syscall(SYS_openat2, root->fd, p, &how, sizeof(how));

			if (fd >= 0)
				return (int)fd;
			if (errno == EAGAIN || errno == EINTR)
				continue;	/* a rename raced the lookup */
			if (errno != ENOSYS && errno != EPERM)
				return -errno;
			/* No openat2 (before 5.6) or a seccomp filter that refuses it. */
			have_openat2 = -1;
			break;
		}
		if (have_openat2 > 0)
			return -EAGAIN;
	}
	return walk_open(root, p, flags, mode);
}

int sysroot_open_parent(const struct sysroot *root, const char *path, const char **name)
{
	const char *p = rel(path), *last = strrchr(p, '/');
	char parent[PATH_MAX];

	*name = last ? last + 1 : p;
	if (!**name || streq(*name, ".") || streq(*name, ".."))
		return -EINVAL;
	if (!last)
		return sysroot_openat(root, ".", O_PATH | O_DIRECTORY, 0);
	if ((size_t)(last - p) >= sizeof(parent))
		return -ENAMETOOLONG;
	snprintf(parent, sizeof(parent), "%.*s", (int)(last - p), p);
	return sysroot_openat(root, parent, O_PATH | O_DIRECTORY, 0);
}

int sysroot_lstat(const struct sysroot *root, const char *path, struct stat *st)
{
	const char *name;
	_cleanup_close_ int dirfd = sysroot_open_parent(root, path, &name);

	if (dirfd == -EINVAL)
		return fstatat(root->fd, ".", st, 0) < 0 ? -errno : 0;
	if (dirfd < 0)
		return dirfd;
	return fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int sysroot_readlink(const struct sysroot *root, const char *path, char *buf, size_t size)
{
	const char *name;
	_cleanup_close_ int dirfd = sysroot_open_parent(root, path, &name);
	ssize_t n;

	if (dirfd < 0)
		return dirfd;
	n = readlinkat(dirfd, name, buf, size - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n >= size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return (int)n;
}

int sysroot_mkdir(const struct sysroot *root, const char *path, mode_t mode)
{
	const char *name;
	_cleanup_close_ int dirfd = sysroot_open_parent(root, path, &name);

	if (dirfd < 0)
		return dirfd;
	return mkdirat(dirfd, name, mode) < 0 ? -errno : 0;
}

int sysroot_mkdirs(const struct sysroot *root, const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	const char *p = rel(path);

	if (strlen(p) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, p);
	for (char *c = buf;; c++) {
		if (*c == '/' || *c == '\0') {
			char keep = *c;
			int r;

			*c = '\0';
			r = buf[0] && !streq(buf, ".") ? sysroot_mkdir(root, buf, mode) : 0;
			if (r < 0 && r != -EEXIST)
				return r;
			*c = keep;
			if (!keep)
				break;
		}
	}
	/* What is there now must be a directory (inside the root). */
	{
		_cleanup_close_ int fd = sysroot_openat(root, p, O_PATH | O_DIRECTORY, 0);

		return fd < 0 ? fd : 0;
	}
}

int sysroot_unlink(const struct sysroot *root, const char *path)
{
	const char *name;
	_cleanup_close_ int dirfd = sysroot_open_parent(root, path, &name);

	if (dirfd < 0)
		return dirfd;
	return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
}

/* Open a file to read; a FIFO, socket or device is refused without waiting on it. */
static int open_regular(const struct sysroot *root, const char *path, struct stat *st)
{
	int fd = sysroot_openat(root, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);

	if (fd < 0)
		return fd;
	if (fstat(fd, st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return S_ISDIR(st->st_mode) ? -EISDIR : -SYSROOT_ENOTREG;
	}
	return fd;
}

int sysroot_read(const struct sysroot *root, const char *path, char *buf, size_t size)
{
	struct stat st;
	_cleanup_close_ int fd = open_regular(root, path, &st);
	ssize_t n;

	if (fd < 0)
		return fd;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return (int)n;
}

int sysroot_read_all(const struct sysroot *root, const char *path, char **out)
{
	return sysroot_read_capped(root, path, SYSROOT_READ_MAX, out);
}

int sysroot_read_capped(const struct sysroot *root, const char *path, size_t cap_bytes, char **out)
{
	struct stat st;
	_cleanup_close_ int fd = open_regular(root, path, &st);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (fd < 0)
		return fd;
	if (cap_bytes > INT_MAX - 1)
		cap_bytes = INT_MAX - 1;
	/* sysfs and /proc say 4096 or 0 whatever they hold: the read below counts too. */
	if ((unsigned long long)st.st_size > cap_bytes && st.st_size > 4096)
		return -EFBIG;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *p = realloc(buf, cap + 65536);

			if (!p)
				return -ENOMEM;
			buf = p;
			cap += 65536;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > cap_bytes)
			return -EFBIG;
	}
	buf[len] = '\0';
	*out = TAKE_PTR(buf);
	return (int)len;
}

const char *sysroot_strerror(int r)
{
	if (r == -SYSROOT_ENOTREG || r == SYSROOT_ENOTREG)
		return "not a regular file (a FIFO, socket or device node)";
	if (r == -EFBIG || r == EFBIG)
		return "File too large (vfio-claim reads at most " SYSROOT_READ_MAX_TEXT ")";
	return strerror(r < 0 ? -r : r);
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ENOSPC;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int random_suffix(char *buf, size_t size)
{
	unsigned char bytes[8];
	size_t got = 0;

	if (size < 2 * sizeof(bytes) + 1)
		return -ENAMETOOLONG;
	while (got < sizeof(bytes)) {
		ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(buf + 2 * i, 3, "%02x", bytes[i]);
	return 0;
}

int sysroot_read_ulong(const struct sysroot *root, const char *path, unsigned long *value)
{
	char buf[64], *end;
	int r = sysroot_read(root, path, buf, sizeof(buf));

	if (r < 0)
		return r;
	errno = 0;
	*value = strtoul(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

int sysroot_link_name(const struct sysroot *root, const char *path, char *buf, size_t size)
{
	char target[PATH_MAX];
	int n = sysroot_readlink(root, path, target, sizeof(target));
	const char *base;

	if (n < 0)
		return n;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

/* Drop the last component of a root-relative path held in p (len bytes). */
static size_t parent_len(const char *p, size_t len)
{
	while (len > 0 && p[len - 1] != '/')
		len--;
	if (len > 0)
		len--;
	return len;
}

int sysroot_resolve(const struct sysroot *root, const char *path, char **out)
{
	char done[PATH_MAX] = "";	/* resolved so far, root-relative, no leading slash */
	char todo[PATH_MAX];		/* what remains to walk */
	size_t dlen = 0;
	int links = 0;

	if (strlen(path) >= sizeof(todo))
		return -ENAMETOOLONG;
	strcpy(todo, rel(path));
	while (todo[0]) {
		char comp[NAME_MAX + 1], target[PATH_MAX];
		char *slash = strchr(todo, '/');
		size_t clen = slash ? (size_t)(slash - todo) : strlen(todo);
		struct stat st;
		ssize_t n;

		if (clen > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, todo, clen);
		comp[clen] = '\0';
		memmove(todo, todo + clen + (slash ? 1 : 0), strlen(todo + clen + (slash ? 1 : 0)) + 1);
		if (clen == 0 || streq(comp, "."))
			continue;
		if (streq(comp, "..")) {
			dlen = parent_len(done, dlen);	/* ".." stops at the root */
			done[dlen] = '\0';
			continue;
		}
		if (dlen + 1 + clen >= sizeof(done))
			return -ENAMETOOLONG;
		if (dlen)
			done[dlen++] = '/';
		memcpy(done + dlen, comp, clen + 1);
		dlen += clen;
		if (fstatat(root->fd, done, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++links > 40)
			return -ELOOP;
		n = readlinkat(root->fd, done, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (n + 1 + strlen(todo) >= sizeof(target))
			return -ENAMETOOLONG;
		if (todo[0]) {
			target[n] = '/';
			strcpy(target + n + 1, todo);
		}
		strcpy(todo, target);
		if (target[0] == '/')
			dlen = 0;	/* absolute links are taken as rooted at the root */
		else
			dlen = parent_len(done, dlen);
		done[dlen] = '\0';
	}
	*out = strdup(dlen ? done : ".");
	return *out ? 0 : -ENOMEM;
}

bool sysroot_exists(const struct sysroot *root, const char *path)
{
	_cleanup_close_ int fd = sysroot_openat(root, path, O_PATH, 0);

	return fd >= 0;
}

DIR *sysroot_opendir(const struct sysroot *root, const char *path)
{
	int fd = sysroot_openat(root, path, O_RDONLY | O_DIRECTORY, 0);
	DIR *d;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

int sysroot_write(const struct sysroot *root, const char *path, const char *value)
{
	_cleanup_close_ int fd = sysroot_openat(root, path, O_WRONLY | O_NONBLOCK | O_NOCTTY, 0);
	size_t len = strlen(value);
	struct statfs fs;
	struct stat st;
	ssize_t n;

	if (fd == -ENXIO) {
		/* A FIFO nobody reads: say what it is. */
		struct stat st;

		fd = sysroot_openat(root, path, O_PATH, 0);
		if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
			close(fd);
			return -SYSROOT_ENOTREG;
		}
		if (fd >= 0)
			close(fd);
		return -ENXIO;
	}
	if (fd < 0)
		return fd;
	/* Never into a FIFO or a device node a tree planted where an attribute should be. */
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -SYSROOT_ENOTREG;
	/* A fixture's plain file holds only the last value, as an attribute would. */
	if (fstatfs(fd, &fs) == 0 && fs.f_type != SYSFS_MAGIC && ftruncate(fd, 0) < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int path_join(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int sysroot_link_target(const struct sysroot *root, const char *path, char **out)
{
	char target[PATH_MAX], joined[2 * PATH_MAX + 2], *norm, *w;
	const char *p = rel(path);
	int n = sysroot_readlink(root, p, target, sizeof(target));
	size_t dir;

	if (n < 0)
		return n;
	if (target[0] == '/') {
		snprintf(joined, sizeof(joined), "%s", target);
	} else {
		dir = parent_len(p, strlen(p));
		snprintf(joined, sizeof(joined), "%.*s/%s", (int)dir, p, target);
	}
	norm = malloc(strlen(joined) + 2);
	if (!norm)
		return -ENOMEM;
	w = norm;
	for (char *c = joined, *end; *c; c = end) {
		size_t len;

		while (*c == '/')
			c++;
		end = strchrnul(c, '/');
		len = (size_t)(end - c);
		if (!len || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			while (w > norm && *--w != '/')
				;
			continue;
		}
		if (w > norm)
			*w++ = '/';
		memcpy(w, c, len);
		w += len;
	}
	*w = '\0';
	if (!norm[0])
		strcpy(norm, ".");
	*out = norm;
	return 0;
}

int sysroot_host_path(const struct sysroot *root, const char *path, char *out, size_t size)
{
	_cleanup_free_ char *canon = NULL;
	_cleanup_free_ char *real_root = NULL;
	_cleanup_free_ char *real = NULL;
	char host[PATH_MAX];
	int r = sysroot_resolve(root, path, &canon);

	if (r < 0)
		return r;
	real_root = realpath(root->path, NULL);
	if (!real_root)
		return -errno;
	if (streq(canon, "."))
		r = snprintf(host, sizeof(host), "%s", real_root);
	else
		r = snprintf(host, sizeof(host), "%s/%s", streq(real_root, "/") ? "" : real_root, canon);
	if (r < 0 || r >= (int)sizeof(host))
		return -ENAMETOOLONG;
	/* What the host's own lookup of the path as given reaches must be that same file. */
	{
		char given[PATH_MAX];

		r = snprintf(given, sizeof(given), "%s/%s", real_root, rel(path));
		if (r < 0 || r >= (int)sizeof(given))
			return -ENAMETOOLONG;
		real = realpath(given, NULL);
	}
	if (!real)
		return errno == ENOENT ? -EXDEV : -errno;
	if (!streq(real, host))
		return -EXDEV;
	if (strlen(real) >= size)
		return -ENAMETOOLONG;
	strcpy(out, real);
	return 0;
}

int sysroot_check_dir_files(const struct sysroot *root, const char *dir, const char *prefix,
			    char *bad, size_t bad_size)
{
	DIR *d = sysroot_opendir(root, dir);
	struct dirent *ent;
	int r = 0;

	bad[0] = '\0';
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while (r == 0 && (ent = readdir(d))) {
		char path[PATH_MAX], host[PATH_MAX];
		struct stat st;
		int fd;

		if (ent->d_name[0] == '.' || (prefix && strncmp(ent->d_name, prefix, strlen(prefix))))
			continue;
		if (path_join(path, sizeof(path), dir, ent->d_name) < 0) {
			r = -ENAMETOOLONG;
			break;
		}
		snprintf(bad, bad_size, "/%s", path);
		if (sysroot_lstat(root, path, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			/* The library follows it on the host: it must land where the root says. */
			r = sysroot_host_path(root, path, host, sizeof(host));
			if (r == -ENOENT || r == -ELOOP)
				r = -EXDEV;
			if (r < 0)
				break;
		}
		fd = sysroot_openat(root, path, O_PATH, 0);
		if (fd < 0) {
			r = fd;
			break;
		}
		if (fstat(fd, &st) < 0)
			r = -errno;
		else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			r = -SYSROOT_ENOTREG;
		close(fd);
	}
	closedir(d);
	if (r == 0)
		bad[0] = '\0';
	return r;
}
