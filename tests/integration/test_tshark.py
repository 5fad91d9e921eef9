#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Integration tests: the real tshark with the built plugin on real captures.

For every capture in test_captures/expected.tsv, in single pass and in two
passes (-2):
  - every stream's conn_state, handshake verdict and diagnoses equal the
    expected ones, in the -z tcpdiag table (both modes) and in the per-packet
    fields (two passes: on every packet of the stream);
  - the findings drawn on packets are exactly the expected codes (two passes)
    or a subset of them (single pass, which cannot draw end-of-capture
    verdicts on a packet);
  - tshark's stderr is empty (WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 is set).
Then bad input (truncated, snaplen-cut, duplicated, garbage captures) must give
no dissector bug and no crash, and registration is checked (-G plugins/fields).
Prints 'N passed, N failed' last.
"""
import argparse
import os
import random
import re
import struct
import subprocess
import sys
import tempfile

from tshark_env import (Checks, Tshark, codes_of, parallel, parse_table, split_table,
                        wireshark_abi)

check = Checks()


def expected_rows(path):
    """The whitespace-separated columns of each line of an expected-results
    file, comments (#) and blank lines skipped."""
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                yield line.split()


def load_expected(path):
    """{capture: {stream: (conn_state, handshake, teardown, frozenset(codes))}} and
    {capture: {stream: frozenset(detail keywords the findings must carry)}}"""
    expected = {}
    details = {}
    for cols in expected_rows(path):
        capture, stream, conn_state, handshake, teardown, diagnoses = cols[:6]
        codes = frozenset() if diagnoses == "-" else frozenset(diagnoses.split(","))
        expected.setdefault(capture, {})[int(stream)] = (conn_state, handshake, teardown, codes)
        if len(cols) > 6:
            details.setdefault(capture, {})[int(stream)] = frozenset(cols[6].split(","))
    return expected, details


def clean_stderr(err):
    # tshark run as root says so; tests run it unprivileged, but be explicit.
    return "\n".join(l for l in err.splitlines() if "Running as user" not in l).strip()


def table_verdicts(rows):
    return {int(r["Stream"]): (r["State"], r["Handshake"], r["Teardown"], codes_of(r))
            for r in rows}


# What each severity means (README, docs/diagnoses.md), from a stream's verdicts.
FAILED = {"syn_unanswered", "rejected", "incomplete"}
BROKEN = {"reset", "abandoned", "fin_retransmitted", "half_closed"}
SLOW = {"syn_retransmitted", "synack_lost", "ack_lost"}
NOTE = {"duplicate_syn", "options", "port_reuse", "midstream"}


def expected_severity(handshake, teardown, stalls, codes, diagnosis=""):
    # A close that only ends a connection whose data was all delivered (a
    # RST after the peer's FIN, a late FIN) is a note; the diagnosis says so.
    benign_close = ((teardown == "reset" and "FIN" in diagnosis and "all delivered" in diagnosis)
                    or (teardown == "graceful" and diagnosis.startswith("Late close")))
    # Root cause first: a handshake that never completed because its SYN-ACKs
    # were lost heads with synack_lost; a lost third ACK after which none of
    # the client's data was acknowledged is a connection that never worked.
    if handshake in FAILED or (handshake == "synack_lost" and "handshake.incomplete" in codes) \
            or (handshake == "ack_lost" and "never worked" in diagnosis):
        return "1 failed"
    if "data.keepalive_dead" in codes:
        return "2 broken"
    if teardown in BROKEN and not benign_close:
        return "2 broken"
    if stalls:
        return "3 stalled"
    if "data.loss" in codes:
        return "4 lossy"
    if handshake in SLOW:
        return "5 slow"
    if benign_close or handshake in NOTE:
        return "6 note"
    return "7 healthy"


def check_table_rows(name, rows):
    """Worst first, a severity that matches the verdicts, and cells a person
    (and the GUI's Copy, which separates columns by two spaces) can read."""
    order = [(r["Severity"], int(r["Stream"])) for r in rows]
    check(order == sorted(order), "%s: rows not worst first, then by stream: %s" % (name, order))
    for r in rows:
        sev = expected_severity(r["Handshake"], r["Teardown"], int(r["Stalls"]), codes_of(r),
                                r["Diagnosis"])
        check(r["Severity"] == sev, "%s stream %s: severity %s, expected %s from its verdicts"
              % (name, r["Stream"], r["Severity"], sev))
        check(r["Diagnosis"].startswith("Healthy") == (sev == "7 healthy"),
              "%s stream %s: diagnosis %r for a %s stream" % (name, r["Stream"], r["Diagnosis"], sev))
        check(all(v and "  " not in v for v in r.values()),
              "%s stream %s: empty cell or double space in %s" % (name, r["Stream"], r))


def check_filtered_tables(ts, name, path, full_rows):
    """-z tcpdiag,<filter> lists the streams with a matching packet, each with
    its whole-stream row: the same cells as the unfiltered table, even when the
    stream's last matching packet comes early (a SYN), in single pass too."""
    full = {r["Stream"]: r for r in full_rows}
    for flt in ("tcp.flags.syn==1 && tcp.flags.ack==0", "tcp.stream==0"):
        # The packets the same filter displays name the streams (tcpdiag's
        # numbers: Wireshark 4.0's tcp.stream on every release); the two-pass
        # table comes from the same run, after them.
        two_pass = ts.run("-r", path, "-2", "-Y", flt, "-T", "fields", "-e", "tcpdiag.stream",
                          "-z", "tcpdiag," + flt)
        packets, table = split_table(two_pass[1])
        streams = {s for s in packets.split() if s}
        for mode, extra in (("single", []), ("two-pass", ["-2"])):
            if extra:
                rc, out, err = two_pass[0], table, two_pass[2]
            else:
                rc, out, err = ts.run("-r", path, "-q", "-z", "tcpdiag," + flt)
            check(rc == 0 and clean_stderr(err) == "", "%s %s -z tcpdiag,%s failed: %s"
                  % (name, mode, flt, err.strip()[:200]))
            _, rows = parse_table(out)
            check({r["Stream"] for r in rows} == streams, "%s %s -z tcpdiag,%s: streams %s, expected %s"
                  % (name, mode, flt, sorted(r["Stream"] for r in rows), sorted(streams)))
            check(rows == [full[r["Stream"]] for r in full_rows if r["Stream"] in streams],
                  "%s %s -z tcpdiag,%s: rows differ from the unfiltered table's" % (name, mode, flt))


def check_capture(ts, name, path, want, want_details):
    # The summary table, single pass and two passes.
    tables = {}
    for mode, extra in (("single", []), ("two-pass", ["-2"])):
        rc, out, err = ts.run("-r", path, "-q", "-z", "tcpdiag", *extra)
        check(rc == 0, "%s %s: tshark -z tcpdiag exit %d" % (name, mode, rc))
        check(clean_stderr(err) == "", "%s %s: stderr not empty: %s" % (name, mode, err.strip()[:300]))
        header, rows = parse_table(out)
        tables[mode] = rows
        got = table_verdicts(rows)
        check(set(got) == set(want), "%s %s: streams in table %s, expected %s"
              % (name, mode, sorted(got), sorted(want)))
        for stream, verdict in sorted(want.items()):
            check(got.get(stream) == verdict, "%s %s stream %d: table says %s, expected %s"
                  % (name, mode, stream, got.get(stream), verdict))
    check(tables["single"] == tables["two-pass"],
          "%s: -z tcpdiag rows differ between single pass and -2" % name)
    check_table_rows(name, tables["two-pass"])
    check_filtered_tables(ts, name, path, tables["two-pass"])

    # Per-packet fields in two passes: on every packet of every stream.
    fields = ["frame.number", "tcp.stream", "tcpdiag.stream", "tcpdiag.stream.conn_state",
              "tcpdiag.stream.handshake", "tcpdiag.stream.teardown", "tcpdiag.stream.diagnoses",
              "tcpdiag.stream.final"]
    args = ["-r", path, "-2", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=l",
            "-Y", "tcp && !icmp && !icmpv6"]
    for f in fields:
        args += ["-e", f]
    rc, out, err = ts.run(*args)
    check(rc == 0 and clean_stderr(err) == "", "%s: -2 -T fields failed: %s" % (name, err.strip()[:300]))
    per_stream = {}
    ours = {}  # tcp.stream -> tcpdiag.stream
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) < len(fields):
            cols += [""] * (len(fields) - len(cols))
        frame, stream, dstream, conn_state, handshake, teardown, diagnoses, final = cols[:8]
        if not check(dstream != "" and final == "1",
                     "%s frame %s: no final stream verdict on a packet of tcp.stream %s"
                     % (name, frame, stream)):
            continue
        ours.setdefault(int(stream), set()).add(int(dstream))
        codes = frozenset(c for c in diagnoses.split(",") if c)
        per_stream.setdefault(int(dstream), set()).add((conn_state, handshake, teardown, codes))
    # tcpdiag numbers streams as Wireshark 4.0 does: tcp.stream itself there;
    # later releases split some connections in two tcp.streams, never less.
    for stream, dstreams in sorted(ours.items()):
        check(len(dstreams) == 1 and min(dstreams) <= stream
              and (wireshark_abi() != "4.0" or dstreams == {stream}),
              "%s: tcp.stream %d is tcpdiag.stream %s" % (name, stream, sorted(dstreams)))
    for stream, verdict in sorted(want.items()):
        seen = per_stream.get(stream, set())
        check(seen == {verdict}, "%s stream %d: packet fields say %s, expected %s"
              % (name, stream, sorted(seen), verdict))

    # Findings on packets: exact in two passes, a subset in single pass.
    for mode, extra in (("single", []), ("two-pass", ["-2"])):
        rc, out, err = ts.run("-r", path, *extra, "-T", "fields", "-E", "occurrence=a",
                              "-E", "aggregator=;", "-e", "tcp.stream", "-e", "tcpdiag.finding",
                              "-e", "tcpdiag.stream", "-e", "tcpdiag.finding.detail",
                              "-Y", "tcpdiag.finding")
        check(rc == 0 and clean_stderr(err) == "", "%s %s: findings run failed" % (name, mode))
        found, found_details = {}, {}
        for line in out.splitlines():
            cols = line.split("\t")
            stream = int(cols[2].split(";")[-1])
            found.setdefault(stream, set()).update(cols[1].split(";"))
            for detail in cols[3].split(";"):
                found_details.setdefault(stream, set()).update(detail.split(","))
        if mode == "two-pass":
            for stream, details in sorted(want_details.items()):
                check(details <= found_details.get(stream, set()),
                      "%s stream %d: finding details %s, expected %s among them"
                      % (name, stream, sorted(found_details.get(stream, ())), sorted(details)))
        for stream, (_, _, _, codes) in sorted(want.items()):
            got = frozenset(found.get(stream, ()))
            if mode == "two-pass":
                check(got == codes, "%s %s stream %d: findings %s, expected %s"
                      % (name, mode, stream, sorted(got), sorted(codes)))
            else:
                check(got <= codes, "%s %s stream %d: findings %s not within %s"
                      % (name, mode, stream, sorted(got), sorted(codes)))


