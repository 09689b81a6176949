/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI devices of a machine as sysfs shows them: one scan reads every
 * device under sys/bus/pci/devices, its attributes, driver, IOMMU group and
 * SR-IOV links. Later passes (names, usage, groups) fill in the rest.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sysroot.h"
#include "vc_parse.h"

#define PCI_CLASS_BRIDGE_HOST 0x0600
#define PCI_CLASS_BRIDGE_ISA 0x0601
#define PCI_CLASS_BRIDGE_PCI 0x0604
#define PCI_CLASS_BRIDGE_CARDBUS 0x0607
#define PCI_CLASS_BRIDGE_PCI_SEMI 0x0609
#define PCI_CLASS_DISPLAY_VGA 0x0300

/* Something on the host that uses the device: a mounted filesystem or a network interface. */
struct pci_use {
	enum { USE_MOUNT, USE_SWAP, USE_NET } kind;
	char *what;	/* mount point, swap device, or interface name */
	char *via;	/* block device ("nvme0n1p2") or NULL */
	bool active;	/* for USE_NET: the interface is up; always true otherwise */
};

struct pci_dev {
	struct vc_pci_addr addr;
	char name[VC_ADDR_STRLEN];	/* canonical address */
	char *syspath;			/* "sys/devices/pci0000:00/..." */
	uint32_t vendor, device, subvendor, subdevice;
	uint32_t class;			/* 24 bits: class, subclass, prog-if */
	int revision;			/* -1 unknown */
	char *driver;			/* NULL when unbound */
	char *driver_override;		/* NULL when unset */
	int boot_vga;			/* -1 no such attribute, else 0 or 1 */
	char *reset_method;		/* NULL when the kernel has no reset_method */
	char *modalias;			/* "pci:v...", NULL when absent */
	int group;			/* -1 without an IOMMU group */
	int numvfs, totalvfs;		/* -1 when not an SR-IOV PF */
	struct pci_dev *physfn;		/* the PF of a VF */
	struct pci_dev **vfs;		/* the VFs of a PF, in address order */
	int n_vfs;
	struct pci_dev *upstream;	/* the bridge it sits behind, NULL on a root bus */
	char *vendor_name, *device_name, *class_name;	/* from the hwdb, NULL when unknown */
	struct pci_use *uses;
	int n_uses;
	bool claimed_by_module;		/* listed in vfio_claim's claimed parameter */
};

struct pci_set {
	struct pci_dev *devs;	/* sorted by address */
	int n;
};

/*
 * Read every PCI device. A device that vanishes while it is read (hot
 * removal) is left out and reported through *vanished (count). Returns 0,
 * -ENOENT when the root has no sys/bus/pci, or -errno with *failed_path set
 * to the attribute that could not be read (malloc'd).
 */
int pci_scan(const struct sysroot *root, struct pci_set *set, int *vanished, char **failed_path);
void pci_set_free(struct pci_set *set);

struct pci_dev *pci_find(const struct pci_set *set, const struct vc_pci_addr *addr);

static inline unsigned int pci_base_class(const struct pci_dev *d)
{
	return d->class >> 16;
}

static inline unsigned int pci_class16(const struct pci_dev *d)
{
	return d->class >> 8;
}

/* A bridge: vfio-pci refuses it and vfio-claim never claims it. */
bool pci_is_bridge(const struct pci_dev *d);
/* Chipset plumbing (host, ISA, PCI bridges...): never an endpoint to pass through. */
bool pci_is_infrastructure(const struct pci_dev *d);
/* The driver manages DMA itself, so the group stays viable with the device bound to it. */
bool pci_driver_manages_dma(const char *driver);
bool pci_driver_is_vfio(const char *driver);
/*
 * A registered driver without a module link in sysfs is built into the
 * kernel: libkmod cannot always tell, since Debian's built-in index carries
 * no aliases for some drivers (8250_pci's "serial").
 */
bool pci_driver_builtin(const struct sysroot *root, const char *driver);
