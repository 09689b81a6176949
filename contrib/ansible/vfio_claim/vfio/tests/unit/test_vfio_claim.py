# SPDX-License-Identifier: GPL-2.0
"""Unit tests of the vfio_claim module: rendering, and whole runs of the module
(as Ansible runs it: python3 MODULE ARGS.json) against the real vfio-claim on
writable copies of the project's fixture trees.

    VFIO_CLAIM=build/vfio-claim python3 -m unittest discover -s contrib/ansible/vfio_claim/vfio/tests/unit
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION = os.path.abspath(os.path.join(HERE, "..", ".."))
TOP = os.path.abspath(os.path.join(COLLECTION, "..", "..", "..", ".."))
MODULE = os.path.join(COLLECTION, "plugins", "modules", "vfio_claim.py")
TOOL = os.path.abspath(os.environ.get("VFIO_CLAIM", os.path.join(TOP, "build", "vfio-claim")))
KVER = "6.1.0-99-amd64"

sys.path.insert(0, os.path.dirname(MODULE))
import vfio_claim  # noqa: E402


class Render(unittest.TestCase):
    def test_lines(self):
        cases = [
            ({"address": "0a:00.0", "id": "10DE:1C03", "group": True}, "0000:0a:00.0@10de:1c03 group"),
            ({"address": "0000:03:00.0", "id": "8086:10d3"}, "0000:03:00.0@8086:10d3"),
            ({"id": "10de:1b80", "subsystem": "1458:3728", "owner": "alice:kvm"}, "10de:1b80:1458:3728 owner=alice:kvm"),
            ({"id": "1002:67c7", "group": True, "rebind": True, "force": True, "partial": True},
             "1002:67c7 group rebind force partial"),
        ]
        for claim, line in cases:
            self.assertEqual(vfio_claim.render_line(claim), line)

    def test_refused_forms(self):
        for claim, why in [
            ({"id": "10de"}, "id '10de'"),
            ({"address": "0a:00", "id": "10de:1c03"}, "address '0a:00'"),
            ({"address": "0a:00.0", "id": "10de:1c03", "subsystem": "1458:3728"}, "subsystem is for ID claims"),
            ({"id": "10de:1c03", "owner": "alice group"}, "owner 'alice group'"),
            ({"id": "10de:1c03", "subsystem": "zz:1"}, "subsystem 'zz:1'"),
        ]:
            with self.assertRaises(ValueError) as e:
                vfio_claim.render_line(claim)
            self.assertIn(why, str(e.exception))

    def test_config_text(self):
        text = vfio_claim.render_config([{"id": "10de:1c03"}])
        self.assertTrue(text.startswith("# Written by Ansible"))
        self.assertTrue(text.endswith("\n10de:1c03\n"))

    def test_tool_reason(self):
        self.assertEqual(vfio_claim.tool_reason("vfio-claim: warning: x\nvfio-claim: a refused (b)\n"), "a refused (b)")


class StaleInitramfs(unittest.TestCase):
    """The rebuild is decided by verify's "rebuild_initramfs" field, never by its wording."""

    class Claimer:
        def __init__(self, rc, report):
            self.rc, self.out = rc, json.dumps(report)

        def run(self, *args):
            assert args == ("--json", "verify"), args
            return self.rc, self.out, ""

    def check(self, subject, message, ok=False, rebuild=False, check="initramfs"):
        return dict(subject=subject, check=check, ok=ok, message=message, fix="x",
                    rebuild_initramfs=rebuild)

    def test_field_decides(self):
        checks = [
            # Marked: rebuilt, whatever the words.
            self.check("vfio_claim", "is not in /boot/initrd.img-6.1", rebuild=True),
            # The old wording, unmarked (dracut's generic image: a rebuild alone changes nothing).
            self.check("/etc/modprobe.d/vfio.conf", "is not in /boot/x: the initramfs was built before it; stale"),
            # Marked but holding: nothing to fix.
            self.check("/etc/vfio-claim.conf", "in /boot/x and identical", ok=True, rebuild=True),
            self.check("0000:0a:00.0", "on nouveau, not vfio-pci", check="bound"),
        ]
        got = vfio_claim.stale_initramfs(self.Claimer(1, dict(ok=False, checks=checks)))
        self.assertEqual(got, ["vfio_claim: is not in /boot/initrd.img-6.1"])

    def test_no_report_no_rebuild(self):
        self.assertEqual(vfio_claim.stale_initramfs(self.Claimer(69, {})), [])
        claimer = self.Claimer(1, {})
        claimer.out = "not json"
        self.assertEqual(vfio_claim.stale_initramfs(claimer), [])


