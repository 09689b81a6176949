#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot the VM scenarios under QEMU TCG and check what the guests report.

    vmtest.py --kernel SERIES=KVER [--kernel ...] [--jobs N] [SCENARIO...]
    vmtest.py --bench --kernel SERIES=KVER ...   side by side (tests/vm/side-by-side.sh)
    vmtest.py --list

tests/vm/run.sh prepares the kernels and images and then runs this. Each
scenario is one guest boot per kernel; the guest (tests/vm/guest/runner.sh)
prints VMRESULT lines and its whole kernel log on ttyS0, kept in
build/vm/logs/KVER-SCENARIO.log. One line per scenario and kernel, then
"N passed, N failed"; exit 1 when any failed.
"""

import argparse
import concurrent.futures
import os
import re
import socket
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("VM_BUILD", os.path.join(TOP, "build", "vm"))
LOGS = os.path.join(BUILD, "logs")
TIMEOUT = int(os.environ.get("VM_TIMEOUT", "420"))

E1000E = "8086:10d3"

IOMMU = ["-device", "intel-iommu,intremap=on,caching-mode=on"]


# --------------------------------------------------------------------------
# What a guest reported.


class Report:
    """The parsed serial log of one guest."""

    LINE = re.compile(r"^\[\s*(\d+\.\d+)\]\s?(.*)$")
    # dd.c's dynamic debug: 6.1 names the device in the text (pr_debug),
    # 6.12 in the dev_dbg prefix ("pci 0000:00:05.0: bus: 'pci': ...").
    PROBE = re.compile(r"^(?:\S+ (\S+): )?bus: '[^']+': really_probe: "
                       r"probing driver (.+) with device ?(\S*)$")
    BOUND = re.compile(r"^(?:\S+ (\S+): )?driver: '(.+?)': driver_bound: "
                       r"bound to device ?'?([^']*)'?$")
    ADD = re.compile(r"^pci (\S+): \[([0-9a-f]{4}):([0-9a-f]{4})\] type")

    def __init__(self, text):
        self.text = text
        self.facts = {}
        self.devs = {}  # phase -> addr -> {id, driver, override, group, class}
        self.vfio = {}  # phase -> [paths]
        self.params = {}  # phase -> {name: value}
        self.dmesg = []  # (seconds, message)
        self.done = "VMTEST-DONE" in text
        in_dmesg = False
        for raw in text.splitlines():
            line = raw.rstrip("\r")
            if line == "VMDMESG-BEGIN":
                in_dmesg = True
                continue
            if line == "VMDMESG-END":
                in_dmesg = False
                continue
            if in_dmesg:
                m = self.LINE.match(line)
                if m:
                    self.dmesg.append((float(m.group(1)), m.group(2)))
                continue
            if not line.startswith("VMRESULT "):
                continue
            kv = dict(w.split("=", 1) for w in line.split()[1:] if "=" in w)
            phase = kv.pop("phase", None)
            if phase is None:
                self.facts.update(kv)
            elif "dev" in kv:
                self.devs.setdefault(phase, {})[kv["dev"]] = kv
            elif "vfio" in kv:
                self.vfio.setdefault(phase, []).append(kv["vfio"])
            elif "param" in kv:
                value = line.split(" value=", 1)[1] if " value=" in line else ""
                self.params.setdefault(phase, {})[kv["param"]] = value
            elif "module" in kv:
                self.facts["%s_%s_loaded" % (phase, kv["module"])] = kv.get("loaded")

    def dev(self, addr, phase="final"):
        return self.devs.get(phase, {}).get(addr, {})

    def driver(self, addr, phase="final"):
        return self.dev(addr, phase).get("driver")

    def probes(self, addr):
        """Drivers that really_probe() tried on the device, in order."""
        out = []
        for t, msg in self.dmesg:
            m = self.PROBE.match(msg)
            if m and (m.group(3) or m.group(1)) == addr:
                out.append((t, m.group(2)))
        return out

    def bound(self, addr, driver):
        """Kernel log time of driver_bound(driver, addr), or None."""
        for t, msg in self.dmesg:
            m = self.BOUND.match(msg)
            if m and m.group(2) == driver and (m.group(3) or m.group(1)) == addr:
                return t
        return None

    def added(self, addr):
        """Kernel log time of the PCI core's enumeration line for addr."""
        for t, msg in self.dmesg:
            m = self.ADD.match(msg)
            if m and m.group(1) == addr:
                return t
        return None

    def first(self, pattern, after=None):
        """Time and text of the first kernel log line matching pattern."""
        rx = re.compile(pattern)
        for t, msg in self.dmesg:
            if (after is None or t >= after) and rx.search(msg):
                return t, msg
        return None

    def all(self, pattern):
        rx = re.compile(pattern)
        return [(t, msg) for t, msg in self.dmesg if rx.search(msg)]

    def claim_line(self, addr):
        """The module's line saying it claimed addr (module/vfio_claim_main.c:
        "pci 0000:00:05.0: vfio_claim: claimed for vfio-pci (slot ...)")."""
        return self.first(r"^\S+ %s: vfio_claim: (claimed for vfio-pci|"
                          r"driver_override already vfio-pci)" % re.escape(addr))


