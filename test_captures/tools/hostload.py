#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""hostload - many connections at once, for the host scenarios of
make_captures.sh (host_*). Python 3 standard library only; it talks only to
the address it is given (inside a namespace the script made), and every loop
and wait is bounded.

Wire protocol: the client sends "REQ <bytes>\\n", the server answers with
that many bytes. With --banner the server speaks first ("HELLO\\n") and the
client reads it before its first request.

  hostload.py server --port P [--backlog N] [--accept-pace S] [--banner]
                     [--close client|first|leak] [--duration S] [--ready-file F]
      A thread accepts (sleeping S between accept() calls: a slow acceptor
      whose queue fills), a thread serves each connection. --close: wait for
      the client's FIN, then close (client, the default); close right after
      the first response (first: the server closes first); or never close
      after the client's FIN (leak: CLOSE_WAIT until the process exits).

  hostload.py client --host H --port P --conns N [--concurrency K] [--rate R]
                     [--src-ports LO-HI] [--requests n] [--resp B] [--idle S[,S...]]
                     [--wait-banner] [--close client|server] [--src-addr A]
      N connections, at most K at once, started at most R a second; each
      binds the next source port of LO-HI (wrapping) when given, makes n
      requests (sleeping the next value of --idle before each request after
      the first), then closes first (client) or waits for the server's FIN
      (server). Prints one line per connection and a summary.

  hostload.py scan --host H --ports LO-HI [--timeout S] [--src-addr A]
      connect() to each port once, the way a connect scan does (closing
      with a RST), and prints each port's outcome: open, refused, or
      filtered (no answer).
