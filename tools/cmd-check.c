// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-claim check: is this host ready for PCI passthrough, and if not,
 * what to do on this machine. One line per item (readiness.h), in the
 * manner of libvirt's virt-host-validate, which for passthrough checks only
 * that the platform has an IOMMU and that the kernel enabled it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "exitcode.h"
#include "json.h"
#include "log.h"
#include "printable.h"
#include "readiness.h"

void readiness_print(const struct readiness *r)
{
	int fail = 0, warn = 0;

	for (int i = 0; i < r->n; i++) {
		const struct ready_item *it = &r->v[i];

		fail += it->state == READY_FAIL;
		warn += it->state == READY_WARN;
		print_line("%s  %s%s%s: %s%s%s", ready_state_name(it->state, false), it->name,
			   it->device[0] ? " " : "", it->device, it->message,
			   it->fix[0] && it->state != READY_PASS ? "; fix: " : "",
			   it->fix[0] && it->state != READY_PASS ? it->fix : "");
	}
	if (fail)
		printf("not ready for passthrough: %d to fix%s\n", fail,
		       warn ? ", and warnings above" : "");
	else
		printf("ready for passthrough%s\n", warn ? ", with warnings above" : "");
}

void readiness_json(struct json *j, const struct readiness *r)
{
	json_object_begin(j);
	json_kv_bool(j, "ready", readiness_ok(r, -1));
	json_kv_string(j, "cpu_vendor", cpu_vendor_name(r->vendor));
	json_kv_string(j, "kernel", r->kver[0] ? r->kver : NULL);
	json_key(j, "items");
	json_array_begin(j);
	for (int i = 0; i < r->n; i++) {
		const struct ready_item *it = &r->v[i];
		static const char *const scopes[] = { "claim", "guest", "advice" };

		json_object_begin(j);
		json_kv_string(j, "item", it->name);
		json_kv_string(j, "device", it->device[0] ? it->device : NULL);
		json_kv_string(j, "state", ready_state_name(it->state, true));
		json_kv_string(j, "needed_by", scopes[it->scope]);
		json_kv_string(j, "message", it->message);
		json_kv_string(j, "fix", it->fix[0] && it->state != READY_PASS ? it->fix : NULL);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static int run_check(struct context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		GLOBAL_LONG_OPTIONS,
		{},
	};
	struct resolution res = { 0 };
	struct config cfg = { 0 };
	struct readiness r;
	struct machine m;
	int c, code = 0;

	while ((c = getopt_long(argc, argv, GLOBAL_SHORT_OPTIONS, options, NULL)) != -1)
		if (handle_global_option(ctx, &cmd_check, c, &code) < 0)
			return code;
	if (optind < argc)
		return usage_error(&cmd_check, "'%s': check takes no arguments", argv[optind]);
	code = machine_load(ctx, &m);
	if (code)
		return code;
	code = config_load_or_report(ctx, &cfg);
	if (code)
		goto out;
	if (resolve_claims(&cfg, &m, &res) < 0 || readiness_run(&ctx->root, &m, &res, &r) < 0) {
		ERR("checking the host: %s", strerror(ENOMEM));
		code = EXIT_UNAVAILABLE;
		goto out;
	}
	if (ctx->json) {
		struct json j;

		json_init(&j, stdout);
		readiness_json(&j, &r);
		json_finish(&j);
	} else {
		readiness_print(&r);
	}
	code = readiness_ok(&r, -1) ? EXIT_OK : EXIT_CHECK_FAILED;
	readiness_free(&r);
out:
	resolution_free(&res);
	config_free(&cfg);
	machine_free(&m);
	return code;
}

const struct command cmd_check = {
	.name = "check",
	.run = run_check,
	.summary = "say whether this host is ready for passthrough, and what to fix",
	.usage = "check\n"
		 "\n"
		 "Is this host ready for PCI passthrough? One line per item, PASS, NOTE, WARN or\n"
		 "FAIL, with the fix for this machine where it is not:\n"
		 "  cpu-virt             VT-x (vmx) or AMD-V (svm) in /proc/cpuinfo\n"
		 "  kvm                  /dev/kvm\n"
		 "  iommu-firmware       the firmware's IOMMU table (ACPI DMAR for Intel, IVRS for AMD):\n"
		 "                       tells 'off in the firmware' from 'off on the command line'\n"
		 "  iommu-now            IOMMU groups and units: the kernel enabled it\n"
		 "  iommu-next-boot      the next boot's command line (/etc/default/grub, /etc/kernel/cmdline)\n"
		 "  interrupt-remapping  IR- in /proc/interrupts; vfio_iommu_type1.allow_unsafe_interrupts\n"
		 "  vfio-modules         vfio, vfio_iommu_type1, vfio_pci for the running kernel\n"
		 "  vfio-device          /dev/vfio/vfio\n"
		 "  groups               endpoints that share a group with a device the host needs\n"
		 "  acs-override         pcie_acs_override= on the command line, and what it gives up\n"
		 "  reset DEVICE         each claimed device's reset; GPUs known for the reset bug\n"
		 "  ovmf, hugepages      guest firmware and huge pages (advice only)\n"
		 "\n"
		 "Exit status: 0 when nothing FAILs (everything passthrough needs is there), else 1.\n",
};
