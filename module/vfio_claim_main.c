// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_claim: give chosen PCI devices to vfio-pci before any other driver
 * can probe them.
 *
 * Usage:
 *
 *   modprobe vfio_claim ids=8086:10d3,10de:2204:1458:403b \
 *                       slots=0000:0a:00.0@10de:2204,0a:00.1 rebind=0
 *
 * (or the same as "options vfio_claim ..." in /etc/modprobe.d, or as
 * vfio_claim.ids=... vfio_claim.slots=... on the kernel command line).
 *
 *   ids=     comma list of vendor:device[:subvendor:subdevice], 4 hex digits
 *            each: every device with that ID is claimed.
 *   slots=   comma list of PCI addresses [domain:]bus:slot.func, each
 *            optionally followed by @vendor:device; the device at that
 *            address is claimed, but only if its ID equals the guard (the
 *            guard catches renumbering after a hardware change; an ids=
 *            entry that matches the device's ID still claims it).
 *   rebind=  0 (default): a matching device that is already bound to another
 *            driver is left alone and logged. 1: it is unbound from that
 *            driver and bound to vfio-pci (at load and at each ids=/slots=
 *            write; never for devices added later, which have no driver).
 *
 * To claim a device is to set its driver_override to "vfio-pci": from then
 * on no other driver, built-in or loaded, matches it, and vfio-pci binds it
 * as soon as it is loaded.  vfio_claim never unbinds without rebind=1 and
 * never claims:
 *   - a bridge (header type not normal): it stays with pcieport;
 *   - a device without an IOMMU group (IOMMU off or absent): vfio-pci could
 *     not bind it and it would end up with no driver at all;
 *   - a device whose driver_override already names another driver;
 *   - a device whose ID does not match the @vendor:device guard of its slot.
 * Each claim and each refusal is logged with the device and the reason:
 *   pci 0000:00:05.0: vfio_claim: claimed for vfio-pci (slot 0000:00:05.0@8086:10d3)
 *
 * When:
 *   - at load, every present device is considered;
 *   - every device added later (hotplug, rescan, SR-IOV VFs) is claimed
 *     from a PCI bus notifier, before the driver core probes it.  There the
 *     override is all that is done; udev (60-vfio-claim.rules) loads
 *     vfio-pci when it sees the device;
 *   - ids and slots are writable in /sys/module/vfio_claim/parameters/: a
 *     write replaces the whole list (a bad item rejects the write with
 *     -EINVAL and changes nothing) and is applied at once to the present
 *     devices, as at load.
 * When present devices are claimed (at load or on a write), vfio_claim asks
 * for vfio-pci (request_module) and probes them, so that they are bound
 * without waiting for udev.  Unloading leaves every override as it is.
 *
 * What is in force, in /sys/module/vfio_claim/parameters/:
 *   ids      the ID list, normalised: "8086:10d3,10de:2204:1458:403b\n"
 *   slots    the slot list, normalised: "0000:0a:00.0@10de:2204,0000:0a:00.1\n"
 *   claimed  (read-only) the devices whose driver_override vfio_claim set,
 *            or found already set to vfio-pci when they matched, since it
 *            was loaded and still present: a comma list of canonical
 *            addresses, e.g. "0000:00:05.0,0000:01:00.2\n", "\n" when none.
 *            The list is cut at the last whole address before a page.
 *
 * The list parser (vc_parse.c) is the one the vfio-claim tool uses.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#define dev_fmt pr_fmt

#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/kernel.h>
#include <linux/kmod.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "vc_parse.h"

#ifndef VC_VERSION
#define VC_VERSION "unknown"
#endif

#define VC_DRIVER "vfio-pci"

/* Enough for "slot ffffffff:ff:1f.7@ffff:ffff" and "id ffff:ffff:ffff:ffff". */
#define VC_WHY_LEN 40
/* Driver names are short; a longer override is only logged, cut. */
#define VC_NAME_LEN 64

struct vc_id_list {
	struct rcu_head rcu;
	unsigned int n;
	struct vc_pci_id id[];
};

struct vc_slot_list {
	struct rcu_head rcu;
	unsigned int n;
	struct vc_slot slot[];
};

struct vc_claim {
	struct list_head node;
	struct vc_pci_addr addr;
};

/* A present device that a load or a write claimed and will now probe. */
struct vc_pending {
	struct list_head node;
	struct pci_dev *pdev;
	bool release;		/* rebind=1: unbind its driver first */
	char from[VC_NAME_LEN];	/* that driver */
};

enum vc_state { VC_LOADING, VC_LIVE, VC_GONE };

enum vc_mode {
	VC_NOTIFY,		/* a device being added: set the override only */
	VC_WALK,		/* a present device, at load or on a write */
	VC_WALK_REBIND,		/* the same with rebind=1 */
};

enum vc_match { VC_NO_MATCH, VC_MATCH, VC_GUARD_MISMATCH };

/*
 * The lists are read under RCU, so that the bus notifier takes none of the
 * locks held while devices are walked, unbound or probed; vc_mutex
 * serialises the writers and the walks.
 */
static struct vc_id_list __rcu *vc_ids;
static struct vc_slot_list __rcu *vc_slots;
static DEFINE_MUTEX(vc_mutex);
static enum vc_state vc_state = VC_LOADING;

static LIST_HEAD(vc_claims);
static DEFINE_SPINLOCK(vc_claims_lock);

static bool rebind;
module_param(rebind, bool, 0644);
MODULE_PARM_DESC(rebind,
		 "Also take matching devices that are bound to another driver: unbind them and bind them to vfio-pci, at load and at each ids=/slots= write (default 0: leave them and log it)");

/*
 * driver_override moved from struct pci_dev into struct device, with its own
 * lock and setter, inside the 6.12 stable series; Kbuild tells which API the
 * headers have (VC_HAVE_DEVICE_SET_DRIVER_OVERRIDE).
 */
#ifdef VC_HAVE_DEVICE_SET_DRIVER_OVERRIDE
static void vc_get_override(struct pci_dev *pdev, char *buf, size_t size)
{
	spin_lock(&pdev->dev.driver_override.lock);
	strscpy(buf, pdev->dev.driver_override.name ?: "", size);
	spin_unlock(&pdev->dev.driver_override.lock);
}

static int vc_set_override(struct pci_dev *pdev)
{
	return device_set_driver_override(&pdev->dev, VC_DRIVER);
}
#else
static void vc_get_override(struct pci_dev *pdev, char *buf, size_t size)
{
	/* driver_set_override() replaces it under the device lock. */
	device_lock(&pdev->dev);
	strscpy(buf, pdev->driver_override ?: "", size);
	device_unlock(&pdev->dev);
}

static int vc_set_override(struct pci_dev *pdev)
{
	/* Copies the string; takes the device lock itself. */
	return driver_set_override(&pdev->dev, &pdev->driver_override,
				   VC_DRIVER, strlen(VC_DRIVER));
}
#endif

static void vc_get_driver(struct pci_dev *pdev, char *buf, size_t size)
{
	device_lock(&pdev->dev);
	strscpy(buf, pdev->dev.driver ? pdev->dev.driver->name : "", size);
	device_unlock(&pdev->dev);
}

static void vc_pdev_addr(const struct pci_dev *pdev, struct vc_pci_addr *addr)
{
	addr->domain = (u32)pci_domain_nr(pdev->bus);
	addr->bus = pdev->bus->number;
	addr->slot = PCI_SLOT(pdev->devfn);
	addr->func = PCI_FUNC(pdev->devfn);
}

static int vc_format_id(char *buf, size_t size, const struct vc_pci_id *id)
{
	if (id->subvendor == VC_ANY_ID)
		return scnprintf(buf, size, "%04x:%04x", id->vendor, id->device);
	return scnprintf(buf, size, "%04x:%04x:%04x:%04x", id->vendor,
			 id->device, id->subvendor, id->subdevice);
}

static int vc_format_slot(char *buf, size_t size, const struct vc_slot *slot)
{
	char addr[VC_ADDR_STRLEN];

	vc_format_addr(addr, &slot->addr);
	if (!slot->has_id)
		return scnprintf(buf, size, "%s", addr);
	return scnprintf(buf, size, "%s@%04x:%04x", addr, slot->vendor,
			 slot->device);
}

/*
 * Does a rule name @pdev?  A slot rule wins over an ID rule; a slot whose
 * guard does not match does not apply, but an ID rule still may.  @why gets
 * the rule, for the log.
 */
static enum vc_match vc_match(struct pci_dev *pdev, char *why, size_t size)
{
	enum vc_match match = VC_NO_MATCH;
	const struct vc_slot_list *slots;
	const struct vc_id_list *ids;
	struct vc_pci_addr addr;
	unsigned int i;
	int n;

	vc_pdev_addr(pdev, &addr);
	rcu_read_lock();
	slots = rcu_dereference(vc_slots);
	for (i = 0; slots && i < slots->n; i++) {
		const struct vc_slot *s = &slots->slot[i];

		if (!vc_addr_equal(&s->addr, &addr))
			continue;
		n = scnprintf(why, size, "slot ");
		vc_format_slot(why + n, size - n, s);
		if (s->has_id &&
		    (s->vendor != pdev->vendor || s->device != pdev->device)) {
			match = VC_GUARD_MISMATCH;
			continue;
		}
		match = VC_MATCH;
		goto out_unlock;
	}
	ids = rcu_dereference(vc_ids);
	for (i = 0; ids && i < ids->n; i++) {
		const struct vc_pci_id *id = &ids->id[i];

		if (!vc_id_matches(id, pdev->vendor, pdev->device,
				   pdev->subsystem_vendor,
				   pdev->subsystem_device))
			continue;
		if (match == VC_GUARD_MISMATCH)
			pci_warn(pdev, "is %04x:%04x, not what %s expects; claimed by ID instead\n",
				 pdev->vendor, pdev->device, why);
		n = scnprintf(why, size, "id ");
		vc_format_id(why + n, size - n, id);
		match = VC_MATCH;
		goto out_unlock;
	}
out_unlock:
	rcu_read_unlock();
	return match;
}

/*
 * Remember that @pdev is claimed, for the claimed parameter.  Returns 1 if
 * it was not listed yet, 0 if it was, or -ENOMEM.
 */
static int vc_record(struct pci_dev *pdev)
{
	struct vc_claim *claim, *c;

	claim = kzalloc(sizeof(*claim), GFP_KERNEL);
	if (!claim)
		return -ENOMEM;
	vc_pdev_addr(pdev, &claim->addr);
	spin_lock(&vc_claims_lock);
	list_for_each_entry(c, &vc_claims, node) {
		if (vc_addr_equal(&c->addr, &claim->addr)) {
			spin_unlock(&vc_claims_lock);
			kfree(claim);
			return 0;
		}
	}
	list_add_tail(&claim->node, &vc_claims);
	spin_unlock(&vc_claims_lock);
	return 1;
}

static void vc_forget(struct pci_dev *pdev)
{
	struct vc_claim *c, *tmp;
	struct vc_pci_addr addr;

	vc_pdev_addr(pdev, &addr);
	spin_lock(&vc_claims_lock);
	list_for_each_entry_safe(c, tmp, &vc_claims, node) {
		if (vc_addr_equal(&c->addr, &addr)) {
			list_del(&c->node);
			kfree(c);
		}
	}
	spin_unlock(&vc_claims_lock);
}

/*
 * Claim @pdev if a rule names it and nothing forbids it.  In VC_NOTIFY mode
 * (the bus notifier, under pci_rescan_remove_lock on hotplug, rescan and VF
 * creation) only the override is set.  In the walk modes a device to probe
 * or to rebind goes on @pending, handled by vc_run_pending() once vc_mutex
 * is dropped.
 */
static void vc_consider(struct pci_dev *pdev, enum vc_mode mode,
			struct list_head *pending)
{
	char why[VC_WHY_LEN], name[VC_NAME_LEN], vf[32] = "";
	struct iommu_group *group;
	struct vc_pending *p;
	int ret;

	switch (vc_match(pdev, why, sizeof(why))) {
	case VC_NO_MATCH:
		return;
	case VC_GUARD_MISMATCH:
		pci_warn(pdev, "is %04x:%04x, not what %s expects; not claimed (was the hardware changed?)\n",
			 pdev->vendor, pdev->device, why);
		return;
	case VC_MATCH:
		break;
	}

	if (pdev->is_virtfn)
		scnprintf(vf, sizeof(vf), ", VF of %s",
			  pci_name(pci_physfn(pdev)));

	vc_get_override(pdev, name, sizeof(name));
	if (name[0]) {
		if (strcmp(name, VC_DRIVER)) {
			pci_warn(pdev, "driver_override is %s; left alone, not claimed (%s%s)\n",
				 name, why, vf);
			return;
		}
		/* Said once, not at every write of ids or slots. */
		ret = vc_record(pdev);
		if (ret)
			pci_info(pdev, "driver_override already %s; counted as claimed (%s%s)%s\n",
				 VC_DRIVER, why, vf,
				 ret < 0 ? "; out of memory, not listed in claimed" : "");
		return;
	}

	if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL) {
		pci_warn(pdev, "is a bridge (header type %u); bridges are never claimed (%s)\n",
			 pdev->hdr_type, why);
		return;
	}

	group = iommu_group_get(&pdev->dev);
	if (!group) {
		pci_warn(pdev, "has no IOMMU group: the IOMMU is off or absent, vfio-pci could not bind it; not claimed (%s%s)\n",
			 why, vf);
		return;
	}
	iommu_group_put(group);

	vc_get_driver(pdev, name, sizeof(name));
	if (name[0] && strcmp(name, VC_DRIVER) && mode != VC_WALK_REBIND) {
		pci_info(pdev, "bound to %s; not claimed, use rebind=1 or vfio-claim bind (%s%s)\n",
			 name, why, vf);
		return;
	}

	ret = vc_set_override(pdev);
	if (ret) {
		pci_warn(pdev, "cannot set driver_override: %d; not claimed (%s%s)\n",
			 ret, why, vf);
		return;
	}
	ret = vc_record(pdev);
	pci_info(pdev, "claimed for %s (%s%s)%s\n", VC_DRIVER, why, vf,
		 ret < 0 ? "; out of memory, not listed in claimed" : "");

	if (mode == VC_NOTIFY || !strcmp(name, VC_DRIVER))
		return;
	/* Without memory it is not probed now; vfio-pci takes it when loaded. */
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return;
	p->pdev = pci_dev_get(pdev);
	p->release = name[0] != '\0';
	strscpy(p->from, name, sizeof(p->from));
	list_add_tail(&p->node, pending);
}

