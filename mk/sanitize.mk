# The tool under AddressSanitizer and UndefinedBehaviorSanitizer, and the
# config parser's fuzzer (issue 9).
#
#   make check-sanitize       build build/asan/vfio-claim with ASan+UBSan and run
#                             bats suites against it (SANITIZE_SUITES), halting on
#                             the first report
#   make check-fuzz-config    libFuzzer on tools/config.c with the round-trip
#                             property (tests/fuzz/fuzz_config.c), a fixed number of runs
#
# The sanitized tool is a separate build (its objects in build/asan/obj), so
# `make all` stays as it is. The bind tests preload the fake kernel
# (build/fakesysfs.so) into it: ASan wants its runtime first in the library
# list, and verify_asan_link_order=0 lets the preload come before it (the
# preload only wraps write(), which reaches ASan's interceptor through
# RTLD_NEXT).
CHECKS += sanitize fuzz-config

ASAN_BUILD := $(BUILD)/asan
ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The same sources as TOOL_SRCS (tool.mk is read after this file).
ASAN_SRCS := $(sort $(wildcard tools/*.c)) module/vc_parse.c
ASAN_OBJS := $(patsubst %.c,$(ASAN_BUILD)/obj/%.o,$(ASAN_SRCS))

# The suites with bad and hostile input, plus the ones that drive apply,
# verify and bind end to end (measured: see README "What is tested").
SANITIZE_SUITES ?= tests/bats/bad-inputs.bats tests/bats/hostile-inject.bats tests/bats/kernel-args.bats \
	tests/bats/hostile-paths.bats tests/bats/policy.bats tests/bats/workflow.bats \
	tests/bats/fleet.bats

$(ASAN_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(TOOL_CFLAGS) $(ASAN_CFLAGS) -MMD -MP -c $< -o $@

$(ASAN_BUILD)/vfio-claim: $(ASAN_OBJS)
	$(CC) $(ASAN_CFLAGS) $(LDFLAGS) -o $@ $^ $(TOOL_LIBS)

-include $(ASAN_OBJS:.o=.d)

.PHONY: check-sanitize check-fuzz-config
check-sanitize: $(ASAN_BUILD)/vfio-claim $(BUILD)/fakesysfs.so
	VFIO_CLAIM=$(abspath $(ASAN_BUILD)/vfio-claim) \
	ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:verify_asan_link_order=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(BATS_ENV) bats --print-output-on-failure $(SANITIZE_SUITES)

# libFuzzer, as check-fuzz does for the module's parser: new inputs go to
# build/fuzz/config-corpus, crash inputs to build/fuzz/ (never into tests/).
FUZZ_CONFIG_RUNS ?= 60000
$(BUILD)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c tests/fuzz/fuzz.h tools/config.c tools/config.h tools/sysroot.c \
		tools/sysroot.h module/vc_parse.c module/vc_parse.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Itools -Imodule \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_config.c tools/config.c tools/sysroot.c module/vc_parse.c

check-fuzz-config: $(BUILD)/fuzz/fuzz_config
	@mkdir -p $(BUILD)/fuzz/config-corpus
	@log=$(BUILD)/fuzz/fuzz_config.log; \
	if $(BUILD)/fuzz/fuzz_config -runs=$(FUZZ_CONFIG_RUNS) -max_len=512 -seed=1 \
		-dict=tests/fuzz/config.dict -artifact_prefix=$(BUILD)/fuzz/config- \
		-max_total_time=50 $(BUILD)/fuzz/config-corpus tests/fuzz/config-corpus >$$log 2>&1; then \
		echo "fuzz-config: $$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' $$log), no crash, leak or broken round trip"; \
	else \
		tail -40 $$log; echo "fuzz-config: FAILED (log $$log; crash input in $(BUILD)/fuzz/)" >&2; exit 1; \
	fi
