// SPDX-License-Identifier: GPL-2.0
/*
 * Parser for PCI addresses and IDs, compiled into both the vfio_claim module
 * and the vfio-claim tool. See vc_parse.h for the accepted forms.
 */
#include "vc_parse.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Read between min and max hex digits from s[*pos..len) into *value and
 * advance *pos; fail when fewer than min digits are there or more than max
 * digits follow.
 */
static int parse_hex(const char *s, size_t len, size_t *pos, unsigned int min,
		     unsigned int max, u32 *value)
{
	unsigned int n = 0;
	u32 v = 0;
	int d;

	while (*pos < len && (d = hex_value(s[*pos])) >= 0) {
		if (++n > max)
			return -EINVAL;
		v = (v << 4) | (u32)d;
		(*pos)++;
	}
	if (n < min)
		return -EINVAL;
	*value = v;
	return 0;
}

static int expect(const char *s, size_t len, size_t *pos, char c)
{
	if (*pos >= len || s[*pos] != c)
		return -EINVAL;
	(*pos)++;
	return 0;
}

/* Parse an address starting at s[*pos]; leaves *pos after it. */
static int parse_addr_at(const char *s, size_t len, size_t *pos,
			 struct vc_pci_addr *addr)
{
	size_t colons = 0, i;
	u32 domain = 0, bus, slot, func;

	/* Count the colons of the address part to know if a domain is given. */
	for (i = *pos; i < len && s[i] != '@'; i++)
		if (s[i] == ':')
			colons++;
	if (colons < 1 || colons > 2)
		return -EINVAL;
	if (colons == 2) {
		if (parse_hex(s, len, pos, 1, 8, &domain) ||
		    expect(s, len, pos, ':'))
			return -EINVAL;
	}
	if (parse_hex(s, len, pos, 1, 2, &bus) || expect(s, len, pos, ':') ||
	    parse_hex(s, len, pos, 1, 2, &slot) || expect(s, len, pos, '.') ||
	    parse_hex(s, len, pos, 1, 1, &func))
		return -EINVAL;
	if (slot > 0x1f || func > 7)
		return -EINVAL;
	addr->domain = domain;
	addr->bus = (u8)bus;
	addr->slot = (u8)slot;
	addr->func = (u8)func;
	return 0;
}

/**
 * vc_parse_addr() - parse one PCI address
 * @s: the text, not necessarily NUL-terminated
 * @len: its length
 * @addr: where to store the address
 *
 * Context: any; it neither sleeps nor allocates.
 *
 * Return: 0, or -EINVAL unless s[0..len) is exactly one address.
 */
int vc_parse_addr(const char *s, size_t len, struct vc_pci_addr *addr)
{
	struct vc_pci_addr a;
	size_t pos = 0;

	if (parse_addr_at(s, len, &pos, &a) || pos != len)
		return -EINVAL;
	*addr = a;
	return 0;
}

/**
 * vc_parse_id() - parse one vendor:device[:subvendor:subdevice] ID
 * @s: the text, not necessarily NUL-terminated
 * @len: its length
 * @id: where to store the ID; subvendor and subdevice are VC_ANY_ID if absent
 *
 * Context: any; it neither sleeps nor allocates.
 *
 * Return: 0, or -EINVAL unless s[0..len) is exactly one ID.
 */
int vc_parse_id(const char *s, size_t len, struct vc_pci_id *id)
{
	struct vc_pci_id v = { .subvendor = VC_ANY_ID, .subdevice = VC_ANY_ID };
	size_t pos = 0;

	if (parse_hex(s, len, &pos, 4, 4, &v.vendor) ||
	    expect(s, len, &pos, ':') ||
	    parse_hex(s, len, &pos, 4, 4, &v.device))
		return -EINVAL;
	if (pos < len) {
		if (expect(s, len, &pos, ':') ||
		    parse_hex(s, len, &pos, 4, 4, &v.subvendor) ||
		    expect(s, len, &pos, ':') ||
		    parse_hex(s, len, &pos, 4, 4, &v.subdevice))
			return -EINVAL;
	}
	if (pos != len)
		return -EINVAL;
	*id = v;
	return 0;
}

/**
 * vc_parse_slot() - parse an address with an optional @vendor:device guard
 * @s: the text, not necessarily NUL-terminated
 * @len: its length
 * @slot: where to store the result
 *
 * Context: any; it neither sleeps nor allocates.
 *
 * Return: 0, or -EINVAL unless s[0..len) is exactly one slot.
 */
