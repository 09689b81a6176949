# The vfio-claim command.
DEP_GROUPS += tool
TOOL_SRCS := $(sort $(wildcard tools/*.c)) module/vc_parse.c
TOOL_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(TOOL_SRCS))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(TOOL_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/vfio-claim: $(TOOL_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(TOOL_LIBS)

-include $(TOOL_OBJS:.o=.d)

install: install-tool
.PHONY: install-tool
install-tool: $(BUILD)/vfio-claim
	install -D -m 0755 $(BUILD)/vfio-claim $(DESTDIR)$(PREFIX)/bin/vfio-claim

# Unit tests of the tool's own C code (the parser has its own in mk/module.mk).
TOOL_UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(filter-out tests/unit/test_vc_parse.c,$(wildcard tests/unit/test_*.c)))
TOOL_LIB_OBJS := $(filter-out $(BUILD)/obj/tools/vfio-claim.o,$(TOOL_OBJS))

$(BUILD)/unit/%: tests/unit/%.c $(TOOL_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(TOOL_CFLAGS) $(CFLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer -Itests/unit \
		-o $@ $< $(filter-out $(BUILD)/obj/tools/cmd-%.o $(BUILD)/obj/tools/machine.o $(BUILD)/obj/tools/claimsetup.o,$(TOOL_LIB_OBJS)) $(TOOL_LIBS)

CHECKS += tool-unit cli
.PHONY: check-tool-unit check-cli
check-tool-unit: $(TOOL_UNIT_TESTS)
	@rc=0; for t in $^; do $$t || rc=1; done; exit $$rc

# The bats suites run the real binary against fixture trees.
check-cli: $(BUILD)/vfio-claim
	$(BATS_ENV) bats --print-output-on-failure tests/bats

# The fake kernel the bind tests preload into the real binary.
$(BUILD)/fakesysfs.so: tests/mock/fakesysfs.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -Wno-format-truncation -O2 -shared -fPIC -o $@ $< -ldl

check-cli: $(BUILD)/fakesysfs.so

# The committed fixture trees are what their machine descriptions generate.
CHECKS += fixtures
.PHONY: check-fixtures
check-fixtures:
	python3 tests/fixtures/sysfstree.py check

# libFuzzer run of the initramfs reader (tools/initramfs.c) on images from
# tests/fuzz/initramfs-corpus; new inputs go to build/fuzz-initramfs/corpus.
CHECKS += fuzz-initramfs
FUZZ_INITRAMFS_RUNS ?= 20000
.PHONY: check-fuzz-initramfs
$(BUILD)/fuzz-initramfs/fuzz_initramfs: tests/fuzz/fuzz_initramfs.c tests/fuzz/fuzz.h tools/initramfs.c tools/initramfs.h
	@mkdir -p $(dir $@)
	$(or $(FUZZ_CC),clang) -g -O1 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Itools \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_initramfs.c tools/initramfs.c $(shell $(PKG_CONFIG) --libs libarchive)

check-fuzz-initramfs: $(BUILD)/fuzz-initramfs/fuzz_initramfs
	@mkdir -p $(BUILD)/fuzz-initramfs/corpus
	@log=$(BUILD)/fuzz-initramfs/fuzz.log; \
	if $(BUILD)/fuzz-initramfs/fuzz_initramfs -runs=$(FUZZ_INITRAMFS_RUNS) -max_len=4096 -seed=1 \
		-rss_limit_mb=1024 -artifact_prefix=$(BUILD)/fuzz-initramfs/ -max_total_time=90 \
		$(BUILD)/fuzz-initramfs/corpus tests/fuzz/initramfs-corpus >$$log 2>&1; then \
		echo "fuzz-initramfs: $$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' $$log), no crash or leak"; \
	else \
		tail -40 $$log; echo "fuzz-initramfs: FAILED (log $$log; crash input in $(BUILD)/fuzz-initramfs/)" >&2; exit 1; \
	fi

# mkinitcpio (Arch): the install and runtime hooks, for HOOKS=(... udev vfio-claim ...).
install: install-initcpio
.PHONY: install-initcpio
install-initcpio:
	install -D -m 0644 initcpio/install/vfio-claim $(DESTDIR)/usr/lib/initcpio/install/vfio-claim
	install -D -m 0644 initcpio/hooks/vfio-claim $(DESTDIR)/usr/lib/initcpio/hooks/vfio-claim
