// SPDX-License-Identifier: GPL-2.0
/*
 * Table tests of every function in module/vc_parse.h, the parser shared by
 * the vfio_claim module and the vfio-claim tool.
 *
 * Each input is copied into a heap buffer of exactly its length, so that
 * AddressSanitizer catches a read past the length the parser was given (the
 * module parses parts of a list in place, without a NUL after each item).
 *
 * Prints one line per failed case and closes with "N passed, N failed".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vc_parse.h"

static int passed, failed;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A copy of s[0..len) with nothing after it. */
static char *exact(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	if (!p) {
		perror("malloc");
		exit(2);
	}
	memcpy(p, s, len);
	return p;
}

/* s[0..len) quoted and escaped, for a failure line; a few live at once. */
static const char *q(const char *s, size_t len)
{
	static char bufs[4][256];
	static int next;
	char *b = bufs[next++ % 4], *p = b;
	size_t i;

	*p++ = '"';
	for (i = 0; i < len && p < b + sizeof(bufs[0]) - 6; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"')
			p += sprintf(p, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			p += sprintf(p, "\\x%02x", c);
		else
			*p++ = (char)c;
	}
	*p++ = '"';
	*p = '\0';
	return b;
}

/* Inputs may hold a NUL: the length is given, or -1 for strlen. */
#define LEN_STR ((size_t)-1)
static size_t in_len(const char *s, size_t len)
{
	return len == LEN_STR ? strlen(s) : len;
}

/* ---- vc_parse_addr and vc_format_addr ---- */

static const struct addr_case {
	const char *in;
	size_t len;
	int ok;
	struct vc_pci_addr want;
	const char *canon;
} addr_cases[] = {
	{ "0000:00:05.0", LEN_STR, 1, { 0, 0, 5, 0 }, "0000:00:05.0" },
	{ "00:05.0", LEN_STR, 1, { 0, 0, 5, 0 }, "0000:00:05.0" },	/* no domain */
	{ "0:0.0", LEN_STR, 1, { 0, 0, 0, 0 }, "0000:00:00.0" },
	{ "1:2:3.4", LEN_STR, 1, { 1, 2, 3, 4 }, "0001:02:03.4" },
	{ "0000:0a:1f.7", LEN_STR, 1, { 0, 0x0a, 0x1f, 7 }, "0000:0a:1f.7" },
	{ "0000:0A:1F.7", LEN_STR, 1, { 0, 0x0a, 0x1f, 7 }, "0000:0a:1f.7" },	/* upper case */
	{ "ABCD:EF:1E.6", LEN_STR, 1, { 0xabcd, 0xef, 0x1e, 6 }, "abcd:ef:1e.6" },
	{ "10000:00:00.0", LEN_STR, 1, { 0x10000, 0, 0, 0 }, "10000:00:00.0" },	/* Intel VMD */
	{ "ffffffff:ff:1f.7", LEN_STR, 1, { 0xffffffffU, 0xff, 0x1f, 7 }, "ffffffff:ff:1f.7" },
	{ "00000000:00:00.0", LEN_STR, 1, { 0, 0, 0, 0 }, "0000:00:00.0" },	/* 8 digits */
	{ "0001234:ff:00.1", LEN_STR, 1, { 0x1234, 0xff, 0, 1 }, "1234:ff:00.1" },
	{ "100000000:00:00.0", LEN_STR, 0, { 0 }, NULL },	/* 9-digit domain */
	{ "000000000:00:00.0", LEN_STR, 0, { 0 }, NULL },	/* 9 digits, even zeros */
	{ "0000:00:20.0", LEN_STR, 0, { 0 }, NULL },	/* slot > 1f */
	{ "0000:00:ff.0", LEN_STR, 0, { 0 }, NULL },
	{ "0000:00:1f.8", LEN_STR, 0, { 0 }, NULL },	/* func > 7 */
	{ "0000:00:05.f", LEN_STR, 0, { 0 }, NULL },
	{ "0000:00:05.10", LEN_STR, 0, { 0 }, NULL },	/* 2-digit func */
	{ "0000:100:05.0", LEN_STR, 0, { 0 }, NULL },	/* 3-digit bus */
	{ "0000:00:005.0", LEN_STR, 0, { 0 }, NULL },	/* 3-digit slot */
	{ "", LEN_STR, 0, { 0 }, NULL },
	{ ":", LEN_STR, 0, { 0 }, NULL },
	{ ":.", LEN_STR, 0, { 0 }, NULL },
	{ "0000:00:05", LEN_STR, 0, { 0 }, NULL },	/* no function */
	{ "0000:00:05.", LEN_STR, 0, { 0 }, NULL },
	{ "00.0", LEN_STR, 0, { 0 }, NULL },		/* no bus */
	{ "0000::05.0", LEN_STR, 0, { 0 }, NULL },
	{ ":00:05.0", LEN_STR, 0, { 0 }, NULL },
	{ "1:2:3:4.0", LEN_STR, 0, { 0 }, NULL },	/* three colons */
	{ "0000:00:05.0x", LEN_STR, 0, { 0 }, NULL },	/* trailing garbage */
	{ "0000:00:05.0:", LEN_STR, 0, { 0 }, NULL },
	{ "0000:00:05.0.1", LEN_STR, 0, { 0 }, NULL },
	{ "0000:00:05.0 ", LEN_STR, 0, { 0 }, NULL },	/* white space is the list's job */
	{ " 0000:00:05.0", LEN_STR, 0, { 0 }, NULL },
	{ "0000: 00:05.0", LEN_STR, 0, { 0 }, NULL },
	{ "0000:00:05.0@8086:10d3", LEN_STR, 0, { 0 }, NULL },	/* a slot, not an address */
	{ "g000:00:05.0", LEN_STR, 0, { 0 }, NULL },
	{ "0x00:05.0", LEN_STR, 0, { 0 }, NULL },
	{ "-1:00:05.0", LEN_STR, 0, { 0 }, NULL },
	{ "+0:00:05.0", LEN_STR, 0, { 0 }, NULL },
	{ "0000_00:05.0", LEN_STR, 0, { 0 }, NULL },
	{ "00:05.0\0", 8, 0, { 0 }, NULL },		/* a NUL inside the length */
	{ "00:05.0\0junk", 7, 1, { 0, 0, 5, 0 }, "0000:00:05.0" },	/* length, not NUL */
	{ "00:05.01", 7, 1, { 0, 0, 5, 0 }, "0000:00:05.0" },	/* stops at len */
	{ "00:05.0", 6, 0, { 0 }, NULL },
};

static void test_addr(void)
{
	const struct vc_pci_addr poison = { 0xdeadbeef, 0xaa, 0xbb, 0xcc };
	size_t i;

	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *c = &addr_cases[i];
		size_t len = in_len(c->in, c->len);
		char *in = exact(c->in, len), buf[VC_ADDR_STRLEN];
		struct vc_pci_addr a = poison, back;
		int r = vc_parse_addr(in, len, &a);

		if (!c->ok) {
			check(r == -EINVAL, "vc_parse_addr(%s) = %d, want -EINVAL",
			      q(c->in, len), r);
			check(vc_addr_equal(&a, &poison),
			      "vc_parse_addr(%s) failed but wrote its output", q(c->in, len));
			free(in);
			continue;
		}
		check(r == 0, "vc_parse_addr(%s) = %d, want 0", q(c->in, len), r);
		check(vc_addr_equal(&a, &c->want),
		      "vc_parse_addr(%s) = %x:%x:%x.%x, want %x:%x:%x.%x", q(c->in, len),
		      a.domain, a.bus, a.slot, a.func, c->want.domain, c->want.bus,
		      c->want.slot, c->want.func);
		vc_format_addr(buf, &a);
		check(!strcmp(buf, c->canon), "vc_format_addr(%s) = \"%s\", want \"%s\"",
		      q(c->in, len), buf, c->canon);
		r = vc_parse_addr(buf, strlen(buf), &back);
		check(r == 0 && vc_addr_equal(&a, &back),
		      "\"%s\" does not parse back to the same address", buf);
		free(in);
	}
}

