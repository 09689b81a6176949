// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for module/vc_parse.c, the parser the vfio_claim module
 * runs on ids=/slots= writes from userspace:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Imodule \
 *         tests/fuzz/fuzz_vc_parse.c module/vc_parse.c
 *
 * The input goes to every parse function as is (libFuzzer's buffer has
 * exactly `size` bytes and no NUL after it, so a read past the length is an
 * AddressSanitizer error), and as a list through vc_next_item() with each
 * item parsed in place.  Properties checked (a violation aborts):
 *   - a failed parse leaves its output untouched;
 *   - parsed values are in range (slot <= 1f, func <= 7, IDs 16 bits);
 *   - round trip: vc_parse_addr -> vc_format_addr -> vc_parse_addr gives the
 *     same address, and formatting that again gives the same text; the same
 *     for IDs and slots written back in their canonical form;
 *   - an address is also a slot without a guard;
 *   - list items lie inside the list, hold no comma, start and end with no
 *     white space, and there are at most commas + 1 of them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vc_parse.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void check_addr(const char *s, size_t len)
{
	static const struct vc_pci_addr poison = { 0x5a5a5a5a, 0x5a, 0x5a, 0x5a };
	struct vc_pci_addr a = poison, b = poison;
	char text[VC_ADDR_STRLEN], again[VC_ADDR_STRLEN];
	struct vc_slot slot;

	if (vc_parse_addr(s, len, &a)) {
		require(vc_addr_equal(&a, &poison));
		return;
	}
	require(a.slot <= 0x1f && a.func <= 7);
	vc_format_addr(text, &a);
	require(strlen(text) < VC_ADDR_STRLEN);
	require(vc_parse_addr(text, strlen(text), &b) == 0);
	require(vc_addr_equal(&a, &b));
	require(!strcmp(vc_format_addr(again, &b), text));
	require(vc_parse_slot(s, len, &slot) == 0);
	require(vc_addr_equal(&slot.addr, &a) && !slot.has_id);
}

static void check_id(const char *s, size_t len)
{
	static const struct vc_pci_id poison = { 1, 2, 3, 4 };
	struct vc_pci_id id = poison, back;
	char text[32];

	if (vc_parse_id(s, len, &id)) {
		require(id.vendor == 1 && id.device == 2 && id.subvendor == 3 &&
			id.subdevice == 4);
		return;
	}
	require(id.vendor <= 0xffff && id.device <= 0xffff);
	require((id.subvendor == VC_ANY_ID) == (id.subdevice == VC_ANY_ID));
	if (id.subvendor == VC_ANY_ID)
		snprintf(text, sizeof(text), "%04x:%04x", id.vendor, id.device);
	else
		snprintf(text, sizeof(text), "%04x:%04x:%04x:%04x", id.vendor,
			 id.device, id.subvendor, id.subdevice);
	require(vc_parse_id(text, strlen(text), &back) == 0);
	require(back.vendor == id.vendor && back.device == id.device &&
		back.subvendor == id.subvendor && back.subdevice == id.subdevice);
	require(vc_id_matches(&id, id.vendor, id.device,
			      id.subvendor == VC_ANY_ID ? 0x1234 : id.subvendor,
			      id.subdevice == VC_ANY_ID ? 0x5678 : id.subdevice));
	require(!vc_id_matches(&id, id.vendor ^ 1, id.device, 0, 0));
}

static void check_slot(const char *s, size_t len)
{
	static const struct vc_slot poison = { { 9, 9, 9, 9 }, 1, 9, 9 };
	struct vc_slot slot = poison, back;
	char text[VC_ADDR_STRLEN + 16], addr[VC_ADDR_STRLEN];

	if (vc_parse_slot(s, len, &slot)) {
		require(!memcmp(&slot.addr, &poison.addr, sizeof(slot.addr)) &&
			slot.has_id && slot.vendor == 9 && slot.device == 9);
		return;
	}
	require(slot.addr.slot <= 0x1f && slot.addr.func <= 7);
	vc_format_addr(addr, &slot.addr);
	if (slot.has_id) {
		require(slot.vendor <= 0xffff && slot.device <= 0xffff);
		snprintf(text, sizeof(text), "%s@%04x:%04x", addr, slot.vendor,
			 slot.device);
	} else {
		snprintf(text, sizeof(text), "%s", addr);
	}
	require(vc_parse_slot(text, strlen(text), &back) == 0);
	require(vc_addr_equal(&back.addr, &slot.addr) && back.has_id == slot.has_id);
	require(!slot.has_id ||
		(back.vendor == slot.vendor && back.device == slot.device));
}

static void check_list(const char *s, size_t len)
{
	size_t pos = 0, item_len, commas = 0, n = 0, i;
	const char *item;

	for (i = 0; i < len; i++)
		commas += s[i] == ',';
	while (vc_next_item(s, len, &pos, &item, &item_len)) {
		require(++n <= commas + 1);
		require(item >= s && item + item_len <= s + len);
		require(!memchr(item, ',', item_len));
		require(!item_len ||
			(!is_space(item[0]) && !is_space(item[item_len - 1])));
		check_addr(item, item_len);
		check_id(item, item_len);
		check_slot(item, item_len);
	}
	require(!vc_next_item(s, len, &pos, &item, &item_len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	check_addr(s, size);
	check_id(s, size);
	check_slot(s, size);
	check_list(s, size);
	return 0;
}
