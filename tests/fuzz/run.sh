#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The ctest fuzz.sanitizers: build tcpdiag with ASan and UBSan in OUT/asan,
# run the core's unit tests instrumented (leaks included), then fuzz the
# instrumented plugin inside the real tshark for TCPDIAG_FUZZ_SECONDS
# (default 120) from the bundled captures and ../shared/realworld, with a
# fixed seed (TCPDIAG_FUZZ_SEED, default 1). Failing inputs land in
# OUT/fuzz-failures.
# Usage: tests/fuzz/run.sh OUT
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "${1:?usage: run.sh BUILD_DIR}" && cd "$1" && pwd)
plugin=$(bash "$src/tests/fuzz/build.sh" "$out/asan" | tail -n 1)
echo "unit tests, instrumented:"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$out/asan/tests/test_core" | tail -n 1
sources=("$src/test_captures")
if [ -d "$src/../shared/realworld" ]; then sources+=("$src/../shared/realworld"); fi
exec python3 "$src/tests/fuzz/fuzz.py" --plugin "$plugin" \
  --seconds "${TCPDIAG_FUZZ_SECONDS:-120}" --seed "${TCPDIAG_FUZZ_SEED:-1}" \
  --keep "$out/fuzz-failures" "${sources[@]}"
