// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

int log_max_level = LOG_WARN;

/*
 * Control characters in a message (from an argument, a mount point, a file
 * name in a tree) would split the one-line error or move the terminal's
 * cursor: they go out as \n, \r, \t or \xNN, and a backslash as it is.
 */
static void put_escaped(const char *s, FILE *f)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p != 0x7f)
			fputc(*p, f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else
			fprintf(f, "\\x%02x", *p);
	}
}

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
		put_escaped(msg, stderr);
		free(msg);
	} else {
		fputs("(out of memory formatting a message)", stderr);
	}
	fputc('\n', stderr);
}
