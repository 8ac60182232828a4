#!/usr/bin/env python3
"""The soak's verdict on one session folder (tests/soak/soak.sh).

Compares three accounts of the same run, none trusted over the others:
  - what the cameras say: every picture a simulated PTP/IP camera took
    (its --served-dir copies, one folder per run of the simulator) and every
    picture the host deleted from it (--delete-log), i.e. took over;
  - what photorigd says: journal.jsonl and manifest.json;
  - what is on disk: the files, hashed and decoded by file_digest (the
    journal's FNV-1a 64, photorig's own decoders).

Invariants checked (each breach is printed as "PROBLEM: ..."):
  - every picture a PTP/IP camera handed over (deleted after download) is on
    disk exactly once, byte-identical, in its own position's folder: none
    lost, none twice, none in another camera's folder; every original of a
    PTP/IP position is byte-identical to a picture its camera took;
  - every file the journal saved (sim and PTP/IP) is on disk with its
    journaled size and hash, and decodes; every original on disk is
    journaled; no temporary file is left; every image file in the session
    decodes (no partial file under a final name);
  - an original the full disk had no room for (held) is written later, and
    none is journaled as lost;
  - every set began once, ended once, names every camera position, and is
    complete exactly when no camera is missing; its missing cameras are those
    with no file saved by its end; the manifest agrees with the journal;
  - a picture a PTP/IP camera took but never handed over (the camera was
    killed, or the picture is still on its card) is not lost: it is counted,
    and its camera must have been missing from as many sets.

Prints "key=value" lines (for the summary) and exits 1 on any problem.
"""
import argparse
import collections
import glob
import hashlib
import json
import os
import re
import subprocess
import sys

problems = []
GAPS_OK = False


def problem(msg):
    problems.append(msg)
    if len(problems) <= 50:
        print("PROBLEM: " + msg)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def log_fields(line):
    return dict(kv.split("=", 1) for kv in line.split() if "=" in kv)


def read_journal(path):
    lines = []
    with open(path, "rb") as f:
        for no, raw in enumerate(f, 1):
            try:
                lines.append(json.loads(raw))
            except ValueError:
                problem("journal line %d is not JSON: %r" % (no, raw[:80]))
    return lines


