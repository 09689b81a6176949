#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse the files vfio-claim generates with a parser of their own syntax,
and hold them to what vfio-claim may write in them (issue 9, kind 3).

    tests/syntax/check-generated.py [--generated-only] FILE...
        (udev rules by *.rules, else modprobe.d; --generated-only skips files
        that do not start with vfio-claim's "# Written by vfio-claim" line,
        such as the foreign files tests plant to see them refused)

udev rules (udev(7)): a line is blank, a comment ('#' first), or a rule of
comma-separated KEY[{ATTR}] OP "VALUE" with a known key, an operator that
key allows (match keys ==/!=, assignments =/+=/-=/:=), a value in double
quotes with no bare quote or control character, and no line continuation.
Every GOTO has its LABEL. What vfio-claim may write: RUN only as
RUN{builtin}+="kmod load vfio-pci"; IMPORT only as IMPORT{db} of a VFIO_CLAIM*
property; OWNER/GROUP a user/group name token;
MODE octal; attributes from a fixed set.

modprobe.d (modprobe.d(5)): blank, '#' comment, or one of alias, options,
blacklist, softdep, install, remove with module-name tokens. What
vfio-claim may write: options vfio_claim with slots=/ids=/rebind=1 only, in their
list syntax; softdep NAME pre: vfio_claim; never install/remove (they run
a shell).

