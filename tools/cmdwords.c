// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdwords.h"

const char *cmdline_word_next(const char **p, size_t *len)
{
	const char *w = *p + strspn(*p, CMDLINE_SPACE);

	*len = strcspn(w, CMDLINE_SPACE);
	*p = w + *len;
	return *len ? w : NULL;
}

const char *cmdline_kernel_word_next(const char **p, size_t *len)
{
	const char *w = cmdline_word_next(p, len);

	if (w && *len == 2 && !strncmp(w, "--", 2)) {
		*p = w + strlen(w);	/* the rest is init's */
		*len = 0;
		return NULL;
	}
	return w;
}

static bool printable(const char *w, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)w[i] < 0x21 || (unsigned char)w[i] > 0x7e)
			return false;
	return true;
}

int cmdline_words_add(struct strbuf *b, const char *text, unsigned int flags)
{
	const char *p = text ? text : "", *w;
	size_t len;

	while ((w = cmdline_word_next(&p, &len))) {
		if ((flags & CMDLINE_WORDS_PRINTABLE) && !printable(w, len))
			return -EINVAL;
		if ((flags & CMDLINE_WORDS_NO_LOADER) &&
		    (!strncmp(w, "BOOT_IMAGE=", 11) || !strncmp(w, "initrd=", 7)))
			continue;
		if (b->len)
			strbuf_adds(b, " ");
		strbuf_add(b, w, len);
	}
	return 0;
}

int cmdline_words_join(const char *text, unsigned int flags, char **out)
{
	struct strbuf b = { 0 };
	int r = cmdline_words_add(&b, text, flags);
	char *s = strbuf_take(&b);

	if (r < 0) {
		free(s);
		return r;
	}
	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
}

bool cmdline_has_init_words(const char *cmdline)
{
	const char *p = cmdline ? cmdline : "", *w;
	size_t wlen;

	while ((w = cmdline_word_next(&p, &wlen)))
		if (wlen == 2 && !strncmp(w, "--", 2))
			return true;
	return false;
}

bool cmdline_has(const char *cmdline, const char *arg)
{
	size_t len = strlen(arg), wlen;
	bool prefix = len && arg[len - 1] == '=';
	const char *p = cmdline, *w;

	while ((w = cmdline_kernel_word_next(&p, &wlen)))
		if (prefix ? wlen >= len && !strncmp(w, arg, len) : wlen == len && !strncmp(w, arg, len))
			return true;
	return false;
}

const char *cmdline_value(const char *cmdline, const char *name, char *buf, size_t size)
{
	size_t nlen = strlen(name), wlen;
	const char *p = cmdline, *w;

	buf[0] = '\0';
	while ((w = cmdline_kernel_word_next(&p, &wlen))) {
		if (wlen > nlen && !strncmp(w, name, nlen) && w[nlen] == '=') {
			snprintf(buf, size, "%.*s", (int)(wlen - nlen - 1), w + nlen + 1);
			break;
		}
	}
	return buf;
}
