// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the config parser (tools/config.c) with a round-trip
 * property:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Itools -Imodule \
 *         tests/fuzz/fuzz_config.c tools/config.c tools/sysroot.c module/vc_parse.c
 *
 * The input is a config file (up to its first NUL, as the tool reads it),
 * split into lines the way config_load() splits them. Each line goes through
 * config_parse_line(). Then the file is written back the way add writes a
 * claim, through its own writer config_edit_text(): every claim line
 * replaced by config_format_claim()'s text (its inline comment or CR kept),
 * every other line kept byte for byte; and the new file is parsed again.
 * Properties checked (a violation aborts):
 *   - a line that fails gives a reason and no owner to leak;
 *   - the written-back file has the same claims (kind, address, IDs, group,
 *     rebind, owner) on the same line numbers, and no line the first parse
 *     accepted now fails or vice versa;
 *   - formatting is a fixed point: the claims of the written-back file
 *     format to the same text again;
 *   - an owner that parsed is one valid token (config_valid_owner), and a
 *     formatted claim holds no newline, so no claim can inject a line into
 *     a generated file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "config.h"

struct parsed {
	int ret;		/* config_parse_line()'s result */
	struct claim claim;
	char text[256];		/* the canonical text of a claim */
};

/* Split text (modified) into lines as config.c's load_file() does. */
static int split_lines(char *text, char ***lines)
{
	int n = 0;
	char *line, *next;

	*lines = NULL;
	for (line = text; line && *line; line = next) {
		char **v;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		v = realloc(*lines, sizeof(*v) * (size_t)(n + 1));
		if (!v)
			abort();
		*lines = v;
		v[n++] = line;
	}
	return n;
}

static void parse_all(char **lines, int n, struct parsed *out)
{
	for (int i = 0; i < n; i++) {
		char why[400] = "";

		out[i].ret = config_parse_line(lines[i], &out[i].claim, why, sizeof(why));
		require(out[i].ret == 0 || out[i].ret == 1 || out[i].ret == -EINVAL);
		if (out[i].ret < 0) {
			require(why[0] != '\0');
			require(out[i].claim.owner == NULL);
		}
		if (out[i].ret == 0) {
			config_format_claim(&out[i].claim, out[i].text, sizeof(out[i].text));
			require(strchr(out[i].text, '\n') == NULL);
			require(!out[i].claim.owner || config_valid_owner(out[i].claim.owner));
		}
	}
}

static bool same_claim(const struct claim *a, const struct claim *b)
{
	if (a->kind != b->kind || a->whole_group != b->whole_group || a->rebind != b->rebind)
		return false;
	if ((a->owner == NULL) != (b->owner == NULL) || (a->owner && strcmp(a->owner, b->owner)))
		return false;
	if (a->kind == CLAIM_SLOT)
		return vc_addr_equal(&a->slot.addr, &b->slot.addr) && a->slot.has_id == b->slot.has_id &&
		       a->slot.vendor == b->slot.vendor && a->slot.device == b->slot.device;
	return a->id.vendor == b->id.vendor && a->id.device == b->id.device &&
	       a->id.subvendor == b->id.subvendor && a->id.subdevice == b->id.subdevice;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *back = NULL, **lines = NULL, **lines2 = NULL;
	struct parsed *first, *second;
	int n, n2;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	n = split_lines(text, &lines);
	first = calloc((size_t)n + 1, sizeof(*first));
	if (!first)
		abort();
	parse_all(lines, n, first);

	/*
	 * Write back through add's own writer (config_edit_text): every claim
	 * line updated in place with its canonical text, one edit after another.
	 */
	{
		char *orig = malloc(size + 1);

		if (!orig)
			abort();
		memcpy(orig, data, size);
		orig[size] = '\0';
		back = orig;
		for (int i = 0; i < n; i++) {
			char *next = NULL;

			if (first[i].ret != 0)
				continue;
			require(config_edit_text(back, i + 1, first[i].text, &next) == 0);
			free(back);
			back = next;
		}
	}

	n2 = split_lines(back, &lines2);
	require(n2 == n);
	second = calloc((size_t)n2 + 1, sizeof(*second));
	if (!second)
		abort();
	parse_all(lines2, n2, second);
	for (int i = 0; i < n; i++) {
		require(first[i].ret == second[i].ret);
		if (first[i].ret == 0) {
			require(same_claim(&first[i].claim, &second[i].claim));
			require(strcmp(first[i].text, second[i].text) == 0);
		}
	}

	for (int i = 0; i < n; i++) {
		if (first[i].ret == 0)
			free(first[i].claim.owner);
		if (second[i].ret == 0)
			free(second[i].claim.owner);
	}
	free(first);
	free(second);
	free(lines);
	free(lines2);
	free(back);
	free(text);
	return 0;
}
