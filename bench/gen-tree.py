#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the benchmark's synthetic machine: a two-socket server with
SR-IOV NICs, NVMe and accelerators carrying many VFs, GPUs, a PCIe switch
and a PCI bridge, N PCI functions in all (default 4096), deterministic.

    bench/gen-tree.py [--functions N] [-q] OUTDIR

The tree comes from the project's fixture library (tests/fixtures/sysfstree.py).
That library does not write the binary `config` files, which lspci's
linux-sysfs backend reads; this script writes one into each device directory
after the build: the 64-byte type 0 or type 1 header an unprivileged reader
sees, little-endian, consistent with the sysfs attributes.

OUTDIR is wiped and recreated (a non-empty OUTDIR that does not look like a
tree, i.e. has no sys/, is refused).
"""

import argparse
import os
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True      # no __pycache__ in tests/fixtures
sys.path.insert(0, os.path.join(HERE, "..", "tests", "fixtures"))
from sysfstree import Machine, parse_addr  # noqa: E402

BRIDGE = 0x060400

# SR-IOV cards, cycled in this order over the root ports until the budget of
# functions is spent; the last card is cut down to fit exactly. Small cards
# come early so that a --quick tree (1024 functions) has every kind.
#   pfs: number of PFs (functions 0..pfs-1), vfs: VFs per PF,
#   offsets: the first VF's routing-ID offset per PF (stride 1, ARI),
#   vf_driver(i): the driver bound to VF i (None: unbound).
CARDS = [
    dict(kind="x710", ids="8086:1572", vf="154c", cls=0x020000, rev=0x02, sub="8086:0000",
         pfs=4, vfs=64, offsets=[16 + 63 * n for n in range(4)],
         driver="i40e", vf_driver=lambda i: ("vfio-pci" if i % 4 == 0 else
                                             "iavf" if i % 4 == 1 else None),
         net="iavf"),
    dict(kind="nvme", ids="144d:a824", vf="a824", cls=0x010802, rev=0x00, sub="144d:a812",
         pfs=1, vfs=32, offsets=[1], driver="nvme",
         vf_driver=lambda i: "vfio-pci" if i < 8 else None, net=None),
    dict(kind="cx5", ids="15b3:1017", vf="1018", cls=0x020000, rev=0x00, sub="15b3:0007",
         pfs=2, vfs=127, offsets=[2, 128], driver="mlx5_core",
         vf_driver=lambda i: ("mlx5_core" if i % 3 == 0 else
                              "vfio-pci" if i % 3 == 1 else None),
         net="mlx5_core"),
    dict(kind="qat", ids="8086:4940", vf="4941", cls=0x0b4000, rev=0x40, sub="8086:0000",
         pfs=1, vfs=16, offsets=[1], driver="4xxx",
         vf_driver=lambda i: "4xxxvf" if i % 2 == 0 else "vfio-pci", net=None),
    dict(kind="x710", ids="8086:1572", vf="154c", cls=0x020000, rev=0x02, sub="8086:0007",
         pfs=4, vfs=64, offsets=[16 + 63 * n for n in range(4)],
         driver="i40e", vf_driver=lambda i: "iavf" if i % 2 else "vfio-pci", net="iavf"),
    dict(kind="cx5", ids="15b3:1017", vf="1018", cls=0x020000, rev=0x00, sub="15b3:0020",
         pfs=2, vfs=127, offsets=[2, 128], driver="mlx5_core",
         vf_driver=lambda i: "vfio-pci" if i % 2 else None, net="mlx5_core"),
]

EXTRA_DRIVERS = {"mlx5_core": "mlx5_core", "4xxx": "qat_4xxx", "4xxxvf": "qat_4xxxvf"}

# Root ports of a Skylake-SP PCIe stack: B:00.0 .. B:03.0.
ROOT_PORT_IDS = ["8086:2030", "8086:2031", "8086:2032", "8086:2033"]


class Builder:
    def __init__(self, functions):
        self.budget = functions
        self.m = Machine("bench-%d" % functions, kernel="6.1.0-28-amd64", cpus=56,
                         cmdline="BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 "
                                 "root=UUID=6f1c2d4e-8a3b-4c5d-9e7f-0a1b2c3d4e5f ro quiet "
                                 "intel_iommu=on")
        for name, mod in EXTRA_DRIVERS.items():
            self.m.add_driver(name, module=mod)
        self.m.add_driver("vfio-pci")
        self.count = 0
        self.next_bus = 0
        self.stacks = []
        self.group_of = {}      # addr -> group key (default: its own address)
        self.vf_addrs = []      # VFs in creation order (they get group numbers last)
        self.netn = 0

    def dev(self, addr, ids, cls, group=None, **kw):
        if self.count >= self.budget:
            raise RuntimeError("out of functions at %s" % addr)
        d = self.m.add_device(addr, ids, cls, **kw)
        self.count += 1
        self.group_of[d.addr] = group or d.addr
        return d

    def left(self):
        return self.budget - self.count

    def new_stack(self, numa):
        """A PCIe stack: a host bridge on a fresh bus with the VT-d, RAS and
        IOxAPIC functions at B:05.x (one group) and an IOMMU unit."""
        bus = self.next_bus
        self.next_bus += 1
        s = dict(bus=bus, numa=numa, ports=0)
        self.stacks.append(s)
        self.m.add_iommu_unit("dmar%d" % (len(self.stacks) - 1), covers=("pci0000:%02x" % bus,))
        key = "stack%02x" % bus
        self.dev("%02x:05.0" % bus, "8086:2034", 0x088000, group=key, numa_node=numa)
        self.dev("%02x:05.2" % bus, "8086:2035", 0x088000, group=key, numa_node=numa)
        self.dev("%02x:05.4" % bus, "8086:2036", 0x080020, group=key, numa_node=numa)
        return s

    def root_port(self, stack, span):
        """The next root port of the stack, with `span` buses below it.
        Returns the secondary bus."""
        n = stack["ports"]
        if n >= 4:
            raise RuntimeError("stack %02x is full" % stack["bus"])
        stack["ports"] += 1
        sec = self.next_bus
        self.next_bus += span
        if self.next_bus > 0x100:
            raise RuntimeError("out of bus numbers")
        self.dev("%02x:%02x.0" % (stack["bus"], n), ROOT_PORT_IDS[n], BRIDGE,
                 driver="pcieport", secondary=sec, subordinate=sec + span - 1,
                 numa_node=stack["numa"], rev=0x04)
        return sec

    def port(self, numa, span):
        """A free root port on the current stack (a new stack when full)."""
        s = self.stacks[-1]
        if s["ports"] >= 4 or s["numa"] != numa:
            s = self.new_stack(numa)
        return self.root_port(s, span)

    def netdev(self, d, name):
        self.netn += 1
        mac = "3c:fd:fe:%02x:%02x:%02x" % ((self.netn >> 16) & 0xff, (self.netn >> 8) & 0xff,
                                           self.netn & 0xff)
        self.m.add_netdev(name, pci=d.addr, mac=mac, up=True, carrier=True, speed=10000)

    # ------------------------------------------------------------ platform

    def platform(self):
        """Socket 0's first stack on bus 00 with the PCH: a boot NVMe, the
        BMC's VGA behind its PCI bridge, a PCIe-to-PCI bridge with legacy
        cards, then GPUs and a PCIe switch without ACS on the next stack."""
        m = self.m
        self.next_bus = 1
        s = dict(bus=0, numa=0, ports=4)     # bus 00 has PCH root ports only
        self.stacks.append(s)
        m.add_iommu_unit("dmar0", covers=("pci0000:00",))
        self.dev("00:00.0", "8086:2020", 0x060000, rev=0x07, sub="15d9:095d")
        for f in range(8):   # CBDMA engines: one multifunction group
            self.dev("00:04.%d" % f, "8086:2021", 0x088000, rev=0x07,
                     sub="15d9:095d", driver="ioatdma", group="cbdma")
        self.dev("00:05.0", "8086:2024", 0x088000, rev=0x07, group="vtd0")
        self.dev("00:05.2", "8086:2025", 0x088000, rev=0x07, group="vtd0")
        self.dev("00:05.4", "8086:2026", 0x080020, rev=0x07, group="vtd0")
        self.dev("00:08.0", "8086:2014", 0x088000, rev=0x07, sub="15d9:095d")
        self.dev("00:14.0", "8086:a1af", 0x0c0330, rev=0x09, sub="15d9:095d",
                 driver="xhci_hcd", group="pch14")
        self.dev("00:14.2", "8086:a1b1", 0x118000, rev=0x09, sub="15d9:095d",
                 driver="intel_pch_thermal", group="pch14")
        self.dev("00:16.0", "8086:a1ba", 0x078000, rev=0x09, sub="15d9:095d",
                 driver="mei_me")
        self.dev("00:17.0", "8086:a182", 0x010601, rev=0x09, sub="15d9:095d", driver="ahci")
        # PCH root port 1c.0: the boot NVMe
        self.dev("00:1c.0", "8086:a190", BRIDGE, rev=0xf9, driver="pcieport", secondary=0x01)
        nv = self.dev("01:00.0", "144d:a808", 0x010802, sub="144d:a801", driver="nvme",
                      reset_method="flr bus")
        # PCH root port 1c.4: a PCIe-to-PCI bridge with three legacy cards,
        # one group with the bridge (conventional PCI has no ACS)
        self.dev("00:1c.4", "8086:a194", BRIDGE, rev=0xf9, driver="pcieport", secondary=0x02,
                 subordinate=0x03)
        self.dev("02:00.0", "12d8:e111", BRIDGE, rev=0x02, secondary=0x03, group="pcibr")
        self.dev("03:00.0", "1106:3044", 0x0c0010, rev=0xc0, sub="1106:3044",
                 driver="firewire_ohci", group="pcibr")
        self.dev("03:01.0", "9710:9865", 0x070002, rev=0x00, sub="a000:1000",
                 driver="serial", group="pcibr")
        self.dev("03:02.0", "8086:107c", 0x020000, rev=0x05, sub="8086:1376",
                 driver="e1000e", group="pcibr")
        # PCH root port 1c.5: the BMC (ASPEED bridge and VGA, one group)
        self.dev("00:1c.5", "8086:a195", BRIDGE, rev=0xf9, driver="pcieport", secondary=0x04,
                 subordinate=0x05)
        self.dev("04:00.0", "1a03:1150", BRIDGE, rev=0x04, secondary=0x05, group="bmc")
        self.dev("05:00.0", "1a03:2000", 0x030000, rev=0x41, sub="15d9:095d", driver="ast",
                 boot_vga=1, group="bmc")
        for f, ids, cls, drv in [(0, "8086:a1c2", 0x060100, "lpc_ich"),
                                 (2, "8086:a1a1", 0x058000, None),
                                 (4, "8086:a1a3", 0x0c0500, "i801_smbus"),
                                 (5, "8086:a1a4", 0x0c8000, None)]:
            self.dev("00:1f.%d" % f, ids, cls, rev=0x09, sub="15d9:095d", driver=drv,
                     group="pch1f")
        self.next_bus = 0x06
        m.add_nvme(nv.addr, 0, 1953525168, partitions=[1048576, 1900000000, 52475568],
                   model="Samsung SSD 980 PRO 1TB", serial="S5GXNF0R000000")
        m.add_standard_mounts(root=dict(fstype="ext4", device="nvme0n1p2"))
        m.add_mount("/boot/efi", "vfat", device="nvme0n1p1",
                    opts="rw,relatime", super_opts="rw,fmask=0077,dmask=0077")
        m.add_swap("/dev/nvme0n1p3", 26237780)

        # socket 0, next stack: two GPUs and a PCIe switch without ACS
        self.new_stack(0)
        sec = self.port(0, 1)     # NVIDIA TU104, already passed through
        for f, ids, cls in [(0, "10de:1e87", 0x030000), (1, "10de:10f8", 0x040300),
                            (2, "10de:1ad8", 0x0c0330), (3, "10de:1ad9", 0x0c8000)]:
            self.dev("%02x:00.%d" % (sec, f), ids, cls, rev=0xa1, sub="1458:37a9",
                     driver="vfio-pci", group="gpu0", numa_node=0, boot_vga=0 if f == 0 else None,
                     reset_method="bus")
        sec = self.port(0, 1)     # AMD Navi 21 on the host drivers
        for f, ids, cls, drv in [(0, "1002:73bf", 0x030000, "amdgpu"),
                                 (1, "1002:ab28", 0x040300, "snd_hda_intel")]:
            self.dev("%02x:00.%d" % (sec, f), ids, cls, rev=0xc1, sub="1da2:e438", driver=drv,
                     group="gpu1", numa_node=0, boot_vga=0 if f == 0 else None)
        # PEX 8747: upstream port alone, four downstream ports and what is
        # behind them in one group (the downstream ports have no ACS)
        sec = self.port(0, 6)
        self.dev("%02x:00.0" % sec, "10b5:8747", BRIDGE, rev=0xca, driver="pcieport",
                 secondary=sec + 1, subordinate=sec + 5, numa_node=0)
        behind = [("8086:0a54", 0x010802, "nvme", "8086:4802"),
                  ("8086:0a54", 0x010802, "nvme", "8086:4802"),
                  ("1912:0014", 0x0c0330, "xhci_hcd", "1912:0014"),
                  ("1912:0014", 0x0c0330, None, "1912:0014")]
        for i, (ids, cls, drv, sub) in enumerate(behind):
            b = sec + 2 + i
            self.dev("%02x:%02x.0" % (sec + 1, 8 + i), "10b5:8747", BRIDGE, rev=0xca,
                     driver="pcieport", secondary=b, group="pex", numa_node=0)
            self.dev("%02x:00.0" % b, ids, cls, rev=0x01, sub=sub, driver=drv, group="pex",
                     numa_node=0)

    # ------------------------------------------------------------ SR-IOV

    def card(self, c, numa):
        """An SR-IOV card on a root port: c's PFs and VFs, cut to what is left
        of the budget (fewer VFs on the last PFs, then fewer PFs)."""
        span = (max(c["offsets"][n] + n + c["vfs"] for n in range(c["pfs"])) + 255) // 256
        sec = self.port(numa, span)
        budget = min(c["pfs"] * (1 + c["vfs"]), self.left())
        npf = min(c["pfs"], budget)
        nvf_left = budget - npf
        pfs = []
        for n in range(npf):
            d = self.dev("%02x:00.%d" % (sec, n), c["ids"], c["cls"], rev=c["rev"], sub=c["sub"],
                         driver=c["driver"], numa_node=numa, reset_method="flr",
                         sriov=dict(totalvfs=c["vfs"], offset=c["offsets"][n], stride=1,
                                    vf_device=int(c["vf"], 16)))
            pfs.append(d)
            if c["net"]:
                self.netdev(d, "enp%ds0f%d" % (sec, n))
        for n, pf in enumerate(pfs):
            nvf = min(c["vfs"], nvf_left)
            nvf_left -= nvf
            drivers = [c["vf_driver"](i) for i in range(nvf)]
            if self.count + nvf > self.budget:
                raise RuntimeError("over budget")
            vfs = self.m.add_vfs(pf, nvf, drivers=drivers)
            self.count += nvf
            for i, vf in enumerate(vfs):
                self.group_of[vf.addr] = vf.addr
                self.vf_addrs.append(vf.addr)
                if drivers[i] == c["net"]:
                    self.netdev(vf, "enp%ds0f%dv%d" % (sec, n, i))

    def build(self):
        self.platform()
        i = 0
        while self.left() > 0:
            # socket 0 takes the first ten cards, socket 1 the rest
            self.card(CARDS[i % len(CARDS)], 0 if i < 10 else 1)
            i += 1
        self.number_groups()
        return self.m

    def number_groups(self):
        """Groups numbered the way the kernel hands them out: boot-time
        devices in address order, then VFs in the order they were created."""
        order = [a for a in sorted(self.m.devices) if a not in set(self.vf_addrs)]
        order += self.vf_addrs
        num = {}
        for a in order:
            key = self.group_of[a]
            if key not in num:
                num[key] = len(num)
            self.m.devices[a].group = num[key]
        self.ngroups = len(num)


def config_space(d, multifunction):
    """The first 64 bytes of d's configuration space (what an unprivileged
    reader of sysfs `config` gets), little-endian."""
    bound = d.driver is not None
    if d.is_bridge:
        command = 0x0007 if bound else 0x0000
    elif d.physfn is not None:
        command = 0x0004 if bound else 0x0000    # a VF's memory enable is in the PF
    else:
        command = 0x0006 if bound else 0x0000
    status = 0x0010                               # capabilities list
    htype = (0x01 if d.is_bridge else 0x00) | (0x80 if multifunction else 0x00)
    b = bytearray(64)
    struct.pack_into("<HHHHB", b, 0, d.vendor, d.device, command, status, d.rev)
    b[0x09] = d.cls & 0xff
    b[0x0a] = (d.cls >> 8) & 0xff
    b[0x0b] = (d.cls >> 16) & 0xff
    b[0x0c] = 0x10 if d.physfn is None else 0x00  # cache line size
    b[0x0e] = htype
    if d.is_bridge:
        b[0x18] = d.bus
        b[0x19] = d.secondary
        b[0x1a] = d.subordinate
    else:
        struct.pack_into("<HH", b, 0x2c, d.subvendor, d.subdevice)
    b[0x34] = 0x40                                # capabilities pointer
    if d.physfn is None:
        b[0x3c] = (d.irq or 0) & 0xff
        b[0x3d] = 0x01 if d.irq else 0x00
    return bytes(b)


def write_config(m, outdir):
    slots = {}
    for d in m.devices.values():
        if d.physfn is None:
            slots.setdefault((d.domain, d.bus, d.slot), []).append(d)
    n = 0
    for addr in sorted(m.devices):
        d = m.devices[addr]
        multi = d.physfn is None and len(slots[(d.domain, d.bus, d.slot)]) > 1
        link = os.path.join(outdir, "sys/bus/pci/devices", addr)
        path = os.path.join(os.path.realpath(link), "config")
        with open(path, "wb") as f:
            f.write(config_space(d, multi))
        n += 1
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--functions", type=int, default=4096,
                    help="number of PCI functions (default 4096, at least 64)")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("outdir")
    a = ap.parse_args()
    if a.functions < 64:
        ap.error("--functions: at least 64 (the platform part alone has 48)")
    if os.path.isdir(a.outdir) and os.listdir(a.outdir) and \
            not os.path.isdir(os.path.join(a.outdir, "sys")):
        print("gen-tree: %s is not empty and not a tree (no sys/); not wiping it" % a.outdir,
              file=sys.stderr)
        return 64
    t0 = time.perf_counter()
    b = Builder(a.functions)
    try:
        m = b.build()
    except RuntimeError as e:
        print("gen-tree: %d functions do not fit: %s" % (a.functions, e), file=sys.stderr)
        return 64
    t1 = time.perf_counter()
    m.build(a.outdir)
    t2 = time.perf_counter()
    n = write_config(m, a.outdir)
    t3 = time.perf_counter()
    assert n == a.functions == len(m.devices), (n, a.functions, len(m.devices))
    if not a.quiet:
        sizes = {}
        members = {}
        for d in m.devices.values():
            members[d.group] = members.get(d.group, 0) + 1
        for c in members.values():
            sizes[c] = sizes.get(c, 0) + 1
        nvf = sum(1 for d in m.devices.values() if d.physfn is not None)
        npf = sum(1 for d in m.devices.values() if d.sriov is not None)
        print("gen-tree: %s: %d functions (%d SR-IOV PFs, %d VFs), %d IOMMU groups "
              "(by size: %s), %d PCI buses" % (
                  a.outdir, n, npf, nvf, len(members),
                  ", ".join("%dx%d" % (sizes[k], k) for k in sorted(sizes)), b.next_bus))
        print("gen-tree: describe %.2fs, render+write %.2fs, config files %.2fs, total %.2fs" % (
            t1 - t0, t2 - t1, t3 - t2, t3 - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
