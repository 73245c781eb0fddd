#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Byte surgery on vigil bundle/root files for the conformance vector
# generator (make-vectors.sh). Layout: docs/bundle-format.md.
#   container.py manifest IN OUT          the manifest bytes
#   container.py payload IN OUT           the payload bytes
#   container.py offset IN REGION         start offset of magic|size|count|manifest|key|signature|payload
#   container.py flip IN OUT OFFSET BIT   one bit flipped
#   container.py truncate IN OUT LEN      the first LEN bytes
#   container.py append IN OUT COUNT      COUNT bytes of 0x41 appended
#   container.py splice A B OUT           A's header, manifest, signatures + B's payload
#   container.py poke IN OUT OFFSET HEX   bytes overwritten at OFFSET
import sys


def parts(data):
    size = int.from_bytes(data[8:12], "big")
    count = int.from_bytes(data[12:14], "big")
    end = 14 + size + 96 * count
    return size, count, end


def main():
    command, path = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    size, count, end = parts(data)
    out = None
    if command == "manifest":
        out = data[14:14 + size]
    elif command == "payload":
        out = data[end:]
    elif command == "offset":
        region = sys.argv[3]
        print({"magic": 0, "size": 8, "count": 12, "manifest": 14, "key": 14 + size,
               "signature": 14 + size + 32, "payload": end}[region])
        return
    elif command == "flip":
        offset, bit = int(sys.argv[4]), int(sys.argv[5])
        out = bytearray(data)
        out[offset] ^= 1 << bit
    elif command == "truncate":
        out = data[:int(sys.argv[4])]
    elif command == "append":
        out = data + b"A" * int(sys.argv[4])
    elif command == "splice":
        other = open(sys.argv[3], "rb").read()
        out = data[:end] + other[parts(other)[2]:]
        open(sys.argv[4], "wb").write(out)
        return
    elif command == "poke":
        offset, patch = int(sys.argv[4]), bytes.fromhex(sys.argv[5])
        out = data[:offset] + patch + data[offset + len(patch):]
    open(sys.argv[3], "wb").write(out)


main()
