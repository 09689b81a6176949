# The benchmark (bench/): `vfio-claim --json list` against `lspci -D -nn -k`
# and the guides' lsgroup.sh loop, side by side on a synthetic sysfs tree of
# 4096 PCI functions. It measures, it does not pass or fail, so it is not in
# CHECKS.
#
#   make bench                        the full run (4096 functions, 11 runs, loop 3 runs)
#   make bench BENCH_ARGS=--quick     CI size (1024 functions, 3 runs, loop 1 run)
#   make bench BENCH_ARGS="--tree /tmp/t --keep"   any bench/run.sh options
#
# Its Debian packages (pciutils, python3) are in scripts/deps/bench.list; the
# target installs the missing ones first (as root) or says what is missing.

BENCH_ARGS ?=

.PHONY: bench
bench: $(BUILD)/vfio-claim
	@scripts/install-deps.sh bench
	bench/run.sh --tool $(BUILD)/vfio-claim $(BENCH_ARGS)

# verify on a real Debian MODULES=most initramfs of an installed kernel, side
# by side with lsinitramfs and unmkinitramfs on the same image (bench/initramfs.py).
#   make bench-initramfs                               builds the image with mkinitramfs
#   make bench-initramfs BENCH_INITRAMFS_ARGS="--image FILE --kver KVER"
BENCH_INITRAMFS_ARGS ?=
.PHONY: bench-initramfs
bench-initramfs: $(BUILD)/vfio-claim
	@scripts/install-deps.sh bench
	bench/initramfs.py --tool $(BUILD)/vfio-claim $(BENCH_INITRAMFS_ARGS)