# --------------------------------------------------------------------------
# Checks: each appends failures to `fail` and returns the latency (ms) it
# measured, or None.


class Check:
    def __init__(self, rep):
        self.rep = rep
        self.failures = []
        self.notes = []

    def expect(self, cond, msg):
        if not cond:
            self.failures.append(msg)
        return cond

    def on(self, addr, driver, phase="final"):
        got = self.rep.driver(addr, phase)
        return self.expect(got == driver, "%s: driver %s, expected %s (phase %s)"
                           % (addr, got, driver, phase))

    def never_probed(self, addr, driver):
        tries = [t for t, d in self.rep.probes(addr) if d == driver]
        return self.expect(not tries, "%s: %s probed it at %s" % (
            addr, driver, ", ".join("%.3f" % t for t in tries)))

    def probe_log_works(self):
        # The proof rests on dd.c's dynamic debug: make sure it was on.
        return self.expect(any(Report.PROBE.match(m) for _, m in self.rep.dmesg),
                           "no really_probe lines: dyndbg for drivers/base/dd.c is off")

    def no_warnings(self):
        bad = self.rep.all(r"WARNING:|Oops|BUG:|Call Trace|general protection|"
                           r"kernel BUG|refcount_t|use-after-free|list_(add|del) corruption")
        return self.expect(not bad, "kernel log has: %s" % "; ".join(
            "[%.3f] %s" % x for x in bad[:3]))

    def claimed(self, addr, phase="final"):
        got = self.rep.params.get(phase, {}).get("claimed", "")
        return self.expect(addr in got.split(","), "%s not in vfio_claim's claimed (%r, phase %s)"
                           % (addr, got, phase))

    def latency(self, addr, start=None):
        """ms from the device's add (or `start`) to its vfio-pci bind."""
        t0 = start if start is not None else self.rep.added(addr)
        t1 = self.rep.bound(addr, "vfio-pci")
        claim = self.rep.claim_line(addr)
        if claim and t1 is not None and start is None:
            self.claim_ms = max(getattr(self, "claim_ms", 0.0), (t1 - claim[0]) * 1000.0)
        if t0 is None or t1 is None:
            self.expect(t1 is not None, "%s: no driver_bound line for vfio-pci" % addr)
            return None
        return (t1 - t0) * 1000.0


# --------------------------------------------------------------------------
# Scenarios.


def check_a(c):
    r, a = c.rep, "0000:00:05.0"
    c.probe_log_works()
    c.expect(r.facts.get("initramfs_vfio_claim") == "1",
             "vfio_claim was not loaded when the real root started")
    c.on(a, "vfio-pci")
    c.claimed(a)
    c.never_probed(a, "e1000e")
    claim = r.claim_line(a)
    if c.expect(claim is not None, "%s: no claim line from vfio_claim" % a):
        native = r.first(r"e1000e: Intel\(R\) PRO/1000|really_probe: probing driver e1000e")
        if native:
            if c.expect(claim[0] < native[0], "claim at %.3f came after e1000e at %.3f"
                        % (claim[0], native[0])):
                c.notes.append("claim %.3f < e1000e loaded %.3f" % (claim[0], native[0]))
        else:
            c.notes.append("e1000e never loaded")
        root = r.first(r"EXT4-fs \(vda\): mounted")
        if root:
            c.expect(claim[0] < root[0], "claim at %.3f came after the root mount at %.3f"
                     % (claim[0], root[0]))
    return c.latency(a)


def check_b(c):
    r, a, b = c.rep, "0000:00:05.0", "0000:00:06.0"
    c.probe_log_works()
    c.on(a, "vfio-pci")
    c.on(b, "e1000e")
    c.never_probed(a, "e1000e")
    return c.latency(a)


