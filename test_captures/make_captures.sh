#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make_captures.sh - regenerate tcpdiag's test captures from the real Linux TCP stack.
#
#   sudo ./make_captures.sh            # build every scenario
#   sudo ./make_captures.sh NAME...    # build only these (e.g. hs_refused hs_tfo)
#   ./make_captures.sh --list          # list scenario names
#
# Topology (namespaces are created per scenario and always deleted on exit):
#
#   tdcap-client            tdcap-router                 tdcap-server
#   c-r 10.77.1.2/24 ---- r-c 10.77.1.1 | r-s 10.77.2.1 ---- s-r 10.77.2.2/24
#       fd77:1::2/64          fd77:1::1 | fd77:2::1              fd77:2::2/64
#
# The router forwards IPv4/IPv6 and sends every packet it emits (forwarded or its
# own RST/ICMP) through NFQUEUE to tools/nfq_delay, which holds it DELAY_MS
# (default 20 ms) in order: ~20 ms one way, ~40 ms RTT client<->server, ~20 ms
# RTT client<->router.  Loss and rejection are iptables rules in the router's
# filter FORWARD chain, so dropped packets are dropped before the delay.
# IPv4 TTL seen by the client: server 63 (one hop), router 64.
# Captures are taken with tcpdump on c-r (client side) or s-r (server side),
# filter "tcp or icmp or icmp6" (cs_one_sided_*: -Q out, one direction only).
# Neighbour entries are static and DAD/router solicitations are off, so no
# ARP/NDP traffic shows up.
#
# Needs root, iproute2, iptables/ip6tables (nf_tables backend is fine), tcpdump,
# editcap, gcc + libnetfilter-queue-dev, python3, ethtool (optional: offloads
# are turned off so captured segments are <= MSS with correct checksums).
# See SCENARIOS.md for what each capture contains.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_DIR=${OUT_DIR:-$HERE}
APP="$HERE/tools/tcpapp.py"
HOSTLOAD="$HERE/tools/hostload.py"
RAWSYN="$HERE/tools/rawsyn.py"
DELAY_MS=${DELAY_MS:-20}

NS_C=tdcap-client
NS_R=tdcap-router
NS_S=tdcap-server
C4=10.77.1.2 R4C=10.77.1.1 R4S=10.77.2.1 S4=10.77.2.2
C6=fd77:1::2 R6C=fd77:1::1 R6S=fd77:2::1 S6=fd77:2::2
IF_C=c-r IF_RC=r-c IF_RS=r-s IF_S=s-r
MAC_C=02:77:01:00:00:02 MAC_RC=02:77:01:00:00:01
MAC_S=02:77:02:00:00:02 MAC_RS=02:77:02:00:00:01
PORT=8080            # the server's open port
CAP_FILTER='tcp or icmp or icmp6'

ALL_SCENARIOS=(
	hs_healthy hs_syn_unanswered hs_refused hs_reject_tcpreset hs_reject_icmp
	hs_synack_lost hs_ack_lost hs_slow_connect hs_tfo hs_tfo_rejected
	hs_port_reuse hs_midstream hs_options hs_incomplete hs_duplicated
	td_graceful td_half_closed td_abort td_half_open td_fin_retrans td_abandoned
	td_idle_reset td_open
	cs_s3 cs_oth cs_one_sided_client cs_one_sided_server
	st_nagle_client st_nagle_server st_think_client st_think_server st_think_300ms st_nodelay st_odd_segments st_zero_window
	st_window_full st_rto st_healthy st_duplicated st_no_wscale_50ms st_no_wscale_300ms
	st_wscale_300ms st_no_wscale_50ms_server st_no_wscale_300ms_server st_wscale_300ms_server
	st_nagle_1ms st_nagle_300ms st_reqresp_1ms st_reqresp_40ms st_reqresp_300ms
	td_keepalive_dead td_keepalive_dead_300ms td_late_close td_close_at_end
	dt_path_mtu dt_path_mtu_300ms dt_pmtu_black_hole hs_synack_all_lost hs_ack_all_lost
	hs_synack_twice_client hs_synack_twice_server
	st_nagle_delack100 st_nagle_delack200 hs_refused_first hs_refused_two_links
	en_fragmented en_vxlan
	host_time_wait host_close_wait host_accept_queue host_accept_queue_300ms host_scanner
	host_path_loss host_path_loss_300ms host_idle_timeout host_port_exhaustion host_control
	host_control_1ms host_control_300ms
)
# The data-phase scenarios run at three path delays (RTT about 1, 50 and
# 300 ms) and are captured at three points at once (the sender, the router's
# client side, the receiver): dp_<kind>_<rtt>ms_{client,router,server}.pcap,
# with the sender's kernel counters (nstat) in data_phase_kernel.tsv.
DP_KINDS=(loss_sack loss_nosack tlp spurious reorder blackout synack_late ack_late fin_late overrun)
DP_RTTS=(1 50 300)
for k in "${DP_KINDS[@]}"; do for r in "${DP_RTTS[@]}"; do ALL_SCENARIOS+=("dp_${k}_${r}ms"); done; done

die() { echo "make_captures: $*" >&2; exit 1; }
say() { echo "[$(date +%T)] $*"; }

if [[ ${1:-} == --list ]]; then printf '%s\n' "${ALL_SCENARIOS[@]}"; exit 0; fi
[[ $EUID -eq 0 ]] || die "must run as root (network namespaces, iptables, tcpdump)"
"$HERE/../scripts/install-deps.sh" captures || die "could not install what it needs"
for c in ip iptables ip6tables tcpdump editcap mergecap gcc python3 timeout flock; do
	command -v "$c" >/dev/null || die "missing command: $c"
done
[[ -f /usr/include/libnetfilter_queue/libnetfilter_queue.h ]] ||
	die "missing libnetfilter-queue-dev (apt-get install libnetfilter-queue-dev)"

SCENARIOS=("$@")
[[ ${#SCENARIOS[@]} -gt 0 ]] || SCENARIOS=("${ALL_SCENARIOS[@]}")
for s in "${SCENARIOS[@]}"; do
	[[ " ${ALL_SCENARIOS[*]} " == *" $s "* ]] || die "unknown scenario: $s (see --list)"
done

exec 9>/run/tdcap-make_captures.lock
flock -n 9 || die "another make_captures.sh is running"

WORK=$(mktemp -d /tmp/tdcap.XXXXXX)
BG_PIDS=()      # every background process we started
CAP_PID=''

ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

kill_bg() {
	local p
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${BG_PIDS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	BG_PIDS=()
}

del_namespaces() {
	local n p
	for n in $NS_C $NS_R $NS_S; do
		ns_exists "$n" || continue
		# anything still running inside our own namespaces is ours
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
		ip netns del "$n" 2>/dev/null || true
	done
}

cleanup() {
	set +e
	kill_bg
	del_namespaces
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

spawn() { "$@" & BG_PIDS+=($!); }

# wait_for CMD... : poll (max 5 s) until CMD succeeds
wait_for() {
	local i
	for i in $(seq 50); do "$@" && return 0; sleep 0.1; done
	return 1
}

R() { ip netns exec $NS_R "$@"; }
sysc() { local n=$1; shift; local kv; for kv; do ip netns exec "$n" sysctl -qw "$kv" >/dev/null; done; }
r4() { R iptables -w "$@"; }
r6() { R ip6tables -w "$@"; }

# ---------------------------------------------------------------- build
NFQ_BIN="$WORK/nfq_delay"
gcc -O2 -Wall -o "$NFQ_BIN" "$HERE/tools/nfq_delay.c" -lnetfilter_queue ||
	die "cannot build tools/nfq_delay.c"
HAVE_ETHTOOL=1
command -v ethtool >/dev/null || { HAVE_ETHTOOL=0; echo "warning: no ethtool; offloads stay on" >&2; }

# ---------------------------------------------------------------- network
# link_up NS IF: offloads off (frames MTU-sized, as on a NIC), then up.
link_up() {
	if [[ $HAVE_ETHTOOL == 1 ]]; then
		ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	fi
	ip -n "$1" link set "$2" up
}

setup_net() {
	del_namespaces
	local n
	for n in $NS_C $NS_R $NS_S; do
		ip netns add "$n"
		sysc "$n" net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0 \
			net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0
		ip -n "$n" link set lo up
	done
	ip link add $IF_C netns $NS_C address $MAC_C type veth peer name $IF_RC netns $NS_R address $MAC_RC
	ip link add $IF_S netns $NS_S address $MAC_S type veth peer name $IF_RS netns $NS_R address $MAC_RS

	ip -n $NS_C addr add $C4/24 dev $IF_C
	ip -n $NS_C addr add $C6/64 dev $IF_C nodad
	ip -n $NS_R addr add $R4C/24 dev $IF_RC
	ip -n $NS_R addr add $R6C/64 dev $IF_RC nodad
	ip -n $NS_R addr add $R4S/24 dev $IF_RS
	ip -n $NS_R addr add $R6S/64 dev $IF_RS nodad
	ip -n $NS_S addr add $S4/24 dev $IF_S
	ip -n $NS_S addr add $S6/64 dev $IF_S nodad
	link_up $NS_C $IF_C
	link_up $NS_R $IF_RC
	link_up $NS_R $IF_RS
	link_up $NS_S $IF_S
	ip -n $NS_C route add default via $R4C
	ip -n $NS_C -6 route add default via $R6C
	ip -n $NS_S route add default via $R4S
	ip -n $NS_S -6 route add default via $R6S
	# static neighbours: no ARP/NDP during captures
	ip -n $NS_C neigh replace $R4C lladdr $MAC_RC dev $IF_C nud permanent
	ip -n $NS_C neigh replace $R6C lladdr $MAC_RC dev $IF_C nud permanent
	ip -n $NS_R neigh replace $C4 lladdr $MAC_C dev $IF_RC nud permanent
	ip -n $NS_R neigh replace $C6 lladdr $MAC_C dev $IF_RC nud permanent
	ip -n $NS_R neigh replace $S4 lladdr $MAC_S dev $IF_RS nud permanent
	ip -n $NS_R neigh replace $S6 lladdr $MAC_S dev $IF_RS nud permanent
	ip -n $NS_S neigh replace $R4S lladdr $MAC_RS dev $IF_S nud permanent
	ip -n $NS_S neigh replace $R6S lladdr $MAC_RS dev $IF_S nud permanent

	sysc $NS_R net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# everything the router sends out goes through the delay queue
	r4 -t mangle -A POSTROUTING -j NFQUEUE --queue-num 0
	r6 -t mangle -A POSTROUTING -j NFQUEUE --queue-num 0
	local log="$WORK/nfq.log"
	: >"$log"
	spawn ip netns exec $NS_R "$NFQ_BIN" -q 0 -d "$DELAY_MS" ${NFQ_OPTS:-} >"$log" 2>&1
	NFQ_PID=$!
	wait_for grep -q '^ready' "$log" || die "nfq_delay did not start: $(cat "$log")"
	[[ -z ${ACK_HOLD_MS:-} ]] || ack_hold
}

# ACK_HOLD_MS=N: pure ACKs (flags exactly ACK, no payload) that the router
# sends toward the client wait N ms more in a second queue: a server whose
# delayed ACK is longer than Linux's 40 ms (BSD's 100 ms, Windows' 200 ms).
# Only IPv4; the first three packets (the handshake, counted by conntrack)
# pass untouched, so the handshake still measures the path.
ack_hold() {
	local out=$IF_RC log="$WORK/nfq_ack.log"
	r4 -t mangle -I POSTROUTING 1 -o "$out" -p tcp --tcp-flags SYN,FIN,RST,PSH,ACK ACK \
		-m length --length 0:100 -m connbytes --connbytes 4: --connbytes-dir both \
		--connbytes-mode packets -j NFQUEUE --queue-num 1
	: >"$log"
	spawn ip netns exec $NS_R "$NFQ_BIN" -q 1 \
		-d "$(awk -v d="$DELAY_MS" -v h="$ACK_HOLD_MS" 'BEGIN {print d + h}')" >"$log" 2>&1
	wait_for grep -q '^ready' "$log" || die "nfq_delay (ACK hold) did not start: $(cat "$log")"
}

teardown_net() {
	cap_abort
	kill_bg
	del_namespaces
}

# cap_start client|server NAME [in|out]: start tcpdump on that side's veth;
# with in|out only the packets that host receives|sends (tcpdump -Q), as a
# one-way vantage point (asymmetric routing, a tap on one fibre) sees them
CAP_NAME=''
CAP_FILE=''
cap_start() {
	local side=$1 name=$2 dir=${3:-} ns ifc
	local qopt=()
	[[ -z $dir ]] || qopt=(-Q "$dir")
	case $side in
	client) ns=$NS_C ifc=$IF_C ;;
	server) ns=$NS_S ifc=$IF_S ;;
	router) ns=$NS_R ifc=$IF_RC ;;
	server_any) ns=$NS_S ifc=any ;; # Linux cooked capture (SLL)
	*) die "cap_start: bad side $side" ;;
	esac
	CAP_NAME=$name
	CAP_FILE="$WORK/$name.pcap"
	spawn ip netns exec "$ns" tcpdump -i "$ifc" "${qopt[@]}" -n -s "${CAP_SNAPLEN:-0}" -U --immediate-mode -Z root \
		-w "$CAP_FILE" "$CAP_FILTER" 2>"$WORK/$name.tcpdump.log"
	CAP_PID=$!
	wait_for grep -q 'listening on' "$WORK/$name.tcpdump.log" ||
		die "tcpdump did not start: $(cat "$WORK/$name.tcpdump.log")"
	sleep 0.3
}