/* Consider every present device.  Called with vc_mutex held. */
static void vc_walk(struct list_head *pending)
{
	enum vc_mode mode = READ_ONCE(rebind) ? VC_WALK_REBIND : VC_WALK;
	struct pci_dev *pdev = NULL;

	lockdep_assert_held(&vc_mutex);
	for_each_pci_dev(pdev)
		vc_consider(pdev, mode, pending);
}

/*
 * Unbind (rebind=1) and probe what vc_walk() claimed.  Called without
 * vc_mutex: a probe may add devices (a PF driver creating VFs), and their
 * notifier calls must not wait for us.
 */
static void vc_run_pending(struct list_head *pending)
{
	struct vc_pending *p, *tmp;
	int ret;

	if (list_empty(pending))
		return;
	/* Devices added later get vfio-pci from udev; these are here now. */
	ret = request_module(VC_DRIVER);
	if (ret)
		pr_warn("cannot load %s (%d); claimed devices stay unbound until it is loaded\n",
			VC_DRIVER, ret);

	list_for_each_entry_safe(p, tmp, pending, node) {
		if (p->release) {
			pci_info(p->pdev, "unbinding from %s (rebind=1)\n",
				 p->from);
			device_release_driver(&p->pdev->dev);
		}
		ret = device_attach(&p->pdev->dev);
		if (ret < 0)
			pci_warn(p->pdev, "probe failed: %d\n", ret);
		else if (ret == 0 && p->release)
			pci_warn(p->pdev, "unbound from %s, but %s did not bind it\n",
				 p->from, VC_DRIVER);
		else if (p->release)
			pci_info(p->pdev, "moved from %s to %s\n", p->from,
				 VC_DRIVER);
		list_del(&p->node);
		pci_dev_put(p->pdev);
		kfree(p);
	}
}