def check_stalls(ts, captures, path_expected):
    """Stall counts per stream and kind, and exact durations, in two passes."""
    want = {}
    for cols in expected_rows(path_expected):
        capture, stream, kind, count = cols[0], int(cols[1]), cols[2], int(cols[3])
        # band=MS:N: N of the stalls name the delayed-ACK timer "about MS ms"
        bands = {int(c[5:].split(":")[0]): int(c.split(":")[1]) for c in cols[4:] if c.startswith("band=")}
        frames = {int(a): float(b) for a, b in (c.split(":") for c in cols[4:] if not c.startswith("band="))}
        want.setdefault(capture, []).append((stream, kind, count, frames, bands))
    def one(item):
        capture, rows = item
        path = ts.add_capture(os.path.join(captures, capture))
        rc, out, err = ts.run("-r", path, "-2", "-T", "fields", "-e", "frame.number", "-e",
                              "tcpdiag.stream", "-e", "tcpdiag.stall", "-e", "tcpdiag.stall.duration",
                              "-e", "_ws.expert.message", "-Y", "tcpdiag.stall")
        check(rc == 0 and clean_stderr(err) == "", "%s: stall run failed" % capture)
        got = {}
        durations = {}
        messages = {}
        for line in out.splitlines():
            frame, stream, kind, duration, message = line.split("\t")
            got[(int(stream), kind)] = got.get((int(stream), kind), 0) + 1
            durations[int(frame)] = float(duration) * 1000.0
            messages.setdefault((int(stream), kind), []).append(message)
        for stream, kind, count, frames, bands in rows:
            for ms, n in bands.items():
                named = sum("about %d ms" % ms in m for m in messages.get((stream, kind), []))
                check(named == n, "%s stream %d: %d %s stalls name a %d ms delayed-ACK timer, expected %d"
                      % (capture, stream, named, kind, ms, n))
            if kind == "-":
                n = sum(v for (st, _), v in got.items() if st == stream)
                check(n == 0, "%s stream %d: %d stalls, expected none" % (capture, stream, n))
                continue
            n = got.get((stream, kind), 0)
            check(n == count, "%s stream %d: %d %s stalls, expected %d" % (capture, stream, n, kind, count))
            for frame, ms in frames.items():
                check(frame in durations and abs(durations[frame] - ms) < 1.0,
                      "%s frame %d: stall duration %s ms, expected %.3f ms"
                      % (capture, frame, durations.get(frame), ms))
        # a stall still open at the capture's end is listed only where the
        # end is known: never in a single pass
        rc, out1, _ = ts.run("-r", path, "-Y", "tcpdiag.stall.open", "-T", "fields",
                             "-e", "frame.number")
        check(rc == 0 and out1.strip() == "",
              "%s: a single pass lists stalls open at the capture's end (frames %s)"
              % (capture, out1.split()))
        # the table's per-stream stall count agrees with the packets (single pass too)
        for extra in ([], ["-2"]):
            rc, out, err = ts.run("-r", path, "-q", "-z", "tcpdiag", *extra)
            _, table = parse_table(out)
            for r in table:
                n = sum(v for (st, _), v in got.items() if st == int(r["Stream"]))
                check(int(r["Stalls"]) == n, "%s %s stream %s: table says %s stalls, packets %d"
                      % (capture, extra, r["Stream"], r["Stalls"], n))
    parallel(one, sorted(want.items()))


