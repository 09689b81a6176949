// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "sysroot.h"

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

int sysroot_read(const struct sysroot *root, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(root->fd, rel(path), O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return (int)n;
}

int sysroot_read_all(const struct sysroot *root, const char *path, char **out)
{
	_cleanup_close_ int fd = openat(root->fd, rel(path), O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (fd < 0)
		return -errno;
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
	}
	buf[len] = '\0';
	*out = TAKE_PTR(buf);
	return (int)len;
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
	ssize_t n = readlinkat(root->fd, rel(path), target, sizeof(target) - 1);
	const char *base;

	if (n < 0)
		return -errno;
	target[n] = '\0';
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
	return faccessat(root->fd, rel(path), F_OK, 0) == 0;
}

DIR *sysroot_opendir(const struct sysroot *root, const char *path)
{
	int fd = openat(root->fd, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

int sysroot_write(const struct sysroot *root, const char *path, const char *value)
{
	_cleanup_close_ int fd = openat(root->fd, rel(path), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
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
	ssize_t n = readlinkat(root->fd, p, target, sizeof(target) - 1);
	size_t dir;

	if (n < 0)
		return -errno;
	target[n] = '\0';
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
