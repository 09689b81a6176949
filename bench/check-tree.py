#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a benchmark tree before anything is timed: that lspci reads every
function with the IDs, class, revision, subsystem and driver that sysfs has,
and that vfio-claim lists every group with its members.

    bench/check-tree.py [--functions N] [--tool build/vfio-claim] [--lspci lspci] TREE

Exit 0 and one summary line when all holds; otherwise the first problems
and exit 1.
"""

import argparse
import json
import os
import re
import struct
import subprocess
import sys

# lspci -k on a machine whose running kernel has no /lib/modules/$(uname -r)
# (containers, chroots) says this once and shows no "Kernel modules:" lines;
# it does not affect what is compared here.
BENIGN_STDERR = re.compile(r"^lspci: Unable to load libkmod resources: error -?\d+$")

DEV_RE = re.compile(r"^(?P<addr>[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) "
                    r".*\[(?P<cls>[0-9a-f]{4})\]: "
                    r".*\[(?P<ven>[0-9a-f]{4}):(?P<dev>[0-9a-f]{4})\]"
                    r"(?: \(rev (?P<rev>[0-9a-f]{2})\))?(?: \(prog-if .*\))?$")
SUB_RE = re.compile(r"^\tSubsystem: .*\[(?P<ven>[0-9a-f]{4}):(?P<dev>[0-9a-f]{4})\]$")
DRV_RE = re.compile(r"^\tKernel driver in use: (?P<drv>\S+)$")


def lspci_cmd(lspci, tree):
    return [lspci, "-A", "linux-sysfs", "-O", "sysfs.path=%s/sys/bus/pci" % tree,
            "-D", "-nn", "-k"]


def read_attr(d, name):
    with open(os.path.join(d, name)) as f:
        return f.read().strip()


def sysfs_devices(tree):
    base = os.path.join(tree, "sys/bus/pci/devices")
    out = {}
    for a in sorted(os.listdir(base)):
        d = os.path.join(base, a)
        drv = os.path.join(d, "driver")
        grp = os.path.join(d, "iommu_group")
        out[a] = dict(
            vendor=int(read_attr(d, "vendor"), 16), device=int(read_attr(d, "device"), 16),
            cls=int(read_attr(d, "class"), 16), rev=int(read_attr(d, "revision"), 16),
            subvendor=int(read_attr(d, "subsystem_vendor"), 16),
            subdevice=int(read_attr(d, "subsystem_device"), 16),
            driver=os.path.basename(os.readlink(drv)) if os.path.islink(drv) else None,
            group=int(os.path.basename(os.readlink(grp))) if os.path.islink(grp) else None)
    return out


def check_config(tree, S, problems):
    """Each device's `config` agrees with its sysfs attributes (lspci 3.9
    takes the IDs from the attributes and the header type from `config`;
    other versions and -b take more from `config`)."""
    base = os.path.join(tree, "sys/bus/pci/devices")
    for a, s in S.items():
        with open(os.path.join(base, a, "config"), "rb") as f:
            b = f.read()
        if len(b) < 64:
            problems.append("config: %s: %d bytes, not 64" % (a, len(b)))
            continue
        ven, dev, _cmd, _sts, rev = struct.unpack_from("<HHHHB", b, 0)
        cls = b[0x09] | b[0x0a] << 8 | b[0x0b] << 16
        htype = b[0x0e] & 0x7f
        got = dict(vendor=ven, device=dev, cls=cls, rev=rev, htype=htype)
        want = dict(vendor=s["vendor"], device=s["device"], cls=s["cls"], rev=s["rev"],
                    htype=1 if (s["cls"] >> 8) == 0x0604 else 0)
        if htype == 0:
            got["sub"] = struct.unpack_from("<HH", b, 0x2c)
            want["sub"] = (s["subvendor"], s["subdevice"])
        if got != want:
            problems.append("config: %s: %s, sysfs has %s" % (a, got, want))


def parse_lspci(text):
    devs, cur = {}, None
    for line in text.splitlines():
        if not line:
            continue
        if not line.startswith("\t"):
            m = DEV_RE.match(line)
            if not m:
                raise ValueError("lspci: cannot parse %r" % line)
            cur = dict(vendor=int(m["ven"], 16), device=int(m["dev"], 16),
                       cls16=int(m["cls"], 16), rev=int(m["rev"] or "0", 16),
                       sub=None, driver=None)
            if m["addr"] in devs:
                raise ValueError("lspci: %s twice" % m["addr"])
            devs[m["addr"]] = cur
            continue
        m = SUB_RE.match(line)
        if m:
            cur["sub"] = (int(m["ven"], 16), int(m["dev"], 16))
            continue
        m = DRV_RE.match(line)
        if m:
            cur["driver"] = m["drv"]
    return devs


def check_lspci(tree, lspci, S, problems):
    r = subprocess.run(lspci_cmd(lspci, tree), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    err = [l for l in r.stderr.splitlines() if not BENIGN_STDERR.match(l)]
    if r.returncode != 0 or err:
        problems.append("lspci: exit %d: %s" % (r.returncode, "; ".join(err[:5])))
        return 0
    L = parse_lspci(r.stdout)
    for a in sorted(set(S) | set(L)):
        s, l = S.get(a), L.get(a)
        if l is None:
            problems.append("lspci: %s missing" % a)
            continue
        if s is None:
            problems.append("lspci: %s not in sysfs" % a)
            continue
        want = dict(vendor=s["vendor"], device=s["device"], cls16=s["cls"] >> 8, rev=s["rev"],
                    driver=s["driver"])
        got = {k: l[k] for k in want}
        if got != want:
            problems.append("lspci: %s: %s, sysfs has %s" % (a, got, want))
        # lspci shows the subsystem of type 0 headers when the vendor is set
        if (s["cls"] >> 8) != 0x0604 and s["subvendor"] not in (0, 0xffff):
            if l["sub"] != (s["subvendor"], s["subdevice"]):
                problems.append("lspci: %s: subsystem %s, sysfs has %04x:%04x" % (
                    a, l["sub"], s["subvendor"], s["subdevice"]))
    return len(L)


def check_tool(tree, tool, S, problems):
    groups = {}
    for a, s in S.items():
        if s["group"] is not None:
            groups.setdefault(s["group"], set()).add(a)
    r = subprocess.run([tool, "--root", tree, "--json", "list"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        problems.append("vfio-claim --json list: exit %d: %s" % (r.returncode, r.stderr.strip()[:300]))
        return 0
    doc = json.loads(r.stdout)
    got = {}
    for g in doc["groups"]:
        got[g["group"]] = set(d["address"] for d in g["devices"])
        for d in g["devices"]:
            s = S.get(d["address"])
            if s and (int(d["vendor"], 16), int(d["device"], 16)) != (s["vendor"], s["device"]):
                problems.append("vfio-claim: %s: %s:%s, sysfs has %04x:%04x" % (
                    d["address"], d["vendor"], d["device"], s["vendor"], s["device"]))
    for n in sorted(set(groups) | set(got)):
        if groups.get(n) != got.get(n):
            problems.append("vfio-claim: group %d: %s, sysfs has %s" % (
                n, sorted(got.get(n, ())), sorted(groups.get(n, ()))))
    r = subprocess.run([tool, "--root", tree, "list"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        problems.append("vfio-claim list: exit %d: %s" % (r.returncode, r.stderr.strip()[:300]))
    else:
        n = sum(1 for l in r.stdout.splitlines() if l.startswith("IOMMU group "))
        if n != len(groups):
            problems.append("vfio-claim list: %d groups shown, sysfs has %d" % (n, len(groups)))
    return len(got)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--functions", type=int, help="the number of functions the tree must have")
    ap.add_argument("--tool", default="build/vfio-claim")
    ap.add_argument("--lspci", default="lspci")
    ap.add_argument("tree")
    a = ap.parse_args()
    problems = []
    S = sysfs_devices(a.tree)
    if a.functions is not None and len(S) != a.functions:
        problems.append("sysfs: %d functions, not %d" % (len(S), a.functions))
    check_config(a.tree, S, problems)
    nl = check_lspci(a.tree, a.lspci, S, problems)
    ng = check_tool(a.tree, a.tool, S, problems)
    if problems:
        for p in problems[:20]:
            print("check-tree: " + p, file=sys.stderr)
        if len(problems) > 20:
            print("check-tree: ... and %d more" % (len(problems) - 20), file=sys.stderr)
        return 1
    print("check-tree: %s: every config header matches sysfs; lspci shows all %d functions "
          "with their IDs, class, revision, subsystem and driver; vfio-claim lists all %d "
          "groups with their members" % (
              a.tree, nl, ng))
    return 0


if __name__ == "__main__":
    sys.exit(main())