"""
import argparse
import errno
import socket
import struct
import sys
import threading
import time


def log(*a):
    # one write per line: the threads' lines must not interleave
    sys.stdout.write(" ".join(str(x) for x in a) + "\n")
    sys.stdout.flush()


def recv_line(sock, limit=256):
    data = b""
    while not data.endswith(b"\n") and len(data) < limit:
        b = sock.recv(1)
        if not b:
            break
        data += b
    return data


def recv_exact(sock, n):
    got = 0
    while got < n:
        b = sock.recv(min(65536, n - got))
        if not b:
            raise ConnectionError("EOF after %d of %d bytes" % (got, n))
        got += len(b)


# ---------------------------------------------------------------- server
def serve(conn, args, leaked):
    try:
        conn.settimeout(args.io_timeout)
        if args.banner:
            conn.sendall(b"HELLO\n")
        while True:
            line = recv_line(conn)
            if not line:
                break  # the client's FIN
            try:
                n = int(line.split()[1])
            except (IndexError, ValueError):
                break
            conn.sendall(b"r" * n)
            if args.close == "first":
                conn.close()
                return
        if args.close == "leak":
            leaked.append(conn)  # CLOSE_WAIT until the process exits
            return
        conn.close()
    except OSError:
        conn.close()


def server(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((args.addr, args.port))
    s.listen(args.backlog)
    s.settimeout(0.5)
    if args.ready_file:
        open(args.ready_file, "w").close()
    leaked = []
    end = time.monotonic() + args.duration
    while time.monotonic() < end:
        try:
            conn, _ = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn, args, leaked), daemon=True).start()
        if args.accept_pace:
            time.sleep(args.accept_pace)
    log("server: %d connections left in CLOSE_WAIT" % len(leaked))


# ---------------------------------------------------------------- client
class Ports:
    def __init__(self, spec):
        self.lock = threading.Lock()
        self.lo, self.hi = (int(x) for x in spec.split("-")) if spec else (0, 0)
        self.next = self.lo

    def take(self):
        if not self.lo:
            return 0
        with self.lock:
            p = self.next
            self.next = self.lo if p >= self.hi else p + 1
            return p


def one_conn(i, args, ports, results):
    sport = ports.take()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t0 = time.monotonic()
    what = "ok"
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if sport or args.src_addr:
            s.bind((args.src_addr or "", sport))
        s.settimeout(args.timeout)
        s.connect((args.host, args.port))
        sport = s.getsockname()[1]
        if args.wait_banner:
            recv_line(s)
        for r in range(args.requests):
            if r:
                time.sleep(args.idle[(r - 1) % len(args.idle)] if args.idle else 0)
            s.sendall(b"REQ %d\n" % args.resp)
            recv_exact(s, args.resp)
        if args.close == "server":
            while s.recv(4096):
                pass
        s.close()
    except OSError as e:
        what = "FAILED %s" % (errno.errorcode.get(e.errno, e) if e.errno else e)
        s.close()
    results[i] = what
    log("conn %d port %d %s %.3f s" % (i, sport, what, time.monotonic() - t0))


def client(args):
    ports = Ports(args.src_ports)
    results = [None] * args.conns
    sem = threading.Semaphore(args.concurrency)
    threads = []
    end = time.monotonic() + args.deadline

    def run(i):
        try:
            one_conn(i, args, ports, results)
        finally:
            sem.release()

    for i in range(args.conns):
        if time.monotonic() > end:
            break
        sem.acquire()
        t = threading.Thread(target=run, args=(i,), daemon=True)
        t.start()
        threads.append(t)
        if args.rate:
            time.sleep(1.0 / args.rate)
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    ok = sum(1 for r in results if r == "ok")
    log("client: %d connections, %d ok, %d failed" % (len(threads), ok, len(threads) - ok))


# ---------------------------------------------------------------- scan
def scan(args):
    lo, hi = (int(x) for x in args.ports.split("-"))
    outcome = {}
    for p in range(lo, hi + 1):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # close with a RST, as a connect scan does (nmap -sT)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if args.src_addr:
            s.bind((args.src_addr, 0))
        s.settimeout(args.timeout)
        try:
            s.connect((args.host, p))
            outcome[p] = "open"
        except ConnectionRefusedError:
            outcome[p] = "refused"
        except (socket.timeout, OSError):
            outcome[p] = "filtered"
        s.close()
    for kind in ("open", "refused", "filtered"):
        ports = [p for p in sorted(outcome) if outcome[p] == kind]
        log("scan %s %d %s" % (kind, len(ports), ",".join(map(str, ports))))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    sv = sub.add_parser("server")
    sv.add_argument("--addr", default="0.0.0.0")
    sv.add_argument("--port", type=int, required=True)
    sv.add_argument("--backlog", type=int, default=128)
    sv.add_argument("--accept-pace", type=float, default=0)
    sv.add_argument("--banner", action="store_true")
    sv.add_argument("--close", choices=["client", "first", "leak"], default="client")
    sv.add_argument("--io-timeout", type=float, default=60)
    sv.add_argument("--duration", type=float, default=120)
    sv.add_argument("--ready-file")
    cl = sub.add_parser("client")
    cl.add_argument("--host", required=True)
    cl.add_argument("--port", type=int, required=True)
    cl.add_argument("--conns", type=int, default=1)
    cl.add_argument("--concurrency", type=int, default=1)
    cl.add_argument("--rate", type=float, default=0)
    cl.add_argument("--src-ports")
    cl.add_argument("--src-addr")
    cl.add_argument("--requests", type=int, default=1)
    cl.add_argument("--resp", type=int, default=200)
    cl.add_argument("--idle", type=lambda v: [float(x) for x in v.split(",")], default=None)
    cl.add_argument("--wait-banner", action="store_true")
    cl.add_argument("--close", choices=["client", "server"], default="client")
    cl.add_argument("--timeout", type=float, default=30)
    cl.add_argument("--deadline", type=float, default=110)
    sc = sub.add_parser("scan")
    sc.add_argument("--host", required=True)
    sc.add_argument("--ports", required=True)
    sc.add_argument("--timeout", type=float, default=1.5)
    sc.add_argument("--src-addr")
    args = ap.parse_args()
    {"server": server, "client": client, "scan": scan}[args.mode](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
