#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# -*- coding: utf-8 -*-
"""Ansible module vfio_claim: /etc/vfio-claim.conf from data, applied by the tool."""

from __future__ import absolute_import, division, print_function

import json
import os
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule

__metaclass__ = type

DOCUMENTATION = r"""
---
module: vfio_claim
short_description: Claim PCI devices for vfio-pci with vfio-claim
description:
  - Makes C(/etc/vfio-claim.conf) hold exactly the claims given, then runs
    C(vfio-claim apply), which writes the modprobe.d options and softdeps and
    the udev rules, and optionally rebuilds the initramfs and writes the
    missing IOMMU kernel arguments.
  - The tool judges every claim (C(vfio-claim --json apply --check)); a claim
    it refuses fails the task with the tool's own one-line reason, and the
    previous config is put back.
  - Check mode and C(--diff) change nothing; a config that would change is
    shown as a diff of the file, drift of the generated files as the diff of
    C(vfio-claim apply --check) (exit 2 means changes).
version_added: "1.0.0"
author: vfio-claim maintainers
options:
  claims:
    description:
      - The claims, one a device or ID; the config file gets one line for each,
        in this order, as C(vfio-claim add) writes them.
    type: list
    elements: dict
    required: true
    suboptions:
      address:
        description: PCI address (C(0000:0a:00.0) or C(0a:00.0)); needs I(id), the ID expected there.
        type: str
      id:
        description: C(vendor:device) in hex. Alone, it claims every device with that ID.
        type: str
        required: true
      subsystem:
        description: C(subvendor:subdevice) that an ID claim also matches; not with I(address).
        type: str
      group:
        description: Claim the other endpoints of the device's IOMMU group too.
        type: bool
        default: false
      rebind:
        description: Take the device from a (built-in) driver that has it when vfio_claim loads.
        type: bool
        default: false
      force:
        description: Claim a device the host needs (boot VGA, a mounted filesystem's controller, an interface up).
        type: bool
        default: false
      partial:
        description: Allow the claim to leave the rest of its card or group on host drivers.
        type: bool
        default: false
      owner:
        description: C(USER) or C(USER:GROUP) that gets C(/dev/vfio/N).
        type: str
  initramfs:
    description:
      - Rebuild the initramfs (C(apply --initramfs)) when a generated file changed, and also when none
        did but C(vfio-claim --json verify) marks a check C(rebuild_initramfs) (an earlier run that did
        not get to rebuild it). A config change that leaves every generated file as it was (a local
        C(vfio-claim add) undone) is applied without a rebuild unless the image is stale.
    type: bool
    default: false
  kernel_args:
    description: Write the missing IOMMU kernel arguments for GRUB (C(apply --kernel-args)).
    type: bool
    default: false
  root:
    description: The tool's C(--root); C(/) is the managed node itself.
    type: path
    default: /
  binary:
    description: The vfio-claim command.
    type: path
    default: vfio-claim
"""

EXAMPLES = r"""
- name: A GPU with its group, and one of two identical NICs
  vfio_claim.vfio.vfio_claim:
    claims:
      - {address: "0000:0a:00.0", id: "10de:1c03", group: true}
      - {address: "0000:03:00.0", id: "8086:10d3"}
    initramfs: true
    kernel_args: true
  register: claim
"""

RETURN = r"""
changed:
  description: The config or a generated file changed (or would, in check mode).
  type: bool
  returned: always
reboot_required:
  description: A claimed device is not on vfio-pci yet, or kernel arguments are missing on the running kernel.
  type: bool
  returned: always
claimed:
  description: The devices the claims take, as C(apply --json) resolves them (device, by_group, driver).
  type: list
  elements: dict
  returned: always
kernel_args_missing:
  description: The IOMMU kernel arguments the running kernel lacks, or null.
  type: str
  returned: always
next_boot_command:
  description:
    - Where kernel-install writes the boot entries (no GRUB), the C(kernel-install add KVER IMAGE) that
      writes the next boot's entry again from C(/etc/kernel/cmdline) (C(apply --json)'s field of that
      name); null when the next boot's entry needs nothing. The tool does not run it, and neither does
      the module: kernel-install's plugins also rebuild the initramfs and copy the kernel.
  type: str
  returned: always
config:
  description: The text of C(/etc/vfio-claim.conf) as rendered.
  type: str
  returned: always
"""