# cap_stop [SECONDS]: let trailing packets arrive, stop tcpdump, store the pcap
# shellcheck disable=SC2120  # optional argument
cap_stop() {
	sleep "${1:-0.5}"
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || true
	CAP_PID=''
	grep -E 'packets (captured|dropped by kernel)' "$WORK/$CAP_NAME.tcpdump.log" | tr '\n' ' ' | sed 's/^/    tcpdump: /'
	echo
}

cap_abort() {
	if [[ -n $CAP_PID ]]; then kill -INT "$CAP_PID" 2>/dev/null || true; wait "$CAP_PID" 2>/dev/null || true; CAP_PID=''; fi
}

publish() { # publish FILE NAME
	cp "$1" "$OUT_DIR/$2.pcap.tmp"
	mv "$OUT_DIR/$2.pcap.tmp" "$OUT_DIR/$2.pcap"
	say "wrote $OUT_DIR/$2.pcap ($(stat -c %s "$OUT_DIR/$2.pcap") bytes)"
}

# srv ARGS...: start a tcpapp server in the server namespace, wait until it listens.
SRV_PID=''
srv() {
	local rf="$WORK/srv.$RANDOM.ready"
	spawn ip netns exec $NS_S python3 "$APP" server --ready-file "$rf" -v "$@" >>"$WORK/app.log" 2>&1
	SRV_PID=$!
	wait_for test -e "$rf" || die "server did not start: $(tail -5 "$WORK/app.log")"
}

# cli_bg ARGS...: run a tcpapp client in the client namespace (bounded, in the
# background; CLI_PID is set), show its result lines
CLI_PID=''
cli_bg() {
	( timeout 120 ip netns exec $NS_C python3 "$APP" client "$@" 2>&1 | sed 's/^/    /' ) &
	CLI_PID=$!
	BG_PIDS+=("$CLI_PID")
}
# cli ARGS...: the same, waiting for it (a signal interrupts the wait at once)
cli() {
	cli_bg "$@"
	wait "$CLI_PID"
}

# ---------------------------------------------------------------- scenarios
# Each scenario builds a fresh topology, captures, and tears it down.

sc_hs_healthy() {
	setup_net
	srv --port $PORT
	srv --port 8082 --close-after 2
	cap_start client hs_healthy
	cli --host $S4 --port $PORT --src-port 41001 --requests 1 --req-size 100 --resp-size 600
	cli --host $S4 --port $PORT --src-port 41002 --requests 3 --req-size 200 --resp-size 1600 --think 0.05
	cli --host $S6 --port $PORT --src-port 41003 --requests 2 --req-size 120 --resp-size 800
	cli --host $S4 --port 8082 --src-port 41004 --requests 2 --req-size 80 --resp-size 300 --close wait
	cap_stop
	publish "$CAP_FILE" hs_healthy
	teardown_net
}

sc_hs_syn_unanswered() {
	setup_net
	srv --port $PORT
	r4 -I FORWARD -p tcp --syn --dport $PORT -j DROP
	r6 -I FORWARD -p tcp --syn --dport $PORT -j DROP
	cap_start client hs_syn_unanswered
	# 0: kernel default tcp_syn_linear_timeouts=4 -> retries 1 s apart; with
	#    linear timeouts tcp_syn_retries acts as a time budget (2^(n+1)-1 s)
	sysc $NS_C net.ipv4.tcp_syn_retries=2
	cli --host $S4 --port $PORT --src-port 42001 --allow-fail
	# 1: classic exponential backoff, 3 retries: 1, 3, 7 s, gives up at 15 s
	sysc $NS_C net.ipv4.tcp_syn_retries=3 net.ipv4.tcp_syn_linear_timeouts=0
	cli --host $S4 --port $PORT --src-port 42002 --allow-fail
	# 2: IPv6, per-socket TCP_SYNCNT=1
	cli --host $S6 --port $PORT --src-port 42003 --syn-retries 1 --allow-fail
	cap_stop
	publish "$CAP_FILE" hs_syn_unanswered
	teardown_net
}

sc_hs_refused() {
	setup_net
	srv --port $PORT
	cap_start client hs_refused
	cli --host $S4 --port $PORT --src-port 43001 --requests 1
	cli --host $S4 --port 8081 --src-port 43002 --allow-fail
	cli --host $S6 --port 8081 --src-port 43003 --allow-fail
	cap_stop
	publish "$CAP_FILE" hs_refused
	teardown_net
}

sc_hs_reject_tcpreset() {
	setup_net
	srv --port $PORT
	r4 -I FORWARD -p tcp --dport 8082 -j REJECT --reject-with tcp-reset
	r6 -I FORWARD -p tcp --dport 8082 -j REJECT --reject-with tcp-reset
	cap_start client hs_reject_tcpreset
	cli --host $S4 --port $PORT --src-port 44001 --requests 1
	cli --host $S4 --port 8082 --src-port 44002 --allow-fail
	cli --host $S6 --port $PORT --src-port 44003 --requests 1
	cli --host $S6 --port 8082 --src-port 44004 --allow-fail
	cap_stop
	publish "$CAP_FILE" hs_reject_tcpreset
	teardown_net
}

# Refusals before any SYN-ACK from the server host: the RSTs' TTLs can only be
# judged against the server's SYN-ACK that comes later in the capture (the
# table, and every pass after the first). Stream 0: the server host refuses
# (TTL 63 like its SYN-ACK); 1: the router forges the RST (TTL 64); 2: the
# server's SYN-ACK; 3: IPv6, refused by a host that never sends a SYN-ACK
# over IPv6 here (cannot be told).
sc_hs_refused_first() {
	setup_net
	srv --port $PORT
	r4 -I FORWARD -p tcp --dport 8082 -j REJECT --reject-with tcp-reset
	cap_start client hs_refused_first
	cli --host $S4 --port 8081 --src-port 43101 --allow-fail
	cli --host $S4 --port 8082 --src-port 43102 --allow-fail
	cli --host $S4 --port $PORT --src-port 43103 --requests 1
	cli --host $S6 --port 8081 --src-port 43104 --allow-fail
	cap_stop
	publish "$CAP_FILE" hs_refused_first
	teardown_net
}

# One pcapng, two links: the client's Ethernet (interface 0) and the
# server's "any" (Linux SLL, interface 1). The server host's packets arrive
# with TTL 63 on the first and leave with 64 on the second, so a TTL is only
# a reference on its own interface. Interface 0: a healthy connection
# (SYN-ACK TTL 63). Interface 1: a refused connect (the server kernel's RST,
# TTL 64), then a healthy one (SYN-ACK TTL 64).
sc_hs_refused_two_links() {
	setup_net
	srv --port $PORT
	cap_start client hs_two_links_a
	cli --host $S4 --port $PORT --src-port 43201 --requests 1
	cap_stop
	local a=$CAP_FILE
	cap_start server_any hs_two_links_b
	cli --host $S4 --port 8081 --src-port 43202 --allow-fail
	cli --host $S4 --port $PORT --src-port 43203 --requests 1
	cap_stop
	mergecap -F pcapng -w "$WORK/hs_refused_two_links.pcapng" "$a" "$CAP_FILE"
	cp "$WORK/hs_refused_two_links.pcapng" "$OUT_DIR/hs_refused_two_links.pcapng.tmp"
	mv "$OUT_DIR/hs_refused_two_links.pcapng.tmp" "$OUT_DIR/hs_refused_two_links.pcapng"
	say "wrote $OUT_DIR/hs_refused_two_links.pcapng"
	teardown_net
}

sc_hs_reject_icmp() {
	setup_net
	srv --port $PORT
	r4 -I FORWARD -p tcp --dport 8082 -j REJECT
	r6 -I FORWARD -p tcp --dport 8082 -j REJECT
	r4 -I FORWARD -p tcp --dport 8083 -j REJECT --reject-with icmp-admin-prohibited
	cap_start client hs_reject_icmp
	cli --host $S4 --port $PORT --src-port 45001 --requests 1
	cli --host $S4 --port 8082 --src-port 45002 --allow-fail
	cli --host $S6 --port 8082 --src-port 45003 --allow-fail
	cli --host $S4 --port 8083 --src-port 45004 --allow-fail
	cap_stop
	publish "$CAP_FILE" hs_reject_icmp
	teardown_net
}

sc_hs_synack_lost() {
	setup_net
	srv --port $PORT
	# The client's SYN timer and the server's SYN-ACK timer both start at 1 s
	# from the same SYN, so they fire at the same moment at the server and
	# their order is a race.  To keep the capture deterministic the client uses
	# classic backoff (retries at +1, +3 s) and its first SYN is dropped too:
	#   t+1  SYN (first one the server sees) -> SYN-ACK, dropped
	#   t+2  server's SYN-ACK timer          -> SYN-ACK, dropped
	#   t+3  client's SYN retry              -> SYN-ACK, gets through
	sysc $NS_C net.ipv4.tcp_syn_linear_timeouts=0
	r4 -I FORWARD -p tcp --syn --dport $PORT -j DROP
	r4 -I FORWARD -p tcp --sport $PORT --tcp-flags SYN,ACK SYN,ACK -j DROP
	cap_start server hs_synack_lost
	cli_bg --host $S4 --port $PORT --src-port 46001 --requests 1 --req-size 100 --resp-size 500
	sleep 0.5
	r4 -D FORWARD -p tcp --syn --dport $PORT -j DROP
	sleep 2
	r4 -D FORWARD -p tcp --sport $PORT --tcp-flags SYN,ACK SYN,ACK -j DROP
	wait "$CLI_PID"
	cap_stop
	publish "$CAP_FILE" hs_synack_lost
	teardown_net
}

