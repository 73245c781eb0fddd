# SPDX-License-Identifier: GPL-2.0
# Copyright (C) 2026 The vigil authors.
#
# Overview: runs the two scanners the differential test compares -- clamscan
# with exactly the flags of CLAMAV-NOTES.md, and `vigil scan -d` -- over one
# database folder and a list of files, and turns their output into sets of
# (file, signature) pairs. It owns the command lines and the output parsing;
# it does not own generating databases or files (gen.py) nor deciding what a
# difference means (run.py). Handoff: run.py -> run_clamscan()/run_vigil()
# -> ScanResult (pairs, exit code, stderr) back to run.py.
import os
import subprocess
import tempfile

CLAMSCAN_FLAGS = [
    "--no-summary", "-r", "--allmatch", "--infected", "--stdout",
    "--max-filesize=2000M", "--max-scansize=2000M", "--max-scantime=0",
    "--disable-cache", "--bytecode=no", "--scan-archive=no", "--scan-pe=no",
    "--scan-elf=yes", "--scan-ole2=no", "--scan-pdf=no", "--scan-swf=no",
    "--scan-html=no", "--scan-xmldocs=no", "--scan-hwp3=no",
    "--scan-onenote=no", "--scan-image=no", "--scan-image-fuzzy-hash=no",
    "--scan-mail=no", "--normalize=no", "--phishing-sigs=no",
    "--phishing-scan-urls=no", "--heuristic-alerts=no",
]


class ScanResult:
    def __init__(self, pairs, exit_code, stdout, stderr):
        self.pairs = pairs
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr


def parse_found(text):
    """Lines `PATH: NAME FOUND` -> set of (PATH, NAME without .UNOFFICIAL)."""
    pairs = set()
    for line in text.splitlines():
        if not line.endswith(" FOUND"):
            continue
        path, sep, rest = line[: -len(" FOUND")].rpartition(": ")
        if not sep:
            continue
        if rest.endswith(".UNOFFICIAL"):
            rest = rest[: -len(".UNOFFICIAL")]
        pairs.add((path, rest))
    return pairs


def run_clamscan(database_dir, paths, timeout=600):
    with tempfile.TemporaryDirectory(prefix="clamscan-tmp-") as tmp:
        command = (["clamscan"] + CLAMSCAN_FLAGS
                   + ["--database=" + database_dir, "--tempdir=" + tmp]
                   + list(paths))
        proc = subprocess.run(command, capture_output=True, timeout=timeout)
    stdout = proc.stdout.decode("utf-8", "surrogateescape")
    stderr = proc.stderr.decode("utf-8", "surrogateescape")
    return ScanResult(parse_found(stdout), proc.returncode, stdout, stderr)


def run_vigil(vigil, database_dir, paths, threads=None, extra=(), timeout=600):
    command = [vigil, "scan", "-d", database_dir, "-r", "--no-summary",
               "--max-filesize", "2000M", "--max-scansize", "2000M"]
    if threads:
        command += ["--threads", str(threads)]
    command += list(extra) + list(paths)
    proc = subprocess.run(command, capture_output=True, timeout=timeout)
    stdout = proc.stdout.decode("utf-8", "surrogateescape")
    stderr = proc.stderr.decode("utf-8", "surrogateescape")
    return ScanResult(parse_found(stdout), proc.returncode, stdout, stderr)
