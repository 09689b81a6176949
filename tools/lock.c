// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"

int lock_take(const struct sysroot *root, int timeout_s)
{
	struct timespec pause = { .tv_nsec = 50 * 1000 * 1000 };
	struct stat st = { 0 };
	int fd, tries;

	if (timeout_s < 0 || timeout_s > LOCK_TIMEOUT_MAX)
		return -EINVAL;
	tries = timeout_s * 20;

	fd = sysroot_mkdirs(root, "run", 0755);
	if (fd < 0)
		return fd;
	/*
	 * Never through a link, never truncated, never a FIFO to block on: a
	 * tree may have planted any of them at the lock's name.
	 */
	fd = sysroot_openat(root, LOCK_PATH, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int r = S_ISDIR(st.st_mode) ? -EISDIR : -SYSROOT_ENOTREG;

		close(fd);
		return r;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK || tries-- <= 0) {
			int r = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;

			close(fd);
			return r;
		}
		nanosleep(&pause, NULL);
	}
}

void lock_release(int fd)
{
	if (fd >= 0)
		close(fd);	/* closing drops the flock */
}

int lock_timeout(int default_s)
{
	const char *env = getenv("VFIO_CLAIM_LOCK_TIMEOUT");
	char *end;
	long v;

	/* Tests and impatient scripts may wait less; atoi() let "1e10" overflow the tries. */
	if (!env || !*env)
		return default_s;
	errno = 0;
	v = strtol(env, &end, 10);
	if (errno || *end || end == env || v < 0 || v > LOCK_TIMEOUT_MAX)
		return -EINVAL;
	return (int)v;
}

const char *lock_error_reason(int r)
{
	switch (-r) {
	case EWOULDBLOCK:
		return "another vfio-claim is running (the lock was held too long): wait for it and try again";
	case EACCES:
	case EPERM:
		return "permission denied: run vfio-claim as root";
	case EROFS:
		return "the file system is read-only: vfio-claim needs a writable /run";
	case ENOENT:
	case ENOTDIR:
		return "no such directory: /run must be a directory";
	case ENOSPC:
	case EDQUOT:
		return "no space left on the device: free some space in /run";
	default:
		return NULL;
	}
}
