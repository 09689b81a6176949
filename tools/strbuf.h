/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growing string for text the tool builds (generated files, command
 * lines). An allocation failure is sticky: every later add is a no-op and
 * strbuf_take() returns NULL, so a builder checks once at the end.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s;	/* NUL-terminated once anything was added; NULL before */
	size_t len;	/* bytes in s, without the NUL */
	size_t cap;
	bool oom;	/* an allocation failed (or vsnprintf did) */
};

/* Append n bytes of s (no NUL needed in s). */
void strbuf_add(struct strbuf *b, const char *s, size_t n);
/* Append the string s. */
void strbuf_adds(struct strbuf *b, const char *s);
/* Append printf-formatted text. */
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * The string, now the caller's to free: "" when nothing was added, NULL
 * (and the buffer freed) after an allocation failure. b is left empty.
 */
char *strbuf_take(struct strbuf *b);