# Where the TCP header is: behind IPv4 fragments Wireshark reassembles, and
# inside a VXLAN tunnel. The data segments each side sent follow from the
# scenario (make_captures.sh): requests x ceil(size / MSS), the MSS being what
# the link gives (en_fragmented: 1448 bytes of a 1500-byte MTU, en_vxlan:
# 1398 of the tunnel's 1450). A reassembled segment must count with its whole
# length (it counted as empty before issue 12's byte reader).
ENCAPSULATIONS = {
    # capture: (client segments, server segments)
    "en_fragmented.pcap": (2, 28),
    "en_vxlan.pcap": (2, 8),
}


def check_encapsulations(ts, captures):
    for name, (want_c, want_s) in sorted(ENCAPSULATIONS.items()):
        path = ts.add_capture(os.path.join(captures, name))
        rc, out, err = ts.run("-r", path, "-2", "-Y", "tcpdiag", "-T", "fields", "-E",
                              "occurrence=a", "-e", "tcpdiag.stream.data", "-e",
                              "tcpdiag.stream.segments")
        check(rc == 0 and clean_stderr(err) == "", "%s: tshark exit %d %s" % (name, rc, err[:200]))
        last = [l for l in out.splitlines() if l.strip()][-1:] or [""]
        cols = last[0].split("\t")
        got = dict(zip(cols[0].split(","), cols[1].split(","))) if len(cols) == 2 else {}
        check(got == {"client": str(want_c), "server": str(want_s)},
              "%s: data segments %s, expected client %d, server %d" % (name, got, want_c, want_s))


