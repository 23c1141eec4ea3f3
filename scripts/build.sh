#!/usr/bin/env bash
# Configures and builds r1.cpp into build/ (Release). Extra arguments go to
# CMake, e.g. -DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;
# print(torch.utils.cmake_prefix_path)') to build against a pip LibTorch.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build -j "$jobs"
