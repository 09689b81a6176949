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
#   9, 10 on 6.1 only (the package guest: bookworm's root with the kernel,
#        its headers and the two .deb files installed with apt-get in a
#        chroot, 67-75 s idle with the apt downloads; 12 min at a load of
#        7): 9 applies claims, reboots, upgrades to 6.12 (DKMS builds the
#        module by itself), boots it, then purges with both kernels
#        installed and boots 6.1; 10 (remove and purge in the guest) starts
#        from a copy of 9's disk once the claims held, beside 9's upgrade.
#        Started first: about 10 minutes of guest time, 475 s for the two
#        alone, idle.
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