int vc_parse_slot(const char *s, size_t len, struct vc_slot *slot)
{
	struct vc_slot v = { .has_id = false };
	struct vc_pci_id id;
	size_t pos = 0;

	if (parse_addr_at(s, len, &pos, &v.addr))
		return -EINVAL;
	if (pos < len) {
		if (expect(s, len, &pos, '@') ||
		    vc_parse_id(s + pos, len - pos, &id) ||
		    id.subvendor != VC_ANY_ID)
			return -EINVAL;
		v.has_id = true;
		v.vendor = id.vendor;
		v.device = id.device;
	}
	*slot = v;
	return 0;
}

/**
 * vc_next_item() - step through a comma-separated list
 * @list: the list, not necessarily NUL-terminated
 * @len: its length
 * @pos: the iteration state, 0 before the first call
 * @item: set to the start of the next item
 * @item_len: set to its length, white space around it removed
 *
 * Context: any; it neither sleeps nor allocates.
 *
 * Return: true with an item, false at the end of the list.
 */
bool vc_next_item(const char *list, size_t len, size_t *pos,
		  const char **item, size_t *item_len)
{
	size_t start = *pos, end, i;

	if (start > len)
		return false;
	if (start == 0) {
		/* A list of only white space is an empty list. */
		for (i = 0; i < len && is_space(list[i]); i++)
			;
		if (i == len) {
			*pos = len + 1;
			return false;
		}
	}
	for (end = start; end < len && list[end] != ','; end++)
		;
	*pos = end + 1;
	while (start < end && is_space(list[start]))
		start++;
	while (end > start && is_space(list[end - 1]))
		end--;
	*item = list + start;
	*item_len = end - start;
	return true;
}

/**
 * vc_addr_equal() - compare two PCI addresses
 * @a: one address
 * @b: the other
 *
 * Context: any; it neither sleeps nor allocates.
 *
 * Return: true if domain, bus, slot and function are all equal.
 */
bool vc_addr_equal(const struct vc_pci_addr *a, const struct vc_pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus &&
	       a->slot == b->slot && a->func == b->func;
}

/**
 * vc_id_matches() - does a device's ID match a parsed ID?
 * @id: the ID from vc_parse_id(); its subvendor and subdevice match anything
 *      when they are VC_ANY_ID
 * @vendor: the device's vendor
 * @device: the device's device ID
 * @subvendor: the device's subsystem vendor
 * @subdevice: the device's subsystem device ID
 *
 * Context: any; it neither sleeps nor allocates.
 *
 * Return: true if the device matches @id.
 */
bool vc_id_matches(const struct vc_pci_id *id, u32 vendor, u32 device,
		   u32 subvendor, u32 subdevice)
{
	return id->vendor == vendor && id->device == device &&
	       (id->subvendor == VC_ANY_ID || id->subvendor == subvendor) &&
	       (id->subdevice == VC_ANY_ID || id->subdevice == subdevice);
}

static char *put_hex(char *p, u32 v, unsigned int digits)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i;

	for (i = digits; i > 0; i--)
		*p++ = hex[(v >> (4 * (i - 1))) & 0xf];
	return p;
}

/**
 * vc_format_addr() - write an address the way the kernel names PCI devices
 * @buf: room for VC_ADDR_STRLEN bytes
 * @addr: the address
 *
 * Writes "dddd:bb:ss.f" in lower case, the domain with at least 4 digits
 * (more only when it needs them, as for Intel VMD's 10000), NUL-terminated.
 * vc_parse_addr() reads it back to the same address.
 *
 * Context: any; it neither sleeps nor allocates.
 *
 * Return: @buf.
 */
char *vc_format_addr(char *buf, const struct vc_pci_addr *addr)
{
	unsigned int digits = 4;
	char *p = buf;

	while (digits < 8 && (addr->domain >> (4 * digits)))
		digits++;
	p = put_hex(p, addr->domain, digits);
	*p++ = ':';
	p = put_hex(p, addr->bus, 2);
	*p++ = ':';
	p = put_hex(p, addr->slot, 2);
	*p++ = '.';
	p = put_hex(p, addr->func, 1);
	*p = '\0';
	return buf;
}
