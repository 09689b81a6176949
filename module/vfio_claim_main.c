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
 *            If vfio-pci cannot be loaded the device is not unbound; if
 *            vfio-pci refuses it, its override is cleared and its driver
 *            given back.
 *
 * At load a bad item in ids= or slots= is logged and skipped: the good ones
 * are claimed.  A write of a list with a bad item is refused (-EINVAL) and
 * changes nothing.
 *
 * To claim a device is to set its driver_override to "vfio-pci": from then
 * on no other driver, built-in or loaded, matches it, and vfio-pci binds it
 * as soon as it is loaded.  vfio_claim never unbinds without rebind=1 and
 * never claims (each checked even when the override is already vfio-pci):
 *   - a bridge (header type not normal): it stays with pcieport;
 *   - a device on vfio-pci's denylist (Intel QAT, DSA, IAX), which vfio-pci
 *     refuses to bind;
 *   - an SR-IOV PF with VFs enabled: vfio-pci refuses it, and unbinding it
 *     would take its VFs away (perhaps from running guests);
 *   - a device without an IOMMU group (IOMMU off or absent): vfio-pci could
 *     not bind it and it would end up with no driver at all.  vfio's
 *     noiommu mode is not supported;
 *   - a device whose driver_override already names another driver;
 *   - a device on a vfio-pci variant driver (*_vfio_pci) or pci-stub: it is
 *     already given to userspace, and left as it is;
 *   - a device whose ID does not match the @vendor:device guard of its slot.
 * Each claim and each refusal is logged with the device and the reason:
 *   pci 0000:00:05.0: vfio_claim: claimed for vfio-pci (slot 0000:00:05.0@8086:10d3)
 * A VF created while its PF is on vfio-pci (or a variant) is left to that
 * driver, which sets the VF's override itself (vfio_pci_bus_notifier).
 *
 * When:
 *   - at load, every present device is considered;
 *   - every device added later (hotplug, rescan, SR-IOV VFs) is claimed
 *     from a PCI bus notifier, before the driver core probes it.  There the
 *     override is all that is done; udev (60-vfio-claim.rules) loads
 *     vfio-pci when it sees the device;
 *   - ids and slots are writable in /sys/module/vfio_claim/parameters/: a
 *     write replaces the whole list and sets the overrides of the present
 *     devices at once; loading vfio-pci, unbinding (rebind=1) and probing
 *     follow in a work item, after the write has returned.
 * Unloading leaves every override as it is.
 *
 * What is in force, in /sys/module/vfio_claim/parameters/:
 *   ids      the ID list, normalised: "8086:10d3,10de:2204:1458:403b\n"
 *   slots    the slot list, normalised: "0000:0a:00.0@10de:2204,0000:0a:00.1\n"
 *   claimed  (read-only) the present devices that vfio_claim claimed (or
 *            found already claimed when they matched) and that still are:
 *            their driver_override is vfio-pci and ids/slots still name
 *            them.  A comma list of canonical addresses, e.g.
 *            "0000:00:05.0,0000:01:00.2\n", "\n" when none.
 * A list longer than a page is cut after its last whole item.
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
#include <linux/pci_ids.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "vc_override.h"
#include "vc_parse.h"

#ifndef VC_VERSION
#define VC_VERSION "unknown"
#endif

/* Enough for "slot ffffffff:ff:1f.7@ffff:ffff" and "id ffff:ffff:ffff:ffff". */
#define VC_WHY_LEN 40
/* Driver names are short; a longer override is only logged, cut. */
#define VC_NAME_LEN 64
/* Longest item of either list, as printed: "ffffffff:ff:1f.7@ffff:ffff". */
#define VC_ITEM_LEN 32

/* An ids= or slots= list; items are struct vc_pci_id or struct vc_slot. */
struct vc_list {
	struct rcu_head rcu;
	unsigned int n;
	union {
		DECLARE_FLEX_ARRAY(struct vc_pci_id, id);
		DECLARE_FLEX_ARRAY(struct vc_slot, slot);
	};
};

