#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Wireshark version matrix: build tcpdiag and run the whole test suite
# (unit, integration, GUI) against every supported Wireshark release, then
# check that every release gives the same tables and tcpdiag.* fields on every
# capture (test_captures/ and ../shared/realworld/).
#
#   release  where                       Wireshark
#   4.0      this machine (Debian 12)    4.0.x
#   4.4      debootstrap chroot, trixie  4.4.x
#   4.6      debootstrap chroot, sid     4.6.x
#
# Chroots are made once and cached in $TCPDIAG_MATRIX_CACHE (default
# /var/cache/tcpdiag-matrix); each run updates their packages only through
# scripts/install-deps.sh (a no-op when nothing is missing). Every chroot runs
# in a private mount namespace, so its bind mounts vanish with it.
#
# Usage (as root: debootstrap and chroot need it):
#   tests/matrix.sh                 all releases, suite + cross-release diff
#   tests/matrix.sh --no-native     skip the 4.0 suite (.ci/run already ran it)
#   tests/matrix.sh --releases "4.4 4.6" --diff-only
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

releases="4.0 4.4 4.6"
native=1
suite=1
diff=1
while [ $# -gt 0 ]; do
  case "$1" in
    --releases) releases=$2; shift ;;
    --no-native) native=0 ;;
    --diff-only) suite=0 ;;
    --no-diff) diff=0 ;;
    *) echo "usage: $0 [--releases \"4.0 4.4 4.6\"] [--no-native] [--diff-only] [--no-diff]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(id -u)" -ne 0 ]; then
  echo "tests/matrix.sh: run as root (debootstrap, chroot)" >&2
  exit 2
fi

cache=${TCPDIAG_MATRIX_CACHE:-/var/cache/tcpdiag-matrix}
mirror=${TCPDIAG_MIRROR:-http://deb.debian.org/debian}
shared=$(cd "$src/.." && pwd)/shared
out=$src/build/matrix
mkdir -p "$cache" "$out"

suite_of() {
  case "$1" in
    4.0) echo native ;;
    4.4) echo trixie ;;
    4.6) echo sid ;;
    *) echo "unknown release $1" >&2; return 1 ;;
  esac
}

