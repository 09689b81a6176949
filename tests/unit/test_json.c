// SPDX-License-Identifier: GPL-2.0
/* json: commas, nesting, escaping and null produce a valid document. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "unit.h"

int main(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_init(&j, f);
	json_object_begin(&j);
	json_kv_string(&j, "s", "quote\" back\\ nl\n tab\t ctl\x01");
	json_kv_string(&j, "null", NULL);
	json_kv_int(&j, "n", -42);
	json_kv_bool(&j, "b", true);
	json_key(&j, "empty");
	json_array_begin(&j);
	json_array_end(&j);
	json_key(&j, "a");
	json_array_begin(&j);
	json_int(&j, 1);
	json_object_begin(&j);
	json_object_end(&j);
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
	fclose(f);

	CHECK(strcmp(buf, "{\n"
			  "  \"s\": \"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001\",\n"
			  "  \"null\": null,\n"
			  "  \"n\": -42,\n"
			  "  \"b\": true,\n"
			  "  \"empty\": [],\n"
			  "  \"a\": [\n"
			  "    1,\n"
			  "    {}\n"
			  "  ]\n"
			  "}\n") == 0,
	      "document:\n%s", buf);
	free(buf);

	/* Bytes that are not UTF-8 (a sysfs name is bytes) become U+FFFD; valid UTF-8 stays. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	json_init(&j, f);
	json_string(&j, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 bad\xff over\xc0\xaf sur\xed\xa0\x80 cut\xe2\x82");
	fclose(f);
	CHECK(strcmp(buf, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 bad\\ufffd over\\ufffd\\ufffd "
			  "sur\\ufffd\\ufffd\\ufffd cut\\ufffd\\ufffd\"") == 0,
	      "non-UTF-8: %s", buf);
	free(buf);
	return unit_summary("test_json");
}