/* What tells ids= from slots=: the one kernel_param_ops serves both. */
struct vc_param {
	const char *name;
	const char *syntax;
	size_t item_size;
	struct vc_list __rcu **list;
	int (*parse)(const char *s, size_t len, void *item);
	int (*format)(char *buf, size_t size, const void *item);
};

struct vc_claim {
	struct list_head node;
	struct vc_pci_addr addr;
	u64 gen;		/* bumped each time it is (re)recorded */
};

/* A present device that a load or a write claimed and that is to be probed. */
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
 * locks held while devices are walked; vc_mutex serialises the writers, the
 * walks, vc_state and vc_todo.  vc_claims_lock (a mutex: the bus notifier
 * may sleep) guards vc_claims; no device lock is taken under it.
 */
static struct vc_list __rcu *vc_ids;
static struct vc_list __rcu *vc_slots;
static DEFINE_MUTEX(vc_mutex);
static enum vc_state vc_state = VC_LOADING;
static LIST_HEAD(vc_todo);

static LIST_HEAD(vc_claims);
static DEFINE_MUTEX(vc_claims_lock);
static u64 vc_claims_gen;

static bool rebind;
module_param(rebind, bool, 0644);
MODULE_PARM_DESC(rebind,
		 "Also take matching devices that are bound to another driver: unbind them and bind them to vfio-pci, at load and at each ids=/slots= write (default 0: leave them and log it)");

static void vc_pdev_addr(const struct pci_dev *pdev, struct vc_pci_addr *addr)
{
	addr->domain = (u32)pci_domain_nr(pdev->bus);
	addr->bus = pdev->bus->number;
	addr->slot = PCI_SLOT(pdev->devfn);
	addr->func = PCI_FUNC(pdev->devfn);
}

static int vc_format_id(char *buf, size_t size, const void *item)
{
	const struct vc_pci_id *id = item;

	if (id->subvendor == VC_ANY_ID)
		return scnprintf(buf, size, "%04x:%04x", id->vendor, id->device);
	return scnprintf(buf, size, "%04x:%04x:%04x:%04x", id->vendor,
			 id->device, id->subvendor, id->subdevice);
}

static int vc_format_slot(char *buf, size_t size, const void *item)
{
	const struct vc_slot *slot = item;
	char addr[VC_ADDR_STRLEN];

	vc_format_addr(addr, &slot->addr);
	if (!slot->has_id)
		return scnprintf(buf, size, "%s", addr);
	return scnprintf(buf, size, "%s@%04x:%04x", addr, slot->vendor,
			 slot->device);
}

static int vc_parse_id_item(const char *s, size_t len, void *item)
{
	return vc_parse_id(s, len, item);
}

static int vc_parse_slot_item(const char *s, size_t len, void *item)
{
	return vc_parse_slot(s, len, item);
}

/*
 * Does a rule name @pdev?  A slot rule wins over an ID rule; a slot whose
 * guard does not match does not apply, but an ID rule still may.  @why gets
 * the rule, for the log; @quiet says nothing about a guard mismatch.
 */
static enum vc_match vc_match(struct pci_dev *pdev, char *why, size_t size,
			      bool quiet)
{
	enum vc_match match = VC_NO_MATCH;
	const struct vc_list *slots;
	const struct vc_list *ids;
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
		if (match == VC_GUARD_MISMATCH && !quiet)
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
	int ret = 1;

	/* kzalloc_obj() (7.x checkpatch) is not in 6.1: the portable form. */
	claim = kzalloc(sizeof(*claim), GFP_KERNEL);
	if (!claim)
		return -ENOMEM;
	vc_pdev_addr(pdev, &claim->addr);
	mutex_lock(&vc_claims_lock);
	claim->gen = ++vc_claims_gen;
	list_for_each_entry(c, &vc_claims, node) {
		if (vc_addr_equal(&c->addr, &claim->addr)) {
			c->gen = claim->gen;
			ret = 0;
			break;
		}
	}
	if (ret)
		list_add_tail(&claim->node, &vc_claims);
	mutex_unlock(&vc_claims_lock);
	if (!ret)
		kfree(claim);
	return ret;
}