static int vc_bus_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);

	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
		vc_consider(pdev, VC_NOTIFY, NULL);
		break;
	case BUS_NOTIFY_DEL_DEVICE:
		vc_forget(pdev);
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block vc_nb = {
	.notifier_call = vc_bus_notify,
};

/*
 * Count the items of a list and reject an empty one ("a,,b", "a,"); the
 * parse proper follows once the array is allocated.
 */
static int vc_count_items(const char *name, const char *val, size_t len,
			  unsigned int *count)
{
	size_t pos = 0, item_len;
	const char *item;
	unsigned int n = 0;

	while (vc_next_item(val, len, &pos, &item, &item_len)) {
		if (!item_len) {
			pr_err("%s: empty item in the list; %s unchanged\n",
			       name, name);
			return -EINVAL;
		}
		n++;
	}
	*count = n;
	return 0;
}

/*
 * Apply the lists to the present devices after a write.  Called with
 * vc_mutex held; drops it.
 */
static void vc_apply_and_unlock(void)
{
	LIST_HEAD(pending);

	lockdep_assert_held(&vc_mutex);
	if (vc_state == VC_LIVE)
		vc_walk(&pending);
	mutex_unlock(&vc_mutex);
	vc_run_pending(&pending);
}

static int vc_ids_set(const char *val, const struct kernel_param *kp)
{
	struct vc_id_list *new = NULL, *old;
	size_t len = val ? strlen(val) : 0, pos = 0, item_len;
	const char *item;
	unsigned int n;
	int ret;

	ret = vc_count_items("ids", val, len, &n);
	if (ret)
		return ret;
	if (n) {
		new = kzalloc(struct_size(new, id, n), GFP_KERNEL);
		if (!new)
			return -ENOMEM;
	}
	while (new && vc_next_item(val, len, &pos, &item, &item_len)) {
		if (vc_parse_id(item, item_len, &new->id[new->n])) {
			pr_err("ids: '%.*s' is not vendor:device[:subvendor:subdevice] (4 hex digits each); ids unchanged\n",
			       (int)min_t(size_t, item_len, 64), item);
			ret = -EINVAL;
			goto out_free;
		}
		new->n++;
	}

	mutex_lock(&vc_mutex);
	if (vc_state == VC_GONE) {
		ret = -ENODEV;
		goto out_unlock;
	}
	old = rcu_replace_pointer(vc_ids, new, lockdep_is_held(&vc_mutex));
	if (old)
		kfree_rcu(old, rcu);
	vc_apply_and_unlock();
	return 0;

out_unlock:
	mutex_unlock(&vc_mutex);
out_free:
	kfree(new);
	return ret;
}

