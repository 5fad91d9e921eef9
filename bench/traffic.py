#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Request/response TCP traffic for the tcpdiag benchmark capture.

Only talks to the address given on the command line, which
make_bench_capture.sh sets to an address inside a network namespace it
created. Every loop is bounded (connection count, requests per connection,
socket timeouts, an overall deadline).

  traffic.py server --addr A --ports P1,P2
      Threaded server. Per request it reads a 9-byte header
      (!IIB: response length, body length, flags), the body, then sends the
      response. Flag 1: close after this response (server closes first).

  traffic.py client --addr A --ports P1,P2 --conns N ...
      Opens N connections with bounded concurrency, each doing a random
      number of requests of random sizes, then a few refused / unanswered /
      ICMP-rejected connection attempts. --bulk BYTES: each connection makes
      one request for BYTES (long bulk streams); --tiny: each makes one
      request for 100-1400 bytes (as many short streams as possible).
"""
import argparse
import random
import socket
import struct
import sys
import threading
import time

HDR = struct.Struct("!IIB")
FLAG_SERVER_CLOSE = 1
TIMEOUT = 15.0


def drain(sock, n):
    """Read n bytes and drop them (bulk responses)."""
    buf = bytearray(65536)
    while n > 0:
        k = sock.recv_into(buf, min(n, len(buf)))
        if not k:
            raise ConnectionError("EOF")
        n -= k


def recv_exact(sock, n):
    chunks = []
    while n > 0:
        b = sock.recv(min(n, 65536))
        if not b:
            raise ConnectionError("EOF")
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


# ---------------------------------------------------------------- server
def serve_conn(conn):
    payload = b"x" * 65536
    try:
        conn.settimeout(TIMEOUT)
        for _ in range(1000):                       # bounded
            try:
                hdr = recv_exact(conn, HDR.size)
            except ConnectionError:
                break                                # client closed first
            resp_len, body_len, flags = HDR.unpack(hdr)
            if body_len:
                recv_exact(conn, body_len)
            resp_len = min(resp_len, 1 << 28)          # bounded: 256 MB
            while resp_len > 0:
                k = min(resp_len, len(payload))
                conn.sendall(payload[:k])
                resp_len -= k
            if flags & FLAG_SERVER_CLOSE:
                break
    except OSError:
        pass
    finally:
        conn.close()


def server(args):
    socks = []
    for p in args.ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((args.addr, p))
        s.listen(1024)
        socks.append(s)

    def acceptor(s):
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            threading.Thread(target=serve_conn, args=(c,), daemon=True).start()

    for s in socks:
        threading.Thread(target=acceptor, args=(s,), daemon=True).start()
    print("server listening on %s %s" % (args.addr, args.ports), flush=True)
    # Runs until killed by the capture script (bounded by --lifetime).
    time.sleep(args.lifetime)


# ---------------------------------------------------------------- client
class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = self.failed = self.requests = 0

    def add(self, ok, reqs):
        with self.lock:
            if ok:
                self.ok += 1
            else:
                self.failed += 1
            self.requests += reqs


def resp_size(rng):
    r = rng.random()
    if r < 0.55:
        return rng.randint(100, 1400)               # fits one segment
    if r < 0.90:
        return rng.randint(1500, 12000)
    return rng.randint(12000, 60000)


def one_conn(args, rng, stats):
    port = rng.choice(args.ports)
    nreq = 1 if (args.bulk or args.tiny) else rng.randint(1, 2 * args.reqs - 1)
    nagle = rng.random() < args.nagle_frac           # write-write-read client
    server_closes = rng.random() < 0.3
    done = 0
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(TIMEOUT)
        if not nagle:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.connect((args.addr, port))
        for i in range(nreq):
            n = args.bulk or (rng.randint(100, 1400) if args.tiny else resp_size(rng))
            body = b"r" * rng.randint(40, 700)
            flags = FLAG_SERVER_CLOSE if (server_closes and i == nreq - 1) else 0
            if nagle:
                s.sendall(HDR.pack(n, len(body), flags))
                s.sendall(body)
            else:
                s.sendall(HDR.pack(n, len(body), flags) + body)
            drain(s, n)
            done += 1
        if server_closes:
            s.recv(1)                                # wait for the server's FIN
        stats.add(True, done)
    except OSError:
        stats.add(False, done)
    finally:
        s.close()


def probe(addr, port, timeout):
    """A connection attempt expected to fail (refused / unanswered / rejected)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((addr, port))
    except OSError:
        pass
    finally:
        s.close()


def client(args):
    rng_master = random.Random(args.seed)
    seeds = [rng_master.getrandbits(64) for _ in range(args.conns)]
    stats = Stats()
    lock = threading.Lock()
    nxt = [0]
    deadline = time.monotonic() + args.deadline

    def worker():
        while time.monotonic() < deadline:
            with lock:
                i = nxt[0]
                if i >= args.conns:
                    return
                nxt[0] += 1
            one_conn(args, random.Random(seeds[i]), stats)

    t0 = time.monotonic()
    probes = []
    # Failing attempts, interleaved with the start of the real traffic.
    for i in range(args.refused):
        probes.append(threading.Thread(target=probe, args=(args.addr, args.refused_port, 2.0)))
    for i in range(args.unanswered):
        probes.append(threading.Thread(target=probe, args=(args.addr, args.drop_port, 3.5)))
    for i in range(args.rejected):
        probes.append(threading.Thread(target=probe, args=(args.addr, args.reject_port, 2.0)))
    workers = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for w in workers:
        w.start()
    for p in probes:
        time.sleep(0.05)
        p.start()
    for t in workers + probes:
        t.join()
    el = time.monotonic() - t0
    print("client: %d connections ok, %d failed, %d requests, %d probes, %.1f s"
          % (stats.ok, stats.failed, stats.requests, len(probes), el), flush=True)
    if nxt[0] < args.conns:
        print("client: deadline reached after %d of %d connections" % (nxt[0], args.conns),
              flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["server", "client"])
    ap.add_argument("--addr", required=True)
    ap.add_argument("--ports", default="8080,8090",
                    type=lambda s: [int(x) for x in s.split(",")])
    ap.add_argument("--lifetime", type=float, default=600)
    ap.add_argument("--conns", type=int, default=5000)
    ap.add_argument("--reqs", type=int, default=8, help="mean requests per connection")
    ap.add_argument("--concurrency", type=int, default=48)
    ap.add_argument("--nagle-frac", type=float, default=0.02)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--deadline", type=float, default=200)
    ap.add_argument("--refused", type=int, default=20)
    ap.add_argument("--refused-port", type=int, default=8082)
    ap.add_argument("--unanswered", type=int, default=12)
    ap.add_argument("--drop-port", type=int, default=8081)
    ap.add_argument("--rejected", type=int, default=5)
    ap.add_argument("--reject-port", type=int, default=8083)
    ap.add_argument("--bulk", type=int, default=0, metavar="BYTES",
                    help="one request per connection, for a BYTES response")
    ap.add_argument("--tiny", action="store_true",
                    help="one request per connection, for 100-1400 bytes")
    args = ap.parse_args()
    if args.mode == "server":
        server(args)
    else:
        client(args)


if __name__ == "__main__":
    sys.exit(main())
