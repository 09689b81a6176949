/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /etc/vfio-claim.conf and /etc/vfio-claim.conf.d/ *.conf: one claim a line.
 *
 *   # a comment
 *   0000:0a:00.0@10de:1c03 [group] [rebind] [force] [partial] [owner=USER[:GROUP]]
 *   10de:1c03[:1458:3728]  [group] [rebind] [force] [partial] [owner=USER[:GROUP]]
 *
 * An address claim carries the vendor:device it expects there (the same
 * ADDRESS@ID form as the module's slots=), so that a renumbered bus cannot
 * hand the claim to another card. An ID claim takes every device with that
 * ID. "group" extends the claim to the endpoints of the device's IOMMU
 * group (bridges are never claimed). "rebind" lets the module take the device
 * from a driver that already has it when the module loads: the only way
 * past a built-in driver, which binds before any module loads. "force" and
 * "partial" are the claim policy's overrides (policy.h): "force" takes a
 * device the host needs, "partial" a claim that splits a card or a group.
 * "owner=" gives /dev/vfio/N of the group
 * to a user (and group) so that QEMU need not run as root.
 */
#pragma once

#include <stdbool.h>

#include "sysroot.h"
#include "vc_parse.h"

#define CONFIG_MAIN "etc/vfio-claim.conf"
#define CONFIG_DIR "etc/vfio-claim.conf.d"
/* A config file larger than this is refused (-EFBIG), not read. */
#define CONFIG_MAX_BYTES (1u << 20)

enum claim_kind {
	CLAIM_SLOT,	/* an address with its expected ID */
	CLAIM_ID,	/* every device with an ID */
};

struct claim {
	enum claim_kind kind;
	struct vc_slot slot;
	struct vc_pci_id id;
	bool whole_group;
	bool rebind;		/* take it from a driver that has it at module load (a built-in one) */
	bool force;		/* take it even when the host needs it (policy.h) */
	bool partial;		/* take it even when it splits a card or a group (policy.h) */
	char *owner;		/* "user" or "user:group", NULL when not asked */
	char *file;		/* root-relative path, for messages */
	int line;
};

struct config {
	struct claim *claims;
	int n;
	int files;		/* how many files were read */
};

/* A config error: "FILE:LINE: message". */
struct config_error {
	char text[512];
};

/*
 * Read the main file and the conf.d files (in name order). A missing main
 * file is an empty config. Returns 0, -EINVAL with err filled for a bad
 * line, or -errno with err filled for a file that cannot be read.
 */
int config_load(const struct sysroot *root, struct config *cfg, struct config_error *err);
void config_free(struct config *cfg);

/*
 * Whether s is a valid owner= value: USER or USER:GROUP, each 1-32 of
 * [A-Za-z0-9_.-] not starting with '-' (the POSIX portable user name set,
 * which useradd's default NAME_REGEX narrows). The one check for add's
 * --owner and the parser: no blank, newline or quote can reach a generated
 * file through it.
 */
bool config_valid_owner(const char *s);

/* Parse one line into claim (file/line not set). 0 for a claim, 1 for a blank or comment line. */
int config_parse_line(const char *line, struct claim *claim, char *why, size_t why_size);

/* "/FILE:LINE" of a claim. */
void claim_origin_text(const struct claim *c, char *buf, size_t size);

/* The canonical text of a claim, as add writes it. */
void config_format_claim(const struct claim *c, char *buf, size_t size);

/* What names a claim on the command line ('vfio-claim remove' takes it): its address or ID. */
void claim_subject_text(const struct claim *c, char *buf, size_t size);

/*
 * add's and remove's writer, as text: old (a config file's content, without
 * NUL bytes) with line `lineno` (1-based) replaced by `text` (NULL drops it;
 * lineno 0 appends text). The replaced line's inline comment, or its CR in a
 * CRLF file, is kept. *out is malloc'd. Returns 0 or -ENOMEM.
 */
int config_edit_text(const char *old, int lineno, const char *text, char **out);
