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
	bats --print-output-on-failure tests/bats

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