sc_hs_ack_lost() {
	setup_net
	srv --port $PORT --banner 32
	srv --port 8081
	cap_start client hs_ack_lost
	# 0: server speaks first; everything client->server except the SYN is
	#    dropped for 2.5 s, so the client waits for the banner while the
	#    server retransmits its SYN-ACK
	r4 -I FORWARD -p tcp --dport $PORT ! --syn -j DROP
	cli_bg --host $S4 --port $PORT --src-port 47001 --wait-banner --requests 1 --req-size 100 --resp-size 500
	sleep 2.5
	r4 -D FORWARD -p tcp --dport $PORT ! --syn -j DROP
	wait "$CLI_PID"
	# 1: same loss for 1.5 s, but the client sends its request right away:
	#    the request is retransmitted by RTO too
	r4 -I FORWARD -p tcp --dport 8081 ! --syn -j DROP
	cli_bg --host $S4 --port 8081 --src-port 47002 --requests 1 --req-size 100 --resp-size 500
	sleep 1.5
	r4 -D FORWARD -p tcp --dport 8081 ! --syn -j DROP
	wait "$CLI_PID"
	cap_stop
	publish "$CAP_FILE" hs_ack_lost
	teardown_net
}

sc_hs_slow_connect() {
	setup_net
	srv --port $PORT
	r4 -I FORWARD -p tcp --syn --dport $PORT -j DROP
	cap_start client hs_slow_connect
	cli_bg --host $S4 --port $PORT --src-port 48001 --requests 2 --req-size 100 --resp-size 1000
	sleep 0.5
	r4 -D FORWARD -p tcp --syn --dport $PORT -j DROP
	wait "$CLI_PID"
	cli --host $S4 --port $PORT --src-port 48002 --requests 2 --req-size 100 --resp-size 1000
	cap_stop
	publish "$CAP_FILE" hs_slow_connect
	teardown_net
}

sc_hs_tfo() {
	setup_net
	sysc $NS_C net.ipv4.tcp_fastopen=1
	sysc $NS_S net.ipv4.tcp_fastopen=2
	srv --port $PORT --fastopen 16
	cap_start client hs_tfo
	cli --host $S4 --port $PORT --src-port 49001 --fastopen --requests 1 --req-size 100 --resp-size 400
	cli --host $S4 --port $PORT --src-port 49002 --fastopen --requests 1 --req-size 100 --resp-size 400
	cli --host $S4 --port $PORT --src-port 49003 --fastopen --requests 2 --req-size 100 --resp-size 400
	cap_stop
	publish "$CAP_FILE" hs_tfo
	teardown_net
}

sc_hs_tfo_rejected() {
	setup_net
	sysc $NS_C net.ipv4.tcp_fastopen=1
	sysc $NS_S net.ipv4.tcp_fastopen=2
	srv --port $PORT --fastopen 16 --max-conns 1
	local srv1=$SRV_PID
	cap_start client hs_tfo_rejected
	# 0: obtain a cookie
	cli --host $S4 --port $PORT --src-port 50001 --fastopen --requests 1 --req-size 100 --resp-size 400
	wait "$srv1" || true
	# 1: the server restarted its listener without TCP_FASTOPEN: the SYN
	#    carries cookie + data, the server ignores both
	srv --port $PORT --max-conns 1
	local srv2=$SRV_PID
	cli --host $S4 --port $PORT --src-port 50002 --fastopen --requests 1 --req-size 100 --resp-size 400
	wait "$srv2" || true
	# 2: TFO back on, but the server's cookie key changed: the old cookie is
	#    invalid, the SYN-ACK brings a new cookie and acks only the SYN
	sysc $NS_S net.ipv4.tcp_fastopen_key=01234567-89abcdef-01234567-89abcdef
	srv --port $PORT --fastopen 16
	cli --host $S4 --port $PORT --src-port 50003 --fastopen --requests 1 --req-size 100 --resp-size 400
	# 3: the new cookie is accepted
	cli --host $S4 --port $PORT --src-port 50004 --fastopen --requests 1 --req-size 100 --resp-size 400
	cap_stop
	publish "$CAP_FILE" hs_tfo_rejected
	teardown_net
}

sc_hs_port_reuse() {
	setup_net
	srv --port $PORT --close-after 1
	srv --port 8081
	cap_start client hs_port_reuse
	# A: the server closes first (server holds TIME_WAIT); the client reconnects
	#    from the same port 0.5 s later
	cli --host $S4 --port $PORT --src-port 51001 --conns 2 --gap 0.5 --requests 1 --req-size 100 --resp-size 300 --close wait
	# B: the client aborts but its RST is lost, so the server still has the
	#    connection ESTABLISHED when the client reuses the port
	r4 -I FORWARD -p tcp --sport 51002 --tcp-flags RST RST -j DROP
	cli --host $S4 --port 8081 --src-port 51002 --requests 1 --req-size 100 --resp-size 300 --close abort
	sleep 0.3
	r4 -D FORWARD -p tcp --sport 51002 --tcp-flags RST RST -j DROP
	cli --host $S4 --port 8081 --src-port 51002 --requests 1 --req-size 100 --resp-size 300
	# C: the client closes first (client holds TIME_WAIT) and reconnects from
	#    the same port 0.2 s later.  An explicitly bound socket may take over its
	#    own TIME_WAIT 4-tuple when the old connection used timestamps
	#    (tcp_tw_reuse plays no part; without timestamps connect() fails with
	#    EADDRNOTAVAIL)
	cli --host $S4 --port 8081 --src-port 51003 --conns 2 --gap 0.2 --requests 1 --req-size 100 --resp-size 300
	cap_stop
	publish "$CAP_FILE" hs_port_reuse
	teardown_net
}

sc_hs_midstream() {
	setup_net
	srv --port $PORT
	cap_start client hs_midstream_full
	cli --host $S4 --port $PORT --src-port 52001 --requests 4 --req-size 100 --resp-size 1600 --think 0.05
	cap_stop
	# delete the handshake and the first request (packets 1-5)
	editcap -F pcap "$CAP_FILE" "$WORK/hs_midstream.pcap" 1-5
	publish "$WORK/hs_midstream.pcap" hs_midstream
	teardown_net
}

sc_hs_incomplete() {
	setup_net
	# The server gives up on its SYN-ACK after 2 retransmissions (+1, +3 s; the
	# SYN-ACK timer doubles), so the capture shows the whole story.
	sysc $NS_S net.ipv4.tcp_synack_retries=2
	srv --port $PORT
	# Every packet of the client after its SYN (ACK, data, FIN, RST) is dropped.
	r4 -I FORWARD -p tcp --dport $PORT ! --syn -j DROP
	cap_start server hs_incomplete
	cli_bg --host $S4 --port $PORT --src-port 54001 --requests 1 --req-size 100 --resp-size 300
	sleep 9
	kill "$CLI_PID" 2>/dev/null || true
	wait "$CLI_PID" 2>/dev/null || true
	cap_stop
	r4 -D FORWARD -p tcp --dport $PORT ! --syn -j DROP
	publish "$CAP_FILE" hs_incomplete
	teardown_net
}

sc_hs_duplicated() {
	setup_net
	srv --port $PORT
	cap_start client hs_duplicated_once
	cli --host $S4 --port $PORT --src-port 55001 --requests 2 --req-size 100 --resp-size 1600
	cli --host $S4 --port $PORT --src-port 55002 --requests 1 --req-size 100 --resp-size 300
	cap_stop
	# Every frame twice, as a capture on both sides of a device or a
	# duplicating SPAN port records it: merge the capture with itself.
	mergecap -F pcap -w "$WORK/hs_duplicated.pcap" "$CAP_FILE" "$CAP_FILE"
	publish "$WORK/hs_duplicated.pcap" hs_duplicated
	teardown_net
}

sc_hs_options() {
	setup_net
	srv --port $PORT
	cap_start client hs_options
	# 0: the server has window scaling, SACK and timestamps off
	sysc $NS_S net.ipv4.tcp_window_scaling=0 net.ipv4.tcp_sack=0 net.ipv4.tcp_timestamps=0
	cli --host $S4 --port $PORT --src-port 53001 --requests 1 --req-size 100 --resp-size 3000
	sysc $NS_S net.ipv4.tcp_window_scaling=1 net.ipv4.tcp_sack=1 net.ipv4.tcp_timestamps=1
	# 1: the router clamps the MSS of SYNs and SYN-ACKs to 1000 (a hard clamp, below
	#    the 1220 an IPv6-minimum-MTU path carries)
	r4 -t mangle -I FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1000
	cli --host $S4 --port $PORT --src-port 53002 --requests 1 --req-size 100 --resp-size 3000
	cap_stop
	publish "$CAP_FILE" hs_options
	teardown_net
}

# ---------------------------------------------------------------- teardown
# Client source ports 600X1.., one decade per scenario.

# epoch_in S: wall-clock time S seconds from now (the namespaces share the clock)
epoch_in() { awk -v s="$1" -v n="$(date +%s.%N)" 'BEGIN { printf "%.3f", n + s }'; }

# wait_gone NS PORT SECS: poll until no TCP socket of NS uses local port PORT;
# says when (the kernel gives up on a connection without sending anything)
wait_gone() {
	local i
	for i in $(seq "$(($3 * 10))"); do
		if [[ -z $(ip netns exec "$1" ss -tanH "sport = :$2") ]]; then
			say "no socket on port $2 any more ($(date +%s.%N))"
			return 0
		fi
		sleep 0.1
	done
	echo "    warning: a socket on port $2 is still there after $3 s"
	return 1
}

sc_td_graceful() {
	setup_net
	srv --port $PORT                       # closes at once on EOF
	srv --port 8081 --hold 0.2             # closes 0.2 s after EOF
	srv --port 8082 --close-after 1        # closes first
	cap_start client td_graceful
	# 0: four-way close: the client closes; the server ACKs the FIN and sends
	#    its own FIN 0.2 s later
	cli --host $S4 --port 8081 --src-port 60001 --requests 1 --req-size 100 --resp-size 600
	sleep 0.5
	# 1: three-way close: the server closes as soon as it reads EOF (FIN+ACK)
	cli --host $S4 --port $PORT --src-port 60002 --requests 1 --req-size 100 --resp-size 600
	# 2: the server closes first (and holds TIME_WAIT)
	cli --host $S4 --port 8082 --src-port 60003 --requests 1 --req-size 100 --resp-size 600 --close wait
	# 3: simultaneous close: both ends shutdown(SHUT_WR) at the same wall-clock
	#    instant, so the FINs cross on the 40 ms path
	local t
	t=$(epoch_in 1.0)
	srv --port 8083 --close-after 1 --shutdown --close-at "$t"
	cli --host $S4 --port 8083 --src-port 60004 --requests 1 --req-size 100 --resp-size 600 --close shutdown --close-at "$t"
	cap_stop
	publish "$CAP_FILE" td_graceful
	teardown_net
}

sc_td_half_closed() {
	setup_net
	srv --port $PORT --hold 60             # never closes after EOF (CLOSE_WAIT)
	srv --port 8081 --chunk 10000 --chunk-gap 0.5
	cap_start client td_half_closed
	# 0: request/response, then the client's shutdown(SHUT_WR) (FIN); the
	#    server ACKs it and its application never calls close(). Nothing more
	#    on this connection until the capture ends about 10 s later
	cli_bg --host $S4 --port $PORT --src-port 60011 --requests 1 --req-size 100 --resp-size 600 \
		--hold 0.2 --close shutdown --timeout 30
	local c0=$CLI_PID
	sleep 7.7
	# 1: legitimate half-close: FIN right after the request; the server sends
	#    its 60000 B response in 10000 B pieces 0.5 s apart, then closes.  It
	#    also marks the end of the capture for stream 0
	cli --host $S4 --port 8081 --src-port 60012 --requests 1 --req-size 100 --resp-size 60000 \
		--shutdown-after-send --close wait
	cap_stop 0
	kill "$c0" 2>/dev/null || true
	publish "$CAP_FILE" td_half_closed
	teardown_net
}

