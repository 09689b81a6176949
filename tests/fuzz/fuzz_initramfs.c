// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for tools/initramfs.c, the reader verify runs on the
 * initramfs images under --root (which may come from someone else):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Itools \
 *         tests/fuzz/fuzz_initramfs.c tools/initramfs.c -larchive
 *
 * The input is one image, read with small limits (so that a bomb is cut
 * short quickly) and keeping every regular file under etc/. Properties
 * checked (a violation aborts):
 *   - it returns 0 or one of -EBADMSG, -EFBIG, -ENOMEM, and an error always
 *     comes with a one-line message;
 *   - no more than the limits: members, unpacked bytes, kept content;
 *   - every name is normalised: not empty, no leading "/", no "." or ".."
 *     component, no "//"; after initramfs_finish the listing is sorted and
 *     each name appears once;
 *   - a kept member's content is NUL-terminated at its size;
 *   - lookups through the archive's symlinks end (no loop) and module and
 *     prefix searches do not crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "initramfs.h"

static const char *const keep[] = { "etc/", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct initramfs_limits lim = { .max_unpacked = 8 << 20, .max_member = 4096, .max_members = 512 };
	struct initramfs ir;
	int r;

	initramfs_init(&ir, keep, &lim);
	r = initramfs_read_mem(&ir, data, size);
	require(r == 0 || r == -EBADMSG || r == -EFBIG || r == -ENOMEM);
	if (r < 0) {
		require(ir.error[0] != '\0');
		require(!strchr(ir.error, '\n'));
	}
	require(ir.n <= lim.max_members);
	require(ir.unpacked <= lim.max_unpacked);
	initramfs_finish(&ir);
	for (size_t i = 0; i < ir.n; i++) {
		const struct initramfs_member *m = &ir.v[i];
		const char *n = m->name;

		require(n[0] && n[0] != '/' && !strstr(n, "//"));
		require(strcmp(n, ".") && strncmp(n, "./", 2) && strncmp(n, "../", 3));
		require(!strstr(n, "/./") && !strstr(n, "/../"));
		require(n[strlen(n) - 1] != '/');
		if (i)
			require(strcmp(ir.v[i - 1].name, n) < 0);
		if (m->data) {
			require(m->type == S_IFREG && m->size <= lim.max_member);
			require(m->data[m->size] == '\0');
		}
		(void)initramfs_lookup(&ir, n);
		if (m->type == S_IFLNK) {
			char path[4200];

			snprintf(path, sizeof(path), "%s/x/../y", n);
			(void)initramfs_lookup(&ir, path);
		}
	}
	(void)initramfs_has_module(&ir, "vfio_pci");
	(void)initramfs_has_prefix(&ir, "usr/lib/dracut/");
	(void)initramfs_lookup(&ir, "lib/udev/rules.d/60-vfio-claim.rules");
	initramfs_free(&ir);
	return 0;
}