static int vc_ids_get(char *buf, const struct kernel_param *kp)
{
	const struct vc_id_list *ids;
	unsigned int i;
	int n = 0;

	rcu_read_lock();
	ids = rcu_dereference(vc_ids);
	for (i = 0; ids && i < ids->n; i++) {
		if (i)
			n += scnprintf(buf + n, PAGE_SIZE - n, ",");
		n += vc_format_id(buf + n, PAGE_SIZE - n, &ids->id[i]);
	}
	rcu_read_unlock();
	n += scnprintf(buf + n, PAGE_SIZE - n, "\n");
	return n;
}

static const struct kernel_param_ops vc_ids_ops = {
	.set = vc_ids_set,
	.get = vc_ids_get,
};

module_param_cb(ids, &vc_ids_ops, NULL, 0644);
MODULE_PARM_DESC(ids,
		 "Claim every device with one of these IDs: comma list of vendor:device[:subvendor:subdevice], 4 hex digits each, e.g. 8086:10d3,10de:2204:1458:403b. A write replaces the list and applies it at once; an empty write clears it");

static int vc_slots_set(const char *val, const struct kernel_param *kp)
{
	struct vc_slot_list *new = NULL, *old;
	size_t len = val ? strlen(val) : 0, pos = 0, item_len;
	const char *item;
	unsigned int n;
	int ret;

	ret = vc_count_items("slots", val, len, &n);
	if (ret)
		return ret;
	if (n) {
		new = kzalloc(struct_size(new, slot, n), GFP_KERNEL);
		if (!new)
			return -ENOMEM;
	}
	while (new && vc_next_item(val, len, &pos, &item, &item_len)) {
		if (vc_parse_slot(item, item_len, &new->slot[new->n])) {
			pr_err("slots: '%.*s' is not [domain:]bus:slot.func[@vendor:device] (hex, slot <= 1f, func <= 7); slots unchanged\n",
			       (int)min_t(size_t, item_len, 64), item);
			ret = -EINVAL;
			goto out_free;
		}
		new->n++;
	}

	mutex_lock(&vc_mutex);
	if (vc_state == VC_GONE) {
		ret = -ENODEV;
		goto out_unlock;
	}
	old = rcu_replace_pointer(vc_slots, new, lockdep_is_held(&vc_mutex));
	if (old)
		kfree_rcu(old, rcu);
	vc_apply_and_unlock();
	return 0;

out_unlock:
	mutex_unlock(&vc_mutex);
out_free:
	kfree(new);
	return ret;
}

