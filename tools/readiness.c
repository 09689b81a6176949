// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootargs.h"
#include "cmdwords.h"
#include "iommuargs.h"
#include "kmodinfo.h"
#include "macro.h"
#include "nextboot.h"
#include "readiness.h"

/*
 * GPU families known to fail to reset between guest boots (the "AMD reset
 * bug": after the guest shuts down the card does not come back until the
 * host reboots). The IDs are those of gnif/vendor-reset's device table
 * (src/device-db.h, https://github.com/gnif/vendor-reset), the out-of-tree
 * module that gives these cards a working device_specific reset.
 */
static const struct {
	unsigned int device;	/* vendor 1002 */
	const char *family;
} reset_bug_gpus[] = {
	{ 0x67c0, "Polaris 10" }, { 0x67c1, "Polaris 10" }, { 0x67c2, "Polaris 10" },
	{ 0x67c4, "Polaris 10" }, { 0x67c7, "Polaris 10" }, { 0x67c8, "Polaris 10" },
	{ 0x67c9, "Polaris 10" }, { 0x67ca, "Polaris 10" }, { 0x67cc, "Polaris 10" },
	{ 0x67cf, "Polaris 10" }, { 0x67d0, "Polaris 10" }, { 0x67df, "Polaris 10" },
	{ 0x6fdf, "Polaris 10" },
	{ 0x67e0, "Polaris 11" }, { 0x67e1, "Polaris 11" }, { 0x67e3, "Polaris 11" },
	{ 0x67e7, "Polaris 11" }, { 0x67e8, "Polaris 11" }, { 0x67e9, "Polaris 11" },
	{ 0x67eb, "Polaris 11" }, { 0x67ef, "Polaris 11" }, { 0x67ff, "Polaris 11" },
	{ 0x6980, "Polaris 12" }, { 0x6981, "Polaris 12" }, { 0x6985, "Polaris 12" },
	{ 0x6986, "Polaris 12" }, { 0x6987, "Polaris 12" }, { 0x6995, "Polaris 12" },
	{ 0x6997, "Polaris 12" }, { 0x699f, "Polaris 12" },
	{ 0x6860, "Vega 10" }, { 0x6861, "Vega 10" }, { 0x6862, "Vega 10" },
	{ 0x6863, "Vega 10" }, { 0x6864, "Vega 10" }, { 0x6867, "Vega 10" },
	{ 0x6868, "Vega 10" }, { 0x6869, "Vega 10" }, { 0x686a, "Vega 10" },
	{ 0x686b, "Vega 10" }, { 0x686c, "Vega 10" }, { 0x686d, "Vega 10" },
	{ 0x686e, "Vega 10" }, { 0x686f, "Vega 10" }, { 0x687f, "Vega 10" },
	{ 0x66a0, "Vega 20" }, { 0x66a1, "Vega 20" }, { 0x66a2, "Vega 20" },
	{ 0x66a3, "Vega 20" }, { 0x66a4, "Vega 20" }, { 0x66a7, "Vega 20" },
	{ 0x66af, "Vega 20" },
	{ 0x7310, "Navi 10" }, { 0x7312, "Navi 10" }, { 0x7318, "Navi 10" },
	{ 0x7319, "Navi 10" }, { 0x731a, "Navi 10" }, { 0x731b, "Navi 10" },
	{ 0x731e, "Navi 10" }, { 0x731f, "Navi 10" },
	{ 0x7360, "Navi 12" }, { 0x7362, "Navi 12" },
	{ 0x7340, "Navi 14" }, { 0x7341, "Navi 14" }, { 0x7347, "Navi 14" },
	{ 0x734f, "Navi 14" },
};

/* Guest UEFI firmware as distributions install it (Debian ovmf, Fedora/Arch edk2-ovmf, SUSE qemu-ovmf). */
static const char *const ovmf_files[] = {
	"usr/share/OVMF/OVMF_CODE_4M.fd",
	"usr/share/OVMF/OVMF_CODE.fd",
	"usr/share/edk2/ovmf/OVMF_CODE.fd",
	"usr/share/edk2/x64/OVMF_CODE.4m.fd",
	"usr/share/edk2/x64/OVMF_CODE.fd",
	"usr/share/edk2-ovmf/x64/OVMF_CODE.fd",
	"usr/share/qemu/ovmf-x86_64-code.bin",
	"usr/share/qemu/OVMF.fd",
};

