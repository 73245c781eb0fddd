#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Copyright (C) 2026 The vigil authors.
#
# Overview: writes the benchmark's inputs, deterministically from a seed:
#   DIR/db/bench.hdb, bench.hsb   1,000,000 hash signatures (md5/sha1/sha256,
#                                 sizes drawn from the corpus, a few real)
#   DIR/db/bench.ndb              50,000 body signatures, 40 % with wildcards
#                                 (??, a?, *, {n-m}, alternatives), a few
#                                 hundred taken from corpus bytes so that
#                                 something is found
#   DIR/corpus/                   >= 500 MB: copies of system libraries and
#                                 binaries, plus random data files
# It owns only these files; measuring is bench/run.sh's job. Reuses nothing
# from the differential generator on purpose: the benchmark's shape (size,
# wildcard share) is fixed by issue 3, not random.
import argparse
import hashlib
import os
import random
import shutil


def corpus(rng, folder, target_bytes):
    os.makedirs(folder, exist_ok=True)
    files = []
    total = 0
    candidates = []
    for root in ("/usr/lib/x86_64-linux-gnu", "/usr/bin", "/usr/lib"):
        for dirpath, _dirnames, names in os.walk(root):
            for name in sorted(names):
                path = os.path.join(dirpath, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                size = os.path.getsize(path)
                if 4096 <= size <= 64 << 20:
                    candidates.append((path, size))
    candidates.sort()
    rng.shuffle(candidates)
    system_share = target_bytes * 6 // 10
    for index, (path, size) in enumerate(candidates):
        if total >= system_share:
            break
        dest = os.path.join(folder, "sys-%05d-%s" % (index, os.path.basename(path)))
        try:
            shutil.copyfile(path, dest)
        except OSError:
            continue
        files.append(dest)
        total += size
    index = 0
    while total < target_bytes:
        size = rng.choice([1000, 20000, 300000, 2 << 20, 16 << 20, 64 << 20])
        dest = os.path.join(folder, "rnd-%05d" % index)
        with open(dest, "wb") as f:
            left = size
            while left:
                chunk = min(left, 1 << 20)
                f.write(rng.randbytes(chunk))
                left -= chunk
        files.append(dest)
        total += size
        index += 1
    return files, total


def body(rng, wildcard):
    def hexs(n):
        return rng.randbytes(n).hex()
    if not wildcard:
        return hexs(rng.randint(8, 24))
    kind = rng.randrange(6)
    if kind == 0:
        return hexs(rng.randint(4, 8)) + "??" * rng.randint(1, 4) + hexs(rng.randint(4, 8))
    if kind == 1:
        return hexs(rng.randint(4, 8)) + "%x?" % rng.randrange(16) + hexs(rng.randint(4, 8))
    if kind == 2:
        return hexs(rng.randint(4, 8)) + "*" + hexs(rng.randint(4, 8))
    if kind == 3:
        lo = rng.randint(0, 20)
        return hexs(rng.randint(4, 8)) + "{%d-%d}" % (lo, lo + rng.randint(1, 200)) + hexs(rng.randint(4, 8))
    if kind == 4:
        alts = "|".join(hexs(1) for _ in range(rng.randint(2, 4)))
        return hexs(rng.randint(4, 8)) + "(" + alts + ")" + hexs(rng.randint(4, 8))
    return hexs(rng.randint(4, 8)) + "{%d}" % rng.randint(1, 100) + hexs(rng.randint(3, 6)) \
        + "??" + hexs(rng.randint(4, 8))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--hash-sigs", type=int, default=1000000)
    parser.add_argument("--body-sigs", type=int, default=50000)
    parser.add_argument("--corpus-mb", type=int, default=520)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    db = os.path.join(args.dir, "db")
    shutil.rmtree(args.dir, ignore_errors=True)
    os.makedirs(db)
    files, total = corpus(rng, os.path.join(args.dir, "corpus"), args.corpus_mb << 20)
    sizes = [os.path.getsize(f) for f in files]

    # hash signatures: mostly random digests with corpus-like sizes, 100 real
    real = rng.sample(files, min(100, len(files)))
    with open(os.path.join(db, "bench.hdb"), "w") as hdb, \
            open(os.path.join(db, "bench.hsb"), "w") as hsb:
        for i, path in enumerate(real):
            with open(path, "rb") as f:
                digest = hashlib.md5(f.read()).hexdigest()
            hdb.write("%s:%d:Bench.Hash.Real.%d\n" % (digest, os.path.getsize(path), i))
        for i in range(args.hash_sigs - len(real)):
            width = rng.choice([16, 16, 16, 20, 32])
            out = hdb if width == 16 else hsb
            out.write("%s:%d:Bench.Hash.%d\n" % (rng.randbytes(width).hex(),
                                                 rng.choice(sizes), i))

    # body signatures: 40 % with wildcards; 300 taken from corpus bytes
    with open(os.path.join(db, "bench.ndb"), "w") as ndb:
        written = 0
        while written < 300:
            path = rng.choice(files)
            size = os.path.getsize(path)
            with open(path, "rb") as f:
                f.seek(rng.randrange(0, max(size - 64, 1)))
                chunk = f.read(32)
            if len(set(chunk)) < 8:
                continue  # runs of one byte would hit everywhere
            ndb.write("Bench.Real.%d:0:*:%s\n" % (written, chunk[:rng.randint(12, 32)].hex()))
            written += 1
        for i in range(args.body_sigs - 300):
            ndb.write("Bench.Body.%d:0:*:%s\n" % (i, body(rng, rng.random() < 0.4)))
    print("corpus: %d files, %d bytes; db: %d hash + %d body signatures"
          % (len(files), total, args.hash_sigs, args.body_sigs))


if __name__ == "__main__":
    main()
