/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One lock under the root's /run keeps two writers (add, remove, apply,
 * bind, unbind) from interleaving. The lock file is created O_NOFOLLOW and
 * never truncated; a link, FIFO or directory at its name is an error.
 */
#pragma once

#include "sysroot.h"

#define LOCK_PATH "run/vfio-claim.lock"

/* Wait up to timeout_s (or $VFIO_CLAIM_LOCK_TIMEOUT) for the lock; returns an fd to keep, or -errno (-EWOULDBLOCK on timeout). */
int lock_take(const struct sysroot *root, int timeout_s);
void lock_release(int fd);
