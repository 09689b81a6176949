/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What apply writes, from a resolved config:
 *  - modprobe.d: the vfio_claim module's slots= and ids=, and a softdep
 *    "NATIVE pre: vfio_claim" for each native driver libkmod resolves from
 *    a claimed device's modalias, so that the module is in place first even
 *    where the initramfs loads that driver;
 *  - udev rules that set driver_override (with ID guards) and load
 *    vfio-pci, for boots where the module cannot load (Secure Boot without
 *    an enrolled key), and the /dev/vfio/N ownership asked for.
 */
#pragma once

#include "bootargs.h"
#include "kmodinfo.h"
#include "resolve.h"

#define ARTIFACT_MODPROBE "etc/modprobe.d/vfio-claim-claims.conf"
#define ARTIFACT_UDEV "etc/udev/rules.d/59-vfio-claim-claims.rules"

struct artifacts {
	char *modprobe;		/* NULL when there is nothing to claim */
	char *udev;
	char *slots;		/* the module's parameters, "" when none */
	char *ids;
	char **natives;		/* native modules that got a softdep */
	int n_natives;
	char **builtin;		/* native drivers that are built in: softdeps cannot help */
	int n_builtin;
};

/* kmod may be NULL (no index): no softdeps then. */
int artifacts_build(const struct config *cfg, const struct resolution *res,
		    const struct machine *m, struct kmodinfo *kmod, struct artifacts *a);
void artifacts_free(struct artifacts *a);

/*
 * The kernel arguments still missing from the root's /proc/cmdline (into
 * missing, "" when none), and where they go (into where): what
 * `apply --kernel-args` would do for the root (kernel_args_way, from nb and
 * nb_r as next_boot_read gave them), else "add them" by hand. Returns 1
 * when some are missing, else 0.
 */
int kernel_args_advice(const struct sysroot *root, bool iommu_on, const struct next_boot *nb, int nb_r,
		       char *missing, size_t missing_size, char *where, size_t where_size);
