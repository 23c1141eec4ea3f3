#!/usr/bin/env bash
# Builds r1.cpp and runs the whole test suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh
export OMP_WAIT_POLICY=PASSIVE OPENBLAS_THREAD_TIMEOUT=4
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 600