# tcpdiag's expert infos reach -z expert in every mode: single pass (no tree
# is built for -z expert) and -2 (the second pass builds none either).
def check_expert(ts, captures):
    path = ts.add_capture(os.path.join(captures, "hs_refused.pcap"))
    for mode, extra in (("single", []), ("two-pass", ["-2"])):
        rc, out, err = ts.run("-r", path, "-q", "-z", "expert", *extra)
        refused = [l for l in out.splitlines() if "TCPDIAG" in l and "Connection refused" in l]
        check(rc == 0 and len(refused) == 2,
              "hs_refused.pcap %s: -z expert lists %d tcpdiag refusals, expected 2" % (mode, len(refused)))
    # A pass whose tree is built for something else draws no tcpdiag item,
    # but a filter or field on the expert infos still sees tcpdiag's.
    def expert_count(*extra):
        rc, out, err = ts.run("-r", path, "-q", "-z",
                              "io,stat,0,COUNT(_ws.expert.message)_ws.expert.message", *extra)
        rows = [l for l in out.splitlines() if "<>" in l]
        return int(rows[0].split("|")[2]) if rc == 0 and rows else -1
    without = expert_count("--disable-protocol", "tcpdiag")
    for mode, extra in (("single", []), ("two-pass", ["-2"])):
        with_tcpdiag = expert_count(*extra)
        # hs_refused's tcpdiag expert infos: two refusals, one graceful close
        check(without > 0 and with_tcpdiag == without + 3,
              "hs_refused.pcap %s: io,stat counts %d expert infos, %d without tcpdiag "
              "(expected 3 more)" % (mode, with_tcpdiag, without))


