/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal table-test harness: CHECK records, unit_summary prints "N passed, N failed". */
#pragma once

#include <stdio.h>

static int unit_passed, unit_failed;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (cond) {                                                \
			unit_passed++;                                     \
		} else {                                                   \
			unit_failed++;                                     \
			fprintf(stderr, "%s:%d: FAILED: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
		}                                                          \
	} while (0)

static inline int unit_summary(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
