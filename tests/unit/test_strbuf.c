// SPDX-License-Identifier: GPL-2.0
/* strbuf: growth across many appends, printf of long text, take leaves it empty. */
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "unit.h"

int main(void)
{
	struct strbuf b = { 0 };
	char *s, big[1000];

	s = strbuf_take(&b);
	CHECK(s && !strcmp(s, ""), "nothing added is \"\"");
	free(s);

	for (int i = 0; i < 2000; i++)
		strbuf_adds(&b, "ab");
	CHECK(b.len == 4000 && strlen(b.s) == 4000, "len %zu", b.len);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_printf(&b, "[%s:%d]", big, 42);
	CHECK(b.len == 4000 + 1 + 999 + 4, "len after printf %zu", b.len);
	CHECK(!strcmp(b.s + b.len - 4, ":42]"), "tail '%s'", b.s + b.len - 4);
	strbuf_add(&b, "zzz", 1);
	CHECK(b.s[b.len - 1] == 'z' && b.s[b.len] == '\0', "add takes n bytes, terminated");
	s = strbuf_take(&b);
	CHECK(s && strlen(s) == 5005, "taken %zu", s ? strlen(s) : 0);
	CHECK(!b.s && !b.len && !b.cap, "take leaves the buffer empty");
	free(s);
	return unit_summary("strbuf");
}
