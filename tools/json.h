/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A streaming JSON writer: enough for one document on stdout, with commas
 * and indentation handled here so that commands only say what to write.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct json {
	FILE *out;
	int depth;
	bool first;	/* no member written yet at this depth */
	bool after_key;	/* a key was written, its value comes next */
};

void json_init(struct json *j, FILE *out);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
/* A member name inside an object; the next call writes its value. */
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);	/* NULL writes null */
void json_int(struct json *j, long long v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* Ends the document with a newline. */
void json_finish(struct json *j);

/* Shorthands for "key": value. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, long long v);
void json_kv_bool(struct json *j, const char *key, bool v);
