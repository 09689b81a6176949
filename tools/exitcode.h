/* SPDX-License-Identifier: GPL-2.0 */
/* Exit codes of the contract (sysexits). main() is the one place that maps errors to them. */
#pragma once

enum {
	EXIT_OK = 0,
	EXIT_CHECK_FAILED = 1,	/* a check failed: no IOMMU, verify found problems */
	EXIT_CHANGES = 2,	/* apply --check found changes */
	EXIT_USAGE = 64,	/* bad command line: malformed address or ID, unknown option */
	EXIT_CONFIG = 65,	/* bad configuration file */
	EXIT_UNAVAILABLE = 69,	/* something needed is missing: no sysfs, unknown device */
	EXIT_NOPERM = 77,	/* permission denied */
};
