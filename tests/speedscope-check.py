#!/usr/bin/env python3
# speedscope-check.py SCHEMA FILE.speedscope.json RAW.txt
#
# Checks a speedscope file against the file format's JSON schema (the one
# the speedscope package ships), the importer's own rules (as many weights
# as samples, frame indexes in range, weights not negative), and that the
# weight of each function, on the stack and at the leaf, is the one that
# `go tool pprof -raw` of the same run gives (its last sample type).
# Prints what differs and exits 1; 2 when jsonschema is missing.
#
# SPDX-License-Identifier: GPL-2.0-or-later
import json
import re
import sys

try:
    import jsonschema
except ImportError:
    print("python3 jsonschema is not installed", file=sys.stderr)
    sys.exit(2)


def from_speedscope(doc):
    frames = doc["shared"]["frames"]
    cum, flat, bad = {}, {}, []
    for prof in doc["profiles"]:
        if len(prof["samples"]) != len(prof["weights"]):
            bad.append("profile %s: %d samples, %d weights" %
                       (prof["name"], len(prof["samples"]),
                        len(prof["weights"])))
            continue
        for stack, w in zip(prof["samples"], prof["weights"]):
            if w < 0:
                bad.append("negative weight %r" % w)
            if any(i < 0 or i >= len(frames) for i in stack):
                bad.append("frame index out of range in %r" % stack)
                continue
            names = [frames[i]["name"] for i in stack]
            for n in set(names):
                cum[n] = cum.get(n, 0) + w
            if names:
                flat[names[-1]] = flat.get(names[-1], 0) + w
    return cum, flat, bad


LOC = re.compile(r"^\s+(\d+): 0x[0-9a-f]+ (?:M=\d+ )?(.*?) ?(\S*:\d+)? s=\d+$")
INL = re.compile(r"^\s+(.*?) ?(\S*:\d+)? s=\d+$")
SAMPLE = re.compile(r"^\s+\d+(?:\s+\d+)*:((?: \d+)*) ?$")


def from_raw(text):
    locs, order, cur = {}, [], None
    samples, section = [], None
    for line in text.splitlines():
        if line.startswith("Samples:"):
            section = "samples"
            continue
        if line.startswith("Locations"):
            section = "locations"
            continue
        if line.startswith("Mappings"):
            section = None
            continue
        if section == "samples":
            m = re.match(r"^\s+((?:\d+\s+)*\d+):((?: \d+)*)\s*$", line)
            if m:
                vals = m.group(1).split()
                samples.append((int(vals[-1]), m.group(2).split()))
        elif section == "locations":
            m = LOC.match(line)
            if m:
                cur = m.group(1)
                locs[cur] = [m.group(2)]
                continue
            m = INL.match(line)
            if m and cur:
                # Inlined callers follow the innermost function.
                locs[cur].append(m.group(1))
    cum, flat = {}, {}
    for w, ids in samples:
        names = []
        for i in ids:
            names.extend(locs.get(i, []))
        names = [n for n in names if n]
        for n in set(names):
            cum[n] = cum.get(n, 0) + w
        if names:
            flat[names[0]] = flat.get(names[0], 0) + w
    return cum, flat


def main():
    schema = json.load(open(sys.argv[1]))
    doc = json.load(open(sys.argv[2]))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc),
                    key=str)
    for e in errors[:5]:
        print("schema: %s at %s" % (e.message, list(e.absolute_path)))
    scum, sflat, bad = from_speedscope(doc)
    for b in bad[:5]:
        print(b)
    rcum, rflat = from_raw(open(sys.argv[3]).read())
    diffs = []
    for what, a, b in (("cum", scum, rcum), ("flat", sflat, rflat)):
        for n in sorted(set(a) | set(b)):
            if n.startswith("0x"):
                continue
            if a.get(n, 0) != b.get(n, 0):
                diffs.append("%s %s: speedscope %d, pprof %d" %
                             (what, n, a.get(n, 0), b.get(n, 0)))
    for d in diffs[:10]:
        print(d)
    if not rcum:
        print("no functions read from the pprof -raw output")
    print("%d functions compared" % len(rcum))
    sys.exit(1 if errors or bad or diffs or not rcum else 0)


main()