static const struct format_case {
	struct vc_pci_addr addr;
	const char *want;
} format_cases[] = {
	{ { 0, 0, 0, 0 }, "0000:00:00.0" },
	{ { 0, 0x3, 0x5, 1 }, "0000:03:05.1" },
	{ { 0x1, 0xff, 0x1f, 7 }, "0001:ff:1f.7" },
	{ { 0xffff, 0x10, 0x0a, 2 }, "ffff:10:0a.2" },
	{ { 0x10000, 0, 0, 0 }, "10000:00:00.0" },
	{ { 0xabcde, 0x1, 0x2, 3 }, "abcde:01:02.3" },
	{ { 0x1000000, 0, 0, 0 }, "1000000:00:00.0" },
	{ { 0x10000000, 0, 0, 0 }, "10000000:00:00.0" },
	{ { 0xffffffffU, 0xff, 0x1f, 7 }, "ffffffff:ff:1f.7" },
};

static void test_format(void)
{
	size_t i;

	for (i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
		const struct format_case *c = &format_cases[i];
		char buf[VC_ADDR_STRLEN + 8];
		char *r;

		memset(buf, 'x', sizeof(buf));
		r = vc_format_addr(buf, &c->addr);
		check(r == buf, "vc_format_addr does not return its buffer");
		check(!strcmp(buf, c->want), "vc_format_addr(%x:%x:%x.%x) = \"%s\", want \"%s\"",
		      c->addr.domain, c->addr.bus, c->addr.slot, c->addr.func, buf, c->want);
		check(strlen(buf) < VC_ADDR_STRLEN, "vc_format_addr(\"%s\") overflows VC_ADDR_STRLEN",
		      buf);
		check(buf[VC_ADDR_STRLEN] == 'x', "vc_format_addr wrote past VC_ADDR_STRLEN");
	}
}