CONFIG = "etc/vfio-claim.conf"
HEADER = ("# Written by Ansible (vfio_claim.vfio.vfio_claim): one claim a line, see vfio-claim.conf(5).\n"
          "# Local edits are reported as drift and undone by the next run.\n")
ADDR_RE = re.compile(r"^([0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$")
ID_RE = re.compile(r"^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$")
OWNER_RE = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}(:[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31})?$")


def render_line(claim):
    """One config line for a claim dict, in add's canonical form; ValueError names what is wrong."""
    ident = (claim.get("id") or "").lower()
    if not ID_RE.match(ident):
        raise ValueError("id %r: give vendor:device in hex, e.g. 10de:1c03" % claim.get("id"))
    address = claim.get("address")
    subsystem = claim.get("subsystem")
    if address:
        if subsystem:
            raise ValueError("%s: subsystem is for ID claims, not with an address" % address)
        if not ADDR_RE.match(address):
            raise ValueError("address %r: give DOMAIN:BUS:SLOT.FUNCTION, e.g. 0000:0a:00.0" % address)
        if address.count(":") == 1:
            address = "0000:" + address
        line = "%s@%s" % (address.lower(), ident)
    else:
        line = ident
        if subsystem:
            if not ID_RE.match(subsystem):
                raise ValueError("subsystem %r: give subvendor:subdevice in hex" % subsystem)
            line += ":" + subsystem.lower()
    for word in ("group", "rebind", "force", "partial"):
        if claim.get(word):
            line += " " + word
    owner = claim.get("owner")
    if owner:
        if not OWNER_RE.match(owner):
            raise ValueError("owner %r: USER or USER:GROUP of [A-Za-z0-9_.-]" % owner)
        line += " owner=" + owner
    return line


def render_config(claims):
    """The whole config file's text for a list of claim dicts."""
    return HEADER + "".join(render_line(c) + "\n" for c in claims)


def tool_reason(stderr, stdout=""):
    """The tool's own one-line reasons (stderr), without the program name."""
    lines = [re.sub(r"^vfio-claim: ", "", line) for line in stderr.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("warning:")] or lines
    return "; ".join(lines) or stdout.strip() or "vfio-claim failed without a message"


class Claimer(object):
    """Runs the tool against one root and edits its config."""

    def __init__(self, module):
        self.module = module
        self.root = module.params["root"]
        self.binary = module.params["binary"]
        if "/" not in self.binary:
            self.binary = module.get_bin_path(self.binary, required=True)

    def run(self, *args):
        cmd = [self.binary, "--root", self.root] + list(args)
        return self.module.run_command(cmd, environ_update={"LC_ALL": "C"})

    def config_path(self):
        return os.path.join(self.root, CONFIG)

    def read_config(self):
        try:
            with open(self.config_path(), "r") as f:
                return f.read()
        except (IOError, OSError):
            return None

    def write_config(self, text):
        """Atomically: a temporary beside the file, then a rename; the mode of an existing file is kept."""
        path = self.config_path()
        directory = os.path.dirname(path)
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        mode = 0o644
        if os.path.exists(path):
            mode = os.stat(path).st_mode & 0o7777
        fd, tmp = tempfile.mkstemp(prefix=".vfio-claim.conf.", dir=directory)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            os.rename(tmp, path)
        except Exception:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def restore_config(self, text):
        if text is None:
            if os.path.exists(self.config_path()):
                os.unlink(self.config_path())
        else:
            self.write_config(text)

    def check_json(self, kernel_args):
        """apply --check --json: (rc, report dict or None, stderr)."""
        args = ["--json", "apply", "--check"] + (["--kernel-args"] if kernel_args else [])
        rc, out, err = self.run(*args)
        report = None
        if rc in (0, 2):
            try:
                report = json.loads(out)
            except ValueError:
                report = None
        return rc, report, err


def stale_initramfs(claimer):
    """The failed checks of verify --json that rebuilding the initramfs fixes: those the tool
    marks "rebuild_initramfs" (an image built before a file changed, or without the module),
    as "subject: message" lines."""
    rc, out, _ = claimer.run("--json", "verify")
    if rc not in (0, 1):
        return []
    try:
        checks = json.loads(out).get("checks", [])
    except ValueError:
        return []
    return ["%s: %s" % (c.get("subject"), c.get("message")) for c in checks
            if not c.get("ok") and c.get("rebuild_initramfs") is True]


