#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcpapp - small, scriptable TCP client and server for tcpdiag's capture generator.

Python 3 standard library only.  Used by test_captures/make_captures.sh inside
network namespaces; every wait is bounded by a timeout.

Wire protocol (plain text, easy to read in a capture):
  banner   (optional, server speaks first):  "HELLO tcpdiag bbb...\\n", N bytes in all
  request  (client):  "REQ n=<i> resp=<R> len=<L>\\n" padded with 'q' to L bytes
  response (server):  "RSP n=<i> len=<R>\\n"          padded with 'r' to R bytes
The request says how big the response must be, so the server needs no
per-scenario configuration for sizes.

Teardown knobs: client --close close|shutdown|wait|abort|none, --hold,
--close-at (wall clock, to close together with the server), --shutdown-after-send
(half-close), --read-limit (leave data unread / abort mid-transfer), --chunk and
--chunk-gap (slow writes); server --hold (CLOSE_WAIT), --close-after with
--close-delay/--close-at/--shutdown, --linger0, --idle-timeout, --read-limit,
--chunk/--chunk-gap.

  tcpapp.py server --port 8080 [--fastopen 16] [--banner 32] [--close-after 1] ...
  tcpapp.py client --host 10.77.2.2 --port 8080 [--requests 3] [--resp-size 4000] ...

Each client connection prints one result line on stdout, e.g.
  conn 1/1 10.77.1.2:40000 -> 10.77.2.2:8080 ok connect=41.2ms requests=3 close=close
  conn 1/1 10.77.1.2:40011 -> 10.77.2.2:8081 FAILED connect: [Errno 111] Connection refused after 40.5ms
