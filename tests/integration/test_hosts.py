#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The host rollup (Statistics -> TCP Diagnosis by Host, tshark -z
tcpdiag,hosts) on real captures, against what nobody here wrote: the
kernel's own account of the same moment (test_captures/hosts_truth.tsv:
ss on the server when the capture stopped, nstat, iptables' counters, the
scanner's own list of ports; make_captures.sh host_*).

For every capture (test_captures/, and ../shared/realworld when given):
  - the hosts table and the streams table are the same in single pass and -2;
  - no row says what the rollup did not find: a host.* code in Codes iff in
    the Diagnosis;
for the host_* captures:
  - each finding with its numbers against the truth;
  - the control (host_control) and every other test capture: no host finding
    (realworld: listed, for the note);
  - each row's Filter selects exactly its connections' streams.
"""
import argparse
import os
import re
import sys

from tshark_env import Checks, Tshark, parallel, parse_table, split_table

HOST_CAPTURES = ["host_time_wait", "host_close_wait", "host_accept_queue",
                 "host_accept_queue_300ms", "host_scanner", "host_path_loss",
                 "host_path_loss_300ms", "host_idle_timeout", "host_port_exhaustion",
                 "host_control", "host_control_1ms", "host_control_300ms"]
S4 = "10.77.2.2"


def tables(out):
    """(streams rows, hosts rows) of one run with -z tcpdiag -z tcpdiag,hosts."""
    _, table = split_table(out)
    _, hosts = parse_table(table, key="Host")
    _, streams = parse_table(table, key="Stream")
    return streams, hosts


def truth_of(path):
    truth = {}
    if os.path.exists(path):
        for line in open(path):
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            truth[parts[0]] = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
    return truth


def row(rows, host):
    for r in rows:
        if r["Host"] == host:
            return r
    return None


def num(pattern, text, group=1):
    m = re.search(pattern, text or "")
    return int(m.group(group).replace(",", "")) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--captures", required=True)
    ap.add_argument("--realworld", default=None)
    args = ap.parse_args()
    check = Checks()
    ts = Tshark(args.plugin)
    truth = truth_of(os.path.join(args.captures, "hosts_truth.tsv"))
    paths = sorted(os.path.join(args.captures, f) for f in os.listdir(args.captures)
                   if f.endswith((".pcap", ".pcapng")))
    if args.realworld and os.path.isdir(args.realworld):
        for root, dirs, files in os.walk(args.realworld):
            dirs.sort()
            paths += [os.path.join(root, f) for f in sorted(files)
                      if f.endswith((".pcap", ".pcapng", ".cap", ".trace", ".dmp"))]
    found = {}

    def one(item):
        i, path = item
        base = os.path.splitext(os.path.basename(path))[0]
        local = ts.add_capture(path, "h%d%s" % (i, os.path.splitext(path)[1]))
        rc1, out1, err1 = ts.run("-r", local, "-q", "-z", "tcpdiag", "-z", "tcpdiag,hosts")
        rc2, out2, err2 = ts.run("-r", local, "-2", "-q", "-z", "tcpdiag", "-z", "tcpdiag,hosts")
        for err in (err1, err2):
            check("Dissector bug" not in err, "%s: a dissector bug: %s" % (base, err[:300]))
        s1, h1 = tables(out1)
        s2, h2 = tables(out2)
        check(h1 == h2, "%s: the hosts table differs between single pass and -2" % base)
        check(s1 == s2, "%s: the streams table differs between single pass and -2" % base)
        for r in h1:
            for code in (r["Codes"].split(",") if r["Codes"] != "-" else []):
                check(code.startswith("host."), "%s: %s: a code %s" % (base, r["Host"], code))
        found[path] = [(r["Host"], r["Codes"], r["Diagnosis"]) for r in h1 if r["Codes"] != "-"]
        if base in HOST_CAPTURES:
            judge(base, local, s1, h1)
        os.unlink(local)

    def judge(name, local, streams, hosts):
        t = truth.get(name, {})
        check(bool(t), "%s: no line in hosts_truth.tsv" % name)
        codes = {r["Host"]: r["Codes"] for r in hosts}
        base = re.sub(r"_\d+ms$", "", name)  # the scenario, whatever its RTT
        if base == "host_time_wait":
            r = row(hosts, S4 + ":8080")
            d = r and r["Diagnosis"]
            check(r and "host.time_wait" in r["Codes"], "%s: no host.time_wait: %s" % (base, codes))
            check(num(r"closed (\d+) of (\d+) connections first", d, 2) == int(t["conns"]),
                  "%s: connections %s, the client made %s" % (base, d, t["conns"]))
            check(num(r"(\d+) when the capture ends", d) == int(t["ss_time_wait"]),
                  "%s: TIME_WAIT at the end: %s; ss on the server counted %s"
                  % (base, d, t["ss_time_wait"]))
        elif base == "host_close_wait":
            r = row(hosts, S4 + ":8080")
            d = r and r["Diagnosis"]
            check(r and "host.close_wait" in r["Codes"], "%s: no host.close_wait: %s" % (base, codes))
            check(num(r"(\d+) connections? to \S+ in CLOSE_WAIT when the capture ends", d)
                  == int(t["ss_close_wait"]),
                  "%s: CLOSE_WAIT: %s; ss on the server counted %s" % (base, d, t["ss_close_wait"]))
            r = row(hosts, S4 + ":8081")
            check(r and r["Codes"] == "-", "%s: the service that closes well: %s" % (base, r))
            leaks = [s for s in streams if "host.close_wait" in s["Diagnosis"]]
            check(len(leaks) == int(t["ss_close_wait"]),
                  "%s: %d streams name host.close_wait" % (base, len(leaks)))
        elif base == "host_accept_queue":
            r = row(hosts, S4 + ":8080")
            d = r and r["Diagnosis"]
            check(r and "host.accept_queue" in r["Codes"], "%s: no host.accept_queue: %s"
                  % (base, codes))
            syns = num(r"\((\d+) SYNs? sent again", d)
            acks = num(r"(\d+) SYN-ACKs? resent after the client's ACK", d)
            # SYN cookies are off in the server: every drop is a SYN the
            # client sends again or an ACK the server answers with its SYN-ACK
            check(syns is not None and acks is not None
                  and syns + acks == int(t["ListenDrops"]),
                  "%s: %s SYNs dropped + %s ACKs ignored; the kernel counted %s listen drops (%s)"
                  % (name, syns, acks, t["ListenDrops"], d))
            dropped = num(r"dropped the handshakes of (\d+) of (\d+) connections", d)
            named = [s for s in streams if "host.accept_queue" in s["Diagnosis"]]
            check(dropped is not None and len(named) == dropped
                  and all("read differently: the listener dropped it" in s["Diagnosis"] for s in named),
                  "%s: %d streams say the listener dropped their handshake, the row %s"
                  % (name, len(named), dropped))
            check(num(r"of (\d+) connections", d) == int(t["conns"]),
                  "%s: %s; the clients made %s" % (name, d, t["conns"]))
        elif base == "host_scanner":
            r = row(hosts, "10.77.1.3")
            d = r and r["Diagnosis"]
            # the scanner's own counts of its ports' outcomes
            opened, refused, filtered = (int(t[k]) for k in ("open", "refused", "filtered"))
            check(r and "host.scanner" in r["Codes"], "%s: no host.scanner: %s" % (base, codes))
            check(num(r"tried (\d+) ports? \((\d+)-(\d+)\)", d) == int(t["ports"])
                  and num(r"tried (\d+) ports? \((\d+)-(\d+)\)", d, 2) == 20
                  and num(r"tried (\d+) ports? \((\d+)-(\d+)\)", d, 3) == 219,
                  "%s: %s; the scanner tried %s ports 20-219" % (base, d, t["ports"]))
            check(num(r"(\d+) of them failed", d) == refused + filtered,
                  "%s: failed: %s; the scanner saw %d refused, %d filtered, %d open"
                  % (base, d, refused, filtered, opened))
            # the probed ports have no rows; the probes rank as notes
            check(not any(h["Host"].startswith(S4 + ":") and h["Host"] != S4 + ":8080"
                          for h in hosts), "%s: a probed port has a row" % base)
            probes = [s for s in streams if s["Client"].startswith("10.77.1.3:")]
            check(probes and all(s["Severity"] == "6 note" and "host.scanner" in s["Diagnosis"]
                                 for s in probes), "%s: the probes do not rank as notes" % base)
            real = row(hosts, S4 + ":8080")
            check(real and real["Codes"] == "-", "%s: the real service: %s" % (base, real))
        elif base == "host_path_loss":
            r = row(hosts, "10.77.2.3")
            d = r and r["Diagnosis"]
            check(r and "host.path_loss" in r["Codes"] and "from 10.77.2.3" in d,
                  "%s: no host.path_loss from 10.77.2.3: %s" % (base, codes))
            check("before the capture point" in (d or ""), "%s: where: %s" % (base, d))
            lost_n = sum(int(s["Retrans c/s"].split("/")[1]) for s in streams
                         if s["Server"].startswith("10.77.2.3:"))
            dropped = int(t["dropped"])
            # at the client, after the drops, every retransmission repairs
            # one (a retransmission dropped again shows once)
            check(0.8 * dropped <= lost_n <= dropped,
                  "%s: %d retransmissions of 10.77.2.3's data seen, the router dropped %d"
                  % (name, lost_n, dropped))
            lossy = sum(1 for s in streams if s["Server"].startswith("10.77.2.3:")
                        and int(s["Retrans c/s"].split("/")[1]) > 0)
            check(num(r"(\d+) of the (\d+) connections with 50 segments", d) == lossy,
                  "%s: %s; %d connections from 10.77.2.3 were retransmitted" % (name, d, lossy))
            r2 = row(hosts, S4)
            check(r2 and "host.path_loss" not in r2["Codes"], "%s: %s loses too: %s"
                  % (base, S4, r2))
        elif base == "host_idle_timeout":
            r = row(hosts, S4 + ":8080")
            d = r and r["Diagnosis"]
            check(r and "host.idle_timeout" in r["Codes"], "%s: no host.idle_timeout: %s"
                  % (base, codes))
            check(num(r"(\d+) connections to \S+ were reset after", d) == int(t["reset"]),
                  "%s: %s; the clients saw %s resets" % (base, d, t["reset"]))
            m = re.search(r"reset after ([\d.]+) s of silence", d or "")
            check(m and abs(float(m.group(1)) - float(t["idle"])) < 0.5,
                  "%s: the silence: %s; the clients waited %s s" % (base, d, t["idle"]))
            # the bounds it gives the timer hold the firewall's
            m = re.search(r"of more than ([\d.]+) s .* and at most ([\d.]+) s", d or "")
            check(m and float(m.group(1)) < float(t["timer"]) <= float(m.group(2)),
                  "%s: the timer: %s; conntrack's was %s s" % (base, d, t["timer"]))
        elif base == "host_port_exhaustion":
            r = row(hosts, "10.77.1.2")
            d = r and r["Diagnosis"]
            check(r and "host.port_exhaustion" in r["Codes"], "%s: no host.port_exhaustion: %s"
                  % (base, codes))
            used = int(t["used_ports"])
            check(num(r"in (\d+) of its (\d+) connections", d) == int(t["conns"]) - used
                  and num(r"in (\d+) of its (\d+) connections", d, 2) == int(t["conns"]),
                  "%s: %s; %s connections from %s ports" % (base, d, t["conns"], used))
            m = re.search(r"(\d+) source ports? \((\d+)-(\d+)\)", d or "")
            check(m and int(m.group(1)) == used and int(m.group(2)) >= 40000
                  and int(m.group(3)) <= 40000 + int(t["ports"]) - 1,
                  "%s: the ports: %s; the client used %d of 40000-%d"
                  % (base, d, used, 40000 + int(t["ports"]) - 1))
            # its reuses end the server's TIME_WAITs: no pile-up to report
            r2 = row(hosts, S4 + ":8080")
            check(r2 and "host.time_wait" not in r2["Codes"] and int(t["ss_time_wait"]) == used,
                  "%s: %s; ss counted %s TIME_WAIT on the server" % (base, r2, t["ss_time_wait"]))
        elif base == "host_control":
            check(all(r["Codes"] == "-" for r in hosts), "%s: a host finding on the control: %s"
                  % (name, codes))
            check(int(t.get("ss_close_wait", 0)) == 0, "%s: the control left CLOSE_WAIT" % name)
            check(all(s["Severity"] == "7 healthy" for s in streams),
                  "%s: a stream of the control is not healthy" % name)
        # each row's filter selects its connections' streams
        for r in hosts:
            rc, out, err = ts.run("-r", local, "-Y", r["Filter"], "-T", "fields",
                                  "-e", "tcpdiag.stream")
            got = {l for l in out.split() if l}
            conns = int(r["Connections"])
            check(len(got) == conns, "%s: %s's filter %s selects %d streams, the row has %d"
                  % (base, r["Host"], r["Filter"], len(got), conns))

    try:
        parallel(one, list(enumerate(paths)))
    finally:
        ts.cleanup()
    bundled = os.path.abspath(args.captures) + os.sep
    for path in paths:
        if found.get(path) and os.path.basename(os.path.splitext(path)[0]) not in HOST_CAPTURES:
            rel = os.path.relpath(path, os.path.dirname(os.path.abspath(args.captures)))
            in_repo = os.path.abspath(path).startswith(bundled)
            for host, codes, diag in found[path]:
                print("%s: %s %s: %s" % (rel, host, codes, diag[:160]))
            # the bundled captures hold no host trouble: each has a few connections
            if in_repo:
                check(False, "%s: a host finding outside the host_* captures" % rel)
    print("hosts: %d passed, %d failed" % (check.passed, check.failed))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
