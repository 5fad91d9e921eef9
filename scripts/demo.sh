#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build tcpdiag, install it where Wireshark loads plugins (the global plugin dir
# as root, ~/.local/lib/wireshark/plugins otherwise), and run tshark with it on
# bundled captures, printing the diagnoses.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
cmake --install build

echo
tshark -G plugins 2>/dev/null | grep -E '^tcpdiag' || { echo "tshark does not load tcpdiag" >&2; exit 1; }
for capture in hs_syn_unanswered hs_reject_tcpreset hs_synack_lost td_half_closed td_abort st_nagle_client; do
  echo
  echo "################ test_captures/$capture.pcap"
  # -2: two passes, so end-of-capture verdicts (an unanswered SYN) are drawn too.
  tshark -r "test_captures/$capture.pcap" -2 -q -z tcpdiag 2>/dev/null | sed -n '/^Severity/,/^====/p'
  # The packets that carry a finding (other than a normal close), tcpdiag tree expanded.
  tshark -r "test_captures/$capture.pcap" -2 -O tcpdiag 2>/dev/null \
    -Y 'tcpdiag.finding && !tcpdiag.teardown.graceful && !tcpdiag.teardown.open' 
done