sc_td_abort() {
	setup_net
	srv --port $PORT
	srv --port 8082 --read-limit 30000 --linger0
	cap_start client td_abort
	# 0: the client reads 20000 B of a 1 MB response, then closes with
	#    SO_LINGER 0 while the server still sends
	cli --host $S4 --port $PORT --src-port 60021 --requests 1 --req-size 100 --resp-size 1000000 \
		--read-limit 20000 --close abort
	sleep 0.5
	# 1: the client never reads its 3000 B response and calls close() 0.3 s
	#    later: unread data turns the FIN into a RST
	cli --host $S4 --port $PORT --src-port 60022 --requests 1 --req-size 100 --resp-size 3000 \
		--read-limit 0 --hold 0.3 --close close
	sleep 0.5
	# 2: the server reads 30000 B of a 1 MB upload, then closes with SO_LINGER 0
	cli --host $S4 --port 8082 --src-port 60023 --requests 1 --req-size 1000000 --resp-size 100 \
		--allow-fail
	cap_stop
	publish "$CAP_FILE" td_abort
	teardown_net
}

sc_td_half_open() {
	setup_net
	# the server aborts (SO_LINGER 0) 0.5 s after its response; the router
	# drops the server's RSTs for a while, so the client never learns
	srv --port $PORT --close-after 1 --close-delay 0.5 --linger0
	r4 -I FORWARD -p tcp -s $S4 --sport $PORT --tcp-flags RST RST -j DROP
	cap_start client td_half_open
	cli_bg --host $S4 --port $PORT --src-port 60031 --requests 2 --think 3 --req-size 100 --resp-size 300 \
		--allow-fail
	sleep 1.5
	r4 -D FORWARD -p tcp -s $S4 --sport $PORT --tcp-flags RST RST -j DROP
	wait "$CLI_PID" || true
	cap_stop
	publish "$CAP_FILE" td_half_open
	teardown_net
}

sc_td_fin_retrans() {
	setup_net
	# the orphaned FIN_WAIT_1 socket gives up after tcp_orphan_retries=5
	# (a time budget of (2^6-1) x 200 ms)
	sysc $NS_C net.ipv4.tcp_orphan_retries=5
	srv --port $PORT --io-timeout 60       # must not time out (and FIN) during the run
	cap_start client td_fin_retrans
	say "capture start"
	# 0: request/response, idle; the server goes silent (everything to and
	#    from it is dropped) 0.5 s before the client's close()
	cli_bg --host $S4 --port $PORT --src-port 60041 --requests 1 --req-size 100 --resp-size 600 --hold 1.5
	sleep 1
	r4 -I FORWARD -p tcp -d $S4 -j DROP
	r4 -I FORWARD -p tcp -s $S4 -j DROP
	wait "$CLI_PID" || true
	wait_gone $NS_C 60041 45 || true
	# 1: 3 s after the give-up, the path is back: a short healthy connection
	#    shows that the capture ran on after the last FIN
	r4 -D FORWARD -p tcp -d $S4 -j DROP
	r4 -D FORWARD -p tcp -s $S4 -j DROP
	sleep 3
	cli --host $S4 --port $PORT --src-port 60042 --requests 1 --req-size 100 --resp-size 600
	cap_stop
	publish "$CAP_FILE" td_fin_retrans
	teardown_net
}

sc_td_abandoned() {
	setup_net
	# the client gives up after tcp_retries2=5 (a time budget of (2^6-1) x 200 ms)
	sysc $NS_C net.ipv4.tcp_retries2=5
	srv --port $PORT --io-timeout 60       # must not time out (and FIN) during the run
	cap_start client td_abandoned
	say "capture start"
	# 0: a 100 kB upload in 4000 B pieces 0.1 s apart (cubic); the path dies
	#    (everything dropped both ways) after about 1 s
	cli_bg --host $S4 --port $PORT --src-port 60051 --requests 1 --req-size 100000 --resp-size 100 \
		--chunk 4000 --chunk-gap 0.1 --cc cubic --timeout 60 --allow-fail
	sleep 1
	r4 -I FORWARD -j DROP
	wait "$CLI_PID" || true
	say "client gave up"
	wait_gone $NS_C 60051 5 || true
	# 1: 3 s after the give-up, the path is back: a short healthy connection
	#    shows that the capture ran on after the last retransmission
	r4 -D FORWARD -j DROP
	sleep 3
	cli --host $S4 --port $PORT --src-port 60052 --requests 1 --req-size 100 --resp-size 600
	cap_stop
	publish "$CAP_FILE" td_abandoned
	teardown_net
}

sc_td_idle_reset() {
	setup_net
	srv --port $PORT --idle-timeout 4 --linger0
	srv --port 8081
	cap_start client td_idle_reset
	# 0: request/response, then idle; the server resets the connection after
	#    4 s without a request
	cli --host $S4 --port $PORT --src-port 60061 --requests 1 --req-size 100 --resp-size 300 --hold 5
	# 1: request/response, 3 s idle; meanwhile the router starts rejecting the
	#    flow, so the 2nd request is answered by the router's RST (TTL 64)
	cli_bg --host $S4 --port 8081 --src-port 60062 --requests 2 --think 3 --req-size 100 --resp-size 300 \
		--allow-fail
	sleep 1.5
	r4 -I FORWARD -p tcp -s $C4 --sport 60062 -j REJECT --reject-with tcp-reset
	wait "$CLI_PID" || true
	cap_stop
	publish "$CAP_FILE" td_idle_reset
	teardown_net
}

sc_td_open() {
	setup_net
	srv --port $PORT
	cap_start client td_open
	# 0: three requests 0.5 s apart, then the connection stays open past the
	#    end of the capture
	cli_bg --host $S4 --port $PORT --src-port 60071 --requests 3 --think 0.5 --req-size 100 --resp-size 600 \
		--close none --hold-at-exit 30
	sleep 2.5
	# 1: IPv6, one request, also left open
	cli_bg --host $S6 --port $PORT --src-port 60072 --requests 1 --req-size 100 --resp-size 600 \
		--close none --hold-at-exit 30
	sleep 1
	cap_stop 0
	publish "$CAP_FILE" td_open
	teardown_net
}

# ---------------------------------------------------------------- conn_state
# Zeek conn_state values no other capture has.  Client source ports 610X1..,
# one decade per scenario.

sc_cs_s3() {
	setup_net
	srv --port $PORT --close-after 1 --close-delay 0.5   # closes first, 0.5 s after its response
	srv --port 8081
	cap_start client cs_s3
	# 0: request/response; the server closes (FIN), the client's kernel ACKs it
	#    and the client application never closes (CLOSE_WAIT until it exits,
	#    long after the capture)
	cli_bg --host $S4 --port $PORT --src-port 61001 --requests 1 --req-size 100 --resp-size 600 \
		--close none --hold-at-exit 30
	sleep 3.6
	# 1: 3 s after the FIN a short healthy connection shows the capture ran on
	cli --host $S4 --port 8081 --src-port 61002 --requests 1 --req-size 100 --resp-size 300
	cap_stop
	publish "$CAP_FILE" cs_s3
	teardown_net
}

sc_cs_oth() {
	setup_net
	srv --port $PORT
	cap_start client cs_oth_full
	# 3 requests 0.3 s apart, then the connection stays open past the capture
	cli_bg --host $S4 --port $PORT --src-port 61011 --requests 3 --think 0.3 --req-size 100 --resp-size 600 \
		--close none --hold-at-exit 30
	sleep 1.2
	cap_stop 0
	# delete the handshake (packets 1-3: SYN, SYN-ACK, ACK): the file starts
	# with the client's first request
	editcap -F pcap "$CAP_FILE" "$WORK/cs_oth.pcap" 1-3
	publish "$WORK/cs_oth.pcap" cs_oth
	teardown_net
}

sc_cs_one_sided_client() {
	setup_net
	srv --port $PORT
	cap_start client cs_one_sided_client out   # only what the client sends
	# 0: a normal connection, client closes first (three-way close)
	cli --host $S4 --port $PORT --src-port 61021 --requests 1 --req-size 100 --resp-size 600
	sleep 0.5
	# 1: a half-open SYN scan probe from a raw socket: the server answers with
	#    a SYN-ACK (not captured here), the client's kernel has no socket for
	#    it and answers with a RST
	ip netns exec $NS_C timeout 10 python3 "$RAWSYN" --src $C4 --dst $S4 --sport 61022 --dport $PORT \
		2>&1 | sed 's/^/    /'
	cap_stop
	publish "$CAP_FILE" cs_one_sided_client
	teardown_net
}

sc_cs_one_sided_server() {
	setup_net
	srv --port $PORT
	srv --port 8081 --close-after 1 --close-delay 0.3 --linger0   # aborts 0.3 s after its response
	cap_start server cs_one_sided_server out   # only what the server sends
	# 0: a normal connection, client closes first (three-way close)
	cli --host $S4 --port $PORT --src-port 61031 --requests 1 --req-size 100 --resp-size 600
	sleep 0.5
	# 1: request/response, then the server resets the connection (SO_LINGER 0)
	cli --host $S4 --port 8081 --src-port 61032 --requests 1 --req-size 100 --resp-size 600 \
		--close wait --allow-fail
	cap_stop
	publish "$CAP_FILE" cs_one_sided_server
	teardown_net
}

# ---------------------------------------------------------------- stalls
# Client source ports 620X1.., one decade per scenario.

# the write-write-read client: each 500 B request as two send() calls
# (200 B header, 300 B body), then it reads the 100 B response; 20 requests
# 0.1 s apart on one connection
nagle_traffic() { # nagle_traffic SRC_PORT [client options]
	local sp=$1; shift
	cli --host $S4 --port $PORT --src-port "$sp" --requests 20 --think 0.1 \
		--req-size 500 --split-writes 200 --resp-size 100 "$@"
}

# Think time, not Nagle (issue 27 item 7): Nagle on, each 500 B request
# written in pieces of 200 B with a pause longer than the server's delayed
# ACK and the round trip (RTT + 50 ms): every piece is written after the ACK
# of the one before has come back, so Nagle holds nothing, although each
# leaves a few ms after a late ACK. Captured at the client (the sender: no
# stall) and at the server (the path's delay hides the difference: at most
# a possible one).
think_traffic() { # think_traffic NAME SIDE RTT_MS SRC_PORT
	DELAY_MS=$(awk -v r="$3" 'BEGIN {print r / 2}')
	setup_net
	srv --port $PORT
	cap_start "$2" "$1"
	cli --host $S4 --port $PORT --src-port "$4" --requests 10 --think 0.1 --req-size 500 \
		--chunk 200 --chunk-gap "$(awk -v r="$3" 'BEGIN {print (r + 50) / 1000}')" --resp-size 100
	cap_stop
	publish "$CAP_FILE" "$1"
	teardown_net
	DELAY_MS=20
}
sc_st_think_client() { think_traffic st_think_client client 40 62181; }
sc_st_think_server() { think_traffic st_think_server server 40 62182; }
sc_st_think_300ms() { think_traffic st_think_300ms client 300 62183; }

sc_st_nagle_client() {
	setup_net
	srv --port $PORT
	cap_start client st_nagle_client
	nagle_traffic 62001
	cap_stop
	publish "$CAP_FILE" st_nagle_client
	teardown_net
}

sc_st_nagle_server() {
	setup_net
	srv --port $PORT
	cap_start server st_nagle_server
	nagle_traffic 62011
	cap_stop
	publish "$CAP_FILE" st_nagle_server
	teardown_net
}

