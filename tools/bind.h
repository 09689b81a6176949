/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Binding and releasing devices now, without a reboot, through
 * driver_override, the driver's unbind and the bus's drivers_probe (never
 * new_id, which is global). Each device's previous driver is remembered under
 * /run/vfio-claim/bound so that unbind can give it back. Every result is
 * checked; on any failure the devices already touched are put back as they
 * were. Helpers return -errno and leave what went wrong in *err.
 */
#pragma once

#include <stdbool.h>

#include "pci.h"
#include "sysroot.h"

#define BIND_STATE_DIR "run/vfio-claim/bound"

struct bind_error {
	char text[400];
};

/* Give each device to vfio-pci; devices already on it are left alone. */
int bind_to_vfio(const struct sysroot *root, struct pci_dev **devs, int n, struct bind_error *err);
/* Take each device from vfio-pci back to the driver it had before bind, or let the kernel choose. */
int release_from_vfio(const struct sysroot *root, struct pci_dev **devs, int n,
		      struct bind_error *err);
/* True for a name that can be a driver's directory under sys/bus/pci/drivers ([A-Za-z0-9_.-], not "." or ".."). */
bool bind_valid_driver_name(const char *name);
/* The driver remembered for a device, or NULL (also when the state file names no valid driver). */
char *bind_remembered_driver(const struct sysroot *root, const struct pci_dev *d);