/* ---- vc_parse_id and vc_id_matches ---- */

#define ANY VC_ANY_ID
static const struct id_case {
	const char *in;
	int ok;
	struct vc_pci_id want;
} id_cases[] = {
	{ "8086:10d3", 1, { 0x8086, 0x10d3, ANY, ANY } },
	{ "8086:10D3", 1, { 0x8086, 0x10d3, ANY, ANY } },	/* upper case */
	{ "ABCD:EF01", 1, { 0xabcd, 0xef01, ANY, ANY } },
	{ "0000:0000", 1, { 0, 0, ANY, ANY } },
	{ "10de:2204:1458:403b", 1, { 0x10de, 0x2204, 0x1458, 0x403b } },	/* subvendor */
	{ "ffff:ffff:ffff:ffff", 1, { 0xffff, 0xffff, 0xffff, 0xffff } },	/* not ANY */
	{ "808:10d3", 0, { 0 } },		/* 3-digit vendor */
	{ "8086:10d", 0, { 0 } },		/* 3-digit device */
	{ "10de:2204:145:403b", 0, { 0 } },	/* 3-digit subvendor */
	{ "10de:2204:1458:403", 0, { 0 } },	/* 3-digit subdevice */
	{ "80861:10d3", 0, { 0 } },
	{ "8086:10d31", 0, { 0 } },
	{ "8086", 0, { 0 } },
	{ "8086:", 0, { 0 } },
	{ ":10d3", 0, { 0 } },
	{ "8086:10d3:", 0, { 0 } },
	{ "8086:10d3:1458", 0, { 0 } },		/* subvendor without subdevice */
	{ "8086:10d3:1458:", 0, { 0 } },
	{ "8086:10d3:1458:403b:", 0, { 0 } },
	{ "8086:10d3:1458:403b:0000", 0, { 0 } },
	{ "8086:10d3x", 0, { 0 } },		/* trailing garbage */
	{ "8086:10d3 ", 0, { 0 } },
	{ " 8086:10d3", 0, { 0 } },
	{ "8086-10d3", 0, { 0 } },
	{ "0x8086:10d3", 0, { 0 } },
	{ "8086:10d3@", 0, { 0 } },
	{ "8086:10g3", 0, { 0 } },
	{ "", 0, { 0 } },
	{ ":", 0, { 0 } },
	{ "0000:00:05.0", 0, { 0 } },
};

static int id_equal(const struct vc_pci_id *a, const struct vc_pci_id *b)
{
	return a->vendor == b->vendor && a->device == b->device &&
	       a->subvendor == b->subvendor && a->subdevice == b->subdevice;
}

