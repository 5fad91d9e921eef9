#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The data-phase model against the Linux kernel's own counters.

test_captures/make_captures.sh made every dp_* scenario at three path delays
and captured it at three points at once: at the server (the sender), at the
router's client side and at the client (the receiver). It recorded the
sender's kernel counters (nstat in its namespace, before and after) in
test_captures/data_phase_kernel.tsv. They are the ground truth here, not
anything tcpdiag wrote:

  at the sender, where every packet it sent passes:
    retransmissions (tcpdiag.retrans)  == TcpRetransSegs
    kind fast                          == TcpExtTCPFastRetrans
    kind rto                           == TcpExtTCPTimeouts + TcpExtTCPSlowStartRetrans
    timeouts (tcpdiag.stream.timeouts) == TcpExtTCPTimeouts
    kind tlp                           <= TcpExtTCPLossProbes (a probe may send new data)
    D-SACKs received                   == TcpExtTCPDSACKRecv
    spurious retransmissions           > 0 exactly when the kernel saw D-SACKs or
                                         a spurious RTO
    spurious retransmissions           >= TcpExtTCPDSACKRecv (each D-SACK reports
                                         one duplicate the receiver got)
    a timeout whose every retransmission came back D-SACKed (TcpRetransSegs ==
    TcpExtTCPDSACKRecv): its stall named a spurious timeout, and no data.loss
  at the router and the client, downstream of the losses (the router drops in
  its forwarding path): no more retransmissions than the sender sent, each
  original never seen is `upstream`, and nothing is called rto sooner than
  the minimum RTO after the last packet.
  everywhere: no stall on a stream that had no timeout; reordering only in
  the reorder scenarios, and seen there downstream of the router that swaps;
  single pass and -2 list the same tcpdiag.stall packets.
  the SYN-ACK, FIN sent again without data (tcpdiag.stream.retrans_control)
  count in TcpRetransSegs, TCPTimeouts and (the SYN-ACK) TCPSynRetrans.
  late, not lost (synack_late, fin_late, ack_late): the copy the receiver
  already had is spurious, the timeout over late ACKs is a spurious one, and
  no data.loss.
  refused, not lost (overrun: the receiver's window shrank under the flight;
  its kernel counted the refusals, receiver.* in the table): every resend
  beyond_window, none lost or spurious, no timeout stall; a resend by the
  timer into a closed window is the kernel's probe, not a timeout.
