"""The operator page in a real browser (Debian's chromium, headless, driven
through chromedriver): log in, see the four cameras of a sim rig, record
plates, start a session, capture from the page and see the set's tiles,
open a shot with its mask, run a turntable scan and follow its progress,
take a preview, and keep screenshots at 1280x800 and 768x1024.

usage: page_test.py URL PASSWORD ARTIFACT_DIR PROFILE_DIR"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import Browser, WebDriverError  # noqa: E402

PASSES = 0
FAILS = 0


def ok(what):
    global PASSES
    PASSES += 1
    print("ok: " + what, flush=True)


def fail(what):
    global FAILS
    FAILS += 1
    print("FAIL: " + what, flush=True)


def check(cond, what):
    (ok if cond else fail)(what)
    return cond


RESULT = "return document.getElementById('result').className + '|' + document.getElementById('result').textContent"
TILE_SHOTS = "return Array.from(document.querySelectorAll('.tile .shot')).map(e => e.textContent)"
# pixels of the mask outline colour (magenta) in a canvas
MAGENTA = """
const c = arguments[0] ? document.querySelector(arguments[0]) : null;
if (!c || !c.width) return -1;
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let n = 0, lit = 0;
for (let i = 0; i < d.length; i += 4) {
  if (d[i] === 255 && d[i + 1] === 0 && d[i + 2] === 255) n++;
  if (d[i] + d[i + 1] + d[i + 2] > 60) lit++;
}
return lit > c.width * c.height / 4 ? n : -2;
"""


VIEWER_MASK = """
const c = document.getElementById('viewer-canvas');
if (c.width < 600) return 0;
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let n = 0;
for (let i = 0; i < d.length; i += 4) if (d[i] === 255 && d[i + 1] === 0 && d[i + 2] === 255) n++;
return n > 100 ? n : 0;
"""


def wait_result(b, text, timeout, what):
    """Wait until the result line is not busy; it must then contain text."""
    v = b.wait("const r = document.getElementById('result');"
               "return r.className !== 'busy' && r.textContent ? r.className + '|' + r.textContent : null",
               timeout, what)
    check(text in v and v.startswith("ok|"), "%s: the page says '%s'" % (what, v.split("|", 1)[1]))
    return v


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    return struct.unpack(">II", head[16:24])


def main():
    url, password, art, profile = sys.argv[1:5]
    os.makedirs(art, exist_ok=True)
    b = Browser(profile, os.path.join(art, "chromedriver.log"))
    try:
        run(b, url, password, art)
    except WebDriverError as e:
        fail("browser: %s" % e)
        try:
            b.screenshot(os.path.join(art, "failure.png"))
            print(b.js("return document.body.innerText")[:3000])
        except Exception:
            pass
    finally:
        b.close()
    print("%d passed, %d failed" % (PASSES, FAILS))
    return 1 if FAILS else 0


def run(b, url, password, art):
    b.get(url)
    check(b.js("return !!document.getElementById('password')"), "without a login the page is the login form")
    b.type("#password", "not the password")
    b.click("#login")
    time.sleep(0.3)
    check(b.js("return !!document.getElementById('password') && !document.querySelector('.tile')"),
          "a wrong password does not get in")
    b.type("#password", password)
    b.click("#login")
    n = b.wait("return document.querySelectorAll('.tile').length === 4 && "
               "document.querySelectorAll('.tile .state')[3].textContent === 'READY' ? 4 : 0", 30,
               "four camera tiles")
    names = b.js("return Array.from(document.querySelectorAll('.tile .name')).map(e => e.textContent)")
    check(n == 4 and names == ["cam01", "cam02", "cam03", "cam04"], "the page shows the four cameras: %s" % names)
    b.wait("return document.getElementById('live').textContent === 'live'", 10, "the live event stream")
    ok("the event stream is connected")

    # an action that fails says why, in words
    b.type("#session-name", "bad/name")
    b.click("#session-start")
    v = b.wait("const r = document.getElementById('result'); return r.className === 'error' ? r.textContent : null",
               10, "an error")
    check("session" in v and "name" in v, "a refused action says why: '%s'" % v)

    b.click("#plate")
    wait_result(b, "plates recorded: cam01 ok, cam02 ok, cam03 ok, cam04 ok", 180, "record plates")
    b.type("#session-name", "web-1")
    b.click("#session-start")
    wait_result(b, "session web-1 active", 30, "session start")

    b.click("#capture")
    t_click = time.time()
    wait_result(b, "captured 1 set: set 1 complete", 180, "capture")
    t_reply = time.time()
    b.wait("return Array.from(document.querySelectorAll('.tile .shot')).every(e => e.textContent.startsWith('set 1: foreground'))",
           2, "the set's tiles")
    t_tiles = time.time()
    check(t_tiles - t_reply <= 2.0, "the set's four tiles appear within 2 s of the set (%.2f s after the "
          "capture's reply, %.2f s after the click)" % (t_tiles - t_reply, t_tiles - t_click))
    # cam04's shots are clipped white: its mask is the whole frame, no outline
    outlined = b.wait("return [1,2,3].map(i => document.querySelector('.tile:nth-child(' + i + ') canvas'))"
                      ".every(c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                      " for (let i = 0; i < d.length; i += 4) if (d[i] === 255 && d[i+1] === 0 && d[i+2] === 255) return true;"
                      " return false; })", 5, "thumbnails with mask outlines")
    check(outlined, "each tile has the shot's thumbnail with the mask's outline (cam01..cam03)")
    flags = b.js("return Array.from(document.querySelectorAll('.tile .flags')).map(e => e.textContent)")
    check(flags[3].startswith("SUSPECT: mostly clipped") and "STALE PLATE" in flags[3] and not any("SUSPECT" in f for f in flags[:3]),
          "the over-exposed camera's tile is flagged suspect, with why, the others healthy: %s" % flags)
    print("  tiles: %s" % b.js(TILE_SHOTS))

    b.click(".tile:nth-child(2) canvas")
    b.wait("return !document.getElementById('viewer').classList.contains('hidden')", 5, "the viewer")
    n = b.wait(VIEWER_MASK, 10, "the full image with its mask")
    check(n > 100, "a click opens the full image (%s) with its mask over it" %
          b.js("return document.getElementById('viewer-title').textContent"))
    b.viewport(1280, 800)
    b.screenshot(os.path.join(art, "viewer-1280x800.png"))
    b.click("#viewer-close")

    sheet = b.wait("const i = document.querySelector('.set img'); return i && i.complete && i.naturalWidth ? i.alt : null",
                   20, "the set's contact sheet")
    check(sheet == "contact sheet of set 1", "the last set's contact sheet is shown (%s)" % sheet)

    # a turntable scan from the page, followed live
    b.type("#scan-steps", "4")
    b.click("#scan-start")
    seen = set()
    widths = set()
    deadline = time.time() + 240
    while time.time() < deadline:
        t = b.js("return document.getElementById('scan-text').textContent")
        w = b.js("return document.getElementById('scan-bar').style.width")
        seen.add(t)
        widths.add(w)
        if " done:" in t and "4 done" in t:
            break
        time.sleep(0.1)
    running = sorted(s for s in seen if "running" in s)
    print("  scan texts seen: %s" % sorted(seen))
    check(any("running: step" in s and "left" in s for s in running),
          "the scan's progress shows while it runs, with the time left")
    check(len([w for w in widths if w not in ("", "0%", "100%")]) >= 1,
          "the progress bar moves (%s)" % sorted(widths))
    check(any("scan 1 done" in s and "4 done" in s for s in seen), "the scan ends done, 4 of 4 steps")

    # preview of one camera
    b.click(".tile:nth-child(3) .preview")
    info = b.wait("const t = document.getElementById('preview-info').textContent;"
                  "return t.startsWith('sharpness') || t.startsWith('preview failed') ? t : null", 60, "a preview")
    check(info.startswith("sharpness"), "a preview of cam03 appears: '%s'" % info)
    n = b.js(MAGENTA, "#preview-canvas")
    check(n > 0, "the preview shows where the mask would fall against the plate (%d outline pixels)" % n)
    b.viewport(1280, 800)
    b.js("document.getElementById('preview-box').scrollIntoView()")
    time.sleep(0.3)
    b.screenshot(os.path.join(art, "preview-1280x800.png"))
    settings_test(b, art)
    b.wait("return Array.from(document.querySelectorAll('.tile .shot')).every(e => e.textContent.startsWith('set 5:'))",
           120, "the scan's last set in the tiles")
    ok("the tiles follow the scan's sets as they are masked: %s" % b.js(TILE_SHOTS))

    b.viewport(1280, 800)
    b.js("window.scrollTo(0, 0)")
    time.sleep(0.3)
    b.screenshot(os.path.join(art, "page-1280x800.png"))
    b.viewport(768, 1024)
    b.js("window.scrollTo(0, 0)")
    time.sleep(0.3)
    b.screenshot(os.path.join(art, "page-768x1024.png"))
    for name, size in (("page-1280x800.png", (1280, 800)), ("page-768x1024.png", (768, 1024))):
        got = png_size(os.path.join(art, name))
        check(got == size, "screenshot %s is %dx%d" % (name, got[0], got[1]))


CELL = "const td = document.querySelector('tr[data-key=\"' + arguments[0] + '\"] td[data-camera=\"' + arguments[1] + '\"]');" \
    "return td ? td.className + '|' + td.querySelector('select').value : null"


def iso_row(b):
    return [b.js(CELL, "iso", c) for c in ("cam01", "cam02", "cam03", "cam04")]


def select(b, css, value):
    """Choose value in a <select> and fire its change event, as a user would."""
    b.js("const s = document.querySelector(arguments[0]); s.value = arguments[1];"
         "s.dispatchEvent(new Event('change'))", css, value)


def settings_test(b, art):
    b.click("#settings-read")
    b.wait("return document.querySelectorAll('table.settings th').length >= 5 && "
           "!!document.querySelector('tr[data-key=\"iso\"]')", 60, "the settings table")
    heads = b.js("return Array.from(document.querySelectorAll('table.settings tr:first-child th')).map(e => e.textContent)")
    keys = b.js("return Array.from(document.querySelectorAll('table.settings tr[data-key]')).map(e => e.dataset.key)")
    check(heads[1:5] == ["cam01", "cam02", "cam03", "cam04"] and "iso" in keys and "shutterspeed" in keys,
          "each camera's key settings side by side: %s" % keys)
    check(iso_row(b) == ["|100"] * 4, "all four at iso 100, none marked: %s" % iso_row(b))
    # one camera
    select(b, 'tr[data-key="iso"] td[data-camera="cam02"] select', "200")
    b.wait("const t = document.getElementById('result').textContent; return t.startsWith('iso = 200 on cam02') && "
           "document.querySelector('tr[data-key=\"iso\"] td[data-camera=\"cam02\"]').className === 'differs'",
           60, "cam02 at iso 200")
    row = iso_row(b)
    check(row == ["|100", "differs|200", "|100", "|100"],
          "iso 200 set on cam02 alone is read back and marked as differing from the rest: %s" % row)
    b.js("document.getElementById('settings-box').scrollIntoView()")
    b.viewport(1280, 800)
    time.sleep(0.3)
    b.screenshot(os.path.join(art, "settings-1280x800.png"))
    # all cameras
    select(b, 'tr[data-key="iso"] td.all select', "400")
    b.click('tr[data-key="iso"] td.all button')
    b.wait("return document.getElementById('result').textContent.startsWith('iso = 400 on all cameras') && "
           "document.querySelector('tr[data-key=\"iso\"] td[data-camera=\"cam02\"] select').value === '400'",
           60, "iso 400 on all")
    res = b.js("return document.getElementById('result').textContent")
    check(all(("%s reads back 400" % c) in res for c in ("cam01", "cam02", "cam03", "cam04")),
          "iso 400 set on all cameras, each reads it back: '%s'" % res)
    row = iso_row(b)
    check(row == ["|400"] * 4, "after a fresh read all four show 400, none marked: %s" % row)


if __name__ == "__main__":
    sys.exit(main())
