#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tcpdiag benchmark: cost of the plugin in tshark, on one large real capture.
#
#   bench/bench.sh [-n N] [--force-capture] [--pcap FILE]
#
# Builds the plugin into bench/work/build (incremental), makes or reuses
# bench/work/bench.pcap (make_bench_capture.sh), then times, alternating the
# commands in every round so machine noise hits all alike:
#   A   tshark -r bench.pcap -q -z io,stat,0 --disable-protocol tcpdiag
#   B   tshark -r bench.pcap -q -z io,stat,0
#   C   tshark -r bench.pcap -q -z tcpdiag
#   D0  tshark -2 -r bench.pcap -q -z io,stat,0 --disable-protocol tcpdiag
#   D   tshark -2 -r bench.pcap -q -z io,stat,0
# Each is run N times (default 5) under /usr/bin/time -f '%e %M'; the table
# shows median wall seconds and median peak RSS. Results also go to
# bench/work/results.txt. Run as root (tshark itself runs as "nobody", with
# the plugin in that user's personal plugin dir, since root ignores it).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
WORK=$HERE/work
N=5
FORCE_CAP=
PCAP=$WORK/bench.pcap
while [ $# -gt 0 ]; do
    case $1 in
        -n) N=$2; shift ;;
        --force-capture|--force) FORCE_CAP=--force ;;
        --pcap) PCAP=$2; shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || { echo "run as root (capture needs namespaces; tshark is run as nobody)" >&2; exit 1; }
mkdir -p "$WORK"

# --- tools
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
cmake --build "$BUILD" -j2 >/dev/null
SO=$BUILD/tcpdiag.so
[ -f "$SO" ] || { echo "plugin not built: $SO" >&2; exit 1; }

# --- capture
if [ "$PCAP" = "$WORK/bench.pcap" ]; then
    "$HERE/make_bench_capture.sh" $FORCE_CAP --out "$PCAP"
fi
[ -s "$PCAP" ] || { echo "no capture $PCAP" >&2; exit 1; }

