#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tcpdiag benchmark: what the plugin costs in tshark, on the captures users
# open, as ratios against the cheapest full pass with tcpdiag disabled.
#
#   bench/bench.sh [-n N] [--kinds short,bulk,many] [--no-scaling] [--force]
#
# Builds the plugin into bench/work/build (incremental), makes or reuses the
# captures (make_bench_capture.sh; bench/work/<kind>.pcap), then, per
# capture, times these commands, alternated in every round so that machine
# noise hits all alike (N rounds, default 5; 3 for "many"):
#   Z   tshark -r F -q -z io,stat,0      with no tcpdiag installed at all
#   A   tshark -r F -q -z io,stat,0 --disable-protocol tcpdiag   (the limit)
#   B   tshark -r F -q -z io,stat,0                              (tcpdiag on)
#   C   tshark -r F -q -z tcpdiag
#   D   tshark -r F -2 -q -z tcpdiag
#   G   tshark -r F -2 -q -z io,stat,0 --disable-protocol tcpdiag (two passes)
#   E   tshark -r F -q -z expert --disable-protocol tcpdiag       (Wireshark's expert)
#   F   tshark -r F -q -z conv,tcp --disable-protocol tcpdiag     (Wireshark's conversations)
#   H   tshark -r F -q -z tcpdiag,hosts                          (TCP Diagnosis by Host)
#   I   tshark -r F -2 -q -z tcpdiag,hosts
# and reports medians of wall time, CPU time and peak RSS, each command's
# ratios to A (and D/G), and tcpdiag's extra bytes per stream ((RSS_B -
# RSS_A) / streams, and the same for C). With scaling (default), it also
# times A, B and C on short captures of 500, 1500 and 5000 connections (1x,
# 3x, 10x) and gives the time per packet (is it flat?).
# Results go to bench/work/results.txt. Run as root (captures need
# namespaces); tshark itself runs as "nobody" with WIRESHARK_PLUGIN_DIR set
# to a copy of the global plugin dir holding this build (see below).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
WORK=$HERE/work
N=
KINDS=short,bulk,many
SCALING=1
FORCE=
while [ $# -gt 0 ]; do
    case $1 in
        -n) N=$2; shift ;;
        --kinds) KINDS=$2; shift ;;
        --no-scaling) SCALING=0 ;;
        --force|--force-capture) FORCE=--force ;;
        -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || { echo "run as root (captures need namespaces; tshark is run as nobody)" >&2; exit 1; }
mkdir -p "$WORK"

