# SPDX-License-Identifier: GPL-2.0
# vfio-claim: build, check, install.
#
#   make                  build the tool (build/vfio-claim)
#   make check            install missing Debian packages, then run every suite
#   make install DESTDIR=... PREFIX=...
#
# Each part adds its own targets from mk/*.mk; this file holds what they share.

VERSION := $(shell cat VERSION)
PREFIX ?= /usr
DESTDIR ?=
BUILD ?= build

CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
TOOL_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-DVFIO_CLAIM_VERSION='"$(VERSION)"' -Itools -Imodule \
	$(shell $(PKG_CONFIG) --cflags libudev libkmod libarchive 2>/dev/null)
TOOL_LIBS := $(shell $(PKG_CONFIG) --libs libudev libkmod libarchive 2>/dev/null)

# bats's run directories (a copy of a fixture tree per test) go on tmpfs when
# /dev/shm has 4 GiB free: removing them from ext4 took 1.5-4 minutes of each
# CLI suite (stop 19). Else bats's default ($TMPDIR, or /tmp).
BATS_ENV := $(shell avail=$$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $$4 }'); \
	[ "$${avail:-0}" -gt 4194304 ] && echo TMPDIR=/dev/shm)

# Suites that `make check` runs; each mk/*.mk appends its own.
CHECKS :=

.PHONY: all check deps install clean
all: $(BUILD)/vfio-claim

include $(sort $(wildcard mk/*.mk))

deps:
	@scripts/install-deps.sh $(DEP_GROUPS)

# The longest suites that boot no guest each keep one CPU busy (one bats or
# Python process): the CLI suite, the same suites under ASan/UBSan and the
# Ansible collection's run side by side, as do the two package builds
# (scripts/run-checks.sh "A+B"), after what they share is built once.
CHECK_WORDS = $(filter-out sanitize ansible rpm,$(patsubst deb,deb+rpm,$(patsubst cli,cli+sanitize+ansible,$(CHECKS))))

check: deps
	@$(MAKE) --no-print-directory all $(BUILD)/fakesysfs.so $(ASAN_BUILD)/vfio-claim
	@scripts/run-checks.sh $(CHECK_WORDS)

clean:
	rm -rf $(BUILD)
