#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a newc cpio archive to stdout from one member a line on stdin, for
images cpio(1) will not make (hostile names, device nodes, links that an
archive then writes through, sizes without data):

    file NAME [CONTENT]      dir NAME      link NAME TARGET
    dev NAME                 setuid NAME   size NAME BYTES (header only)
    trailer                  (added at the end unless given)
"""
import sys

out = sys.stdout.buffer
ino = 1000


def member(name, mode, data=b"", size=None, nlink=1, rdev=(0, 0)):
    global ino
    ino += 1
    nm = name.encode() + b"\0"
    size = len(data) if size is None else size
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(nm), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    out.write(hdr + nm + b"\0" * (-(len(hdr) + len(nm)) % 4))
    out.write(data + b"\0" * (-len(data) % 4))


trailer = False
for line in sys.stdin.read().splitlines():
    w = line.split(" ", 2)
    if not w or not w[0]:
        continue
    kind = w[0]
    if kind == "file":
        member(w[1], 0o100644, (w[2] + "\n").encode() if len(w) > 2 else b"")
    elif kind == "dir":
        member(w[1], 0o40755, nlink=2)
    elif kind == "link":
        member(w[1], 0o120777, w[2].encode())
    elif kind == "dev":
        member(w[1], 0o20666, rdev=(1, 3))
    elif kind == "setuid":
        member(w[1], 0o104755, b"#!/bin/sh\n")
    elif kind == "size":
        member(w[1], 0o100644, size=int(w[2]))
        sys.exit(0)  # the data follows from elsewhere
    elif kind == "trailer":
        member("TRAILER!!!", 0)
        trailer = True
if not trailer:
    member("TRAILER!!!", 0)
