#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcpdiag's retransmission kinds against Zeek TCPRS's, packet by packet.

../shared/realworld/zeek/tcprs/ holds real traces with the verdict TCPRS
wrote for every retransmitted segment (its README). This runs tshark -2 with
the built plugin on each trace, joins tcpdiag's tcpdiag.retrans.kind with
TCPRS's rtype on (time, direction, raw sequence number), and prints the
confusion matrix, the agreement, how many of tcpdiag's rto packets TCPRS
calls timeouts, and every disagreement (trace, frame, both verdicts) to read
against the packets.

    python3 tests/tcprs_compare.py --plugin build/tcpdiag.so [--tcprs DIR] [--list]

A benchmark of agreement with a peer, not a pass/fail test: TCPRS is another
tool's heuristic (DIAGNOSES.md). Exit 0 always unless tshark fails.
"""
import argparse
import collections
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "integration"))
from tshark_env import Tshark  # noqa: E402

# TCPRS_Support.h: what each rtype means, as tcpdiag's kinds.
RTYPE = {1: "rto", 14: "rto", 15: "rto",
         2: "fast", 3: "fast", 4: "fast", 9: "fast", 10: "fast", 11: "fast",
         12: "fast", 13: "fast", 16: "fast"}


# rtype 5, "a further retransmission in a recovery already under way", has
# the kind of the retransmission that began that recovery (an RTO's
# go-back-N, or a fast recovery): the last other rtype of that direction.
FURTHER = 5


def tcprs_verdicts(log):
    """{(usec, src_is_orig, seq): kind} from a tcpretransmissions.log."""
    out = {}
    fields = None
    episode = {}  # (connection, direction) -> kind of the recovery under way
    with open(log) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
                continue
            if line.startswith("#") or not fields:
                continue
            row = dict(zip(fields, line.split("\t")))
            usec = round(float(row["ts"]) * 1e6)
            rtype = int(row["rtype"]) if row["rtype"] not in ("-", "") else 0
            direction = (row["uid"], row["orig"])
            if rtype == FURTHER:
                kind = episode.get(direction, "unknown")
            else:
                kind = RTYPE.get(rtype, "unknown")
                episode[direction] = kind
            out[(usec, row["orig"] == "T", int(row["seq"]))] = kind
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--tcprs", default=os.path.join(HERE, "..", "..", "shared", "realworld",
                                                     "zeek", "tcprs"))
    ap.add_argument("--list", action="store_true", help="print every disagreement")
    args = ap.parse_args()

    ts = Tshark(args.plugin)
    confusion = collections.Counter()
    disagreements = []
    unmatched = 0
    missing = []
    try:
        for trace in sorted(glob.glob(os.path.join(args.tcprs, "*", "*.trace"))):
            log = trace[:-len(".trace")] + ".tcpretransmissions.log"
            if not os.path.exists(log):
                continue
            theirs = tcprs_verdicts(log)
            local = ts.add_capture(trace, "t.pcap")
            rc, out, err = ts.run("-r", local, "-2", "-T", "fields", "-E", "separator=\t",
                                  "-e", "frame.number", "-e", "frame.time_epoch",
                                  "-e", "tcpdiag.stream", "-e", "tcp.seq_raw",
                                  "-e", "tcpdiag.retrans.kind", "-e", "tcpdiag.probe",
                                  "-e", "tcpdiag.duplicate", "-e", "tcpdiag.reordered",
                                  "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
                                  "-Y", "tcp.len > 0 || tcp.flags.fin == 1 || tcp.flags.syn == 1")
            if rc not in (0, 2, 14):
                print("tshark failed on %s: %s" % (trace, err.strip()[:200]))
                return 1
            # the originator of each stream: the sender of its first packet
            ours = {}
            first = {}
            rows = [l.split("\t") for l in out.splitlines()]
            rc, out0, err = ts.run("-r", local, "-T", "fields", "-e", "tcp.stream", "-e", "ip.src",
                                   "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "tcp.flags.syn",
                                   "-e", "tcp.flags.ack", "-Y", "tcp")
            for l in out0.splitlines():
                c = l.split("\t")
                key = (c[1] or c[2], c[3])
                if c[0] not in first:
                    first[c[0]] = key
                    # a SYN-ACK first: its receiver is the originator
                    if c[4] in ("1", "True") and c[5] in ("1", "True"):
                        first[c[0]] = None
            for c in rows:
                c += [""] * (11 - len(c))
                frame, t, stream, seq, kind, probe, dup, reord, src4, src6, sport = c[:11]
                usec = round(float(t) * 1e6)
                orig = first.get(stream)
                is_orig = orig == (src4 or src6, sport) if orig else None
                for o in ((is_orig,) if is_orig is not None else (True, False)):
                    k = (usec, o, int(seq) if seq else 0)
                    if k in theirs:
                        ours[k] = (frame, kind or ("probe:" + probe if probe else
                                                   "duplicate" if dup else
                                                   "reordered" if reord else "none"))
            name = os.path.relpath(trace, args.tcprs)
            for k, kind in sorted(theirs.items()):
                if k not in ours:
                    unmatched += 1
                    missing.append((name, k))
                    continue
                frame, mine = ours[k]
                confusion[(kind, mine)] += 1
                if kind != mine:
                    disagreements.append((name, frame, kind, mine))
    finally:
        ts.cleanup()

    kinds = sorted({a for a, _ in confusion} | {b for _, b in confusion})
    print("TCPRS (rows) vs tcpdiag (columns), packets TCPRS calls retransmissions:")
    print("%-10s" % "" + "".join("%11s" % k for k in kinds))
    for a in kinds:
        print("%-10s" % a + "".join("%11d" % confusion[(a, b)] for b in kinds))
    total = sum(confusion.values())
    known = sum(v for (a, b), v in confusion.items() if a != "unknown")
    agree = sum(v for (a, b), v in confusion.items() if a == b and a != "unknown")
    ours_rto = sum(v for (a, b), v in confusion.items() if b == "rto")
    rto_ok = confusion[("rto", "rto")]
    print("packets: %d joined, %d not found in tcpdiag's output" % (total, unmatched))
    print("agreement where TCPRS knows the kind: %d / %d = %.1f%%"
          % (agree, known, 100.0 * agree / known if known else 0))
    print("tcpdiag rto that TCPRS calls rto: %d / %d = %.1f%%"
          % (rto_ok, ours_rto, 100.0 * rto_ok / ours_rto if ours_rto else 0))
    # TCPRS has no tail-loss-probe kind (its traces are from 2010; Linux
    # sends loss probes since 3.10, 2013): a probe is its timer's
    # retransmission, no loss signal. Agreement with a classifier that cannot
    # say tlp is measured in its own kinds: tlp read as its rto. With one
    # segment in flight a probe fires when the RTO would (Linux clamps the
    # probe timeout to the RTO, tcp_schedule_loss_probe), so the packet alone
    # cannot tell the two; a modern Linux's kernel counts it a probe
    # (dp_fin_late: TCPLossProbes 1, TCPTimeouts 0), a 2010 stack's was a
    # timeout.
    family = {"rto": "timer", "tlp": "timer", "fast": "signal"}
    fam = sum(v for (a, b), v in confusion.items()
              if a != "unknown" and family.get(a) and family.get(a) == family.get(b))
    print("agreement in TCPRS's kinds (a loss probe is a timer's retransmission: its rto), "
          "where TCPRS knows the kind: %d / %d = %.1f%%"
          % (fam, known, 100.0 * fam / known if known else 0))
    if args.list:
        for d in disagreements:
            print("  %s frame %s: TCPRS %s, tcpdiag %s" % d)
        for name, (usec, orig, seq) in missing:
            print("  %s: TCPRS's retransmission at %.6f (seq %d, %s) not in tcpdiag's output"
                  % (name, usec / 1e6, seq, "originator" if orig else "responder"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