static int vc_slots_get(char *buf, const struct kernel_param *kp)
{
	const struct vc_slot_list *slots;
	unsigned int i;
	int n = 0;

	rcu_read_lock();
	slots = rcu_dereference(vc_slots);
	for (i = 0; slots && i < slots->n; i++) {
		if (i)
			n += scnprintf(buf + n, PAGE_SIZE - n, ",");
		n += vc_format_slot(buf + n, PAGE_SIZE - n, &slots->slot[i]);
	}
	rcu_read_unlock();
	n += scnprintf(buf + n, PAGE_SIZE - n, "\n");
	return n;
}

static const struct kernel_param_ops vc_slots_ops = {
	.set = vc_slots_set,
	.get = vc_slots_get,
};

module_param_cb(slots, &vc_slots_ops, NULL, 0644);
MODULE_PARM_DESC(slots,
		 "Claim the devices at these PCI addresses: comma list of [domain:]bus:slot.func, each optionally @vendor:device to claim it only if its ID is that, e.g. 0000:0a:00.0@10de:2204,0a:00.1. A write replaces the list and applies it at once; an empty write clears it");

static int vc_claimed_set(const char *val, const struct kernel_param *kp)
{
	pr_err("claimed is read-only: it lists what ids= and slots= claimed\n");
	return -EPERM;
}