def digest(tool, paths):
    """{path: (hash, size, decoded_ok_or_reason)} for every path."""
    out = {}
    if not paths:
        return out
    r = subprocess.run([tool, "--decode"], input="\n".join(paths) + "\n",
                       capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if line.startswith("unreadable "):
            path = line[len("unreadable "):].split(": ", 1)[0]
            out[path] = (None, None, line)
            continue
        h, size, rest = line.split(" ", 2)
        if rest.endswith(" ok"):
            out[rest[:-3]] = (h, int(size), "ok")
        else:
            path, why = rest.split(" undecodable: ", 1)
            out[path] = (h, int(size), "undecodable: " + why)
    return out


def check_sets(journal, manifest, cameras, stats):
    """Set accounting: journal against itself and against the manifest."""
    begun, ended, saved_by_end = {}, {}, collections.defaultdict(dict)
    saved, held = {}, set()
    for o in journal:
        ev, n = o.get("ev"), o.get("set")
        if ev == "file_failed" and o.get("held"):
            held.add((n, o["camera"]))
        if ev == "file_failed" and o.get("lost"):
            problem("LOST: set %s %s: photorigd journals %s as lost" % (n, o["camera"],
                                                                    o.get("files")))
        if ev == "set_begun":
            if n in begun:
                problem("set %s begun twice" % n)
            begun[n] = [s["camera"] for s in o.get("shots", [])]
        elif ev == "file_saved":
            if n not in ended:
                saved_by_end[n][o["camera"]] = o["file"]
            saved.setdefault(n, {})[o["camera"]] = o
        elif ev == "set_end":
            if n in ended:
                problem("set %s ended twice" % n)
            ended[n] = o
    for n, cams in begun.items():
        if sorted(cams) != sorted(cameras):
            problem("set %s names cameras %s, the rig has %s" % (n, cams, cameras))
        if n not in ended:
            problem("set %s never ended" % n)
            continue
        e = ended[n]
        missing = sorted(e.get("missing", []))
        no_file = sorted(c for c in cams if c not in saved_by_end[n])
        if missing != no_file:
            problem("set %s: set_end names %s missing, but %s had no file by then" %
                    (n, missing, no_file))
        if bool(e.get("complete")) != (not missing):
            problem("set %s: complete=%s with missing %s" % (n, e.get("complete"), missing))
    numbers = sorted(ended)
    # a node of a multi-node rig that was down misses the rig's sets meanwhile
    if numbers and numbers != list(range(1, len(numbers) + 1)) and not GAPS_OK:
        problem("set numbers are not 1..%d without gaps" % len(numbers))
    stats["sets"] = len(ended)
    stats["sets_complete"] = sum(1 for e in ended.values() if e.get("complete"))
    stats["sets_incomplete"] = len(ended) - stats["sets_complete"]
    stats["late_files"] = sum(1 for n in saved for o in saved[n].values() if o.get("late"))
    # originals the full disk had no room for: held, then written
    stats["held"] = len(held)
    for n, cam in sorted(held):
        if cam not in saved.get(n, {}):
            problem("set %s %s: held for disk space and never written" % (n, cam))
    missing_by_cam = collections.Counter(c for e in ended.values() for c in e.get("missing", []))

    msets = {s["set"]: s for s in manifest.get("sets", [])}
    if sorted(msets) != numbers:
        problem("manifest has sets %d..%d (%d), journal ended %d" %
                (min(msets or [0]), max(msets or [0]), len(msets), len(numbers)))
    for n, s in msets.items():
        e = ended.get(n)
        if not e:
            continue
        if bool(s.get("complete")) != bool(e.get("complete")):
            problem("set %s: manifest complete=%s, journal %s" % (n, s.get("complete"),
                                                                   e.get("complete")))
        for shot in s.get("shots", []):
            j = saved.get(n, {}).get(shot["camera"])
            if shot.get("state") == "saved":
                if not j or (j["file"], j["size"], j["hash"]) != (shot.get("file"),
                                                                 shot.get("size"),
                                                                 shot.get("hash")):
                    problem("set %s %s: manifest file %s not as journaled" %
                            (n, shot["camera"], shot.get("file")))
            elif j:
                problem("set %s %s: journal saved %s, manifest says %s" %
                        (n, shot["camera"], j["file"], shot.get("state")))
        late = sorted(c for c, o in saved.get(n, {}).items() if o.get("late"))
        if sorted(set(e.get("missing", [])) - set(late)) != sorted(s.get("missing", [])):
            problem("set %s: manifest misses %s, journal %s (late: %s)" %
                    (n, s.get("missing"), e.get("missing"), late))
    return saved, missing_by_cam


def check_files(session, journal, tool, stats):
    """Every journaled original on disk as journaled; nothing unjournaled."""
    files = {}
    for o in journal:
        if o.get("ev") == "file_saved":
            for f in [o] + o.get("extra_files", []):
                if f["file"] in files:
                    problem("%s journaled as saved twice" % f["file"])
                files[f["file"]] = (f["size"], f["hash"])
    # truth/: the sim cameras' exact alphas, a test aid photorigd writes
    # beside the outputs (PHOTORIG_SIM_TRUTH), not one of them
    images = [p for p in glob.glob(os.path.join(session, "**", "*"), recursive=True)
              if re.search(r"\.(jpe?g|png|tiff?)$", p, re.I) and "/truth/" not in p]
    d = digest(tool, images)
    for rel, (size, h) in files.items():
        got = d.get(os.path.join(session, rel))
        if not got:
            problem("journaled original %s is not on disk" % rel)
        elif (got[0], got[1]) != (h, size):
            problem("%s: on disk %s %s bytes, journal %s %s bytes" % (rel, got[0], got[1],
                                                                      h, size))
    undecodable = [p for p, v in d.items() if v[2] != "ok"]
    for p in undecodable[:10]:
        problem("%s: %s" % (p, d[p][2]))
    stats["image_files"] = len(d)
    stats["undecodable"] = len(undecodable)
    originals = set()
    for p in images:
        rel = os.path.relpath(p, session)
        m = re.match(r"^(cam\d+)/\1_\d{4}(_\d+)?\.jpg$", rel)
        if m:
            originals.add(rel)
            if rel not in files:
                problem("original %s is on disk but not in the journal" % rel)
    temps = [p for p in glob.glob(os.path.join(session, "**", ".*"), recursive=True)]
    for p in temps[:10]:
        problem("temporary file left: %s" % p)
    stats["originals_on_disk"] = len(originals)
    stats["originals_journaled"] = len(files)
    return originals


def check_ptpip(session, cam, serial, served_root, deleted_log, plate_hashes, originals,
                where, missing_sets, stats):
    """One PTP/IP camera's pictures against what is on disk."""
    taken = {}
    for p in sorted(glob.glob(os.path.join(served_root, "served-" + serial, "run-*", "IMG_*.JPG"))):
        h = sha256(p)
        if h in taken:
            problem("%s: camera %s took the same picture twice (%s)" % (p, serial, taken[h]))
        taken[h] = p
    handed = set()
    with open(deleted_log) as f:
        for line in f:
            kv = log_fields(line)
            if kv.get("serial") == serial and kv.get("status") == "deleted":
                handed.add(kv["sha256"])
    on_disk = collections.Counter()
    for rel in originals:
        if rel.startswith(cam + "/"):
            h = sha256(os.path.join(session, rel))
            on_disk[h] += 1
            if h not in taken:
                problem("%s is not a picture %s took (%s)" % (rel, serial,
                        "it is %s's" % where[h] if h in where else "unknown"))
    for h, n in on_disk.items():
        if n > 1:
            problem("%s: a picture of %s is on disk %d times" % (cam, serial, n))
    shots = {h for h in taken if h not in plate_hashes}
    lost = [h for h in shots if h in handed and on_disk[h] == 0]
    for h in lost:
        problem("LOST: %s handed %s to photorigd, and it is not in %s/" % (serial, taken[h], cam))
    left = [h for h in shots if h not in handed and on_disk[h] == 0]
    if len(left) > missing_sets:
        problem("%s: %d pictures never reached photorigd, but it was missing from only "
                "%d sets" % (cam, len(left), missing_sets))
    stats["ptpip_taken"] += len(shots)
    stats["ptpip_delivered"] += sum(1 for h in shots if h in handed or on_disk[h])
    stats["ptpip_on_disk"] += sum(1 for h in shots if on_disk[h])
    stats["ptpip_left_on_camera"] += len(left)
    stats["ptpip_lost"] += len(lost)
    stats["plate_frames"] += len(plate_hashes & set(taken))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--session", required=True)
    ap.add_argument("--digest", required=True, help="the file_digest program")
    ap.add_argument("--served-root", required=True, help="holds served-SERIAL/run-K/")
    ap.add_argument("--deleted-log", required=True)
    ap.add_argument("--plates", required=True, help="sha256 of plate frames, one a line")
    ap.add_argument("--ptpip", action="append", default=[], help="CAMERA=SERIAL")
    ap.add_argument("--sim", action="append", default=[], help="CAMERA")
    ap.add_argument("--gaps-ok", action="store_true",
                    help="set numbers may skip (a cluster node that was down)")
    a = ap.parse_args()
    global GAPS_OK
    GAPS_OK = a.gaps_ok

    journal = read_journal(os.path.join(a.session, "journal.jsonl"))
    with open(os.path.join(a.session, "manifest.json")) as f:
        manifest = json.load(f)
    with open(a.plates) as f:
        plate_hashes = {l.strip() for l in f if l.strip()}
    ptpip = dict(x.split("=", 1) for x in a.ptpip)
    cameras = sorted(list(ptpip) + a.sim)
    stats = collections.Counter()
    saved, missing_by_cam = check_sets(journal, manifest, cameras, stats)
    originals = check_files(a.session, journal, a.digest, stats)
    where = {}
    for rel in originals:
        where[sha256(os.path.join(a.session, rel))] = rel
    for cam, serial in sorted(ptpip.items()):
        check_ptpip(a.session, cam, serial, a.served_root, a.deleted_log, plate_hashes,
                    originals, where, missing_by_cam[cam], stats)
    sim_saved = sum(1 for n in saved for c in saved[n] if c in a.sim)
    stats["sim_delivered"] = sim_saved
    stats["delivered"] = stats["ptpip_delivered"] + sim_saved
    stats["on_disk"] = stats["ptpip_on_disk"] + sim_saved
    stats["lost"] = stats["ptpip_lost"]
    stats["missing_shots"] = sum(missing_by_cam.values())
    for k in sorted(stats):
        print("%s=%d" % (k, stats[k]))
    print("problems=%d" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
