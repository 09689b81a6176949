#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Issue 13's fleet: two QEMU guests with different hardware, one inventory,
the collection's role run by Debian's ansible-playbook over SSH.

    fleet.py --kernel SERIES=KVER --image DIR --key KEY --debs A.deb[,B.deb]

DIR holds tests/vm/fleet/setup.sh's fleet.img (the guest's disk, with its own
kernel and initramfs in /boot and its command line in /etc/kernel/cmdline).
Each guest gets a copy of it with KEY.pub as root's authorized key, boots
(TCG, q35, emulated VT-d; vmtest.py's machine), and is reached on
127.0.0.1:PORT, forwarded to its port 22 by QEMU's user network on a
virtio-net management NIC at 00:03.0.

The steps, one line each: boot both; run 1 converges both and reboots them;
run 2 reports changed=0; a local 'vfio-claim add' of the twin NIC on the NIC
node, then --check --diff reports exactly that line and changes nothing; run
3 repairs it; then on both guests verify exits 0 and each device is on the
driver it should have. Serial logs: build/vm-fleet/logs/fleet-HOST-BOOT.log.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "flow"))
sys.path.insert(0, os.path.dirname(HERE))
from vmtest import IOMMU, machine_cmd  # noqa: E402  (tests/vm/vmtest.py)
from flow import dump_initrd, sha  # noqa: E402  (tests/vm/flow/flow.py)

BUILD = os.environ.get("VM_FLEET_BUILD", os.path.join(TOP, "build", "vm-fleet"))
LOGS = os.path.join(BUILD, "logs")
RUN = os.path.join(BUILD, "run")
# Seconds for one guest to come up on SSH, and for one ansible-playbook run.
BOOT_TIMEOUT = int(os.environ.get("VM_FLEET_BOOT_TIMEOUT", "600"))
PLAY_TIMEOUT = int(os.environ.get("VM_FLEET_PLAY_TIMEOUT", "1800"))

# The GPU node: QEMU's std VGA at 00:01.0 is the boot display (so the GPU to
# pass through is not the boot VGA), the GPU a second VGA with an HDA
# function at 00:05.1 in the same slot (one IOMMU group), as flow.py's DEMO
# and the VM harness's scenario c.
GPU = ["-device", "VGA,addr=0x1",
       "-device", "VGA,addr=0x5.0,multifunction=on",
       "-device", "intel-hda,addr=0x5.1"]
# The NIC node: two identical e1000e (8086:10d3), as the harness's scenario b.
NICS = ["-netdev", "user,id=n0,restrict=on", "-netdev", "user,id=n1,restrict=on",
        "-device", "e1000e,addr=0x5,netdev=n0", "-device", "e1000e,addr=0x6,netdev=n1"]
# What each device must be on after the fleet converged.
WANT = {"gpu-node": {"0000:00:05.0": "vfio-pci", "0000:00:05.1": "vfio-pci"},
        "nic-node": {"0000:00:05.0": "vfio-pci", "0000:00:06.0": "e1000e"}}
