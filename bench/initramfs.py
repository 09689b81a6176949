#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""verify on a real Debian MODULES=most initramfs, side by side with
lsinitramfs and unmkinitramfs on the same image (see bench/README.md).

    bench/initramfs.py [--tool build/vfio-claim] [--kver KVER] [--image FILE]
                       [--runs 5] [--work build/bench-initramfs]

Without --image it builds one as FACTS.md section 7 says: a copy of
/etc/initramfs-tools with MODULES=most and `mkinitramfs -d CONFDIR -o FILE
KVER` (kept in --work and reused). verify runs with --root on a copy of
the x399 fixture holding that image as /boot/initrd.img-KVER, with a claim
and a guides-style options file, so that it reads the image and judges it.
The three commands run interleaved, round by round, after one warm-up each;
wall-clock medians, CPU seconds (user + system of the whole process tree),
the ratios verify/lsinitramfs by both, and what each wrote: the
bytes left in its own TMPDIR (unmkinitramfs's output directory included)
and, for verify, the file-creating system calls strace saw (there must be
none).
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def newest_kver():
    kvers = [k for k in os.listdir("/lib/modules") if os.path.exists(f"/lib/modules/{k}/modules.dep")]
    if not kvers:
        sys.exit("bench/initramfs.py: no kernel with modules in /lib/modules")
    return sorted(kvers)[-1]


def build_image(work, kver):
    image = os.path.join(work, f"initrd.img-{kver}")
    if os.path.exists(image):
        return image
    conf = os.path.join(work, "initramfs-tools")
    shutil.rmtree(conf, ignore_errors=True)
    shutil.copytree("/etc/initramfs-tools", conf, symlinks=True)
    path = os.path.join(conf, "initramfs.conf")
    lines = [l for l in open(path) if not l.startswith("MODULES=")]
    open(path, "w").write("".join(lines) + "MODULES=most\n")
    print(f"building {image} with mkinitramfs (MODULES=most)...", file=sys.stderr)
    subprocess.run(["mkinitramfs", "-d", conf, "-o", image, kver], check=True)
    return image


def make_root(work, image, kver):
    root = os.path.join(work, "root")
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(os.path.join(TOP, "tests/fixtures/x399"), root, symlinks=True)
    subprocess.run([os.path.join(TOP, "tests/modules/mkmodules.sh"), root, kver], check=True,
                   stdout=subprocess.DEVNULL)
    for d in ("boot", "etc/modprobe.d", "etc/udev/rules.d"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    os.link(image, os.path.join(root, "boot", f"initrd.img-{kver}")) if os.stat(image).st_dev == os.stat(root).st_dev \
        else shutil.copy(image, os.path.join(root, "boot", f"initrd.img-{kver}"))
    open(os.path.join(root, "etc/modprobe.d/vfio.conf"), "w").write("options vfio-pci ids=10de:1c03\n")
    return root


def check_judged(tool, root):
    """verify must get as far as judging the image, or the timing means nothing."""
    subprocess.run([tool, "--root", root, "add", "0a:00.0", "--group"], check=True, stdout=subprocess.DEVNULL)
    p = subprocess.run([tool, "--root", root, "-v", "verify"], capture_output=True, text=True)
    judged = [l for l in p.stdout.splitlines() if l.startswith("ok: initramfs: judged")]
    if p.returncode not in (0, 1) or not judged:
        sys.exit(f"bench/initramfs.py: verify did not judge the image (exit {p.returncode}): {p.stderr.strip()}")
    return judged[0]


def du(path):
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(d, f)).st_size
            except OSError:
                pass
    return total


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd, tmp):
    """Wall seconds of one run, its CPU seconds (user + system of every
    process it waited for: lsinitramfs's pipeline included), and the bytes
    it left in its TMPDIR."""
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    env = dict(os.environ, TMPDIR=tmp)
    c0 = cpu_children()
    t = time.perf_counter()
    subprocess.run([c.replace("@TMP@", tmp) for c in cmd], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    return wall, cpu_children() - c0, du(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", default=os.path.join(TOP, "build/vfio-claim"))
    ap.add_argument("--kver")
    ap.add_argument("--image")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default=os.path.join(TOP, "build/bench-initramfs"))
    a = ap.parse_args()
    kver = a.kver or newest_kver()
    os.makedirs(a.work, exist_ok=True)
    image = os.path.abspath(a.image) if a.image else build_image(a.work, kver)
    root = make_root(a.work, image, kver)
    judged = check_judged(a.tool, root)
    cmds = {
        "vfio-claim verify": [a.tool, "--root", root, "verify"],
        "lsinitramfs": ["lsinitramfs", image],
        "unmkinitramfs": ["unmkinitramfs", image, "@TMP@/out"],
    }
    # What verify creates: strace sees every file-creating call.
    trace = os.path.join(a.work, "verify.trace")
    subprocess.run(["strace", "-f", "-qq", "-o", trace, "-e",
                    "trace=openat,open,creat,mkdir,mkdirat,mknodat,symlinkat,linkat,renameat2,unlinkat"]
                   + cmds["vfio-claim verify"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    creating = [l for l in open(trace) if "O_CREAT" in l or "O_WRONLY" in l or "O_RDWR" in l
                or any(c in l for c in ("mkdir", "mknod", "symlink", "link(", "rename", "unlink"))]
    times = {n: [] for n in cmds}
    cpus = {n: [] for n in cmds}
    written = {n: 0 for n in cmds}
    for n, c in cmds.items():   # warm-up: the page cache holds the image for all three
        run(c, os.path.join(a.work, "tmp"))
    for _ in range(a.runs):
        for n, c in cmds.items():
            wall, cpu, w = run(c, os.path.join(a.work, "tmp"))
            times[n].append(wall)
            cpus[n].append(cpu)
            written[n] = max(written[n], w)
    shutil.rmtree(os.path.join(a.work, "tmp"), ignore_errors=True)
    size = os.path.getsize(image)
    print(f"image: {image} ({size / 1e6:.1f} MB, kernel {kver}); {a.runs} runs each, interleaved")
    print(f"{'command':<20} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7} {'bytes written':>14}")
    for n in cmds:
        t = times[n]
        print(f"{n:<20} {statistics.median(t):9.3f} {min(t):7.3f} {max(t):7.3f} "
              f"{statistics.median(cpus[n]):7.3f} {written[n]:14d}")
    med = {n: statistics.median(times[n]) for n in cmds}
    cpu = {n: statistics.median(cpus[n]) for n in cmds}
    print(f"verify / lsinitramfs: {med['vfio-claim verify'] / med['lsinitramfs']:.2f} (target <= 0.50); "
          f"verify / unmkinitramfs: {med['vfio-claim verify'] / med['unmkinitramfs']:.2f}")
    # On a loaded machine the wall clock mostly measures the wait for a CPU;
    # the CPU seconds (median) say what each costs.
    print(f"cpu time, verify / lsinitramfs: {cpu['vfio-claim verify'] / cpu['lsinitramfs']:.2f}; "
          f"verify / unmkinitramfs: {cpu['vfio-claim verify'] / cpu['unmkinitramfs']:.2f}")
    print(f"verify said: {judged}")
    print(f"file-creating system calls of verify: {len(creating)}")
    for l in creating[:5]:
        print("  " + l.rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
