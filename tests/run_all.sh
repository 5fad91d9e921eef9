#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build tcpdiag and run the whole test suite: unit tests of the analysis core,
# the real tshark with the built plugin on the bundled captures, and the real
# Wireshark under Xvfb. TCPDIAG_BUILD_DIR names the build directory (default
# build; tests/matrix.sh uses one per Wireshark release); TCPDIAG_CTEST_EXCLUDE,
# a regular expression of tests to leave out (tests/matrix.sh, other releases).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TCPDIAG_BUILD_DIR:-build}

scripts/install-deps.sh test
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure ${TCPDIAG_CTEST_EXCLUDE:+-E "$TCPDIAG_CTEST_EXCLUDE"}
