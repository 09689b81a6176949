// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "printable.h"

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

void put_printable(const char *s, FILE *f)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (!is_control(*p))
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

const char *printable(const char *s)
{
	static char *ring[8];
	static unsigned int next;
	char *copy = NULL;
	size_t size = 0;
	FILE *f;

	if (!s)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; !is_control(*p); p++)
		if (!p[1])
			return s;
	if (!*s)
		return s;
	f = open_memstream(&copy, &size);
	if (!f)
		return "?";
	put_printable(s, f);
	if (fclose(f) != 0) {
		free(copy);
		return "?";
	}
	free(ring[next]);
	ring[next] = copy;
	next = (next + 1) % (sizeof(ring) / sizeof(ring[0]));
	return copy;
}

void print_line(const char *fmt, ...)
{
	char *line = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0) {
		puts("(out of memory formatting a line)");
		return;
	}
	put_printable(line, stdout);
	fputc('\n', stdout);
	free(line);
}