sc_st_nodelay() {
	setup_net
	srv --port $PORT
	cap_start client st_nodelay
	nagle_traffic 62021 --nodelay
	cap_stop
	publish "$CAP_FILE" st_nodelay
	teardown_net
}

# Responses of one full segment + a sub-MSS tail.  Linux does not make such a
# tail wait for a delayed ACK (Minshall's Nagle holds a small segment only while
# an earlier small one is unacknowledged): 8080 and 8081 never hold the tail;
# 8082 (a small header write first) holds it one RTT for a prompt ACK.
sc_st_odd_segments() {
	setup_net
	srv --port $PORT                        # each response in one send()
	srv --port 8081 --resp-split 1448       # two send()s: 1448 B, then the rest
	srv --port 8082 --resp-split 200        # two send()s: 200 B header, then the rest
	cap_start server st_odd_segments
	# 10 requests of 100 B, 0.1 s apart, on each connection
	cli --host $S4 --port $PORT --src-port 62031 --requests 10 --think 0.1 --req-size 100 --resp-size 1648
	cli --host $S4 --port 8081 --src-port 62032 --requests 10 --think 0.1 --req-size 100 --resp-size 1648
	cli --host $S4 --port 8082 --src-port 62033 --requests 10 --think 0.1 --req-size 100 --resp-size 1848
	cap_stop
	publish "$CAP_FILE" st_odd_segments
	teardown_net
}

sc_st_zero_window() {
	setup_net
	srv --port $PORT
	cap_start client st_zero_window
	# SO_RCVBUF 8192 (before connect: the window never exceeds 8688 B); the
	# client sends its request, reads nothing for 4 s while the 22000 B response
	# comes, then reads it all and closes
	cli --host $S4 --port $PORT --src-port 62041 --requests 1 --req-size 100 --resp-size 22000 \
		--rcvbuf 8192 --read-pause 4
	cap_stop
	publish "$CAP_FILE" st_zero_window
	teardown_net
}

sc_st_window_full() {
	setup_net
	srv --port $PORT
	cap_start client st_window_full
	# SO_RCVBUF 8192 before connect; the client reads its 150000 B response 4096 B
	# at a time, 50 ms apart (80 kB/s, far below the 8688 B window per 40 ms RTT)
	cli --host $S4 --port $PORT --src-port 62051 --requests 1 --req-size 100 --resp-size 150000 \
		--rcvbuf 8192 --recv-size 4096 --recv-gap 0.05
	cap_stop
	publish "$CAP_FILE" st_window_full
	teardown_net
}

# A receiver without window scaling (RFC 7323 switched off in its namespace,
# net.ipv4.tcp_window_scaling=0): at most 65,535 bytes in flight however large
# its buffer, so a long path's sender fills the window every round trip. At 50
# and 300 ms RTT; the control at 300 ms keeps scaling (the default) with the
# same transfer.
st_wscale_scenario() { # st_wscale_scenario NAME RTT SCALING SIDE BYTES
	local name=$1 rtt=$2 scaling=$3 side=$4 bytes=$5
	DELAY_MS=$(awk -v r="$rtt" 'BEGIN {print r / 2}')
	setup_net
	sysc $NS_C net.ipv4.tcp_window_scaling=$scaling
	srv --port $PORT
	cap_start "$side" "$name"
	cli --host $S4 --port $PORT --src-port 62061 --requests 1 --req-size 100 --resp-size "$bytes" \
		--timeout 60
	cap_stop
	publish "$CAP_FILE" "$name"
	teardown_net
}
# 1 MB at 50 ms (the window caps the sender once slow start has passed 64 KB),
# 400 kB at 300 ms (a few round trips past it: enough, and a small capture)
sc_st_no_wscale_50ms() { st_wscale_scenario st_no_wscale_50ms 50 0 client 1000000; }
sc_st_no_wscale_300ms() { st_wscale_scenario st_no_wscale_300ms 300 0 client 400000; }
sc_st_wscale_300ms() { st_wscale_scenario st_wscale_300ms 300 1 client 400000; }
# the same at the sender, where the full window shows
sc_st_no_wscale_50ms_server() { st_wscale_scenario st_no_wscale_50ms_server 50 0 server 1000000; }
sc_st_no_wscale_300ms_server() { st_wscale_scenario st_no_wscale_300ms_server 300 0 server 400000; }
sc_st_wscale_300ms_server() { st_wscale_scenario st_wscale_300ms_server 300 1 server 400000; }

sc_st_rto() {
	setup_net
	srv --port $PORT --cc cubic --io-timeout 30
	# The blackout starts at a fixed point of the upload: the client writes 4000 B
	# every 0.05 s (segments of 1448+1448+1104 B: 4156 B of IP packets); once the
	# connection's client->server packets reach 112 (SYN, ACK) + 17 x 4156 B
	# (conntrack's byte count includes the packet being counted) everything of
	# the connection is dropped, both ways: write 18 (bytes 68001-72000) is the
	# first one lost, after the ACK of write 17 has passed.  The rule goes 4 s
	# after the client starts (about 3 s of blackout).  Needs xt_connbytes
	# (conntrack) in the router namespace.
	local thr=$((112 + 17 * 4156 + 1))
	cap_start client st_rto
	cli_bg --host $S4 --port $PORT --src-port 62061 --requests 1 --req-size 200000 --resp-size 100 \
		--chunk 4000 --chunk-gap 0.05 --cc cubic --timeout 30
	local rule=(FORWARD -p tcp -m connbytes --connbytes "$thr:" --connbytes-dir original --connbytes-mode bytes -j DROP)
	r4 -I "${rule[@]}"
	sleep 4       # the blackout begins about 0.9 s in and lasts about 3 s
	r4 -D "${rule[@]}"
	wait "$CLI_PID"
	cap_stop
	publish "$CAP_FILE" st_rto
	teardown_net
}

sc_st_healthy() {
	setup_net
	srv --port $PORT
	srv --port 8081 --reply-delay 0.3       # 300 ms think time before each response
	cap_start client st_healthy
	# s0: bulk download, no loss
	cli --host $S4 --port $PORT --src-port 62071 --requests 1 --req-size 100 --resp-size 3000000
	sleep 0.3
	# s1: request/response, 300 ms server think time, single writes, TCP_NODELAY
	cli --host $S4 --port 8081 --src-port 62072 --requests 5 --req-size 300 --resp-size 2000 --nodelay
	sleep 0.3
	# s2: request, 5 s idle with TCP keep-alives (idle 1 s, interval 1 s), one more request, close
	cli --host $S4 --port $PORT --src-port 62073 --requests 2 --think 5 --req-size 100 --resp-size 600 \
		--keepalive 1,1,5
	cap_stop
	publish "$CAP_FILE" st_healthy
	teardown_net
}

sc_st_duplicated() {
	setup_net
	srv --port $PORT
	cap_start client st_duplicated_once
	# request/response with TCP_NODELAY (the nagle_traffic client, 10 requests): no stall
	cli --host $S4 --port $PORT --src-port 62081 --requests 10 --think 0.1 \
		--req-size 500 --split-writes 200 --resp-size 100 --nodelay
	cap_stop
	# every frame twice, as hs_duplicated
	mergecap -F pcap -w "$WORK/st_duplicated.pcap" "$CAP_FILE" "$CAP_FILE"
	publish "$WORK/st_duplicated.pcap" st_duplicated
	teardown_net
}

# ---------------------------------------------------------------- data phase
# Every data-phase scenario: the server sends DP_BYTES to the client (cubic),
# captured at the client (the receiver), at the router's client side and at
# the server (the sender) at once. The sender's kernel counters before and
# after (nstat in its namespace) are the ground truth tcpdiag's counts are
# tested against (tests/integration/test_data_phase.py).
DP_BYTES=200000
DP_DIR="$OUT_DIR/data_phase"
KERNEL_TSV="$DP_DIR/data_phase_kernel.tsv"
NSTAT_KEYS=(TcpRetransSegs TcpExtTCPLossProbes TcpExtTCPTimeouts TcpExtTCPFastRetrans
	TcpExtTCPSlowStartRetrans TcpExtTCPSpuriousRTOs TcpExtTCPDSACKRecv TcpExtTCPSACKReorder
	TcpExtTCPRenoReorder TcpExtTCPTSReorder TcpExtTCPSynRetrans TcpExtTCPLossProbeRecovery)

CAP3_PIDS=()
cap3_start() { # cap3_start NAME: tcpdump at the client, the router (r-c) and the server
	local name=$1 side ns ifc
	CAP3_PIDS=()
	for side in client router server; do
		case $side in
		client) ns=$NS_C ifc=$IF_C ;;
		router) ns=$NS_R ifc=$IF_RC ;;
	server_any) ns=$NS_S ifc=any ;; # Linux cooked capture (SLL)
		server) ns=$NS_S ifc=$IF_S ;;
		esac
		spawn ip netns exec "$ns" tcpdump -i "$ifc" -n -s 0 -U --immediate-mode -Z root \
			-w "$WORK/${name}_$side.pcap" "$CAP_FILTER" 2>"$WORK/${name}_$side.tcpdump.log"
		CAP3_PIDS+=($!)
		wait_for grep -q 'listening on' "$WORK/${name}_$side.tcpdump.log" ||
			die "tcpdump did not start: $(cat "$WORK/${name}_$side.tcpdump.log")"
	done
	sleep 0.3
}

cap3_stop() { # cap3_stop NAME
	local name=$1 p side
	sleep 0.5
	for p in "${CAP3_PIDS[@]}"; do kill -INT "$p"; wait "$p" || true; done
	CAP3_PIDS=()
	mkdir -p "$DP_DIR"
	for side in client router server; do OUT_DIR=$DP_DIR publish "$WORK/${name}_$side.pcap" "${name}_$side"; done
}

# The receiver's counters of what it refused or dropped (recorded as
# receiver.KEY): data beyond its window (TcpExtBeyondWindow, Linux 6.17+),
# into a zero window, or past its buffer.
NSTAT_RCV_KEYS=(TcpExtBeyondWindow TcpExtTCPZeroWindowDrop TcpExtTCPRcvQDrop TcpExtTCPOFODrop
	TcpExtRcvPruned TcpExtOfoPruned)

# nstat keeps its last reading in a history file: one per namespace, or the
# reading of one namespace becomes the baseline of the other.
nstat_ns() { local ns=$1; shift; NSTAT_HISTORY="$WORK/nstat.$ns" ip netns exec "$ns" nstat "$@"; }
nstat_reset() { nstat_ns "$1" -n >/dev/null; }
# The kernel's own record of every packet it dropped, with the reason
# (tracepoint skb:kfree_skb, when tracefs can be mounted): the IPv4 packets
# the TCP receive path dropped while a scenario ran (only our namespaces
# carry IPv4 TCP then), recorded as receiver.tcp_drops.
TRACEFS=/sys/kernel/tracing
drops_start() {
	DROPS_ON=0
	[[ -e $TRACEFS/events/skb/kfree_skb/enable ]] || mount -t tracefs nodev $TRACEFS 2>/dev/null || return 0
	[[ -e $TRACEFS/events/skb/kfree_skb/enable ]] || return 0
	echo 0 >$TRACEFS/tracing_on
	echo >$TRACEFS/trace
	echo 1 >$TRACEFS/events/skb/kfree_skb/enable
	echo 1 >$TRACEFS/tracing_on
	DROPS_ON=1
}
drops_stop() { # prints the count, or nothing without tracefs
	[[ ${DROPS_ON:-0} == 1 ]] || return 0
	echo 0 >$TRACEFS/tracing_on
	echo 0 >$TRACEFS/events/skb/kfree_skb/enable
	grep 'protocol=2048 location=tcp_' $TRACEFS/trace | grep -vc 'reason: NOT_SPECIFIED\|reason: QUEUE_PURGE' || true
	DROPS_ON=0
}