/* Forget @addr; only the entry of generation @gen when @gen is not 0. */
static void vc_forget_addr(const struct vc_pci_addr *addr, u64 gen)
{
	struct vc_claim *c, *tmp;

	mutex_lock(&vc_claims_lock);
	list_for_each_entry_safe(c, tmp, &vc_claims, node) {
		if (vc_addr_equal(&c->addr, addr) && (!gen || c->gen == gen)) {
			list_del(&c->node);
			kfree(c);
		}
	}
	mutex_unlock(&vc_claims_lock);
}

static void vc_forget(struct pci_dev *pdev)
{
	struct vc_pci_addr addr;

	vc_pdev_addr(pdev, &addr);
	vc_forget_addr(&addr, 0);
}

/* Is @pdev still claimed: present, override vfio-pci, named by the lists? */
static bool vc_still_claimed(const struct vc_pci_addr *addr)
{
	char why[VC_WHY_LEN], name[VC_NAME_LEN];
	struct pci_dev *pdev;
	bool ok;

	pdev = pci_get_domain_bus_and_slot(addr->domain, addr->bus,
					   PCI_DEVFN(addr->slot, addr->func));
	if (!pdev)
		return false;
	vc_override_get(pdev, name, sizeof(name));
	ok = !strcmp(name, VC_DRIVER) &&
	     vc_match(pdev, why, sizeof(why), true) == VC_MATCH;
	pci_dev_put(pdev);
	return ok;
}

/*
 * Drop the claims that no longer hold: the device went, its override was
 * cleared or changed, or the lists no longer name it.  The devices are
 * looked at without vc_claims_lock (their locks are taken), and an entry
 * recorded again meanwhile (a new generation) is kept.
 */
static void vc_prune(void)
{
	struct vc_claim *snap = NULL, *c;
	unsigned int n = 0, i = 0;

	mutex_lock(&vc_claims_lock);
	list_for_each_entry(c, &vc_claims, node)
		n++;
	if (n)
		snap = kmalloc_array(n, sizeof(*snap), GFP_KERNEL);
	list_for_each_entry(c, &vc_claims, node) {
		if (!snap)
			break;
		snap[i++] = *c;
	}
	mutex_unlock(&vc_claims_lock);

	while (i--) {
		if (!vc_still_claimed(&snap[i].addr))
			vc_forget_addr(&snap[i].addr, snap[i].gen);
	}
	kfree(snap);
}

/* vfio-pci's denylist (drivers/vfio/pci/vfio_pci.c, 6.1 to 7.x). */
static bool vc_denylisted(const struct pci_dev *pdev)
{
	if (pdev->vendor != PCI_VENDOR_ID_INTEL)
		return false;
	switch (pdev->device) {
	case PCI_DEVICE_ID_INTEL_QAT_C3XXX:
	case PCI_DEVICE_ID_INTEL_QAT_C3XXX_VF:
	case PCI_DEVICE_ID_INTEL_QAT_C62X:
	case PCI_DEVICE_ID_INTEL_QAT_C62X_VF:
	case PCI_DEVICE_ID_INTEL_QAT_DH895XCC:
	case PCI_DEVICE_ID_INTEL_QAT_DH895XCC_VF:
	case PCI_DEVICE_ID_INTEL_DSA_SPR0:
	case PCI_DEVICE_ID_INTEL_IAX_SPR0:
		return true;
	default:
		return false;
	}
}

/*
 * Would vfio-pci refuse @pdev, or must it stay where it is?  Logs why and
 * returns true if so.  Checked before the override is looked at, so that a
 * device found already overridden to vfio-pci is refused alike.
 */