static void test_id(void)
{
	const struct vc_pci_id poison = { 1, 2, 3, 4 };
	size_t i;

	for (i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++) {
		const struct id_case *c = &id_cases[i];
		size_t len = strlen(c->in);
		char *in = exact(c->in, len);
		struct vc_pci_id id = poison;
		int r = vc_parse_id(in, len, &id);

		if (c->ok) {
			check(r == 0, "vc_parse_id(%s) = %d, want 0", q(c->in, len), r);
			check(id_equal(&id, &c->want),
			      "vc_parse_id(%s) = %x:%x:%x:%x, want %x:%x:%x:%x", q(c->in, len),
			      id.vendor, id.device, id.subvendor, id.subdevice, c->want.vendor,
			      c->want.device, c->want.subvendor, c->want.subdevice);
		} else {
			check(r == -EINVAL, "vc_parse_id(%s) = %d, want -EINVAL", q(c->in, len), r);
			check(id_equal(&id, &poison), "vc_parse_id(%s) failed but wrote its output",
			      q(c->in, len));
		}
		free(in);
	}
}

static const struct match_case {
	struct vc_pci_id id;
	u32 vendor, device, subvendor, subdevice;
	int want;
} match_cases[] = {
	{ { 0x8086, 0x10d3, ANY, ANY }, 0x8086, 0x10d3, 0x8086, 0xa01f, 1 },
	{ { 0x8086, 0x10d3, ANY, ANY }, 0x8086, 0x10d3, 0, 0, 1 },
	{ { 0x8086, 0x10d3, ANY, ANY }, 0x8086, 0x10d4, 0x8086, 0xa01f, 0 },
	{ { 0x8086, 0x10d3, ANY, ANY }, 0x8087, 0x10d3, 0x8086, 0xa01f, 0 },
	{ { 0x10de, 0x2204, 0x1458, 0x403b }, 0x10de, 0x2204, 0x1458, 0x403b, 1 },
	{ { 0x10de, 0x2204, 0x1458, 0x403b }, 0x10de, 0x2204, 0x1458, 0x403c, 0 },
	{ { 0x10de, 0x2204, 0x1458, 0x403b }, 0x10de, 0x2204, 0x1459, 0x403b, 0 },
	{ { 0x10de, 0x2204, 0x1458, 0x403b }, 0x10de, 0x2205, 0x1458, 0x403b, 0 },
	{ { 0x10de, 0x2204, 0x1458, ANY }, 0x10de, 0x2204, 0x1458, 0x1234, 1 },
	{ { 0x10de, 0x2204, ANY, 0x403b }, 0x10de, 0x2204, 0x9999, 0x403b, 1 },
	{ { 0xffff, 0xffff, 0xffff, 0xffff }, 0xffff, 0xffff, 0xffff, 0xffff, 1 },
};

static void test_id_matches(void)
{
	size_t i;

	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];
		int r = vc_id_matches(&c->id, c->vendor, c->device, c->subvendor, c->subdevice);

		check(r == c->want, "vc_id_matches(%x:%x:%x:%x, %x:%x:%x:%x) = %d, want %d",
		      c->id.vendor, c->id.device, c->id.subvendor, c->id.subdevice, c->vendor,
		      c->device, c->subvendor, c->subdevice, r, c->want);
	}
}

/* ---- vc_parse_slot ---- */

