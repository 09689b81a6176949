#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The whole user flow of vfio-claim in a guest with a writable disk, across
reboots, and `make demo`.

    flow.py --kernel SERIES=KVER [--kernel ...] [--jobs N] [SCENARIO...]
    flow.py --demo --kernel SERIES=KVER
    flow.py --list

tests/vm/flow/setup.sh makes build/vm-flow/flow/KVER/{vmlinuz,initrd.img,
flow.img}. Each scenario copies flow.img and boots it (QEMU TCG, q35, emulated
VT-d) with init=/flow/guest.sh and flow.step=STEP; the guest runs the
commands a user would type and powers off. A "reboot" is a second QEMU run on
the same disk with the initramfs the guest itself wrote to its /boot (taken
out of the image with debugfs). Serial logs: build/vm-flow/logs/flow-*.log.
One line per scenario and kernel, then "N passed, N failed".
"""

import argparse
import concurrent.futures
import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.dirname(HERE))
from vmtest import BASE_APPEND, IOMMU, machine_cmd  # noqa: E402  (tests/vm/vmtest.py)

BUILD = os.environ.get("VM_FLOW_BUILD", os.path.join(TOP, "build", "vm-flow"))
LOGS = os.path.join(BUILD, "logs")
RUNS = os.path.join(BUILD, "runs")
TIMEOUT = int(os.environ.get("VM_FLOW_TIMEOUT", "900"))
# Scenario 11's boots: systemd in dracut's initramfs, and dracut run in the
# guest, are several times slower under TCG than initramfs-tools.
DRACUT_TIMEOUT = max(TIMEOUT, int(os.environ.get("VM_FLOW_DRACUT_TIMEOUT", "1800")))
# A guest's disk is a full copy of flow.img (1-2 GB used each, more after an
# in-guest initramfs build); 18 of them filled a CI machine's disk. Each
# scenario's disks are removed when it ends unless FLOW_KEEP_DISKS=1.
KEEP_DISKS = os.environ.get("FLOW_KEEP_DISKS", "0") == "1"

NICS = ["-netdev", "user,id=n0,restrict=on", "-netdev", "user,id=n1,restrict=on",
        "-device", "e1000e,addr=0x5,netdev=n0", "-device", "e1000e,addr=0x6,netdev=n1"]
NIC = ["-netdev", "user,id=n0,restrict=on", "-device", "e1000e,addr=0x5,netdev=n0"]
SERIAL = ["-device", "pci-serial,addr=0x5"]
# The demo machine: QEMU's std VGA at 00:01.0 is the boot display (the
# firmware runs its option ROM first, so the kernel's VGA arbiter makes it
# the boot VGA); the GPU to pass through is a second VGA with its HDMI-like
# audio function in slot 5 (one IOMMU group); two identical NICs.
DEMO = ["-device", "VGA,addr=0x1",
        "-device", "VGA,addr=0x5.0,multifunction=on",
        "-device", "intel-hda,addr=0x5.1",
        "-netdev", "user,id=n0,restrict=on", "-netdev", "user,id=n1,restrict=on",
        "-device", "e1000e,addr=0x6,netdev=n0", "-device", "e1000e,addr=0x7,netdev=n1"]


# --------------------------------------------------------------------------
# One guest boot and what it printed.


class Run:
    """The parsed console of one boot: the commands, their output and exit
    status, the devices' final state, the kernel log."""

    def __init__(self, text):
        self.text = text
        self.cmds = []  # dicts: cmd, out (list of lines), rc, secs
        self.state = {}  # addr -> {driver, override, group, id}
        self.done = "FLOW-DONE" in text
        self.dmesg = []
        cur, in_dmesg = None, False
        for raw in text.splitlines():
            line = raw.rstrip("\r")
            if line == "FLOW-DMESG-BEGIN":
                in_dmesg = True
                continue
            if line == "FLOW-DMESG-END":
                in_dmesg = False
                continue
            if in_dmesg:
                self.dmesg.append(line)
                continue
            if line.startswith("FLOW-CMD "):
                cur = dict(cmd=line[9:], out=[], rc=None, secs=None)
                self.cmds.append(cur)
            elif line.startswith("FLOW-RC ") and cur is not None:
                w = line.split()
                cur["rc"], cur["secs"] = int(w[1]), float(w[2])
                cur = None
            elif line.startswith("FLOW dev="):
                kv = dict(x.split("=", 1) for x in line.split()[1:] if "=" in x)
                self.state[kv["dev"]] = kv
            elif line.startswith("FLOW"):
                continue
            elif cur is not None:
                cur["out"].append(line)

    def find(self, prefix, nth=0):
        """The nth command starting with prefix, or an empty record."""
        hits = [c for c in self.cmds if c["cmd"].startswith(prefix)]
        return hits[nth] if len(hits) > nth else dict(cmd=prefix, out=[], rc=None, secs=None)

    def driver(self, addr):
        return self.state.get(addr, {}).get("driver")


def qemu_cmd(kdir, disk, initrd, step, devices, serial, iommu=True, extra=()):
    # The guest's own disk, kept (no snapshot), booted with init=/flow/guest.sh.
    # iommu=False: no emulated VT-d and no IOMMU arguments (off as a user's
    # firmware and command line would have it); extra: more kernel arguments.
    base = BASE_APPEND if iommu else [a for a in BASE_APPEND if a not in NO_IOMMU_DROP]
    append = base + list(extra) + ["loglevel=1", "init=/flow/guest.sh",
                            # A loaded host slows TCG enough for the IO-APIC
                            # timer check to panic the kernel ("timer doesn't
                            # work through Interrupt-remapped IO-APIC"): skip it.
                            "no_timer_check",
                            "flow.step=%s" % step]
    return machine_cmd(os.path.join(kdir, "vmlinuz"), initrd, append, disk, serial,
                       snapshot=False) + (IOMMU if iommu else []) + devices


# The IOMMU's kernel arguments in vmtest.py's BASE_APPEND, left out of a boot without it.
NO_IOMMU_DROP = ("intel_iommu=on", "iommu=pt")


def boot(kdir, disk, initrd, step, devices, serial, stream=None, iommu=True, extra=(),
         timeout=TIMEOUT):
    """Boot once; stream(line) sees the console as it comes; killed after
    timeout seconds. Returns (Run, seconds, qemu's own output)."""
    if os.path.exists(serial):
        os.unlink(serial)
    cmd = qemu_cmd(kdir, disk, initrd, step, devices, serial, iommu, extra)
    with open(serial + ".cmd", "w") as f:
        f.write(" ".join("'%s'" % c if " " in c else c for c in cmd) + "\n")
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    pos, partial = 0, ""
    while True:
        ended = proc.poll() is not None
        if stream and os.path.exists(serial):
            with open(serial, errors="replace") as f:
                f.seek(pos)
                chunk = f.read()
                pos = f.tell()
            lines = (partial + chunk).split("\n")
            partial = lines.pop()
            for line in lines:
                stream(line.rstrip("\r"))
        if ended:
            break
        if time.time() - t0 > timeout:
            proc.kill()
        time.sleep(0.3)
    if stream and partial:
        stream(partial.rstrip("\r"))
    out = proc.stdout.read().decode(errors="replace")
    secs = time.time() - t0
    with open(serial, errors="replace") as f:
        return Run(f.read()), secs, out