"""
import argparse
import errno
import os
import select
import socket
import struct
import sys
import threading
import time

TCP_CONGESTION = getattr(socket, "TCP_CONGESTION", 13)
TCP_FASTOPEN = getattr(socket, "TCP_FASTOPEN", 23)
TCP_SYNCNT = getattr(socket, "TCP_SYNCNT", 7)
TCP_QUICKACK = getattr(socket, "TCP_QUICKACK", 12)
TCP_KEEPIDLE = getattr(socket, "TCP_KEEPIDLE", 4)
TCP_KEEPINTVL = getattr(socket, "TCP_KEEPINTVL", 5)
TCP_KEEPCNT = getattr(socket, "TCP_KEEPCNT", 6)
MSG_FASTOPEN = getattr(socket, "MSG_FASTOPEN", 0x20000000)

BANNER_TEXT = b"HELLO tcpdiag\n"


def log(*a):
    print(*a, flush=True)


def pad_to(head: bytes, size: int, fill: bytes) -> bytes:
    if size <= len(head):
        return head
    # keep the final byte a newline so the stream stays line-oriented
    return head + fill * (size - len(head) - 1) + b"\n"


def make_banner(size: int) -> bytes:
    """One line: "HELLO tcpdiag bbbb...\n" of `size` bytes."""
    head = BANNER_TEXT.rstrip(b"\n") + b" "
    return head + b"b" * max(0, size - len(head) - 1) + b"\n"


def make_request(i: int, req_size: int, resp_size: int) -> bytes:
    head = b"REQ n=%d resp=%d len=%d\n" % (i, resp_size, req_size)
    if len(head) > req_size:  # header longer than asked: report real length
        head = b"REQ n=%d resp=%d len=%d\n" % (i, resp_size, len(head))
        head = b"REQ n=%d resp=%d len=%d\n" % (i, resp_size, len(head))
    return pad_to(head, req_size, b"q")


def make_response(i: int, resp_size: int) -> bytes:
    head = b"RSP n=%d len=%d\n" % (i, resp_size)
    if len(head) > resp_size:
        head = b"RSP n=%d len=%d\n" % (i, len(head))
        head = b"RSP n=%d len=%d\n" % (i, len(head))
    return pad_to(head, resp_size, b"r")


class Reader:
    """Line/length reader on top of a socket (recv may return partial data)."""

    def __init__(self, sock, chunk=65536, gap=0.0, pause=0.0, pause_after=0, pause_rcvbuf=0):
        self.sock = sock
        self.buf = b""
        self.chunk = chunk
        self.gap = gap                  # sleep after each recv (slow reader)
        self.pause = pause              # once: stop reading for this long ...
        self.pause_after = pause_after  # ... when this many bytes were received
        self.pause_rcvbuf = pause_rcvbuf  # ... and shrink SO_RCVBUF to this first
        self.total = 0

    def _fill(self):
        if self.pause and self.total >= self.pause_after:
            if self.pause_rcvbuf:
                # the buffer shrinks under the sender's flight: with
                # net.ipv4.tcp_shrink_window=1 the window's right edge moves left
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.pause_rcvbuf)
            time.sleep(self.pause)
            self.pause = 0
        d = self.sock.recv(self.chunk)
        if not d:
            return False
        self.buf += d
        self.total += len(d)
        if self.gap:
            time.sleep(self.gap)
        return True

    def readline(self):
        while b"\n" not in self.buf:
            if not self._fill():
                line, self.buf = self.buf, b""
                return line  # b"" on clean EOF
        i = self.buf.index(b"\n") + 1
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def readexact(self, n):
        while len(self.buf) < n:
            if not self._fill():
                raise ConnectionError("EOF after %d of %d bytes" % (len(self.buf), n))
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def drain_to_eof(self, timeout):
        """Read and discard until EOF; returns bytes read (bounded by timeout)."""
        n = len(self.buf)
        self.buf = b""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no EOF within %.1fs" % timeout)
            self.sock.settimeout(left)
            d = self.sock.recv(self.chunk)
            if not d:
                return n
            n += len(d)


def parse_kv(line: bytes):
    out = {}
    for tok in line.split()[1:]:
        if b"=" in tok:
            k, v = tok.split(b"=", 1)
            out[k.decode()] = int(v)
    return out


def set_common_opts(s, a):
    if getattr(a, "nodelay", False):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if getattr(a, "cc", None):
        s.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, a.cc.encode())
    if getattr(a, "rcvbuf", None):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    if getattr(a, "sndbuf", None):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, a.sndbuf)
    if getattr(a, "keepalive", None):
        idle, intvl, cnt = (int(x) for x in a.keepalive.split(","))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, TCP_KEEPIDLE, idle)
        s.setsockopt(socket.IPPROTO_TCP, TCP_KEEPINTVL, intvl)
        s.setsockopt(socket.IPPROTO_TCP, TCP_KEEPCNT, cnt)


def set_linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def send_chunked(s, data, a):
    """sendall, or with --chunk: pieces of a.chunk bytes, a.chunk_gap s apart."""
    if not getattr(a, "chunk", 0) or len(data) <= a.chunk:
        s.sendall(data)
        return
    for off in range(0, len(data), a.chunk):
        if off:
            time.sleep(a.chunk_gap)
        s.sendall(data[off:off + a.chunk])


def sleep_until(t):
    """Sleep until wall-clock time t (Unix seconds; the namespaces share the clock)."""
    left = t - time.time()
    if left > 0:
        time.sleep(left)


def fmt_addr(sa):
    host, port = sa[0], sa[1]
    if host.startswith("::ffff:") and "." in host:
        host = host[7:]
    return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)


# --------------------------------------------------------------------------- server

def serve_conn(conn, peer, a, stats):
    tag = "srv %s" % fmt_addr(peer)
    served = 0
    how = "?"
    try:
        set_common_opts(conn, a)
        if a.linger0:
            set_linger0(conn)
        conn.settimeout(a.io_timeout)
        if a.accept_delay:
            time.sleep(a.accept_delay)
        if a.banner:
            conn.sendall(make_banner(a.banner))
        if a.read_limit:
            # read only the first N bytes the client sends, then close (with
            # --linger0, or with unread data left, the close is a RST)
            got = 0
            while got < a.read_limit:
                d = conn.recv(min(65536, a.read_limit - got))
                if not d:
                    break
                got += len(d)
            how = "read-limit %d" % got
            return
        r = Reader(conn)
        while True:
            if a.read_delay:
                time.sleep(a.read_delay)
            if a.idle_timeout:
                conn.settimeout(a.idle_timeout)
            try:
                line = r.readline()
            except socket.timeout:
                if not a.idle_timeout:
                    raise
                how = "idle-timeout"
                break
            if a.idle_timeout:
                conn.settimeout(a.io_timeout)
            if not line:
                how = "peer-eof"
                break
            if not line.startswith(b"REQ "):
                how = "garbage"
                break
            kv = parse_kv(line)
            rest = kv.get("len", len(line)) - len(line)
            if rest > 0:
                r.readexact(rest)
            if a.reply_delay and (not a.reply_delay_every
                                  or (served + 1) % a.reply_delay_every == 0):
                time.sleep(a.reply_delay)
            resp = make_response(kv.get("n", served + 1), kv.get("resp", 0))
            if a.resp_split:
                # each response as several send() calls: the listed sizes, then the rest
                off = 0
                for n in a.resp_split:
                    if off >= len(resp):
                        break
                    if off and a.resp_split_gap:
                        time.sleep(a.resp_split_gap)
                    conn.sendall(resp[off:off + n])
                    off += n
                if off < len(resp):
                    if off and a.resp_split_gap:
                        time.sleep(a.resp_split_gap)
                    conn.sendall(resp[off:])
            else:
                send_chunked(conn, resp, a)
            served += 1
            if a.close_after and served >= a.close_after:
                how = "server-closes-first"
                break
        if how == "peer-eof" and a.hold:
            # application "forgets" to close: the socket sits in CLOSE_WAIT
            time.sleep(a.hold)
        if how == "server-closes-first":
            if a.close_delay:
                time.sleep(a.close_delay)
            if a.close_at:
                sleep_until(a.close_at)
        if how == "server-closes-first" and a.shutdown:
            conn.shutdown(socket.SHUT_WR)
            r.drain_to_eof(a.io_timeout)
            how += "+shutdown"
    except (OSError, ConnectionError) as e:
        how = "error: %s" % e
    finally:
        try:
            conn.close()
        except OSError:
            pass
        stats["done"] += 1
        if a.verbose:
            log("%s served=%d end=%s" % (tag, served, how))


def cmd_server(a):
    fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    set_common_opts(ls, a)  # accepted sockets inherit buffers/cc
    if a.fastopen:
        ls.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN, a.fastopen)
    ls.bind((a.addr, a.port))
    ls.listen(a.backlog)
    ls.settimeout(0.1)
    if a.ready_file:
        with open(a.ready_file + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(a.ready_file + ".tmp", a.ready_file)
    if a.verbose:
        log("srv listening on %s fastopen=%d" % (fmt_addr((a.addr, a.port)), a.fastopen))
    stats = {"done": 0}
    accepted = 0
    threads = []
    end = time.monotonic() + a.duration
    try:
        while time.monotonic() < end:
            if a.max_conns and accepted >= a.max_conns:
                if stats["done"] >= accepted:
                    break
                time.sleep(0.05)
                continue
            try:
                conn, peer = ls.accept()
            except socket.timeout:
                continue
            accepted += 1
            t = threading.Thread(target=serve_conn, args=(conn, peer, a, stats), daemon=True)
            t.start()
            threads.append(t)
    except KeyboardInterrupt:
        pass
    finally:
        ls.close()
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    return 0


# --------------------------------------------------------------------------- client

def one_conn(a, idx, target, fam):
    s = socket.socket(fam, socket.SOCK_STREAM)
    t0 = time.monotonic()
    phase = "setup"
    local = "?"
    result = "ok"
    detail = ""
    try:
        set_common_opts(s, a)
        if a.syn_retries is not None:
            s.setsockopt(socket.IPPROTO_TCP, TCP_SYNCNT, a.syn_retries)
        if a.src_port or a.src_addr:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((a.src_addr or ("::" if fam == socket.AF_INET6 else "0.0.0.0"), a.src_port))
        if a.linger0:
            set_linger0(s)
        s.settimeout(a.connect_timeout)

        first = make_request(1, a.req_size, a.resp_size) if a.requests > 0 else b""
        phase = "connect"
        if a.fastopen:
            if not first:
                raise SystemExit("--fastopen needs --requests >= 1")
            # connect + data in the SYN (when the kernel holds a cookie).  The
            # socket is non-blocking underneath (timeout mode): without a cookie
            # the kernel sends a SYN with a cookie request, copies no data and
            # returns EINPROGRESS; the data then goes after the handshake.
            try:
                sent = s.sendto(first, MSG_FASTOPEN, target)
            except BlockingIOError as e:
                if e.errno != errno.EINPROGRESS:
                    raise
                sent = 0
                _, w, _ = select.select([], [s], [], a.connect_timeout)
                if not w:
                    raise TimeoutError("connect timed out")
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    raise OSError(err, os.strerror(err))
            if sent < len(first):
                s.sendall(first[sent:])
        else:
            s.connect(target)
        t_conn = (time.monotonic() - t0) * 1000
        local = fmt_addr(s.getsockname())
        s.settimeout(a.timeout)
        if a.quickack:
            s.setsockopt(socket.IPPROTO_TCP, TCP_QUICKACK, 1)
        r = Reader(s, chunk=a.recv_size, gap=a.recv_gap, pause=a.read_pause,
                   pause_after=a.read_pause_after, pause_rcvbuf=a.pause_rcvbuf)
        phase = "banner"
        if a.wait_banner:
            b = r.readline()
            if not b.startswith(b"HELLO "):
                raise ConnectionError("no banner: %r" % b[:40])
        for i in range(1, a.requests + 1):
            phase = "request %d" % i
            if a.think and i > 1:
                time.sleep(a.think)
            if i > 1 or not a.fastopen:
                req = make_request(i, a.req_size, a.resp_size)
                if a.chunk:
                    send_chunked(s, req, a)
                elif a.split_writes and len(req) > a.split_writes:
                    s.sendall(req[: a.split_writes])  # write-write-read
                    s.sendall(req[a.split_writes:])
                else:
                    s.sendall(req)
            if i == a.requests and a.shutdown_after_send:
                s.shutdown(socket.SHUT_WR)  # half-close: FIN right after the last request
            phase = "response %d" % i
            if i == a.requests and a.read_limit is not None:
                # read only the first N bytes of the last response (0: none at
                # all, the data stays in the receive queue)
                got = min(len(r.buf), a.read_limit)
                r.buf = r.buf[got:]
                while got < a.read_limit:
                    d = s.recv(min(65536, a.read_limit - got))
                    if not d:
                        break
                    got += len(d)
                break
            line = r.readline()
            if not line:
                raise ConnectionError("EOF instead of response %d" % i)
            if not line.startswith(b"RSP "):
                raise ConnectionError("unexpected response line %r" % line[:40])
            kv = parse_kv(line)
            rest = kv.get("len", len(line)) - len(line)
            if rest > 0:
                r.readexact(rest)
        phase = "close"
        if a.hold:
            time.sleep(a.hold)
        if a.close_at:
            sleep_until(a.close_at)
        if a.close == "close":
            s.close()
        elif a.close == "shutdown":  # half-close, then wait for the server's FIN
            s.shutdown(socket.SHUT_WR)
            r.drain_to_eof(a.timeout)
            s.close()
        elif a.close == "wait":  # let the server close first
            r.drain_to_eof(a.timeout)
            s.close()
        elif a.close == "abort":  # SO_LINGER 0: close sends RST
            set_linger0(s)
            s.close()
        elif a.close == "none":  # leave it to process exit
            pass
        detail = "connect=%.1fms requests=%d close=%s" % (t_conn, a.requests, a.close)
    except (OSError, ConnectionError, TimeoutError) as e:
        result = "FAILED"
        detail = "%s: %s after %.1fms" % (phase, e, (time.monotonic() - t0) * 1000)
        try:
            if local == "?":
                local = fmt_addr(s.getsockname())
        except OSError:
            pass
        try:
            s.close()
        except OSError:
            pass
    log("conn %d/%d %s -> %s %s %s" % (idx, a.conns, local, fmt_addr(target), result, detail))
    return result == "ok", s


def cmd_client(a):
    infos = socket.getaddrinfo(a.host, a.port, type=socket.SOCK_STREAM)
    fam, _, _, _, target = infos[0]
    fails = 0
    keep = []
    for i in range(1, a.conns + 1):
        if i > 1 and a.gap:
            time.sleep(a.gap)
        ok, s = one_conn(a, i, target, fam)
        if a.close == "none":
            keep.append(s)
        fails += 0 if ok else 1
    if a.close == "none" and a.hold_at_exit:
        time.sleep(a.hold_at_exit)
    if fails and not a.allow_fail:
        return 1
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    sv = sub.add_parser("server", help="listen and answer requests (one thread per connection)")
    sv.add_argument("--addr", default="::", help="listen address (default :: = IPv4 and IPv6)")
    sv.add_argument("--port", type=int, required=True)
    sv.add_argument("--fastopen", type=int, default=0, metavar="QLEN", help="TCP_FASTOPEN on the listener")
    sv.add_argument("--backlog", type=int, default=64)
    sv.add_argument("--banner", type=int, default=0, metavar="BYTES", help="send a banner first (server speaks first)")
    sv.add_argument("--close-after", type=int, default=0, metavar="N", help="close (server first) after N responses")
    sv.add_argument("--shutdown", action="store_true", help="with --close-after: shutdown(SHUT_WR) and wait for the client's FIN")
    sv.add_argument("--linger0", action="store_true", help="SO_LINGER 0: close() sends RST")
    sv.add_argument("--hold", type=float, default=0, metavar="S", help="after the client's FIN, wait S s before close() (CLOSE_WAIT)")
    sv.add_argument("--close-delay", type=float, default=0, metavar="S", help="with --close-after: wait S s before closing")
    sv.add_argument("--close-at", type=float, default=0, metavar="T",
                    help="with --close-after: close at wall-clock time T (Unix seconds), e.g. together with a client")
    sv.add_argument("--idle-timeout", type=float, default=0, metavar="S",
                    help="close when no request comes for S s (with --linger0: a RST, as load balancers do)")
    sv.add_argument("--read-limit", type=int, default=0, metavar="BYTES",
                    help="read only the first BYTES the client sends, then close (unread data or --linger0: RST)")
    sv.add_argument("--chunk", type=int, default=0, metavar="BYTES", help="write each response in pieces of BYTES")
    sv.add_argument("--chunk-gap", type=float, default=0, metavar="S", help="with --chunk: pause between pieces")
    sv.add_argument("--accept-delay", type=float, default=0, metavar="S", help="sleep before using an accepted connection")
    sv.add_argument("--read-delay", type=float, default=0, metavar="S", help="sleep before reading each request (slow reader)")
    sv.add_argument("--reply-delay", type=float, default=0, metavar="S", help="think time before each response")
    sv.add_argument("--reply-delay-every", type=int, default=0, metavar="N",
                    help="with --reply-delay: only before every Nth response (the others at once)")
    sv.add_argument("--resp-split", type=lambda v: [int(x) for x in v.split(",")], metavar="B[,B...]",
                    help="write each response as several send() calls: these sizes, then the rest")
    sv.add_argument("--resp-split-gap", type=float, default=0, metavar="S", help="with --resp-split: pause between the writes")
    sv.add_argument("--keepalive", metavar="IDLE,INTVL,CNT", help="SO_KEEPALIVE with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT")
    sv.add_argument("--nodelay", action="store_true")
    sv.add_argument("--cc", help="TCP_CONGESTION, e.g. cubic")
    sv.add_argument("--rcvbuf", type=int)
    sv.add_argument("--sndbuf", type=int)
    sv.add_argument("--io-timeout", type=float, default=20)
    sv.add_argument("--max-conns", type=int, default=0, help="exit after N connections are done (0 = no limit)")
    sv.add_argument("--duration", type=float, default=60, help="exit after S seconds in any case")
    sv.add_argument("--ready-file", help="written once listening")
    sv.add_argument("-v", "--verbose", action="store_true")

    cl = sub.add_parser("client", help="connect, send requests, read responses, close")
    cl.add_argument("--host", required=True)
    cl.add_argument("--port", type=int, required=True)
    cl.add_argument("--src-addr")
    cl.add_argument("--src-port", type=int, default=0, help="bind this source port (SO_REUSEADDR)")
    cl.add_argument("--conns", type=int, default=1, help="sequential connections")
    cl.add_argument("--gap", type=float, default=0, metavar="S", help="pause between connections")
    cl.add_argument("--requests", type=int, default=1)
    cl.add_argument("--req-size", type=int, default=64)
    cl.add_argument("--resp-size", type=int, default=256)
    cl.add_argument("--think", type=float, default=0, metavar="S", help="pause between requests")
    cl.add_argument("--split-writes", type=int, default=0, metavar="B", help="send each request as two writes, first B bytes")
    cl.add_argument("--wait-banner", action="store_true", help="read the server's banner before the first request")
    cl.add_argument("--fastopen", action="store_true", help="send the first request with MSG_FASTOPEN")
    cl.add_argument("--close", choices=["close", "shutdown", "wait", "abort", "none"], default="close",
                    help="close: close() after the last response; shutdown: SHUT_WR then read to EOF; "
                         "wait: read to EOF (server closes first); abort: SO_LINGER 0 close (RST); none: never close")
    cl.add_argument("--hold", type=float, default=0, metavar="S", help="idle S s after the last response before closing")
    cl.add_argument("--close-at", type=float, default=0, metavar="T",
                    help="close at wall-clock time T (Unix seconds; after --hold), e.g. together with the server")
    cl.add_argument("--shutdown-after-send", action="store_true",
                    help="shutdown(SHUT_WR) right after sending the last request, then read the response (half-close)")
    cl.add_argument("--read-limit", type=int, metavar="BYTES",
                    help="read only the first BYTES of the last response (0: none), then close as --close says")
    cl.add_argument("--chunk", type=int, default=0, metavar="BYTES", help="write each request in pieces of BYTES")
    cl.add_argument("--chunk-gap", type=float, default=0, metavar="S", help="with --chunk: pause between pieces")
    cl.add_argument("--hold-at-exit", type=float, default=0, metavar="S", help="with --close none: keep sockets S s before exiting")
    cl.add_argument("--linger0", action="store_true", help="SO_LINGER 0 from the start")
    cl.add_argument("--recv-size", type=int, default=65536, metavar="B", help="read at most B bytes per recv()")
    cl.add_argument("--recv-gap", type=float, default=0, metavar="S", help="sleep S s after each recv() (slow reader)")
    cl.add_argument("--read-pause", type=float, default=0, metavar="S",
                    help="once, stop reading for S s (when --read-pause-after bytes have been received)")
    cl.add_argument("--read-pause-after", type=int, default=0, metavar="B", help="with --read-pause: after B bytes (default 0)")
    cl.add_argument("--pause-rcvbuf", type=int, default=0, metavar="B",
                    help="with --read-pause: set SO_RCVBUF to B bytes when the pause begins")
    cl.add_argument("--keepalive", metavar="IDLE,INTVL,CNT", help="SO_KEEPALIVE with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT")
    cl.add_argument("--nodelay", action="store_true")
    cl.add_argument("--quickack", action="store_true")
    cl.add_argument("--cc", help="TCP_CONGESTION, e.g. cubic")
    cl.add_argument("--rcvbuf", type=int)
    cl.add_argument("--sndbuf", type=int)
    cl.add_argument("--syn-retries", type=int, help="TCP_SYNCNT for this socket")
    cl.add_argument("--connect-timeout", type=float, default=40, help="upper bound on connect() (kernel gives up earlier)")
    cl.add_argument("--timeout", type=float, default=20, help="I/O timeout")
    cl.add_argument("--allow-fail", action="store_true", help="exit 0 even if a connection fails")

    a = p.parse_args()
    return cmd_server(a) if a.cmd == "server" else cmd_client(a)


if __name__ == "__main__":
    sys.exit(main())
