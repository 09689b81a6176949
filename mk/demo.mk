# make demo: a user's session in a QEMU guest with an emulated IOMMU, a GPU
# with its audio function and two identical NICs: list, add --group, apply
# --initramfs, reboot, verify, export --qemu, with the guest's console on
# screen. Installs the Debian packages it needs; everything else it makes
# lives under $(BUILD)/vm-flow (the host's /boot and /etc are not touched).
#
#   make demo [DEMO_KERNEL=6.1|6.12]

DEMO_KERNEL ?= 6.1

.PHONY: demo
demo:
	@demo/demo.sh --kernel $(DEMO_KERNEL)