nstat_record() { # nstat_record NS NAME [RECEIVER_NS]: the counters since nstat_reset, into KERNEL_TSV
	local ns=$1 name=$2 rns=${3:-} k out line=""
	out=$(nstat_ns "$ns" -z)
	for k in "${NSTAT_KEYS[@]}"; do
		line+=$'\t'"$k=$(awk -v k="$k" '$1 == k {print $2}' <<<"$out")"
	done
	if [[ -n $rns ]]; then
		out=$(nstat_ns "$rns" -z)
		for k in "${NSTAT_RCV_KEYS[@]}"; do
			line+=$'\t'"receiver.$k=$(awk -v k="$k" '$1 == k {print $2}' <<<"$out")"
		done
		k=$(drops_stop)
		[[ -z $k ]] || line+=$'\t'"receiver.tcp_drops=$k"
	fi
	mkdir -p "$DP_DIR"
	touch "$KERNEL_TSV"
	grep -v "^$name"$'\t' "$KERNEL_TSV" >"$WORK/kernel.tsv" || true
	printf '%s%s\n' "$name" "$line" >>"$WORK/kernel.tsv"
	LC_ALL=C sort "$WORK/kernel.tsv" >"$KERNEL_TSV"
	say "kernel: $name$line"
}

# dp_run NAME: the download, captured at three points, with the sender's counters
dp_run() {
	local name=$1; shift
	srv --port $PORT --cc cubic --io-timeout 60 "$@"
	cap3_start "$name"
	nstat_reset $NS_S
	nstat_reset $NS_C
	drops_start
	cli_bg --host $S4 --port $PORT --src-port 63001 --requests 1 --req-size 100 \
		--resp-size $DP_BYTES --cc cubic --timeout 90 ${DP_CLI_OPTS:-}
	DP_CLI=$CLI_PID
}
dp_end() {
	wait "$DP_CLI" || true
	sleep 0.5
	nstat_record $NS_S "$1" $NS_C
	DROPS_ON=0
	cap3_stop "$1"
	teardown_net
}

# The server's data packets forwarded to the client (not its SYN-ACK or FIN).
DP_DATA=(-i $IF_RS -p tcp --sport $PORT -m length --length 200:65535)

# queue1 "NFQ_DELAY ARGS" RULE...: the packets the router sends that match
# RULE wait in a second delay queue instead (its own delay, or a pause on
# SIGUSR1 to NFQ1_PID): one kind of packet late while the rest flows.
queue1() {
	local args=$1 log="$WORK/nfq1.log"; shift
	r4 -t mangle -I POSTROUTING 1 "$@" -j NFQUEUE --queue-num 1
	: >"$log"
	# shellcheck disable=SC2086
	spawn ip netns exec $NS_R "$NFQ_BIN" -q 1 $args >"$log" 2>&1
	NFQ1_PID=$!
	wait_for grep -q '^ready' "$log" || die "nfq_delay (queue 1) did not start: $(cat "$log")"
}
# The client's pure ACKs to the server (flags exactly ACK, no payload);
# conntrack has counted the packet itself, so 2:2 is the handshake's third.
DP_CLIENT_ACKS=(-o $IF_RS -p tcp --dport $PORT --tcp-flags SYN,FIN,RST,PSH,ACK ACK
	-m length --length 0:100 -m connbytes --connbytes-dir original --connbytes-mode packets)

dp_scenario() { # dp_scenario KIND RTT
	local kind=$1 rtt=$2 name="dp_${1}_${2}ms"
	DELAY_MS=$(awk -v r="$rtt" 'BEGIN {print r / 2}')
	NFQ_OPTS=''
	[[ $kind != reorder ]] || NFQ_OPTS='-r 40'
	[[ $kind != spurious ]] || NFQ_OPTS="-p $((rtt * 4 + 1500))"
	setup_net
	case $kind in
	loss_sack)
		r4 -I FORWARD "${DP_DATA[@]}" -m statistic --mode random --probability 0.03 -j DROP
		dp_run "$name" ;;
	loss_nosack)
		sysc $NS_C net.ipv4.tcp_sack=0
		sysc $NS_S net.ipv4.tcp_sack=0
		r4 -I FORWARD "${DP_DATA[@]}" -m statistic --mode random --probability 0.03 -j DROP
		dp_run "$name" ;;
	tlp)
		# five 20000 B responses: the tail (1176 B of payload, 1228 B packets)
		# of each is lost once and the tail loss probe gets through
		r4 -I FORWARD -i $IF_RS -p tcp --sport $PORT -m length --length 1228 \
			-m statistic --mode nth --every 2 --packet 0 -j DROP
		srv --port $PORT --cc cubic --io-timeout 60
		cap3_start "$name"
		nstat_reset $NS_S
		nstat_reset $NS_C
		cli_bg --host $S4 --port $PORT --src-port 63001 --requests 5 --think 0.5 --req-size 100 \
			--resp-size 20000 --cc cubic --timeout 90
		DP_CLI=$CLI_PID ;;
	spurious)
		# a delay spike longer than the RTO in the middle of a paced download
		# (4000 B every 50 ms: 2.5 s), 1 s after the response began
		dp_run "$name" --chunk 4000 --chunk-gap 0.05
		sleep $(awk -v r="$rtt" 'BEGIN {print 1.0 + r * 2 / 1000}')
		kill -USR1 "$NFQ_PID" ;;
	reorder)
		dp_run "$name" ;;
	synack_late)
		# the handshake's third ACK 1.5 s late (the rest of the path as it
		# is): the server's SYN-ACK timer (1 s, TCP_TIMEOUT_INIT) fires and
		# it resends a SYN-ACK the client had. The server speaks first, so
		# nothing else from the client completes the handshake sooner.
		queue1 "-d $(awk -v d="$DELAY_MS" 'BEGIN {print d + 1500}')" \
			"${DP_CLIENT_ACKS[@]}" --connbytes 2:2
		srv --port $PORT --cc cubic --io-timeout 60 --banner 32
		cap3_start "$name"
		nstat_reset $NS_S
		nstat_reset $NS_C
		cli_bg --host $S4 --port $PORT --src-port 63001 --wait-banner --requests 3 \
			--think 0.5 --req-size 100 --resp-size 20000 --cc cubic --timeout 30
		DP_CLI=$CLI_PID ;;
	ack_late)
		# only the ACK path stalls: 1 s into the paced download the
		# client's ACKs are held for 2 RTT + 1 s (the data flows on), so
		# the server's timer fires for data that had arrived
		queue1 "-d $DELAY_MS -p $((rtt * 2 + 1000))" "${DP_CLIENT_ACKS[@]}" --connbytes 3:
		dp_run "$name" --chunk 4000 --chunk-gap 0.05
		sleep $(awk -v r="$rtt" 'BEGIN {print 1.0 + r * 2 / 1000}')
		kill -USR1 "$NFQ1_PID" ;;
	fin_late)
		# a 20000 B response and the server's close: its FIN rides on the
		# last data segment, which the path holds 2.5 RTT + 400 ms longer
		# (late, not lost); the tail loss probe resends data and FIN
		# together, the client D-SACKs the original when it comes (it
		# keeps its end open until then)
		queue1 "-d $(awk -v d="$DELAY_MS" -v r="$rtt" 'BEGIN {print d + 2.5 * r + 400}')" \
			-o $IF_RC -p tcp --sport $PORT --tcp-flags FIN FIN -m limit --limit 1/hour \
			--limit-burst 1
		srv --port $PORT --cc cubic --io-timeout 60 --close-after 1 --shutdown
		cap3_start "$name"
		nstat_reset $NS_S
		nstat_reset $NS_C
		cli_bg --host $S4 --port $PORT --src-port 63001 --requests 1 --req-size 100 \
			--resp-size 20000 --cc cubic --timeout 30 \
			--hold "$(awk -v r="$rtt" 'BEGIN {print 1.5 + 3 * r / 1000}')"
		DP_CLI=$CLI_PID ;;
	overrun)
		# The receiver's window shrinks under the sender's flight: 60 kB
		# into a 300 kB response the client sets SO_RCVBUF to 2 kB and
		# stops reading for 1 s. With net.ipv4.tcp_shrink_window=1 (Linux
		# 6.5+; RFC 7323 section 2.4 allows it) its window's right edge
		# moves left, so the data already in flight past the new edge is
		# refused (TcpExtBeyondWindow) and resent once the window opens:
		# nothing is lost on the path (the router drops nothing).
		sysc $NS_C net.ipv4.tcp_shrink_window=1
		DP_CLI_OPTS="--read-pause 1 --read-pause-after 60000 --pause-rcvbuf 2048" \
			DP_BYTES=300000 dp_run "$name" ;;
	blackout)
		# 2.5 s without any packet through, in the middle of a paced download
		dp_run "$name" --chunk 4000 --chunk-gap 0.05
		sleep $(awk -v r="$rtt" 'BEGIN {print 1.0 + r * 2 / 1000}')
		r4 -I FORWARD -p tcp -j DROP
		sleep 2.5
		r4 -D FORWARD -p tcp -j DROP ;;
	esac
	dp_end "$name"
}
for k in "${DP_KINDS[@]}"; do
	for r in "${DP_RTTS[@]}"; do
		eval "sc_dp_${k}_${r}ms() { dp_scenario $k $r; }"
	done
done

# ------------------------------------------------- verdicts at other RTTs
# DELAY_MS is one way through the router: RTT = 2 * DELAY_MS.

# Nagle x delayed ACK at 1 ms and 300 ms RTT (st_nagle_client is 40 ms).
sc_st_nagle_1ms() { DELAY_MS=0.5; setup_net; srv --port $PORT; cap_start client st_nagle_1ms
	nagle_traffic 62031; cap_stop; publish "$CAP_FILE" st_nagle_1ms; teardown_net; DELAY_MS=20; }
sc_st_nagle_300ms() { DELAY_MS=150; setup_net; srv --port $PORT; cap_start client st_nagle_300ms
	nagle_traffic 62041; cap_stop; publish "$CAP_FILE" st_nagle_300ms; teardown_net; DELAY_MS=20; }

# Nagle's negative control: request/response, each request one write. The
# server answers at once (which keeps Linux in delayed-ACK "pingpong" mode)
# except before every 2nd response, where it thinks 60 ms: its delayed ACK
# (40 ms) of that request goes out alone, late, before the response. The
# client sends its next request as soon as it reads the response (stream 0)
# or 60 ms later (stream 1). Nothing is ever held by Nagle: no stall at any
# RTT.
reqresp() { # reqresp NAME DELAY_MS PORT0
	DELAY_MS=$2
	setup_net
	srv --port $PORT --reply-delay 0.06 --reply-delay-every 2
	cap_start client "$1"
	cli --host $S4 --port $PORT --src-port "$3" --requests 10 --req-size 120 --resp-size 400
	cli --host $S4 --port $PORT --src-port "$(($3 + 1))" --requests 10 --req-size 120 --resp-size 400 \
		--think 0.06
	cap_stop
	publish "$CAP_FILE" "$1"
	teardown_net
	DELAY_MS=20
}
sc_st_reqresp_1ms() { reqresp st_reqresp_1ms 0.5 62051; }
sc_st_reqresp_40ms() { reqresp st_reqresp_40ms 20 62061; }
sc_st_reqresp_300ms() { reqresp st_reqresp_300ms 150 62071; }

