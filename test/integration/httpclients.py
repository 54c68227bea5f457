#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hostile HTTP clients for pflinkd's /metrics.  TEST ONLY (metrics.sh).

    httpclients.py garbage HOST PORT      binary junk, then a request line of junk
    httpclients.py bigheader HOST PORT    a 64 KiB header
    httpclients.py hold HOST PORT N SECS  N connections that send nothing
    httpclients.py slow HOST PORT N SECS  N connections that trickle a header,
                                          a byte a second (slowloris)

garbage/bigheader print the status line the server answered ("-" when it
closed without one).  hold/slow print "connected C closed K": of the N
connects, C succeeded and K were closed by the server within SECS.
Bounded: every socket has a timeout, every loop ends by SECS.
"""
import select
import socket
import sys
import time


def status(host, port, payload):
    s = socket.create_connection((host, port), timeout=5)
    try:
        s.sendall(payload)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        data = b""
    finally:
        s.close()
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    return line or "-"


def many(host, port, n, secs, trickle):
    socks = []
    for _ in range(n):
        try:
            s = socket.create_connection((host, port), timeout=2)
            s.setblocking(False)
            if trickle:
                s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            socks.append(s)
        except OSError:
            pass
    connected = len(socks)
    closed = set()
    end = time.monotonic() + secs
    next_byte = time.monotonic() + 1
    while time.monotonic() < end and len(closed) < connected:
        live = [s for s in socks if s not in closed]
        r, _, _ = select.select(live, [], [], 0.2)
        for s in r:
            try:
                if not s.recv(65536):
                    closed.add(s)
            except OSError:
                closed.add(s)
        if trickle and time.monotonic() >= next_byte:
            next_byte += 1
            for s in live:
                if s in closed:
                    continue
                try:
                    s.send(b"a")
                except OSError:
                    closed.add(s)
    for s in socks:
        s.close()
    return connected, len(closed)


def main(argv):
    mode, host, port = argv[1], argv[2], int(argv[3])
    if mode == "garbage":
        print(status(host, port, bytes(range(256)) * 4 + b"\r\nGARBAGE \x00\xff / HTTP/9\r\n\r\n"))
    elif mode == "bigheader":
        print(status(host, port, b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n"))
    elif mode in ("hold", "slow"):
        c, k = many(host, port, int(argv[4]), float(argv[5]), mode == "slow")
        print("connected %d closed %d" % (c, k))
    else:
        print("unknown mode " + mode, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