# --- tools (the build's and the captures' packages; /usr/bin/time)
"$HERE/../scripts/install-deps.sh" bench
if [ ! -x /usr/bin/time ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y time >/dev/null
fi
for t in tshark capinfos cmake setpriv python3; do
    command -v $t >/dev/null || { echo "missing $t" >&2; exit 1; }
done

# --- plugin
BUILD=$WORK/build
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$REPO" -B "$BUILD" -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$BUILD" -j"$(nproc)" >/dev/null
SO=$BUILD/tcpdiag.so
[ -f "$SO" ] || { echo "plugin not built: $SO" >&2; exit 1; }

# --- unprivileged tshark with this build of the plugin. A tcpdiag installed
# in the global plugin dir (scripts/demo.sh puts one there) would shadow a
# personal one, so the plugin dir is replaced (WIRESHARK_PLUGIN_DIR) by a
# copy of the global one with this build's tcpdiag.so: every command loads
# the same plugins as a user's tshark.
TMP=$(mktemp -d /tmp/tdbench-run.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
WSREL=$(tshark --version | awk 'NR==1 {split($3, v, "."); print v[1] "." v[2]}')
GLOBAL=$(tshark -G folders 2>/dev/null | awk -F'\t' '$1 ~ /^Global Plugins/ {print $2}')
mkdir -p "$TMP/home" "$TMP/out" "$TMP/plugins/$WSREL/epan"
if [ -d "$GLOBAL" ]; then # it names the versioned dir (.../plugins/4.0)
    cp -r "$GLOBAL/." "$TMP/plugins/$WSREL/"
fi
cp -r "$TMP/plugins" "$TMP/plugins-without"
rm -f "$TMP/plugins-without/$WSREL/epan/tcpdiag.so"
cp "$SO" "$TMP/plugins/$WSREL/epan/tcpdiag.so"
chmod -R a+rX "$TMP"
chown -R nobody:nogroup "$TMP/home" "$TMP/out"

as_nobody() {
    setpriv --reuid=nobody --regid=nogroup --clear-groups env -i PATH=/usr/bin:/bin \
        HOME="$TMP/home" WIRESHARK_PLUGIN_DIR="${WSPLUGINS:-$TMP/plugins}" LANG=C "$@"
}
as_nobody tshark -G plugins 2>/dev/null | grep -q "$TMP/plugins/$WSREL/epan/tcpdiag.so" \
    || { echo "tshark does not load this build's tcpdiag.so from $TMP/plugins" >&2; exit 1; }

declare -A CMD
CMD[Z]="tshark -r F -q -z io,stat,0"
CMD[A]="tshark -r F -q -z io,stat,0 --disable-protocol tcpdiag"
CMD[B]="tshark -r F -q -z io,stat,0"
CMD[C]="tshark -r F -q -z tcpdiag"
CMD[D]="tshark -r F -2 -q -z tcpdiag"
CMD[G]="tshark -r F -2 -q -z io,stat,0 --disable-protocol tcpdiag"
CMD[E]="tshark -r F -q -z expert --disable-protocol tcpdiag"
CMD[F]="tshark -r F -q -z conv,tcp --disable-protocol tcpdiag"
CMD[H]="tshark -r F -q -z tcpdiag,hosts"
CMD[I]="tshark -r F -2 -q -z tcpdiag,hosts"

# run_one LABEL NAME ROUND PCAP: one timed command, a line in $TMP/samples
run_one() {
    local label=$1 name=$2 r=$3 pcap=$4 argv
    read -r -a argv <<<"${CMD[$name]/ F / $pcap }"
    # Z: the same tshark without tcpdiag installed at all (its plugin dir
    # without tcpdiag.so): what "disabled" must cost
    local plugins=$TMP/plugins
    [ "$name" != Z ] || plugins=$TMP/plugins-without
    if ! WSPLUGINS=$plugins as_nobody /usr/bin/time -f '%e %M %U %S' -o "$TMP/out/time" "${argv[@]}" \
            >"$TMP/out/$label.$name.stdout" 2>"$TMP/out/$label.$name.stderr"; then
        echo "command $name on $label failed:" >&2; cat "$TMP/out/$label.$name.stderr" >&2; exit 1
    fi
    if grep -q "Dissector bug" "$TMP/out/$label.$name.stderr"; then
        echo "WARNING: 'Dissector bug' on stderr of $name ($label)" >&2
    fi
    echo "$label $name $r $(tail -n 1 "$TMP/out/time")" >>"$TMP/samples"
}

# measure LABEL PCAP ROUNDS NAMES...: alternate the commands ROUNDS times
measure() {
    local label=$1 src=$2 rounds=$3 pcap pkts streams; shift 3
    pcap=$TMP/$label.pcap
    cp "$src" "$pcap"; chmod a+r "$pcap"
    pkts=$(capinfos -c -M "$pcap" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
    streams=$(as_nobody tshark -r "$pcap" -T fields -e tcp.stream 2>/dev/null \
              | awk 'BEGIN{m=-1} $1!="" && $1+0>m {m=$1+0} END{print m+1}')
    echo "$label $pkts $streams $(du -m "$src" | cut -f1)" >>"$TMP/captures"
    echo "$label: $pkts packets, $streams TCP streams; warm-up run (not counted)..."
    run_one "$label" A 0 "$pcap"
    sed -i "/^$label A 0 /d" "$TMP/samples"
    for r in $(seq "$rounds"); do
        for name in "$@"; do
            run_one "$label" "$name" "$r" "$pcap"
        done
        echo "  round $r/$rounds: $(awk -v l="$label" -v r="$r" '$1==l && $3==r {printf "%s %ss %dMB  ", $2, $4, $5/1024}' "$TMP/samples")"
    done
    rm -f "$pcap"
}

: >"$TMP/samples"; : >"$TMP/captures"
IFS=, read -r -a kinds <<<"$KINDS"
for kind in "${kinds[@]}"; do
    "$HERE/make_bench_capture.sh" --kind "$kind" $FORCE --out "$WORK/$kind.pcap"
    rounds=${N:-5}
    [ "$kind" != many ] || rounds=${N:-3}
    measure "$kind" "$WORK/$kind.pcap" "$rounds" Z A B C D G E F H I
done
if [ "$SCALING" = 1 ]; then
    for x in 1 3 10; do
        "$HERE/make_bench_capture.sh" --kind short --conns $((500 * x)) $FORCE \
            --out "$WORK/scale_${x}x.pcap"
        measure "scale_${x}x" "$WORK/scale_${x}x.pcap" "${N:-5}" A B C H
    done
fi

python3 - "$TMP/samples" "$TMP/captures" "$WORK/results.txt" \
    "${CMD[Z]}" "${CMD[A]}" "${CMD[B]}" "${CMD[C]}" "${CMD[D]}" "${CMD[G]}" "${CMD[E]}" "${CMD[F]}" \
    "${CMD[H]}" "${CMD[I]}" <<'EOF'
import statistics, sys, datetime, platform, os, subprocess
samples, captures, out = sys.argv[1:4]
cmds = dict(zip("ZABCDGEFHI", sys.argv[4:14]))
cmds["Z"] += "   (no tcpdiag installed)"
caps = {}
for line in open(captures):
    label, pkts, streams, mb = line.split()
    caps[label] = (int(pkts), int(streams), int(mb))
t, m, c = {}, {}, {}
for line in open(samples):
    label, name, _, sec, kb, user, system = line.split()
    t.setdefault((label, name), []).append(float(sec))
    m.setdefault((label, name), []).append(int(kb) / 1024.0)
    c.setdefault((label, name), []).append(float(user) + float(system))
med = lambda d: {k: statistics.median(v) for k, v in d.items()}
mt, mm, mc = med(t), med(m), med(c)
ver = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
L = ["tcpdiag benchmark, %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
     "machine: %d cores, kernel %s; %s" % (os.cpu_count(), platform.release(), ver),
     "medians of wall time, CPU time (user+sys) and peak RSS (/usr/bin/time), commands alternated", ""]
for label in [l for l in caps if not l.startswith("scale_")]:
    pkts, streams, mb = caps[label]
    L.append("== %s: %d packets, %d TCP streams, %d MB" % (label, pkts, streams, mb))
    L.append("%-2s %-56s %8s %8s %8s %7s %7s %7s" % ("", "command", "wall s", "cpu s", "RSS MB",
                                                    "wall/A", "cpu/A", "RSS/A"))
    a = (label, "A")
    for k in "ZABCDGEFHI":
        key = (label, k)
        if key not in mt:
            continue
        L.append("%-2s %-56s %8.2f %8.2f %8.1f %6.3fx %6.3fx %6.3fx" % (
            k, cmds[k].replace("tshark -r F ", "tshark -r %s.pcap " % label), mt[key], mc[key],
            mm[key], mt[key] / mt[a], mc[key] / mc[a], mm[key] / mm[a]))
    if (label, "G") in mt:
        L.append("   two passes: D/G %.3fx wall, %.3fx RSS (G: the same -2 pass, tcpdiag disabled)"
                 % (mt[(label, "D")] / mt[(label, "G")], mm[(label, "D")] / mm[(label, "G")]))
    if (label, "H") in mt:
        L.append("   the hosts table: H/C %.3fx wall, %.3fx RSS; I/D %.3fx wall (C, D: the "
                 "streams table)" % (mt[(label, "H")] / mt[(label, "C")],
                                     mm[(label, "H")] / mm[(label, "C")],
                                     mt[(label, "I")] / mt[(label, "D")]))
    for k in "BCH":
        if (label, k) not in mm:
            continue
        extra = (mm[(label, k)] - mm[a]) * 1024 * 1024 / max(streams, 1)
        L.append("   extra memory with %s: %.0f bytes per stream (%.1f MB over %d streams)"
                 % (k, extra, mm[(label, k)] - mm[a], streams))
    L.append("")
scale = [l for l in caps if l.startswith("scale_")]
if scale:
    L.append("== time per packet as the capture grows (short captures, wall time / packets)")
    L.append("%-10s %9s %8s %10s %10s %10s %10s %7s %7s %7s" % (
        "capture", "packets", "streams", "A us/pkt", "B us/pkt", "C us/pkt", "H us/pkt", "B/A",
        "C/A", "H/A"))
    for label in scale:
        pkts, streams, _ = caps[label]
        us = lambda k: mt[(label, k)] * 1e6 / pkts
        L.append("%-10s %9d %8d %10.2f %10.2f %10.2f %10.2f %6.3fx %6.3fx %6.3fx" % (
            label, pkts, streams, us("A"), us("B"), us("C"), us("H"),
            mt[(label, "B")] / mt[(label, "A")], mt[(label, "C")] / mt[(label, "A")],
            mt[(label, "H")] / mt[(label, "A")]))
    L.append("")
L.append("targets: B/A <= 1.03x time and RSS; C/A <= 1.05x on every capture")
for label in [l for l in caps if not l.startswith("scale_")]:
    a = (label, "A")
    ok = lambda k, lim: mt[(label, k)] / mt[a] <= lim and mm[(label, k)] / mm[a] <= lim
    L.append("  %-6s B: %s   C: %s" % (label, "MET" if ok("B", 1.03) else "NOT MET",
                                       "MET" if ok("C", 1.05) else "NOT MET"))
text = "\n".join(L) + "\n"
open(out, "w").write(text)
print()
print(text, end="")
print("written to", out)
EOF
