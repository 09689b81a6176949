// SPDX-License-Identifier: GPL-2.0
/* cmdwords: one rule for the words of a kernel command line, and the questions asked of them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmdwords.h"
#include "unit.h"

static void check_join(const char *text, unsigned int flags, int want_err, const char *want)
{
	char *out = NULL;
	int r = cmdline_words_join(text, flags, &out);

	CHECK(r == want_err, "join '%s': %d, expected %d", text ? text : "(null)", r, want_err);
	if (!r && want)
		CHECK(out && !strcmp(out, want), "join: '%s', expected '%s'", out ? out : "(null)", want);
	free(out);
}

int main(void)
{
	struct strbuf b = { 0 };
	const char *p = "  a\tbc\n", *w;
	char buf[64], *s;
	size_t len;

	w = cmdline_word_next(&p, &len);
	CHECK(w && len == 1 && *w == 'a', "first word");
	w = cmdline_word_next(&p, &len);
	CHECK(w && len == 2 && !strncmp(w, "bc", 2), "second word");
	CHECK(!cmdline_word_next(&p, &len) && len == 0, "no third word");

	/* tr -s "$IFS" ' ': runs of space, tab and newline are one space; none at the ends. */
	check_join("root=/dev/sda1  ro\tquiet\n\nsplash\n", 0, 0, "root=/dev/sda1 ro quiet splash");
	check_join(" \t\n", 0, 0, "");
	check_join(NULL, 0, 0, "");
	/* Quotes are bytes like any other; "--" is a word. */
	check_join("a \"b c\" -- init", 0, 0, "a \"b c\" -- init");
	/* The boot loader's words go only when asked, and only as whole words' starts. */
	check_join("BOOT_IMAGE=/vmlinuz initrd=/i ro xinitrd=1", CMDLINE_WORDS_NO_LOADER, 0, "ro xinitrd=1");
	check_join("BOOT_IMAGE=/vmlinuz ro", 0, 0, "BOOT_IMAGE=/vmlinuz ro");
	/* Printable: white space separates, any other control or high byte is refused. */
	check_join("a\tb\n", CMDLINE_WORDS_PRINTABLE, 0, "a b");
	check_join("a\rb", CMDLINE_WORDS_PRINTABLE, -EINVAL, NULL);
	check_join("a \xc3\xa9", CMDLINE_WORDS_PRINTABLE, -EINVAL, NULL);
	check_join("a\rb", 0, 0, "a\rb");

	/* Pieces added one after another read as one line. */
	cmdline_words_add(&b, " a ", 0);
	cmdline_words_add(&b, "", 0);
	cmdline_words_add(&b, "b\tc", 0);
	s = strbuf_take(&b);
	CHECK(s && !strcmp(s, "a b c"), "pieces: '%s'", s ? s : "(null)");
	free(s);

	/* Words, not substrings; a trailing '=' matches any value; any white space separates. */
	CHECK(cmdline_has("ro quiet intel_iommu=on", "intel_iommu=on"), "last word");
	CHECK(cmdline_has("ro\tintel_iommu=on\nquiet", "intel_iommu=on"), "between tab and newline");
	CHECK(!cmdline_has("ro xintel_iommu=on", "intel_iommu=on"), "inside a word");
	CHECK(!cmdline_has("ro intel_iommu=onx", "intel_iommu=on"), "a longer word");
	CHECK(cmdline_has("pcie_acs_override=downstream ro", "pcie_acs_override="), "prefix");
	CHECK(!cmdline_has("ro", ""), "an empty word is never there");
	CHECK(!strcmp(cmdline_value("a\tpcie_acs_override=downstream,multifunction\nb", "pcie_acs_override",
				    buf, sizeof(buf)), "downstream,multifunction"), "value '%s'", buf);
	CHECK(!strcmp(cmdline_value("a x= b", "x", buf, sizeof(buf)), ""), "empty value");
	CHECK(!strcmp(cmdline_value("a xx=1 x=2", "x", buf, sizeof(buf)), "2"), "whole name: '%s'", buf);
	/* The kernel stops at "--": what follows is init's, never a kernel argument. */
	CHECK(!cmdline_has("root=/dev/sda1 -- intel_iommu=on", "intel_iommu=on"), "after --");
	CHECK(cmdline_has("intel_iommu=on -- single", "intel_iommu=on"), "before --");
	CHECK(cmdline_has_init_words("ro\t--\nsingle"), "a -- word");
	CHECK(cmdline_has_init_words("ro --"), "a -- word last");
	CHECK(!cmdline_has_init_words("ro --x x-- ---"), "-- inside words");
	CHECK(!cmdline_has_init_words(NULL) && !cmdline_has_init_words(""), "nothing");
	CHECK(cmdline_has("a --x b", "b"), "--x is a word like any other");
	CHECK(!strcmp(cmdline_value("a -- x=1", "x", buf, sizeof(buf)), ""), "value after --: '%s'", buf);
	p = "a -- b";
	CHECK(cmdline_kernel_word_next(&p, &len) && !cmdline_kernel_word_next(&p, &len) && !*p, "stops at --");
	return unit_summary("cmdwords");
}
