# The VM harness (tests/vm/): Debian kernels booted under QEMU TCG with an
# emulated VT-d, the package installed the way a user would.
#
#   make check-vm [VM_KERNEL=6.1|6.12|7|bookworm|all] [VM_SCENARIOS="a b ..."]
#   make vm-fixture     recapture tests/fixtures/qemu-q35 from a guest
#   make vm-bench       side by side with today's methods (not pass/fail)
#
# Everything it builds lives under $(BUILD)/vm and, for the packages every
# guest gets (make deb), $(BUILD)/vm-deb (a fresh clone rebuilds them).

# In make check: a-i on 6.1, the newest 6.12 and sid's newest 7.x (i: the
# stress scenario); a-dracut, b-dracut and c-dracut on 6.1 and 6.12.
# vm-flow (mk/vm-flow.mk) runs after vm: it seeds its guest root from vm's,
# and copies vm's k/KVER and kd/KVER when the inputs are the same; its
# scenarios 1-8 run on 6.1 and 7.x only, 11 (dracut) on 6.1 and 6.12.
# vm-fleet (mk/fleet.mk) runs last: its guest disk starts from vm's 6.1 root.
CHECKS += vm vm-flow vm-fleet
DEP_GROUPS += vm

# The dracut guest's a-dracut, b-dracut and c-dracut boot 6.1 and 6.12 only
# (bookworm's dracut 059 in a bookworm root, what a bookworm user has:
# tests/vm/vmtest.py's DRACUT_SERIES); named, any kernel given.
VM_KERNEL ?= all
VM_SCENARIOS ?=

.PHONY: check-vm vm-fixture vm-bench
check-vm:
	tests/vm/run.sh --kernel $(VM_KERNEL) $(VM_SCENARIOS)

vm-fixture: $(BUILD)/vfio-claim
	tests/vm/capture-fixture.sh

vm-bench:
	tests/vm/side-by-side.sh --kernel $(VM_KERNEL)
