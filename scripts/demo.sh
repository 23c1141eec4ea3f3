#!/usr/bin/env bash
# Installs what is missing, builds, and runs the built-in R1-Zero demo on
# Countdown. Extra arguments go to `r1 demo` (see `build/r1 demo --help`).
# Set R1_DATA_DIR to a folder holding countdown/countdown_test.jsonl to also
# evaluate on the real Countdown test set.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install_deps.sh
bash scripts/build.sh

extra=()
real_test="${R1_DATA_DIR:-../shared/data}/countdown/countdown_test.jsonl"
if [ -f "$real_test" ]; then
  extra+=(--real-test "$real_test")
fi
./build/r1 demo --out runs/demo "${extra[@]}" "$@"