def check_c(c):
    r, vga, hda = c.rep, "0000:00:05.0", "0000:00:05.1"
    c.probe_log_works()
    c.on(vga, "vfio-pci")
    c.on(hda, "vfio-pci")
    c.never_probed(hda, "snd_hda_intel")
    c.never_probed(vga, "bochs-drm")
    group = r.dev(vga).get("group")
    c.expect(group not in (None, "-") and group == r.dev(hda).get("group"),
             "VGA and audio not in one IOMMU group (%s, %s)" % (group, r.dev(hda).get("group")))
    c.expect("/dev/vfio/%s" % group in r.vfio.get("final", []),
             "/dev/vfio/%s missing (have %s)" % (group, r.vfio.get("final")))
    l1, l2 = c.latency(vga), c.latency(hda)
    return max(l1, l2) if l1 is not None and l2 is not None else None


def check_d(c):
    r, a = c.rep, "0000:01:00.0"
    c.probe_log_works()
    c.expect(r.facts.get("native_loaded") == "1", "e1000e was not loaded before the hotplug")
    c.expect(not r.dev(a, "before"), "%s existed before the hotplug" % a)
    c.expect("hotplug_timeout" not in r.facts, "the hot-added device never appeared")
    c.on(a, "vfio-pci")
    c.never_probed(a, "e1000e")
    return c.latency(a)


def check_e(c):
    r = c.rep
    pf = r.facts.get("pf", "")
    vfs = ["0000:01:00.1", "0000:01:00.2"]
    c.probe_log_works()
    c.expect(pf == "0000:01:00.0", "SR-IOV PF at %r, expected 0000:01:00.0" % pf)
    c.on(pf, "nvme", "before")
    c.on(pf, "nvme")
    lat = []
    for vf in vfs:
        c.on(vf, "vfio-pci")
        c.never_probed(vf, "nvme")
        lat.append(c.latency(vf))
    return max(lat) if None not in lat else None


def check_f(c):
    r, a = c.rep, "0000:00:05.0"
    c.probe_log_works()
    groups = [d.get("group") for d in r.devs.get("final", {}).values()]
    c.expect(all(g == "-" for g in groups), "IOMMU groups exist without an IOMMU: %s" % groups)
    c.on(a, "e1000e")
    on_vfio = [d for d, v in r.devs.get("final", {}).items() if v.get("driver") == "vfio-pci"]
    c.expect(not on_vfio, "on vfio-pci without an IOMMU: %s" % on_vfio)
    why = r.first(r"^\S+ %s: vfio_claim: .*(?i:iommu)" % re.escape(a))
    if c.expect(why is not None, "%s: no vfio_claim line about the missing IOMMU" % a):
        c.notes.append("log: %s" % why[1].strip()[:110])
    return None


def check_g(c):
    r, a = c.rep, "0000:00:05.0"
    c.probe_log_works()
    c.on(a, "serial", "before")
    why = r.first(r"^\S+ %s: vfio_claim: .*bound to serial" % re.escape(a))
    if c.expect(why is not None, "%s: no vfio_claim line saying it was already bound" % a):
        c.notes.append("log: %s" % why[1].strip()[:110])
    c.on(a, "vfio-pci")
    c.claimed(a)
    # 8250_pci (PCI driver "serial") is built in: it probed the device at
    # boot, before any module; after the rebind it must not probe it again.
    start = r.first(r"^\S+ %s: vfio_claim: unbinding from serial" % re.escape(a))
    if c.expect(start is not None, "%s: no rebind line from vfio_claim" % a):
        again = [t for t, d in r.probes(a) if d == "serial" and t >= start[0]]
        c.expect(not again, "%s: serial probed it again after the rebind" % a)
        return c.latency(a, start[0])
    return None


def check_h(c):
    r, a = c.rep, "0000:00:05.0"
    c.probe_log_works()
    c.on(a, "vfio-pci", "before")
    c.expect("unload_failed" not in r.facts, "modprobe -r vfio_claim failed")
    c.expect("load_failed" not in r.facts, "modprobe vfio_claim failed on reload")
    c.expect(r.facts.get("unload1-unloaded_vfio_claim_loaded") == "0",
             "vfio_claim still loaded after modprobe -r")
    c.on(a, "vfio-pci", "reload1")
    c.claimed(a, "reload1")
    c.on(a, "vfio-pci")
    c.claimed(a)
    c.expect(r.facts.get("final_vfio_claim_loaded") == "1", "vfio_claim not loaded at the end")
    c.never_probed(a, "e1000e")
    c.no_warnings()
    return c.latency(a)