static const struct slot_case {
	const char *in;
	int ok;
	struct vc_slot want;
} slot_cases[] = {
	{ "0000:00:05.0", 1, { { 0, 0, 5, 0 }, 0, 0, 0 } },
	{ "00:05.0", 1, { { 0, 0, 5, 0 }, 0, 0, 0 } },
	{ "0000:00:05.0@8086:10d3", 1, { { 0, 0, 5, 0 }, 1, 0x8086, 0x10d3 } },
	{ "00:05.0@8086:10d3", 1, { { 0, 0, 5, 0 }, 1, 0x8086, 0x10d3 } },
	{ "0000:0A:00.1@10DE:228B", 1, { { 0, 0x0a, 0, 1 }, 1, 0x10de, 0x228b } },
	{ "10000:e1:00.0@8086:0a54", 1, { { 0x10000, 0xe1, 0, 0 }, 1, 0x8086, 0x0a54 } },
	{ "ffffffff:ff:1f.7@ffff:ffff", 1, { { 0xffffffffU, 0xff, 0x1f, 7 }, 1, 0xffff, 0xffff } },
	{ "0000:00:05.0@8086:10d3:1458:403b", 0, { { 0 }, 0, 0, 0 } },	/* no subvendor in a guard */
	{ "0000:00:05.0@", 0, { { 0 }, 0, 0, 0 } },
	{ "0000:00:05.0@808:10d3", 0, { { 0 }, 0, 0, 0 } },
	{ "0000:00:05.0@8086:10d", 0, { { 0 }, 0, 0, 0 } },
	{ "0000:00:05.0@8086", 0, { { 0 }, 0, 0, 0 } },
	{ "0000:00:05.0@@8086:10d3", 0, { { 0 }, 0, 0, 0 } },
	{ "0000:00:05.0@8086:10d3@8086:10d3", 0, { { 0 }, 0, 0, 0 } },
	{ "0000:00:05.0@8086:10d3x", 0, { { 0 }, 0, 0, 0 } },
	{ "0000:00:05.0 @8086:10d3", 0, { { 0 }, 0, 0, 0 } },
	{ "0000:00:05.0@ 8086:10d3", 0, { { 0 }, 0, 0, 0 } },
	{ "0000:00:05.0#8086:10d3", 0, { { 0 }, 0, 0, 0 } },
	{ "0000:00:05.0x", 0, { { 0 }, 0, 0, 0 } },
	{ "@8086:10d3", 0, { { 0 }, 0, 0, 0 } },
	{ "8086:10d3", 0, { { 0 }, 0, 0, 0 } },	/* an ID is not a slot */
	{ "0000:00:20.0@8086:10d3", 0, { { 0 }, 0, 0, 0 } },
	{ "0000:00:05.8@8086:10d3", 0, { { 0 }, 0, 0, 0 } },
	{ "100000000:00:05.0@8086:10d3", 0, { { 0 }, 0, 0, 0 } },
	{ "0000:00:05@8086:10d3", 0, { { 0 }, 0, 0, 0 } },
	{ "", 0, { { 0 }, 0, 0, 0 } },
	{ "@", 0, { { 0 }, 0, 0, 0 } },
};

static int slot_equal(const struct vc_slot *a, const struct vc_slot *b)
{
	return vc_addr_equal(&a->addr, &b->addr) && a->has_id == b->has_id &&
	       (!a->has_id || (a->vendor == b->vendor && a->device == b->device));
}

static void test_slot(void)
{
	const struct vc_slot poison = { { 7, 7, 7, 7 }, 1, 7, 7 };
	size_t i;

	for (i = 0; i < sizeof(slot_cases) / sizeof(slot_cases[0]); i++) {
		const struct slot_case *c = &slot_cases[i];
		size_t len = strlen(c->in);
		char *in = exact(c->in, len);
		struct vc_slot s = poison;
		int r = vc_parse_slot(in, len, &s);

		if (c->ok) {
			check(r == 0, "vc_parse_slot(%s) = %d, want 0", q(c->in, len), r);
			check(slot_equal(&s, &c->want),
			      "vc_parse_slot(%s) = %x:%x:%x.%x has_id=%d %x:%x, want %x:%x:%x.%x has_id=%d %x:%x",
			      q(c->in, len), s.addr.domain, s.addr.bus, s.addr.slot, s.addr.func, s.has_id,
			      s.vendor, s.device, c->want.addr.domain, c->want.addr.bus,
			      c->want.addr.slot, c->want.addr.func, c->want.has_id, c->want.vendor,
			      c->want.device);
		} else {
			check(r == -EINVAL, "vc_parse_slot(%s) = %d, want -EINVAL", q(c->in, len), r);
			check(slot_equal(&s, &poison),
			      "vc_parse_slot(%s) failed but wrote its output", q(c->in, len));
		}
		free(in);
	}
}

/* ---- vc_addr_equal ---- */

