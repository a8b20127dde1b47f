#!/usr/bin/env bash
# Browser benchmark in headless Chromium on this machine: wasm and model sizes, cold start,
# colorize time at 256² and 512² on WebGPU (SwiftShader here: a CPU rasteriser) and on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/site.sh >/dev/null
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm install --no-audit --no-fund --silent)
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
node tests/browser/bench.mjs
