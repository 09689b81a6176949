// SPDX-License-Identifier: GPL-2.0
/* config: every line form, and the reason given for each bad one. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "unit.h"

static const struct {
	const char *line;
	int ret;
	const char *canonical;	/* for claims: what add would write back */
	const char *why;	/* for errors: the start of the reason */
} cases[] = {
	{ "", 1, NULL, NULL },
	{ "   # only a comment", 1, NULL, NULL },
	{ "0000:0a:00.0@10de:1c03", 0, "0000:0a:00.0@10de:1c03", NULL },
	{ "0a:00.0@10DE:1C03 group # gpu", 0, "0000:0a:00.0@10de:1c03 group", NULL },
	{ "10000:01:00.0@8086:0a54\trebind", 0, "10000:01:00.0@8086:0a54 rebind", NULL },
	{ "10de:1c03", 0, "10de:1c03", NULL },
	{ "10de:1c03:1458:3728 owner=alice:kvm group", 0, "10de:1c03:1458:3728 group owner=alice:kvm", NULL },
	{ "10de:1c03 owner=qemu", 0, "10de:1c03 owner=qemu", NULL },
	{ "0000:0a:00.0", -EINVAL, NULL, "'0000:0a:00.0' needs the ID expected there" },
	{ "0000:0a:00@10de:1c03", -EINVAL, NULL, "'0000:0a:00@10de:1c03' is neither" },
	{ "0000:0a:00.0@10de", -EINVAL, NULL, "'0000:0a:00.0@10de' is not ADDRESS@VENDOR:DEVICE" },
	{ "0000:0a:00.0@10de:1c03:1458:3728", -EINVAL, NULL, "'0000:0a:00.0@10de:1c03:1458:3728' is not" },
	{ "10de:1c3", -EINVAL, NULL, "'10de:1c3' is neither" },
	{ "10de:1c03 grup", -EINVAL, NULL, "unknown option 'grup'" },
	{ "10de:1c03 group group", -EINVAL, NULL, "'group' given twice" },
	{ "10de:1c03 owner=", -EINVAL, NULL, "'owner=': owner= takes USER or USER:GROUP" },
	{ "10de:1c03 owner=a:b:c", -EINVAL, NULL, "'owner=a:b:c'" },
	{ "10de:1c03 owner=-root", -EINVAL, NULL, "'owner=-root'" },
	{ "10de:1c03 owner=a owner=b", -EINVAL, NULL, "'owner=b' given twice" },
	{ "10de:1c03 owner=a:", -EINVAL, NULL, "'owner=a:'" },
	{ "10de:1c03 owner=:kvm", -EINVAL, NULL, "'owner=:kvm'" },
	{ "10de:1c03 owner=a:-kvm", -EINVAL, NULL, "'owner=a:-kvm'" },
	{ "10de:1c03 owner=a\"b", -EINVAL, NULL, "'owner=a\"b'" },
	{ "10de:1c03 owner=a\\b", -EINVAL, NULL, "'owner=a\\b'" },
	{ "10de:1c03 owner=al\xc3\xaf" "ce", -EINVAL, NULL, "'owner=al" },
	{ "10de:1c03 owner=abcdefghijabcdefghijabcdefghijabc", -EINVAL, NULL, "'owner=abcdefghij" },
	{ "10de:1c03 owner=abcdefghijabcdefghijabcdefghijab:kvm", 0,
	  "10de:1c03 owner=abcdefghijabcdefghijabcdefghijab:kvm", NULL },
};

/* add's --owner check: one token, whatever blanks or newlines it holds. */
static const struct {
	const char *owner;
	bool ok;
} owners[] = {
	{ "alice", true },	   { "alice:kvm", true },   { "qemu.user_1-x", true },
	{ "alice group", false },  { "alice\ngroup", false }, { "alice\tgroup", false },
	{ "alice:kvm group", false }, { "", false },	   { "-alice", false },
	{ "alice:", false },	   { ":kvm", false },	   { "a:b:c", false },
	{ "ali\"ce", false },	   { "ali$ce", false },	   { "ali\rce", false },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct claim c;
		char why[400] = "", text[256] = "";
		int r = config_parse_line(cases[i].line, &c, why, sizeof(why));

		CHECK(r == cases[i].ret, "'%s': %d, want %d (%s)", cases[i].line, r, cases[i].ret, why);
		if (r == 0 && cases[i].canonical) {
			config_format_claim(&c, text, sizeof(text));
			CHECK(strcmp(text, cases[i].canonical) == 0, "'%s' formats as '%s', want '%s'",
			      cases[i].line, text, cases[i].canonical);
		}
		if (r < 0 && cases[i].why)
			CHECK(strncmp(why, cases[i].why, strlen(cases[i].why)) == 0, "'%s': reason '%s', want '%s...'",
			      cases[i].line, why, cases[i].why);
		if (r == 0)
			free(c.owner);
	}
	for (size_t i = 0; i < sizeof(owners) / sizeof(owners[0]); i++)
		CHECK(config_valid_owner(owners[i].owner) == owners[i].ok, "owner '%s': want %s",
		      owners[i].owner, owners[i].ok ? "valid" : "refused");
	return unit_summary("test_config");
}
