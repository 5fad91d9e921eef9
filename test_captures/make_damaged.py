#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Damaged captures: bundled namespace captures with a frame dropped, two
frames swapped, flags or options changed, as a capture point that missed a
frame, a merge out of order, or a corrupted file gives them. Each one was a
wrong or mode-dependent verdict once (issue 13); their verdicts are in
expected.tsv, what each shows in SCENARIOS.md ("Damaged captures").

Usage: test_captures/make_damaged.py   (writes test_captures/damaged/*.pcap)
Deterministic: the same sources give the same files.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "fuzz"))
from fuzz import Pcap, shift  # noqa: E402

OUT = os.path.join(HERE, "damaged")


def tcp_offset(frame):
    """Offset of the TCP header in an Ethernet/IPv4 frame."""
    assert frame[12:14] == b"\x08\x00" and frame[23] == 6
    return 14 + (frame[14] & 15) * 4


def with_flags(rec, flags):
    d = bytearray(rec[3])
    d[tcp_offset(d) + 13] = flags
    return [rec[0], rec[1], rec[2], bytes(d)]


def with_wscale(rec, value):
    """The window-scale option's shift set to value (RFC 7323 allows 0-14)."""
    d = bytearray(rec[3])
    t = tcp_offset(d)
    i, end = t + 20, t + (d[t + 12] >> 4) * 4
    while i < end and d[i] != 0:
        if d[i] == 1:
            i += 1
            continue
        if d[i] == 3 and d[i + 1] == 3:
            d[i + 2] = value
        i += max(d[i + 1], 2)
    return [rec[0], rec[1], rec[2], bytes(d)]


def at(rec, first, seconds):
    """rec moved to `seconds` after the record `first` (microsecond pcap)."""
    now = (rec[0] - first[0]) + (rec[1] - first[1]) / 1e6
    return shift(rec, seconds - now, 1_000_000)


def main():
    os.makedirs(OUT, exist_ok=True)
    healthy = Pcap.read(os.path.join(HERE, "hs_healthy.pcap"))
    # Stream 0 of hs_healthy: SYN, SYN-ACK, ACK, request, ACK, response,
    # ACK, client FIN, server FIN+ACK, last ACK (frames 1-10).
    s0 = [list(r) for r in healthy.records[:10]]
    icmp = Pcap.read(os.path.join(HERE, "hs_reject_icmp.pcap"))
    files = {
        # The client's FIN lost at the capture point: the server's FIN
        # acknowledges it (one past the client's last byte).
        "close_client_fin_missing": s0[:7] + s0[8:],
        # The server's FIN missing: the client's last ACK shows it; the
        # client's FIN is not acknowledged in what is left.
        "close_server_fin_missing": s0[:8] + s0[9:],
        # The last ACK missing: both FINs seen, the server's unacknowledged.
        "close_last_ack_missing": s0[:9],
        # SYN, SYN-ACK, the client's RST+ACK, then its ACK 5 s later (out
        # of order): the RST ended the attempt; nothing was connected.
        "rst_then_ack": [s0[0], s0[1], with_flags(s0[2], 0x14), at(s0[2], s0[0], 5.0)],
        # A SYN-ACK with no SYN, answered by the client's RST.
        "synack_then_rst": [s0[1], with_flags(s0[2], 0x14)],
        # Window scale 200 on both SYNs (a corrupted option): counts as 14.
        "wscale_200": [with_wscale(r, 200) if i < 2 else r for i, r in enumerate(s0)],
    }
    # The router's ICMP port unreachable (frame 12) before the SYN it quotes
    # (frame 11), timestamps and all: a merge out of order.
    ir = [list(r) for r in icmp.records]
    ir[10], ir[11] = ir[11], ir[10]
    for name, records in files.items():
        healthy.write(os.path.join(OUT, name + ".pcap"), records)
    icmp.write(os.path.join(OUT, "icmp_before_syn.pcap"), ir)
    print("make_damaged: %d captures in %s" % (len(files) + 1, OUT))


if __name__ == "__main__":
    main()
