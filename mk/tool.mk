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
