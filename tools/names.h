/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Vendor, device and class names from the udev hardware database, through
 * libudev: the same names udev and lspci users see. Devices the hwdb does
 * not know keep their IDs alone.
 */
#pragma once

#include "pci.h"

struct names;

/* NULL when the hwdb cannot be opened; names_fill then does nothing. */
struct names *names_open(void);
void names_close(struct names *n);
void names_fill(struct names *n, struct pci_set *set);
