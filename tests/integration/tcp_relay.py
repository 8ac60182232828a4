#!/usr/bin/env python3
"""A TCP relay on 127.0.0.1 for the cluster tests: LISTEN_PORT -> TARGET_PORT.

    tcp_relay.py PORTFILE TARGET_PORT

Binds a free port on 127.0.0.1, writes it to PORTFILE, and relays every
connection to 127.0.0.1:TARGET_PORT, both ways, byte for byte. The test
freezes it with SIGSTOP to cut one node off the broker at a chosen moment
while the node itself runs on: the node's messages wait in the relay's
socket buffers and reach no one, exactly as over a network that went silent.
"""
import os
import socket
import sys
import threading


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main():
    portfile, target = sys.argv[1], int(sys.argv[2])
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(tmp, portfile)
    while True:
        c, _ = ls.accept()
        try:
            u = socket.create_connection(("127.0.0.1", target), timeout=5)
            u.settimeout(None)
        except OSError:
            c.close()
            continue
        for a, b in ((c, u), (u, c)):
            threading.Thread(target=pump, args=(a, b), daemon=True).start()


if __name__ == "__main__":
    main()
