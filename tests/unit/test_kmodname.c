// SPDX-License-Identifier: GPL-2.0
/* kmodinfo_valid_name: what a tree's module index may put into a softdep line. */
#include "kmodinfo.h"
#include "unit.h"

int main(void)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{ "nouveau", true },
		{ "snd_hda_intel", true },
		{ "vfio-pci", true },
		{ "e1000e", true },
		{ "", false },
		{ "evil pre: x", false },
		{ "evil\ninstall vfio_claim /bin/sh", false },
		{ "../x", false },
		{ "mod.ko", false },
		{ "m\xc3\xa9", false },
		{ "a123456789012345678901234567890123456789012345678901234567890ab", true },
		{ "a123456789012345678901234567890123456789012345678901234567890abc", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(kmodinfo_valid_name(cases[i].name) == cases[i].ok, "'%s': want %s", cases[i].name,
		      cases[i].ok ? "valid" : "refused");
	return unit_summary("test_kmodname");
}
