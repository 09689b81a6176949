# The vfio_claim kernel module, its parser's tests, and what loads it at boot.
#
#   make module [KVER=...|KDIR=...]   build vfio_claim.ko in build/module/KVER/
#   make check-parse                  unit tests of module/vc_parse.c
#   make check-fuzz                   libFuzzer run of module/vc_parse.c
#   make check-module-detect          module/vc-detect.sh against header
#                                     fixtures of the three driver_override states
#   make check-module-build           W=1 + sparse build against every installed
#                                     kernel's headers, then checkpatch
#   make check-initramfs              shellcheck the boot scripts; build a real
#                                     initramfs per kernel and check its contents
#   make install-module DESTDIR=...   DKMS source, udev, modprobe.d, initramfs
DEP_GROUPS += module
CHECKS += parse fuzz module-detect module-build initramfs

KVER ?= $(shell uname -r)
MODULE_FILES := module/Kbuild module/Makefile module/vc-detect.sh \
	$(sort $(wildcard module/*.c module/*.h))
MODULE_DKMS_DIR = $(DESTDIR)/usr/src/vfio-claim-$(VERSION)

# Kbuild must not inherit this make's command line (CC=, CFLAGS=...): the
# kernel's headers say which compiler and flags a module needs.
KBUILD_MAKE = env -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES -u MAKELEVEL $(MAKE)

# Kbuild writes its objects next to the sources, so each build gets a copy
# laid out like the DKMS tree (module/ and VERSION side by side): one per
# kernel, and module/ itself stays clean.
# $(call module_tree,DIR)
define module_tree
rm -rf $(1) && mkdir -p $(1)/module && \
	cp $(MODULE_FILES) $(1)/module/ && cp VERSION $(1)/
endef

.PHONY: module check-parse check-fuzz check-module-detect check-module-build check-initramfs install-module
module:
	@if [ -z "$(KDIR)" ] && [ ! -d /lib/modules/$(KVER)/build ]; then \
		echo "module: no headers for $(KVER) in /lib/modules/$(KVER)/build; give KVER= (one of:" \
			$$(ls -d /lib/modules/*/build 2>/dev/null | cut -d/ -f4) ") or KDIR=" >&2; \
		exit 69; \
	fi
	@$(call module_tree,$(BUILD)/module/$(KVER))
	$(KBUILD_MAKE) -C $(BUILD)/module/$(KVER)/module KVER=$(KVER) \
		$(if $(KDIR),KDIR=$(abspath $(KDIR))) $(if $(W),W=$(W))
	@echo "module: $(BUILD)/module/$(KVER)/module/vfio_claim.ko"

# The parser's unit tests, with the tool's flags (the tool compiles the same
# file) and the sanitizers, which catch reads past an item's length.
$(BUILD)/unit/test_vc_parse: tests/unit/test_vc_parse.c module/vc_parse.c module/vc_parse.h
	@mkdir -p $(dir $@)
	$(CC) $(TOOL_CFLAGS) $(CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -o $@ tests/unit/test_vc_parse.c module/vc_parse.c

check-parse: $(BUILD)/unit/test_vc_parse
	$(BUILD)/unit/test_vc_parse

# libFuzzer: a fixed number of runs from the seed corpus; any crash, leak,
# sanitizer report or broken property fails. New inputs go to
# build/fuzz/corpus, crash inputs to build/fuzz/ (never into tests/).
FUZZ_RUNS ?= 400000
FUZZ_CC ?= clang
$(BUILD)/fuzz/fuzz_vc_parse: tests/fuzz/fuzz_vc_parse.c tests/fuzz/fuzz.h module/vc_parse.c module/vc_parse.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -std=gnu11 -Wall -Wextra -Werror -Imodule \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_vc_parse.c module/vc_parse.c

check-fuzz: $(BUILD)/fuzz/fuzz_vc_parse
	@mkdir -p $(BUILD)/fuzz/corpus
	@log=$(BUILD)/fuzz/fuzz.log; \
	if $(BUILD)/fuzz/fuzz_vc_parse -runs=$(FUZZ_RUNS) -max_len=256 -seed=1 \
		-dict=tests/fuzz/vc_parse.dict -artifact_prefix=$(BUILD)/fuzz/ \
		-max_total_time=50 $(BUILD)/fuzz/corpus tests/fuzz/corpus >$$log 2>&1; then \
		echo "fuzz: $$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' $$log), no crash or leak"; \
	else \
		tail -40 $$log; echo "fuzz: FAILED (log $$log; crash input in $(BUILD)/fuzz/)" >&2; exit 1; \
	fi

# Which driver_override API Kbuild picks (module/vc-detect.sh), against
# small header trees in each state: old (6.1), mixed (v7.0: the device.h
# helpers without PCI's use of them), new (6.12.91+, 7.1+).
check-module-detect:
	CC="$(CC)" tests/module-detect/run.sh

# Build against every kernel whose headers are installed, and against sid's
# newest kernel (7.x) in a cached sid chroot (scripts/sid-chroot.sh, about 7
# minutes the first time), with W=1 and sparse (C=1), failing on any
# warning; then checkpatch --strict from 6.1 and from the newest kernel.
# Debian 6.1's headers come from module.list (linux-headers-amd64); the
# newest 6.12 headers of the bookworm series are resolved now (their ABI
# number changes) and installed.
MODULE_612_HEADERS = apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12[0-9a-z.~]*-amd64$$' 2>/dev/null | \
	sed -n 's/^\(linux-headers-[^ ]*\) .*/\1/p' | sort -V | tail -1
# Cached outside the tree: a clean clone (CI) reuses what an earlier run built here.
SID_CHROOT ?= /var/cache/vfio-claim/sid-chroot

# $(call module_check_report,KVER,DIR,STATUS,LOG): fail on any warning;
# say which driver_override API Kbuild chose.
define module_check_report
if grep -qi -e warning -e 'error' $(4) || [ $(3) != 0 ] || [ ! -f $(2)/module/vfio_claim.ko ]; then \
	grep -i -B2 -A4 -e warning -e error $(4) | tail -40; \
	echo "module-build: $(1): FAILED (make status $(3), log $(4))"; rc=1; \
else \
	api=$$(grep -o -- '-DVC_OVERRIDE_API_[a-z]*' $(2)/module/.vfio_claim_main.o.cmd | head -1 | sed 's/.*_//'); \
	echo "module-build: $(1): ok, W=1 and sparse without a warning; driver_override API: $$api; $$(modinfo -F vermagic $(2)/module/vfio_claim.ko)"; \
fi
endef

check-module-build:
	@pkg=$$($(MODULE_612_HEADERS)); \
	if [ -z "$$pkg" ] && [ "$$(id -u)" = 0 ]; then \
		apt-get -q -o DPkg::Lock::Timeout=900 update >/dev/null; pkg=$$($(MODULE_612_HEADERS)); \
	fi; \
	if [ -n "$$pkg" ]; then scripts/install-deps.sh --packages $$pkg || exit $$?; \
	else echo "module-build: no linux-headers-6.12.*+deb12-amd64 in the package lists" >&2; exit 69; fi
	@rc=0; n=0; \
	for kdir in /lib/modules/*/build; do \
		[ -d "$$kdir/" ] || continue; \
		kver=$$(basename $$(dirname $$kdir)); n=$$((n + 1)); \
		dir=$(BUILD)/module-check/$$kver; log=$$dir/build.log; \
		$(call module_tree,$$dir); \
		if $(KBUILD_MAKE) -C $$dir/module KVER=$$kver KDIR=$$kdir W=1 C=1 >$$log 2>&1; then st=0; else st=$$?; fi; \
		$(call module_check_report,$$kver,$$dir,$$st,$$log); \
	done; \
	if [ $$n = 0 ]; then echo "module-build: no kernel headers under /lib/modules/*/build" >&2; exit 69; fi; \
	start=$$(date +%s); \
	sidk=$$(scripts/sid-chroot.sh $(SID_CHROOT)) || exit $$?; \
	echo "module-build: sid chroot with $$sidk ready in $$(($$(date +%s) - start)) s"; \
	dir=$(SID_CHROOT)/build/module-check; log=$(BUILD)/module-check/sid-$$sidk.log; \
	$(call module_tree,$$dir); \
	if scripts/sid-chroot.sh $(SID_CHROOT) run make -C /build/module-check/module \
		KVER=$$sidk W=1 C=1 >$$log 2>&1; then st=0; else st=$$?; fi; \
	$(call module_check_report,$$sidk (sid),$$dir,$$st,$$log); \
	scripts/checkpatch.sh || rc=1; \
	CHECKPATCH_IGNORE=ALLOC_WITH_SIZEOF CHECKPATCH_CACHE=$(abspath $(BUILD))/checkpatch-sid \
		CHECKPATCH_TARBALL=$$(ls $(SID_CHROOT)/usr/src/linux-source-*.tar.* | sort -V | tail -1) \
		scripts/checkpatch.sh || rc=1; \
	exit $$rc

# The boot integration: shell syntax and shellcheck, then a real initramfs
# per installed kernel (initramfs/check-image.sh: private mount namespace,
# the host is left as it was), with the module check-module-build built.
MODULE_BOOT_SCRIPTS := initramfs/hooks/vfio-claim initramfs/scripts/init-top/00-vfio-claim \
	initramfs/check-image.sh
check-initramfs:
	@for f in $(MODULE_BOOT_SCRIPTS); do sh -n $$f || exit 1; done
	@bash -n dracut/90vfio-claim/module-setup.sh
	shellcheck $(MODULE_BOOT_SCRIPTS)
	shellcheck -s bash dracut/90vfio-claim/module-setup.sh
	@args=""; \
	for kdir in /lib/modules/*/build; do \
		[ -d "$$kdir/" ] || continue; \
		kver=$$(basename $$(dirname $$kdir)); dir=$(BUILD)/module-check/$$kver; \
		if [ ! -f /lib/modules/$$kver/modules.dep ] || [ ! -f /boot/config-$$kver ]; then \
			echo "initramfs: $$kver has headers but no modules or /boot/config; install linux-image-$$kver" >&2; exit 69; \
		fi; \
		if [ ! -f $$dir/module/vfio_claim.ko ]; then \
			$(call module_tree,$$dir); \
			$(KBUILD_MAKE) -C $$dir/module KVER=$$kver KDIR=$$kdir >$$dir/build.log 2>&1 || \
				{ tail -20 $$dir/build.log; exit 1; }; \
		fi; \
		args="$$args $$kver=$$dir/module/vfio_claim.ko"; \
	done; \
	[ -n "$$args" ] || { echo "initramfs: no kernel headers under /lib/modules/*/build" >&2; exit 69; }; \
	initramfs/check-image.sh $$args

# The DKMS source tree, as dkms expects it in /usr/src/NAME-VERSION/; its
# dkms.conf gets the version as a literal (see the comment in dkms.conf).
# The one-line Kbuild at its top lets dkms's built-in "make -C KDIR
# M=<tree> clean" (dkms 3.0.x runs it before and after each build) descend
# into module/, whose Kbuild skips its compile test when cleaning; else the
# clean fails with status 2 (tests/pkg/dkms-clean.sh, in check-deb).
install: install-module
install-module:
	install -d $(MODULE_DKMS_DIR)/module
	install -m 0644 $(MODULE_FILES) $(MODULE_DKMS_DIR)/module/
	chmod 0755 $(MODULE_DKMS_DIR)/module/vc-detect.sh
	install -m 0644 VERSION $(MODULE_DKMS_DIR)/VERSION
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' dkms.conf >$(MODULE_DKMS_DIR)/dkms.conf
	printf '%s\n' '# SPDX-License-Identifier: GPL-2.0' \
		'# For dkms: "make -C KDIR M=<this tree> [clean]" works on module/.' \
		'obj-m += module/' >$(MODULE_DKMS_DIR)/Kbuild
	chmod 0644 $(MODULE_DKMS_DIR)/dkms.conf $(MODULE_DKMS_DIR)/Kbuild
	install -D -m 0644 udev/60-vfio-claim.rules $(DESTDIR)/usr/lib/udev/rules.d/60-vfio-claim.rules
	install -D -m 0644 modprobe.d/vfio-claim.conf $(DESTDIR)/usr/lib/modprobe.d/vfio-claim.conf
	install -D -m 0755 initramfs/hooks/vfio-claim \
		$(DESTDIR)/usr/share/initramfs-tools/hooks/vfio-claim
	install -D -m 0755 initramfs/scripts/init-top/00-vfio-claim \
		$(DESTDIR)/usr/share/initramfs-tools/scripts/init-top/00-vfio-claim
	install -D -m 0755 dracut/90vfio-claim/module-setup.sh \
		$(DESTDIR)/usr/lib/dracut/modules.d/90vfio-claim/module-setup.sh