Prints 'N passed, N failed' last.
"""
import argparse
import os
import sys

from tshark_env import Checks, Tshark, parallel, parse_table

check = Checks()
SERVER = "10.77.2.2"

# Where tcpdiag and the kernel disagree, read against the packets, kept
# strict: such a check must fail as recorded here, and a change that makes it
# pass (or fail otherwise) fails the test until this list says so.
# None today: the blackouts at 50 and 300 ms, once recorded here, were the
# Eifel undo (a timeout shown spurious ends the go-back-N, RFC 4015; Linux
# tcp_try_undo_loss), which tcpdiag now follows.
KNOWN = {}


def kernel_counters(path):
    out = {}
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if not cols[0] or cols[0].startswith("#"):
                continue
            out[cols[0]] = {k: int(v or 0) for k, v in (c.split("=", 1) for c in cols[1:])}
    return out


STREAM_FIELDS = ["tcpdiag.stream.data", "tcpdiag.stream.retransmissions",
                 "tcpdiag.stream.retrans_fast", "tcpdiag.stream.retrans_rto",
                 "tcpdiag.stream.retrans_tlp", "tcpdiag.stream.timeouts",
                 "tcpdiag.stream.dsacks", "tcpdiag.stream.spurious", "tcpdiag.stream.reordered",
                 "tcpdiag.stream.retrans_control", "tcpdiag.stream.lost"]


# Where each capture point sits. The router's capture is on its client-side
# interface, after the delay queue (NFQUEUE in POSTROUTING) for what it sends
# to the client and before it for what it forwards to the server: all of the
# path's delay is on the server's side of it, so it is next to the client.
VANTAGE = {"server": "server", "client": "client", "router": "client"}


PACKET_FIELDS = ["frame.number", "frame.time_relative", "ip.src", "tcp.flags.fin", "tcp.len", "tcp.window_size",
                 "tcpdiag.stream.vantage",
                 "tcpdiag.retrans.kind", "tcpdiag.retrans.loss_at", "tcpdiag.retrans.carried",
                 "tcpdiag.retrans.spurious_by", "tcpdiag.finding", "tcpdiag.finding.detail",
                 "tcpdiag.stall", "tcpdiag.stall.open"] + STREAM_FIELDS


def read_pass(ts, path, extra=()):
    """Every packet's tcpdiag fields in one tshark run (a list of dicts; a
    field's several values joined by ';'): one run per mode and capture
    point instead of one per question (the test's time is tshark's)."""
    args = ["-r", path, *extra, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=;"]
    for f in PACKET_FIELDS:
        args += ["-e", f]
    rc, out, err = ts.run(*args)
    return [dict(zip(PACKET_FIELDS, l.split("\t"))) for l in out.splitlines() if l.strip()]


def vantage(packets):
    seen = [p["tcpdiag.stream.vantage"] for p in packets if p["tcpdiag.stream.vantage"]]
    return seen[-1] if seen else None


def server_account(packets):
    """The server's data account (the last packet's per-stream fields)."""
    last = [p for p in packets if p["tcpdiag.stream.data"]]
    if not last:
        return None
    cols = [last[-1][f].split(";") for f in STREAM_FIELDS]
    try:
        i = cols[0].index("server")
    except ValueError:
        return {f: 0 for f in STREAM_FIELDS[1:]}
    return {f: int(cols[n][i]) for n, f in enumerate(STREAM_FIELDS) if n}


def retransmissions(packets):
    """(frame, kind, loss_at, carried, spurious_by, fin) of each retransmission
    the server sent."""
    return [(p["frame.number"], p["tcpdiag.retrans.kind"], p["tcpdiag.retrans.loss_at"],
             p["tcpdiag.retrans.carried"], p["tcpdiag.retrans.spurious_by"], p["tcp.flags.fin"])
            for p in packets if p["tcpdiag.retrans.kind"] and p["ip.src"] == SERVER]


def closed_window_resends(packets):
    """The server's data retransmissions sent while the client's last window
    seen here was 0 (Wireshark's own tcp.window_size): at the server, its
    timer fired into a closed window. Linux resends the head as a probe then
    and counts it in TcpRetransSegs but neither in TCPTimeouts nor in
    TCPSlowStartRetrans (tcp_retransmit_timer: "receiver dastardly shrinks
    window")."""
    n, win, last = 0, None, None
    for p in packets:
        t = float(p["frame.time_relative"])
        # the timer's: nothing passed for Linux's minimum RTO (200 ms) before
        if (p["ip.src"] == SERVER and win == 0 and p["tcpdiag.retrans.kind"]
                and p["tcp.len"] not in ("", "0") and last is not None and t - last >= 0.2):
            n += 1
        if p["ip.src"] != SERVER and p["tcp.window_size"]:
            win = int(p["tcp.window_size"])
        last = t
    return n


def check_refused(found, name, k, label, acc, retx):
    """A receiver whose window shrank under the sender's flight (overrun):
    the path dropped nothing, the receiver's kernel refused the data past its
    edge (TcpExtBeyondWindow; every drop of the TCP receive path, by the
    kfree_skb tracepoint, in receiver.tcp_drops) and, with no D-SACK,
    received no resend twice: every resend was of a copy it refused. None
    is lost or spurious, and no timeout is the kernel does not count."""
    if "overrun" not in name:
        return
    check(k.get("receiver.TcpExtBeyondWindow", 0) > 0 and k["TcpExtTCPDSACKRecv"] == 0,
          "%s: the kernel refused no data beyond the window: %s" % (label, k))
    data = [r for r in retx if r[3] == "data"]
    check(data and all(r[2] == "beyond_window" for r in data),
          "%s: resends of refused data not named beyond_window: %s"
          % (label, [r for r in data if r[2] != "beyond_window"][:5]))
    check(acc["tcpdiag.stream.lost"] == 0 and acc["tcpdiag.stream.spurious"] == 0,
          "%s: %d lost, %d spurious; the path lost nothing and no resend arrived twice"
          % (label, acc["tcpdiag.stream.lost"], acc["tcpdiag.stream.spurious"]))
    check(not any(f[0] in ("data.loss", "stall.rto") for f in found),
          "%s: loss or a timeout stall where the receiver refused data: %s" % (label, found))


def findings(packets):
    """(code, detail) of every finding."""
    return [pair for p in packets if p["tcpdiag.finding"]
            for pair in zip(p["tcpdiag.finding"].split(";"),
                            p["tcpdiag.finding.detail"].split(";"))]


def stalls(packets):
    """The stalls that ended (one still open at the capture's end is listed
    in two passes only: where the end is known)."""
    return sorted("%s\t%s" % (p["frame.number"], p["tcpdiag.stall"]) for p in packets
                  if p["tcpdiag.stall"] and "1" not in p["tcpdiag.stall.open"].split(";"))


def check_late_not_lost(found, name, k, point, label, retx, control):
    """Late is not lost (issue 27): a SYN-ACK resent while the third ACK was
    late, a data+FIN segment resent while the original was late, a timeout
    while only the ACKs were late. Each time the kernel's receiver had the
    first copy: named spurious, and no data called lost."""
    if "synack_late" in name:
        check(len(control) == 1 and control[0][3] == "synack" and control[0][1] == "rto"
              and control[0][4] != "",
              "%s: the SYN-ACK sent again by its timer, shown spurious: %s" % (label, control))
        check(any(f[0] == "handshake.ack_lost" for f in found)
              and not any(f[0] == "handshake.synack_lost" for f in found),
              "%s: a late third ACK not told from a lost SYN-ACK: %s" % (label, found))
        if point == "server":
            check(("handshake.ack_lost", "eifel") in found or ("handshake.ack_lost", "dsack") in found,
                  "%s: the ACK that shows the first SYN-ACK arrived not read: %s"
                  % (label, found))
    if "fin_late" in name and point == "server":
        check(len(retx) == 1 and retx[0][5] == "1" and retx[0][3] == "data"
              and retx[0][4] == "dsack",
              "%s: the data+FIN resent once and D-SACKed: %s" % (label, retx))
    if name.startswith("dp_ack_late"):
        check(("stall.rto", "spurious") in found,
              "%s: a timeout while only the ACKs were late not named spurious: %s"
              % (label, found))
    if any(kind in name for kind in ("synack_late", "fin_late", "ack_late")):
        check(not any(f[0] in ("data.loss", "handshake.synack_lost") for f in found),
              "%s: nothing was lost, tcpdiag says %s" % (label, found))


def check_capture_point(ts, captures, name, k, point):
    """Every check of scenario name at one capture point; k: the sender's
    kernel counters."""
    cap = os.path.join(captures, "%s_%s.pcap" % (name, point))
    if not check(os.path.exists(cap), "%s: no capture" % cap):
        return
    path = ts.add_capture(cap)
    label = "%s at the %s" % (name, point)
    double_pass = read_pass(ts, path, ["-2"])
    found = findings(double_pass)
    acc = server_account(double_pass)
    if not check(acc is not None, "%s: no tcpdiag.stream.data" % label):
        return
    v = vantage(double_pass)
    check(v == VANTAGE[point], "%s: vantage %s, expected %s" % (label, v, VANTAGE[point]))
    retx = retransmissions(double_pass)
    # The SYN-ACK or FIN sent again without data: the kernel counts them in
    # TcpRetransSegs (a SYN-ACK also in TCPSynRetrans, its timer in
    # TCPTimeouts); tcpdiag counts them apart from the data.
    control = [r for r in retx if r[3] != "data"]
    control_rto = sum(1 for r in control if r[1] == "rto")
    check(acc["tcpdiag.stream.retrans_control"] == len(control),
          "%s: %d control retransmissions counted, %d marked" % (
              label, acc["tcpdiag.stream.retrans_control"], len(control)))
    if point == "server":
        check(sum(1 for r in control if r[3] == "synack") == k.get("TcpExtTCPSynRetrans", 0),
              "%s: SYN-ACKs sent again %s, kernel TCPSynRetrans %d" % (
                  label, control, k.get("TcpExtTCPSynRetrans", 0)))
        for ours, theirs in (
                ("tcpdiag.stream.retransmissions", k["TcpRetransSegs"] - len(control)),
                ("tcpdiag.stream.retrans_fast", k["TcpExtTCPFastRetrans"]),
                ("tcpdiag.stream.retrans_rto", k["TcpExtTCPTimeouts"]
                 + k["TcpExtTCPSlowStartRetrans"] - control_rto
                 + closed_window_resends(double_pass)),
                ("tcpdiag.stream.timeouts", k["TcpExtTCPTimeouts"] - control_rto),
                ("tcpdiag.stream.dsacks", k["TcpExtTCPDSACKRecv"])):
            known = KNOWN.get((name, ours))
            if known:
                check((acc[ours], theirs) == known,
                      "%s: %s %d, kernel %d; recorded as %s" % (
                          label, ours, acc[ours], theirs, known))
                continue
            check(acc[ours] == theirs, "%s: %s %d, kernel %d"
                  % (label, ours, acc[ours], theirs))
        # A loss probe sends new data when it can (RFC 8985 7.3):
        # only the probes that resent data are retransmissions.
        check(acc["tcpdiag.stream.retrans_tlp"] <= k["TcpExtTCPLossProbes"],
              "%s: %d tail loss probes, kernel %d" % (
                  label, acc["tcpdiag.stream.retrans_tlp"], k["TcpExtTCPLossProbes"]))
        check(all(r[2] != "upstream" for r in retx),
              "%s: an original lost before the sender" % label)
    else:
        check(acc["tcpdiag.stream.retransmissions"] <= k["TcpRetransSegs"],
              "%s: %d retransmissions, the sender sent %d" % (
                  label, acc["tcpdiag.stream.retransmissions"], k["TcpRetransSegs"]))
        check(acc["tcpdiag.stream.timeouts"] <= k["TcpExtTCPTimeouts"],
              "%s: %d timeouts, the sender had %d" % (
                  label, acc["tcpdiag.stream.timeouts"], k["TcpExtTCPTimeouts"]))
        if "loss" in name or "tlp" in name:
            check(all(r[2] == "upstream" for r in retx),
                  "%s: retransmissions whose original passed here: %s"
                  % (label, [r for r in retx if r[2] != "upstream"][:5]))
    spurious_kernel = k["TcpExtTCPDSACKRecv"] > 0 or k["TcpExtTCPSpuriousRTOs"] > 0
    if not spurious_kernel:
        check(acc["tcpdiag.stream.spurious"] == 0,
              "%s: %d spurious retransmissions, the kernel saw no D-SACK and no "
              "spurious RTO" % (label, acc["tcpdiag.stream.spurious"]))
    if point == "server":
        check(acc["tcpdiag.stream.spurious"] >= k["TcpExtTCPDSACKRecv"],
              "%s: %d spurious retransmissions, the receiver reported %d duplicates "
              "(D-SACK)" % (label, acc["tcpdiag.stream.spurious"], k["TcpExtTCPDSACKRecv"]))
        if k["TcpExtTCPTimeouts"] and k["TcpRetransSegs"] == k["TcpExtTCPDSACKRecv"]:
            check(("stall.rto", "spurious") in found
                  and not any(f[0] == "data.loss" for f in found),
                  "%s: every retransmission D-SACKed, the timeout not named spurious or data "
                  "called lost: %s" % (label, found))
        check((acc["tcpdiag.stream.spurious"] > 0) == spurious_kernel,
              "%s: %d spurious, kernel D-SACKs %d, spurious RTOs %d"
              % (label, acc["tcpdiag.stream.spurious"], k["TcpExtTCPDSACKRecv"],
                 k["TcpExtTCPSpuriousRTOs"]))
    if "reorder" in name and point != "server":
        # the router swaps neighbours after the server's capture point
        check(acc["tcpdiag.stream.reordered"] > 0 and acc["tcpdiag.stream.retransmissions"] == 0,
              "%s: %d reordered, %d retransmissions on a path that swaps neighbours"
              % (label, acc["tcpdiag.stream.reordered"],
                 acc["tcpdiag.stream.retransmissions"]))
    if "fin_late" in name:
        # one packet late: its retransmission passes the router and the
        # client first, then the original (an older TSval) comes
        late = 0 if point == "server" else 1
        check(acc["tcpdiag.stream.reordered"] == late,
              "%s: %d reordered segments, the path held %d packet back"
              % (label, acc["tcpdiag.stream.reordered"], late))
    elif "reorder" not in name:
        check(acc["tcpdiag.stream.reordered"] == 0,
              "%s: %d reordered segments on a path that does not reorder"
              % (label, acc["tcpdiag.stream.reordered"]))
    check_late_not_lost(found, name, k, point, label, retx, control)
    check_refused(found, name, k, label, acc, retx)
    # No stall without a timeout; the same stalls in both modes.
    single, double = stalls(read_pass(ts, path)), stalls(double_pass)
    check(single == double, "%s: tcpdiag.stall single pass %s, -2 %s"
          % (label, single, double))
    if k["TcpExtTCPTimeouts"] == 0:
        check(not [s for s in double if s.endswith("rto")],
              "%s: rto stalls without a kernel timeout: %s" % (label, double))
    # Lost data is never healthy.
    rc, out, err = ts.run("-r", path, "-q", "-z", "tcpdiag")
    _, rows = parse_table(out)
    for r in rows:
        if r["Retrans c/s"] != "0/0" and "data.loss" in r["Codes"]:
            check(not r["Severity"].endswith("healthy"),
                  "%s: lost data called healthy" % label)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--captures", required=True)
    args = ap.parse_args()
    kernel = kernel_counters(os.path.join(args.captures, "data_phase_kernel.tsv"))
    ts = Tshark(args.plugin)
    try:
        # One capture per worker: each reads its capture alone.
        parallel(lambda item: check_capture_point(ts, args.captures, *item),
                 [(name, k, point) for name, k in sorted(kernel.items())
                  for point in ("server", "router", "client")])
    finally:
        ts.cleanup()
    print("data phase: %d passed, %d failed" % (check.passed, check.failed))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
