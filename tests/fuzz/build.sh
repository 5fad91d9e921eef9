#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build tcpdiag with AddressSanitizer and UndefinedBehaviorSanitizer into DIR
# (default build-asan): the plugin for tests/fuzz/fuzz.py, and the core's unit
# tests, which run fully instrumented. Every UBSan finding is an error
# (-fno-sanitize-recover), not a warning that scrolls by.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-build-asan}
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DBUILD_TESTING=ON \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
echo "$dir/tcpdiag.so"