# --- unprivileged tshark with the plugin in its personal plugin dir
TMP=$(mktemp -d /tmp/tdbench-run.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/home/.local/lib/wireshark/plugins/4.0/epan" "$TMP/out"
cp "$SO" "$TMP/home/.local/lib/wireshark/plugins/4.0/epan/tcpdiag.so"
cp "$PCAP" "$TMP/bench.pcap"
chmod -R a+rX "$TMP"
chown -R nobody:nogroup "$TMP/home" "$TMP/out"
CAP=$TMP/bench.pcap

as_nobody() {
    setpriv --reuid=nobody --regid=nogroup --clear-groups env -i PATH=/usr/bin:/bin \
        HOME="$TMP/home" LANG=C "$@"
}

as_nobody tshark -G plugins 2>/dev/null | grep -q tcpdiag.so \
    || { echo "tcpdiag.so is not loaded by tshark (check $TMP/home)" >&2; exit 1; }

# --- capture facts
PKTS=$(capinfos -c -M "$CAP" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
STREAMS=$(as_nobody tshark -r "$CAP" -T fields -e tcp.stream 2>/dev/null \
          | awk 'BEGIN{m=-1} $1!="" && $1+0>m {m=$1+0} END{print m+1}')
SIZE=$(du -m "$PCAP" | cut -f1)

# --- commands
NAMES=(A B C D0 D)
declare -A CMD
CMD[A]="tshark -r bench.pcap -q -z io,stat,0 --disable-protocol tcpdiag"
CMD[B]="tshark -r bench.pcap -q -z io,stat,0"
CMD[C]="tshark -r bench.pcap -q -z tcpdiag"
CMD[D0]="tshark -2 -r bench.pcap -q -z io,stat,0 --disable-protocol tcpdiag"
CMD[D]="tshark -2 -r bench.pcap -q -z io,stat,0"

run_one() {  # name round
    local name=$1 r=$2 argv
    read -r -a argv <<<"${CMD[$name]//bench.pcap/$CAP}"
    if ! as_nobody /usr/bin/time -f '%e %M %U %S' -o "$TMP/out/time" "${argv[@]}" \
            >"$TMP/out/$name.stdout" 2>"$TMP/out/$name.stderr"; then
        echo "command $name failed:" >&2; cat "$TMP/out/$name.stderr" >&2; exit 1
    fi
    if grep -q "Dissector bug" "$TMP/out/$name.stderr"; then
        echo "WARNING: 'Dissector bug' on stderr of $name" >&2
    fi
    echo "$name $r $(tail -n 1 "$TMP/out/time")" >>"$TMP/samples"
}

echo "capture: $PCAP: $PKTS packets, $STREAMS TCP streams, $SIZE MB"
echo "warm-up run (not counted)..."
run_one A 0; : >"$TMP/samples"
C_ROWS=0
for r in $(seq "$N"); do
    for name in "${NAMES[@]}"; do
        run_one "$name" "$r"
    done
    echo "round $r/$N: $(awk -v r="$r" '$2==r {printf "%s %ss %dMB  ", $1, $3, $4/1024}' "$TMP/samples")"
done
C_ROWS=$(grep -c '^ *[0-9]' "$TMP/out/C.stdout" || true)

python3 - "$TMP/samples" "$WORK/results.txt" "$N" "$PKTS" "$STREAMS" "$SIZE" "$C_ROWS" \
    "${CMD[A]}" "${CMD[B]}" "${CMD[C]}" "${CMD[D0]}" "${CMD[D]}" <<'EOF'
import statistics, sys, datetime, platform, os, subprocess
samples, out, n, pkts, streams, size, crows = sys.argv[1:8]
cmds = dict(zip(["A", "B", "C", "D0", "D"], sys.argv[8:13]))
t, m, c = {}, {}, {}
for line in open(samples):
    name, _, sec, kb, user, system = line.split()
    t.setdefault(name, []).append(float(sec))
    m.setdefault(name, []).append(int(kb) / 1024.0)
    c.setdefault(name, []).append(float(user) + float(system))
med_t = {k: statistics.median(v) for k, v in t.items()}
med_m = {k: statistics.median(v) for k, v in m.items()}
med_c = {k: statistics.median(v) for k, v in c.items()}
ver = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
L = []
L.append("tcpdiag benchmark, %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))
L.append("machine: %s, %d cores, kernel %s; %s" % (platform.node(), os.cpu_count(), platform.release(), ver))
L.append("capture: %s packets, %s TCP streams, %s MB (tcpdiag table rows: %s)" % (pkts, streams, size, crows))
L.append("runs: %s per command, alternated; medians of wall time, CPU time (user+sys) and peak RSS (/usr/bin/time %%e %%U %%S %%M)" % n)
L.append("")
L.append("%-3s %-70s %9s %9s %9s %s" % ("", "command", "wall s", "cpu s", "RSS MB", "all runs, wall (s)"))
for k in ["A", "B", "C", "D0", "D"]:
    L.append("%-3s %-70s %9.2f %9.2f %9.1f %s" % (k, cmds[k], med_t[k], med_c[k], med_m[k],
             " ".join("%.2f" % x for x in t[k])))
L.append("")
L.append("%-8s %8s %8s %8s" % ("ratio", "wall", "cpu", "memory"))
for a, b in [("B", "A"), ("C", "A"), ("D", "D0")]:
    L.append("%-8s %7.3fx %7.3fx %7.3fx" % (a + "/" + b, med_t[a] / med_t[b], med_c[a] / med_c[b],
                                         med_m[a] / med_m[b]))
L.append("")
rt, rm = med_t["B"] / med_t["A"], med_m["B"] / med_m["A"]
verdict = "MET" if rt <= 1.05 and rm <= 1.05 else "NOT MET"
L.append("target B/A <= 1.05x time and memory: %s (time %.3fx, memory %.3fx)" % (verdict, rt, rm))
text = "\n".join(L) + "\n"
open(out, "w").write(text)
print()
print(text, end="")
print("written to", out)
EOF
