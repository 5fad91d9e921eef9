#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""rawsyn - send one bare TCP SYN from a raw socket: a half-open "SYN scan" probe.

Python 3 standard library only (root: SOCK_RAW).  Used by make_captures.sh inside the
client namespace.  The SYN is written by hand (IPv4 only; the kernel adds the IP
header, we compute the TCP checksum over the pseudo header), so no socket of the
kernel owns the source port: when the server answers with a SYN-ACK, the client's
own kernel answers it with a RST, exactly as a SYN scanner (nmap -sS) leaves it.

The raw socket also receives a copy of every incoming TCP packet: the tool waits
(bounded) for the answer to its SYN and prints it, so the log says what the server
did.  It sends nothing else.

  rawsyn.py --src 10.77.1.2 --dst 10.77.2.2 --sport 61022 --dport 8080
"""
import argparse
import random
import select
import socket
import struct
import sys
import time

FLAG_NAMES = "FSRPAUEC"


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def build_syn(src, dst, sport, dport, seq, window, mss):
    opts = struct.pack("!BBH", 2, 4, mss)  # MSS option only, as scanners send
    doff = (20 + len(opts)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, doff << 4, 0x02, window, 0, 0) + opts
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(hdr))
    c = checksum(pseudo + hdr)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:]


def flag_str(f):
    return "".join(FLAG_NAMES[i] for i in range(8) if f & (1 << i)) or "."


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--src", required=True, help="our IPv4 address (bound, and used in the checksum)")
    p.add_argument("--dst", required=True)
    p.add_argument("--sport", type=int, required=True)
    p.add_argument("--dport", type=int, required=True)
    p.add_argument("--seq", type=int, help="initial sequence number (default: random)")
    p.add_argument("--window", type=int, default=1024)
    p.add_argument("--mss", type=int, default=1460)
    p.add_argument("--wait", type=float, default=1.0, help="wait up to S s for the answer (bounded)")
    a = p.parse_args()

    seq = a.seq if a.seq is not None else random.getrandbits(32)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.bind((a.src, 0))
    s.sendto(build_syn(a.src, a.dst, a.sport, a.dport, seq, a.window, a.mss), (a.dst, 0))
    t0 = time.monotonic()
    print("rawsyn SYN %s:%d -> %s:%d seq=%d" % (a.src, a.sport, a.dst, a.dport, seq), flush=True)

    answer = None
    end = t0 + a.wait
    while answer is None:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([s], [], [], left)
        if not r:
            break
        pkt, _ = s.recvfrom(65535)
        ihl = (pkt[0] & 0x0F) * 4
        if len(pkt) < ihl + 20 or socket.inet_ntoa(pkt[12:16]) != a.dst:
            continue
        sp, dp, rseq, rack, _, flags = struct.unpack("!HHIIBB", pkt[ihl:ihl + 14])
        if sp == a.dport and dp == a.sport:
            answer = (flags, rseq, rack, time.monotonic() - t0)
    s.close()
    if answer is None:
        print("rawsyn no answer within %.1fs" % a.wait, flush=True)
        return 1
    flags, rseq, rack, dt = answer
    print("rawsyn answer %s seq=%d ack=%d after %.1fms%s" % (
        flag_str(flags), rseq, rack, dt * 1000,
        " (ack = our seq + 1)" if rack == (seq + 1) & 0xFFFFFFFF else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