# Captures of every severity, for the tree's order and its top line.
TREE_CAPTURES = ["hs_syn_unanswered.pcap", "hs_reject_tcpreset.pcap", "td_abort.pcap",
                 "td_half_closed.pcap", "st_rto.pcap", "st_nagle_client.pcap",
                 "dt_pmtu_black_hole.pcap", "hs_slow_connect.pcap", "hs_options.pcap",
                 "hs_healthy.pcap", "td_late_close.pcap", "td_keepalive_dead.pcap", "hs_tfo.pcap"]
# "TCP Diagnosis: stalled: 3 stalls ..."; a diagnosis that says its severity
# itself is not preceded by it: "TCP Diagnosis: Healthy: connected in ..."
TOP = re.compile(r"^\[TCP Diagnosis: (?:(failed|broken|stalled|lossy|slow|note|healthy): )?(.+)\]$")

# The expert severity of a finding, by code (and detail): as the table ranks
# streams (docs/diagnoses.md, "Expert Information"): a connection that failed
# or broke, Error; lost time, Warning; worth knowing, Note; a feature in use
# or a normal end, Chat.
EXPERT_ERROR = {"handshake.syn_unanswered", "handshake.rejected", "handshake.incomplete",
                "teardown.abandoned", "teardown.half_closed", "teardown.fin_retransmitted",
                "teardown.reset", "data.keepalive_dead"}
EXPERT_WARNING = {"handshake.syn_retransmitted", "handshake.synack_lost", "handshake.ack_lost",
                  "data.loss", "data.path_mtu"}
EXPERT_CHAT = {"handshake.tfo", "teardown.graceful", "teardown.open"}


def expert_severity(code, detail):
    if code == "teardown.reset" and detail in ("after_peer_fin", "late_close"):
        return "Note"  # a RST that ends a close: a note in the table
    if code == "teardown.graceful" and detail == "late_close":
        return "Note"
    if code in EXPERT_ERROR:
        return "Error"
    if code in EXPERT_WARNING or code.startswith("stall."):
        return "Warning"
    return "Chat" if code in EXPERT_CHAT else "Note"


