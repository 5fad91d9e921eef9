#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Wireshark version matrix: build tcpdiag and run the whole test suite
# (unit, integration, GUI) against every supported Wireshark release, then
# check that every release gives the same tables and tcpdiag.* fields on every
# capture (test_captures/ and ../shared/realworld/); then make the package of
# every release and install each as a user would, in a clean chroot.
#
#   release  where                       Wireshark
#   4.0      this machine (Debian 12)    4.0.x
#   4.4      debootstrap chroot, trixie  4.4.x
#   4.6      debootstrap chroot, sid     4.6.x
#
# Chroots are made once and cached (scripts/chroot.sh); each run updates
# their packages only through scripts/install-deps.sh (a no-op when nothing is
# missing).
#
# Usage (as root: debootstrap and chroot need it):
#   tests/matrix.sh                 all releases, suite + cross-release diff
#   tests/matrix.sh --no-native     skip the 4.0 suite (.ci/run already ran it)
#   tests/matrix.sh --releases "4.4 4.6" --diff-only
#   tests/matrix.sh --no-packages   without the packages (scripts/package.sh
#                                   and tests/package/test_packages.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

releases="4.0 4.4 4.6"
native=1
suite=1
diff=1
packages=1
while [ $# -gt 0 ]; do
  case "$1" in
    --releases) releases=$2; shift ;;
    --no-native) native=0 ;;
    --diff-only) suite=0 ;;
    --no-diff) diff=0 ;;
    --no-packages) packages=0 ;;
    *) echo "usage: $0 [--releases \"4.0 4.4 4.6\"] [--no-native] [--diff-only] [--no-diff] [--no-packages]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(id -u)" -ne 0 ]; then
  echo "tests/matrix.sh: run as root (debootstrap, chroot)" >&2
  exit 2
fi

out=$src/build/matrix
chroot_log=$out
log_tag=matrix
mkdir -p "$out"
# suite_of, in_chroot, ensure_chroot: the release chroots
. "$src/scripts/chroot.sh"

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

# The packages, one per release, each installed as a user would in a clean
# chroot of its Debian with only tshark (tests/package/test_packages.sh).
if [ $packages -eq 1 ]; then
  t0=$(date +%s)
  log "packages: scripts/package.sh, then tests/package/test_packages.sh"
  if bash scripts/package.sh --releases "$releases" >"$out/package.log" 2>&1; then
    TCPDIAG_PACKAGE_RELEASES=$releases bash tests/package/test_packages.sh \
      || failed+=("packages: test")
  else
    tail -n 30 "$out/package.log"
    failed+=("packages: build")
  fi
  log "packages: $(( $(date +%s) - t0 )) s"
fi

log "matrix took $(( $(date +%s) - start )) s"
# One check per release (its suite or its build), one per diff, one for the
# packages.
n_rel=$(set -- $releases; echo $#)
checks=$(( n_rel + (diff ? n_rel - 1 : 0) + packages ))
if [ ${#failed[@]} -gt 0 ]; then
  printf 'matrix FAILED: %s\n' "${failed[@]}"
  # A release whose build fails also fails its dump: count what passed.
  passed=$(( checks - ${#failed[@]} )); [ $passed -ge 0 ] || passed=0
  echo "matrix: $passed passed, ${#failed[@]} failed"
  exit 1
fi
echo "matrix: $checks passed, 0 failed"