class Run(unittest.TestCase):
    """The module end to end on a fixture copy."""

    @classmethod
    def setUpClass(cls):
        cls.base = tempfile.mkdtemp(prefix="vfio-claim-ansible.")
        for name in ("hd4850-twin", "x399"):
            root = os.path.join(cls.base, name)
            shutil.copytree(os.path.join(TOP, "tests", "fixtures", name), root, symlinks=True)
            subprocess.run([os.path.join(TOP, "tests", "modules", "mkmodules.sh"), root, KVER],
                           check=True, stdout=subprocess.DEVNULL)
            os.makedirs(os.path.join(root, "etc", "default"), exist_ok=True)
            with open(os.path.join(root, "etc", "default", "grub"), "w") as f:
                f.write('GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.base)

    def setUp(self):
        self.root = tempfile.mkdtemp(dir=self.base)
        os.rmdir(self.root)

    def fixture(self, name):
        shutil.copytree(os.path.join(self.base, name), self.root, symlinks=True)

    def module(self, claims, check=False, diff=False, **options):
        args = dict(claims=claims, root=self.root, binary=TOOL, _ansible_check_mode=check,
                    _ansible_diff=diff)
        args.update(options)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"ANSIBLE_MODULE_ARGS": args}, f)
        try:
            p = subprocess.run([sys.executable, MODULE, f.name], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True)
        finally:
            os.unlink(f.name)
        return json.loads(p.stdout)

    def config(self):
        path = os.path.join(self.root, "etc", "vfio-claim.conf")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return f.read()

    def test_check_apply_idempotent_drift(self):
        self.fixture("hd4850-twin")
        claims = [{"address": "0000:02:00.0", "id": "1002:9442", "group": True}]
        r = self.module(claims, check=True, diff=True)
        self.assertTrue(r["changed"], r)
        self.assertIsNone(self.config(), "check mode wrote the config")
        self.assertIn("0000:02:00.0@1002:9442 group", r["diff"][0]["after"])

        r = self.module(claims, kernel_args=True)
        self.assertTrue(r["changed"], r)
        self.assertEqual(self.config(), vfio_claim.render_config(claims))
        self.assertEqual([d["device"] for d in r["claimed"]], ["0000:02:00.0", "0000:02:00.1"])
        self.assertTrue(os.path.exists(os.path.join(self.root, "etc/modprobe.d/vfio-claim-claims.conf")))

        r = self.module(claims, kernel_args=True)
        self.assertFalse(r["changed"], r)

        # Drift in a generated file: check mode shows the tool's diff and changes nothing.
        path = os.path.join(self.root, "etc/modprobe.d/vfio-claim-claims.conf")
        with open(path) as f:
            good = f.read()
        with open(path, "w") as f:
            f.write(good.replace("slots=", "slots=0000:01:00.0@1002:9442,"))
        r = self.module(claims, check=True, diff=True, kernel_args=True)
        self.assertTrue(r["changed"], r)
        self.assertIn("-options vfio_claim", r["diff"][0]["prepared"])
        with open(path) as f:
            self.assertNotEqual(f.read(), good)
        r = self.module(claims, kernel_args=True)
        self.assertTrue(r["changed"], r)
        with open(path) as f:
            self.assertEqual(f.read(), good)

    def test_next_boot_command_for_kernel_install(self):
        """Where kernel-install writes the entries, the module returns apply's kernel-install add
        for the next boot's entry; with GRUB (the fixtures' etc/default/grub) it returns null."""
        self.fixture("x399")
        claims = [{"address": "0000:0a:00.0", "id": "10de:1c03", "group": True}]
        r = self.module(claims, kernel_args=True)
        self.assertIsNone(r["next_boot_command"], r)

        shutil.rmtree(self.root)
        self.fixture("x399")
        os.unlink(os.path.join(self.root, "etc", "default", "grub"))
        entries = os.path.join(self.root, "boot", "loader", "entries")
        os.makedirs(entries)
        os.makedirs(os.path.join(self.root, "etc", "kernel"), exist_ok=True)
        with open(os.path.join(self.root, "etc", "kernel", "install.conf"), "w") as f:
            f.write("layout=bls\n")
        with open(os.path.join(entries, "0123456789abcdef0123456789abcdef-%s.conf" % KVER), "w") as f:
            f.write("title Debian\nversion %s\nlinux /vmlinuz-%s\noptions root=UUID=3c1e ro quiet\n"
                    % (KVER, KVER))
        open(os.path.join(self.root, "boot", "vmlinuz-" + KVER), "w").close()
        command = "kernel-install add %s /boot/vmlinuz-%s" % (KVER, KVER)
        r = self.module(claims, kernel_args=True)
        self.assertTrue(r["changed"], r)
        self.assertEqual(r["next_boot_command"], command, r)
        with open(os.path.join(self.root, "etc", "kernel", "cmdline")) as f:
            self.assertIn("iommu=pt", f.read())
        # Nothing left to write, but the entry still lacks them until kernel-install runs.
        r = self.module(claims, check=True, kernel_args=True)
        self.assertFalse(r["changed"], r)
        self.assertEqual(r["next_boot_command"], command, r)

    def test_stale_initramfs_is_a_change_with_initramfs(self):
        self.fixture("hd4850-twin")
        claims = [{"address": "0000:02:00.0", "id": "1002:9442", "group": True}]
        self.module(claims)
        # An image built before the claims: the old (empty) config inside.
        image = tempfile.mkdtemp(dir=self.base)
        os.makedirs(os.path.join(image, "etc"))
        with open(os.path.join(image, "etc", "vfio-claim.conf"), "w") as f:
            f.write("# nothing claimed\n")
        os.makedirs(os.path.join(self.root, "boot"), exist_ok=True)
        with open(os.path.join(self.root, "boot", "initrd.img-" + KVER), "wb") as out:
            cpio = subprocess.Popen("find . | cpio -o -H newc --quiet | gzip", shell=True, cwd=image,
                                    stdout=out)
            self.assertEqual(cpio.wait(), 0)
        r = self.module(claims)
        self.assertFalse(r["changed"], r)
        r = self.module(claims, check=True, diff=True, initramfs=True)
        self.assertTrue(r["changed"], r)
        self.assertIn("/etc/vfio-claim.conf: differs in", r["diff"][0]["prepared"])

    def test_initramfs_rebuilt_only_when_its_files_change(self):
        # A wrapper around the tool logs each command line and drops --initramfs
        # (which refuses --root): the log shows when the module rebuilds.
        self.fixture("hd4850-twin")
        log = os.path.join(self.root, "calls.log")
        wrapper = os.path.join(self.root, "tool")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\necho "$*" >>%s\nfor a; do shift; [ "$a" = --initramfs ] || '
                    'set -- "$@" "$a"; done\nexec %s "$@"\n' % (log, TOOL))
        os.chmod(wrapper, 0o755)

        def applies():
            with open(log) as f:
                calls = [line.split() for line in f if " apply" in line and "--check" not in line]
            os.unlink(log)
            return [c[c.index("apply"):] for c in calls]

        claims = [{"address": "0000:02:00.0", "id": "1002:9442", "group": True}]
        r = self.module(claims, initramfs=True, binary=wrapper)
        self.assertTrue(r["changed"], r)
        self.assertEqual(applies(), [["apply", "--initramfs"]])
        # A local edit of the config alone ('vfio-claim add' without apply):
        # the generated files and the image never changed, so putting the
        # config back needs no rebuild (minutes on a slow host).
        path = os.path.join(self.root, "etc", "vfio-claim.conf")
        with open(path, "a") as f:
            f.write("0000:03:00.0@1002:9442\n")
        r = self.module(claims, initramfs=True, binary=wrapper)
        self.assertTrue(r["changed"], r)
        self.assertEqual(self.config(), vfio_claim.render_config(claims))
        self.assertEqual(applies(), [["apply"]])

    def test_refusal_is_the_tools_reason_and_restores(self):
        self.fixture("x399")
        before = self.config()
        r = self.module([{"address": "43:00.0", "id": "1002:67c7"}])
        self.assertTrue(r.get("failed"), r)
        self.assertIn("boot-vga", r["msg"])
        self.assertEqual(self.config(), before)


if __name__ == "__main__":
    unittest.main()
