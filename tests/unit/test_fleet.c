// SPDX-License-Identifier: GPL-2.0
/* fleet: Kubernetes label names and values, and the NFD feature file's text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "macro.h"
#include "unit.h"

static const struct {
	const char *s;
	bool name, value;
} labels[] = {
	{ "vfio-claim.io/ready", true, false },
	{ "vfio-claim.io/10de_1b80.count", true, false },
	{ "ready", true, true },
	{ "true", true, true },
	{ "2", true, true },
	{ "", false, true },
	{ "vfio-claim.io/", false, false },
	{ "/ready", false, false },
	{ "Vfio-Claim.io/ready", false, false },	/* the prefix is a DNS subdomain: lower case */
	{ "vfio-claim..io/ready", false, false },
	{ "-vfio.io/ready", false, false },
	{ "vfio-claim.io/a/b", false, false },
	{ "vfio-claim.io/_ready", false, false },
	{ "vfio-claim.io/ready.", false, false },
	{ "vfio-claim.io/re dy", false, false },
	{ "a=b", false, false },
	{ "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc", true, true },	/* 63 */
	{ "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd", false, false },	/* 64 */
};

int main(void)
{
	struct id_count ids[] = {
		{ .vendor = 0x1002, .device = 0x9442, .claimed = 1, .on_vfio = 1, .present = 2 },
		{ .vendor = 0x10de, .device = 0x1b80, .claimed = 2, .on_vfio = 0, .present = 2 },
	};
	char *text = NULL;

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		CHECK(k8s_label_name_valid(labels[i].s) == labels[i].name, "name '%s'", labels[i].s);
		CHECK(k8s_label_value_valid(labels[i].s) == labels[i].value, "value '%s'", labels[i].s);
	}
	CHECK(nfd_feature_text(false, ids, 2, &text) == 0, "render");
	CHECK(text && streq(text, "# Written by vfio-claim verify --nfd: whether every claim holds, and the devices on vfio-pci per claimed ID\n"
				  "vfio-claim.io/ready=false\n"
				  "vfio-claim.io/claimed=3\n"
				  "vfio-claim.io/1002_9442.count=1\n"
				  "vfio-claim.io/10de_1b80.count=0\n"), "text: %s", text);
	free(text);
	text = NULL;
	CHECK(nfd_feature_text(true, NULL, 0, &text) == 0, "render empty");
	CHECK(text && strstr(text, "\nvfio-claim.io/ready=true\nvfio-claim.io/claimed=0\n"), "text: %s", text);
	free(text);
	return unit_summary("fleet");
}
