/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One lock under the root's /run keeps two writers (add, remove, apply,
 * bind, unbind) from interleaving. The lock file is created O_NOFOLLOW and
 * never truncated; a link, FIFO or directory at its name is an error.
 */
#pragma once

#include "sysroot.h"

#define LOCK_PATH "run/vfio-claim.lock"

/* The longest wait lock_take() accepts, in seconds. */
#define LOCK_TIMEOUT_MAX 86400

/*
 * Wait up to timeout_s seconds (0..LOCK_TIMEOUT_MAX) for the lock; returns an
 * fd to keep, or -errno (-EWOULDBLOCK on timeout, -EINVAL for a bad timeout).
 */
int lock_take(const struct sysroot *root, int timeout_s);

/*
 * The wait in seconds: $VFIO_CLAIM_LOCK_TIMEOUT when set (decimal,
 * 0..LOCK_TIMEOUT_MAX), else default_s; -EINVAL when it is not a number in range.
 */
int lock_timeout(int default_s);

/*
 * What a -errno from lock_take() means for the user, one clause ("another
 * vfio-claim is running" only for -EWOULDBLOCK), or NULL when strerror() says it.
 */
const char *lock_error_reason(int r);
void lock_release(int fd);