static bool vc_refused(struct pci_dev *pdev, enum vc_mode mode,
		       const char *why, const char *vf)
{
	struct iommu_group *group;
	int nvf;

	if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL) {
		pci_warn(pdev, "is a bridge (header type %u); bridges are never claimed (%s)\n",
			 pdev->hdr_type, why);
		return true;
	}
	if (vc_denylisted(pdev)) {
		pci_warn(pdev, "%04x:%04x is on vfio-pci's denylist (Intel QAT, DSA, IAX), which refuses it; not claimed (%s%s)\n",
			 pdev->vendor, pdev->device, why, vf);
		return true;
	}
	nvf = pci_num_vf(pdev);
	if (nvf > 0) {
		pci_warn(pdev, "has %d SR-IOV VFs enabled: vfio-pci refuses such a PF, and unbinding it would take its VFs away; not claimed (%s)\n",
			 nvf, why);
		return true;
	}
	group = iommu_group_get(&pdev->dev);
	if (group) {
		iommu_group_put(group);
		return false;
	}
	/*
	 * A walk can meet a device still being added, on the bus's list
	 * before the bus notifiers have run and the IOMMU has given it a
	 * group.  Its add uevent goes out after those notifiers (device_add(),
	 * 6.1 to 7.x), and ours is registered before any walk: it judges the
	 * device, with its group.
	 */
	if (mode != VC_NOTIFY && !pdev->dev.kobj.state_add_uevent_sent)
		return true;
	pci_warn(pdev, "has no IOMMU group: the IOMMU is off or absent (vfio's noiommu mode is not supported), vfio-pci could not bind it; not claimed (%s%s)\n",
		 why, vf);
	return true;
}

/*
 * A VF being added whose PF is on vfio-pci or a variant: that driver's own
 * bus notifier (vfio_pci_bus_notifier) sets the VF's override to its name.
 * On 6.1 it assigns the pci_dev field without freeing what was there, so
 * setting ours too would leak a string: leave the VF to it.  Called under
 * the PF's device lock (sriov_numvfs), which keeps the PF's driver stable.
 * Returns true if the VF is left to the PF's driver.
 */
