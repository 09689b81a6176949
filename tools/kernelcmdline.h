/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /etc/kernel/cmdline: the command line kernel-install puts into the boot
 * entries of the kernels it installs (systemd's 90-loaderentry.install;
 * ukify, dracut --uefi and mkinitcpio read it for unified kernel images).
 * Without it, kernel-install takes /usr/lib/kernel/cmdline, else
 * /proc/cmdline without BOOT_IMAGE= and initrd= (90-loaderentry.install).
 *
 * apply --kernel-args creates it when it is absent: that fallback line plus
 * the IOMMU arguments it lacks. The file is read whole as a command line, so
 * it cannot carry vfio-claim's marker; a record, KERNEL_CMDLINE_RECORD, holds
 * the line it started from and the line it wrote. While the file still holds
 * exactly that line it is vfio-claim's to change or remove (with the claims);
 * once anybody edits it, it is the administrator's and vfio-claim only says
 * what to add.
 */
#pragma once

#include <stdbool.h>

#include "sysroot.h"

#define KERNEL_CMDLINE "etc/kernel/cmdline"
#define KERNEL_CMDLINE_RECORD "var/lib/vfio-claim/kernel-cmdline"

/*
 * Whether the content of etc/kernel/cmdline (cmdline, NULL: absent) is the
 * line the record (record, NULL: absent) says vfio-claim wrote.
 */
bool kernel_cmdline_is_ours(const char *cmdline, const char *record);

/*
 * What etc/kernel/cmdline and its record should hold for the arguments
 * required (space-separated; "" once no claim is left), given what they hold
 * now (have_cmdline, have_record; NULL when absent) and the options of the
 * next boot's Boot Loader Specification entry (entry_options, NULL when the
 * next boot is not one): *cmdline_want and *record_want, malloc'd, both NULL
 * when neither file should exist (nothing missing from the line to start
 * from, or no claim left). The line to start from: the record's, else
 * /usr/lib/kernel/cmdline, else entry_options, else /proc/cmdline (without
 * BOOT_IMAGE= and initrd=); the arguments go before a "--" word.
 * Returns 0; -EEXIST when etc/kernel/cmdline exists and is not vfio-claim's
 * (with no claim left, *cmdline_want is then have_cmdline, unchanged, and
 * *record_want NULL: a stale record goes); -EINVAL when the line to start
 * from holds a NUL or a byte that is not printable ASCII, or is longer than
 * KERNEL_CMDLINE_MAX; -E2BIG when the line with the arguments would be;
 * -ENOENT when there is no line (no proc/cmdline under the root); -ENOMEM.
 */
int kernel_cmdline_plan(const struct sysroot *root, const char *required, const char *entry_options,
			const char *have_cmdline, const char *have_record, char **cmdline_want,
			char **record_want);

/*
 * The longest line written or started from (bytes, without the NUL): x86's
 * COMMAND_LINE_SIZE is 2048 (arch/x86/include/uapi/asm/setup.h); the kernel
 * cuts a longer line, and the arguments added at its end would be lost.
 */
#define KERNEL_CMDLINE_MAX 2047
