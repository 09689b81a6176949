/* SPDX-License-Identifier: GPL-2.0 */
/* What the fuzz targets share: a property that must hold, or the run aborts with its line. */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#define require(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "property failed: %s (line %d)\n",    \
				#cond, __LINE__);                              \
			abort();                                               \
		}                                                              \
	} while (0)
