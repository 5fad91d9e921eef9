#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build a benchmark capture from the real Linux TCP stack: a client and a
# server network namespace joined by a veth pair, traffic from
# bench/traffic.py, a little random loss on the port-8080 traffic, a few
# refused (closed port), unanswered (DROP) and ICMP-rejected connection
# attempts. tcpdump captures headers only (snaplen 128) on the client's veth.
#
# Run as root. Reuses an existing capture unless --force.
#   bench/make_bench_capture.sh [--kind short|bulk|many] [--force] [--conns N]
#                               [--reqs N] [--loss P] [--seed S] [--out FILE]
# Kinds (what users open):
#   short  5000 request/response connections, 1-19 requests each (default)
#   bulk   6 connections of 80 MB each with 0.5% loss each way: hundreds of
#          thousands of packets in a few streams (the data-phase model's
#          worst case)
#   many   300000 one-request connections (the table's and memory's worst case)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
KIND=short
OUT=
FORCE=0
CONNS=
REQS=10
LOSS=0.005
SEED=1
while [ $# -gt 0 ]; do
    case $1 in
        --kind) KIND=$2; shift ;;
        --force) FORCE=1 ;;
        --conns) CONNS=$2; shift ;;
        --reqs) REQS=$2; shift ;;
        --loss) LOSS=$2; shift ;;
        --seed) SEED=$2; shift ;;
        --out) OUT=$2; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
case $KIND in
    short) CONNS=${CONNS:-5000}; EXTRA=(); CONCURRENCY=48 ;;
    bulk)  CONNS=${CONNS:-6}; EXTRA=(--bulk 80000000 --refused 0 --unanswered 0 --rejected 0
                                     --ports 8080); CONCURRENCY=6 ;;
    many)  CONNS=${CONNS:-300000}; EXTRA=(--tiny --refused 0 --unanswered 0 --rejected 0);
           CONCURRENCY=64; LOSS=0 ;;
    *) echo "unknown kind $KIND" >&2; exit 2 ;;
esac
OUT=${OUT:-$HERE/work/$KIND.pcap}

if [ -s "$OUT" ] && [ $FORCE = 0 ]; then
    echo "reusing $OUT (use --force to rebuild)"
    exit 0
fi
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces, tcpdump)" >&2; exit 1; }
"$HERE/../scripts/install-deps.sh" bench
for t in ip iptables tcpdump python3 ethtool; do
    command -v $t >/dev/null || { echo "missing $t" >&2; exit 1; }
done
mkdir -p "$(dirname "$OUT")"

NSC=tdbench-cli-$$
NSS=tdbench-srv-$$
CLI_IP=10.77.0.1
SRV_IP=10.77.0.2
TMP=$(mktemp -d /tmp/tdbench-cap.XXXXXX)
SRV_PID= TCPDUMP_PID=

cleanup() {
    set +e
    [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
    [ -n "$TCPDUMP_PID" ] && kill "$TCPDUMP_PID" 2>/dev/null && wait "$TCPDUMP_PID" 2>/dev/null
    ip netns del "$NSC" 2>/dev/null
    ip netns del "$NSS" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

T0=$(date +%s.%N)
ip netns add "$NSC"
ip netns add "$NSS"
ip link add tdb-c netns "$NSC" type veth peer name tdb-s netns "$NSS"
ip -n "$NSC" addr add $CLI_IP/24 dev tdb-c
ip -n "$NSS" addr add $SRV_IP/24 dev tdb-s
for ns in "$NSC" "$NSS"; do
    ip -n "$ns" link set lo up
    # MTU-sized frames on the wire, as a NIC capture would show them.
    dev=$([ "$ns" = "$NSC" ] && echo tdb-c || echo tdb-s)
    ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off >/dev/null 2>&1 || true
    ip -n "$ns" link set "$dev" up
done
# Plenty of ephemeral ports; quick SYN give-up is handled by the client timeout.
ip netns exec "$NSC" sysctl -qw net.ipv4.ip_local_port_range="10000 60999"
# 300000 connections from one address: reuse ports in TIME_WAIT (timestamps
# keep that safe, RFC 6191); the server's accept queue must keep up.
ip netns exec "$NSC" sysctl -qw net.ipv4.tcp_tw_reuse=1
ip netns exec "$NSS" sysctl -qw net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096

# Server side firewall: random loss on port 8080 (both directions), an
# unanswered port (8081, SYN dropped), a rejecting port (8083, ICMP
# port unreachable). 8082 is simply closed (RST).
ip netns exec "$NSS" iptables -A INPUT  -p tcp --dport 8080 -m statistic --mode random --probability "$LOSS" -j DROP
ip netns exec "$NSS" iptables -A OUTPUT -p tcp --sport 8080 -m statistic --mode random --probability "$LOSS" -j DROP
ip netns exec "$NSS" iptables -A INPUT  -p tcp --dport 8081 -j DROP
ip netns exec "$NSS" iptables -A INPUT  -p tcp --dport 8083 -j REJECT

ip netns exec "$NSS" python3 "$HERE/traffic.py" server --addr $SRV_IP --ports 8080,8090 \
    --lifetime 900 > "$TMP/server.log" 2>&1 &
SRV_PID=$!

ip netns exec "$NSC" tcpdump -i tdb-c -w "$TMP/bench.pcap" -B 1048576 -U -s 128 \
    -Z root -n tcp or icmp > "$TMP/tcpdump.log" 2>&1 &
TCPDUMP_PID=$!

# Wait (bounded) for the server to listen and tcpdump to start.
for _ in $(seq 50); do
    grep -q listening "$TMP/server.log" 2>/dev/null && grep -q listening "$TMP/tcpdump.log" 2>/dev/null && break
    sleep 0.1
done
sleep 0.5

ip netns exec "$NSC" python3 "$HERE/traffic.py" client --addr $SRV_IP --ports 8080,8090 \
    --conns "$CONNS" --reqs "$REQS" --seed "$SEED" --deadline 600 \
    --concurrency "$CONCURRENCY" "${EXTRA[@]}"

sleep 1       # let the last FIN/ACKs and TIME_WAIT-free closes land
kill "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null || true; TCPDUMP_PID=
tail -n 3 "$TMP/tcpdump.log"
chmod 644 "$TMP/bench.pcap"
mv -f "$TMP/bench.pcap" "$OUT"
T1=$(date +%s.%N)
printf 'capture written to %s in %.1f s\n' "$OUT" "$(python3 -c "print($T1 - $T0)")"
