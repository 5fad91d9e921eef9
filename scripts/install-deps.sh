#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what building and testing tcpdiag needs on Debian 12 or later, if missing.
# Usage: scripts/install-deps.sh [build|test|bench|captures]   (test adds the test tools,
# bench what bench/ needs, captures what test_captures/make_captures.sh needs)
set -euo pipefail

packages=(cmake gcc make pkg-config wireshark-dev tshark python3)
if [ "${1:-build}" = test ]; then
  packages+=(util-linux)   # setpriv: run tshark unprivileged (root ignores personal plugins)
  # The GUI test: the real Wireshark under Xvfb, driven over AT-SPI (Qt's
  # accessibility interface) in a private D-Bus session, the clipboard read
  # with xclip, screenshots with imagemagick's import.
  # `wireshark` is the GUI on every release (Debian 13 has no wireshark-qt).
  packages+=(wireshark xvfb xdotool xclip imagemagick python3-pyatspi at-spi2-core
             dbus-daemon dbus-bin fonts-dejavu-core)
  # Memory checks: valgrind on the real tshark; the sanitizer runtimes that
  # tests/fuzz preloads into it (gcc's own, named here for clarity).
  packages+=(valgrind libasan8 libubsan1 binutils)
  # The live test: a network namespace (ip) and tcpdump feeding the captures.
  packages+=(iproute2 tcpdump)
fi
if [ "${1:-build}" = captures ]; then
  # test_captures/make_captures.sh: namespaces, iptables, tcpdump, the NFQUEUE
  # delay program (built with gcc against libnetfilter-queue), offloads off
  packages+=(iproute2 iptables tcpdump ethtool libnetfilter-queue-dev)
fi
if [ "${1:-build}" = bench ]; then
  # bench/: captures from namespaces with iptables' random loss, offloads off
  packages+=(iproute2 iptables tcpdump ethtool time)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# wireshark-common asks whether non-root users may capture; the default (no) is fine.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
