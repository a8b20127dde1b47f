#!/usr/bin/env bash
# Runs every test of the project. README.md gives this command to new users and .ci/run runs
# it in CI, so keep the two in step. Installs what a fresh machine lacks (skips what is there).
#   bash scripts/test.sh            native tests, then browser tests
#   SKIP_BROWSER=1 bash scripts/test.sh   native tests only (SKIP_FUZZ=1: no fuzz smoke run)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust from https://rustup.rs first" >&2
  exit 1
fi

echo "== pretrained trunk checkpoint (for the import test)"
bash scripts/import-trunk.sh --download || echo "could not download them: the trunk import tests will be skipped"

echo "== Vulkan driver for the GPU training test (lavapipe, when no GPU driver is there)"
bash scripts/check-gpu.sh --install-only || echo "no Vulkan driver: the GPU training test will be skipped"

# `native` (= `cli,gpu`): the CLI, training and burn's wgpu backend, so one build runs every native test, and
# tests/device_train.rs trains on wgpu (lavapipe runs its kernels on the CPU).
echo "== native tests (library, CLI, training, training on wgpu)"
cargo test --features native

# burn's CPU backend is patched (patches/burn-flex/PATCHES.md): its own tests, with the checks of
# the changed convolutions against their definition (src/ops/conv_reference_tests.rs).
echo "== patched burn-flex (its own tests)"
(cd patches/burn-flex && CARGO_TARGET_DIR="$PWD/../../target/burn-flex" cargo test --release --lib --quiet)

# A short run of each fuzz target from the generated seeds (scripts/fuzz.sh [SECONDS] or
# FUZZ_RUNS=N gives the long one; fuzz/corpus/ stays local). An input that ever crashes a
# target becomes a test in tests/, so it is replayed on every run, not only while fuzzing.
if [ -z "${SKIP_FUZZ:-}" ]; then
  echo "== fuzz smoke run (${FUZZ_SMOKE_SECONDS:-15}s per target)"
  bash scripts/fuzz.sh "${FUZZ_SMOKE_SECONDS:-15}"
fi

if [ -z "${SKIP_BROWSER:-}" ]; then
  echo "== browser tests"
  bash scripts/test-browser.sh
fi
