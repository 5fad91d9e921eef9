#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Make the Debian package of a built tcpdiag for the Wireshark installed here
# (run where that Wireshark is: this machine, or a release's chroot; see
# scripts/package.sh, which calls it for every release).
#
#   scripts/build-deb.sh BUILD_DIR OUT_DIR
#
# The package installs the plugin into that release's global plugin dir
# (plugins/<major.minor>/epan) and depends on that exact libwireshark ABI
# (its library package, libwiresharkNN, and wireshark-common of the same
# major.minor), so apt refuses it where another Wireshark is installed. Its
# version is the project's (CMakeLists.txt TCPDIAG_VERSION, the one tshark -G
# plugins shows) with the release appended: 0.1.0+ws4.0.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1 out=$2

version=$(sed -n 's/^set(TCPDIAG_VERSION \([0-9.]*\))$/\1/p' CMakeLists.txt)
[ -n "$version" ] || { echo "build-deb: no TCPDIAG_VERSION in CMakeLists.txt" >&2; exit 1; }
so=$build/tcpdiag.so
[ -f "$so" ] || { echo "build-deb: $so not built" >&2; exit 1; }

plugindir=$(pkg-config --variable=plugindir wireshark)   # .../wireshark/plugins/4.0
abi=${plugindir##*/}                                      # 4.0
libws=$(readlink -f "$(pkg-config --variable=libdir wireshark)/libwireshark.so")
libpkg=$(dpkg-query -S "$libws" | cut -d: -f1)            # libwireshark16
wsver=$(dpkg-query -W -f='${Version}' wireshark-common)
arch=$(dpkg --print-architecture)
next=${abi%.*}.$(( ${abi#*.} + 1 ))                       # 4.1
pkgver="$version+ws$abi"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
install -d "$stage/DEBIAN" "$stage$plugindir/epan" "$stage/usr/share/doc/tcpdiag/examples"
install -m 0644 "$so" "$stage$plugindir/epan/tcpdiag.so"
strip --strip-unneeded "$stage$plugindir/epan/tcpdiag.so"
install -m 0644 docs/diagnoses.md README.md NEWS.md "$stage/usr/share/doc/tcpdiag/"
# the capture of README's Install section: two healthy connections and two
# SYNs rejected by a firewall's RST
install -m 0644 test_captures/hs_reject_tcpreset.pcap "$stage/usr/share/doc/tcpdiag/examples/"
{
  echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: tcpdiag"
  echo
  echo "Files: *"
  echo "Copyright: the tcpdiag authors"
  echo "License: GPL-2.0-or-later"
  echo " On Debian systems, the complete text of the GNU General Public License"
  echo " version 2 can be found in /usr/share/common-licenses/GPL-2."
} >"$stage/usr/share/doc/tcpdiag/copyright"
chmod 0644 "$stage/usr/share/doc/tcpdiag/copyright"

cat >"$stage/DEBIAN/control" <<EOF
Package: tcpdiag
Version: $pkgver
Architecture: $arch
Maintainer: tcpdiag developers <tcpdiag@localhost>
Depends: $libpkg (>= ${wsver%%-*}), wireshark-common (>= $abi), wireshark-common (<< $next)
Section: net
Priority: optional
Installed-Size: $(du -k -s "$stage" | cut -f1)
Homepage: https://localhost/tcpdiag
Description: TCP connection diagnosis for Wireshark $abi and tshark
 A Wireshark plugin (epan postdissector) that reads Wireshark's TCP analysis,
 keeps per-connection state and says what went wrong with each connection:
 handshake failures, resets and half-closed streams, loss and its kind,
 stalls (Nagle x delayed ACK, zero window, timeouts) and host-wide findings.
 Adds tcpdiag.* display filter fields and expert items, Statistics > TCP
 Diagnosis in Wireshark and tshark -z tcpdiag.
 .
 Built for Wireshark $abi ($libpkg).
EOF

mkdir -p "$out"
deb=$out/tcpdiag_${pkgver}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
