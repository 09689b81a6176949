// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "lock.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "names.h"
#include "usage.h"

/* The devices the loaded vfio_claim module has claimed (its "claimed" parameter). */
static void mark_module_claims(struct context *ctx, struct machine *m)
{
	_cleanup_free_ char *list = NULL;
	size_t pos = 0, len;
	const char *item;

	if (sysroot_read_all(&ctx->root, "sys/module/vfio_claim/parameters/claimed", &list) < 0)
		return;
	while (vc_next_item(list, strlen(list), &pos, &item, &len)) {
		struct vc_pci_addr a;
		struct pci_dev *d;

		if (!vc_parse_addr(item, len, &a) && (d = pci_find(&m->pci, &a)))
			d->claimed_by_module = true;
	}
}

int machine_load(struct context *ctx, struct machine *m)
{
	_cleanup_free_ char *failed = NULL;
	struct names *names;
	int vanished, r;

	memset(m, 0, sizeof(*m));
	if (ctx->root.fd < 0) {
		r = context_open_root(ctx);
		if (r)
			return r;
	}
	r = pci_scan(&ctx->root, &m->pci, &vanished, &failed);
	if (r < 0) {
		if (failed)
			ERR("%s: cannot read: %s; check the file (or run as root) and try again",
			    failed, strerror(-r));
		else
			ERR("%s/sys/bus/pci/devices: cannot read: %s", ctx->root_path, strerror(-r));
		return exit_code_for(r);
	}
	if (vanished)
		WRN("%d PCI device(s) disappeared while being read (hot removal?) and are not shown; run again for a stable view",
		    vanished);
	mark_module_claims(ctx, m);
	names = names_open();
	if (!names)
		INF("the udev hardware database cannot be opened; showing IDs without names");
	names_fill(names, &m->pci);
	names_close(names);
	r = usage_fill(&ctx->root, &m->pci);
	if (r == 0)
		r = groups_build(&ctx->root, &m->pci, &m->groups);
	if (r < 0) {
		ERR("reading the machine: %s", strerror(-r));
		machine_free(m);
		return exit_code_for(r);
	}
	return 0;
}

void machine_free(struct machine *m)
{
	groups_free(&m->groups);
	pci_set_free(&m->pci);
}

int machine_find_device(const struct machine *m, const char *arg, const struct command *cmd,
			struct pci_dev **dev)
{
	struct vc_pci_addr addr;
	char name[VC_ADDR_STRLEN];

	if (vc_parse_addr(arg, strlen(arg), &addr))
		return usage_error(cmd, "'%s' is not a PCI address (like 0000:0a:00.0 or 0a:00.0)", arg);
	*dev = pci_find(&m->pci, &addr);
	if (!*dev) {
		ERR("%s: no such PCI device; 'vfio-claim list' shows the devices present",
		    vc_format_addr(name, &addr));
		return EXIT_UNAVAILABLE;
	}
	return 0;
}

int config_load_or_report(struct context *ctx, struct config *cfg)
{
	struct config_error err;
	int r = config_load(&ctx->root, cfg, &err);

	if (r == -EINVAL) {
		ERR("%s; fix the line and try again (nothing was changed)", err.text);
		return EXIT_CONFIG;
	}
	if (r < 0) {
		ERR("%s", err.text[0] ? err.text : strerror(-r));
		return exit_code_for(r);
	}
	return 0;
}

int kmodinfo_open_or_report(struct context *ctx, struct kmodinfo **kmod, char *kver, size_t size)
{
	int r = kmodinfo_open(&ctx->root, kmod, kver, size);

	if (r == 0)
		return 0;
	if (r == -SYSROOT_ENOTREG) {
		ERR("%s: not a regular file (a FIFO, socket or device node); the module tools would block on it or read a device: remove it",
		    kmodinfo_bad_file());
		return EXIT_UNAVAILABLE;
	}
	if (r == -EXDEV) {
		ERR("%s: a symbolic link that leads out of %s; vfio-claim reads nothing outside the root: replace it with the file",
		    kmodinfo_bad_file(), ctx->root_path);
		return EXIT_UNAVAILABLE;
	}
	ERR("/lib/modules/%s: no module index (modules.dep.bin) to find the native drivers in; install the kernel's modules or run 'depmod %s'",
	    kver[0] ? kver : "KVER", kver);
	return EXIT_UNAVAILABLE;
}

int vfio_pci_load_or_report(struct context *ctx, struct kmodinfo *kmod)
{
	static const char driver_dir[] = "sys/bus/pci/drivers/vfio-pci";
	struct kmodinfo *own = NULL;
	char kver[128] = "";
	int r;

	if (sysroot_exists(&ctx->root, driver_dir))
		return 0;
	if (!streq(ctx->root_path, "/")) {
		ERR("vfio-pci is not loaded under %s; load it there ('modprobe vfio-pci') and try again",
		    ctx->root_path);
		return EXIT_UNAVAILABLE;
	}
	if (!kmod) {
		r = kmodinfo_open_or_report(ctx, &own, kver, sizeof(kver));
		if (r)
			return r;
		kmod = own;
	}
	r = kmodinfo_load(kmod, "vfio-pci");
	kmodinfo_close(own);
	if (r < 0) {
		ERR("cannot load vfio-pci: %s; 'modprobe -v vfio-pci' shows why", strerror(-r));
		return EXIT_UNAVAILABLE;
	}
	if (!sysroot_exists(&ctx->root, driver_dir)) {
		ERR("vfio-pci loaded but /%s did not appear; see 'dmesg | grep -i vfio'", driver_dir);
		return EXIT_UNAVAILABLE;
	}
	return 0;
}

int lock_take_or_report(struct context *ctx)
{
	int timeout = lock_timeout(10), fd;
	const char *why;

	if (timeout < 0) {
		ERR("VFIO_CLAIM_LOCK_TIMEOUT=%s: give a number of seconds from 0 to %d",
		    getenv("VFIO_CLAIM_LOCK_TIMEOUT"), LOCK_TIMEOUT_MAX);
		return -EXIT_USAGE;
	}
	fd = lock_take(&ctx->root, timeout);
	if (fd >= 0)
		return fd;
	if (fd == -EWOULDBLOCK) {
		/* The wording the bad-input table has known since the lock came. */
		ERR("/%s: held too long; another vfio-claim is running: wait for it and try again",
		    LOCK_PATH);
		return -EXIT_UNAVAILABLE;
	}
	why = lock_error_reason(fd);
	if (why)
		ERR("/%s: cannot take the lock: %s (%s)", LOCK_PATH, why, strerror(-fd));
	else
		ERR("/%s: cannot take the lock: %s", LOCK_PATH, strerror(-fd));
	return -exit_code_for(fd);
}
