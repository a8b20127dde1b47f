#!/usr/bin/env bash
# The GPU training path, run for real: a `--features native` build trains a few steps on wgpu and
# checks that losses and weights match the CPU backend's (tests/device_train.rs), then times a
# training step on the GPU with `bench --train --device gpu`.
# Without a GPU it uses Mesa's lavapipe (Vulkan on the CPU; Debian's mesa-vulkan-drivers,
# installed here when missing), which is slow but runs the same kernels a GPU would.
#   bash scripts/check-gpu.sh                the agreement test, then the benchmark
#   bash scripts/check-gpu.sh --no-bench     the agreement test only
#   bash scripts/check-gpu.sh --install-only the Vulkan driver only (scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/share/vulkan/icd.d/*.json >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "installing Mesa's Vulkan drivers (lavapipe) ..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers >/dev/null
  else
    echo "no Vulkan driver found and no apt-get to install Mesa's: install a Vulkan driver" >&2
    exit 1
  fi
fi

[ "${1:-}" = "--install-only" ] && exit 0

echo "== training on wgpu agrees with the CPU backend"
BURN_COLORIZE_REQUIRE_GPU=1 cargo test --features native --test device_train -- --nocapture
echo "== two devices on halves of each batch take the one-device step (train --devices)"
BURN_COLORIZE_REQUIRE_GPU=1 cargo test --features native --test data_parallel -- --nocapture

if [ "${1:-}" != "--no-bench" ]; then
  echo "== one training step on the GPU (bench --train --device gpu, 64x64, batch 8)"
  cargo run --features native --quiet -- bench --train --device gpu --train-size 64 --batch 8 --steps 3
fi
