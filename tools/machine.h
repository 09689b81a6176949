/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything the commands need to know about the machine, read in one go:
 * its PCI devices with names and uses, and its IOMMU groups with verdicts.
 */
#pragma once

#include "command.h"
#include "config.h"
#include "groups.h"
#include "kmodinfo.h"
#include "pci.h"

struct machine {
	struct pci_set pci;
	struct group_set groups;
};

/* Read the machine under ctx's root; reports problems itself and returns an exit code, or 0. */
int machine_load(struct context *ctx, struct machine *m);
void machine_free(struct machine *m);

/*
 * Parse a device named on the command line (an address, with or without
 * domain) and find it. Reports and returns an exit code when it is malformed
 * (64) or absent (69), else 0.
 */
int machine_find_device(const struct machine *m, const char *arg, const struct command *cmd,
			struct pci_dev **dev);

/* Load the config; on a bad line report FILE:LINE and return 65 (exit codes, or 0). */
int config_load_or_report(struct context *ctx, struct config *cfg);
/* Open libkmod for the root's kernel, or report what is missing and return 69. */
int kmodinfo_open_or_report(struct context *ctx, struct kmodinfo **kmod, char *kver, size_t size);
/*
 * Make sure vfio-pci is there to bind to: on the running system load it
 * (kmod may be NULL: then it is opened here); under another --root only
 * report. Returns an exit code, or 0.
 */
int vfio_pci_load_or_report(struct context *ctx, struct kmodinfo *kmod);
/* Take the run lock; returns its fd, or reports and returns -(exit code). */
int lock_take_or_report(struct context *ctx);
