#!/usr/bin/env bash
# Runs every test of the project. README.md gives this command to new users and .ci/run runs
# it in CI, so keep the two in step. Installs what a fresh machine lacks (skips what is there).
#   bash scripts/test.sh            native tests, then browser tests
#   SKIP_BROWSER=1 bash scripts/test.sh   native tests only
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust from https://rustup.rs first" >&2
  exit 1
fi

echo "== pretrained trunk checkpoint (for the import test)"
bash scripts/import-trunk.sh --download || echo "could not download it: the trunk import test will be skipped"

echo "== Vulkan driver for the GPU training test (lavapipe, when no GPU driver is there)"
bash scripts/check-gpu.sh --install-only || echo "no Vulkan driver: the GPU training test will be skipped"

# `gpu` is `native` plus burn's wgpu backend: one build runs every native test, and
# tests/gpu_train.rs trains on wgpu (lavapipe runs its kernels on the CPU).
echo "== native tests (library, CLI, training, training on wgpu)"
cargo test --features gpu

if [ -z "${SKIP_BROWSER:-}" ]; then
  echo "== browser tests"
  bash scripts/test-browser.sh
fi
