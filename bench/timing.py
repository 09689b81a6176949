#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Time vfio-claim, lspci and the guides' loop side by side on one tree and
print the table (bench/run.sh calls this; see bench/README.md).

    bench/timing.py --tree T [--tool build/vfio-claim] [--runs 11] [--loop-runs 3]
                    [--warmup 1] [--gen-seconds S] [--strict]

The commands run interleaved, round by round (vfio-claim, lspci, loop), so
that a slow spell of the machine hits all of them alike; the loop takes
part in the first --loop-runs rounds only. Before the first round each
command but the loop runs --warmup times untimed (the loop itself warms
nothing the others have not). Wall-clock time is time.perf_counter() around
the child process; CPU time is the child's user + system time (wait4).
stdout goes to /dev/null; stderr is kept, and a command that exits non-zero
or writes to stderr (other than lspci's libkmod notice, see check-tree.py)
fails the run: exit 1.
"""

import argparse
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENIGN_STDERR = re.compile(r"^lspci: Unable to load libkmod resources: error -?\d+$")

TARGET_LSPCI = 1.0      # vfio-claim no slower than lspci
TARGET_LOOP = 400.0     # and at least 400 times faster than the loop


class Failed(Exception):
    pass


def run_once(name, argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    err = [l for l in p.stderr.decode(errors="replace").splitlines()
           if not BENIGN_STDERR.match(l)]
    if p.returncode != 0 or err:
        raise Failed("%s: exit %d%s\n  command: %s" % (
            name, p.returncode, "".join("\n  " + l for l in err[:10]), " ".join(argv)))
    return wall, cpu


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def first_line(argv):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return p.stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def tree_size(tree):
    n = len(os.listdir(os.path.join(tree, "sys/bus/pci/devices")))
    gdir = os.path.join(tree, "sys/kernel/iommu_groups")
    g = len(os.listdir(gdir)) if os.path.isdir(gdir) else 0
    return n, g


def fmt_s(x):
    return "%.4f" % x if x < 10 else "%.2f" % x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", required=True)
    ap.add_argument("--tool", default="build/vfio-claim")
    ap.add_argument("--lspci", default="lspci")
    ap.add_argument("--loop", default=os.path.join(HERE, "lsgroup.sh"))
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--loop-runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--gen-seconds", type=float,
                    help="how long the generator took (shown with the tree)")
    ap.add_argument("--strict", action="store_true",
                    help="exit 2 when a target is missed")
    a = ap.parse_args()
    if a.runs < 1 or a.loop_runs < 1:
        ap.error("--runs and --loop-runs: at least 1")
    T = a.tree
    cmds = [
        dict(name="vfio-claim --json list", runs=a.runs,
             argv=[a.tool, "--root", T, "--json", "list"]),
        dict(name="lspci -D -nn -k", runs=a.runs,
             argv=[a.lspci, "-A", "linux-sysfs", "-O", "sysfs.path=%s/sys/bus/pci" % T,
                   "-D", "-nn", "-k"]),
        dict(name="lsgroup.sh loop (guides)", runs=a.loop_runs, argv=[a.loop, T]),
    ]
    nfun, ngroups = tree_size(T)
    load0 = os.getloadavg()
    started = time.time()
    try:
        for c in cmds[:2]:
            for _ in range(a.warmup):
                run_once(c["name"], c["argv"])
        for c in cmds:
            c["wall"], c["cpu"] = [], []
        for r in range(max(c["runs"] for c in cmds)):
            for c in cmds:
                if r < c["runs"]:
                    w, u = run_once(c["name"], c["argv"])
                    c["wall"].append(w)
                    c["cpu"].append(u)
            print("timing: round %d done (%.0f s so far)" % (r + 1, time.time() - started),
                  file=sys.stderr, flush=True)
    except Failed as e:
        print("timing: FAILED: %s" % e, file=sys.stderr)
        return 1
    load1 = os.getloadavg()

    vc, ls, lp = cmds
    for c in cmds:
        c["median"] = statistics.median(c["wall"])
    r_lspci = ls["median"] / vc["median"]
    r_loop = lp["median"] / vc["median"]

    out = []
    out.append("vfio-claim benchmark: list IOMMU groups and PCI devices, side by side")
    out.append("machine: %d CPUs (nproc), %s, Linux %s; load average %.2f before, %.2f after" % (
        len(os.sched_getaffinity(0)),
        cpu_model(), platform.release(), load0[0], load1[0]))
    gen = (", generated in %.1f s" % a.gen_seconds) if a.gen_seconds is not None else ", reused"
    out.append("tree:    %d PCI functions, %d IOMMU groups%s (%s)" % (nfun, ngroups, gen, T))
    out.append("tools:   %s; %s; %s" % (
        first_line([a.tool, "--version"]), first_line([a.lspci, "--version"]),
        "loop: bench/lsgroup.sh (one lspci -s per function)"))
    out.append("")
    hdr = "%-28s %5s %11s %11s %11s %13s" % ("command", "runs", "median s", "min s", "max s",
                                             "median cpu s")
    out.append(hdr)
    out.append("-" * len(hdr))
    for c in cmds:
        out.append("%-28s %5d %11s %11s %11s %13s" % (
            c["name"], len(c["wall"]), fmt_s(c["median"]), fmt_s(min(c["wall"])),
            fmt_s(max(c["wall"])), fmt_s(statistics.median(c["cpu"]))))
    out.append("")
    ok_lspci = r_lspci >= TARGET_LSPCI
    ok_loop = r_loop >= TARGET_LOOP
    out.append("lspci / vfio-claim: %10.2f   (target >= %g: %s)" % (
        r_lspci, TARGET_LSPCI, "met" if ok_lspci else "NOT met"))
    out.append("loop / vfio-claim:  %10.1f   (target >= %g: %s)" % (
        r_loop, TARGET_LOOP, "met" if ok_loop else "NOT met"))
    cm = [statistics.median(c["cpu"]) for c in cmds]
    out.append("(ratios of the wall-clock medians; above 1 means vfio-claim is faster;")
    out.append(" on CPU time, which other load on the machine disturbs less: %.2f and %.1f)" % (
        cm[1] / cm[0] if cm[0] else float("inf"), cm[2] / cm[0] if cm[0] else float("inf")))
    print("\n".join(out), flush=True)
    if a.strict and not (ok_lspci and ok_loop):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