def check_i(c):
    r, a, other = c.rep, "0000:00:05.0", "0000:00:06.0"
    f = r.facts
    c.probe_log_works()
    c.no_warnings()
    loads = int(f.get("stress_loads", "0"))
    c.expect(loads >= 5, "only %d unload/load cycles" % loads)
    for k in ("stress_unload_failed", "stress_load_failed"):
        c.expect(f.get(k) == "0", "%s=%s" % (k, f.get(k)))
    c.expect("unload_failed" not in f and "load_failed" not in f,
             "the last modprobe -r / modprobe failed")
    c.expect(int(f.get("stress_reads", "0")) > 0 and int(f.get("stress_writes", "0")) > 0,
             "no parameter reads or writes (%s, %s)" % (f.get("stress_reads"),
                                                       f.get("stress_writes")))
    adds = len(r.all(r"^pci 0000:01:00\.0: \[8086:10d3\] type"))
    c.expect(adds >= 2 and getattr(r, "stress_adds", 0) >= 2,
             "hot-added %d times (guest saw %d)" % (getattr(r, "stress_adds", 0), adds))
    c.notes.append("%d unload/load cycles, %s reads, %s writes, %d hot-adds (guest saw %d)"
                   % (loads, f.get("stress_reads"), f.get("stress_writes"),
                      getattr(r, "stress_adds", 0), adds))
    c.on(a, "vfio-pci")
    c.claimed(a)
    c.on(other, "e1000e")
    c.expect(f.get("final_vfio_claim_loaded") == "1", "vfio_claim not loaded at the end")
    leaked = ["%s=%s" % (d, v.get("override")) for d, v in r.devs.get("final", {}).items()
              if d not in (a, "0000:01:00.0") and v.get("override") != "(null)"]
    c.expect(not leaked, "driver_override set on devices never claimed: %s" % leaked)
    km = f.get("kmemleak")
    if km == "absent":
        c.notes.append("kmemleak: not in this kernel (CONFIG_DEBUG_KMEMLEAK off)")
    else:
        c.expect(km == "0", "kmemleak: %s unreferenced objects" % km)
    return None


