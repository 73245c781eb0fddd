#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Copyright (C) 2026 The vigil authors.
#
# The reload storm of bench/daemon-run.sh, driven from one process: it
# changes the bases and asks vigild to reload over the control socket
# (the `reload` request `vigil reload` sends), back to back, until the
# stop file appears, then prints how many reloads it made. One process
# and no exec per reload, so what the storm costs the openers is vigild's
# reload, not the start-up of a command per reload.
#
#   folder:  reload-storm.py SOCKET STOP folder DB_DIR STORM_A STORM_B
#            (rewrites DB_DIR/storm.ndb from the two texts in turn, by
#            rename, as an admin's deploy would)
#   bundles: reload-storm.py SOCKET STOP bundles LINK RELEASE_DIR FIRST LAST
#            (points the symlink LINK at RELEASE_DIR/N.vbundle, N rising,
#            as `vigil update` installs a new bundle)
import os
import socket
import sys


def reload(path):
    with socket.socket(socket.AF_UNIX) as client:
        client.settimeout(120)
        client.connect(path)
        client.sendall(b"reload\n")
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = client.recv(4096)
            if not chunk:
                break
            reply += chunk
    if b'"ok":true' not in reply.replace(b" ", b""):
        print("reload failed: %s" % reply.decode(errors="replace").strip(), file=sys.stderr)


def replace(path, make):
    temporary = path + ".storm-tmp"
    make(temporary)
    os.rename(temporary, path)


def main():
    socket_path, stop, mode = sys.argv[1:4]
    count = 0
    if mode == "folder":
        database, texts = sys.argv[4], [open(name, "rb").read() for name in sys.argv[5:7]]
        target = os.path.join(database, "storm.ndb")
        while not os.path.exists(stop):
            text = texts[count % 2]
            replace(target, lambda name: open(name, "wb").write(text))
            reload(socket_path)
            count += 1
    else:
        link, release, first, last = sys.argv[4], sys.argv[5], int(sys.argv[6]), int(sys.argv[7])
        for version in range(first, last + 1):
            if os.path.exists(stop):
                break
            bundle = os.path.join(release, "%d.vbundle" % version)
            replace(link, lambda name: os.symlink(bundle, name))
            reload(socket_path)
            count += 1
    print(count)


if __name__ == "__main__":
    main()