log() { printf '[matrix %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Run a command as root inside a chroot, with the source tree at /src and
# ../shared at /shared, in a mount namespace of its own.
in_chroot() {
  local root=$1; shift
  unshare --mount --propagation private -- bash -euo pipefail -c '
    root=$1 src=$2 shared=$3; shift 3
    mount -t proc proc "$root/proc"
    mount -t sysfs sys "$root/sys"
    mount --rbind /dev "$root/dev"
    mkdir -p "$root/src" "$root/shared"
    mount --bind "$src" "$root/src"
    if [ -d "$shared" ]; then mount --bind "$shared" "$root/shared"; fi
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 CI="${CI:-}" \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
  ' in_chroot "$root" "$src" "$shared" "$@"
}

# Make (once) the chroot of a Debian suite, with what the suite needs.
ensure_chroot() {
  local s=$1 root=$cache/$1
  if [ ! -x "$root/usr/bin/apt-get" ]; then
    command -v debootstrap >/dev/null || {
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    log "debootstrap $s (once; cached in $root)"
    rm -rf "$root.tmp"
    debootstrap --variant=minbase "$s" "$root.tmp" "$mirror" >"$cache/$s.debootstrap.log" 2>&1 \
      || { tail -n 20 "$cache/$s.debootstrap.log"; return 1; }
    # unstable's Release file may have expired (PLATFORM.md)
    echo 'Acquire::Check-Valid-Until "false";' >"$root.tmp/etc/apt/apt.conf.d/99tcpdiag-matrix"
    mv "$root.tmp" "$root"
  fi
  log "$s: dependencies (scripts/install-deps.sh test)"
  in_chroot "$root" bash -c 'cd /src && scripts/install-deps.sh test' >"$out/$s.deps.log" 2>&1 \
    || { tail -n 30 "$out/$s.deps.log"; return 1; }
}

# The whole suite for one release; the build dir is per release.
run_suite() {
  local rel=$1 s
  s=$(suite_of "$rel")
  if [ "$s" = native ]; then
    log "$rel: tests/run_all.sh (native)"
    TCPDIAG_BUILD_DIR=build bash tests/run_all.sh
  else
    log "$rel: tests/run_all.sh in the $s chroot"
    # CI has 90 minutes for three releases: here the fuzzer gets a shorter
    # budget than natively, the GUI runs on a subset of the captures
    # (tests/gui/test_gui.py RELEASE_SUBSET), and the tests against the
    # kernel's own counts (integration.data_phase, integration.hosts) and
    # valgrind are left to the native run: the dump below compares every
    # capture's tables (streams and hosts, single pass and -2), trees and
    # fields across releases, and the sanitizer fuzz runs on every release.
    in_chroot "$cache/$s" bash -c "cd /src && TCPDIAG_BUILD_DIR=build-$s \
      TCPDIAG_FUZZ_SECONDS=${TCPDIAG_FUZZ_SECONDS_RELEASE:-60} \
      TCPDIAG_GUI_SUBSET=${TCPDIAG_GUI_SUBSET_RELEASE:-1} \
      TCPDIAG_CTEST_EXCLUDE='${TCPDIAG_CTEST_EXCLUDE_RELEASE:-integration.hosts|integration.data_phase|valgrind.memcheck}' \
      bash tests/run_all.sh"
  fi
}

# Tables and fields of every capture, for the cross-release diff.
dump() {
  local rel=$1 s
  s=$(suite_of "$rel")
  if [ "$s" = native ]; then
    python3 tests/integration/dump_verdicts.py --plugin build/tcpdiag.so \
      --out "$out/$rel" test_captures "$shared/realworld"
  else
    in_chroot "$cache/$s" bash -c "cd /src && python3 tests/integration/dump_verdicts.py \
      --plugin build-$s/tcpdiag.so --out build/matrix/$rel test_captures /shared/realworld"
  fi
}

start=$(date +%s)
failed=()
for rel in $releases; do
  s=$(suite_of "$rel")
  t0=$(date +%s)
  if [ "$s" != native ]; then
    ensure_chroot "$s" || { failed+=("$rel: chroot"); continue; }
  fi
  if [ $suite -eq 1 ] && { [ "$s" != native ] || [ $native -eq 1 ]; }; then
    run_suite "$rel" || failed+=("$rel: suite")
  elif [ "$s" = native ] || [ $diff -eq 1 ]; then
    # the diff needs a build
    if [ "$s" = native ]; then
      cmake -S . -B build -DBUILD_TESTING=ON >/dev/null && cmake --build build -j"$(nproc)" >/dev/null
    else
      in_chroot "$cache/$s" bash -c "cd /src && cmake -S . -B build-$s >/dev/null \
        && cmake --build build-$s -j\$(nproc) >/dev/null"
    fi
  fi
  if [ $diff -eq 1 ]; then
    log "$rel: dumping tables and fields of every capture"
    dump "$rel" || failed+=("$rel: dump")
  fi
  log "$rel: $(( $(date +%s) - t0 )) s"
done

if [ $diff -eq 1 ]; then
  set -- $releases
  base=$1; shift
  for rel in "$@"; do
    log "diff -r build/matrix/$base build/matrix/$rel"
    if diff -r "$out/$base" "$out/$rel" >"$out/diff-$base-$rel.txt"; then
      log "identical: $(find "$out/$rel" -type f | wc -l) files"
    else
      head -n 60 "$out/diff-$base-$rel.txt"
      failed+=("diff $base $rel: $(grep -c '^diff ' "$out/diff-$base-$rel.txt" || true) files differ")
    fi
  done
fi

log "matrix took $(( $(date +%s) - start )) s"
# One check per release (its suite or its build) and one per diff.
n_rel=$(set -- $releases; echo $#)
checks=$(( n_rel + (diff ? n_rel - 1 : 0) ))
if [ ${#failed[@]} -gt 0 ]; then
  printf 'matrix FAILED: %s\n' "${failed[@]}"
  # A release whose build fails also fails its dump: count what passed.
  passed=$(( checks - ${#failed[@]} )); [ $passed -ge 0 ] || passed=0
  echo "matrix: $passed passed, ${#failed[@]} failed"
  exit 1
fi
echo "matrix: $checks passed, 0 failed"