# The boot-time probes of these are expected; everything else in dmesg is
# checked per scenario.
SCENARIOS = {
    "a": dict(title="slot claim at boot, options from modprobe.d in the initramfs",
              qemu=["-device", "e1000e,addr=0x5,netdev=n0"], variant="claim-modprobed",
              guest="boot", check=check_a),
    "b": dict(title="two e1000e, the listed one claimed",
              qemu=["-device", "e1000e,addr=0x5,netdev=n0",
                    "-device", "e1000e,addr=0x6,netdev=n1"],
              cmdline="vfio_claim.slots=0000:00:05.0@" + E1000E,
              guest="boot", check=check_b),
    "c": dict(title="GPU + HDMI audio claimed by ID",
              qemu=["-device", "VGA,addr=0x5.0,multifunction=on",
                    "-device", "intel-hda,addr=0x5.1"],
              cmdline="vfio_claim.ids=1234:1111,8086:2668",
              guest="boot", check=check_c),
    "d": dict(title="hotplug into a root port, e1000e loaded",
              qemu=["-device", "pcie-root-port,id=rp2,chassis=2,addr=0x8"],
              cmdline="vfio_claim.slots=0000:01:00.0@%s vmtest.hotplug=0000:01:00.0" % E1000E,
              hotplug="device_add e1000e,bus=rp2,id=hp1,netdev=n0",
              guest="hotplug", check=check_d),
    "e": dict(title="SR-IOV VFs of nvme claimed, PF stays",
              qemu=["-device", "pcie-root-port,id=rp1,chassis=1,addr=0x7",
                    "-device", "nvme-subsys,id=s0",
                    "-device", "nvme,bus=rp1,serial=vmtest,subsys=s0,sriov_max_vfs=2,"
                    "sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=8,"
                    "sriov_max_vq_per_vf=2,sriov_max_vi_per_vf=1"],
              cmdline="vfio_claim.slots=0000:01:00.1@1b36:0010,0000:01:00.2@1b36:0010",
              guest="sriov", check=check_e),
    "f": dict(title="no IOMMU: nothing claimed",
              qemu=["-device", "e1000e,addr=0x5,netdev=n0"], iommu=False,
              cmdline="vfio_claim.slots=0000:00:05.0@" + E1000E,
              guest="boot", check=check_f),
    "g": dict(title="built-in driver (pci-serial): refused, then rebind=1",
              qemu=["-device", "pci-serial,addr=0x5"],
              cmdline="vfio_claim.slots=0000:00:05.0@1b36:0002 vmtest.expect=0000:00:05.0",
              guest="rebind", check=check_g),
    "h": dict(title="unload and reload, claims intact",
              qemu=["-device", "e1000e,addr=0x5,netdev=n0"],
              cmdline="vfio_claim.slots=0000:00:05.0@" + E1000E,
              guest="reload", check=check_h),
    "i": dict(title="stress: unload/load loop, parameter reads+writes, hotplug",
              qemu=["-device", "e1000e,addr=0x5,netdev=n0",
                    "-device", "e1000e,addr=0x6,netdev=n1",
                    "-device", "pcie-root-port,id=rp2,chassis=2,addr=0x8"],
              cmdline="vfio_claim.slots=0000:00:05.0@%s vmtest.stress=%d" % (
                  E1000E, int(os.environ.get("VM_STRESS_SECS", "40"))),
              stress="e1000e,bus=rp2,id=hs%d",
              guest="stress", check=check_i),
}
# The same boots with the dracut guests (tests/vm/prepare-dracut.sh): root
# and initramfs made by Debian's dracut with the 90vfio-claim module, not by
# initramfs-tools. no_timer_check as in tests/vm/flow: a loaded host slows
# TCG enough for the IO-APIC timer check to panic the kernel.
# Run by default (make check) on the series in DRACUT_SERIES only: the
# guest root is bookworm's with bookworm's dracut (059), the pair a bookworm
# user has; sid's 7.x comes with a newer dracut, so 059 with 7.x proves
# nothing a user runs, for 3 more boots and one more dracut root. Named, they
# boot any kernel given: tests/vm/run.sh --kernel 7 a-dracut.
# tests/vm/run.sh prepares the dracut guests by default for the same series.
DRACUT_SERIES = ("6.1", "6.12")
# systemd in dracut's initramfs makes a boot several times slower under TCG
# than initramfs-tools' (9 to 14 minutes at a load average of 20): a bound of
# their own, 20 minutes unless VM_DRACUT_TIMEOUT says otherwise.
DRACUT_TIMEOUT = max(TIMEOUT, int(os.environ.get("VM_DRACUT_TIMEOUT", "1200")))
DRACUT = {}
for _n in ("a", "b", "c"):
    DRACUT[_n + "-dracut"] = dict(
        SCENARIOS[_n], tree="kd", title=SCENARIOS[_n]["title"] + " (dracut)",
        cmdline=(SCENARIOS[_n].get("cmdline", "") + " no_timer_check").strip(),
        series=DRACUT_SERIES, timeout=DRACUT_TIMEOUT)


def check_smoke(c):
    r = c.rep
    c.probe_log_works()
    c.expect(r.facts.get("iommu_groups", "").strip(","), "no IOMMU groups")
    c.notes.append("iommu_groups: %s" % r.facts.get("iommu_groups"))
    return None


# Run only when named.
EXTRA = {
    "smoke": dict(title="boot with intel-iommu, list the IOMMU groups",
                  qemu=["-device", "e1000e,addr=0x5,netdev=n0"],
                  guest="smoke", check=check_smoke),
}
# tests/vm/capture-fixture.sh: the varied topology of tests/fixtures/qemu-q35.
CAPTURE_DISK = os.path.join(BUILD, "capture.tar")
EXTRA["capture"] = dict(
    title="snapshot a varied topology for tests/fixtures/qemu-q35",
    qemu=["-device", "VGA,addr=0x5.0,multifunction=on",
          "-device", "intel-hda,addr=0x5.1",
          "-device", "e1000e,addr=0x6,netdev=n0",
          "-device", "e1000e,addr=0x9,netdev=n1",
          "-device", "pcie-root-port,id=rp1,chassis=1,addr=0x7",
          "-device", "nvme-subsys,id=s0",
          "-device", "nvme,bus=rp1,serial=vmtest,subsys=s0,sriov_max_vfs=2,"
          "sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=8,"
          "sriov_max_vq_per_vf=2,sriov_max_vi_per_vf=1",
          "-device", "pcie-root-port,id=rp2,chassis=2,addr=0x8",
          "-device", "qemu-xhci,bus=rp2",
          "-device", "pci-bridge,id=br0,chassis_nr=3,addr=0xa",
          "-device", "e1000,bus=br0,addr=0x1,netdev=n2",
          "-device", "virtio-rng-pci,bus=br0,addr=0x2",
          "-device", "pci-serial,addr=0xb",
          "-drive", "file=%s,format=raw,if=none,id=out" % CAPTURE_DISK,
          "-device", "virtio-blk-pci,drive=out,addr=0x3"],
    cmdline="vmtest.bind=0000:00:09.0",
    guest="capture", check=lambda c: check_capture(c))


