/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one parser for PCI addresses and IDs, shared by the vfio_claim module
 * and the vfio-claim tool so that both accept exactly the same input.
 *
 * It does no allocation and calls no library function: the same object code
 * builds in the kernel (ids=/slots= parameters) and in userspace (command
 * line, config file), and is fuzzed in userspace.
 *
 * Accepted forms:
 *   address   [DOMAIN:]BUS:SLOT.FUNC   DOMAIN 1-8 hex digits (Intel VMD uses
 *             10000), BUS 1-2, SLOT 1-2 (<= 1f), FUNC 1 digit (<= 7)
 *   id        VVVV:DDDD[:SSSS:ssss]    exactly 4 hex digits each
 *   slot      ADDRESS[@VVVV:DDDD]      an address, optionally ID-guarded
 *   list      ITEM[,ITEM...]           white space around items is ignored
 */
#ifndef VC_PARSE_H
#define VC_PARSE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* The kernel's own definitions: the same types as uint8_t etc. on Linux. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
#endif

/* Same value as the kernel's PCI_ANY_ID. */
#define VC_ANY_ID 0xffffffffU

/* Longest canonical address: "ffffffff:ff:1f.7" plus NUL. */
#define VC_ADDR_STRLEN 17

struct vc_pci_addr {
	u32 domain;
	u8 bus;
	u8 slot;
	u8 func;
};

struct vc_pci_id {
	u32 vendor;
	u32 device;
	u32 subvendor;	/* VC_ANY_ID when not given */
	u32 subdevice;	/* VC_ANY_ID when not given */
};

struct vc_slot {
	struct vc_pci_addr addr;
	bool has_id;	/* an @VVVV:DDDD guard was given */
	u32 vendor;
	u32 device;
};

/* Each returns 0, or -EINVAL when s[0..len) is not exactly one such item. */
int vc_parse_addr(const char *s, size_t len, struct vc_pci_addr *addr);
int vc_parse_id(const char *s, size_t len, struct vc_pci_id *id);
int vc_parse_slot(const char *s, size_t len, struct vc_slot *slot);

/*
 * Iterate over a comma-separated list. *pos starts at 0. Returns true with
 * the next item (trimmed of white space, possibly empty when two commas
 * meet) or false at the end. A list of only white space has no items.
 */
bool vc_next_item(const char *list, size_t len, size_t *pos,
		  const char **item, size_t *item_len);

bool vc_addr_equal(const struct vc_pci_addr *a, const struct vc_pci_addr *b);
bool vc_id_matches(const struct vc_pci_id *id, u32 vendor, u32 device,
		   u32 subvendor, u32 subdevice);

/*
 * Canonical "dddd:bb:ss.f" (domain as at least 4 digits, as the kernel names
 * devices) into buf, which has room for VC_ADDR_STRLEN bytes. Returns buf.
 */
char *vc_format_addr(char *buf, const struct vc_pci_addr *addr);

#endif /* VC_PARSE_H */