# Nagle x a longer delayed ACK: st_nagle_client's traffic (40 ms RTT) with
# the server's pure ACKs held N ms more (ACK_HOLD_MS): 40 + 60 = 100 ms, a
# BSD/macOS receiver's timer; 40 + 160 = 200 ms, Windows'. The client's
# route gets rto_min 1 s so its retransmission timer never races the held
# ACK (Windows and BSD senders have 300 ms / 1 s minimums anyway).
nagle_delack() { # nagle_delack NAME HOLD_MS PORT
	ACK_HOLD_MS=$2 setup_net
	ip -n $NS_C route change default via $R4C rto_min 1000ms
	srv --port $PORT
	cap_start client "$1"
	# 0.3 s between requests and 0.5 s before the close: the queue also
	# holds the server's window-update ACKs (which a real stack sends at
	# once); they must arrive before the next request, as they would
	nagle_traffic "$3" --think 0.3 --hold 0.5
	cap_stop
	publish "$CAP_FILE" "$1"
	teardown_net
}
sc_st_nagle_delack100() { nagle_delack st_nagle_delack100 60 62131; }
sc_st_nagle_delack200() { nagle_delack st_nagle_delack200 160 62141; }

# Keep-alive (TCP_KEEPIDLE 1 s, TCP_KEEPINTVL 1 s) to a peer that stops
# answering: once the response is in, the router drops the server's packets
# to streams 1 and 2.
#   0: the probes are answered (negative control), then a normal close
#   1: TCP_KEEPCNT 3: three probes unanswered, then Linux resets
#      (tcp_keepalive_timer -> tcp_send_active_reset)
#   2: TCP_KEEPCNT 9, probes every 2 s: unanswered until the capture ends
keepalive_dead() { # keepalive_dead NAME DELAY_MS PORT0
	local p=$3 c0 c1
	DELAY_MS=$2
	setup_net
	srv --port $PORT
	cap_start client "$1"
	cli_bg --host $S4 --port $PORT --src-port "$p" --requests 1 --req-size 100 --resp-size 300 \
		--keepalive 1,1,3 --hold 3.5
	c0=$CLI_PID
	cli_bg --host $S4 --port $PORT --src-port "$((p + 1))" --requests 1 --req-size 100 \
		--resp-size 300 --keepalive 1,1,3 --hold 8 --allow-fail
	c1=$CLI_PID
	cli_bg --host $S4 --port $PORT --src-port "$((p + 2))" --requests 1 --req-size 100 \
		--resp-size 300 --keepalive 1,2,9 --hold 30 --allow-fail
	sleep "$(awk -v d="$2" 'BEGIN {print 0.3 + d * 8 / 1000}')"
	r4 -I FORWARD -p tcp -s $S4 --dport "$((p + 1))" -j DROP
	r4 -I FORWARD -p tcp -s $S4 --dport "$((p + 2))" -j DROP
	wait "$c0" || true
	wait "$c1" || true
	cap_stop 1
	publish "$CAP_FILE" "$1"
	teardown_net
	DELAY_MS=20
}
sc_td_keepalive_dead() { keepalive_dead td_keepalive_dead 20 62101; }
sc_td_keepalive_dead_300ms() { keepalive_dead td_keepalive_dead_300ms 150 62111; }

# Closes graded by time. The server closes right after its response; the
# client (captured) keeps its socket open 5 s after the server's FIN, then
#   0: closes (a late close, FIN);
#   1: resets (SO_LINGER 0);
#   2: closes at once (the prompt control).
sc_td_late_close() {
	setup_net
	srv --port $PORT --close-after 1
	cap_start client td_late_close
	cli_bg --host $S4 --port $PORT --src-port 62121 --requests 1 --req-size 100 --resp-size 300 --hold 5
	local c0=$CLI_PID
	cli_bg --host $S4 --port $PORT --src-port 62122 --requests 1 --req-size 100 --resp-size 300 \
		--hold 5 --close abort
	local c1=$CLI_PID
	cli --host $S4 --port $PORT --src-port 62123 --requests 1 --req-size 100 --resp-size 300
	wait "$c0" || true
	wait "$c1" || true
	cap_stop
	publish "$CAP_FILE" td_late_close
	teardown_net
}

# A close still under way when the capture ends: the client's FIN is
# acknowledged about 0.3 s before the end and the server's application
# closes 2 s after it (beyond the capture): closing, not a CLOSE_WAIT leak.
sc_td_close_at_end() {
	setup_net
	srv --port $PORT --hold 2
	cap_start client td_close_at_end
	cli_bg --host $S4 --port $PORT --src-port 62131 --requests 1 --req-size 100 --resp-size 300 \
		--close shutdown --timeout 10
	sleep 0.35
	cap_stop 0
	publish "$CAP_FILE" td_close_at_end
	teardown_net
}

# Path MTU: the router's link to the client carries 1400-byte packets, but
# the client's SYN offers MSS 1460 (its own link is 1500), so the server's
# full segments (1500-byte packets, DF set) do not fit. The router answers
# each with an ICMP "fragmentation needed" (next-hop MTU 1400); the server
# lowers its path MTU and resends smaller. Captured at the server: one
# 30000 B response. dt_pmtu_black_hole: the router sends no ICMP (a firewall
# drops them): the large segments time out until Linux's black-hole
# detection (net.ipv4.tcp_mtu_probing=1, after tcp_retries1 = 3 timeouts)
# lowers the MSS to tcp_base_mss (1024) and the smaller resends pass.
path_mtu() { # path_mtu NAME DELAY_MS PORT BLACK_HOLE
	DELAY_MS=$2
	setup_net
	ip -n $NS_R link set $IF_RC mtu 1400
	if [[ $4 == 1 ]]; then
		r4 -I OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
		sysc $NS_S net.ipv4.tcp_mtu_probing=1
	fi
	srv --port $PORT
	cap_start server "$1"
	cli --host $S4 --port $PORT --src-port "$3" --requests 1 --req-size 100 --resp-size 30000 \
		--timeout 30 --allow-fail
	cap_stop
	publish "$CAP_FILE" "$1"
	teardown_net
	DELAY_MS=20
}
sc_dt_path_mtu() { path_mtu dt_path_mtu 20 62141 0; }
sc_dt_path_mtu_300ms() { path_mtu dt_path_mtu_300ms 150 62142 0; }
sc_dt_pmtu_black_hole() { path_mtu dt_pmtu_black_hole 20 62143 1; }

# Encapsulations: where the TCP header is in the frame. en_fragmented: the
# server sets no DF (net.ipv4.ip_no_pmtu_disc=1), so the router fragments
# its full-sized segments onto the client link's 1400-byte MTU (RFC 791
# section 2.3). Captured at the client: each full-sized response segment
# arrives as two IPv4 fragments; Wireshark reassembles them and dissects the
# segment on the last one. en_vxlan: the client reaches the server through
# a VXLAN tunnel (RFC 7348) to the router. Captured on the client's link:
# every segment is inside Ethernet, IPv4 and UDP port 4789, then Ethernet and
# IPv4 again. Both are healthy connections that close gracefully.
sc_en_fragmented() {
	setup_net
	ip -n $NS_R link set $IF_RC mtu 1400
	sysc $NS_S net.ipv4.ip_no_pmtu_disc=1
	srv --port $PORT
	cap_start client en_fragmented
	cli --host $S4 --port $PORT --src-port 41701 --requests 2 --req-size 100 --resp-size 20000
	cap_stop
	publish "$CAP_FILE" en_fragmented
	teardown_net
}

sc_en_vxlan() {
	local vc=10.77.9.2 vr=10.77.9.1 mac_vc=02:77:09:00:00:02 mac_vr=02:77:09:00:00:01
	setup_net
	ip -n $NS_C link add vx-c address $mac_vc type vxlan id 77 local $C4 remote $R4C dstport 4789 dev $IF_C
	ip -n $NS_R link add vx-r address $mac_vr type vxlan id 77 local $R4C remote $C4 dstport 4789 dev $IF_RC
	ip -n $NS_C addr add $vc/24 dev vx-c
	ip -n $NS_R addr add $vr/24 dev vx-r
	link_up $NS_C vx-c
	link_up $NS_R vx-r
	ip -n $NS_C neigh replace $vr lladdr $mac_vr dev vx-c nud permanent
	ip -n $NS_R neigh replace $vc lladdr $mac_vc dev vx-r nud permanent
	ip -n $NS_C route add $S4/32 via $vr dev vx-c src $vc
	srv --port $PORT
	CAP_FILTER='udp port 4789' cap_start client en_vxlan
	cli --host $S4 --port $PORT --src-port 41711 --requests 2 --req-size 100 --resp-size 5000
	cap_stop
	publish "$CAP_FILE" en_vxlan
	teardown_net
}

# Root cause first. hs_synack_all_lost: the router drops every SYN-ACK on
# its way to the client; the client retries its SYN (tcp_syn_retries 2,
# linear timeouts: 1 s apart) and gives up; the server retransmits its
# SYN-ACK. Captured at the server: the SYN-ACKs were lost, so the handshake
# never completed. hs_ack_all_lost: a broken stateful firewall drops every
# packet of the client but its SYNs: the third ACK and the client's request
# never reach the server, which retransmits its SYN-ACK; the client
# retransmits its request until it gives up (the client times out after 6 s
# and resets). Captured at the client: the connection never worked.
sc_hs_synack_all_lost() {
	setup_net
	srv --port $PORT
	r4 -I FORWARD -p tcp --sport $PORT --tcp-flags SYN,ACK SYN,ACK -j DROP
	cap_start server hs_synack_all_lost
	sysc $NS_C net.ipv4.tcp_syn_retries=2
	cli --host $S4 --port $PORT --src-port 62151 --allow-fail
	cap_stop 1
	publish "$CAP_FILE" hs_synack_all_lost
	teardown_net
}
sc_hs_ack_all_lost() {
	setup_net
	srv --port $PORT
	r4 -I FORWARD -p tcp -s $C4 ! --syn -j DROP
	cap_start client hs_ack_all_lost
	cli --host $S4 --port $PORT --src-port 62161 --requests 1 --req-size 100 --timeout 6 \
		--close abort --allow-fail
	cap_stop
	publish "$CAP_FILE" hs_ack_all_lost
	teardown_net
}

# A SYN-ACK that arrives twice: a 1.2 s round trip (a geostationary
# satellite hop and a queue) is longer than the client's initial RTO (1 s,
# RFC 6298), so the client sends its SYN again before the SYN-ACK arrives;
# the server answers that SYN with a second SYN-ACK, which the established
# client acknowledges with a D-SACK of it (RFC 2883). Nothing was lost.
synack_twice() { # synack_twice client|server
	DELAY_MS=600
	setup_net
	srv --port $PORT
	cap_start "$1" "hs_synack_twice_$1"
	sysc $NS_C net.ipv4.tcp_syn_linear_timeouts=0
	cli --host $S4 --port $PORT --src-port "$([[ $1 == client ]] && echo 62171 || echo 62172)" \
		--requests 1 --req-size 100 --resp-size 300 --timeout 20
	cap_stop 1.5
	publish "$CAP_FILE" "hs_synack_twice_$1"
	teardown_net
	DELAY_MS=20
}
sc_hs_synack_twice_client() { synack_twice client; }
sc_hs_synack_twice_server() { synack_twice server; }

# ---------------------------------------------------------------- hosts
# What only many connections show together (the host.* codes): hundreds of
# connections from tools/hostload.py, and the kernel's own account of the
# same moment in hosts_truth.tsv (ss on the server when the capture stops,
# nstat, iptables' counters, the scanner's own list of ports), which
# tests/integration/test_hosts.py compares with tcpdiag's numbers.
HOST_TSV="$OUT_DIR/hosts_truth.tsv"

