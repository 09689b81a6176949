// SPDX-License-Identifier: GPL-2.0
/* lock: $VFIO_CLAIM_LOCK_TIMEOUT is a bounded number; each errno says what happened. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"
#include "unit.h"

int main(void)
{
	static const struct {
		const char *env;
		int want;
	} timeouts[] = {
		{ NULL, 10 },	    { "", 10 },		  { "0", 0 },	       { "5", 5 },
		{ "86400", 86400 }, { "86401", -EINVAL }, { "-1", -EINVAL },   { "10s", -EINVAL },
		{ " 5", 5 },	    { "99999999999", -EINVAL }, { "2147483648", -EINVAL },
		{ "0x10", -EINVAL },
	};
	static const int errs[] = { EACCES, EPERM, EROFS, ENOENT, ENOTDIR, ENOSPC, EDQUOT };

	for (size_t i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++) {
		int got;

		if (timeouts[i].env)
			setenv("VFIO_CLAIM_LOCK_TIMEOUT", timeouts[i].env, 1);
		else
			unsetenv("VFIO_CLAIM_LOCK_TIMEOUT");
		got = lock_timeout(10);
		CHECK(got == timeouts[i].want, "VFIO_CLAIM_LOCK_TIMEOUT='%s': %d, want %d",
		      timeouts[i].env ? timeouts[i].env : "(unset)", got, timeouts[i].want);
	}
	CHECK(strstr(lock_error_reason(-EWOULDBLOCK), "another vfio-claim is running") != NULL,
	      "EWOULDBLOCK: %s", lock_error_reason(-EWOULDBLOCK));
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		const char *why = lock_error_reason(-errs[i]);

		CHECK(why && !strstr(why, "another vfio-claim"), "%s: '%s'", strerror(errs[i]),
		      why ? why : "(null)");
	}
	CHECK(strstr(lock_error_reason(-ENOSPC), "no space") != NULL, "ENOSPC");
	CHECK(strstr(lock_error_reason(-EROFS), "read-only") != NULL, "EROFS");
	CHECK(strstr(lock_error_reason(-EACCES), "permission denied") != NULL, "EACCES");
	CHECK(lock_error_reason(-EIO) == NULL, "EIO goes to strerror");
	return unit_summary("test_lock");
}