def check_tree(ts, captures):
    """The tree as a reader meets it (-2 -O tcpdiag): its top line gives the
    stream's severity and one-line diagnosis, the table's; what the packet
    shows (findings, stalls it ends) comes before the stream's verdict, and
    the counters of each way after it, under an item of their own."""
    for name in TREE_CAPTURES:
        path = ts.add_capture(os.path.join(captures, name))
        rc, out, _ = ts.run("-r", path, "-2", "-q", "-z", "tcpdiag")
        _, rows = parse_table(out)
        table = {int(r["Stream"]): r for r in rows}
        rc2, detail, err = ts.run("-r", path, "-2", "-O", "tcpdiag")
        check(rc == 0 and rc2 == 0, "%s: tshark -2 -O tcpdiag exit %d: %s"
              % (name, rc2, err.strip()[:200]))
        blocks, block = [], None
        for line in detail.splitlines():
            if line.startswith("[TCP Diagnosis"):
                block = [line]
                blocks.append(block)
            elif block is not None and line.startswith(" "):
                block.append(line.strip())
            else:
                block = None
        check(blocks, "%s: no tcpdiag tree" % name)
        findings = 0
        for b in blocks:
            m = TOP.match(b[0])
            stream = next((int(re.match(r"\[Diagnosed stream: (\d+)", l).group(1)) for l in b
                           if l.startswith("[Diagnosed stream: ")), None)
            row = table.get(stream)
            if not check(m and row, "%s: a tree's top line %r, stream %s" % (name, b[0][:120], stream)):
                break
            said = m.group(2)
            severity = m.group(1) or said.split(":")[0].lower()
            whole = said == row["Diagnosis"] or (said.endswith(" ...")
                                                 and row["Diagnosis"].startswith(said[:-4]))
            check(severity == row["Severity"][2:] and whole,
                  "%s stream %d: the tree says %r, the table %r: %r"
                  % (name, stream, m.group(1), row["Severity"], m.group(2)[:100]))
            first = lambda prefix: next((i for i, l in enumerate(b) if l.startswith(prefix)), None)
            # each finding: its expert info's severity, and what its count counts
            for i, l in enumerate(b):
                f = re.match(r"\[Diagnosis finding: ([a-z_.]+) \(", l)
                if not f:
                    continue
                sev = re.match(r"\[Expert Info \((\w+)/Sequence\)", b[i + 1] if i + 1 < len(b) else "")
                detail = next((re.match(r"\[Finding detail: (.*)\]", x).group(1)
                               for x in b[i + 1:i + 12] if x.startswith("[Finding detail: ")), "")
                check(sev and sev.group(1) == expert_severity(f.group(1), detail),
                      "%s stream %d: %s (%s) is an expert %s, expected %s"
                      % (name, stream, f.group(1), detail, sev and sev.group(1),
                         expert_severity(f.group(1), detail)))
            for l in b:
                if l.startswith("[Finding count: "):
                    check(re.match(r"\[Finding count: \d+ [A-Za-z]", l),
                          "%s stream %d: %r does not say what it counts" % (name, stream, l))
            at_finding, at_stream, at_each = (first("[Diagnosis finding: "),
                                              first("[Diagnosed stream: "),
                                              first("[Data each way"))
            if at_finding is not None:
                findings += 1
                check(at_finding == 1 and at_finding < at_stream,
                      "%s stream %d: the finding is line %d of the tree, the stream line %d"
                      % (name, stream, at_finding, at_stream))
            if at_each is not None:
                check(at_each > at_stream and (at_finding is None or at_each > at_finding),
                      "%s stream %d: the counters each way come before the verdict" % (name, stream))
        check(findings > 0, "%s: no packet with a finding in the tree" % name)


def check_registration(ts, version):
    rc, out, err = ts.run("-G", "plugins")
    check(any(l.split("\t")[0].strip() == "tcpdiag.so" and l.split("\t")[1].strip() == version
              for l in out.splitlines() if "\t" in l),
          "tshark -G plugins does not list tcpdiag.so %s" % version)
    rc, out, err = ts.run("-G", "fields")
    ours = [l.split("\t") for l in out.splitlines() if "\ttcpdiag." in l or "\ttcpdiag\t" in l]
    check(len(ours) >= 20, "tshark -G fields lists only %d tcpdiag fields" % len(ours))
    for cols in ours:
        if cols[0] == "F":
            # Expert items (tcpdiag.<code>) are listed like Wireshark's own, with
            # their summary as the name and no blurb; the summary describes them.
            expert = len(cols) > 3 and cols[3] == "FT_NONE"
            described = cols[1].strip() if expert else (len(cols) > 7 and cols[7].strip())
            check(bool(described), "field %s has no description" % cols[2])
        check(cols[0] != "F" or cols[2] == cols[2].lower(), "field %s is not lower case" % cols[2])


# Window scaling off at the receiver (make_captures.sh st_wscale_scenario,
# net.ipv4.tcp_window_scaling=0: the SYN carries no window scale option): at
# the sender every window-full stall is the 64 KB field's limit, and with
# scaling on (the control) there is none.
WSCALE_CAPTURES = {"st_no_wscale_50ms_server.pcap": True, "st_no_wscale_300ms_server.pcap": True,
                   "st_wscale_300ms_server.pcap": False}


