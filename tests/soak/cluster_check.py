#!/usr/bin/env python3
"""The cluster soak's verdict on the rig manifest (tests/soak/cluster_soak.sh).

Each node's own session is checked by soak_check.py (journal, manifest,
files on disk with their size and hash, decoding, temporaries). This checks
the coordinator's SESSION/rig_manifest.json against the nodes:
  - the rig has exactly the expected number of finished sets, each number once;
  - every set names each NODE/CAMERA of the rig exactly once, either as a shot
    or as missing, and is complete exactly when nothing is missing;
  - every shot the rig manifest names is the same file (size, FNV-1a hash) in
    that node's own manifest, saved, and on that node's disk;
  - a NODE/CAMERA the rig names missing has no file in that node's manifest
    for that set (reported as late otherwise).

Prints "key=value" lines and exits 1 on any problem.
"""
import argparse
import json
import os
import sys

problems = []


def problem(msg):
    problems.append(msg)
    if len(problems) <= 50:
        print("PROBLEM: " + msg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rig", required=True, help="the coordinator's rig_manifest.json")
    ap.add_argument("--node", action="append", required=True, help="NODE=SESSION_DIR")
    ap.add_argument("--cameras", required=True, help="camera names, comma separated")
    ap.add_argument("--sets", type=int, required=True)
    a = ap.parse_args()
    with open(a.rig) as f:
        rig = json.load(f)
    nodes = dict(x.split("=", 1) for x in a.node)
    cams = a.cameras.split(",")
    everyone = sorted("%s/%s" % (n, c) for n in nodes for c in cams)
    own = {}
    for n, d in nodes.items():
        with open(os.path.join(d, "manifest.json")) as f:
            m = json.load(f)
        own[n] = {(s["set"], x["camera"]): x for s in m.get("sets", []) for x in s.get("shots", [])}
    sets = rig.get("sets", [])
    numbers = [s.get("set") for s in sets]
    if len(set(numbers)) != len(numbers):
        problem("rig set numbers used twice: %s" % sorted(n for n in set(numbers)
                                                         if numbers.count(n) > 1))
    unfinished = [s.get("set") for s in sets if not s.get("finished")]
    if unfinished:
        problem("rig sets never finished: %s" % unfinished[:20])
    if len(sets) != a.sets:
        problem("the rig manifest has %d sets, %d were shot" % (len(sets), a.sets))
    shots = late = incomplete = 0
    for s in sets:
        n = s.get("set")
        named = ["%s/%s" % (x["node"], x["camera"]) for x in s.get("shots", [])]
        missing = list(s.get("missing", []))
        if sorted(named + missing) != everyone:
            problem("set %s: shots %s + missing %s is not the rig %s" % (n, named, missing, everyone))
        if bool(s.get("complete")) != (not missing):
            problem("set %s: complete=%s, missing %s" % (n, s.get("complete"), missing))
        incomplete += 0 if s.get("complete") else 1
        for x in s.get("shots", []):
            shots += 1
            mine = own.get(x["node"], {}).get((n, x["camera"]))
            if not mine or mine.get("state") != "saved" or \
               (mine.get("file"), mine.get("size"), mine.get("hash")) != (x.get("file"), x.get("size"), x.get("hash")):
                problem("set %s %s/%s: the rig says %s %s %s, the node's manifest %s" %
                        (n, x["node"], x["camera"], x.get("file"), x.get("size"), x.get("hash"),
                         mine and (mine.get("state"), mine.get("file"), mine.get("size"))))
                continue
            path = os.path.join(nodes[x["node"]], x["file"])
            if not os.path.isfile(path) or os.path.getsize(path) != x.get("size"):
                problem("LOST: set %s %s/%s: %s is not on the node's disk as named" %
                        (n, x["node"], x["camera"], x["file"]))
        for nc in missing:
            node, cam = nc.split("/", 1)
            mine = own.get(node, {}).get((n, cam))
            if mine and mine.get("state") == "saved":
                late += 1
                problem("set %s: the rig names %s missing, but the node saved %s" %
                        (n, nc, mine.get("file")))
    print("rig_sets=%d" % len(sets))
    print("rig_complete=%d" % (len(sets) - incomplete))
    print("rig_incomplete=%d" % incomplete)
    print("rig_shots=%d" % shots)
    print("rig_missing_but_saved=%d" % late)
    print("rig_problems=%d" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
