#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The real tshark with the built (uninstrumented) plugin under valgrind's
memcheck, single pass and -2, on a handful of varied captures: handshake
failures, resets, stalls, a lossy data phase, ICMP, a damaged capture and a
real capture of another stack when ../shared is there.

Every error valgrind reports with a tcpdiag frame in its stack fails the
test (invalid reads or writes, uninitialised values deciding a branch,
invalid frees). Errors entirely inside Wireshark, GLib or the C library are
counted and shown, not failed: they are not tcpdiag's. Leaks are not checked
here: tshark frees its file scope at exit and keeps the rest by design
(LeakSanitizer checks the core in tests/fuzz/run.sh).

Usage: test_valgrind.py --plugin build/tcpdiag.so --captures test_captures
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from tshark_env import Checks, Tshark, parallel, parse_table  # noqa: E402

CAPTURES = [
    "hs_syn_unanswered.pcap", "hs_reject_icmp.pcap", "hs_synack_lost.pcap", "td_abort.pcap",
    "td_keepalive_dead.pcap", "st_nagle_client.pcap", "st_zero_window.pcap",
    "dt_path_mtu.pcap", "data_phase/dp_loss_sack_50ms_router.pcap",
    "damaged/icmp_before_syn.pcap", "hs_refused_two_links.pcapng",
]
REALWORLD = ["zeek/tcprs/forwardacknowledgement/fack014.trace",
             "chrissanders-packets/tcp_zerowindowrecovery.pcapng"]

ERROR = re.compile(r"^==\d+== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|"
                   r"Syscall param|Mismatched free|Source and destination overlap)")


def errors_in(log):
    """Each error of a valgrind log as (first line, whether tcpdiag is in its stack)."""
    found, current = [], None
    for line in log.splitlines():
        if ERROR.match(line):
            current = [line.split("== ", 1)[1], False]
            found.append(current)
        elif current is not None:
            if re.match(r"^==\d+== *$", line):
                current = None
            elif "tcpdiag" in line or "/core/" in line or "/plugin/td_" in line:
                current[1] = True
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--captures", required=True)
    ap.add_argument("--realworld", default=None)
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        print("valgrind is not installed (scripts/install-deps.sh test installs it)")
        return 1
    check = Checks()
    ts = Tshark(args.plugin)
    logs = tempfile.mkdtemp(prefix="tcpdiag-valgrind-")
    os.chmod(logs, 0o777)
    paths = [os.path.join(args.captures, c) for c in CAPTURES]
    if args.realworld and os.path.isdir(args.realworld):
        paths += [os.path.join(args.realworld, c) for c in REALWORLD
                  if os.path.exists(os.path.join(args.realworld, c))]
    def one(item):
        """One run under memcheck; returns the errors that are not tcpdiag's."""
        path, mode = item
        name = os.path.basename(path)
        dest = os.path.join(ts.captures, name)
        log = os.path.join(logs, "%s%s.log" % (name, "".join(mode)))
        rc, out, err = ts.run("-r", dest, *mode, "-V", "-z", "tcpdiag", "-z", "tcpdiag,hosts", timeout=900,
                              wrapper=["valgrind", "--tool=memcheck", "--leak-check=no",
                                       "--num-callers=30", "--log-file=" + log])
        with open(log, errors="replace") as f:
            report = f.read()
        errs = errors_in(report)
        ours = [e for e, tcpdiag in errs if tcpdiag]
        _, rows = parse_table(out)
        check(rc == 0 and rows, "%s %s: tshark under valgrind exit %d, %d table rows: %s"
              % (name, mode, rc, len(rows), err.strip()[-300:]))
        if not check(not ours, "%s %s: %d valgrind errors in tcpdiag, first: %s (log %s)"
                     % (name, mode, len(ours), ours[0] if ours else "", log)):
            print(report[-4000:], flush=True)
        return len(errs) - len(ours)
    try:
        for path in paths:
            ts.add_capture(path, os.path.basename(path))
        # memcheck is single-threaded: one run per worker
        theirs = sum(parallel(one, [(path, mode) for path in paths for mode in ([], ["-2"])]))
    finally:
        ts.cleanup()
        shutil.rmtree(logs, ignore_errors=True)
    print("valgrind: %d captures, single pass and -2; errors outside tcpdiag (Wireshark's, "
          "GLib's): %d" % (len(paths), theirs))
    print("valgrind: %d passed, %d failed" % (check.passed, check.failed))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
