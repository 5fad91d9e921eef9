#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""stall_table - print the ground-truth timings of the st_* captures with tshark.

Not a detector: each mode knows the traffic pattern make_captures.sh generated
and finds its frames by segment length and sequence numbers.

  stall_table.py nagle FILE [--first-len 200] [--stream N]
      write-write-read requests: for every data segment of FIRST-LEN bytes (the
      header write), the next data segment of the same sender (the body), and
      the first peer packet that acknowledges the header (the release).
      Prints one row per request and a summary.
  stall_table.py odd FILE [--stream N]
      responses, per stream: the server data segments that answer each
      request, the wait of the last one (the tail) after the segment before
      it, and the client packet that came in between (what released it).
  stall_table.py window FILE [--stream N]
      receiver-window stalls of the data sender (the server): every data
      segment that fills the advertised window (its end == the receiver's
      last ack + window; Wireshark's "TCP Window Full") and every zero window
      the receiver advertises.  For each: the release (the first receiver
      packet that moves the right edge beyond it / opens the window) and the
      end (the sender's next data segment).  Probes in between are counted.
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
            rtxt = "  -   (body not held)    "
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
    streams = sorted({f.stream for f in frames})
    for st in streams:
        fs = [f for f in frames if f.stream == st]
        cli = client_of(fs, st)
        print("stream %d (%s):" % (st, cli))
        print("  req  request  server data segments (frame:len)            tail frame  tail wait ms  released by (client packet just before the tail)")
        reqs = [i for i, f in enumerate(fs) if f.src == cli and f.len > 0]
        waits = []
        for n, i in enumerate(reqs, 1):
            stop = reqs[n] if n < len(reqs) else len(fs)
            data = [f for f in fs[i + 1:stop] if f.src != cli and f.len > 0]
            if not data:
                continue
            tail = data[-1]
            wait = (tail.t - data[-2].t) * 1000 if len(data) > 1 else 0.0
            waits.append(wait)
            rel = ""
            if len(data) > 1:
                between = [f for f in fs if data[-2].no < f.no < tail.no and f.src == cli]
                if between:
                    b = between[-1]
                    rel = "frame %d ack=%d at %.6f (%.3f ms after the segment before the tail)" % (
                        b.no, b.ack, b.t, (b.t - data[-2].t) * 1000)
            print("  %3d  %6d   %-42s %6d   %10.3f  %s" % (
                n, fs[i].no, " ".join("%d:%d" % (f.no, f.len) for f in data), tail.no, wait, rel))
        if waits:
            print("  tail wait ms: min %.3f median %.3f max %.3f" % (min(waits), statistics.median(waits), max(waits)))


def cmd_window(a):
    frames = load(a.file, a.stream)
    cli = client_of(frames, frames[0].stream)
    edge = None          # receiver's right edge (ack + scaled window)
    rows = []
    for i, f in enumerate(frames):
        if f.src == cli:
            if "A" in f.flags:
                edge = f.ack + f.win
            prev_cli = next((x for x in reversed(frames[:i]) if x.src == cli), None)
            if f.win == 0 and "R" not in f.flags and "S" not in f.flags and (prev_cli is None or prev_cli.win != 0):
                rows.append(("zero_window", f, i))   # first of a run of zero windows
            continue
        if f.len > 0 and edge is not None and f.nxt == edge:
            rows.append(("window_full", f, i))
    print("kind         begin frame time       release frame time  (win)      end frame time        probes  begin->end ms  release->end ms")
    durs = {"window_full": [], "zero_window": []}
    for kind, b, i in rows:
        begin_edge = (b.nxt if kind == "window_full" else b.ack)
        rel = next((x for x in frames[i + 1:] if x.src == cli and x.ack + x.win > begin_edge), None)
        end = next((x for x in frames[i + 1:] if x.src != cli and x.len > 0 and x.seq >= begin_edge), None)
        probes = sum(1 for x in frames[i + 1:] if x.src != cli and (end is None or x.no < end.no) and x.len == 0 and "F" not in x.flags)
        if rel is None or end is None:
            print("%-11s %6d %11.6f   never released" % (kind, b.no, b.t))
            continue
        d = (end.t - b.t) * 1000
        durs[kind].append(d)
        print("%-11s %6d %11.6f   %6d %11.6f (%6d)  %6d %11.6f  %5d  %12.3f  %14.3f" % (
            kind, b.no, b.t, rel.no, rel.t, rel.win, end.no, end.t, probes, d, (end.t - rel.t) * 1000))
    for k, d in durs.items():
        if d:
            print("%s: %d stalls, begin->end ms min %.3f median %.3f max %.3f, total %.3f" % (
                k, len(d), min(d), statistics.median(d), max(d), sum(d)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("nagle", "odd", "window", "frames", "signature"):
        s = sub.add_parser(name)
        s.add_argument("file")
        s.add_argument("--stream", type=int)
        if name == "nagle":
            s.add_argument("--first-len", type=int, default=200)
    a = p.parse_args()
    {"nagle": cmd_nagle, "odd": cmd_odd, "window": cmd_window, "frames": cmd_frames, "signature": cmd_signature}[a.cmd](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