def summary(report):
    """What apply --json reports, as the module returns it: a dict of claimed, kernel_args_missing
    and next_boot_command, and whether a reboot is needed."""
    report = report or {}
    claimed = report.get("claimed", [])
    missing = report.get("kernel_args_missing")
    reboot = bool(missing) or any(d.get("driver") != "vfio-pci" for d in claimed)
    return dict(claimed=claimed, kernel_args_missing=missing,
                next_boot_command=report.get("next_boot_command")), reboot


def main():
    module = AnsibleModule(
        argument_spec=dict(
            claims=dict(type="list", elements="dict", required=True, options=dict(
                address=dict(type="str"),
                id=dict(type="str", required=True),
                subsystem=dict(type="str"),
                group=dict(type="bool", default=False),
                rebind=dict(type="bool", default=False),
                force=dict(type="bool", default=False),
                partial=dict(type="bool", default=False),
                owner=dict(type="str"),
            )),
            initramfs=dict(type="bool", default=False),
            kernel_args=dict(type="bool", default=False),
            root=dict(type="path", default="/"),
            binary=dict(type="path", default="vfio-claim"),
        ),
        supports_check_mode=True,
    )
    try:
        want = render_config(module.params["claims"])
    except ValueError as e:
        module.fail_json(msg=str(e))
    claimer = Claimer(module)
    kernel_args = module.params["kernel_args"]
    have = claimer.read_config()
    config_changed = have != want
    diff = []
    if config_changed:
        diff.append(dict(before_header="/" + CONFIG, after_header="/" + CONFIG,
                         before=have or "", after=want))

    if module.check_mode:
        rc, report, err = claimer.check_json(kernel_args)
        # With the config about to be replaced, what the tool thinks of the local one does not matter.
        if rc not in (0, 2) and not config_changed:
            module.fail_json(msg=tool_reason(err), rc=rc)
        files_changed = rc == 2
        if not config_changed and files_changed and module._diff:
            _, text, _ = claimer.run("apply", "--check", *(["--kernel-args"] if kernel_args else []))
            diff.append(dict(prepared=text))
        stale = []
        if not config_changed and not files_changed and module.params["initramfs"]:
            stale = stale_initramfs(claimer)
            if stale and module._diff:
                diff.append(dict(prepared="the initramfs would be rebuilt:\n" + "\n".join(stale) + "\n"))
        result, reboot = summary(report)
        module.exit_json(changed=config_changed or files_changed or bool(stale),
                         reboot_required=reboot or config_changed or bool(stale),
                         config=want, diff=diff, **result)

    if config_changed:
        claimer.write_config(want)
    rc, report, err = claimer.check_json(kernel_args)
    if rc not in (0, 2):
        if config_changed:
            claimer.restore_config(have)
        module.fail_json(msg=tool_reason(err), rc=rc, config=want)
    files_changed = rc == 2
    if files_changed and module._diff:
        _, text, _ = claimer.run("apply", "--check", *(["--kernel-args"] if kernel_args else []))
        diff.append(dict(prepared=text))
    stale = []
    if not files_changed and module.params["initramfs"]:
        # An earlier run that wrote the files but did not rebuild the image (failed, or
        # interrupted), or a config whose change leaves every generated file as it was (a
        # local 'vfio-claim add' put back): only an image that verify finds stale is rebuilt.
        stale = stale_initramfs(claimer)
        if stale and module._diff:
            diff.append(dict(prepared="the initramfs is rebuilt:\n" + "\n".join(stale) + "\n"))
    if config_changed or files_changed or stale:
        args = ["apply"]
        if module.params["initramfs"] and (files_changed or stale):
            args.append("--initramfs")
        if kernel_args:
            args.append("--kernel-args")
        rc, out, err = claimer.run(*args)
        if rc != 0:
            module.fail_json(msg=tool_reason(err, out), rc=rc, config=want)
        rc, report, err = claimer.check_json(kernel_args)
        if rc != 0:
            module.fail_json(msg="apply left changes behind: %s" % tool_reason(err), rc=rc, config=want)
    result, reboot = summary(report)
    module.exit_json(changed=config_changed or files_changed or bool(stale), reboot_required=reboot or bool(stale),
                     config=want, diff=diff, **result)


if __name__ == "__main__":
    main()