def check_capture(c):
    f = c.rep.facts
    c.expect(f.get("snapshot_rc") == "0", "vfio-claim snapshot failed in the guest")
    c.expect(f.get("tar_rc") == "0", "tar to the capture disk failed in the guest")
    if f.get("bind_rc") != "0":
        c.notes.append("vfio-claim bind exited %s" % f.get("bind_rc"))
    return None
ALL = dict(SCENARIOS, **DRACUT, **EXTRA)


# --------------------------------------------------------------------------
# Booting.


# The kernel arguments every guest boots with (tests/vm and tests/vm/flow).
# no_timer_check: under TCG on a loaded host the IO-APIC timer check can
# miss its ticks, and with interrupt remapping on that is a panic ("timer
# doesn't work through Interrupt-remapped IO-APIC", seen on 7.2 at 0.05 s).
BASE_APPEND = ["root=/dev/vda", "rw", "console=ttyS0", "intel_iommu=on", "iommu=pt",
               "panic=1", "log_buf_len=8M", "no_timer_check"]


def machine_cmd(kernel, initrd, append, disk, serial, snapshot):
    """QEMU for a guest of either harness: TCG, q35 with a split irqchip (for
    the emulated VT-d's interrupt remapping), one CPU, the root disk on
    virtio-blk at 00:02.0, the console on a file. snapshot=True leaves the
    disk image as it was; the flow tests keep what the guest writes."""
    return ["qemu-system-x86_64", "-accel", "tcg",
            "-machine", "q35,kernel-irqchip=split", "-m", "1024", "-smp", "1",
            "-nodefaults", "-vga", "none", "-display", "none", "-no-reboot",
            "-kernel", kernel, "-initrd", initrd,
            "-append", " ".join(append),
            "-drive", "file=%s,format=raw,if=none,id=root%s" % (disk, ",snapshot=on" if snapshot else ""),
            "-device", "virtio-blk-pci,drive=root,addr=0x2",
            "-serial", "file:%s" % serial]


def qemu_cmd(kdir, name, sc, serial, monitor, extra_append=""):
    variant = sc.get("variant")
    initrd = "initrd-%s.img" % variant if variant else "initrd.img"
    append = BASE_APPEND + ["loglevel=4", "init=/vmtest/runner",
                            "vmtest.scenario=%s" % sc["guest"],
                            'dyndbg="file drivers/base/dd.c +p"']
    if variant:
        append.append("vmtest.variant=%s" % variant)
    if sc.get("cmdline"):
        append.append(sc["cmdline"])
    if extra_append:
        append.append(extra_append)
    cmd = machine_cmd(os.path.join(kdir, "vmlinuz"), os.path.join(kdir, initrd), append,
                      os.path.join(kdir, "root.img"), serial, snapshot=True)
    cmd += ["-monitor", "unix:%s,server,nowait" % monitor]
    wired = " ".join(sc.get("qemu", []) + [sc.get("hotplug", "")])
    for n in ("n0", "n1", "n2"):
        if "netdev=%s" % n in wired:
            cmd += ["-netdev", "user,id=%s,restrict=on" % n]
    if sc.get("iommu", True):
        cmd += IOMMU
    cmd += sc.get("qemu", [])
    return cmd


def monitor_command(path, command):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    out = b""

    def read_prompt():
        nonlocal out
        while not out.rstrip().endswith(b"(qemu)"):
            chunk = s.recv(4096)
            if not chunk:
                break
            out += chunk

    read_prompt()
    out = b""
    s.sendall(command.encode() + b"\n")
    read_prompt()
    s.close()
    return out.decode(errors="replace")


