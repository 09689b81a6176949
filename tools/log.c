// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "printable.h"

int log_max_level = LOG_WARN;

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[LOG_ERR] = "",
		[LOG_WARN] = "warning: ",
		[LOG_INFO] = "",
		[LOG_DEBUG] = "debug: ",
	};
	char *msg = NULL;
	va_list ap;
	int n;

	if ((int)level > log_max_level)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "vfio-claim: %s", prefix[level]);
	if (n >= 0) {
		put_printable(msg, stderr);
		free(msg);
	} else {
		fputs("(out of memory formatting a message)", stderr);
	}
	fputc('\n', stderr);
}