TWIN = "0000:00:06.0"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def debugfs(disk, request, out=None):
    """debugfs -R REQUEST on an image (read-only); its stdout."""
    r = subprocess.run(["debugfs", "-R", request, disk], check=True, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    return r.stdout.decode(errors="replace")


class Guest:
    """One guest's disk and its boots. The loop in run() stands in for
    systemd-boot: QEMU runs with -no-reboot, so a reboot inside the guest ends
    QEMU; the loop then boots the disk again with the kernel and initramfs in
    its /boot and the command line in its /etc/kernel/cmdline (the
    kernel-install convention), all read out of the image between boots."""

    def __init__(self, name, devices, image, kver, key):
        self.name, self.devices, self.kver = name, devices, kver
        self.dir = os.path.join(RUN, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.disk = os.path.join(self.dir, "disk.img")
        subprocess.run(["cp", "--sparse=always", os.path.join(image, "fleet.img"), self.disk],
                       check=True)
        # The run's key for root: debugfs writes it into the copy.
        cmds = os.path.join(self.dir, "debugfs.cmds")
        with open(cmds, "w") as f:
            f.write("cd /root/.ssh\nwrite %s.pub authorized_keys\n"
                    "sif authorized_keys mode 0100600\n" % key)
        subprocess.run(["debugfs", "-w", "-f", cmds, self.disk], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.port = free_port()
        self.boots = []  # (serial log, initrd sha256, cmdline)
        self.stopping = False
        self.proc = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def boot_files(self, n):
        kernel = os.path.join(self.dir, "vmlinuz-%d" % n)
        if os.path.exists(kernel):
            os.unlink(kernel)
        debugfs(self.disk, "dump /boot/vmlinuz-%s %s" % (self.kver, kernel))
        initrd = dump_initrd(self.disk, self.kver, os.path.join(self.dir, "initrd-%d.img" % n))
        cmdline = debugfs(self.disk, "cat /etc/kernel/cmdline").split()
        return kernel, initrd, cmdline

    def run(self):
        os.makedirs(LOGS, exist_ok=True)
        while not self.stopping:
            n = len(self.boots) + 1
            kernel, initrd, cmdline = self.boot_files(n)
            serial = os.path.join(LOGS, "fleet-%s-%d.log" % (self.name, n))
            self.boots.append((serial, sha(initrd), " ".join(cmdline)))
            cmd = machine_cmd(kernel, initrd, cmdline, self.disk, serial, snapshot=False)
            cmd += IOMMU + self.devices + [
                "-netdev", "user,id=mgmt,hostfwd=tcp:127.0.0.1:%d-:22" % self.port,
                "-device", "virtio-net-pci,netdev=mgmt,addr=0x3"]
            with open(serial + ".cmd", "w") as f:
                f.write(" ".join("'%s'" % c if " " in c else c for c in cmd) + "\n")
            with open(serial + ".qemu", "w") as out:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                             stderr=subprocess.STDOUT)
                self.proc.wait()

    def start(self):
        self.thread.start()

    def ssh(self, command, key, timeout=300):
        """Run a shell command as root in the guest: (rc, output)."""
        try:
            r = subprocess.run(["ssh", "-i", key, "-p", str(self.port), "-o", "BatchMode=yes",
                                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                                "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20",
                                "root@127.0.0.1", command],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout)
            return r.returncode, r.stdout.decode(errors="replace")
        except subprocess.TimeoutExpired:
            return 255, "ssh timed out"

    def wait_ssh(self, key):
        t0 = time.time()
        while time.time() - t0 < BOOT_TIMEOUT:
            if self.ssh("true", key, timeout=60)[0] == 0:
                return True
            time.sleep(3)
        return False

    def stop(self, key):
        self.stopping = True
        if self.proc and self.proc.poll() is None:
            self.ssh("systemctl poweroff", key, timeout=30)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.thread.join(30)


def recap(log):
    """PLAY RECAP: host -> {ok, changed, unreachable, failed, ...} as ints."""
    out = {}
    for line in log.splitlines():
        m = re.match(r"^(\S+)\s+:\s+(ok=.*)$", line)
        if m:
            out[m.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
    return out


class Fleet:
    def __init__(self, args):
        self.args = args
        series, self.kver = args.kernel.split("=", 1)
        self.key = args.key
        self.guests = {"gpu-node": Guest("gpu-node", GPU, args.image, self.kver, self.key),
                       "nic-node": Guest("nic-node", NICS, args.image, self.kver, self.key)}
        self.failed = 0
        self.t0 = time.time()
        collections = os.path.join(RUN, "collections", "ansible_collections", "vfio_claim")
        os.makedirs(collections, exist_ok=True)
        os.symlink(os.path.join(TOP, "contrib", "ansible", "vfio_claim", "vfio"),
                   os.path.join(collections, "vfio"))
        home = os.path.join(RUN, "home")
        os.makedirs(home, exist_ok=True)
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(RUN, "collections"),
                        ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0",
                        ANSIBLE_HOME=os.path.join(home, ".ansible"), HOME=home,
                        ANSIBLE_LOCAL_TEMP=os.path.join(home, "tmp"),
                        ANSIBLE_HOST_KEY_CHECKING="0", ANSIBLE_PIPELINING="1",
                        ANSIBLE_TIMEOUT="60", ANSIBLE_FORKS="2",
                        FLEET_KEY=self.key, FLEET_DEBS=args.debs,
                        FLEET_PORT_GPU=str(self.guests["gpu-node"].port),
                        FLEET_PORT_NIC=str(self.guests["nic-node"].port))

    def step(self, ok, what, t0, details=()):
        print("%s %-72s (%.0fs)" % ("PASS" if ok else "FAIL", what, time.time() - t0), flush=True)
        for d in details:
            print("     %s" % d, flush=True)
        if not ok:
            self.failed += 1
        return ok

    def play(self, name, *extra):
        """ansible-playbook with the inventory and playbook: (rc, log, recap)."""
        log = os.path.join(LOGS, "ansible-%s.log" % name)
        cmd = ["ansible-playbook", "-i", os.path.join(HERE, "inventory.yml"),
               os.path.join(HERE, "playbook.yml")] + list(extra)
        with open(log, "w") as f:
            proc = subprocess.Popen(cmd, env=self.env, stdin=subprocess.DEVNULL, stdout=f,
                                    stderr=subprocess.STDOUT)
            try:
                rc = proc.wait(PLAY_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = 124
        with open(log, errors="replace") as f:
            text = f.read()
        return rc, text, recap(text), log

    def played(self, name, rc, rec, log, want_changed):
        """want_changed: host -> True (some), False (none) or an exact count."""
        problems = []
        if rc != 0:
            problems.append("ansible-playbook exited %d (log %s)" % (rc, log))
        for host, want in want_changed.items():
            r = rec.get(host)
            if r is None:
                problems.append("%s: not in the recap (log %s)" % (host, log))
                continue
            if r.get("failed") or r.get("unreachable"):
                problems.append("%s: failed=%d unreachable=%d (log %s)" % (
                    host, r.get("failed", 0), r.get("unreachable", 0), log))
            got = r.get("changed", 0)
            if (want is True and got == 0) or (want is False and got != 0) or \
                    (want not in (True, False) and got != want):
                problems.append("%s: changed=%d, expected %s" % (
                    host, got, {True: "some", False: "0"}.get(want, want)))
        return problems

    def run(self):
        t = time.time()
        for g in self.guests.values():
            g.start()
        up = {n: g.wait_ssh(self.key) for n, g in self.guests.items()}
        if not self.step(all(up.values()), "both guests up on SSH (ports %s)" % ", ".join(
                "%s %d" % (n, g.port) for n, g in self.guests.items()), t,
                ["%s: no SSH (serial %s)" % (n, self.guests[n].boots[-1][0])
                 for n, ok in up.items() if not ok]):
            return
        drivers_before = {n: self.drivers(n) for n in self.guests}

        # Run 1: converges both, reboots both.
        t = time.time()
        rc, text, rec, log = self.play("run1")
        problems = self.played("run1", rc, rec, log, {"gpu-node": True, "nic-node": True})
        for n, g in self.guests.items():
            if len(g.boots) < 2:
                problems.append("%s was not rebooted" % n)
            elif g.boots[-1][1] == g.boots[0][1]:
                problems.append("%s rebooted with the initramfs it had (the role did not rebuild it)" % n)
        if not self.step(not problems, "run 1: converges both and reboots them (%s boots)" % "+".join(
                str(len(g.boots)) for g in self.guests.values()), t, problems):
            return

        t = time.time()
        rc, text, rec, log = self.play("run2")
        problems = self.played("run2", rc, rec, log, {"gpu-node": False, "nic-node": False})
        self.step(not problems, "run 2: changed=0 on both", t, problems)

        # A local edit on the NIC node: its twin claimed by hand.
        t = time.time()
        nic = self.guests["nic-node"]
        problems = []
        rc, out = nic.ssh("vfio-claim add %s" % TWIN, self.key)
        if rc != 0:
            problems.append("vfio-claim add %s exited %d: %s" % (TWIN, rc, out.strip()))
        _, before = nic.ssh("sha256sum /etc/vfio-claim.conf; cat /etc/vfio-claim.conf", self.key)
        rc, text, rec, log = self.play("drift", "--check", "--diff")
        problems += self.played("drift", rc, rec, log, {"gpu-node": False, "nic-node": 1})
        diff = [line for line in text.splitlines()
                if re.match(r"^[-+](?![-+]{2} )", line)]
        twin_line = [line for line in before.splitlines() if line.startswith(TWIN)]
        want = ["-" + twin_line[0]] if twin_line else ["-%s@8086:10d3" % TWIN]
        if diff != want:
            problems.append("the diff's lines are %s, expected %s" % (diff, want))
        _, after = nic.ssh("sha256sum /etc/vfio-claim.conf; cat /etc/vfio-claim.conf", self.key)
        if after != before:
            problems.append("check mode changed /etc/vfio-claim.conf")
        self.step(not problems, "drift: --check --diff shows exactly the added line, changes nothing",
                  t, problems + (["diff: %s" % " | ".join(diff)] if not problems else []))

        t = time.time()
        rc, text, rec, log = self.play("run3")
        problems = self.played("run3", rc, rec, log, {"gpu-node": False, "nic-node": True})
        _, conf = nic.ssh("cat /etc/vfio-claim.conf", self.key)
        if any(line.startswith(TWIN) for line in conf.splitlines()):
            problems.append("the twin's line is still in /etc/vfio-claim.conf")
        self.step(not problems, "run 3: repairs the drift on nic-node, nothing on gpu-node", t, problems)

        t = time.time()
        problems, notes = [], []
        for n, g in self.guests.items():
            rc, out = g.ssh("vfio-claim verify", self.key)
            if rc != 0:
                problems.append("%s: vfio-claim verify exited %d: %s" % (
                    n, rc, " | ".join(out.strip().splitlines()[-6:])))
            got = self.drivers(n)
            for addr, drv in WANT[n].items():
                if got.get(addr) != drv:
                    problems.append("%s: %s on %s, expected %s (before run 1: %s)" % (
                        n, addr, got.get(addr), drv, drivers_before[n].get(addr)))
            notes.append("%s: %s; boots: %s" % (n, " ".join(
                "%s=%s" % kv for kv in sorted(got.items())), ", ".join(
                "%s (%s)" % (os.path.basename(b[0]), b[2]) for b in g.boots)))
        self.step(not problems, "after the reboot: verify exits 0 on both, devices where claimed",
                  t, problems + notes)

    def drivers(self, name):
        rc, out = self.guests[name].ssh(
            "for d in /sys/bus/pci/devices/*; do printf '%s %s\\n' \"${d##*/}\" "
            "\"$(basename \"$(readlink \"$d/driver\")\" 2>/dev/null)\"; done", self.key)
        got = {}
        for line in out.splitlines():
            w = line.split()
            if len(w) == 2:
                got[w[0]] = w[1]
            elif len(w) == 1:
                got[w[0]] = "-"
        return got

    def stop(self):
        for g in self.guests.values():
            g.stop(self.key)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True, help="SERIES=KVER")
    ap.add_argument("--image", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--debs", required=True)
    args = ap.parse_args()
    shutil.rmtree(RUN, ignore_errors=True)
    os.makedirs(LOGS, exist_ok=True)
    for name in os.listdir(LOGS):  # the last run's consoles and plays
        if name.startswith(("fleet-", "ansible-")):
            os.unlink(os.path.join(LOGS, name))
    fleet = Fleet(args)
    try:
        fleet.run()
    finally:
        fleet.stop()
    print("fleet: %s (%.0fs)" % ("passed" if not fleet.failed else "%d steps failed" % fleet.failed,
                                 time.time() - fleet.t0), flush=True)
    return 0 if not fleet.failed else 1


if __name__ == "__main__":
    sys.exit(main())