def stress_step(device, serial, monitor, st):
    """One step of scenario i's hotplug loop; st holds its state."""
    try:
        with open(serial, errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return
    now = time.time()
    if "VMTEST-STRESS-END" in text:
        st["phase"] = "done"
    elif st["phase"] == "wait" and "VMTEST-READY stress" in text:
        st["phase"], st["at"] = "add", now
    elif st["phase"] == "add" and now >= st["at"]:
        st["n"] += 1
        cmd = "device_add " + device % st["n"]
        reply = monitor_command(monitor, cmd)
        st["replies"].append("%s -> %s" % (cmd, reply.replace("(qemu)", "").strip()))
        if "rror" not in reply:
            st["adds"] += 1
        st["phase"], st["at"] = "del", now + 4
    elif st["phase"] == "del" and now >= st["at"]:
        cmd = "device_del hs%d" % st["n"]
        reply = monitor_command(monitor, cmd)
        st["replies"].append("%s -> %s" % (cmd, reply.replace("(qemu)", "").strip()))
        st["phase"], st["at"] = "add", now + 7


def boot(series, kver, name, sc):
    """Boot one guest; return (Report, serial log path, seconds)."""
    kdir = os.path.join(BUILD, sc.get("tree", "k"), kver)
    os.makedirs(LOGS, exist_ok=True)
    serial = os.path.join(LOGS, "%s-%s.log" % (series, name))
    monitor = os.path.join(BUILD, "mon-%s-%s.sock" % (series, name))
    for p in (serial, monitor):
        if os.path.exists(p):
            os.unlink(p)
    cmd = qemu_cmd(kdir, name, sc, serial, monitor)
    with open(serial + ".cmd", "w") as f:
        f.write(" ".join("'%s'" % c if " " in c else c for c in cmd) + "\n")
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    hotplug_done = False
    # Scenario i: device_add, 4 s, device_del, 7 s (pciehp's 5 s button
    # delay), ... from VMTEST-READY stress until VMTEST-STRESS-END.
    stress = dict(phase="wait", at=0.0, n=0, adds=0, replies=[])
    limit = sc.get("timeout", TIMEOUT)
    while proc.poll() is None:
        if time.time() - t0 > limit:
            proc.kill()
            break
        if sc.get("stress") and stress["phase"] != "done":
            stress_step(sc["stress"], serial, monitor, stress)
        if sc.get("hotplug") and not hotplug_done:
            try:
                with open(serial, errors="replace") as f:
                    ready = "VMTEST-READY hotplug" in f.read()
            except FileNotFoundError:
                ready = False
            if ready:
                hotplug_done = True
                reply = monitor_command(monitor, sc["hotplug"])
                with open(serial + ".monitor", "w") as f:
                    f.write(reply)
        time.sleep(0.5)
    qemu_out = proc.stdout.read().decode(errors="replace")
    proc.wait()
    elapsed = time.time() - t0
    if os.path.exists(monitor):
        os.unlink(monitor)
    with open(serial, errors="replace") as f:
        text = f.read()
    rep = Report(text)
    rep.stress_adds = stress["adds"]
    if stress["replies"]:
        with open(serial + ".monitor", "w") as f:
            f.write("\n".join(stress["replies"]) + "\n")
    rep.qemu_out = qemu_out
    rep.timed_out = elapsed > limit
    return rep, serial, elapsed


def run_one(series, kver, name):
    sc = ALL[name]
    rep, serial, elapsed = boot(series, kver, name, sc)
    c = Check(rep)
    lat = None
    if rep.timed_out:
        c.failures.append("guest timed out after %ds" % sc.get("timeout", TIMEOUT))
    elif not rep.done:
        c.failures.append("guest did not finish its report")
    for line in rep.qemu_out.splitlines():
        if line.strip() and "has no peer" not in line:
            c.notes.append("qemu: " + line.strip()[:120])
    if rep.done:
        try:
            lat = sc["check"](c)
        except Exception as e:  # a parse error is a failure, not a crash
            c.failures.append("check raised %r" % e)
    if getattr(c, "claim_ms", None) is not None and lat is not None:
        c.notes.insert(0, "claim line -> vfio-pci bound: %.1f ms" % c.claim_ms)
    return dict(series=series, kver=kver, name=name, ok=not c.failures, lat=lat,
                failures=c.failures, notes=c.notes, serial=serial, secs=elapsed)


# --------------------------------------------------------------------------
# Side by side: the same scenarios done the ways people do it today.

BENCH_DEVICES = {  # scenario -> devices meant for vfio-pci
    "c": ["0000:00:05.0", "0000:00:05.1"],
    "d": ["0000:01:00.0"],
    "e": ["0000:01:00.1", "0000:01:00.2"],
}
BENCH_METHODS = [
    ("vfio-claim", None, "vfio_claim module (this package)"),
    ("udev-override", "udev-override", "udev rule sets driver_override (driverctl)"),
    ("modprobe-ids", "modprobe-ids", "options vfio-pci ids= + softdep (the guides)"),
]


def bench_scenario(name, method, variant):
    sc = dict(ALL[name])
    if variant:
        # Without our module: its options dropped, its load stopped.
        words = [w for w in sc.get("cmdline", "").split() if not w.startswith("vfio_claim.")]
        sc["cmdline"] = " ".join(words + ["module_blacklist=vfio_claim"])
        sc["variant"] = variant
    return sc


def bench_one(series, kver, name, method, variant):
    sc = bench_scenario(name, method, variant)
    rep, serial, secs = boot(series, kver, "bench-%s-%s" % (name, method), sc)
    devs = BENCH_DEVICES[name]
    native = [(a, d) for a in devs for _, d in rep.probes(a) if d != "vfio-pci"]
    finals = ["%s=%s" % (a[5:], rep.driver(a) or "absent") for a in devs]
    notes = []
    if not rep.done:
        notes.append("guest did not finish (%s)" % serial)
    if name == "e":
        pf = rep.driver("0000:01:00.0")
        if pf != "nvme":
            notes.append("PF on %s" % pf)
        if "numvfs_failed" in rep.facts:
            notes.append("sriov_numvfs write failed")
    if name == "d" and "hotplug_timeout" in rep.facts:
        notes.append("hot-added device never appeared")
    return dict(series=series, name=name, method=method, probes=len(native),
                who=sorted(set(d for _, d in native)), finals=finals, notes=notes,
                secs=secs, serial=serial)


def bench(kernels, jobs):
    runs = [(s, kv, n, m, v) for n in BENCH_DEVICES for m, v, _ in BENCH_METHODS
            for s, kv in kernels]
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        for f in concurrent.futures.as_completed([ex.submit(bench_one, *r) for r in runs]):
            r = f.result()
            results.append(r)
            print("bench: %s %s %s: %d native probes (%.0fs)" % (
                r["series"], r["name"], r["method"], r["probes"], r["secs"]),
                file=sys.stderr, flush=True)
    order = {(n, m, s): i for i, (n, m, s) in enumerate(
        (n, m, s) for n in BENCH_DEVICES for m, _, _ in BENCH_METHODS for s, _ in kernels)}
    results.sort(key=lambda r: order[(r["name"], r["method"], r["series"])])
    print("| scenario | method | kernel | native probes of claimed devices | by | ends on | notes |")
    print("|---|---|---|---:|---|---|---|")
    for r in results:
        print("| %s %s | %s | %s | %d | %s | %s | %s |" % (
            r["name"], ALL[r["name"]]["title"].split(",")[0], r["method"], r["series"],
            r["probes"], ", ".join(r["who"]) or "-", " ".join(r["finals"]),
            "; ".join(r["notes"]) or ""))
    print()
    for m, _, what in BENCH_METHODS:
        print("- %s: %s" % (m, what))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", action="append", default=[],
                    help="SERIES=KVER, e.g. 6.1=6.1.0-56-amd64")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("VM_JOBS", "2")))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("scenarios", nargs="*")
    args = ap.parse_args()
    if args.list:
        for k, v in ALL.items():
            print("%s  %s" % (k, v["title"]))
        return 0
    kernels = [k.split("=", 1) for k in args.kernel]
    if args.bench:
        return bench(kernels, args.jobs)
    names = args.scenarios or list(SCENARIOS) + list(DRACUT)
    for n in names:
        if n not in ALL:
            print("vmtest: no scenario %r; scenarios: %s" % (n, " ".join(ALL)),
                  file=sys.stderr)
            return 64
    # By default a scenario boots only the series it names (if any); named,
    # it boots every kernel given.
    jobs = [(s, kv, n) for n in names for s, kv in kernels
            if args.scenarios or s in ALL[n].get("series", (s,))]
    lock = threading.Lock()
    results = []

    def show(r):
        lat = "%8.1f ms" % r["lat"] if r["lat"] is not None else "       - ms"
        with lock:
            print("%s %-2s %-4s %-22s %s  %-55s (%.0fs)" % (
                "PASS" if r["ok"] else "FAIL", r["name"], r["series"], r["kver"], lat,
                ALL[r["name"]]["title"], r["secs"]), flush=True)
            for n in r["notes"]:
                print("     note: %s" % n)
            for f in r["failures"]:
                print("     fail: %s" % f)
            if not r["ok"]:
                print("     serial log: %s" % r["serial"])

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = [ex.submit(run_one, *j) for j in jobs]
        for f in concurrent.futures.as_completed(futs):
            r = f.result()
            results.append(r)
            show(r)
    passed = sum(1 for r in results if r["ok"])
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
