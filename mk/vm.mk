# The VM harness (tests/vm/): Debian kernels booted under QEMU TCG with an
# emulated VT-d, the package installed the way a user would.
#
#   make check-vm [VM_KERNEL=6.1|6.12|7|all] [VM_SCENARIOS="a b ..."]
#   make vm-fixture     recapture tests/fixtures/qemu-q35 from a guest
#   make vm-bench       side by side with today's methods (not pass/fail)
#
# Everything it builds lives under $(BUILD)/vm (a fresh clone rebuilds it).

# a-h on 6.1 and the newest 6.12 in make check; sid's 7.x (VM_KERNEL=7) and the
# stress scenario i (named) run on request until proven on all three.
# vm-flow (mk/vm-flow.mk) runs after vm: it seeds its guest root from vm's.
CHECKS += vm vm-flow
DEP_GROUPS += vm

VM_KERNEL ?= all
VM_SCENARIOS ?=

.PHONY: check-vm vm-fixture vm-bench
check-vm:
	tests/vm/run.sh --kernel $(VM_KERNEL) $(VM_SCENARIOS)

vm-fixture: $(BUILD)/vfio-claim
	tests/vm/capture-fixture.sh

vm-bench:
	tests/vm/side-by-side.sh --kernel $(VM_KERNEL)