def check_window_scaling(ts, captures):
    for name, off in sorted(WSCALE_CAPTURES.items()):
        path = ts.add_capture(os.path.join(captures, name))
        rc, out, _ = ts.run("-r", path, "-2", "-Y", "tcpdiag.stall", "-T", "fields",
                            "-e", "tcpdiag.stall", "-e", "tcpdiag.finding.detail")
        rows = [l.split("\t") for l in out.splitlines() if l.strip()]
        if off:
            check(rc == 0 and rows and all(r == ["window_full", "no_window_scaling"] for r in rows),
                  "%s: window-full stalls not named no_window_scaling: %s"
                  % (name, sorted(set(tuple(r) for r in rows))[:4]))
        else:
            check(rc == 0 and not rows, "%s: stalls with window scaling on: %s" % (name, rows[:4]))


# Think time, not Nagle (issue 27 item 7): the client writes every piece
# after the ACK of the one before came back (make_captures.sh think_traffic).
# Where the capture is at the sender, no stall; elsewhere at most a possible
# one, never a certain Nagle stall.
THINK_CAPTURES = {"st_think_client.pcap": "sender", "st_think_300ms.pcap": "sender",
                  "st_think_server.pcap": "away"}


def check_think_time(ts, captures):
    for name, where in sorted(THINK_CAPTURES.items()):
        path = ts.add_capture(os.path.join(captures, name))
        for extra in ([], ["-2"]):
            rc, out, _ = ts.run("-r", path, *extra, "-Y", "tcpdiag.stall", "-T", "fields",
                                "-e", "tcpdiag.stall", "-e", "tcpdiag.finding.detail")
            rows = [tuple(l.split("\t")) for l in out.splitlines() if l.strip()]
            if where == "sender":
                check(rc == 0 and not rows, "%s %s: stalls where the application only wrote "
                      "late: %s" % (name, extra, rows[:3]))
            else:
                check(rc == 0 and rows and all(r == ("nagle_delayed_ack", "nagle_or_think_time")
                                               for r in rows),
                      "%s %s: Nagle stalls not called possible from away from the sender: %s"
                      % (name, extra, sorted(set(rows))[:3]))


def check_preferences(ts):
    """The README lists every preference the plugin registers, with its
    default (the GUI's Preferences page shows them all)."""
    readme = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                               "README.md")).read()
    para = readme[readme.index("- **Preferences**"):]
    para = para[:para.index("\n- ") if "\n- " in para[2:] else len(para)]
    para = para[:para.index("\n\n")] if "\n\n" in para else para
    listed = dict(re.findall(r"`([a-z_0-9]+)` \((\d+)\)", para))
    rc, out, _ = ts.run("-G", "defaultprefs")
    registered = dict(re.findall(r"^#tcpdiag\.([a-z_0-9]+): (\S+)$", out, re.M))
    check(rc == 0 and registered and listed == registered,
          "README's preferences %s differ from the registered ones %s"
          % (sorted(listed.items()), sorted(registered.items())))


def pcap_bytes(packets, snaplen=65535):
    """A classic pcap (Ethernet) from (ts, frame bytes) pairs."""
    data = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, 1)
    for ts, frame in packets:
        data += struct.pack("<IIII", int(ts), int((ts % 1) * 1e6), len(frame), len(frame)) + frame
    return data


