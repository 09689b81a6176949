# The user's whole flow in a QEMU guest across reboots (tests/vm/flow/):
# add, apply --initramfs, reboot, verify; a stale initramfs; an ineffective
# blacklist; a built-in driver and 'rebind'.
#
#   make check-vm-flow [VM_FLOW_KERNEL=6.1|6.12|all] [VM_FLOW_SCENARIOS="1 3 4"]
#
# Everything it builds lives under $(BUILD)/vm-flow. Not part of CHECKS.

VM_FLOW_KERNEL ?= 6.1
VM_FLOW_SCENARIOS ?=

.PHONY: check-vm-flow
check-vm-flow:
	tests/vm/flow/run.sh --kernel $(VM_FLOW_KERNEL) $(VM_FLOW_SCENARIOS)
