"""While clients hammer the operator page, does a capture's trigger wait?

Measures, for captures sent on the control socket, the time from sending
the request to the set's first trigger (the earliest trigger_ns of its
shots in the manifest, CLOCK_REALTIME like the send time): with the page
idle and, in turns, with clients hammering the page with 1000 requests per
round (pages, scripts, the session, protocol requests, session files),
from several loopback addresses so the per-address rate limit lets more
of them through. Prints the figures as JSON.

usage: hammer.py SOCKET URL PASSWORD SESSION_DIR [ROUNDS]"""
import http.client
import json
import socket
import statistics
import sys
import threading
import time
import urllib.parse

SOCK, URL, PASSWORD, SESSION = sys.argv[1:5]
ROUNDS = int(sys.argv[5]) if len(sys.argv) > 5 else 5
HOST, PORT = urllib.parse.urlsplit(URL).hostname, urllib.parse.urlsplit(URL).port
ADDRS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]


def capture(req_id):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(120)
    s.connect(SOCK)
    t = time.time_ns()
    s.sendall(json.dumps({"v": 1, "id": req_id, "op": "capture"}).encode() + b"\n")
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError("socket closed")
        buf += chunk
        for line in buf.split(b"\n")[:-1]:
            m = json.loads(line)
            if m.get("id") == req_id and "event" not in m:
                s.close()
                if not m.get("ok"):
                    raise RuntimeError("capture failed: %s" % m)
                return t, m["sets"][0]["set"]
        buf = buf.split(b"\n")[-1] if not buf.endswith(b"\n") else b""


def first_trigger(set_no):
    deadline = time.time() + 30
    while time.time() < deadline:
        with open(SESSION + "/manifest.json") as f:
            man = json.load(f)
        for st in man["sets"]:
            if st["set"] == set_no:
                return min(sh["trigger_ns"] for sh in st["shots"] if sh.get("trigger_ns"))
        time.sleep(0.05)
    raise RuntimeError("set %d not in the manifest" % set_no)


def login(addr):
    c = http.client.HTTPConnection(HOST, PORT, timeout=30, source_address=(addr, 0))
    c.request("POST", "/login", body="password=" + urllib.parse.quote(PASSWORD),
              headers={"Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    cookie = r.getheader("Set-Cookie").split(";")[0]
    c.request("GET", "/api/session", headers={"Cookie": cookie})
    csrf = json.loads(c.getresponse().read())["csrf"]
    c.close()
    return cookie, csrf


class Hammer:
    def __init__(self, total, sessions):
        self.left = total
        self.lock = threading.Lock()
        self.codes = {}
        self.sessions = sessions
        self.name = SESSION.rstrip("/").split("/")[-1]

    def take(self):
        with self.lock:
            if self.left <= 0:
                return -1
            self.left -= 1
            return self.left

    def worker(self, addr):
        cookie, csrf = self.sessions[addr]
        c = None
        while True:
            n = self.take()
            if n < 0:
                break
            kind = n % 5
            try:
                if c is None:
                    c = http.client.HTTPConnection(HOST, PORT, timeout=30, source_address=(addr, 0))
                h = {"Cookie": cookie}
                if kind == 0:
                    c.request("GET", "/", headers=h)
                elif kind == 1:
                    c.request("GET", "/app.js", headers=h)
                elif kind == 2:
                    h.update({"X-CSRF-Token": csrf, "Content-Type": "application/json"})
                    c.request("POST", "/api", body='{"v":1,"id":%d,"op":"status"}' % n, headers=h)
                elif kind == 3:
                    c.request("GET", "/files/%s/manifest.json" % self.name, headers=h)
                else:
                    c.request("GET", "/api/session", headers=h)
                r = c.getresponse()
                r.read()
                code = r.status
                if r.getheader("Connection", "").lower() == "close":
                    c.close()
                    c = None
            except (OSError, http.client.HTTPException) as e:
                code = type(e).__name__
                if c:
                    c.close()
                c = None
            with self.lock:
                self.codes[code] = self.codes.get(code, 0) + 1
        if c:
            c.close()
        with self.lock:
            self.end_ns = max(getattr(self, "end_ns", 0), time.time_ns())


def main():
    sessions = {a: login(a) for a in ADDRS}
    base, loaded, rounds = [], [], []
    rid = 1000
    # idle and hammered captures take turns, so a change in the machine's
    # other load falls on both alike; the delay is taken per pair
    for _ in range(ROUNDS):
        rid += 1
        t, n = capture(rid)
        base.append((first_trigger(n) - t) / 1e6)
        time.sleep(0.2)
        h = Hammer(1000, sessions)
        threads = [threading.Thread(target=h.worker, args=(a,)) for a in ADDRS for _ in range(2)]
        t0 = time.time()
        for th in threads:
            th.start()
        time.sleep(0.15)  # the hammer is under way
        rid += 1
        t, n = capture(rid)
        for th in threads:
            th.join()
        took = time.time() - t0
        trig = first_trigger(n)
        loaded.append((trig - t) / 1e6)
        rounds.append({"requests": 1000, "seconds": round(took, 2), "codes": {str(k): v for k, v in h.codes.items()},
                       "idle_ms": round(base[-1], 1), "trigger_ms": round(loaded[-1], 1),
                       "hammer_still_running_at_trigger": trig < h.end_ns})
        time.sleep(0.2)
    pairs = [b - a for a, b in zip(base, loaded)]
    out = {
        "idle_ms": [round(x, 1) for x in base],
        "hammered_ms": [round(x, 1) for x in loaded],
        "idle_median_ms": round(statistics.median(base), 1),
        "hammered_median_ms": round(statistics.median(loaded), 1),
        "delay_median_ms": round(statistics.median(pairs), 1),
        "delay_max_ms": round(max(pairs), 1),
        "delay_pairs_ms": [round(x, 1) for x in pairs],
        "rounds": rounds,
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
