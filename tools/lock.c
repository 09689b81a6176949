// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
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
	const char *env = getenv("VFIO_CLAIM_LOCK_TIMEOUT");
	struct stat st = { 0 };
	int fd, tries;

	/* Tests and impatient scripts may wait less. */
	if (env && *env)
		timeout_s = atoi(env);
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
