#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build tcpdiag and run the whole test suite (unit tests of the analysis core,
# then the real tshark with the built plugin on the bundled captures).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure
