#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Copyright (C) 2026 The vigil authors.
#
# Overview: the differential test. For each seed it has gen.py write a random
# database and files, runs clamscan (oracle.py, the flags of CLAMAV-NOTES.md)
# and `vigil scan -d` on them, and compares the sets of (file, signature)
# pairs and the exit codes. On a mismatch it prints the seed, the differing
# pairs, their signature lines and a hexdump around each plant, and keeps the
# case (database, files, report, repro.sh) in the failures folder.
#
# It owns deciding pass/fail and the report; it does not own the grammar or
# the files (gen.py) nor the scanner command lines (oracle.py).
#
#   run.py --seeds-file tests/differential/seeds     fixed seeds (CI gate)
#   run.py --random 5 --record tests/differential/seeds   fresh seeds
#   run.py --oracle-only --seed 7    check the generator against clamscan alone:
#                                    every intended plant must be found
#   run.py --refused                 refused-line cases: both exit 2, vigil
#                                    names FILE:LINE
# Closes with "N passed, N failed".
import argparse
import concurrent.futures
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402
import oracle  # noqa: E402


def hexdump_spans(data, start, end, spans):
    """Rows of 16 bytes; bytes inside a planted static piece in CAPITALS."""
    start = max(0, start - start % 16)
    end = min(len(data), end)
    lines = []
    for row in range(start, end, 16):
        chunk = data[row:row + 16]
        cells = []
        for i, b in enumerate(chunk):
            at = row + i
            inside = any(a <= at < z for a, z in spans)
            cells.append(("%02x" % b).upper() if inside else "%02x" % b)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append("    %08x  %-48s |%s|" % (row, " ".join(cells), text))
    return "\n".join(lines)


def describe(case, path, sig, contents):
    """Signature line, and hexdumps of its plants in this file."""
    out = []
    db_file, line = case.lines.get(sig, ("?", "(signature not generated: %s)" % sig))
    out.append("  signature (%s): %s" % (db_file, line))
    data = contents.get(path)
    if data is None:
        with open(path, "rb") as f:
            data = f.read()
        contents[path] = data
    plants = [p for p in case.plants if p.sig == sig and p.path == path]
    out.append("  file %s: %d bytes%s" % (
        os.path.basename(path), len(data),
        ", whitelisted by .fp/.sfp" if path in case.whitelisted else ""))
    if not plants:
        out.append("  no plant of this signature in this file (accidental match)")
    for p in plants[:3]:
        out.append("  plant at %d..%d (%s, intended %s):" % (
            p.start, p.end, p.note, "match" if p.intended else "no match"))
        spans = p.spans or [(p.start, min(p.end, p.start + 32))]
        windows = []  # merged (from, to) rows around each static piece
        for a, b in spans:
            low, high = max(a - 16, 0), min(b, a + 48) + 16
            if windows and low <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], high)
            else:
                windows.append([low, high])
        for low, high in windows[:4]:
            out.append(hexdump_spans(data, low, high, spans))
        if len(windows) > 4:
            out.append("    ... %d more pieces" % (len(windows) - 4))
    return "\n".join(out)


def run_seed(seed, args):
    root = os.path.join(args.work, "seed-%d" % seed)
    shutil.rmtree(root, ignore_errors=True)
    case = gen.generate(seed, root, scale=args.scale, skip=args.skip)
    report = []
    clam = oracle.run_clamscan(case.db_dir, [case.files_dir])
    failed = False
    if clam.exit_code == 2:
        report.append("seed %d: clamscan refused the generated database (generator bug):\n%s"
                      % (seed, clam.stderr.strip()))
        failed = True
    elif args.oracle_only:
        missed = []
        for p in case.plants:
            if not p.intended or p.path in case.whitelisted or p.sig in case.ignored:
                continue
            if case.lines[p.sig][1].endswith(":1:2"):
                continue
            if (p.path, p.sig) not in clam.pairs:
                missed.append(p)
        for p in missed:
            report.append("seed %d: clamscan missed an intended plant:\n%s" % (
                seed, describe(case, p.path, p.sig, {})))
        failed = bool(missed)
        summary = "%d pairs, %d intended plants missed" % (len(clam.pairs), len(missed))
    else:
        threads = 1 if seed % 2 else 2
        vig = oracle.run_vigil(args.vigil, case.db_dir, [case.files_dir], threads=threads)
        only_clam = sorted(clam.pairs - vig.pairs)
        only_vigil = sorted(vig.pairs - clam.pairs)
        if vig.exit_code != clam.exit_code:
            report.append("seed %d: exit codes differ: clamscan %d, vigil %d" % (
                seed, clam.exit_code, vig.exit_code))
            if vig.stderr.strip():
                report.append("  vigil stderr: " + vig.stderr.strip()[:2000])
            failed = True
        contents = {}
        if vig.exit_code == 2 and not vig.pairs:
            only_clam = []  # vigil refused the database: the pairs say nothing more
        for title, pairs in (("found by clamscan only", only_clam),
                             ("found by vigil only", only_vigil)):
            for path, sig in pairs[:args.max_report]:
                report.append("seed %d: %s: %s: %s\n%s" % (
                    seed, title, os.path.basename(path), sig,
                    describe(case, path, sig, contents)))
            if len(pairs) > args.max_report:
                report.append("seed %d: ... %d more %s" % (
                    seed, len(pairs) - args.max_report, title))
        failed = failed or bool(only_clam or only_vigil)
        summary = "%d pairs, threads %d" % (len(clam.pairs), threads)
    if failed:
        keep = os.path.join(args.failures, "seed-%d" % seed)
        shutil.rmtree(keep, ignore_errors=True)
        os.makedirs(args.failures, exist_ok=True)
        shutil.move(root, keep)
        with open(os.path.join(keep, "report.txt"), "w") as f:
            f.write("\n".join(report) + "\n")
        with open(os.path.join(keep, "repro.sh"), "w") as f:
            f.write("#!/bin/sh\n# seed %d: compare clamscan and vigil on this case\n"
                    "cd \"$(dirname \"$0\")\"\n"
                    "clamscan %s --database=db files | sort\n"
                    "echo ---\n"
                    "\"${VIGIL:-vigil}\" scan -d db -r --no-summary files | sort\n"
                    % (seed, " ".join(oracle.CLAMSCAN_FLAGS)))
        os.chmod(os.path.join(keep, "repro.sh"), 0o755)
        report.append("seed %d: case kept in %s" % (seed, keep))
        return seed, False, "\n".join(report)
    shutil.rmtree(root, ignore_errors=True)
    return seed, True, "seed %d: ok (%s)" % (seed, summary)


def run_refused(args):
    passed = failed = 0
    for index, (file_name, content, why) in enumerate(gen.REFUSED):
        with tempfile.TemporaryDirectory(prefix="vigil-refused-") as tmp:
            db = os.path.join(tmp, "db")
            files = os.path.join(tmp, "files")
            os.makedirs(db)
            os.makedirs(files)
            with open(os.path.join(db, file_name), "w") as f:
                f.write(content)
            with open(os.path.join(files, "sample"), "wb") as f:
                f.write(b"nothing to see here, just bytes\n")
            clam = oracle.run_clamscan(db, [files])
            problems = []
            if clam.exit_code != 2:
                problems.append("clamscan exit %d, not 2 (the case list is wrong)"
                                % clam.exit_code)
            if not args.oracle_only:
                vig = oracle.run_vigil(args.vigil, db, [files])
                if vig.exit_code != 2:
                    problems.append("vigil exit %d, not 2" % vig.exit_code)
                line = 0 if not content else 2 if content.count("\n") >= 2 else 1
                if line:
                    wanted = re.compile(r"%s:%d:" % (re.escape(file_name), line))
                else:
                    wanted = re.compile(re.escape(file_name))
                if not wanted.search(vig.stderr):
                    problems.append("vigil stderr lacks %s: %r" % (
                        wanted.pattern, vig.stderr.strip()[:300]))
            if problems:
                failed += 1
                print("refused #%d (%s, %s): FAIL: %s" % (index, file_name, why,
                                                          "; ".join(problems)))
            else:
                passed += 1
                print("refused #%d (%s, %s): ok" % (index, file_name, why))
    return passed, failed


def read_seeds(path):
    seeds = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                seeds.append(int(line))
    return seeds


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds-file")
    parser.add_argument("--seed", type=int, action="append", default=[])
    parser.add_argument("--random", type=int, default=0, metavar="N")
    parser.add_argument("--record", metavar="SEEDS_FILE",
                        help="append failing seeds to this file")
    parser.add_argument("--vigil", default="build/vigil")
    parser.add_argument("--work", default="build/differential/work")
    parser.add_argument("--failures", default="build/differential/failures")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="size factor of the big files")
    parser.add_argument("--oracle-only", action="store_true")
    parser.add_argument("--refused", action="store_true")
    parser.add_argument("--max-report", type=int, default=10)
    parser.add_argument("--skip", action="append", default=[], choices=gen.FEATURES,
                        help="leave a construct out (triage only, never in CI)")
    args = parser.parse_args()
    args.work = os.path.abspath(args.work)
    args.failures = os.path.abspath(args.failures)
    if not args.oracle_only:
        args.vigil = os.path.abspath(args.vigil)
        if not os.access(args.vigil, os.X_OK):
            print("no vigil binary at %s" % args.vigil)
            print("0 passed, 1 failed")
            return 1
    if shutil.which("clamscan") is None:
        print("clamscan is not installed (apt-get install clamav)")
        print("0 passed, 1 failed")
        return 1

    passed = failed = 0
    if args.refused:
        p, f = run_refused(args)
        passed += p
        failed += f
    seeds = list(args.seed)
    if args.seeds_file:
        seeds += read_seeds(args.seeds_file)
    for _ in range(args.random):
        seed = int.from_bytes(os.urandom(4), "little")
        print("random seed %d" % seed, flush=True)
        seeds.append(seed)
    os.makedirs(args.work, exist_ok=True)
    failing = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for seed, ok, text in pool.map(lambda s: run_seed(s, args), seeds):
            print(text, flush=True)
            if ok:
                passed += 1
            else:
                failed += 1
                failing.append(seed)
    if failing:
        print("failing seeds: %s" % " ".join(map(str, failing)))
        print("reproduce one: %s --seed SEED" % sys.argv[0])
    if args.record and failing:
        known = set(read_seeds(args.record)) if os.path.exists(args.record) else set()
        with open(args.record, "a") as f:
            for seed in failing:
                if seed not in known:
                    f.write("%d  # failed once (recorded by check-random)\n" % seed)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
