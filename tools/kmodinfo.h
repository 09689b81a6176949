/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module tools would do with a device, through libkmod pointed at
 * the root's /lib/modules/KVER and modprobe.d directories: which modules its
 * modalias loads, whether they are built in, blacklisted, soft-dependent or
 * replaced by an install command. The kernel command line is the root's
 * proc/cmdline, parsed here (modprobe.blacklist=, module_blacklist=,
 * MODULE.PARAM=): libkmod reads only the running host's, and what it took
 * from there is cut off its lists, so that a snapshot gives the same answer
 * on every machine.
 */
#pragma once

#include <stdbool.h>

#include "pci.h"
#include "sysroot.h"

struct kmodinfo;

struct native_module {
	char *name;		/* underscores, as modprobe names it */
	bool builtin;
	bool blacklisted;	/* "blacklist NAME" in modprobe.d, or modprobe.blacklist= on the root's cmdline */
	char *install;		/* an install command, NULL when none */
	char *softdep_pre;	/* the "pre:" modules of its softdep, NULL when none */
};

/*
 * Open for the root's kernel: KVER from proc/sys/kernel/osrelease, or the
 * only directory under lib/modules. -ENOENT (and kver filled when known)
 * when lib/modules/KVER/modules.dep.bin is missing.
 */
int kmodinfo_open(const struct sysroot *root, struct kmodinfo **out, char *kver, size_t kver_size);
/*
 * After kmodinfo_open failed with -SYSROOT_ENOTREG (a FIFO, socket or device
 * in modprobe.d or the module directory) or -EXDEV (a link there that leads
 * out of the root): the file, as "/PATH".
 */
const char *kmodinfo_bad_file(void);
void kmodinfo_close(struct kmodinfo *k);
/*
 * The root's kernel release: proc/sys/kernel/osrelease, or the only directory
 * under lib/modules. 0, or -ENOENT when neither tells.
 */
int kmodinfo_find_kver(const struct sysroot *root, char *kver, size_t size);

/*
 * Whether name can be a kernel module name: 1-63 of [A-Za-z0-9_-]
 * (MODULE_NAME_LEN is 64 with the NUL). Names from a tree's module index go
 * into generated modprobe.d lines only when they pass.
 */
bool kmodinfo_valid_name(const char *name);

/* The modules a modalias loads (empty when none); *n set; -EINVAL when the index names one that is not a name. */
int kmodinfo_lookup(struct kmodinfo *k, const char *modalias, struct native_module **mods, int *n);
void native_modules_free(struct native_module *mods, int n);

/* The device's modalias, from sysfs or built from its IDs. */
void pci_modalias(const struct pci_dev *d, char *buf, size_t size);

/* Whether NAME can be loaded for this kernel: 1 a module file, 2 built in, 0 neither. */
int kmodinfo_available(struct kmodinfo *k, const char *name);
/* The modules whose softdep (pre or post) names NAME, space-separated, or NULL. */
char *kmodinfo_softdep_users(struct kmodinfo *k, const char *name);
/* Whether MODULE's softdep loads PRE before it. */
bool kmodinfo_softdep_pre_has(struct kmodinfo *k, const char *module, const char *pre);
/*
 * The value of "options MODULE PARAM=VALUE" in modprobe.d or MODULE.PARAM=VALUE
 * on the root's command line (the later wins), malloc'd, or NULL.
 */
char *kmodinfo_option(struct kmodinfo *k, const char *module, const char *param);
/* The same; *cmdline says whether the value came from the root's command line. */
char *kmodinfo_option_from(struct kmodinfo *k, const char *module, const char *param, bool *cmdline);
/* Whether the root's command line has module_blacklist=...NAME... (every load path stopped). */
bool kmodinfo_hard_blacklisted(const struct kmodinfo *k, const char *name);
/* The modules that depend on NAME (from modules.dep), space-separated, or NULL. */
char *kmodinfo_dependents(struct kmodinfo *k, const char *name);
/*
 * Load NAME and what it depends on into the running kernel, as modprobe would
 * (softdeps included, blacklists ignored as for a module named by hand);
 * 0 when it is loaded or built in, else -errno.
 */
int kmodinfo_load(struct kmodinfo *k, const char *name);
