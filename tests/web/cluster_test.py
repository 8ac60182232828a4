"""The operator page of one node of a cluster, in a real browser: every
node's cameras appear as NODE/CAMERA tiles, and when another node goes away
its cameras stand out as offline. The shell side (web_cluster.sh) kills the
other node when this script prints "kill" and reads a line back.

usage: cluster_test.py URL PASSWORD ARTIFACT_DIR PROFILE_DIR"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import Browser, WebDriverError  # noqa: E402
from page_test import check, ok, fail  # noqa: E402
import page_test  # noqa: E402

TILES = ("return Array.from(document.querySelectorAll('.tile')).map(t => t.dataset.camera + '|' + "
         "t.className + '|' + t.querySelector('.state').textContent)")
WANT = ["ws1/cam01", "ws1/cam02", "ws2/cam01", "ws2/cam02"]


def run(b, url, password, art):
    b.get(url)
    b.type("#password", password)
    b.click("#login")
    tiles = b.wait("const t = " + TILES[7:] + "; return t.length === 4 && t.every(x => x.endsWith('READY')) ? t : null",
                   30, "four ready tiles")
    check([t.split("|")[0] for t in tiles] == WANT, "the page shows every node's cameras: %s" % tiles)
    line = b.js("return document.querySelector('.tile[data-camera=\"ws2/cam01\"] .serial').textContent")
    check(line.startswith("node ws2"), "a remote camera says which node has it: '%s'" % line)
    summary = b.js("return document.getElementById('summary').textContent")
    check("nodes ws1, ws2" in summary, "the summary names the nodes: '%s'" % summary)
    print("kill", flush=True)
    sys.stdin.readline()
    t0 = time.time()
    tiles = b.wait("const t = " + TILES[7:] + "; return t.filter(x => x.startsWith('ws2/'))"
                   ".every(x => x.includes('tile offline') && x.endsWith('NODE OFFLINE')) ? t : null",
                   30, "the other node's cameras offline")
    check(all("READY" in t for t in tiles if t.startswith("ws1/")),
          "when node ws2 goes away its cameras stand out as offline (%.1f s), ws1's stay ready: %s"
          % (time.time() - t0, tiles))
    summary = b.wait("const s = document.getElementById('summary').textContent; return s.includes('ws2 OFFLINE') ? s : null",
                     10, "the summary")
    ok("the summary says so: '%s'" % summary)
    b.viewport(1280, 800)
    b.js("window.scrollTo(0, 0)")
    time.sleep(0.3)
    b.screenshot(os.path.join(art, "cluster-1280x800.png"))


def main():
    url, password, art, profile = sys.argv[1:5]
    os.makedirs(art, exist_ok=True)
    b = Browser(profile, os.path.join(art, "chromedriver-cluster.log"))
    try:
        run(b, url, password, art)
    except WebDriverError as e:
        fail("browser: %s" % e)
    finally:
        b.close()
    print("%d passed, %d failed" % (page_test.PASSES, page_test.FAILS))
    return 1 if page_test.FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