static int vc_claimed_get(char *buf, const struct kernel_param *kp)
{
	char addr[VC_ADDR_STRLEN];
	const struct vc_claim *c;
	int n = 0;

	spin_lock(&vc_claims_lock);
	list_for_each_entry(c, &vc_claims, node) {
		/* Room for a comma, the address and the final newline. */
		if (n + 1 + VC_ADDR_STRLEN >= PAGE_SIZE)
			break;
		n += scnprintf(buf + n, PAGE_SIZE - n, "%s%s", n ? "," : "",
			       vc_format_addr(addr, &c->addr));
	}
	spin_unlock(&vc_claims_lock);
	n += scnprintf(buf + n, PAGE_SIZE - n, "\n");
	return n;
}

static const struct kernel_param_ops vc_claimed_ops = {
	.set = vc_claimed_set,
	.get = vc_claimed_get,
};

module_param_cb(claimed, &vc_claimed_ops, NULL, 0444);
MODULE_PARM_DESC(claimed,
		 "Read-only: the present devices whose driver_override vfio_claim set to vfio-pci (or found so when they matched), as a comma list of addresses");

static void vc_free_all(void)
{
	struct vc_claim *c, *tmp;

	kfree(rcu_dereference_protected(vc_ids, 1));
	RCU_INIT_POINTER(vc_ids, NULL);
	kfree(rcu_dereference_protected(vc_slots, 1));
	RCU_INIT_POINTER(vc_slots, NULL);
	spin_lock(&vc_claims_lock);
	list_for_each_entry_safe(c, tmp, &vc_claims, node) {
		list_del(&c->node);
		kfree(c);
	}
	spin_unlock(&vc_claims_lock);
}

static int __init vc_init(void)
{
	LIST_HEAD(pending);
	int ret;

	/* First the notifier, then the walk: no device added between is missed. */
	ret = bus_register_notifier(&pci_bus_type, &vc_nb);
	if (ret) {
		pr_err("cannot register the PCI bus notifier: %d\n", ret);
		goto out_free;
	}

	mutex_lock(&vc_mutex);
	vc_state = VC_LIVE;
	vc_walk(&pending);
	mutex_unlock(&vc_mutex);
	vc_run_pending(&pending);
	pr_info("version %s loaded; rebind=%d\n", VC_VERSION, READ_ONCE(rebind));
	return 0;

out_free:
	vc_free_all();
	return ret;
}
module_init(vc_init);

static void __exit vc_exit(void)
{
	bus_unregister_notifier(&pci_bus_type, &vc_nb);
	mutex_lock(&vc_mutex);
	vc_state = VC_GONE;
	mutex_unlock(&vc_mutex);
	/* Readers of the lists (parameter reads) are RCU readers. */
	synchronize_rcu();
	vc_free_all();
	pr_info("unloaded; driver_override of claimed devices left as is\n");
}
module_exit(vc_exit);

MODULE_DESCRIPTION("Claim PCI devices for vfio-pci by driver_override, before any other driver probes them");
MODULE_AUTHOR("The vfio-claim authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(VC_VERSION);
