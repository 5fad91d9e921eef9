#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Everything tcpdiag says about a set of captures, in files that can be
compared across Wireshark releases (tests/matrix.sh diffs them).

For every capture under the given files or folders it writes OUT/<path>.txt:
  - `tshark -z tcpdiag` and `-z tcpdiag,hosts`, single pass and -2;
  - every packet's tcpdiag tree (`-O tcpdiag -Y tcpdiag`), single pass and -2,
    with the frame number and only the tcpdiag lines (other protocols' lines
    are Wireshark's, and change between releases by design); the table and
    the tree come from one run per mode;
  - every tcpdiag.* field that tshark -G fields lists, per packet (-2).
Plus OUT/_fields.txt: the registered tcpdiag fields and expert items.
"""
import argparse
import concurrent.futures
import os
import re
import sys

from tshark_env import Tshark, split_table

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".trace", ".dmp")


def captures_in(paths):
    for p in paths:
        if os.path.isfile(p):
            yield os.path.dirname(p) or ".", p
            continue
        for root, dirs, files in os.walk(p):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(CAPTURE_SUFFIXES):
                    yield p, os.path.join(root, name)


# Wireshark 4.6 shows a relative time in the units that fit it ("40.434000
# milliseconds", "1 minute, 5.111959000 seconds"), 4.0 and 4.4 always in
# seconds ("0.040434000 seconds", "65.111959000 seconds"). The value is the
# same (the -T fields section compares it raw); tree lines are compared in
# seconds.
UNITS = {"second": 1, "millisecond": 1e-3, "microsecond": 1e-6, "nanosecond": 1e-9,
         "minute": 60, "hour": 3600, "day": 86400}
PART = r"(-?\d+(?:\.\d+)?) (days?|hours?|minutes?|seconds?|milliseconds?|microseconds?|nanoseconds?)"
TIME = re.compile(r": (%s(?:, %s)*)\]$" % (PART, PART))


def in_seconds(line):
    m = TIME.search(line)
    if not m:
        return line
    value = sum(float(n) * UNITS[u.rstrip("s")] for n, u in re.findall(PART, m.group(1)))
    return line[:m.start()] + ": %.9f seconds]" % value


def tcpdiag_lines(detail):
    """Frame numbers and the [TCP Diagnosis...] subtree of `-O tcpdiag` output."""
    out, inside = [], False
    for line in detail.splitlines():
        if line.startswith("Frame "):
            out.append(line.split(":")[0])
            inside = False
        elif line.startswith("[TCP Diagnosis"):
            inside = True
            out.append(line)
        elif inside and line.startswith(" "):
            out.append(in_seconds(line))
        else:
            inside = False
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()

    ts = Tshark(args.plugin)
    try:
        rc, out, err = ts.run("-G", "fields")
        ours = sorted(l for l in out.splitlines() if "\ttcpdiag." in l or "\ttcpdiag\t" in l)
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "_fields.txt"), "w") as f:
            f.write("\n".join(ours) + "\n")
        fields = sorted({l.split("\t")[2] for l in ours
                         if l.startswith("F\t") and l.split("\t")[3] != "FT_NONE"})
        def one(item):
            i, (top, path) = item
            rel = os.path.join(os.path.basename(os.path.normpath(top)), os.path.relpath(path, top))
            local = ts.add_capture(path, "capture%d%s" % (i, os.path.splitext(path)[1]))
            parts = []
            for mode, extra in (("single pass", []), ("-2", ["-2"])):
                # One run gives both: the table follows the packets (the
                # display filter selects what is printed, the tap sees every
                # packet).
                rc, out, err = ts.run("-r", local, *extra, "-O", "tcpdiag", "-Y", "tcpdiag",
                                      "-z", "tcpdiag", "-z", "tcpdiag,hosts")
                tree, table = split_table(out)
                parts.append("## -z tcpdiag, %s (exit %s)\n%s" % (
                    mode, "ok" if rc in (0, 2, 14) else rc, table))
                parts.append("## tree, %s\n%s\n" % (mode, "\n".join(tcpdiag_lines(tree))))
            cmd = ["-r", local, "-2", "-Y", "tcpdiag", "-T", "fields", "-E", "occurrence=a",
                   "-E", "aggregator=;", "-e", "frame.number"]
            for fld in fields:
                cmd += ["-e", fld]
            rc, out, err = ts.run(*cmd)
            parts.append("## fields, -2: frame.number %s\n%s" % (" ".join(fields), out))
            os.unlink(local)
            dest = os.path.join(args.out, rel + ".txt")
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w") as f:
                f.write("\n".join(parts))

        # tshark runs one core; its start-up dominates on small captures.
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            n = len(list(pool.map(one, enumerate(captures_in(args.paths)))))
        print("dump_verdicts: %d captures into %s" % (n, args.out))
    finally:
        ts.cleanup()


if __name__ == "__main__":
    sys.exit(main())