host_truth() { # host_truth NAME KEY=VALUE...
	local name=$1; shift
	touch "$HOST_TSV"
	grep -v "^$name"$'\t' "$HOST_TSV" >"$WORK/hosts.tsv" || true
	(IFS=$'\t'; printf '%s\t%s\n' "$name" "$*") >>"$WORK/hosts.tsv"
	LC_ALL=C sort "$WORK/hosts.tsv" >"$HOST_TSV"
	say "truth: $name $*"
}
# hsrv ARGS...: a hostload server in the server namespace, listening
hsrv() {
	local rf="$WORK/hsrv.$RANDOM.ready"
	spawn ip netns exec $NS_S python3 "$HOSTLOAD" server --ready-file "$rf" "$@" >>"$WORK/app.log" 2>&1
	wait_for test -e "$rf" || die "hostload server did not start: $(tail -5 "$WORK/app.log")"
}
# hcli ARGS...: hostload clients in the client namespace (bounded), their
# lines in $WORK/${HCLI_LOG:-hcli}.log; their summary
hcli() {
	local log="$WORK/${HCLI_LOG:-hcli}.log"
	timeout 150 ip netns exec $NS_C python3 "$HOSTLOAD" client "$@" >"$log" 2>&1 || true
	tail -1 "$log" | sed 's/^/    /'
}
ss_count() { ip netns exec "$1" ss -Htan state "$2" | wc -l; }
nstat_get() { ip netns exec "$1" nstat -az "$2" | awk -v k="$2" '$1 == k {print $2}'; }
# a second address on a side: the client's for a scanner, the server's for a
# host behind a lossy path
add_addr() { # add_addr client|server ADDR
	local ns=$NS_C ifc=$IF_C rifc=$IF_RC mac=$MAC_C
	[[ $1 == client ]] || { ns=$NS_S ifc=$IF_S rifc=$IF_RS mac=$MAC_S; }
	ip -n "$ns" addr add "$2/24" dev "$ifc"
	ip -n $NS_R neigh replace "$2" lladdr "$mac" dev "$rifc" nud permanent
}

# The server closes every connection first (Connection: close): 400
# connections in 8 s, each leaving a TIME_WAIT on the server for 60 s.
sc_host_time_wait() {
	setup_net
	hsrv --port $PORT --close first
	cap_start server host_time_wait
	hcli --host $S4 --port $PORT --conns 400 --concurrency 20 --rate 50 --close server
	cap_stop 1
	host_truth host_time_wait "conns=400" "ss_time_wait=$(ss_count $NS_S time-wait)"
	publish "$CAP_FILE" host_time_wait
	teardown_net
}

# The server application acknowledges the client's close and never closes
# (a CLOSE_WAIT leak) on port 8080; its other service (8081) closes well.
sc_host_close_wait() {
	setup_net
	hsrv --port $PORT --close leak --duration 300
	hsrv --port 8081
	cap_start server host_close_wait
	hcli --host $S4 --port 8081 --conns 60 --concurrency 10 --rate 40
	hcli --host $S4 --port $PORT --conns 200 --concurrency 10 --rate 40
	sleep 2 # the newest leak older than late_close (1 s) when the capture ends:
	hcli --host $S4 --port 8081 --conns 3 --concurrency 1 # its last packets
	cap_stop 1
	host_truth host_close_wait "conns=200" "ss_close_wait=$(ss_count $NS_S close-wait)"
	publish "$CAP_FILE" host_close_wait
	teardown_net
}

# A slow acceptor (20 accept() a second) behind a listen backlog of 8, and
# 200 clients arriving 50 a second: once the accept queue is full the
# kernel drops their SYNs (tcp_conn_request: LISTENOVERFLOWS) and ignores
# third ACKs (tcp_check_req: the request stays, its SYN-ACK is resent), so
# clients retry after 1, 3, 7 ... s while others get through. SYN cookies
# are off in the server: with them, a SYN beyond a full SYN queue is
# answered with a cookie and its ACK dropped without a trace while the
# accept queue is full, and a client that waits for the server to speak
# waits for ever. The server speaks first, so a client's only packets
# before it is accepted are its handshake: nstat's TcpExtListenDrops counts
# each SYN dropped and each ACK ignored. At 40 ms and 300 ms RTT.
accept_queue() { # accept_queue NAME DELAY_MS
	DELAY_MS=$2
	setup_net
	sysc $NS_S net.ipv4.tcp_syncookies=0
	hsrv --port $PORT --backlog 8 --accept-pace 0.05 --banner
	cap_start server "$1"
	hcli --host $S4 --port $PORT --conns 200 --concurrency 200 --rate 50 --wait-banner \
		--timeout 100
	sleep 1
	host_truth "$1" "conns=200" \
		"ListenOverflows=$(nstat_get $NS_S TcpExtListenOverflows)" \
		"ListenDrops=$(nstat_get $NS_S TcpExtListenDrops)"
	cap_stop 1
	publish "$CAP_FILE" "$1"
	teardown_net
	DELAY_MS=20
}
sc_host_accept_queue() { accept_queue host_accept_queue 20; }
sc_host_accept_queue_300ms() { accept_queue host_accept_queue_300ms 150; }

# A connect scan of ports 20-219 from a second client address (10.77.1.3)
# while a real client works with the server: the server listens on 80 and
# 8080, the router drops 100-109 (filtered), the rest are refused.
sc_host_scanner() {
	local out
	setup_net
	add_addr client 10.77.1.3
	hsrv --port $PORT
	hsrv --port 80
	r4 -I FORWARD -p tcp -d $S4 --dport 100:109 -j DROP
	cap_start client host_scanner
	hcli --host $S4 --port $PORT --conns 30 --concurrency 5 --rate 20 --requests 3
	out=$(ip netns exec $NS_C timeout 150 python3 "$HOSTLOAD" scan --host $S4 --ports 20-219 \
		--timeout 1.5 --src-addr 10.77.1.3)
	sed 's/^/    /' <<<"$out"
	cap_stop 1
	host_truth host_scanner "ports=200" \
		"open=$(awk '$2 == "open" {print $3}' <<<"$out")" \
		"refused=$(awk '$2 == "refused" {print $3}' <<<"$out")" \
		"filtered=$(awk '$2 == "filtered" {print $3}' <<<"$out")"
	publish "$CAP_FILE" host_scanner
	teardown_net
}

# Two server addresses; the router drops 2% of the data packets from the
# second (10.77.2.3) at random: every connection to it loses, none to the
# first. Captured at the client (the drops are before the capture point),
# headers only. At 40 ms and 300 ms RTT.
path_loss() { # path_loss NAME DELAY_MS
	DELAY_MS=$2
	setup_net
	add_addr server 10.77.2.3
	hsrv --port $PORT
	r4 -I FORWARD -i $IF_RS -s 10.77.2.3 -p tcp -m length --length 200:65535 \
		-m statistic --mode random --probability 0.02 -j DROP
	CAP_SNAPLEN=128 cap_start client "$1"
	nstat_reset $NS_S
	hcli --host $S4 --port $PORT --conns 30 --concurrency 10 --requests 3 --resp 50000
	hcli --host 10.77.2.3 --port $PORT --conns 30 --concurrency 10 --requests 3 --resp 50000
	sleep 0.5
	host_truth "$1" "conns=30" \
		"dropped=$(R iptables -w -L FORWARD -v -x -n | awk '/statistic/ {print $1; exit}')" \
		"TcpRetransSegs=$(nstat_get $NS_S TcpRetransSegs)"
	cap_stop 1
	publish "$CAP_FILE" "$1"
	teardown_net
	DELAY_MS=20
}
sc_host_path_loss() { path_loss host_path_loss 20; }
sc_host_path_loss_300ms() { path_loss host_path_loss_300ms 150; }

# A stateful firewall on the router with a 5 s idle timer: it forgets a
# connection idle that long (nf_conntrack_tcp_timeout_established=5, no
# mid-stream pickup) and answers its next packet with a RST in the server's
# name (REJECT --reject-with tcp-reset). 20 connections idle 8 s between two
# requests are reset; 10 idle 2 s are not.
sc_host_idle_timeout() {
	setup_net
	r4 -I FORWARD -p tcp -m conntrack --ctstate INVALID -j REJECT --reject-with tcp-reset
	sysc $NS_R net.netfilter.nf_conntrack_tcp_loose=0 \
		net.netfilter.nf_conntrack_tcp_timeout_established=5
	hsrv --port $PORT
	cap_start client host_idle_timeout
	local idle8
	( HCLI_LOG=idle8 hcli --host $S4 --port $PORT --conns 20 --concurrency 20 --requests 2 \
		--idle 8 ) &
	idle8=$!
	BG_PIDS+=("$idle8")
	sleep 0.5
	HCLI_LOG=idle2 hcli --host $S4 --port $PORT --conns 10 --concurrency 10 --requests 2 --idle 2
	wait "$idle8" || true
	cap_stop 1
	host_truth host_idle_timeout "timer=5" "idle=8" \
		"reset=$(grep -c ' FAILED ' "$WORK/idle8.log" || true)" \
		"survived=$(grep -c ' ok ' "$WORK/idle2.log" || true)"
	publish "$CAP_FILE" host_idle_timeout
	teardown_net
}

# A client with 50 source ports (ip_local_port_range 40000-40049) that
# connects 150 times in 8 s, one at a time, to a server that closes first:
# once its ports wrap, each connection reuses a 4-tuple still in TIME_WAIT
# on the server (which lets a SYN with a newer timestamp reopen it,
# tcp_timewait_state_process), ending that TIME_WAIT.
sc_host_port_exhaustion() {
	setup_net
	sysc $NS_C "net.ipv4.ip_local_port_range=40000 40049"
	hsrv --port $PORT --close first
	cap_start server host_port_exhaustion
	hcli --host $S4 --port $PORT --conns 150 --concurrency 1 --rate 20 --close server
	cap_stop 1
	# the ports it used: Linux's connect() takes the even ports of the range
	# while one is free (inet_hash_connect), so 25 of the 50
	host_truth host_port_exhaustion "conns=150" "ports=50" \
		"used_ports=$(awk '$1 == "conn" {print $4}' "$WORK/hcli.log" | sort -u | wc -l)" \
		"ss_time_wait=$(ss_count $NS_S time-wait)"
	publish "$CAP_FILE" host_port_exhaustion
	teardown_net
}

# The control: a busy server with keep-alive clients (5 requests each) that
# close first; no host finding. At 1, 40 and 300 ms RTT.
control() { # control NAME DELAY_MS
	DELAY_MS=$2
	setup_net
	hsrv --port $PORT
	cap_start server "$1"
	hcli --host $S4 --port $PORT --conns 300 --concurrency 20 --rate 60 --requests 5 --idle 0.05
	cap_stop 1
	host_truth "$1" "conns=300" "ss_time_wait=$(ss_count $NS_S time-wait)" \
		"ss_close_wait=$(ss_count $NS_S close-wait)"
	publish "$CAP_FILE" "$1"
	teardown_net
	DELAY_MS=20
}
sc_host_control() { control host_control 20; }
sc_host_control_1ms() { control host_control_1ms 0.5; }
sc_host_control_300ms() { control host_control_300ms 150; }

# ---------------------------------------------------------------- main
T0=$(date +%s)
for s in "${SCENARIOS[@]}"; do
	t=$(date +%s)
	say "scenario $s"
	: >"$WORK/app.log"
	"sc_$s"
	if [[ -s $WORK/app.log ]]; then sed 's/^/    /' "$WORK/app.log"; fi
	say "scenario $s done in $(($(date +%s) - t)) s"
done
say "all done in $(($(date +%s) - T0)) s"
