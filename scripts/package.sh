#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Make every package: one Debian package per Wireshark release (plugin ABI),
# each built against that release in its own Debian (scripts/chroot.sh), and
# the release tarball of the source, all with the version of CMakeLists.txt:
#
#   build/packages/tcpdiag_<version>+ws4.0_<arch>.deb   Debian 12 (this machine)
#   build/packages/tcpdiag_<version>+ws4.4_<arch>.deb   Debian 13 (trixie chroot)
#   build/packages/tcpdiag_<version>+ws4.6_<arch>.deb   Debian unstable (sid chroot)
#   build/packages/tcpdiag-<version>.tar.gz             the source
#
# Usage (as root: debootstrap and chroot need it):
#   scripts/package.sh [--releases "4.0 4.4 4.6"]
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

releases="4.0 4.4 4.6"
while [ $# -gt 0 ]; do
  case "$1" in
    --releases) releases=$2; shift ;;
    *) echo "usage: $0 [--releases \"4.0 4.4 4.6\"]" >&2; exit 2 ;;
  esac
  shift
done
if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/package.sh: run as root (debootstrap, chroot)" >&2
  exit 2
fi

out=build/packages
chroot_log=build/packages/logs
log_tag=package
mkdir -p "$out" "$chroot_log"
. scripts/chroot.sh

version=$(sed -n 's/^set(TCPDIAG_VERSION \([0-9.]*\))$/\1/p' CMakeLists.txt)

# A release build of the plugin alone (no tests) in build-pkg-<suite>, then
# its package.
build_cmd='scripts/install-deps.sh build >/dev/null
  cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$1" -j"$(nproc)" >/dev/null
  scripts/build-deb.sh "$1" build/packages'
for rel in $releases; do
  s=$(suite_of "$rel")
  if [ "$s" = native ]; then
    log "$rel: package (this machine)"
    bash -euo pipefail -c "$build_cmd" build-deb build-pkg-native
  else
    ensure_chroot "$s" build
    log "$rel: package (the $s chroot)"
    in_chroot "$cache/$s" bash -euo pipefail -c "cd /src && $build_cmd" build-deb "build-pkg-$s"
  fi
done

# The source: what git tracks (a clean clone's tree), else the tree without
# its build directories.
tarball=$out/tcpdiag-$version.tar.gz
if git rev-parse --git-dir >/dev/null 2>&1; then
  git archive --format=tar.gz --prefix="tcpdiag-$version/" -o "$tarball" HEAD
else
  tar --exclude='./build*' --exclude=./.git --transform "s,^\.,tcpdiag-$version," \
    -czf "$tarball" .
fi
log "source: $tarball"
ls -l "$out"/*.deb "$tarball"
