// SPDX-License-Identifier: GPL-2.0
#include "json.h"

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first = true;
	j->after_key = false;
}

static void indent(struct json *j)
{
	static const char spaces[] = "\n                                                                ";
	int n = 2 * j->depth;

	if (n > (int)sizeof(spaces) - 2)
		n = (int)sizeof(spaces) - 2;
	fwrite(spaces, 1, (size_t)n + 1, j->out);
}

/* Separator and indentation before a value or a key. */
static void before_item(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first)
		fputc(',', j->out);
	if (j->depth > 0)
		indent(j);
	j->first = false;
}

static void open_(struct json *j, char c)
{
	before_item(j);
	fputc(c, j->out);
	j->depth++;
	j->first = true;
}

static void close_(struct json *j, char c)
{
	j->depth--;
	if (!j->first)
		indent(j);
	fputc(c, j->out);
	j->first = false;
}

void json_object_begin(struct json *j)
{
	open_(j, '{');
}

void json_object_end(struct json *j)
{
	close_(j, '}');
}

void json_array_begin(struct json *j)
{
	open_(j, '[');
}

void json_array_end(struct json *j)
{
	close_(j, ']');
}

/*
 * Length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when p does not start one.
 */
static size_t utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		unsigned char lo = p[0] == 0xe0 ? 0xa0 : 0x80, hi = p[0] == 0xed ? 0x9f : 0xbf;

		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		unsigned char lo = p[0] == 0xf0 ? 0x90 : 0x80, hi = p[0] == 0xf4 ? 0x8f : 0xbf;

		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ?
			       4 :
			       0;
	}
	return 0;
}

/*
 * A JSON string. Names read from sysfs or a tree are bytes, not text: a
 * byte that does not start valid UTF-8 is written as \ufffd (U+FFFD, the
 * replacement character), so the document is always valid UTF-8 JSON.
 */
static void write_string(struct json *j, const char *s)
{
	fputc('"', j->out);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		/* Runs that need no escaping go out in one write. */
		size_t run = 0, n;

		while (p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
			run++;
		if (run) {
			fwrite(p, 1, run, j->out);
			p += run;
			continue;
		}
		if (*p >= 0x80) {
			n = utf8_len(p);
			if (n)
				fwrite(p, 1, n, j->out);
			else
				fputs("\\ufffd", j->out);
			p += n ? n : 1;
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", j->out);
			break;
		case '\\':
			fputs("\\\\", j->out);
			break;
		case '\n':
			fputs("\\n", j->out);
			break;
		case '\t':
			fputs("\\t", j->out);
			break;
		default:
			fprintf(j->out, "\\u%04x", *p);
		}
		p++;
	}
	fputc('"', j->out);
}

void json_key(struct json *j, const char *key)
{
	before_item(j);
	write_string(j, key);
	fputs(": ", j->out);
	j->after_key = true;
}

void json_string(struct json *j, const char *s)
{
	before_item(j);
	if (s)
		write_string(j, s);
	else
		fputs("null", j->out);
}

void json_int(struct json *j, long long v)
{
	before_item(j);
	fprintf(j->out, "%lld", v);
}

void json_bool(struct json *j, bool v)
{
	before_item(j);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j)
{
	before_item(j);
	fputs("null", j->out);
}

void json_finish(struct json *j)
{
	fputc('\n', j->out);
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_kv_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
