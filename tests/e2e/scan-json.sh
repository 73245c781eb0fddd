#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: vigil scan --json prints one ECS object per file: file.path, file.size, file.hash.sha256 (checked against sha256sum), rule.name, event.outcome and kind.
source "$(dirname "$0")/lib/scan-common.bash"

cd "$work"
mkdir db files
printf 'Json.P:0:*:11223344\nJson.S:0:*:55667788\n' > db/j.ndb
printf "a clean file\n" > files/clean
printf "x $P y $S z\n" > files/infected
printf "quote\"back\\\\slash $P\n" > 'files/we"ird\name'
head -c 3000 /dev/urandom > files/random

scan --json -d db/j.ndb files > out.json; rc=$?
[ $rc -eq 1 ] || fail "--json scan exited $rc"
[ "$(wc -l < out.json)" -eq 4 ] || fail "want 4 JSON lines: $(cat out.json)"
grep -q 'SCAN SUMMARY' out.json && fail "--json printed the summary"

python3 - "$work" out.json <<'PY' || fail "JSON check failed"
import hashlib, json, os, sys
work, path = sys.argv[1], sys.argv[2]
seen = {}
for line in open(path):
    record = json.loads(line)
    seen[record["file"]["path"]] = record
want = {"files/clean": [], "files/infected": ["Json.P", "Json.S"],
        'files/we"ird\\\\name': ["Json.P"], "files/random": []}
assert set(seen) == set(want), sorted(seen)
for name, rules in want.items():
    record = seen[name]
    real = name.replace("\\\\", "\\")
    data = open(os.path.join(work, real), "rb").read()
    assert record["file"]["size"] == len(data), (name, record)
    assert record["file"]["hash"]["sha256"] == hashlib.sha256(data).hexdigest(), name
    assert record["event"]["outcome"] == "success", record
    assert record["event"]["action"] == "scan", record
    assert "@timestamp" in record
    if rules:
        assert record["rule"]["name"] == rules, record
        assert record["event"]["kind"] == "alert", record
        assert record["event"]["category"] == ["malware"], record
        assert record["vigil"]["verdict"] == "infected", record
    else:
        assert "rule" not in record, record
        assert record["event"]["kind"] == "event", record
        assert record["vigil"]["verdict"] == "clean", record
PY

# the sha256 agrees with sha256sum as printed
want=$(sha256sum files/infected | cut -d' ' -f1)
got=$(scan --json -d db/j.ndb files/infected | python3 -c 'import json,sys; print(json.load(sys.stdin)["file"]["hash"]["sha256"])')
[ "$got" = "$want" ] || fail "sha256 $got, sha256sum says $want"

# a path that is not UTF-8 is escaped, not dropped
printf "clean\n" > "$(printf 'files/bad\xffname')"
scan --json -d db/j.ndb "$(printf 'files/bad\xffname')" > bad.json; rc=$?
[ $rc -eq 0 ] || fail "non-UTF-8 path exited $rc"
python3 -c 'import json,sys; r=json.load(open("bad.json")); assert r["file"]["path"]=="files/bad\\xffname", r' ||
	fail "non-UTF-8 path: $(cat bad.json)"

# an error record
scan --json -d db/j.ndb files/missing > missing.json; rc=$?
[ $rc -eq 2 ] || fail "missing file exited $rc"
python3 -c '
import json
r = json.load(open("missing.json"))
assert r["file"]["path"] == "files/missing", r
assert r["event"]["outcome"] == "failure", r
assert r["vigil"]["verdict"] == "error", r
assert "No such file" in r["error"]["message"], r
assert "size" not in r["file"], r
' || fail "error record: $(cat missing.json)"
echo ok
