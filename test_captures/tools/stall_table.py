#!/usr/bin/env python3
"""stall_table - print the ground-truth timings of the st_* captures with tshark.

Not a detector: each mode knows the traffic pattern make_captures.sh generated
and finds its frames by segment length and sequence numbers.

  stall_table.py nagle FILE [--first-len 200] [--stream N]
      write-write-read requests: for every data segment of FIRST-LEN bytes (the
      header write), the next data segment of the same sender (the body), and
      the first peer packet that acknowledges the header (the release).
      Prints one row per request and a summary.
  stall_table.py odd FILE [--stream N]
      responses: every server data burst after a client request; for each
      server data segment, its time since the previous server segment and the
      ACK (if any) that arrived between them.
  stall_table.py frames FILE [--stream N]
      one line per frame: number, time, stream, sender, flags, rel seq/ack,
      len, window, tshark's analysis flags.
  stall_table.py signature FILE
      stream, sender, flags and length of every frame: two builds with the
      same signature have the same packet order.

Needs tshark (run as root it warns on stderr; that is harmless here).
"""
import argparse
import statistics
import subprocess
import sys

FIELDS = [
    "frame.number", "frame.time_relative", "tcp.stream", "ip.src", "ipv6.src",
    "tcp.srcport", "tcp.dstport", "tcp.flags.str", "tcp.seq", "tcp.ack", "tcp.len",
    "tcp.window_size", "tcp.nxtseq", "tcp.analysis.flags", "_ws.expert.message",
]


class Frame:
    pass


def load(path, stream=None):
    cmd = ["tshark", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
           "-E", "aggregator=;"]
    for f in FIELDS:
        cmd += ["-e", f]
    if stream is not None:
        cmd += ["-Y", "tcp.stream == %d" % stream]
    else:
        cmd += ["-Y", "tcp"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    frames = []
    for line in out.splitlines():
        v = line.split("\t")
        v += [""] * (len(FIELDS) - len(v))
        f = Frame()
        f.no = int(v[0])
        f.t = float(v[1])
        f.stream = int(v[2])
        f.src = (v[3] or v[4]) + ":" + v[5]
        f.dst_port = int(v[6])
        f.flags = v[7]
        f.seq = int(v[8] or 0)
        f.ack = int(v[9] or 0)
        f.len = int(v[10] or 0)
        f.win = int(v[11] or 0)
        f.nxt = int(v[12] or 0)
        f.expert = v[14].replace(",", " ")
        frames.append(f)
    return frames


def short_flags(s):
    names = {"S": "SYN", "F": "FIN", "R": "RST", "P": "PSH", "A": "ACK"}
    s = s.replace("\u00b7", "")
    return ",".join(n for k, n in names.items() if k in s)


def client_of(frames, stream):
    for f in frames:
        if f.stream == stream and "S" in f.flags and "A" not in f.flags.replace("\u00b7", "").replace("S", ""):
            return f.src
    return frames[0].src


def cmd_frames(a):
    for f in load(a.file, a.stream):
        print("%5d %12.6f s%-2d %-22s %-12s seq=%-8d ack=%-8d len=%-5d win=%-7d %s" % (
            f.no, f.t, f.stream, f.src, short_flags(f.flags), f.seq, f.ack, f.len, f.win, f.expert))


def cmd_signature(a):
    for f in load(a.file):
        print(f.stream, f.src, short_flags(f.flags), f.len)


def cmd_nagle(a):
    frames = load(a.file, a.stream)
    rows = []
    for i, h in enumerate(frames):
        if h.len != a.first_len:
            continue
        body = next((f for f in frames[i + 1:] if f.src == h.src and f.stream == h.stream and f.len > 0), None)
        if body is None:
            continue
        rel = next((f for f in frames[i + 1:] if f.src != h.src and f.stream == h.stream and f.ack >= h.seq + h.len), None)
        rows.append((h, rel, body))
    print("req  begin(header)        release(ack of header)        end(body)            begin->end ms  begin->release ms  release->end ms")
    for n, (h, rel, b) in enumerate(rows, 1):
        if rel is not None and rel.no < b.no:
            rtxt = "%5d %11.6f %-5s" % (rel.no, rel.t, "data" if rel.len else "pure")
            d_rel = "%9.3f" % ((rel.t - h.t) * 1000)
            d_end = "%9.3f" % ((b.t - rel.t) * 1000)
        else:
            rtxt = "  -   (body sent first)  "
            d_rel = d_end = "      -  "
        print("%3d  %5d %11.6f  %s   %5d %11.6f  %11.3f  %16s  %15s" % (
            n, h.no, h.t, rtxt, b.no, b.t, (b.t - h.t) * 1000, d_rel, d_end))
    d = [(b.t - h.t) * 1000 for h, _, b in rows]
    if d:
        print("requests=%d begin->end ms: min %.3f median %.3f max %.3f" % (
            len(d), min(d), statistics.median(d), max(d)))
        for thr in (10, 60):
            print("  requests with begin->end > %d ms: %s" % (
                thr, ",".join(str(n) for n, x in enumerate(d, 1) if x > thr) or "none"))


def cmd_odd(a):
    frames = load(a.file, a.stream)
    cli = client_of(frames, frames[0].stream)
    prev = None
    last_peer = None
    print("frame  time          from   len   gap-since-prev-server-data-ms  peer ACK in between")
    for f in frames:
        if f.src == cli:
            if f.len > 0:
                print("%5d %12.6f  client %5d  (request)" % (f.no, f.t, f.len))
                prev = None
            elif prev is not None:
                last_peer = f
            continue
        if f.len == 0:
            continue
        gap = "" if prev is None else "%8.3f" % ((f.t - prev.t) * 1000)
        ack = ""
        if last_peer is not None:
            ack = "ack=%d frame %d at %.6f (%.3f ms before)" % (
                last_peer.ack, last_peer.no, last_peer.t, (f.t - last_peer.t) * 1000)
        print("%5d %12.6f  server %5d  %s  %s" % (f.no, f.t, f.len, gap, ack))
        prev = f
        last_peer = None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("nagle", "odd", "frames", "signature"):
        s = sub.add_parser(name)
        s.add_argument("file")
        s.add_argument("--stream", type=int)
        if name == "nagle":
            s.add_argument("--first-len", type=int, default=200)
    a = p.parse_args()
    {"nagle": cmd_nagle, "odd": cmd_odd, "frames": cmd_frames, "signature": cmd_signature}[a.cmd](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