static bool vc_vf_of_vfio_pf(struct pci_dev *pdev, const char *why)
{
	const struct device_driver *drv;
	struct pci_dev *pf;

	if (!pdev->is_virtfn)
		return false;
	pf = pci_physfn(pdev);
	drv = READ_ONCE(pf->dev.driver);
	if (!drv || !vc_driver_is_vfio(drv->name))
		return false;
	if (!strcmp(drv->name, VC_DRIVER)) {
		vc_record(pdev);
		pci_info(pdev, "VF of %s on %s, which sets its override itself; counted as claimed (%s)\n",
			 pci_name(pf), VC_DRIVER, why);
	} else {
		pci_info(pdev, "VF of %s on %s, which sets its override itself; left to it (%s)\n",
			 pci_name(pf), drv->name, why);
	}
	return true;
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
	char why[VC_WHY_LEN], prev[VC_NAME_LEN], drv[VC_NAME_LEN], vf[32] = "";
	struct vc_pending *p;
	int ret;

	switch (vc_match(pdev, why, sizeof(why), false)) {
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

	if (vc_refused(pdev, mode, why, vf))
		return;
	if (mode == VC_NOTIFY && vc_vf_of_vfio_pf(pdev, why))
		return;

	ret = vc_override_claim(pdev, mode == VC_WALK_REBIND, prev,
				sizeof(prev), drv, sizeof(drv));
	switch (ret) {
	case 0:
		break;
	case -EEXIST:
		if (strcmp(prev, VC_DRIVER)) {
			pci_warn(pdev, "driver_override is %s; left alone, not claimed (%s%s)\n",
				 prev, why, vf);
			return;
		}
		/* Said once, not at every write of ids or slots. */
		ret = vc_record(pdev);
		if (ret)
			pci_info(pdev, "driver_override already %s; counted as claimed (%s%s)%s\n",
				 VC_DRIVER, why, vf,
				 ret < 0 ? "; out of memory, not listed in claimed" : "");
		return;
	case -EBUSY:
		if (vc_driver_passed_through(drv))
			pci_info(pdev, "on %s, already given to userspace; left alone (%s%s)\n",
				 drv, why, vf);
		else
			pci_info(pdev, "bound to %s; not claimed, use rebind=1 or vfio-claim bind (%s%s)\n",
				 drv, why, vf);
		return;
	default:
		pci_warn(pdev, "cannot set driver_override: %d; not claimed (%s%s)\n",
			 ret, why, vf);
		return;
	}

	ret = vc_record(pdev);
	pci_info(pdev, "claimed for %s (%s%s)%s\n", VC_DRIVER, why, vf,
		 ret < 0 ? "; out of memory, not listed in claimed" : "");

	if (mode == VC_NOTIFY || !strcmp(drv, VC_DRIVER))
		return;
	/* Without memory it is not probed now; vfio-pci takes it when loaded. */
	/* kzalloc_obj() (7.x checkpatch) is not in 6.1: the portable form. */
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return;
	p->pdev = pci_dev_get(pdev);
	p->release = drv[0] != '\0';
	strscpy(p->from, drv, sizeof(p->from));
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

static void vc_free_pending(struct vc_pending *p)
{
	list_del(&p->node);
	pci_dev_put(p->pdev);
	kfree(p);
}

/*
 * vfio-pci did not take @p's device: clear the override so that its own
 * driver (the one rebind=1 took it from, or whichever matches) can have it.
 */
static void vc_give_back(struct vc_pending *p, int ret)
{
	struct pci_dev *pdev = p->pdev;

	if (vc_override_release(pdev))
		return;		/* someone changed the override meanwhile */
	vc_forget(pdev);
	if (device_attach(&pdev->dev) > 0 && pdev->dev.driver)
		pci_warn(pdev, "%s did not take it (%d); driver_override cleared, now on %s\n",
			 VC_DRIVER, ret, pdev->dev.driver->name);
	else
		pci_warn(pdev, "%s did not take it (%d); driver_override cleared%s%s\n",
			 VC_DRIVER, ret, p->release ? ", and no driver took it back from " : "",
			 p->release ? p->from : "");
}

/*
 * Load vfio-pci, then unbind (rebind=1) and probe what a walk claimed.
 * Called without vc_mutex: a probe may add devices (a PF driver creating
 * VFs), and their notifier calls must not wait for us.
 */
static void vc_run_pending(struct list_head *pending)
{
	struct vc_pending *p, *tmp;
	bool have;
	int ret;

	if (list_empty(pending))
		return;
	/* Devices added later get vfio-pci from udev; these are here now. */
	ret = request_module(VC_DRIVER);
	have = driver_find(VC_DRIVER, &pci_bus_type);
	if (!have)
		pr_warn("cannot load %s (%d); claimed devices stay unbound until it is loaded, bound ones stay where they are\n",
			VC_DRIVER, ret);

	list_for_each_entry_safe(p, tmp, pending, node) {
		if (!have) {
			vc_free_pending(p);
			continue;
		}
		if (p->release) {
			/* VFs may have come since the walk: never unbind such a PF. */
			if (pci_num_vf(p->pdev) > 0) {
				pci_warn(p->pdev, "has SR-IOV VFs now; not unbound from %s\n",
					 p->from);
				vc_give_back(p, -EBUSY);
				vc_free_pending(p);
				continue;
			}
			pci_info(p->pdev, "unbinding from %s (rebind=1)\n",
				 p->from);
			device_release_driver(&p->pdev->dev);
		}
		ret = device_attach(&p->pdev->dev);
		if (ret <= 0)
			vc_give_back(p, ret);
		else if (p->release)
			pci_info(p->pdev, "moved from %s to %s\n", p->from,
				 VC_DRIVER);
		vc_free_pending(p);
	}
}

/* The probes after a write: run here, outside the parameter lock. */
static void vc_work_fn(struct work_struct *work)
{
	LIST_HEAD(pending);

	mutex_lock(&vc_mutex);
	list_splice_init(&vc_todo, &pending);
	mutex_unlock(&vc_mutex);
	vc_run_pending(&pending);
}

static DECLARE_WORK(vc_work, vc_work_fn);

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
 * Parse @val into a new list.  @strict (a write): an empty or bad item
 * rejects the whole list with -EINVAL.  Otherwise (at load) it is logged
 * and skipped, and the good items are kept.  *@out is NULL for an empty
 * list.
 */
static int vc_parse_list(const struct vc_param *vp, const char *val,
			 bool strict, struct vc_list **out)
{
	size_t len = val ? strlen(val) : 0, pos = 0, item_len;
	struct vc_list *list;
	const char *item;
	unsigned int n = 0;

	*out = NULL;
	while (vc_next_item(val, len, &pos, &item, &item_len))
		n++;
	if (!n)
		return 0;
	list = kzalloc(size_add(sizeof(*list), size_mul(n, vp->item_size)),
		       GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	pos = 0;
	while (vc_next_item(val, len, &pos, &item, &item_len)) {
		void *slot = (u8 *)list->id + list->n * vp->item_size;

		if (item_len && !vp->parse(item, item_len, slot)) {
			list->n++;
			continue;
		}
		if (!item_len)
			pr_err("%s: empty item in the list; %s\n", vp->name,
			       strict ? "list unchanged" : "skipped");
		else
			pr_err("%s: '%.*s' is not %s; %s\n", vp->name,
			       (int)min_t(size_t, item_len, 64), item,
			       vp->syntax, strict ? "list unchanged" : "skipped");
		if (strict) {
			kfree(list);
			return -EINVAL;
		}
	}
	if (!list->n) {
		kfree(list);
		list = NULL;
	}
	*out = list;
	return 0;
}

/* ids= and slots= writes: replace the list and apply it at once. */
static int vc_list_set(const char *val, const struct kernel_param *kp)
{
	const struct vc_param *vp = kp->arg;
	struct vc_list *new, *old;
	LIST_HEAD(pending);
	int ret;

	mutex_lock(&vc_mutex);
	if (vc_state == VC_GONE) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ret = vc_parse_list(vp, val, vc_state != VC_LOADING, &new);
	if (ret)
		goto out_unlock;
	old = rcu_replace_pointer(*vp->list, new, lockdep_is_held(&vc_mutex));
	if (old)
		kfree_rcu(old, rcu);
	if (vc_state == VC_LIVE) {
		vc_walk(&pending);
		if (!list_empty(&pending)) {
			list_splice_tail(&pending, &vc_todo);
			schedule_work(&vc_work);
		}
	}
out_unlock:
	mutex_unlock(&vc_mutex);
	if (!ret)
		vc_prune();
	return ret;
}

/* Append @item to @buf if it fits whole, with room left for the newline. */
static int vc_append(char *buf, int n, const char *item)
{
	size_t len = strlen(item) + (n ? 1 : 0);

	if ((size_t)n + len + 2 > PAGE_SIZE)
		return -ENOSPC;
	return scnprintf(buf + n, PAGE_SIZE - n, "%s%s", n ? "," : "", item);
}

static int vc_list_get(char *buf, const struct kernel_param *kp)
{
	const struct vc_param *vp = kp->arg;
	const struct vc_list *list;
	char item[VC_ITEM_LEN];
	unsigned int i;
	int n = 0, ret;

	rcu_read_lock();
	list = rcu_dereference(*vp->list);
	for (i = 0; list && i < list->n; i++) {
		vp->format(item, sizeof(item),
			   (const u8 *)list->id + i * vp->item_size);
		ret = vc_append(buf, n, item);
		if (ret < 0)
			break;
		n += ret;
	}
	rcu_read_unlock();
	n += scnprintf(buf + n, PAGE_SIZE - n, "\n");
	return n;
}

static const struct kernel_param_ops vc_list_ops = {
	.set = vc_list_set,
	.get = vc_list_get,
};

static const struct vc_param vc_ids_param = {
	.name = "ids",
	.syntax = "vendor:device[:subvendor:subdevice] (4 hex digits each)",
	.item_size = sizeof(struct vc_pci_id),
	.list = &vc_ids,
	.parse = vc_parse_id_item,
	.format = vc_format_id,
};

static const struct vc_param vc_slots_param = {
	.name = "slots",
	.syntax = "[domain:]bus:slot.func[@vendor:device] (hex, slot <= 1f, func <= 7)",
	.item_size = sizeof(struct vc_slot),
	.list = &vc_slots,
	.parse = vc_parse_slot_item,
	.format = vc_format_slot,
};

module_param_cb(ids, &vc_list_ops, (void *)&vc_ids_param, 0644);
MODULE_PARM_DESC(ids,
		 "Claim every device with one of these IDs: comma list of vendor:device[:subvendor:subdevice], 4 hex digits each, e.g. 8086:10d3,10de:2204:1458:403b. A write replaces the list and applies it at once; an empty write clears it");

module_param_cb(slots, &vc_list_ops, (void *)&vc_slots_param, 0644);
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
	int n = 0, ret;

	vc_prune();
	mutex_lock(&vc_claims_lock);
	list_for_each_entry(c, &vc_claims, node) {
		ret = vc_append(buf, n, vc_format_addr(addr, &c->addr));
		if (ret < 0)
			break;
		n += ret;
	}
	mutex_unlock(&vc_claims_lock);
	n += scnprintf(buf + n, PAGE_SIZE - n, "\n");
	return n;
}

static const struct kernel_param_ops vc_claimed_ops = {
	.set = vc_claimed_set,
	.get = vc_claimed_get,
};

module_param_cb(claimed, &vc_claimed_ops, NULL, 0444);
MODULE_PARM_DESC(claimed,
		 "Read-only: the present devices whose driver_override vfio_claim set to vfio-pci (or found so when they matched) and that ids= or slots= still name, as a comma list of addresses");

/*
 * Unpublish the lists (under vc_mutex, so that no writer puts one back),
 * wait for their readers, then free them.
 */
static void vc_free_all(void)
{
	struct vc_list *ids, *slots;
	struct vc_pending *p, *ptmp;
	struct vc_claim *c, *tmp;

	mutex_lock(&vc_mutex);
	vc_state = VC_GONE;
	ids = rcu_replace_pointer(vc_ids, NULL, lockdep_is_held(&vc_mutex));
	slots = rcu_replace_pointer(vc_slots, NULL, lockdep_is_held(&vc_mutex));
	mutex_unlock(&vc_mutex);

	cancel_work_sync(&vc_work);
	list_for_each_entry_safe(p, ptmp, &vc_todo, node)
		vc_free_pending(p);

	synchronize_rcu();
	kfree(ids);
	kfree(slots);

	mutex_lock(&vc_claims_lock);
	list_for_each_entry_safe(c, tmp, &vc_claims, node) {
		list_del(&c->node);
		kfree(c);
	}
	mutex_unlock(&vc_claims_lock);
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
	/* No parameter lock is held at init: probe here, before "loaded". */
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
	vc_free_all();
	pr_info("unloaded; driver_override of claimed devices left as is\n");
}
module_exit(vc_exit);

MODULE_DESCRIPTION("Claim PCI devices for vfio-pci by driver_override, before any other driver probes them");
MODULE_AUTHOR("The vfio-claim authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(VC_VERSION);
