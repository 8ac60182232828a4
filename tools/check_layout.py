#!/usr/bin/env python3
"""The layout check (ARCHITECTURE.md, "Floors and rooms"): run by ctest as
`layout` and so by CI. It fails, naming file and line, on

  - an #include "..." that runs against the allowed arrows between folders
    (for example core/mask including protocol.h, tools/ including a daemon
    header), or a NAME_internal.h included from outside its own folder;
  - a source file over 600 lines in core/, daemon/, drivers/, config/ or
    tools/ (simulators and tests aside), or a header in daemon/ over 250;
  - a comment naming a .c or .h file that does not exist.

Usage: tools/check_layout.py [REPO_DIR]   (default: the repository holding
this script). Exit 0 when the tree is clean, 1 with one line per finding.
"""
import os
import re
import subprocess
import sys

# Which folders each folder's sources may include from (itself always).
# Arrows point down only: daemon -> drivers, config -> core; tools -> core.
CORE = ["core/base", "core/image", "core/mask", "core/outputs", "core/protocol", "core/scene"]
ALLOWED = {
    "core/base": [],
    "core/image": ["core/base"],
    "core/mask": ["core/image", "core/base"],
    "core/outputs": ["core/mask", "core/image", "core/base"],
    "core/protocol": ["core/base"],
    "core/scene": ["core/image", "core/base"],
    "config": ["core/outputs", "core/mask", "core/scene", "core/image", "core/base"],
    "drivers": ["core/scene", "core/image", "core/base"],
    "daemon": ["config", "drivers"] + CORE,
    "tools": ["config", "drivers"] + CORE,
    # The simulators stand alone: they play the devices, not photorig.
    "tools/ptpip_sim": [],
    "tools/serial_sim": [],
}
# Folders whose files are held to the size limits.
SIZE_CHECKED = ["core/", "daemon/", "drivers/", "config/", "tools/"]
SIZE_EXEMPT = ["tools/ptpip_sim/", "tools/serial_sim/"]
MAX_LINES = 600
MAX_DAEMON_HEADER = 250

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
FILE_TOKEN = re.compile(r"(?<![\w./-])([\w./-]*\w\.[ch])\b(?![\w-])")


def tracked_files(repo):
    """The files git tracks; outside a git checkout, every file but build trees."""
    try:
        out = subprocess.run(["git", "-C", repo, "ls-files"], capture_output=True, text=True,
                             check=True).stdout
        return [f for f in out.split("\n") if f and os.path.exists(os.path.join(repo, f))]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for root, dirs, names in os.walk(repo):
            dirs[:] = [d for d in dirs if not d.startswith((".", "build"))]
            files += [os.path.relpath(os.path.join(root, n), repo) for n in names]
        return files


def folder_of(path):
    """The room a file belongs to: the longest key of ALLOWED it lies in."""
    best = None
    for room in ALLOWED:
        if path.startswith(room + "/") and (best is None or len(room) > len(best)):
            best = room
    return best


def check_includes(repo, files, findings):
    by_name = {}
    for f in files:
        by_name.setdefault(os.path.basename(f), []).append(f)
    for f in files:
        room = folder_of(f)
        if room is None or not f.endswith((".c", ".h")):
            continue
        with open(os.path.join(repo, f), errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                name = os.path.basename(m.group(1))
                targets = by_name.get(name, [])
                same = [t for t in targets if os.path.dirname(t) == os.path.dirname(f)]
                target = same[0] if same else (targets[0] if len(targets) == 1 else None)
                if target is None:
                    continue  # a system or generated header
                troom = folder_of(target)
                if name.endswith("_internal.h") and os.path.dirname(target) != os.path.dirname(f):
                    findings.append(f"{f}:{lineno}: includes {target}, internal to its own folder")
                elif troom is not None and troom != room and troom not in ALLOWED[room]:
                    findings.append(f"{f}:{lineno}: includes {target}: {room} may not use {troom}"
                                    f" (allowed: {', '.join(ALLOWED[room]) or 'nothing'})")


def check_sizes(repo, files, findings):
    for f in files:
        if not f.endswith((".c", ".h")) or not any(f.startswith(p) for p in SIZE_CHECKED):
            continue
        if any(f.startswith(p) for p in SIZE_EXEMPT):
            continue
        with open(os.path.join(repo, f), errors="replace") as fh:
            n = sum(1 for _ in fh)
        limit = MAX_DAEMON_HEADER if f.startswith("daemon/") and f.endswith(".h") else MAX_LINES
        if n > limit:
            findings.append(f"{f}:{n}: {n} lines, over the limit of {limit}")


def system_header(name):
    for root in ("/usr/include", "/usr/local/include"):
        if os.path.exists(os.path.join(root, name)):
            return True
    return False


def generated_names(repo, files):
    """Files the build generates (named in a CMakeLists.txt or .cmake file)."""
    names = set()
    for f in files:
        if f.endswith(("CMakeLists.txt", ".cmake")):
            with open(os.path.join(repo, f), errors="replace") as fh:
                names |= set(re.findall(r"[\w.-]+\.[ch]\b", fh.read()))
    return names


def check_comment_names(repo, files, findings):
    paths = set(files)
    names = {os.path.basename(f) for f in files} | generated_names(repo, files)
    for f in files:
        if not f.endswith((".c", ".h")):
            continue
        with open(os.path.join(repo, f), errors="replace") as fh:
            text = fh.read()
        for m in COMMENT.finditer(text):
            for t in FILE_TOKEN.finditer(m.group(0)):
                name = t.group(1)
                if re.search(r"[A-Z]{2,}", os.path.basename(name)):
                    continue  # a pattern such as cmd_NAME.c
                if "/" in name:
                    rel = os.path.normpath(os.path.join(os.path.dirname(f), name))
                    ok = name in paths or rel in paths or system_header(name)
                else:
                    ok = name in names or system_header(name)
                if not ok:
                    lineno = text.count("\n", 0, m.start() + t.start()) + 1
                    findings.append(f"{f}:{lineno}: a comment names {name}, which does not exist")


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))
    files = tracked_files(repo)
    findings = []
    check_includes(repo, files, findings)
    check_sizes(repo, files, findings)
    check_comment_names(repo, files, findings)
    for line in findings:
        print(line)
    if findings:
        print(f"check_layout: {len(findings)} finding(s); the arrows and limits are in"
              " ARCHITECTURE.md")
        return 1
    print(f"check_layout: {len(files)} files, layout clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