Exit 0 when every file holds, else one line per problem and exit 1.
"""
import re
import sys

UDEV_MATCH = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "NAME", "SYMLINK", "SUBSYSTEM",
              "SUBSYSTEMS", "DRIVER", "DRIVERS", "ATTR", "ATTRS", "SYSCTL", "TAG", "TAGS",
              "TEST", "PROGRAM", "RESULT", "ENV", "CONST"}
UDEV_ASSIGN = {"NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "SECLABEL", "ATTR", "SYSCTL",
               "ENV", "TAG", "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS",
               "PROGRAM"}  # udev takes PROGRAM="..." as a match too
UDEV_KEY_RE = re.compile(r'\s*([A-Z]+)(?:\{([^}"\s]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*')
NAME_RE = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}$")
MODULE_RE = re.compile(r"^[A-Za-z0-9_-]+$")
ATTRS_ALLOWED = {"vendor", "device", "subsystem_vendor", "subsystem_device", "class",
                 "driver_override"}
ADDR = r"[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]"
ID = r"[0-9a-f]{4}:[0-9a-f]{4}"
SLOTS_RE = re.compile(rf"^{ADDR}(@{ID})?(,{ADDR}(@{ID})?)*$")
IDS_RE = re.compile(rf"^{ID}(:{ID})?(,{ID}(:{ID})?)*$")


def bad_chars(line):
    return any(ord(c) < 0x20 and c != "\t" or ord(c) == 0x7f for c in line)


def rule_lines(path, text, problems):
    """(where, line, stripped) for each line that is not blank or a comment;
    control characters and line continuations are problems, and those lines
    are skipped."""
    for n, line in enumerate(text.split("\n"), 1):
        where = f"{path}:{n}"
        if bad_chars(line):
            problems.append(f"{where}: control character in a line")
            continue
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.endswith("\\"):
            problems.append(f"{where}: line continuation")
            continue
        yield where, line, s


def check_udev(path, text, problems):
    gotos, labels = [], set()
    for where, line, s in rule_lines(path, text, problems):
        pos, keys = 0, []
        while pos < len(line):
            m = UDEV_KEY_RE.match(line, pos)
            if not m:
                problems.append(f"{where}: not KEY OP \"VALUE\" at column {pos + 1}: {line[pos:]!r}")
                break
            keys.append(m.groups())
            pos = m.end()
            if pos < len(line):
                if line[pos] != ",":
                    problems.append(f"{where}: expected ',' at column {pos + 1}")
                    break
                pos += 1
        for key, attr, op, value in keys:
            match = op in ("==", "!=")
            if key not in (UDEV_MATCH if match else UDEV_ASSIGN):
                problems.append(f"{where}: {key} {op}: not a udev {'match' if match else 'assignment'} key")
            if (attr is not None) != (key in ("ATTR", "ATTRS", "ENV", "RUN", "IMPORT", "TEST", "SYSCTL")):
                if not (key in ("RUN", "IMPORT", "TEST") and attr is None):
                    problems.append(f"{where}: {key}{{{attr}}}: attribute not allowed or missing")
            # What vfio-claim may write.
            if key == "RUN" and (attr != "builtin" or op != "+=" or value != "kmod load vfio-pci"):
                problems.append(f"{where}: RUN{{{attr}}}{op}\"{value}\": vfio-claim only loads vfio-pci")
            # The one write outside the device: ask the bus to probe it again,
            # for a vfio-pci that is built in or loaded (artifacts.c).
            if key == "ATTR" and attr == "subsystem/drivers_probe" and not match:
                if value != "$kernel":
                    problems.append(f"{where}: ATTR{{{attr}}}=\"{value}\": only the device itself is probed")
            elif key in ("ATTR", "ATTRS") and attr not in ATTRS_ALLOWED:
                problems.append(f"{where}: {key}{{{attr}}}: not an attribute vfio-claim writes")
            if key == "ENV" and not match and not attr.startswith("VFIO_CLAIM"):
                problems.append(f"{where}: ENV{{{attr}}}: vfio-claim sets only VFIO_CLAIM* properties")
            if key in ("OWNER", "GROUP") and not NAME_RE.match(value):
                problems.append(f"{where}: {key}=\"{value}\": not a user/group name")
            if key == "MODE" and not re.match(r"^0[0-7]{3}$", value):
                problems.append(f"{where}: MODE=\"{value}\": not octal")
            # IMPORT{db}: its own properties again at a later event (artifacts.c);
            # never a program, a file or another property.
            if key == "IMPORT" and (attr != "db" or not value.startswith("VFIO_CLAIM")):
                problems.append(f"{where}: IMPORT{{{attr}}}=\"{value}\": vfio-claim only imports "
                                "its VFIO_CLAIM* properties from the udev database")
            if key in ("PROGRAM", "OPTIONS", "NAME", "SYMLINK", "SECLABEL", "SYSCTL"):
                problems.append(f"{where}: {key}: vfio-claim never writes it")
            if key == "GOTO":
                gotos.append((where, value))
            if key == "LABEL":
                labels.add(value)
    for where, label in gotos:
        if label not in labels:
            problems.append(f"{where}: GOTO=\"{label}\" has no LABEL")


def check_modprobe(path, text, problems):
    for where, line, s in rule_lines(path, text, problems):
        w = s.split()
        cmd = w[0]
        if cmd in ("install", "remove"):
            problems.append(f"{where}: {cmd}: runs a shell command; vfio-claim never writes it")
        elif cmd == "blacklist":
            if len(w) != 2 or not MODULE_RE.match(w[1]):
                problems.append(f"{where}: blacklist takes one module name")
        elif cmd == "alias":
            if len(w) != 3 or not MODULE_RE.match(w[2]):
                problems.append(f"{where}: alias WILDCARD MODULE")
        elif cmd == "options":
            if len(w) < 3 or not MODULE_RE.match(w[1]):
                problems.append(f"{where}: options MODULE KEY=VALUE...")
                continue
            for opt in w[2:]:
                key, eq, value = opt.partition("=")
                if w[1] != "vfio_claim" or not eq:
                    problems.append(f"{where}: options {w[1]} {opt}: vfio-claim writes only options vfio_claim KEY=VALUE")
                elif key == "slots" and not SLOTS_RE.match(value):
                    problems.append(f"{where}: slots={value}: not ADDRESS[@ID],...")
                elif key == "ids" and not IDS_RE.match(value):
                    problems.append(f"{where}: ids={value}: not VENDOR:DEVICE[:SUBVENDOR:SUBDEVICE],...")
                elif key == "rebind" and value != "1":
                    problems.append(f"{where}: rebind={value}: vfio-claim writes rebind=1")
                elif key not in ("slots", "ids", "rebind"):
                    problems.append(f"{where}: options vfio_claim {key}=: not a parameter vfio-claim writes")
        elif cmd == "softdep":
            if (len(w) < 4 or not MODULE_RE.match(w[1]) or w[2] not in ("pre:", "post:")
                    or not all(MODULE_RE.match(x) or x in ("pre:", "post:") for x in w[3:])):
                problems.append(f"{where}: softdep MODULE pre:|post: MODULE...")
        else:
            problems.append(f"{where}: {cmd!r} is not a modprobe.d command")


MARKER = b"# Written by vfio-claim"


def main(args):
    generated_only = bool(args) and args[0] == "--generated-only"
    paths = args[1:] if generated_only else args
    problems = []
    for path in paths:
        try:
            raw = open(path, "rb").read()
        except OSError as e:
            problems.append(f"{path}: cannot read: {e.strerror}")
            continue
        if generated_only and not raw.startswith(MARKER):
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"{path}: not UTF-8")
            continue
        if text and not text.endswith("\n"):
            problems.append(f"{path}: no newline at the end")
        (check_udev if path.endswith(".rules") else check_modprobe)(path, text.rstrip("\n"), problems)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
