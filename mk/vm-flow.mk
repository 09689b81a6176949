# The user's whole flow in a QEMU guest across reboots (tests/vm/flow/):
# add, apply --initramfs, reboot, verify; a stale initramfs; an ineffective
# blacklist; a built-in driver and 'rebind'; bind and unbind; claims removed
# while the initramfs still holds them; the claims' boot paths with the IOMMU
# off (7) and with vfio_claim unable to load (8); the Debian packages'
# lifecycle on a guest installed from the .deb files (9: reboot, kernel
# upgrade to 6.12; 10: remove, purge; on the 6.1 package guest only, so once
# per run).
#
#   make check-vm-flow [VM_FLOW_KERNEL=6.1|6.12|7|bookworm|all] [VM_FLOW_SCENARIOS="1 3 4 5 7"]
#
# Everything it builds lives under $(BUILD)/vm-flow. Part of CHECKS (added in
# mk/vm.mk, after vm), on the three kernels: about 7 minutes on 2 CPUs, plus about
# 15 for scenarios 7 and 8 (one configure boot with an in-guest apply
# --initramfs, then two reboots: 914 s of guest time on 6.12 with ~8 other
# test runs on the 2 CPUs); 9 and 10 (run when named, not by default) add the package guest (make deb and a
# chroot apt-get install: 12 min here) and 23 min of guest time for the two
# at once (their in-guest update-initramfs runs dominate), measured at a load
# of about 7 on the shared 2 CPUs.

# 6.1, 6.12 and sid's 7.x. Its guest roots and first initramfs are copied
# from check-vm's build/vm/k/KVER when their inputs are the same
# (hard links: tests/vm/lib.sh vm_seed), instead of made again.
VM_FLOW_KERNEL ?= all
VM_FLOW_SCENARIOS ?=

.PHONY: check-vm-flow
check-vm-flow:
	tests/vm/flow/run.sh --kernel $(VM_FLOW_KERNEL) $(VM_FLOW_SCENARIOS)
