# The user's whole flow in a QEMU guest across reboots (tests/vm/flow/):
# add, apply --initramfs, reboot, verify; a stale initramfs; an ineffective
# blacklist; a built-in driver and 'rebind'; bind and unbind; claims removed
# while the initramfs still holds them; the claims' boot paths with the IOMMU
# off (7) and with vfio_claim unable to load (8); the Debian packages'
# lifecycle on a guest installed from the .deb files (9: reboot, kernel
# upgrade to 6.12; 10: remove, purge; on the 6.1 package guest only, so once
# per run); dracut in place of initramfs-tools (11).
#
#   make check-vm-flow [VM_FLOW_KERNEL=default|6.1|6.12|7|bookworm|all] [VM_FLOW_SCENARIOS="1 3 4 5 7 11"]
#
# Everything it builds lives under $(BUILD)/vm-flow (the packages: $(BUILD)/vm-deb,
# shared with check-vm and the fleet). Part of CHECKS (added in
# mk/vm.mk, after vm). What runs where by default (VM_FLOW_KERNEL=default;
# tests/vm/flow/flow.py's DEFAULT_SERIES and ONLY_ON):
#   1-8  on 6.1 and 7.x, the oldest and the newest kernel. 6.12 keeps
#        check-vm's a-i, the dracut scenarios and flow 11; 1-8 on it cost
#        about 5 minutes in CI (a third of the flow's 15), which pay for 11.
#   11   (dracut: apply --initramfs runs dracut in the guest, a guides-style
#        file explained and fixed, reboot, verify 0) on 6.1 and 6.12, the
#        kernels bookworm's dracut 059 goes with: one chain of two boots per
#        kernel, 371-692 s at a load of 3-7 (two in-guest dracut runs of
#        125-246 s each), started first; its dracut guests are hard-linked
#        from check-vm's build/vm/kd/KVER when their inputs are the same
#        (tests/vm/lib.sh vm_seed: 10 s).
#   9, 10 (the package guest: apt-get install of the .deb files, a kernel
#        upgrade, remove and purge) run when named only: the package guest
#        (make deb and a chroot apt-get install: 12 min) and 23 min of guest
#        time for the two at once (their in-guest update-initramfs runs), at
#        a load of about 7, more than make check's 60 minutes leave.
# Any other VM_FLOW_KERNEL runs 1-8 on every kernel it names; a scenario
# named in VM_FLOW_SCENARIOS runs on every kernel given.

# Its guest roots and first initramfs are copied from check-vm's
# build/vm/k/KVER when their inputs are the same (hard links:
# tests/vm/lib.sh vm_seed), instead of made again.
VM_FLOW_KERNEL ?= default
VM_FLOW_SCENARIOS ?=

.PHONY: check-vm-flow
check-vm-flow:
	tests/vm/flow/run.sh --kernel $(VM_FLOW_KERNEL) $(VM_FLOW_SCENARIOS)
