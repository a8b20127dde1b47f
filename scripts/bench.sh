#!/usr/bin/env bash
# Prints native CPU inference time and peak memory at 256², 512² and 24 megapixels.
#   bash scripts/bench.sh [--model PATH] [--size PIXELS] [--repeats N]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --features cli --quiet
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
target/release/burn-colorize bench "$@"