def check_bad_input(ts, captures, tmp):
    """Bad input gives a verdict or nothing, never a crash or a dissector bug."""
    source = os.path.join(captures, "hs_slow_connect.pcap")
    variants = {}
    # snaplen-cut: only the first 54 bytes of each frame (TCP header, no options)
    cut = os.path.join(tmp, "snaplen.pcap")
    subprocess.run(["editcap", "-s", "54", source, cut], check=True)
    variants["snaplen54"] = cut
    # every frame twice (a duplicating capture)
    dup = os.path.join(tmp, "dup.pcap")
    subprocess.run(["mergecap", "-w", dup, source, source], check=True)
    variants["duplicated"] = dup
    # the file cut in the middle of a packet
    with open(source, "rb") as f:
        data = f.read()
    variants["truncated"] = ts.write_capture("truncated.pcap", data[: len(data) * 2 // 3 + 7])
    # frames in reverse order
    rev = os.path.join(tmp, "reversed.pcap")
    frames = subprocess.run(["capinfos", "-c", "-M", source], capture_output=True,
                            text=True).stdout.split()[-1]
    parts = []
    for i in range(int(frames), 0, -1):
        part = os.path.join(tmp, "f%d.pcap" % i)
        subprocess.run(["editcap", "-r", source, part, str(i)], check=True)
        parts.append(part)
    subprocess.run(["mergecap", "-a", "-w", rev, *parts], check=True)
    variants["reversed"] = rev
    # random garbage after valid Ethernet/IPv4/TCP headers
    rnd = random.Random(1234)
    packets = []
    for i in range(300):
        eth = bytes(6) + bytes([0, 1, 2, 3, 4, 5]) + b"\x08\x00"
        ip = bytes([0x45, 0, 0, 60]) + rnd.randbytes(4) + bytes([64, 6, 0, 0]) \
            + bytes([10, 0, 0, rnd.randrange(1, 4)]) + bytes([10, 0, 1, rnd.randrange(1, 4)])
        tcp = struct.pack(">HH", rnd.choice([80, 443, 40000]), rnd.choice([80, 40001])) \
            + rnd.randbytes(8) + bytes([rnd.choice([0x50, 0xa0, 0xf0, 0x00]), rnd.randrange(256)]) \
            + rnd.randbytes(6) + rnd.randbytes(rnd.randrange(0, 40))
        packets.append((1000 + i * rnd.random(), eth + ip + tcp))
    variants["garbage"] = ts.write_capture("garbage.pcap", pcap_bytes(packets))

    def one(item):
        (label, path), extra = item
        rc, out, err = ts.run("-r", path, *extra, "-V", "-z", "tcpdiag")
        # 2: a bad file (4.0, 4.4); 4.6 says 14 on a truncated one.
        check(rc in (0, 2, 14) and "Dissector bug" not in out + err and "CRITICAL" not in err,
              "bad input %s %s: exit %d, %s" % (label, extra, rc, err.strip()[:300]))
    for label, path in variants.items():
        if not path.startswith(ts.captures):
            variants[label] = ts.add_capture(path, label + ".pcap")
    parallel(one, [(v, extra) for v in variants.items() for extra in ([], ["-2"])])

    # Two tables in one run would share one table: refused with a clear message.
    rc, out, err = ts.run("-r", ts.add_capture(source, "two_tables.pcap"), "-q", "-z", "tcpdiag",
                          "-z", "tcpdiag,tcp.stream==0")
    check(rc != 0 and "once per run" in err, "two -z tcpdiag: exit %d, %s" % (rc, err.strip()[:200]))

    # A duplicating capture must not turn into retransmissions or lost SYN-ACKs.
    rc, out, err = ts.run("-r", ts.add_capture(dup, "dup2.pcap"), "-q", "-z", "tcpdiag")
    _, rows = parse_table(out)
    codes = set()
    for r in rows:
        codes.update(codes_of(r))
    check(not codes & {"handshake.synack_lost", "handshake.ack_lost"},
          "duplicated capture reports %s" % sorted(codes))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--captures", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--version", required=True)
    args = ap.parse_args()

    ts = Tshark(args.plugin)
    try:
        check_registration(ts, args.version)
        check_preferences(ts)
        expected, details = load_expected(args.expected)
        # One capture per worker; every check of a capture in its worker.
        parallel(lambda item: check_capture(ts, item[0], ts.add_capture(
            os.path.join(args.captures, item[0])), item[1], details.get(item[0], {})),
            sorted(expected.items()))
        check_stalls(ts, args.captures, os.path.join(args.captures, "expected_stalls.tsv"))
        check_encapsulations(ts, args.captures)
        check_expert(ts, args.captures)
        check_tree(ts, args.captures)
        check_window_scaling(ts, args.captures)
        check_think_time(ts, args.captures)
        with tempfile.TemporaryDirectory() as tmp:
            check_bad_input(ts, args.captures, tmp)
    finally:
        ts.cleanup()
    print("integration: %d passed, %d failed" % (check.passed, check.failed))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
