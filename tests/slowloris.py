#!/usr/bin/env python3
"""Slow HTTP clients against a server on loopback, for the serve tests.

usage: slowloris.py PORT CLIENTS SECONDS EVERY STATE_FILE

Opens CLIENTS connections to 127.0.0.1:PORT, each sending the first line
of a request, then one more header line every EVERY seconds, never the
end of the head.  A connection the server closed is opened again at the
next round, as slowloris tools do.  Stops after SECONDS at most.

STATE_FILE is rewritten after each round: "rounds R open O closed C
first_close F", where F is the number of seconds from the start to the
first close by the server that was seen (-1: none); with one client and
a server not full, that is the server's deadline for the request head.
"""

import os
import select
import socket
import sys
import time


def main():
    port = int(sys.argv[1])
    clients = int(sys.argv[2])
    seconds = float(sys.argv[3])
    every = float(sys.argv[4])
    state = sys.argv[5]
    start = time.monotonic()
    socks = [None] * clients
    closed = 0
    first_close = -1.0
    rounds = 0

    def connect():
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            s.sendall(b"GET /_status HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            s.setblocking(False)
            return s
        except OSError:
            return None

    while time.monotonic() - start < seconds:
        now = time.monotonic()
        for i in range(clients):
            s = socks[i]
            alive = s is not None
            if alive:
                r, _, _ = select.select([s], [], [], 0)
                if r:
                    try:
                        alive = s.recv(4096) != b""
                    except OSError:
                        alive = False
            if alive:
                try:
                    s.sendall(b"X-Slow-%d: 1\r\n" % rounds)
                except OSError:
                    alive = False
            if s is not None and not alive:
                closed += 1
                if first_close < 0:
                    first_close = now - start
                s.close()
                s = None
            if s is None:
                s = connect()
            socks[i] = s
        rounds += 1
        nopen = sum(1 for s in socks if s is not None)
        tmp = state + ".tmp"
        with open(tmp, "w") as f:
            f.write("rounds %d open %d closed %d first_close %.2f\n" %
                    (rounds, nopen, closed, first_close))
        os.rename(tmp, state)
        time.sleep(every)
    for s in socks:
        if s is not None:
            s.close()


if __name__ == "__main__":
    main()
