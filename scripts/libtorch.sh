#!/usr/bin/env bash
# The command-line tool built with burn's LibTorch backend (feature `libtorch`), for training
# on the CPU with PyTorch's kernels: about twice Flex's speed on 2 cores (scripts/bench-train.sh
# measures both). Arguments go to the tool; paths are relative to where you run it.
#   bash scripts/libtorch.sh train --device libtorch --data photos/ --out runs/mine
#   bash scripts/libtorch.sh train --resume runs/mine
#   bash scripts/libtorch.sh --check    training steps on LibTorch match Flex (tests/device_train.rs)
# The first run installs PyTorch (see scripts/torch-venv.sh) and builds into target/libtorch
# (a build of its own, ~7 min on 2 cores).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/torch-venv.sh"
# torch-sys finds libtorch through the venv's python; the tool finds it at run time here.
export PATH="$venv/bin:$PATH" LIBTORCH_USE_PYTORCH=1 LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
build=(--manifest-path "$root/Cargo.toml" --release --features cli,libtorch --target-dir "$root/target/libtorch")
if [ "${1:-}" = "--check" ]; then
  exec cargo test "${build[@]}" --test device_train -- --nocapture
fi
cargo build "${build[@]}" --quiet
exec "$root/target/libtorch/release/burn-colorize" "$@"
