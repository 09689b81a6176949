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

static void write_string(struct json *j, const char *s)
{
	fputc('"', j->out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		/* Runs that need no escaping go out in one write. */
		size_t run = 0;

		while (p[run] >= 0x20 && p[run] != '"' && p[run] != '\\')
			run++;
		if (run) {
			fwrite(p, 1, run, j->out);
			p += run - 1;
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
			if (*p < 0x20)
				fprintf(j->out, "\\u%04x", *p);
			else
				fputc(*p, j->out);
		}
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