static void add(struct readiness *r, const char *name, const char *device, enum ready_state state,
		enum ready_scope scope, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void add(struct readiness *r, const char *name, const char *device, enum ready_state state,
		enum ready_scope scope, const char *fix, const char *fmt, ...)
{
	struct ready_item *v = realloc(r->v, sizeof(*v) * (size_t)(r->n + 1));
	va_list ap;

	if (!v)
		return;
	r->v = v;
	v = &v[r->n++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->device, sizeof(v->device), "%s", device ? device : "");
	v->state = state;
	v->scope = scope;
	snprintf(v->fix, sizeof(v->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
}

const char *ready_state_name(enum ready_state s, bool lower)
{
	static const char *const upper[] = { "PASS", "NOTE", "WARN", "FAIL" };
	static const char *const low[] = { "pass", "note", "warn", "fail" };

	return lower ? low[s] : upper[s];
}

bool readiness_ok(const struct readiness *r, int scope)
{
	for (int i = 0; i < r->n; i++)
		if (r->v[i].state == READY_FAIL && (scope < 0 || (int)r->v[i].scope == scope))
			return false;
	return true;
}

void readiness_free(struct readiness *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

enum cpu_vendor cpu_vendor_read(const struct sysroot *root)
{
	_cleanup_free_ char *text = NULL;
	bool intel, amd;

	if (sysroot_read_all(root, "proc/cpuinfo", &text) < 0)
		return CPU_UNKNOWN;
	intel = strstr(text, "GenuineIntel") != NULL;
	amd = strstr(text, "AuthenticAMD") != NULL || strstr(text, "HygonGenuine") != NULL;
	return intel == amd ? CPU_UNKNOWN : intel ? CPU_INTEL : CPU_AMD;
}

const char *cpu_vendor_name(enum cpu_vendor v)
{
	return v == CPU_INTEL ? "intel" : v == CPU_AMD ? "amd" : NULL;
}

const char *iommu_enable_advice(enum cpu_vendor v)
{
	switch (v) {
	case CPU_INTEL:
		return "enable VT-d in the firmware and boot with intel_iommu=on iommu=pt";
	case CPU_AMD:
		return "enable the IOMMU (AMD-Vi) in the firmware (the kernel turns it on by itself; iommu=pt is recommended)";
	default:
		return "enable VT-d or AMD-Vi in the firmware and boot with intel_iommu=on iommu=pt (an AMD kernel needs no argument to turn it on)";
	}
}

/* What the firmware setup calls the switch, per vendor. */
static const char *firmware_switch(enum cpu_vendor v)
{
	switch (v) {
	case CPU_INTEL:
		return "enable VT-d ('Intel Virtualization Technology for Directed I/O') in the firmware setup";
	case CPU_AMD:
		return "enable the IOMMU ('IOMMU' or 'AMD-Vi', often under NBIO or North Bridge settings) in the firmware setup";
	default:
		return "enable VT-d (Intel) or the IOMMU/AMD-Vi (AMD) in the firmware setup";
	}
}

/* ---- the facts the items share ---- */

struct host {
	const struct sysroot *root;
	const struct machine *m;
	enum cpu_vendor vendor;
	char cmdline[4096];
	bool has_cmdline;
	char *flags;		/* the first "flags" line of proc/cpuinfo, NULL when none */
	bool has_cpuinfo;
	int firmware;		/* 1 the firmware describes an IOMMU, 0 it does not, -1 cannot tell */
	const char *table;	/* "DMAR" or "IVRS" when found */
	bool next_known;
	int next_err;		/* nextboot_read's error: -ENOENT nothing to read, else unreadable */
	struct nextboot next;
	bool has_dev;		/* the root has a /dev to look at */
};

static void host_read(const struct sysroot *root, const struct machine *m, struct host *h)
{
	_cleanup_free_ char *cpuinfo = NULL;

	memset(h, 0, sizeof(*h));
	h->root = root;
	h->m = m;
	h->vendor = cpu_vendor_read(root);
	h->has_cmdline = sysroot_read(root, "proc/cmdline", h->cmdline, sizeof(h->cmdline)) >= 0;
	if (sysroot_read_all(root, "proc/cpuinfo", &cpuinfo) >= 0) {
		char *p = strstr(cpuinfo, "\nflags");

		h->has_cpuinfo = true;
		if (p && (p = strchr(p, ':')))
			h->flags = strndup(p + 1, strcspn(p + 1, "\n"));
	}
	h->firmware = -1;
	if (sysroot_exists(root, "sys/firmware/acpi/tables")) {
		/* Either table counts, whatever the CPU: a virtual machine mixes them. */
		bool dmar = sysroot_exists(root, "sys/firmware/acpi/tables/DMAR");
		bool ivrs = sysroot_exists(root, "sys/firmware/acpi/tables/IVRS");

		h->firmware = dmar || ivrs;
		h->table = dmar ? "DMAR" : ivrs ? "IVRS" : NULL;
	}
	h->next_err = nextboot_read(root, &h->next);
	h->next_known = h->next_err == 0;
	h->has_dev = sysroot_exists(root, "dev");
}

static void host_free(struct host *h)
{
	free(h->flags);
	nextboot_free(&h->next);
}

/* ---- the items ---- */

static void item_cpu(struct readiness *r, const struct host *h)
{
	const char *fix;

	if (!h->has_cpuinfo) {
		add(r, "cpu-virt", NULL, READY_WARN, SCOPE_GUEST, NULL,
		    "not checked: no /proc/cpuinfo under the root");
		return;
	}
	if (h->flags && cmdline_has(h->flags, "vmx")) {
		add(r, "cpu-virt", NULL, READY_PASS, SCOPE_GUEST, NULL, "Intel VT-x: the CPU has vmx");
		return;
	}
	if (h->flags && cmdline_has(h->flags, "svm")) {
		add(r, "cpu-virt", NULL, READY_PASS, SCOPE_GUEST, NULL, "AMD-V: the CPU has svm");
		return;
	}
	fix = h->vendor == CPU_INTEL ? "enable 'Intel Virtualization Technology' (VT-x) in the firmware setup" :
	      h->vendor == CPU_AMD   ? "enable 'SVM Mode' (AMD-V) in the firmware setup" :
				       "enable VT-x (Intel) or SVM (AMD) in the firmware setup";
	if (h->flags && cmdline_has(h->flags, "hypervisor"))
		add(r, "cpu-virt", NULL, READY_FAIL, SCOPE_GUEST,
		    "give this virtual machine nested virtualization (QEMU: -cpu host with KVM's nested=1)",
		    "no vmx or svm in /proc/cpuinfo: this is a virtual machine whose host offers no nested virtualization");
	else
		add(r, "cpu-virt", NULL, READY_FAIL, SCOPE_GUEST, fix,
		    "no vmx or svm in /proc/cpuinfo: virtualization is off in the firmware, or the CPU has none");
}

static void item_kvm(struct readiness *r, const struct host *h)
{
	const char *mod = h->vendor == CPU_INTEL ? "modprobe kvm_intel" :
			  h->vendor == CPU_AMD	 ? "modprobe kvm_amd" :
						   "modprobe kvm_intel (Intel) or kvm_amd (AMD)";
	bool virt = h->flags && (cmdline_has(h->flags, "vmx") || cmdline_has(h->flags, "svm"));

	if (!h->has_dev)
		add(r, "kvm", NULL, READY_NOTE, SCOPE_GUEST, NULL, "not checked: no /dev under the root");
	else if (sysroot_exists(h->root, "dev/kvm"))
		add(r, "kvm", NULL, READY_PASS, SCOPE_GUEST, NULL, "/dev/kvm is there");
	else if (h->has_cpuinfo && !virt)
		add(r, "kvm", NULL, READY_FAIL, SCOPE_GUEST, "turn CPU virtualization on first (cpu-virt)",
		    "no /dev/kvm: KVM needs CPU virtualization");
	else
		add(r, "kvm", NULL, READY_FAIL, SCOPE_GUEST, mod, "no /dev/kvm: the KVM module is not loaded");
}

static void item_firmware(struct readiness *r, const struct host *h)
{
	const char *want = h->vendor == CPU_INTEL ? "DMAR" : h->vendor == CPU_AMD ? "IVRS" : "DMAR or IVRS";

	if (h->firmware == 1)
		add(r, "iommu-firmware", NULL, READY_PASS, SCOPE_CLAIM, NULL,
		    "the firmware describes the IOMMU (ACPI %s table)", h->table);
	else if (h->firmware == 0)
		add(r, "iommu-firmware", NULL, READY_FAIL, SCOPE_CLAIM, firmware_switch(h->vendor),
		    "no ACPI %s table: the IOMMU is off in the firmware (or the machine has none)", want);
	else if (h->m->groups.iommu)
		add(r, "iommu-firmware", NULL, READY_PASS, SCOPE_CLAIM, NULL,
		    "the kernel found an IOMMU, so the firmware has one (no /sys/firmware/acpi/tables to name it)");
	else
		add(r, "iommu-firmware", NULL, READY_WARN, SCOPE_CLAIM, NULL,
		    "not checked: no /sys/firmware/acpi/tables under the root");
}

/* The argument that turns the IOMMU off on a command line, into buf; NULL when none. */
static const char *off_arg(const char *cmdline)
{
	static const char *const offs[] = { "intel_iommu=off", "amd_iommu=off", "iommu=off" };

	for (size_t i = 0; i < ARRAY_SIZE(offs); i++)
		if (cmdline_has(cmdline, offs[i]))
			return offs[i];
	return NULL;
}

/* "add ARGS to WHERE, run APPLY and reboot" for this machine's boot loader. */
static void where_advice(const struct host *h, const char *args, char *buf, size_t size)
{
	/* GRUB's settings have them and grub.cfg does not: only update-grub has not run. */
	char missing[128];

	if (h->next_known && h->next.pending &&
	    !kernel_args_missing(h->next.pending, args, missing, sizeof(missing)))
		snprintf(buf, size, "run %s (GRUB's settings have %s; grub.cfg was not regenerated since) and reboot",
			 h->next.apply, args);
	else if (h->next_known && h->next.apply[0])
		snprintf(buf, size, "add %s to %s, run %s and reboot", args, h->next.where, h->next.apply);
	else if (h->next_known)
		snprintf(buf, size, "add %s to %s and reboot", args, h->next.where);
	else
		snprintf(buf, size, "add %s to the boot loader's kernel command line and reboot", args);
}

static void item_iommu_now(struct readiness *r, const struct host *h)
{
	struct iommu_args turn_on;
	const char *args = turn_on.all;
	const char *off = off_arg(h->cmdline);
	char fix[600], units[256] = "";

	if (h->m->groups.iommu) {
		size_t len = 0;

		struct dirent **names = NULL;
		_cleanup_close_ int dfd = openat(h->root->fd, "sys/class/iommu",
						 O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int n = dfd >= 0 ? scandirat(dfd, ".", &names, NULL, versionsort) : 0;

		for (int i = 0; i < n; i++) {
			if (names[i]->d_name[0] != '.' && len < sizeof(units) - 40)
				len += (size_t)snprintf(units + len, sizeof(units) - len, "%s%s",
							len ? " " : "", names[i]->d_name);
			free(names[i]);
		}
		free(names);
		add(r, "iommu-now", NULL, READY_PASS, SCOPE_CLAIM, NULL, "on: %d IOMMU groups%s%s",
		    h->m->groups.n, units[0] ? ", units " : "", units);
		return;
	}
	/* What turns it on from off (the running kernel's state is "off" here). */
	iommu_args_for(h->vendor, false, "", &turn_on);
	if (off) {
		char with[160];

		snprintf(with, sizeof(with), "%s (instead of %s)", args, off);
		where_advice(h, with, fix, sizeof(fix));
		add(r, "iommu-now", NULL, READY_FAIL, SCOPE_CLAIM, fix,
		    "off: the kernel command line turns it off (%s); there are no IOMMU groups", off);
	} else if (h->firmware == 0) {
		add(r, "iommu-now", NULL, READY_FAIL, SCOPE_CLAIM, firmware_switch(h->vendor),
		    "off in the firmware: there are no IOMMU groups, and no ACPI table describes an IOMMU");
	} else if (h->vendor == CPU_AMD) {
		add(r, "iommu-now", NULL, READY_FAIL, SCOPE_CLAIM,
		    "no kernel argument turns AMD-Vi on: check the firmware's IOMMU setting and what 'dmesg | grep -i AMD-Vi' says",
		    "off although the firmware describes it: the kernel did not enable AMD-Vi ('dmesg | grep -i AMD-Vi' says why); there are no IOMMU groups");
	} else {
		where_advice(h, args, fix, sizeof(fix));
		add(r, "iommu-now", NULL, READY_FAIL, SCOPE_CLAIM, fix,
		    "off on the kernel command line: %sthe kernel was booted without %s, and this kernel leaves VT-d off without it; there are no IOMMU groups",
		    h->firmware == 1 ? "the firmware describes it, but " : "",
		    "intel_iommu=on");
	}
}

static void item_next_boot(struct readiness *r, const struct host *h)
{
	const char *off, *need = NULL;
	struct iommu_args wanted, turn_on;
	char fix[600], src[200];

	if (!h->next_known && h->next_err != -ENOENT && h->next_err != -ENOMEM) {
		add(r, "iommu-next-boot", NULL, READY_FAIL, SCOPE_CLAIM,
		    "make it a readable file (or regenerate it with the boot loader's tool)",
		    "%s: cannot read the next boot's command line: %s", h->next.label[0] ? h->next.label : "the boot loader's configuration",
		    strerror(-h->next_err));
		return;
	}
	if (!h->next_known) {
		add(r, "iommu-next-boot", NULL, READY_WARN, SCOPE_CLAIM, NULL,
		    "not checked: no grub.cfg, /etc/default/grub, loader entries or /etc/kernel/cmdline; the next boot's command line is the boot loader's");
		return;
	}
	snprintf(src, sizeof(src), "%s", h->next.label);
	off = off_arg(h->next.cmdline);
	iommu_args_for(h->vendor, h->m->groups.iommu, h->cmdline, &wanted);
	if (wanted.needed[0] && !cmdline_has(h->next.cmdline, wanted.needed))
		need = wanted.needed;
	if (!off && !need) {
		static const char *const on[] = { "intel_iommu=on", "amd_iommu=on", "iommu=pt" };
		char found[96] = "";
		size_t len = 0;

		for (size_t i = 0; i < ARRAY_SIZE(on); i++)
			if (cmdline_has(h->next.cmdline, on[i]))
				len += (size_t)snprintf(found + len, sizeof(found) - len, "%s%s",
							len ? " " : "", on[i]);
		if (found[0])
			add(r, "iommu-next-boot", NULL, READY_PASS, SCOPE_CLAIM, NULL,
			    "the next boot's command line (%s) has %s", src, found);
		else
			add(r, "iommu-next-boot", NULL, READY_PASS, SCOPE_CLAIM, NULL,
			    "the next boot's command line (%s) leaves the IOMMU as it is now, on", src);
		return;
	}
	/* The advice writes all the arguments, as if the IOMMU were off now. */
	iommu_args_for(h->vendor, false, "", &turn_on);
	where_advice(h, turn_on.all, fix, sizeof(fix));
	if (off) {
		char remove[700];

		snprintf(remove, sizeof(remove), "remove %s; %s", off, fix);
		add(r, "iommu-next-boot", NULL, READY_FAIL, SCOPE_CLAIM, remove,
		    "the next boot's command line (%s) turns the IOMMU off (%s)", src, off);
	} else {
		add(r, "iommu-next-boot", NULL, READY_FAIL, SCOPE_CLAIM, fix,
		    "the next boot's command line (%s) lacks %s: the IOMMU will be off after %s", src, need,
		    h->m->groups.iommu ? "a reboot although it is on now" : "the reboot too");
	}
}

static void item_interrupt_remapping(struct readiness *r, const struct host *h)
{
	_cleanup_free_ char *interrupts = NULL;
	char unsafe[8] = "";
	bool allow;
	const char *off = cmdline_has(h->cmdline, "intremap=off") ? "intremap=off" :
			  cmdline_has(h->cmdline, "nointremap")	  ? "nointremap" : NULL;
	char fix[600];

	sysroot_read(h->root, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
		     unsafe, sizeof(unsafe));
	allow = unsafe[0] == 'Y' || unsafe[0] == 'y' || unsafe[0] == '1';
	{
		int e = sysroot_read_all(h->root, "proc/interrupts", &interrupts);

		/* Absent (a tree without it) is "not checked"; there and unreadable is a failure. */
		if (e == -ENOENT) {
			add(r, "interrupt-remapping", NULL, READY_WARN, SCOPE_CLAIM, NULL,
			    "not checked: no /proc/interrupts under the root");
			return;
		}
		if (e < 0) {
			add(r, "interrupt-remapping", NULL, READY_FAIL, SCOPE_CLAIM,
			    "make /proc/interrupts readable (it is the only record of interrupt remapping)",
			    "/proc/interrupts cannot be read: %s", sysroot_strerror(e));
			return;
		}
	}
	if (strstr(interrupts, "IR-")) {
		add(r, "interrupt-remapping", NULL, READY_PASS, SCOPE_CLAIM, NULL,
		    "on: remapped interrupt domains (IR-) in /proc/interrupts%s",
		    allow ? "; vfio_iommu_type1.allow_unsafe_interrupts is set but not needed" : "");
		return;
	}
	if (!h->m->groups.iommu) {
		add(r, "interrupt-remapping", NULL, READY_WARN, SCOPE_CLAIM, NULL,
		    "off with the IOMMU: it comes with it, and is checked again once the IOMMU is on");
		return;
	}
	snprintf(fix, sizeof(fix), "%s; only if the risk is accepted: 'options vfio_iommu_type1 allow_unsafe_interrupts=1' in /etc/modprobe.d",
		 off ? (streq(off, "nointremap") ? "remove nointremap from the kernel command line" :
						   "remove intremap=off from the kernel command line") :
		       "enable interrupt remapping (and x2APIC) in the firmware setup");
	if (allow)
		add(r, "interrupt-remapping", NULL, READY_WARN, SCOPE_CLAIM,
		    off ? "remove it from the kernel command line, then drop allow_unsafe_interrupts" :
			  "enable interrupt remapping in the firmware setup, then drop allow_unsafe_interrupts",
		    "off%s%s%s, and vfio_iommu_type1.allow_unsafe_interrupts=Y lets vfio work without it: a guest can then raise interrupts (MSI writes) the host never gave it",
		    off ? " (" : "", off ? off : "", off ? " on the command line)" : "");
	else
		add(r, "interrupt-remapping", NULL, READY_FAIL, SCOPE_CLAIM, fix,
		    "off%s%s%s: no remapped interrupts (IR-) in /proc/interrupts, and vfio_iommu_type1 refuses to attach a device's group without it",
		    off ? " (" : "", off ? off : "", off ? " on the command line)" : "");
}

/* The module name of a modules.dep or modules.builtin path, '-' as '_': "vfio_pci". */
static void module_name_of(const char *path, size_t len, char *buf, size_t size)
{
	const char *base = path;
	size_t n;

	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			base = path + i + 1;
	n = (size_t)(path + len - base);
	for (size_t i = 0; i + 2 < n; i++)
		if (strncmp(base + i, ".ko", 3) == 0) {
			n = i;
			break;
		}
	snprintf(buf, size, "%.*s", (int)n, base);
	for (char *p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
}

/* Whether an index file (modules.dep or modules.builtin) names NAME; the module's path into path. */
static bool index_names(const char *text, const char *name, char *path, size_t size)
{
	for (const char *line = text; line && *line;) {
		size_t len = strcspn(line, ":\n");
		char mod[128];

		module_name_of(line, len, mod, sizeof(mod));
		if (streq(mod, name)) {
			snprintf(path, size, "%.*s", (int)len, line);
			return true;
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return false;
}

static void item_vfio_modules(struct readiness *r, const struct host *h, const char *kver)
{
	static const char *const names[] = { "vfio", "vfio_iommu_type1", "vfio_pci" };
	_cleanup_free_ char *dep = NULL, *builtin = NULL;
	char text[600] = "", missing[128] = "", path[PATH_MAX], fix[600];
	size_t len = 0, mlen = 0;

	if (kver[0]) {
		snprintf(path, sizeof(path), "lib/modules/%s/modules.dep", kver);
		if (sysroot_read_all(h->root, path, &dep) < 0)
			dep = NULL;
		snprintf(path, sizeof(path), "lib/modules/%s/modules.builtin", kver);
		if (sysroot_read_all(h->root, path, &builtin) < 0)
			builtin = NULL;
		snprintf(path, sizeof(path), "lib/modules/%s", kver);
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const char *how = NULL;
		char mod[PATH_MAX], file[PATH_MAX];

		snprintf(mod, sizeof(mod), "sys/module/%s/initstate", names[i]);
		if (sysroot_exists(h->root, mod))
			how = "loaded";
		else if (builtin && index_names(builtin, names[i], mod, sizeof(mod)))
			how = "built in";
		else if (dep && index_names(dep, names[i], mod, sizeof(mod))) {
			how = path_join(file, sizeof(file), path, mod) == 0 && sysroot_exists(h->root, file) ?
				      "module" : NULL;
		} else {
			snprintf(mod, sizeof(mod), "sys/module/%s", names[i]);
			if (sysroot_exists(h->root, mod))
				how = "built in";
		}
		if (how)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s (%s)", len ? ", " : "",
						names[i], how);
		else
			mlen += (size_t)snprintf(missing + mlen, sizeof(missing) - mlen, "%s%s",
						 mlen ? ", " : "", names[i]);
	}
	if (!missing[0]) {
		add(r, "vfio-modules", NULL, READY_PASS, SCOPE_CLAIM, NULL, "%s%s%s", text,
		    kver[0] ? " for " : "", kver);
		return;
	}
	if (!dep && !builtin) {
		add(r, "vfio-modules", NULL, READY_WARN, SCOPE_CLAIM, NULL,
		    "not checked: %s not loaded, and no /lib/modules/%s/modules.dep to find %s in",
		    missing, kver[0] ? kver : "KVER", strchr(missing, ',') ? "them" : "it");
		return;
	}
	snprintf(fix, sizeof(fix),
		 "install the modules of %s (Debian: linux-image-%s; Ubuntu: linux-modules-extra-%s); a kernel of your own needs CONFIG_VFIO_PCI",
		 kver, kver, kver);
	add(r, "vfio-modules", NULL, READY_FAIL, SCOPE_CLAIM, fix, "%s missing for %s%s%s", missing, kver,
	    text[0] ? "; " : "", text);
}

static void item_vfio_device(struct readiness *r, const struct host *h)
{
	if (!h->has_dev)
		add(r, "vfio-device", NULL, READY_NOTE, SCOPE_CLAIM, NULL, "not checked: no /dev under the root");
	else if (sysroot_exists(h->root, "dev/vfio/vfio"))
		add(r, "vfio-device", NULL, READY_PASS, SCOPE_CLAIM, NULL, "/dev/vfio/vfio is there");
	else if (sysroot_exists(h->root, "sys/module/vfio/initstate") ||
		 sysroot_exists(h->root, "sys/module/vfio"))
		add(r, "vfio-device", NULL, READY_WARN, SCOPE_CLAIM, "mount devtmpfs on /dev (or check udev)",
		    "vfio is loaded but /dev/vfio/vfio is missing");
	else
		add(r, "vfio-device", NULL, READY_NOTE, SCOPE_CLAIM, NULL,
		    "/dev/vfio/vfio appears when vfio loads (a claim or 'vfio-claim bind' loads it)");
}

static bool is_blocker(const struct iommu_group *g, const struct pci_dev *d)
{
	for (int i = 0; i < g->n_blockers; i++)
		if (g->blockers[i].dev == d)
			return true;
	return false;
}

static void item_groups(struct readiness *r, const struct host *h)
{
	const struct group_set *gs = &h->m->groups;
	char list[600] = "";
	size_t len = 0;
	int sharing = 0, shown = 0;

	if (!gs->iommu) {
		add(r, "groups", NULL, READY_NOTE, SCOPE_ADVICE, NULL, "not checked: no IOMMU groups");
		return;
	}
	for (int k = 0; k < gs->n; k++) {
		const struct iommu_group *g = &gs->groups[k];

		if (!g->n_blockers)
			continue;
		for (int i = 0; i < g->n_devs; i++) {
			const struct pci_dev *d = g->devs[i];

			if (pci_is_infrastructure(d) || is_blocker(g, d))
				continue;
			sharing++;
			if (shown++ < 4)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s (group %d, with %s)",
							len ? ", " : "", d->name, g->number,
							g->blockers[0].dev->name);
		}
	}
	if (!sharing) {
		add(r, "groups", NULL, READY_PASS, SCOPE_ADVICE, NULL,
		    "%d IOMMU groups; no endpoint shares its group with a device the host needs", gs->n);
		return;
	}
	if (shown > 4)
		snprintf(list + len, sizeof(list) - len, " and %d more", shown - 4);
	add(r, "groups", NULL, READY_WARN, SCOPE_ADVICE,
	    "move the card to a slot with a group of its own ('vfio-claim list' shows the groups); an ACS override only hides the sharing",
	    "%d endpoint%s share%s a group with a device the host needs, so %s cannot go to a guest: %s",
	    sharing, sharing > 1 ? "s" : "", sharing > 1 ? "" : "s", sharing > 1 ? "they" : "it", list);
}

static void item_acs(struct readiness *r, const struct host *h)
{
	char value[128];

	cmdline_value(h->cmdline, "pcie_acs_override", value, sizeof(value));
	if (!cmdline_has(h->cmdline, "pcie_acs_override=")) {
		add(r, "acs-override", NULL, READY_PASS, SCOPE_ADVICE, NULL,
		    "not in use: the groups are what the hardware isolates");
		return;
	}
	add(r, "acs-override", NULL, READY_WARN, SCOPE_ADVICE,
	    "remove pcie_acs_override= and move the card instead, unless that risk is accepted",
	    "pcie_acs_override=%s is on the command line: a kernel with the ACS override patch splits groups the hardware does not isolate, so a device given to a guest can still reach its old group mates by peer-to-peer DMA (the host's or another guest's); kernels without the patch, Debian's among them, ignore it",
	    value);
}

static const char *reset_bug_family(const struct pci_dev *d)
{
	if (d->vendor != 0x1002)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(reset_bug_gpus); i++)
		if (reset_bug_gpus[i].device == d->device)
			return reset_bug_gpus[i].family;
	return NULL;
}

/*
 * Whether the running kernel shows reset_method for every device that has a
 * reset: since 5.15 the attribute exists, and is hidden for a device with no
 * reset method at all (pci_dev_reset_method_attr_is_visible() in
 * drivers/pci/pci.c; seen in a 6.12 guest on QEMU's VGA). kver "6.12.117+deb12-amd64".
 */
static bool kernel_has_reset_method(const char *kver)
{
	unsigned int major = 0, minor = 0;

	if (sscanf(kver, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 5 || (major == 5 && minor >= 15);
}

static void item_reset(struct readiness *r, const struct resolution *res)
{
	if (!res || !res->n) {
		add(r, "reset", NULL, READY_NOTE, SCOPE_ADVICE, NULL,
		    "not checked: nothing is claimed ('vfio-claim add' a device, and check judges its reset)");
		return;
	}
	for (int i = 0; i < res->n; i++) {
		const struct pci_dev *d = res->devs[i].dev;
		const char *family = reset_bug_family(d);
		const char *m = d->reset_method;

		if (family) {
			char fix[300];

			snprintf(fix, sizeof(fix), "install vendor-reset (github.com/gnif/vendor-reset, DKMS) and 'echo device_specific > /sys/bus/pci/devices/%s/reset_method'",
				 d->name);
			add(r, "reset", d->name, READY_WARN, SCOPE_ADVICE, fix,
			    "AMD %s: a family known to fail to reset between guest boots (the AMD reset bug): after the guest stops, the card may not come back until the host reboots",
			    family);
		} else if (!m && !kernel_has_reset_method(r->kver)) {
			add(r, "reset", d->name, READY_NOTE, SCOPE_ADVICE, NULL,
			    "not checked: the kernel has no reset_method (before 5.15)");
		} else if (!m || !m[0]) {
			add(r, "reset", d->name, READY_WARN, SCOPE_ADVICE,
			    "give it only to a guest that starts once per host boot, or use a slot whose bridge can reset it",
			    "no reset method (no FLR, no bus reset): the device keeps its state from one guest to the next");
		} else if (cmdline_has(m, "flr") || cmdline_has(m, "af_flr") || cmdline_has(m, "device_specific") ||
			   cmdline_has(m, "acpi")) {
			add(r, "reset", d->name, READY_PASS, SCOPE_ADVICE, NULL, "resets: %s", m);
		} else if (cmdline_has(m, "bus") || cmdline_has(m, "cxl_bus")) {
			add(r, "reset", d->name, READY_PASS, SCOPE_ADVICE, NULL,
			    "resets: %s (a bus reset resets everything behind its bridge: give the whole card to one guest)",
			    m);
		} else {
			add(r, "reset", d->name, READY_WARN, SCOPE_ADVICE,
			    "give it only to a guest that starts once per host boot",
			    "only a power-management reset (%s), which many devices ignore: no FLR and no bus reset", m);
		}
	}
}

static void item_ovmf(struct readiness *r, const struct host *h)
{
	for (size_t i = 0; i < ARRAY_SIZE(ovmf_files); i++) {
		if (sysroot_exists(h->root, ovmf_files[i])) {
			add(r, "ovmf", NULL, READY_PASS, SCOPE_ADVICE, NULL, "guest UEFI firmware: /%s",
			    ovmf_files[i]);
			return;
		}
	}
	add(r, "ovmf", NULL, READY_NOTE, SCOPE_ADVICE,
	    "apt-get install ovmf (Fedora, Arch: edk2-ovmf)",
	    "no OVMF under /usr/share: a GPU guest boots UEFI and needs it");
}

static void item_hugepages(struct readiness *r, const struct host *h)
{
	_cleanup_free_ char *meminfo = NULL;
	unsigned long total = 0, size = 0;
	const char *p;

	if (sysroot_read_all(h->root, "proc/meminfo", &meminfo) < 0) {
		add(r, "hugepages", NULL, READY_NOTE, SCOPE_ADVICE, NULL,
		    "not checked: no /proc/meminfo under the root");
		return;
	}
	if ((p = strstr(meminfo, "HugePages_Total:")))
		total = strtoul(p + 16, NULL, 10);
	if ((p = strstr(meminfo, "Hugepagesize:")))
		size = strtoul(p + 13, NULL, 10);
	if (total)
		add(r, "hugepages", NULL, READY_PASS, SCOPE_ADVICE, NULL,
		    "%lu huge pages of %lu kB reserved (%lu MiB) for guest memory", total, size,
		    total * size / 1024);
	else
		add(r, "hugepages", NULL, READY_NOTE, SCOPE_ADVICE,
		    "boot with hugepagesz=1G hugepages=N (N GiB of guest memory), or reserve 2 MiB pages in /proc/sys/vm/nr_hugepages",
		    "none reserved: guest memory in huge pages is faster to map through the IOMMU and pins without fragmenting");
}

int readiness_run(const struct sysroot *root, const struct machine *m, const struct resolution *res,
		  struct readiness *out)
{
	struct host h;

	memset(out, 0, sizeof(*out));
	host_read(root, m, &h);
	out->vendor = h.vendor;
	if (kmodinfo_find_kver(root, out->kver, sizeof(out->kver)) < 0)
		out->kver[0] = '\0';
	item_cpu(out, &h);
	item_kvm(out, &h);
	item_firmware(out, &h);
	item_iommu_now(out, &h);
	item_next_boot(out, &h);
	item_interrupt_remapping(out, &h);
	item_vfio_modules(out, &h, out->kver);
	item_vfio_device(out, &h);
	item_groups(out, &h);
	item_acs(out, &h);
	item_reset(out, res);
	item_ovmf(out, &h);
	item_hugepages(out, &h);
	host_free(&h);
	return out->v ? 0 : -ENOMEM;
}
