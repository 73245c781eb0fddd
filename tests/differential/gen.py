# SPDX-License-Identifier: GPL-2.0
# Copyright (C) 2026 The vigil authors.
#
# Overview: from one integer seed, writes a random ClamAV-format signature
# database (.hdb .hsb .ndb .fp .sfp .ign2) and a folder of files holding
# planted matches and near-misses for it. Everything it writes is a function
# of the seed and of the system files it copies (ELF binaries and libraries
# from /usr), so a seed reproduces on the same machine; a failing case is
# kept as files by run.py for other machines.
#
# It owns the signature grammar (only lines clamscan 1.4.6 loads, checked by
# `run.py --check-grammar`), the plant/near-miss construction and the
# manifest of plants (where each planted instance lies, for hexdumps). It does
# not run any scanner (oracle.py) nor judge results (run.py). Handoff:
# run.py -> generate(seed, outdir) -> Case (db dir, files dir, signature
# lines, plants) -> run.py.
#
# Semantics it relies on are written down in CLAMSCAN-SEMANTICS.md.
import hashlib
import os
import random
import struct

# Byte sets of the character classes (CLAMSCAN-SEMANTICS.md).
LEFT_B = bytes([0x20, 0x2D, 0x2E, 0x2F, 0x3C, 0x40, 0x5F])
RIGHT_B = bytes([0x0A, 0x0D, 0x20, 0x22, 0x27, 0x2D, 0x2F, 0x3D, 0x3E, 0x5F])
MID_B = bytes(sorted(set(LEFT_B) | set(RIGHT_B)))
ALNUM = set(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
W_SET = bytes(b for b in range(256) if b not in ALNUM)

BUFFER_BOUNDARIES = [4096, 8192, 65536, 131072, 262144, 524288, 1048576,
                     2097152, 4194304]


class Plant:
    """One planted instance: where it lies and whether it should match."""

    def __init__(self, sig, path, start, end, intended, note, spans=()):
        self.sig = sig
        self.path = path
        self.start = start
        self.end = end
        self.intended = intended
        self.note = note
        self.spans = list(spans)  # (start, end) of each static piece


class Case:
    def __init__(self, seed, root):
        self.seed = seed
        self.root = root
        self.db_dir = os.path.join(root, "db")
        self.files_dir = os.path.join(root, "files")
        self.lines = {}   # signature name -> (db file, line)
        self.plants = []
        self.whitelisted = set()  # files listed in .fp/.sfp
        self.ignored = set()      # names listed in .ign2 (so they should not show)


# ---------------------------------------------------------------- elements
#
# A body is a list of elements:
#   ("lit", bytes)            static bytes
#   ("any",)                  ??
#   ("hi", n) / ("lo", n)     a? / ?a: high / low nibble fixed
#   ("fix", n)                {n}, n < 128 inside a part
#   ("gap", lo, hi, text)     a part separator: *, {n}, {n-}, {-n}, {n-m};
#                             hi None: unbounded; lo > hi: never matches
#   ("alt", branches, neg, text)  branches: lists of ("lit", b)/("any",)
#   ("cls", "B"|"L"|"W")
#   ("anc", lo, hi)           [x-y]


def hexs(data):
    return data.hex()


def render(body):
    out = []
    for element in body:
        kind = element[0]
        if kind == "lit":
            out.append(hexs(element[1]))
        elif kind == "any":
            out.append("??")
        elif kind == "hi":
            out.append("%x?" % element[1])
        elif kind == "lo":
            out.append("?%x" % element[1])
        elif kind == "fix":
            out.append("{%d}" % element[1])
        elif kind == "gap":
            out.append(element[3])
        elif kind == "alt":
            out.append(element[3])
        elif kind == "cls":
            out.append("(%s)" % element[1])
        elif kind == "anc":
            out.append("[%d-%d]" % (element[1], element[2]))
    return "".join(out)


def render_branch(branch):
    return "".join("??" if e[0] == "any" else hexs(e[1]) for e in branch)


class Generator:
    def __init__(self, seed, scale=1.0):
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.counter = 0
        self.skip = set()

    # ------------------------------------------------------------ bodies
    def lit(self, lo=3, hi=10):
        rng = self.rng
        n = rng.randint(lo, hi)
        data = bytearray(rng.randbytes(n))
        # avoid runs that random or zero-filled files hold by the million
        if len(set(data)) < 2:
            data[0] ^= 0x5A
        return ("lit", bytes(data))

    def alternative(self):
        rng = self.rng
        kind = rng.choice(["single", "single", "multi", "generic", "generic_any",
                           "nested", "neg_single", "neg_multi", "empty"])
        if kind == "empty" and "empty-alt" in self.skip:
            kind = "single"
        if kind == "nested" and "nested-alt" in self.skip:
            kind = "single"
        if kind in ("single", "neg_single"):
            values = rng.sample(range(256), rng.randint(2, 5))
            branches = [[("lit", bytes([v]))] for v in values]
        elif kind in ("multi", "neg_multi"):
            width = rng.randint(2, 4)
            branches = [[("lit", rng.randbytes(width))] for _ in range(rng.randint(2, 4))]
        elif kind in ("generic", "generic_any"):
            branches = []
            for i in range(rng.randint(2, 4)):
                width = rng.randint(1, 4) if i else 1
                branch = [("lit", bytes([b])) for b in rng.randbytes(width)]
                if kind == "generic_any" and width >= 2 and rng.random() < 0.6:
                    branch[rng.randrange(1, width)] = ("any",)
                branches.append(branch)
            widths = {len(b) for b in branches}
            if len(widths) == 1:  # make it variable-length for real
                branches[0] = branches[0][:1]
                if len(branches[0]) == len(branches[1]):
                    branches[1] = branches[1] + [("lit", rng.randbytes(1))]
        elif kind == "nested":
            values = rng.sample(range(256), 3)
            branches = [[("lit", bytes([v]))] for v in values]
            text = "(%02x|(%02x|%02x))" % tuple(values)
            return ("alt", branches, False, text)
        else:  # empty branch
            values = rng.sample(range(256), 2)
            branches = [[("lit", bytes([v]))] for v in values] + [[]]
        neg = kind.startswith("neg")
        text = ("!(" if neg else "(") + "|".join(render_branch(b) for b in branches) + ")"
        return ("alt", branches, neg, text)

    def part(self, long_anchor=True):
        """In-part elements; at least one static run of >= 4 bytes."""
        rng = self.rng
        elements = [self.lit(4, 10)]
        for _ in range(rng.randint(0, 3)):
            choice = rng.random()
            if choice < 0.2:
                new = [("any",)] * rng.randint(1, 3)
            elif choice < 0.32:
                new = [("hi", rng.randrange(16))]
            elif choice < 0.44:
                new = [("lo", rng.randrange(16))]
            elif choice < 0.56:
                new = [("fix", rng.choice([1, 2, 5, 17, 64, 127]))]
            elif choice < 0.8:
                new = [self.alternative()]
            else:
                new = [("cls", rng.choice("BLW"))]
            if rng.random() < 0.5:
                elements = elements + new + [self.lit(2, 6)]
            else:
                elements = [self.lit(2, 6)] + new + elements
        return elements

    def separator(self):
        rng = self.rng
        choice = rng.random()
        if choice < 0.3:
            return ("gap", 0, None, "*")
        if choice < 0.4:
            n = rng.choice([128, 129, 200, 1000, 5000])
            return ("gap", n, n, "{%d}" % n)
        if choice < 0.55:
            n = rng.choice([1, 5, 100, 200, 5000])
            return ("gap", n, None, "{%d-}" % n)
        if choice < 0.7:
            n = rng.choice([1, 3, 20, 65, 300])
            return ("gap", 0, n, "{-%d}" % n)
        if choice < 0.9:
            lo = rng.choice([0, 1, 2, 6, 30, 100])
            hi = lo + rng.choice([0, 1, 5, 166, 2000])
            if hi == 0:
                return ("gap", 0, None, "{0-0}")  # clamscan reads {0-0} as *
            return ("gap", lo, hi, "{%d-%d}" % (lo, hi))
        # quirks: {0} and {0-} are `*`; {n-m} with m < n never matches
        text = rng.choice(["{0}", "{0-}", "{-0}", "{0-0}", "{9-3}"])
        if text == "{9-3}":
            return ("gap", 9, 3, text)
        return ("gap", 0, None, text)

    def body(self):
        rng = self.rng
        style = rng.random()
        if style < 0.08:  # anchored byte [x-y]
            lo = rng.randint(0, 10)
            hi = lo + rng.randint(0, 20)
            static = self.lit(4, 8)
            byte = ("lit", rng.randbytes(1))
            if rng.random() < 0.5:
                return [byte, ("anc", lo, hi), static]
            return [static, ("anc", lo, hi), byte]
        if style < 0.25:  # plain static
            return [self.lit(6, 24)]
        parts = self.part()
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            parts += [self.separator()] + self.part()
        if rng.random() < 0.15:
            parts = [("cls", rng.choice("BLW"))] + parts
        if rng.random() < 0.15:
            parts = parts + [("cls", rng.choice("BLW"))]
        if rng.random() < 0.05 and parts[0][0] != "cls":
            parts = [("any",)] + parts  # `??(L)...` is refused
        if rng.random() < 0.05:
            parts = parts + [("any",)]
        return parts

    # ------------------------------------------------------- instances
    def instance(self, body, miss=None, far=0):
        """Bytes matching body (or violating element #miss), with pieces.

        Returns (data, body_start, pieces) where data includes one context
        byte before/after for leading/trailing classes, body_start is the
        index of the first body byte in data and pieces the static spans.
        far: preferred size for unbounded gaps (parts megabytes apart).
        """
        rng = self.rng
        out = bytearray()
        pieces = []
        start = 0
        certain = True     # False: clamscan's answer is not what we planted for
        anchored = False   # past the first run of >= 3 static bytes of this part
        # with any {..} separator, clamscan splits parts at every {n} too
        braces = any(e[0] == "gap" and e[3].startswith("{") for e in body)
        for index, element in enumerate(body):
            kind = element[0]
            if kind == "lit" and len(element[1]) >= 3:
                anchored_after = True
            else:
                anchored_after = anchored
            if kind == "gap" or (kind == "fix" and braces):
                anchored_after = False
            wrong = miss == index
            first = index == 0
            last = index == len(body) - 1
            if kind == "lit":
                data = bytearray(element[1])
                if wrong:
                    data[rng.randrange(len(data))] ^= rng.randint(1, 255)
                pieces.append((len(out), len(out) + len(data)))
                out += data
            elif kind == "any":
                out += rng.randbytes(1)
            elif kind in ("hi", "lo"):
                nib = element[1]
                other = rng.randrange(16)
                if wrong:
                    nib = (nib + rng.randint(1, 15)) % 16
                out.append(nib << 4 | other if kind == "hi" else other << 4 | nib)
            elif kind == "fix":
                n = element[1] + (rng.choice([-1, 1]) if wrong else 0)
                out += rng.randbytes(max(n, 0))
            elif kind == "gap":
                _, lo, hi, _text = element
                if lo > hi if hi is not None else False:
                    n = rng.choice([lo, hi, (lo + hi) // 2])
                    certain = False  # {9-3} never matches
                elif wrong:
                    candidates = []
                    if lo > 0:
                        candidates.append(lo - 1)
                    if hi is not None:
                        candidates.append(hi + 1)
                    n = rng.choice(candidates) if candidates else lo
                elif hi is None:
                    n = lo + (far if far and rng.random() < 0.7 else rng.choice([0, 1, 7, 300]))
                else:
                    n = rng.choice([lo, hi, rng.randint(lo, hi)])
                out += rng.randbytes(n)
            elif kind == "anc":
                _, lo, hi = element
                if wrong:
                    n = rng.choice([hi + 1] + ([lo - 1] if lo else []))
                else:
                    n = rng.choice([lo, hi, rng.randint(lo, hi)])
                out += rng.randbytes(n)
            elif kind == "alt":
                _, branches, neg, _text = element
                if neg:
                    forbidden = {b"".join(e[1] for e in b) for b in branches}
                    width = len(next(iter(forbidden)))
                    if wrong:
                        out += rng.choice(sorted(forbidden))
                    else:
                        while True:
                            pick = rng.randbytes(width)
                            if pick not in forbidden:
                                break
                        out += pick
                else:
                    if wrong:
                        singles = {b[0][1][0] for b in branches if len(b) >= 1 and b[0][0] == "lit"}
                        choices = [v for v in range(256) if v not in singles]
                        out.append(rng.choice(choices))
                    else:
                        branch = rng.choice(branches)
                        if not branch and not anchored:
                            certain = False  # empty branch in a part's prefix
                        for e in branch:
                            out += e[1] if e[0] == "lit" else rng.randbytes(1)
            elif kind == "cls":
                letter = element[1]
                if first or last:
                    allowed = {"B": LEFT_B if first else RIGHT_B, "L": b"\n",
                               "W": W_SET}[letter]
                else:
                    allowed = {"B": MID_B, "L": b"\n", "W": W_SET}[letter]
                if wrong:
                    disallowed = [b for b in range(256) if b not in allowed
                                  and b != 0x0D]
                    byte = bytes([rng.choice(disallowed)])
                elif letter == "L" and not first and rng.random() < 0.3:
                    byte = b"\r\n"
                    if not anchored:
                        certain = False  # (L) in a part's prefix takes only \n
                else:
                    byte = bytes([rng.choice(allowed)])
                out += byte
                if first:
                    start = len(byte)
            else:
                raise ValueError(kind)
            anchored = anchored_after
        if len(body) == 3 and body[1][0] == "anc" and len(body[0][1]) == 1:
            start = pieces[1][0]  # the offset names the static part
        return bytes(out), start, pieces, certain

    def missable(self, body):
        """Indexes of elements whose violation should turn a match into a miss."""
        out = []
        for index, element in enumerate(body):
            kind = element[0]
            if kind in ("lit", "hi", "lo", "fix", "anc"):
                out.append(index)
            elif kind == "alt" and not any(len(b) != 1 or b[0][0] != "lit"
                                           or len(b[0][1]) != 1 for b in element[1]):
                out.append(index)
            elif kind == "alt" and element[2]:  # negated multi-byte
                out.append(index)
            elif kind == "gap" and (element[1] > 0 or element[2] is not None) \
                    and not (element[2] is not None and element[1] > element[2]):
                out.append(index)
            elif kind == "cls":
                out.append(index)
        return out

    # ------------------------------------------------------- signatures
    def name(self, kind):
        self.counter += 1
        return "Diff.%s.%d-%d" % (kind, self.seed, self.counter)


def prefix_class(body):
    """Does the first part have a class before its first 3-byte static run?"""
    for index, element in enumerate(body):
        if element[0] == "lit" and len(element[1]) >= 3:
            return False
        if element[0] in ("gap", "fix"):
            return False
        if element[0] == "cls" and index > 0:
            return True
        if element[0] == "alt" and len({sum(len(e[1]) if e[0] == "lit" else 1 for e in b)
                                        for b in element[1]}) > 1:
            return True  # variable-length alternative in the prefix
    return False


def elf_entry_offset(data):
    """EP file offset as clamscan computes it (CLAMSCAN-SEMANTICS.md), or None."""
    if len(data) < 52 or data[:4] != b"\x7fELF" or data[4] not in (1, 2) \
            or data[5] not in (1, 2):
        return None
    e = "<" if data[5] == 1 else ">"
    try:
        if data[4] == 2:
            entry, phoff = struct.unpack_from(e + "QQ", data, 24)
            phentsize, phnum = struct.unpack_from(e + "HH", data, 54)
        else:
            entry, phoff = struct.unpack_from(e + "II", data, 24)
            phentsize, phnum = struct.unpack_from(e + "HH", data, 42)
        for i in range(phnum):
            o = phoff + i * phentsize
            if data[4] == 2:
                _t, _f, off, vaddr, _p, _fs, memsz = struct.unpack_from(e + "IIQQQQQ", data, o)
            else:
                _t, off, vaddr, _p, _fs, memsz = struct.unpack_from(e + "IIIIII", data, o)
            if vaddr <= entry < vaddr + memsz:
                ep = entry - vaddr + off
                return ep if off < len(data) and ep < len(data) else None
    except struct.error:
        return None
    return None


def elf_header_ranges(data):
    """The ELF, program and section header tables: plants stay off them."""
    if len(data) < 52 or data[:4] != b"\x7fELF" or data[4] not in (1, 2) \
            or data[5] not in (1, 2):
        return []
    e = "<" if data[5] == 1 else ">"
    if data[4] == 2:
        phoff, shoff = struct.unpack_from(e + "QQ", data, 32)
        phentsize, phnum, shentsize, shnum = struct.unpack_from(e + "HHHH", data, 54)
        ranges = [(0, 64)]
    else:
        phoff, shoff = struct.unpack_from(e + "II", data, 28)
        phentsize, phnum, shentsize, shnum = struct.unpack_from(e + "HHHH", data, 42)
        ranges = [(0, 52)]
    ranges.append((phoff, phoff + phentsize * phnum))
    if shnum:
        ranges.append((shoff, shoff + shentsize * shnum))
    return ranges


def make_elf(rng, size, entry_in, kind):
    """A synthetic ELF with a known entry point; returns (bytes, ep or None)."""
    cls = 1 if kind == "elf32" else 2
    le = kind != "be"
    e = "<" if le else ">"
    seg_off, vaddr = 0x1000, 0x401000
    filesz = memsz = max(size - seg_off, 0x100)
    headers = [(1, seg_off, vaddr, filesz, memsz)]
    if kind == "note_first":
        headers = [(4, seg_off, vaddr, filesz, memsz), (1, 0, 0x400000, 0x800, 0x800)]
    elif kind == "two":
        headers = [(1, 0, 0x400000, 0x800, 0x800), (1, seg_off, vaddr, filesz, memsz)]
    elif kind == "memsz_short":
        headers = [(1, seg_off, vaddr, filesz, entry_in // 2)]
    elif kind == "outside":
        vaddr += 0x100000
        headers = [(1, seg_off, vaddr, filesz, memsz)]
    entry = 0x401000 + entry_in
    data = bytearray(rng.randbytes(size))
    if cls == 2:
        hdr = b"\x7fELF" + bytes([2, 1 if le else 2, 1, 0]) + b"\0" * 8
        hdr += struct.pack(e + "HHIQQQIHHHHHH", 2, 62, 1, entry, 64, 0, 0, 64, 56,
                           len(headers), 64, 0, 0)
        ph = b"".join(struct.pack(e + "IIQQQQQQ", t, 5, off, va, va, fs, ms, 0x1000)
                      for t, off, va, fs, ms in headers)
    else:
        hdr = b"\x7fELF" + bytes([1, 1 if le else 2, 1, 0]) + b"\0" * 8
        hdr += struct.pack(e + "HHIIIIIHHHHHH", 2, 3, 1, entry, 52, 0, 0, 52, 32,
                           len(headers), 40, 0, 0)
        ph = b"".join(struct.pack(e + "IIIIIIII", t, off, va, va, fs, ms, 5, 0x1000)
                      for t, off, va, fs, ms in headers)
    data[0:len(hdr)] = hdr
    data[len(hdr):len(hdr) + len(ph)] = ph
    data = bytes(data)
    return data, elf_entry_offset(data)


def system_elves(max_size):
    out = []
    for folder in ("/usr/bin", "/usr/lib/x86_64-linux-gnu"):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            try:
                if not os.path.isfile(path) or os.path.islink(path):
                    continue
                size = os.path.getsize(path)
                if not 20000 <= size <= max_size:
                    continue
                with open(path, "rb") as f:
                    if f.read(4) != b"\x7fELF":
                        continue
            except OSError:
                continue
            out.append(path)
    return out


WORDS = ("the of and to in is was for on that with as by at from this be are "
         "scan file vigil clam virus signature byte offset match word line "
         "alpha beta gamma delta EICAR test sample data kernel module").split()


def text_bytes(rng, size):
    out = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        sep = rng.choice([" ", " ", " ", "\n", "\r\n", ", ", ". ", "-", "_", "/", "\t"])
        out.append(word + sep)
        length += len(word) + len(sep)
    return "".join(out).encode()[:size]


# ------------------------------------------------------------------ files


class FileCanvas:
    def __init__(self, path, data, kind, ep=None):
        self.path = path
        self.data = bytearray(data)
        self.kind = kind
        self.ep = ep
        self.used = []  # (start, end)

    def free(self, start, end):
        if start < 0 or end > len(self.data):
            return False
        for a, b in self.used:
            if start < b + 2 and a < end + 2:
                return False
        return True

    def put(self, start, data):
        self.data[start:start + len(data)] = data
        self.used.append((start, start + len(data)))


FEATURES = ("empty-alt", "nested-alt", "ign2-md5", "ign2-old", "flevel", "dup-hash", "fp")


def generate(seed, root, scale=1.0, body_count=70, hash_count=30, skip=()):
    """skip: FEATURES to leave out (triage while one is known broken)."""
    gen = Generator(seed, scale)
    gen.skip = set(skip)
    rng = gen.rng
    case = Case(seed, root)
    os.makedirs(case.db_dir, exist_ok=True)
    os.makedirs(case.files_dir, exist_ok=True)

    # ---- canvases
    canvases = []

    def canvas(kind, data, ep=None):
        path = os.path.join(case.files_dir, "%s-%02d" % (kind, len(canvases)))
        c = FileCanvas(path, data, kind, ep)
        for start, end in elf_header_ranges(data):
            c.used.append((start, end))
        canvases.append(c)
        return c

    for _ in range(10):
        canvas("random", rng.randbytes(rng.choice([64, 700, 4096, 20000, 70000, 200000])))
    for _ in range(5):
        canvas("text", text_bytes(rng, rng.choice([300, 3000, 40000])))
    for _ in range(2):
        canvas("zeros", bytes(rng.choice([5000, 150000])))
    big = []
    for _ in range(2):
        big.append(canvas("big", rng.randbytes(int(rng.choice([3, 5, 9]) * (1 << 20) * scale))))
    elves = system_elves(2 << 20)
    for path in rng.sample(elves, min(3, len(elves))):
        with open(path, "rb") as f:
            data = f.read()
        canvas("elf", data, elf_entry_offset(data))
    for kind in ("plain", "elf32", "be", "note_first", "two", "memsz_short", "outside"):
        data, ep = make_elf(rng, rng.choice([0x1800, 0x3000, 0x9000]), rng.randrange(0x80, 0x700), kind)
        canvas("synelf-" + kind, data, ep)

    ndb_lines = []
    body_sigs = []

    def place(c, sig, data, start_in_data, pieces, position, intended, note):
        """Put data so that the body starts at position; record the plant."""
        start = position - start_in_data
        if not c.free(start, start + len(data)):
            return False
        c.put(start, data)
        spans = [(start + a, start + b) for a, b in pieces]
        case.plants.append(Plant(sig, c.path, position, start + len(data), intended, note, spans))
        return True

    # ---- body signatures
    for _ in range(body_count):
        body = gen.body()
        target = 0
        offset_kind = rng.choice(["*"] * 5 + ["n", "n,m", "eof", "eof,m", "ep", "t6"])
        if offset_kind in ("ep", "t6"):
            target = 6
        name = gen.name("ndb")
        missable = gen.missable(body)
        plants_wanted = [None] + [None] * rng.randint(0, 1)
        plants_wanted += [rng.choice(missable) for _ in range(rng.randint(1, 2))] if missable else []
        # candidate canvases
        if target == 6:
            pool = [c for c in canvases if c.kind.startswith(("elf", "synelf"))]
            if offset_kind == "ep":
                pool = [c for c in pool if c.ep is not None] or pool
        else:
            pool = canvases
        has_far_gap = any(e[0] == "gap" and e[2] is None for e in body)
        offset_text = "*"
        fixed = None  # (kind, n, m)
        if offset_kind in ("n", "n,m"):
            n = rng.choice([0, 1, 10, 100, 4090, 4096, 65530, 131072])
            m = rng.choice([0, 1, 3, 50]) if offset_kind == "n,m" else 0
            offset_text = str(n) if offset_kind == "n" else "%d,%d" % (n, m)
            fixed = ("abs", n, m)
        elif offset_kind in ("eof", "eof,m"):
            n = rng.choice([0, 1, 8, 40, 100, 3000])
            m = rng.choice([0, 1, 5, 30]) if offset_kind == "eof,m" else 0
            offset_text = "EOF-%d" % n if offset_kind == "eof" else "EOF-%d,%d" % (n, m)
            fixed = ("eof", n, m)
        elif offset_kind == "ep":
            n = rng.choice([0, 0, 1, 16, -3, -1])
            m = rng.choice([0, 0, 4])
            offset_text = "EP%+d" % n + (",%d" % m if m else "")
            fixed = ("ep", n, m)
        line = "%s:%d:%s:%s" % (name, target, offset_text, render(body))
        flevel = rng.random() if "flevel" not in gen.skip else 1.0
        if flevel < 0.05:
            line += ":51"
        elif flevel < 0.08:
            line += ":51:255"
        elif flevel < 0.09:
            line += ":1:2"  # max flevel below clamscan's: skipped
        ndb_lines.append(line)
        case.lines[name] = ("sigs.ndb", line)
        body_sigs.append((name, body))

        for miss in plants_wanted:
            for attempt in range(8):
                c = rng.choice(big if target == 0 and has_far_gap and big
                           and rng.random() < 0.5 else pool)
                far = rng.choice([1 << 20, 3 << 20, 100000]) if c.kind == "big" else 0
                far = min(far, len(c.data) // 3)
                data, s, pieces, certain = gen.instance(body, miss, far)
                size = len(c.data)
                note = "match" if miss is None else "near-miss at element %d" % miss
                if fixed is None:
                    if c.kind == "big" and rng.random() < 0.6:
                        boundary = rng.choice([b for b in BUFFER_BOUNDARIES if b < size] or [size // 2])
                        piece = rng.choice(pieces) if pieces else (0, len(data))
                        cut = rng.randint(piece[0], max(piece[0], piece[1] - 1))
                        position = boundary - cut + s + rng.choice([0, 0, 1])
                        note += ", straddles %d" % boundary
                    elif rng.random() < 0.15:
                        if body[-1][0] == "cls" and miss != len(body) - 1 \
                                and data[-2:] != b"\r\n" and rng.random() < 0.5:
                            data = data[:-1]  # a trailing class accepts the end of file
                            pieces = [(a, min(b, len(data))) for a, b in pieces]
                        position = size - len(data) + s  # at EOF
                        note += ", at EOF"
                    elif rng.random() < 0.1:
                        if body[0][0] == "cls" and s == 1 and miss != 0:
                            data, s = data[1:], 0  # a leading class accepts the start
                            pieces = [(a - 1, b - 1) for a, b in pieces]
                        position = s  # at start of file
                    else:
                        position = rng.randint(0, max(size - len(data), 0)) + s
                else:
                    kind, n, m = fixed
                    if kind == "abs":
                        base = n
                    elif kind == "eof":
                        base = size - n
                    else:
                        if c.ep is None:
                            break
                        base = c.ep + n
                    delta = rng.randint(0, m)
                    if miss is None and rng.random() < 0.3 and missable:
                        # an offset near-miss instead
                        delta = rng.choice([-1, m + 1])
                        note = "near-miss: offset %+d" % (delta if delta < 0 else delta - m)
                    position = base + delta
                if fixed is not None and fixed[0] != "abs" and c.ep is None \
                        and c.data[:4] == b"\x7fELF":
                    certain = False  # ELF without an EP: EOF offsets never match
                if fixed is not None and prefix_class(body) \
                        and position == base + fixed[2]:
                    certain = False  # class in the prefix: the top of the range fails
                if fixed is not None and prefix_class(body) \
                        and any(e[0] == "alt" for e in body[:4]):
                    certain = False  # variable alternative in the prefix: unstable
                if not certain:
                    note += ", uncertain"
                if place(c, name, data, s, pieces, position,
                         certain and miss is None and not note.startswith("near-miss"),
                         note):
                    break

    # ---- tiny files (sizes 0..7): short static signatures
    for size in range(0, 8):
        data = rng.randbytes(size)
        path = os.path.join(case.files_dir, "tiny-%d" % size)
        canvases.append(FileCanvas(path, data, "tiny"))
        if size >= 3:
            name = gen.name("tiny")
            width = 3 if size == 3 else 4
            line = "%s:0:*:%s" % (name, hexs(data[:width] if rng.random() < 0.5 else data[-width:]))
            ndb_lines.append(line)
            case.lines[name] = ("sigs.ndb", line)
            case.plants.append(Plant(name, path, 0, size, size > 5, "tiny file of %d bytes" % size))

    # ---- write files
    for c in canvases:
        with open(c.path, "wb") as f:
            f.write(c.data)
    # an exact copy and a one-byte-longer copy of one file, for hash sizes
    donor = rng.choice([c for c in canvases if c.kind in ("random", "text")])
    with open(os.path.join(case.files_dir, "copy-exact"), "wb") as f:
        f.write(donor.data)
    with open(os.path.join(case.files_dir, "copy-longer"), "wb") as f:
        f.write(donor.data + b"\x00")

    file_list = sorted(os.path.join(case.files_dir, n) for n in os.listdir(case.files_dir))
    contents = {}
    for path in file_list:
        with open(path, "rb") as f:
            contents[path] = f.read()

    # ---- hash signatures
    hdb, hsb = [], []
    hash_entries = []
    hashed = rng.sample(file_list, min(hash_count, len(file_list)))
    seen = set()
    for path in hashed:
        data = contents[path]
        if not data or data in seen:
            continue  # size 0 is refused; one hash per content (no hidden duplicates)
        seen.add(data)
        algo = rng.choice(["md5", "md5", "sha1", "sha256"])
        digest = hashlib.new(algo, data).hexdigest()
        if rng.random() < 0.1:
            digest = digest.upper()
        size_field = str(len(data))
        tail = ""
        style = rng.random()
        if style < 0.15:
            size_field, tail = "*", ":73"
        elif style < 0.25:
            size_field = str(len(data) + rng.choice([-1, 1]) if len(data) > 1 else 7)
        elif style < 0.3:
            digest = digest[:-1] + ("0" if digest[-1] != "0" else "1")
        name = gen.name(algo)
        line = "%s:%s:%s%s" % (digest, size_field, name, tail)
        target_list = hdb if rng.random() < 0.5 else hsb
        target_list.append(line)
        case.lines[name] = ("sigs.hdb" if target_list is hdb else "sigs.hsb", line)
        plant = Plant(name, path, 0, len(data), style >= 0.3 and len(data) > 5, "hash " + algo)
        case.plants.append(plant)
        hash_entries.append((digest, size_field, tail, algo, target_list, plant, path))
    # the same hash:size under a second name: the last wins, but only when no
    # other hash of that type shares the size (CLAMSCAN-SEMANTICS.md)
    sizes = {}
    for digest, size_field, tail, algo, _, _, _ in hash_entries:
        sizes[(algo, size_field)] = sizes.get((algo, size_field), 0) + 1
    for digest, size_field, tail, algo, target_list, plant, path in hash_entries:
        if sizes[(algo, size_field)] != 1 or rng.random() >= 0.15 \
                or "dup-hash" in gen.skip:
            continue
        name2 = gen.name(algo + "dup")
        line2 = "%s:%s:%s%s" % (digest, size_field, name2, tail)
        target_list.append(line2)
        case.lines[name2] = (case.lines[plant.sig][0], line2)
        case.plants.append(Plant(name2, path, 0, plant.end, plant.intended,
                                 plant.note + ", duplicate: last wins"))
        plant.intended = False
        plant.note += ", duplicate: shadowed by %s" % name2
    for _ in range(3):  # never matching random hashes
        name = gen.name("nohit")
        line = "%s:%d:%s" % (rng.randbytes(rng.choice([16, 20, 32])).hex(), rng.randint(6, 1000), name)
        hdb.append(line)
        case.lines[name] = ("sigs.hdb", line)

    # ---- .fp / .sfp: whitelist a few files by md5/sha1/sha256
    fp, sfp = [], []
    planted_paths = sorted({p.path for p in case.plants if p.intended})
    fp_count = 0 if "fp" in gen.skip else 3
    for path in rng.sample(planted_paths, min(fp_count, len(planted_paths))):
        data = contents[path]
        algo = rng.choice(["md5", "sha1", "sha256"])
        digest = hashlib.new(algo, data).hexdigest()
        if rng.random() < 0.2:
            entry = "%s:*:FP.%s:73" % (digest, os.path.basename(path))
        elif rng.random() < 0.2:
            entry = "%s:%d:FP.%s" % (digest, len(data) + 1, os.path.basename(path))  # wrong size
        else:
            entry = "%s:%d:FP.%s" % (digest, len(data), os.path.basename(path))
        (fp if rng.random() < 0.5 else sfp).append(entry)
        if ":%d:" % (len(data) + 1) not in entry:
            case.whitelisted.update(p for p in file_list if contents[p] == data)

    # ---- .ign2: ignore a few names, some with the md5 of their line
    ign = []
    names = sorted(case.lines)
    for name in rng.sample(names, min(4, len(names))):
        line = case.lines[name][1]
        style = rng.random()
        if "ign2-md5" in gen.skip and 0.4 <= style < 0.75:
            style = 0.1
        if style < 0.4:
            ign.append(name)
            case.ignored.add(name)
        elif style < 0.6:
            ign.append("%s:%s" % (name, hashlib.md5(line.encode()).hexdigest()))
            case.ignored.add(name)
        elif style < 0.75:
            ign.append("%s:%s" % (name, rng.randbytes(16).hex()))  # md5 mismatch: not ignored
        elif style < 0.9:
            ign.append(name + ".UNOFFICIAL")  # does not ignore
        else:
            ign.append(name.lower())  # case differs: does not ignore

    def write(name, lines):
        if not lines:
            return
        with open(os.path.join(case.db_dir, name), "w") as f:
            f.write("\n".join(lines) + "\n")

    write("sigs.ndb", ndb_lines)
    write("sigs.hdb", hdb)
    write("sigs.hsb", hsb)
    write("sigs.fp", fp)
    write("sigs.sfp", sfp)
    # clamscan refuses a NAME line after a NAME:MD5 line: plain names first
    write("sigs.ign2", sorted(ign, key=lambda entry: ":" in entry))
    return case


# -------------------------------------------------- refused-line cases
# Each: (file name, content, why). clamscan refuses every one with exit 2;
# vigil must too, naming FILE:LINE. Line 2 is always the bad one.
GOOD_NDB = "Diff.ok:0:*:4a58b791df6af1d8303e61cd"
REFUSED = [
    ("bad.ndb", GOOD_NDB + "\nX:0:*:abcd\n", "static 2 bytes"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:*a74d11223344\n", "leading *"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d11223344*\n", "trailing *"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d1122**33445566\n", "**"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d11223344*ab\n", "single byte after *"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d11223344{200}ab\n", "single byte after {200}"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d11223344{2-5}ab\n", "single byte after {2-5}"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:????????\n", "all ??"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d1122334\n", "odd hex length"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d11 223344\n", "space in hex"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d1122!(aa|bbcc)33445566\n", "negated variable alternative"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d1122!(a?|bb)33445566\n", "negated nibble alternative"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d1122(aa*bb|cc)33445566\n", "* in alternative"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d112233[1-3]156d\n", "[x-y] with 2-byte side"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d112233[1-40]7d\n", "[x-y] range over 32"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d112233[5-2]7d\n", "[x-y] with x > y"),
    ("bad.ndb", GOOD_NDB + "\nX:0:EP+0:a74d11223344\n", "EP with target 0"),
    ("bad.ndb", GOOD_NDB + "\nX:0:SL+0:a74d11223344\n", "SL with target 0"),
    ("bad.ndb", GOOD_NDB + "\nX:0:-5:a74d11223344\n", "negative offset"),
    ("bad.ndb", GOOD_NDB + "\nX:0:EOF+5:a74d11223344\n", "EOF+n"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*,5:a74d11223344\n", "*,n"),
    ("bad.ndb", GOOD_NDB + "\nX:0:1,2,3:a74d11223344\n", "n,m,k"),
    ("bad.ndb", GOOD_NDB + "\n\n", "blank line"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:??(L)3f471f1251d78629cc8f\n", "?? before a leading class"),
    ("bad.ndb", GOOD_NDB + "\nX:0:*:a74d11223344:51:255:1\n", "7 fields"),
    ("bad.ndb", "", "empty .ndb"),
    ("bad.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Ok\n"
     "44d88612fea8a8f36de82e1278abb02f:*:X\n", "* size without :73"),
    ("bad.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Ok\n"
     "44d88612fea8a8f36de82e1278abb02f:0:X\n", "size 0"),
    ("bad.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Ok\n"
     "44d88612fea8a8f36de82e1278abb02:68:X\n", "31-digit hash"),
    ("bad.hsb", "44d88612fea8a8f36de82e1278abb02f:68:Ok\n" + "a" * 63 + ":68:X\n",
     "63-digit hash"),
    ("bad.hdb", "", "empty .hdb"),
    ("bad.fp", "44d88612fea8a8f36de82e1278abb02f:68:Ok\nzz:1:X\n", "bad .fp hash"),
    ("bad.ign2", "Ok\nX:xyz\n", "bad md5 in .ign2"),
    ("bad.ign2", "Ok\n\n", "blank .ign2 line"),
]