def dump_initrd(disk, kver, out):
    """The guest's /boot/initrd.img-KVER, copied out of its disk."""
    if os.path.exists(out):
        os.unlink(out)
    subprocess.run(["debugfs", "-R", "dump /boot/initrd.img-%s %s" % (kver, out), disk],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not os.path.exists(out) or os.path.getsize(out) == 0:
        raise RuntimeError("no /boot/initrd.img-%s in %s" % (kver, disk))
    return out


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def low_space():
    """", and only N MB free under BUILD" when that is why a guest hung: QEMU
    pauses a guest whose disk write fails with ENOSPC (werror=enospc, its
    default), and the boot then runs into the timeout."""
    st = os.statvfs(BUILD)
    free = st.f_bavail * st.f_frsize // (1 << 20)
    return ", and only %d MB free under %s" % (free, BUILD) if free < 2048 else ""


# The Chains the scenario running on this thread has made (run_scenarios
# removes their disks when it ends).
_made = threading.local()


class Chain:
    """A guest's life: its own copy of the disk, booted again and again."""

    def __init__(self, series, kver, name, devices, parent=None, tree="flow", timeout=TIMEOUT):
        """parent: a Chain whose disk and initramfs this one starts from (a
        second reboot of the same configured guest), else a fresh flow.img.
        tree: the prepared guests under BUILD (flow-dracut: scenario 11's).
        timeout: seconds a boot may take."""
        self.series, self.kver, self.name, self.devices = series, kver, name, devices
        self.timeout = timeout
        self.kdir = os.path.join(BUILD, tree, kver)
        self.dir = os.path.join(RUNS, "%s-%s" % (series, name))
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        os.makedirs(LOGS, exist_ok=True)
        self.disk = os.path.join(self.dir, "disk.img")
        if hasattr(_made, "chains"):
            _made.chains.append(self)
        subprocess.run(["cp", "--sparse=always",
                        parent.disk if parent else os.path.join(self.kdir, "flow.img"), self.disk],
                       check=True)
        self.initrd = parent.initrd if parent else os.path.join(self.kdir, "initrd.img")
        self.boots = parent.boots if parent else 0
        self.timings = []
        self.serials = []

    def boot(self, step, stream=None, iommu=True, extra=()):
        self.boots += 1
        serial = os.path.join(LOGS, "flow-%s-%s-%d.log" % (self.series, self.name, self.boots))
        self.serials.append(serial)
        for attempt in range(3):
            run, secs, out = boot(self.kdir, self.disk, self.initrd, step, self.devices, serial,
                                  stream, iommu, extra, self.timeout)
            # A kernel that died before the guest script ran changed nothing
            # on the disk: boot again.
            if "FLOW" in run.text or "Kernel panic" not in run.text:
                break
            os.rename(serial, "%s.panic%d" % (serial, attempt))
        run.secs, run.qemu_out, run.serial = secs, out, serial
        self.timings.append("%s %.0fs" % (step, secs))
        return run

    def reboot_initrd(self):
        """Take the initramfs the guest left in its /boot for the next boot."""
        before = self.initrd
        self.initrd = dump_initrd(self.disk, self.kver,
                                  os.path.join(self.dir, "initrd-%d.img" % self.boots))
        return sha(before) != sha(self.initrd)


# --------------------------------------------------------------------------
# Scenarios. Each returns (ok, failures, notes).


class Checker:
    def __init__(self):
        self.failures, self.notes = [], []

    def expect(self, cond, msg):
        if not cond:
            self.failures.append(msg)
        return cond

    def booted(self, run):
        return self.expect(run.done, "guest did not finish (%s)%s" % (run.serial, low_space()))

    def rc(self, run, prefix, want, nth=0):
        c = run.find(prefix, nth)
        return self.expect(c["rc"] == want, "'%s' exited %s, expected %s%s" % (
            c["cmd"], c["rc"], want, (": " + " | ".join(c["out"][-6:])) if c["out"] else ""))

    def says(self, run, prefix, pattern, nth=0):
        c = run.find(prefix, nth)
        ok = any(re.search(pattern, line) for line in c["out"])
        return self.expect(ok, "'%s' never says /%s/ (it says: %s)" % (
            c["cmd"], pattern, " | ".join(c["out"][-8:])))

    def on(self, run, addr, driver):
        got = run.driver(addr)
        return self.expect(got == driver, "%s on %s, expected %s" % (addr, got, driver))


def problems(cmd):
    """verify's problem lines (everything but the summary)."""
    return [line for line in cmd["out"] if "; fix: " in line]


def scenario_1_2(series, kver):
    """1: add, apply --initramfs, reboot, verify exits 0.
    2: then a config change applied without --initramfs: verify says stale."""
    ch = Chain(series, kver, "s1", NICS)
    c1, c2, c6 = Checker(), Checker(), Checker()
    a = ch.boot("s1-configure")
    if c1.booted(a):
        c1.rc(a, "vfio-claim add", 0)
        if c1.rc(a, "vfio-claim apply --initramfs", 0):
            c1.notes.append("in-guest apply --initramfs (update-initramfs, MODULES=dep): %.0fs"
                            % a.find("vfio-claim apply --initramfs")["secs"])
    if not c1.failures:
        c1.expect(ch.reboot_initrd(), "the guest's /boot/initrd.img is unchanged after apply")
        b = ch.boot("s1-after")
        if c1.booted(b):
            c1.on(b, "0000:00:05.0", "vfio-pci")
            c1.rc(b, "vfio-claim verify", 0, 0)
            c1.says(b, "vfio-claim verify", r"^ok: \d+ checks hold", 0)
            # 'state' prints the end of the boot; the first verify's own
            # "bound" check already covers 05.0 at that point.
            c2.rc(b, "vfio-claim add 0000:00:06.0", 0)
            c2.rc(b, "vfio-claim apply --now", 0)
            c2.on(b, "0000:00:05.0", "vfio-pci")
            c2.on(b, "0000:00:06.0", "vfio-pci")
            v = b.find("vfio-claim verify", 1)
            c2.rc(b, "vfio-claim verify", 1, 1)
            c2.says(b, "vfio-claim verify", r"initramfs is stale", 1)
            other = [p for p in problems(v) if "initramfs" not in p]
            c2.expect(not other, "verify reports more than the stale initramfs: %s" % other)
            if problems(v):
                c2.notes.append("verify: %s" % problems(v)[0][:150])
            # 6: every claim removed, the initramfs left as it was.
            c6.rc(b, "vfio-claim remove 0000:00:06.0", 0)
            c6.rc(b, "vfio-claim apply", 0, 1)
            c6.says(b, "vfio-claim apply", r"^removed /etc/modprobe\.d/vfio-claim-claims\.conf$", 1)
            c6.rc(b, "vfio-claim verify", 1, 2)
            c6.says(b, "vfio-claim verify",
                    r"^/etc/modprobe\.d/vfio-claim-claims\.conf: is gone from /etc but still in "
                    r"/boot/initrd\.img-.*: the initramfs is stale; fix: update-initramfs -u -k \S+$", 2)
            c6.expect(not any("nothing to verify" in line
                              for line in b.find("vfio-claim verify", 2)["out"]),
                      "verify says there is nothing to verify")
        else:
            c2.failures.append("the reboot did not finish")
            c6.failures.append("the reboot did not finish")
    else:
        c2.failures.append("scenario 1 failed before the reboot")
        c6.failures.append("scenario 1 failed before the reboot")
    return [("1", "add, apply --initramfs, reboot, verify exits 0", c1, ch),
            ("2", "config changed after the initramfs: verify says stale", c2, ch),
            ("6", "every claim removed, initramfs kept: verify says it still claims", c6, ch)]


def scenario_3(series, kver):
    """The guides' way (blacklist + ids= + softdep), written after the
    initramfs was built: e1000e still takes the NIC at the next boot, and
    verify says why."""
    ch = Chain(series, kver, "s3", NIC)
    c = Checker()
    a = ch.boot("s3-configure")
    if c.booted(a):
        c.on(a, "0000:00:05.0", "e1000e")
        c.rc(a, "vfio-claim verify", 1)
        c.says(a, "vfio-claim verify", r"/etc/modprobe\.d/vfio\.conf: is not in .*initramfs")
        for p in problems(a.find("vfio-claim verify")):
            c.notes.append("verify: %s" % p[:150])
        ch.reboot_initrd()
        b = ch.boot("s3-after")
        if c.booted(b):
            # The proof that the blacklist is ineffective: the reboot.
            c.on(b, "0000:00:05.0", "e1000e")
            c.rc(b, "vfio-claim verify", 1)
            c.says(b, "vfio-claim verify", r"vfio\.conf: is not in .*initramfs")
    return [("3", "blacklist written after the initramfs: ineffective, verify says why", c, ch)]


def scenario_4(series, kver):
    """pci-serial (8250_pci, built in): verify says to add 'rebind'; with
    --rebind, apply --initramfs and a reboot it ends on vfio-pci."""
    ch = Chain(series, kver, "s4", SERIAL)
    c = Checker()
    addr = "0000:00:05.0"
    a = ch.boot("s4-configure")
    applied = False
    if c.booted(a):
        c.rc(a, "vfio-claim add 0000:00:05.0", 0)
        c.rc(a, "vfio-claim verify", 1)
        c.says(a, "vfio-claim verify", r"built into .*add 'rebind' to the claim")
        for p in problems(a.find("vfio-claim verify")):
            if "rebind" in p:
                c.notes.append("verify: %s" % p[:160])
        c.rc(a, "vfio-claim add --rebind", 0)
        c.says(a, "cat /etc/vfio-claim.conf", r"^0000:00:05\.0@1b36:0002.*\brebind\b")
        applied = c.rc(a, "vfio-claim apply --initramfs", 0)
        c.notes.append("in-guest apply --initramfs: %.0fs" % (
            a.find("vfio-claim apply --initramfs")["secs"] or 0))
    # The reboot half is checked even when verify's advice was wrong.
    if a.done and applied:
        c.expect(ch.reboot_initrd(), "the guest's /boot/initrd.img is unchanged after apply")
        b = ch.boot("s4-after")
        if c.booted(b):
            c.on(b, addr, "vfio-pci")
            c.rc(b, "vfio-claim verify", 0)
    return [("4", TITLES["4"], c, ch)]


def scenario_5(series, kver):
    """bind and unbind now on a real kernel: driver_override, unbind and
    drivers_probe really move the device, the driver it had is remembered
    under /run and given back, two runs at once both end well (the lock), and
    without a record the kernel chooses."""
    ch = Chain(series, kver, "s5", NICS)
    c = Checker()
    a = ch.boot("s5-bind")
    if not c.booted(a):
        return [("5", TITLES["5"], c, ch)]

    def drivers(nth, want):
        cmd = a.find("drivers", nth)
        got = " | ".join(cmd["out"])
        c.expect(got == want, "after step %d: %s, expected %s" % (nth, got, want))

    c.expect(a.driver("0000:00:05.0") is not None, "no state printed")
    c.rc(a, "test ! -d /sys/bus/pci/drivers/vfio-pci", 0)
    c.rc(a, "vfio-claim bind 0000:00:05.0", 0, 0)
    drivers(0, "0000:00:05.0 vfio-pci | 0000:00:06.0 e1000e")
    c.says(a, "cat /run/vfio-claim/bound/0000:00:05.0", r"^driver=e1000e$")
    c.rc(a, "vfio-claim bind 0000:00:05.0", 0, 1)
    c.says(a, "vfio-claim bind 0000:00:05.0", r"already", 1)
    c.rc(a, "vfio-claim unbind 0000:00:05.0", 0)
    drivers(1, "0000:00:05.0 e1000e | 0000:00:06.0 e1000e")
    c.rc(a, "test ! -e /run/vfio-claim/bound/0000:00:05.0", 0)
    c.rc(a, "sh -c vfio-claim bind 0000:00:05.0 &", 0)
    drivers(2, "0000:00:05.0 vfio-pci | 0000:00:06.0 vfio-pci")
    c.rc(a, "vfio-claim unbind --json", 0)
    c.says(a, "vfio-claim unbind --json", r'"e1000e"')
    drivers(3, "0000:00:05.0 e1000e | 0000:00:06.0 e1000e")
    c.rc(a, "vfio-claim unbind 0000:00:06.0", 0)
    drivers(4, "0000:00:05.0 e1000e | 0000:00:06.0 e1000e")
    c.notes.append("bind: %.1fs, unbind: %.1fs (TCG)" % (
        a.find("vfio-claim bind 0000:00:05.0")["secs"] or 0,
        a.find("vfio-claim unbind 0000:00:05.0")["secs"] or 0))
    return [("5", TITLES["5"], c, ch)]


def scenario_11(series, kver):
    """dracut (tests/vm/prepare-dracut.sh's guest, a generic image): add,
    apply --initramfs runs dracut; a guides-style options file is not in the
    image, verify says why and its fix puts it in; after the reboot the
    claim holds and verify exits 0."""
    ch = Chain(series, kver, "s11", NIC, tree="flow-dracut", timeout=DRACUT_TIMEOUT)
    c = Checker()
    addr = "0000:00:05.0"
    a = ch.boot("s11-configure")
    if c.booted(a):
        c.on(a, addr, "e1000e")
        c.rc(a, "vfio-claim add", 0)
        if c.rc(a, "vfio-claim apply --initramfs", 0):
            c.says(a, "vfio-claim apply --initramfs", r"\bdracut -f --kver \S+")
            c.notes.append("in-guest apply --initramfs (dracut, generic, 3 drivers): %.0fs"
                           % a.find("vfio-claim apply --initramfs")["secs"])
        # apply without --now leaves the NIC on e1000e until the reboot:
        # verify says so (and how to bind now) beside what it finds of the
        # image, and nothing else.
        not_yet = "%s: on e1000e, not vfio-pci; fix: 'vfio-claim bind %s'" % (addr, addr)
        c.rc(a, "vfio-claim verify", 1, 0)
        c.says(a, "vfio-claim verify",
               r"^/etc/modprobe\.d/vfio\.conf: is not in /boot/initrd\.img-\S+: dracut copies "
               r"/etc/modprobe\.d only into host-only images and this one is generic.*; fix: "
               r"echo 'install_items\+=\" /etc/modprobe\.d/vfio\.conf \"' "
               r">/etc/dracut\.conf\.d/vfio-claim-modprobe\.conf && dracut -f --kver \S+$", 0)
        others = [p for p in problems(a.find("vfio-claim verify", 0))
                  if "vfio.conf" not in p and p != not_yet]
        c.expect(not others, "verify reports more than vfio.conf and the bind: %s" % others)
        c.rc(a, "sh -c echo 'install_items", 0)
        # The fix worked: the file is in the image; the NIC waits for the reboot.
        c.rc(a, "vfio-claim -v verify", 1)
        c.says(a, "vfio-claim -v verify", r"^ok: /etc/modprobe\.d/vfio\.conf: in /boot/initrd\.img-\S+ "
               r"and identical$")
        left = problems(a.find("vfio-claim -v verify"))
        c.expect(left == [not_yet], "after the fix verify reports %s, expected only [%r]"
                 % (left, not_yet))
    if a.done and not c.failures:
        c.expect(ch.reboot_initrd(), "the guest's /boot/initrd.img is unchanged after dracut")
        b = ch.boot("s11-after")
        if c.booted(b):
            c.on(b, addr, "vfio-pci")
            c.rc(b, "vfio-claim -v verify", 0)
            c.says(b, "vfio-claim -v verify", r"^ok: vfio_claim: is in /boot/initrd\.img-")
            c.says(b, "vfio-claim -v verify", r"^ok: /etc/modprobe\.d/vfio\.conf: in /boot/initrd\.img-")
            # The generated files reached the generic image (dracut copies
            # /etc/modprobe.d only in host-only mode): 90vfio-claim copied
            # them. tests/vm/prepare-dracut.sh relies on this proof to put
            # a-dracut's modprobe.d file in front of its image as a cpio.
            for gen in (r"/etc/modprobe\.d/vfio-claim-claims\.conf",
                        r"/etc/udev/rules\.d/59-vfio-claim-claims\.rules"):
                c.says(b, "vfio-claim -v verify",
                       r"^ok: %s: in /boot/initrd\.img-\S+ and identical$" % gen)
    return [("11", TITLES["11"], c, ch)]


# --------------------------------------------------------------------------
# Scenarios 7 and 8 (issue 8): the boot paths' claim policy. One guest is
# configured with the IOMMU on (DEMO's devices: the GPU with its audio
# function in slot 5 by group, the NIC at 06.0); its disk then boots twice:
# 7 without an IOMMU, 8 with vfio_claim unable to load.

DD_DEBUG = 'dyndbg="file drivers/base/dd.c +p"'
POLICY_DEVS = ["0000:00:05.0", "0000:00:05.1", "0000:00:06.0"]
# What `vfio-claim check` says in these guests, every item's state (TCG's
# qemu64 CPU: AMD with svm, no /dev/kvm; q35's emulated VT-d gives a DMAR
# table; no boot loader configuration; no OVMF, no huge pages).
CHECK_IOMMU_ON = {
    "cpu-virt": "PASS", "kvm": "FAIL", "iommu-firmware": "PASS", "iommu-now": "PASS",
    "iommu-next-boot": "WARN", "interrupt-remapping": "PASS", "vfio-modules": "PASS",
    "vfio-device": "NOTE", "groups": "WARN", "acs-override": "PASS", "reset": "NOTE",
    "ovmf": "NOTE", "hugepages": "NOTE"}
CHECK_IOMMU_OFF = {
    "cpu-virt": "PASS", "kvm": "FAIL", "iommu-firmware": "FAIL", "iommu-now": "FAIL",
    "iommu-next-boot": "WARN", "interrupt-remapping": "WARN", "vfio-modules": "PASS",
    "vfio-device": "NOTE", "groups": "NOTE", "acs-override": "PASS",
    "reset 0000:00:05.0": "WARN", "reset 0000:00:06.0": "WARN", "ovmf": "NOTE",
    "hugepages": "NOTE"}
CHECK_LINE = re.compile(r"^(PASS|NOTE|WARN|FAIL)  ([a-z0-9-]+(?: [0-9a-f:.]+)?): (.*)$")


def check_items(cmd):
    """vfio-claim check's lines: item -> (STATE, message)."""
    out = {}
    for line in cmd["out"]:
        m = CHECK_LINE.match(line)
        if m:
            out[m.group(2)] = (m.group(1), m.group(3))
    return out


def expect_check(c, run, nth, want, what):
    got = check_items(run.find("vfio-claim check", nth))
    if not c.expect(got, "%s: no 'vfio-claim check' output" % what):
        return
    for item in sorted(set(want) | set(got)):
        have = got.get(item, (None, ""))
        c.expect(have[0] == want.get(item), "%s: check's %s is %s, expected %s (%s)" % (
            what, item, have[0], want.get(item), have[1][:140]))
    c.notes.append("check %s: %s" % (what, " ".join(
        "%s=%s" % (k, v[0]) for k, v in got.items())))


def probes(run, addr):
    """The drivers dd.c's really_probe tried on addr (6.1 and 6.12 forms)."""
    from vmtest import Report  # noqa: E402
    out = []
    for line in run.dmesg:
        m = re.match(r"^\[\s*[\d.]+\]\s?(.*)$", line)
        p = Report.PROBE.match(m.group(1)) if m else None
        if p and (p.group(3) or p.group(1)) == addr:
            out.append(p.group(2))
    return out


def scenario_7_8(series, kver):
    """7: claims applied (module and rules in the initramfs), then a boot
    without the IOMMU: every device back on its native driver, verify's one
    cause, check says off. 8: the same claims, vfio_claim blacklisted on the
    command line: the udev rules alone claim, before the native drivers; an
    add event with vfio-pci loaded ends on vfio-pci (drivers_probe)."""
    ch = Chain(series, kver, "s7", DEMO)
    c7, c8 = Checker(), Checker()
    res = [("7", TITLES["7"], c7, ch), ("8", TITLES["8"], c8, ch)]
    a = ch.boot("s7-configure", extra=[DD_DEBUG])
    if not c7.booted(a):
        c8.failures.append("the configure boot did not finish")
        return res
    native = {d: v.get("driver") for d, v in a.state.items()}
    for addr in POLICY_DEVS:
        c7.expect(native.get(addr) not in (None, "-", "vfio-pci"),
                  "%s has no native driver before the claims (%s)" % (addr, native.get(addr)))
    expect_check(c7, a, 0, CHECK_IOMMU_ON, "IOMMU on")
    c7.rc(a, "vfio-claim add --group 0000:00:05.0", 0)
    c7.rc(a, "vfio-claim add 0000:00:06.0", 0)
    applied = c7.rc(a, "vfio-claim apply --initramfs", 0)
    c7.says(a, "sh -c lsinitramfs", r"/vfio_claim\.ko")
    c7.says(a, "sh -c lsinitramfs", r"/59-vfio-claim-claims\.rules$")
    c7.notes.append("configure boot %.0fs, in-guest apply --initramfs %.0fs" % (
        a.secs, a.find("vfio-claim apply --initramfs")["secs"] or 0))
    if not applied:
        c8.failures.append("apply --initramfs failed in the configure boot")
        return res
    ch.reboot_initrd()
    ch8 = Chain(series, kver, "s8", DEMO, parent=ch)
    res[1] = ("8", TITLES["8"], c8, ch8)

    # 7: no emulated IOMMU, no intel_iommu=on.
    b = ch.boot("s7-after", iommu=False, extra=[DD_DEBUG])
    if c7.booted(b):
        for addr, drv in sorted(native.items()):
            c7.expect(b.driver(addr) == drv, "%s on %s after the claims, had %s" % (
                addr, b.driver(addr), drv))
        c7.expect(not any(v.get("group") not in (None, "-") for v in b.state.values()),
                  "IOMMU groups without an IOMMU")
        c7.rc(b, "vfio-claim verify", 1)
        v = problems(b.find("vfio-claim verify"))
        # The one cause: the IOMMU off in the firmware (no DMAR/IVRS table), once.
        c7.expect(v and re.match(r"^iommu-firmware: .*off in the firmware", v[0]),
                  "verify's first problem is not the IOMMU: %s" % (v[:1],))
        c7.expect(len(v) == 1, "verify prints more than the one cause: %s" % v[1:])
        binds = [p for p in v if "vfio-claim bind" in p]
        c7.expect(not binds, "verify prints bind fixes without an IOMMU: %s" % binds)
        if v:
            c7.notes.append("verify: %s" % v[0][:160])
        expect_check(c7, b, 0, CHECK_IOMMU_OFF, "IOMMU off")
        # The words outlive the bind event of a driver loaded after the add
        # event: e1000e (not in the initramfs) for 00:06.0 on every kernel,
        # bochs-drm for 00:05.0 on 7.x (the guest's initramfs has no bochs).
        c7.says(b, "sh -c udevadm info", r"^VFIO_CLAIM_REFUSED=has no IOMMU group")
        c7.says(b, "sh -c udevadm info", r"^VFIO_CLAIM_REFUSED=has no IOMMU group", 1)

    # 8: vfio_claim refused by the kernel; the rules claim alone.
    d = ch8.boot("s8-after", extra=[DD_DEBUG, "module_blacklist=vfio_claim"])
    if c8.booted(d):
        c8.expect(any("Module vfio_claim is blacklisted" in x for x in d.dmesg),
                  "the kernel log does not say vfio_claim is blacklisted")
        c8.says(d, "sh -c udevadm info", r"^VFIO_CLAIM_MODULE=absent")
        c8.says(d, "sh -c udevadm info", r"^VFIO_CLAIM_RESULT=claimed for vfio-pci")
        c8.says(d, "vfio-claim verify", r"^vfio_claim: is not loaded: module_blacklist= .*; "
                r"fix: remove vfio_claim from module_blacklist=")
        c8.expect(any(" really_probe: " in x for x in d.dmesg),
                  "no really_probe lines: dyndbg for drivers/base/dd.c is off")
        for addr in POLICY_DEVS:
            c8.expect(d.find("drivers", 0)["out"] and
                      "%s vfio-pci" % addr in d.find("drivers", 0)["out"],
                      "%s not on vfio-pci after the boot: %s" % (addr, d.find("drivers", 0)["out"]))
            nat = [p for p in probes(d, addr) if p != "vfio-pci"]
            c8.expect(not nat, "%s probed by %s" % (addr, ", ".join(nat)))
        # drivers_probe: vfio-pci loaded, e1000e loaded, an add event for
        # the NIC with no override: the rules' override and probe move it.
        c8.expect(d.find("drivers", 1)["out"] == ["0000:00:06.0 -"],
                  "override alone (no probe): %s" % d.find("drivers", 1)["out"])
        c8.rc(d, "udevadm trigger", 0)
        c8.expect(d.find("drivers", 2)["out"] == ["0000:00:06.0 vfio-pci"],
                  "after an add event with vfio-pci loaded: %s" % d.find("drivers", 2)["out"])
        c8.on(d, "0000:00:07.0", "e1000e")  # the identical NIC, not claimed
        c8.rc(d, "vfio-claim verify", 1)
        for p in problems(d.find("vfio-claim verify")):
            c8.notes.append("verify: %s" % p[:160])
    return res


# --------------------------------------------------------------------------
# Scenarios 9 and 10 (issue 12): the Debian packages' lifecycle, on the
# package guest of tests/vm/flow/pkg-root.sh (bookworm's 6.1 kernel and the
# two .deb files installed with apt-get in a chroot: real dpkg, DKMS and
# initramfs triggers; no make install). setup.sh makes it when FLOW_PKG=1.

PKG_TREE = "flow-pkg"
PKG_SERIES = "6.1"


def pkg_chroot(target, log, *cmd):
    """tests/vm/flow/chroot-apt.sh: CMD in a chroot of target (a root
    directory or a guest's disk image, not running) with the package guest's
    apt lists and cache. Returns (exit status, seconds); output appended to log."""
    t0 = time.time()
    rc = subprocess.run([os.path.join(HERE, "chroot-apt.sh"), target, os.path.join(BUILD, "apt"),
                         log] + list(cmd), stdin=subprocess.DEVNULL).returncode
    return rc, time.time() - t0


def disk_file(disk, path, out):
    """A file of a guest's disk copied out with debugfs; True when it was there."""
    if os.path.exists(out):
        os.unlink(out)
    subprocess.run(["debugfs", "-R", "dump %s %s" % (path, out), disk],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return os.path.exists(out) and os.path.getsize(out) > 0


def initrd_files(path):
    """The paths in an initramfs image (lsinitramfs)."""
    return subprocess.run(["lsinitramfs", path], capture_output=True,
                          text=True).stdout.splitlines()


def upgrade_kver():
    """The 6.12 kernel tests/vm/kernels.sh resolves (and installs on the
    host, so its packages are in the apt cache pkg-root.sh seeds)."""
    out = subprocess.run([os.path.join(TOP, "tests", "vm", "kernels.sh"), "6.12"],
                         capture_output=True, text=True, check=True).stdout
    return out.split()[1]


def scenario_9_10(series, kver):
    """9: installed from the .deb files, claims applied, reboot: they hold.
    Then a kernel upgrade: apt-get install of the 6.12 image and headers in
    a chroot of the guest's disk (the guest has no network); DKMS builds
    vfio_claim for 6.12 by itself; the guest boots 6.12 from its own /boot;
    the claim holds and verify exits 0. Then apt-get purge (in a chroot:
    the disk now has two kernels): the trigger rebuilds 6.12's image, the
    postrm 6.1's; both hold nothing of vfio-claim and 6.1, the kernel the
    boot menu still offers, boots with nothing claimed.
    10 (on a copy of 9's disk once the claims held after the reboot, as 8
    starts from 7's): apt-get remove in the guest, reboot: nothing claimed,
    no vfio_claim, the config kept (a conffile); apt-get purge: the config
    gone, the initramfs rebuilt; reboot: nothing claimed. What remove and
    purge print says so."""
    if series != PKG_SERIES:
        return []
    ch = Chain(series, kver, "s9", NICS, tree=PKG_TREE)
    c, c10 = Checker(), Checker()
    res = [("9", TITLES["9"], c, ch), ("10", TITLES["10"], c10, ch)]
    a = ch.boot("s9-configure")
    if not c.booted(a):
        c10.failures.append("9's configure boot did not finish")
        return res
    c.says(a, "dpkg-query", r"^ii +vfio-claim ")
    c.says(a, "dpkg-query", r"^ii +vfio-claim-dkms ")
    c.says(a, "dkms status", r"^vfio-claim/\S+, %s, x86_64: installed" % re.escape(kver))
    if not (c.rc(a, "vfio-claim add", 0) and c.rc(a, "vfio-claim apply --initramfs", 0)):
        c10.failures.append("9's add or apply failed")
        return res
    c.expect(ch.reboot_initrd(), "the guest's /boot/initrd.img is unchanged after apply")
    b = ch.boot("s9-reboot")
    if not c.booted(b):
        c10.failures.append("9's reboot did not finish")
        return res
    c.on(b, "0000:00:05.0", "vfio-pci")
    c.on(b, "0000:00:06.0", "e1000e")
    c.rc(b, "vfio-claim verify", 0)
    ch10 = Chain(series, kver, "s10", NICS, parent=ch)
    res[1] = ("10", TITLES["10"], c10, ch10)
    # 10 boots its copy beside 9's upgrade (a guest more than the jobs
    # for a while: the two chains are the flow's longest).
    def scenario_10():
        try:
            pkg_remove_purge(c10, ch10)
        except Exception as e:  # a broken run is a failure, not a pass
            c10.failures.append("raised %r" % e)
    t10 = threading.Thread(target=scenario_10)
    t10.start()
    try:
        kdir_old = ch.kdir
        new = upgrade_kver()
        if pkg_upgrade(c, ch, new):
            pkg_purge_two_kernels(c, ch, kver, new, kdir_old)
    finally:
        t10.join()
    return res


def pkg_upgrade(c, ch, new):
    """9's kernel upgrade on ch's disk (6.1 with claims applied): the new
    image and headers installed in a chroot, DKMS's own hook builds
    vfio_claim, the guest boots the new kernel, the claim holds. True when
    it booted."""
    series = ch.series
    log = os.path.join(LOGS, "flow-%s-s9-upgrade.log" % series)
    open(log, "w").close()
    rc, secs = pkg_chroot(ch.disk, log, "apt-get", "-y", "-q", "--no-install-recommends",
                          "install", "linux-image-" + new, "linux-headers-" + new)
    ch.timings.append("chroot apt-get %.0fs" % secs)
    c.notes.append("kernel upgrade: apt-get install linux-image-%s linux-headers-%s in a chroot "
                   "of the guest's disk (the guest has no network): %.0fs, log %s"
                   % (new, new, secs, log))
    if not c.expect(rc == 0, "apt-get install of %s exited %d (%s)" % (new, rc, log)):
        return False
    with open(log, errors="replace") as f:
        text = f.read()
    # Built by dkms's own kernel hooks, nothing the test ran.
    c.expect(re.search(r"vfio-claim/\S+ .*%s|Building module|dkms: running auto installation "
                       r"service for kernel %s" % (re.escape(new), re.escape(new)), text),
             "the apt-get log never shows DKMS building for %s" % new)
    kdir = os.path.join(ch.dir, "k-" + new)
    os.makedirs(kdir, exist_ok=True)
    initrd = os.path.join(kdir, "initrd.img")
    if not (c.expect(disk_file(ch.disk, "/boot/vmlinuz-" + new, os.path.join(kdir, "vmlinuz")),
                     "no /boot/vmlinuz-%s on the disk" % new) and
            c.expect(disk_file(ch.disk, "/boot/initrd.img-" + new, initrd),
                     "no /boot/initrd.img-%s on the disk" % new)):
        return False
    files = initrd_files(initrd)
    # Debian's 6.12 compresses its modules, and DKMS then its own (.ko.xz).
    c.expect(any(re.search(r"/updates/dkms/vfio_claim\.ko(\.xz|\.zst)?$", x) for x in files),
             "the %s initramfs has no updates/dkms/vfio_claim.ko*" % new)
    c.expect("etc/modprobe.d/vfio-claim-claims.conf" in files,
             "the %s initramfs has no etc/modprobe.d/vfio-claim-claims.conf" % new)
    ch.kdir, ch.kver, ch.initrd = kdir, new, initrd
    d = ch.boot("s9-after")
    if not c.booted(d):
        return False
    c.says(d, "uname -r", r"^%s$" % re.escape(new))
    c.says(d, "modinfo -n vfio_claim", r"^/lib/modules/%s/updates/dkms/vfio_claim\.ko"
           % re.escape(new))
    c.says(d, "dkms status", r"^vfio-claim/\S+, %s, x86_64: installed" % re.escape(new))
    c.on(d, "0000:00:05.0", "vfio-pci")
    c.on(d, "0000:00:06.0", "e1000e")
    c.rc(d, "vfio-claim verify", 0)
    c.says(d, "vfio-claim verify", r"^ok: \d+ checks hold")
    return True


def pkg_purge_two_kernels(c, ch, old, new, kdir_old):
    """9's end: apt-get purge in a chroot of ch's disk, which has the old
    kernel and the new one. initramfs-tools' trigger rebuilds only the
    newest image (update-initramfs -u); the postrm rebuilds the old one,
    which would otherwise keep vfio_claim.ko and the generated rules. Both
    images are read, then the old kernel boots: nothing claimed."""
    log = os.path.join(LOGS, "flow-%s-s9-purge.log" % ch.series)
    open(log, "w").close()
    rc, secs = pkg_chroot(ch.disk, log, "apt-get", "-y", "-q", "purge",
                          "vfio-claim", "vfio-claim-dkms")
    ch.timings.append("chroot purge %.0fs" % secs)
    if not c.expect(rc == 0, "apt-get purge in a chroot exited %d (%s)" % (rc, log)):
        return
    with open(log, errors="replace") as f:
        text = f.read()
    c.expect(re.search(r"^vfio-claim: rebuilding /boot/initrd\.img-%s too " % re.escape(old),
                       text, re.M),
             "the purge never says it rebuilds the older kernel's image (%s)" % log)
    images = {}
    for v in (old, new):
        out = os.path.join(ch.dir, "initrd-purged-%s.img" % v)
        if not c.expect(disk_file(ch.disk, "/boot/initrd.img-" + v, out),
                        "no /boot/initrd.img-%s after the purge" % v):
            return
        left = [x for x in initrd_files(out) if "vfio_claim" in x or "vfio-claim" in x]
        c.expect(not left, "after the purge /boot/initrd.img-%s still holds %s" % (v, left[:4]))
        images[v] = out
    c.notes.append("purge with two kernels (chroot): %.0fs; %s" % (secs, " | ".join(
        x for x in text.splitlines() if x.startswith("vfio-claim: rebuilding"))[:200]))
    ch.kdir, ch.kver, ch.initrd = kdir_old, old, images[old]
    e = ch.boot("s9-old")
    if c.booted(e):
        c.says(e, "uname -r", r"^%s$" % re.escape(old))
        c.on(e, "0000:00:05.0", "e1000e")
        c.on(e, "0000:00:06.0", "e1000e")
        c.expect(e.state.get("0000:00:05.0", {}).get("override") in ("(null)", ""),
                 "0000:00:05.0 keeps driver_override %s on %s"
                 % (e.state.get("0000:00:05.0", {}).get("override"), old))
        c.rc(e, "test ! -e /sys/module/vfio_claim", 0)


def pkg_remove_purge(c, ch):
    """10 on ch (a copy of 9's disk, claims holding on 6.1): apt-get remove
    in the guest, reboot, purge, reboot."""
    nic = "0000:00:05.0"
    b = ch.boot("s10-remove")
    if not c.booted(b):
        return
    c.on(b, nic, "vfio-pci")
    c.rc(b, "vfio-claim verify", 0)
    if c.rc(b, "apt-get remove", 0):
        c.notes.append("in-guest apt-get remove (dkms remove, update-initramfs): %.0fs"
                       % b.find("apt-get remove")["secs"])
    for pat in (r"^vfio-claim: removed /etc/modprobe\.d/vfio-claim-claims\.conf ",
                r"^vfio-claim: removed /etc/udev/rules\.d/59-vfio-claim-claims\.rules ",
                r"^vfio-claim: no device is claimed from the next boot on",
                r"^vfio-claim: kept /etc/vfio-claim\.conf ",
                r"update-initramfs: Generating"):
        c.says(b, "apt-get remove", pat)
    c.expect(b.find("sh -c ls /etc/modprobe.d")["out"] == ["vfio-claim.conf"],
             "after remove, /etc/modprobe.d and rules.d hold %s (expected only the conffile "
             "vfio-claim.conf)" % b.find("sh -c ls /etc/modprobe.d")["out"])
    c.says(b, "cat /etc/vfio-claim.conf", r"^0000:00:05\.0")
    c.says(b, "dpkg-query", r"^rc ?vfio-claim$")
    c.expect(b.find("find /lib/modules")["out"] == [],
             "vfio_claim.ko left after remove: %s" % b.find("find /lib/modules")["out"])
    # Left in the initramfs: only the package's comment-only modprobe.d
    # conffile (remove keeps conffiles; purge rebuilds it once more).
    c.expect(b.find("sh -c lsinitramfs")["out"] == ["etc/modprobe.d/vfio-claim.conf"],
             "after remove the initramfs holds %s" % b.find("sh -c lsinitramfs")["out"])
    c.notes.append("remove says: %s" % " | ".join(
        x for x in b.find("apt-get remove")["out"] if x.startswith("vfio-claim:"))[:300])
    if not c.expect(ch.reboot_initrd(), "the initramfs is unchanged after remove"):
        return
    left = [x for x in initrd_files(ch.initrd) if ("vfio_claim" in x or "vfio-claim" in x)
            and x != "etc/modprobe.d/vfio-claim.conf"]
    c.expect(not left, "the initramfs after remove still holds %s" % left)
    d = ch.boot("s10-purge")
    if not c.booted(d):
        return
    c.on(d, nic, "e1000e")
    c.on(d, "0000:00:06.0", "e1000e")
    c.expect(d.state.get(nic, {}).get("override") in ("(null)", ""),
             "%s keeps driver_override %s" % (nic, d.state.get(nic, {}).get("override")))
    c.rc(d, "test ! -e /sys/module/vfio_claim", 0)
    if c.rc(d, "apt-get purge", 0):
        c.notes.append("in-guest apt-get purge: %.0fs" % d.find("apt-get purge")["secs"])
    c.says(d, "apt-get purge", r"^Purging configuration files for vfio-claim ")
    c.says(d, "apt-get purge", r"^vfio-claim: purged: ")
    c.rc(d, "sh -c ls /etc/modprobe.d", 1)
    c.rc(d, "test ! -e /etc/vfio-claim.conf", 0)
    c.says(d, "sh -c dpkg-query", r"no packages found matching vfio-claim")
    c.expect(d.find("sh -c lsinitramfs")["out"] == [],
             "after purge the initramfs holds %s" % d.find("sh -c lsinitramfs")["out"])
    c.notes.append("purge says: %s" % " | ".join(
        x for x in d.find("apt-get purge")["out"] if x.startswith("vfio-claim:"))[:300])
    c.expect(ch.reboot_initrd(), "the initramfs is unchanged after purge")
    e = ch.boot("s10-after")
    if c.booted(e):
        c.on(e, nic, "e1000e")
        c.on(e, "0000:00:06.0", "e1000e")
        c.rc(e, "test ! -e /sys/module/vfio_claim", 0)
        c.says(e, "sh -c cat /etc/modprobe.d", r"^0$")


SCENARIOS = {"1": scenario_1_2, "3": scenario_3, "4": scenario_4, "5": scenario_5,
             "7": scenario_7_8, "11": scenario_11}
# Which series a scenario runs on when it is not named. make check-vm-flow
# (run.sh --kernel default) runs 1-8 on DEFAULT_SERIES only, the oldest and the
# newest kernel: 6.12 keeps check-vm's a-i, the dracut scenarios and flow 11,
# and 1-8 on it (about 5 of the flow's 15 minutes in CI) pay for 11, which
# passed on 6.1 and 6.12 (2026-12-02: 371-692 s of boots a chain). Kernels
# chosen by hand (VM_FLOW_KERNEL, run.sh --kernel 6.12|all: flow.py
# --every-series) run 1-8 on every kernel given. ONLY_ON holds whenever the
# scenario is not named: 11's guest root is bookworm's with bookworm's dracut
# 059, the pair a bookworm user has; sid's 7.x comes with a newer dracut
# (tests/vm/vmtest.py's DRACUT_SERIES says the same of a-dracut, b-dracut,
# c-dracut). A named scenario runs on every kernel given.
DEFAULT_SERIES = ("6.1", "7")
ONLY_ON = {"11": ("6.1", "6.12")}


def runs_on(name, series, named, every_series):
    """Whether scenario name boots on series: named, on every kernel given;
    else on ONLY_ON's series, else on DEFAULT_SERIES unless every_series."""
    if named:
        return True
    if name in ONLY_ON:
        return series in ONLY_ON[name]
    return every_series or series in DEFAULT_SERIES


TITLES = {
    "1": "add, apply --initramfs, reboot, verify exits 0 (and 2: a config change "
         "without --initramfs, verify says stale; 6: every claim removed, the old "
         "initramfs kept, verify says so)",
    "3": "blacklist-only setup written after the initramfs: ineffective, verify says why",
    "4": "built-in driver (pci-serial): verify says rebind; --rebind ends on vfio-pci",
    "5": "bind and unbind now: the driver it had comes back; two runs at once",
    "7": "claims applied, then a boot without the IOMMU: nothing stranded, verify's one "
         "cause, check says off (and 8: vfio_claim blacklisted, the rules alone claim)",
    "8": "vfio_claim blacklisted: the udev rules alone claim, before the native drivers",
    "11": "dracut: apply --initramfs runs dracut, a guides-style file in a generic image "
         "explained and fixed, reboot, verify exits 0",
}


SCENARIOS["9"] = scenario_9_10
# 9 and 10 (one guest, 10 on a copy of 9's disk) on the package guest, 6.1
# only: about 10 minutes of guest time beside the others (2026-12-02, idle:
# 9 245 s up to the upgrade's boot, 10 385 s).
ONLY_ON["9"] = (PKG_SERIES,)
TITLES.update({
    "9": "packages: installed with apt-get, claims hold after a reboot; kernel upgrade "
         "6.1 -> 6.12: DKMS builds vfio_claim by itself, claims hold, verify 0; purge with "
         "both kernels: each image rebuilt, 6.1 boots with nothing claimed",
    "10": "packages: apt-get remove, reboot: nothing claimed, config kept; purge: config "
          "gone, initramfs rebuilt; reboot: nothing claimed",
})


# Scenarios checked on another's guest: asking for one runs that one.
ALSO_IN = {"2": "1", "6": "1", "8": "7", "10": "9"}


def run_scenarios(kernels, names, jobs, named=True, every_series=False):
    """named: the scenarios were asked for by name; every_series: the kernels
    were chosen by hand (runs_on says what runs where)."""
    lock = threading.Lock()
    results = []

    def show(series, kver, res):
        num, title, c, ch = res
        with lock:
            print("%s %s %-4s %-22s %-66s (%s)" % (
                "PASS" if not c.failures else "FAIL", num, series, kver, title,
                ", ".join(ch.timings)), flush=True)
            for n in c.notes:
                print("     note: %s" % n)
            for f in c.failures:
                print("     fail: %s" % f)
            if c.failures:
                print("     serial logs: %s" % " ".join(ch.serials))
            results.append(not c.failures)

    def one(series, kver, name):
        t0 = time.time()
        _made.chains = []
        try:
            out = SCENARIOS[name](series, kver)
        except Exception as e:  # a broken run is a failure, not a crash
            c = Checker()
            c.failures.append("raised %r" % e)

            class Nothing:
                timings, serials = [], []
            out = [(name, TITLES[name], c, Nothing())]
        finally:
            for ch in _made.chains:
                if not KEEP_DISKS:
                    shutil.rmtree(ch.dir, ignore_errors=True)
            _made.chains = []
        for res in out:
            show(series, kver, res)
        return time.time() - t0

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        futs = [ex.submit(one, s, kv, n) for n in names for s, kv in kernels
                if runs_on(n, s, named, every_series)]
        for f in concurrent.futures.as_completed(futs):
            f.result()
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


# --------------------------------------------------------------------------
# make demo: one user's session, the guest's console on screen.


def demo(series, kver):
    ch = Chain(series, kver, "demo", DEMO)
    shown = {"on": False}

    def stream(line):
        if line.startswith("FLOW-CMD "):
            shown["on"] = True
            print("guest$ %s" % line[9:], flush=True)
        elif line.startswith("FLOW-SAY "):
            shown["on"] = True
            print("\n# %s" % line[9:], flush=True)
        elif line.startswith("FLOW-RC "):
            rc, secs = line.split()[1:3]
            if rc != "0":
                print("guest  (exit status %s)" % rc, flush=True)
            if float(secs) >= 20:
                print("guest  (%ss under TCG emulation)" % secs, flush=True)
        elif line.startswith("FLOW-DMESG-BEGIN"):
            shown["on"] = False
        elif line.startswith("FLOW"):
            pass
        elif shown["on"]:
            print("guest  %s" % line, flush=True)

    def host(msg):
        print("\n== %s" % msg, flush=True)

    host("boot 1: Debian %s in QEMU (q35, emulated VT-d), vfio-claim installed, "
         "nothing configured" % kver)
    a = ch.boot("demo-1", stream)
    if not a.done:
        print("demo: the guest did not finish; serial log %s" % a.serial, file=sys.stderr)
        return 1
    changed = ch.reboot_initrd()
    host("reboot: the same disk, with the initramfs the guest just wrote "
         "(/boot/initrd.img-%s%s)" % (kver, "" if changed else ", UNCHANGED"))
    b = ch.boot("demo-2", stream)
    if not b.done:
        print("demo: the guest did not finish; serial log %s" % b.serial, file=sys.stderr)
        return 1
    v = b.find("vfio-claim verify")
    ok = v["rc"] == 0 and b.driver("0000:00:05.0") == "vfio-pci" and \
        b.driver("0000:00:05.1") == "vfio-pci"
    host("done: 00:05.0 on %s, 00:05.1 on %s, verify exited %s (%s); serial logs %s" % (
        b.driver("0000:00:05.0"), b.driver("0000:00:05.1"), v["rc"],
        ", ".join(ch.timings), " ".join(ch.serials)))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", action="append", default=[], help="SERIES=KVER")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("VM_JOBS", "2")))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--every-series", action="store_true",
                    help="run 1-8 on every kernel given, not only DEFAULT_SERIES")
    ap.add_argument("--demo", action="store_true")
    ap.add_argument("scenarios", nargs="*")
    args = ap.parse_args()
    if args.list:
        for k, v in TITLES.items():
            print("%s  %s" % (k, v))
        return 0
    kernels = [k.split("=", 1) for k in args.kernel]
    if not kernels:
        ap.error("no --kernel")
    if args.demo:
        return demo(*kernels[0])
    names = []
    # By default the longest chains start first (9: the packages' two
    # chains; 11: two dracut runs in the guest and a slow systemd initramfs;
    # 7: three boots), so that the short ones fill the other jobs meanwhile.
    default = sorted(SCENARIOS,
                     key=lambda n: {"9": 0, "11": 1, "7": 2}.get(n, 3))
    for n in args.scenarios or default:
        n = ALSO_IN.get(n, n)
        if n not in names:
            names.append(n)
    for n in names:
        if n not in SCENARIOS:
            print("flow: no scenario %r; scenarios: %s" % (n, " ".join(SCENARIOS)),
                  file=sys.stderr)
            return 64
    return run_scenarios(kernels, names, args.jobs, bool(args.scenarios), args.every_series)


if __name__ == "__main__":
    sys.exit(main())