static void test_addr_equal(void)
{
	static const struct {
		struct vc_pci_addr a, b;
		int want;
	} cases[] = {
		{ { 0, 0, 5, 0 }, { 0, 0, 5, 0 }, 1 },
		{ { 0, 0, 5, 0 }, { 1, 0, 5, 0 }, 0 },
		{ { 0, 0, 5, 0 }, { 0, 1, 5, 0 }, 0 },
		{ { 0, 0, 5, 0 }, { 0, 0, 6, 0 }, 0 },
		{ { 0, 0, 5, 0 }, { 0, 0, 5, 1 }, 0 },
		{ { 0x10000, 0, 5, 0 }, { 0, 0, 5, 0 }, 0 },
		{ { 0xffffffffU, 0xff, 0x1f, 7 }, { 0xffffffffU, 0xff, 0x1f, 7 }, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = vc_addr_equal(&cases[i].a, &cases[i].b);
		int r2 = vc_addr_equal(&cases[i].b, &cases[i].a);

		check(r == cases[i].want && r2 == r, "vc_addr_equal case %zu = %d/%d, want %d", i,
		      r, r2, cases[i].want);
	}
}

/* ---- vc_next_item ---- */

#define MAX_ITEMS 6
static const struct list_case {
	const char *in;
	size_t len;
	int n;
	const char *items[MAX_ITEMS];
} list_cases[] = {
	{ "", LEN_STR, 0, { NULL } },
	{ " ", LEN_STR, 0, { NULL } },
	{ " \t\r\n ", LEN_STR, 0, { NULL } },	/* only white space: no items */
	{ "\n", LEN_STR, 0, { NULL } },		/* what `echo > ids` writes */
	{ "a", LEN_STR, 1, { "a" } },
	{ "8086:10d3\n", LEN_STR, 1, { "8086:10d3" } },
	{ "a,b", LEN_STR, 2, { "a", "b" } },
	{ "a,b,c", LEN_STR, 3, { "a", "b", "c" } },
	{ " a , b \n", LEN_STR, 2, { "a", "b" } },
	{ "\ta\t,\tb", LEN_STR, 2, { "a", "b" } },
	{ "a b,c", LEN_STR, 2, { "a b", "c" } },	/* inner space stays */
	{ "a,,b", LEN_STR, 3, { "a", "", "b" } },	/* empty items are reported */
	{ "a,", LEN_STR, 2, { "a", "" } },
	{ ",a", LEN_STR, 2, { "", "a" } },
	{ ",", LEN_STR, 2, { "", "" } },
	{ " , ", LEN_STR, 2, { "", "" } },
	{ "a, ,b", LEN_STR, 3, { "a", "", "b" } },
	{ "0000:00:05.0@8086:10d3,00:06.0", LEN_STR, 2, { "0000:00:05.0@8086:10d3", "00:06.0" } },
	{ "a,bc", 3, 2, { "a", "b" } },		/* the length rules, not NUL */
	{ "a,b\0,c", 3, 2, { "a", "b" } },
};

static void test_next_item(void)
{
	size_t i;

	for (i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		const struct list_case *c = &list_cases[i];
		size_t len = in_len(c->in, c->len), pos = 0, item_len;
		char *in = exact(c->in, len);
		const char *item;
		int n = 0, bad = 0;

		while (vc_next_item(in, len, &pos, &item, &item_len)) {
			if (n >= MAX_ITEMS) {
				bad = 1;
				break;
			}
			if (n < c->n) {
				const char *w = c->items[n];
				size_t wlen = strlen(w);

				if (item < in || item + item_len > in + len || item_len != wlen ||
				    memcmp(item, w, wlen))
					bad = 1;
			}
			n++;
		}
		check(!bad && n == c->n, "vc_next_item(%s) gave %d items (%s), want %d",
		      q(c->in, len), n, bad ? "wrong" : "right", c->n);
		/* Once at the end, it stays there. */
		check(!vc_next_item(in, len, &pos, &item, &item_len),
		      "vc_next_item(%s) yields again after the end", q(c->in, len));
		free(in);
	}
}

int main(void)
{
	test_addr();
	test_format();
	test_id();
	test_id_matches();
	test_slot();
	test_addr_equal();
	test_next_item();
	printf("test_vc_parse: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
