/* SPDX-License-Identifier: GPL-2.0 */
/* One lock under the root's /run keeps two apply/bind/unbind runs from interleaving. */
#pragma once

#include "sysroot.h"

#define LOCK_PATH "run/vfio-claim.lock"

/* Wait up to timeout_s (or $VFIO_CLAIM_LOCK_TIMEOUT) for the lock; returns an fd to keep, or -errno (-EWOULDBLOCK on timeout). */
int lock_take(const struct sysroot *root, int timeout_s);
void lock_release(int fd);
