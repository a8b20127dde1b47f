#!/usr/bin/env bash
# Training throughput side by side in one run: burn-colorize on burn's CPU backends (Flex, the
# pure-Rust default, and LibTorch, PyTorch's kernels under burn's autodiff: feature `libtorch`)
# against the same network in PyTorch (CPU): images per second and the ratios.
#   bash scripts/bench-train.sh [--size 64] [--batch 32] [--steps 20] [--arch unet|efficientnet-lite0]
#                               [--train-trunk] [--device both|cpu|libtorch]
# PyTorch 2.9.0 is installed from PyPI into target/torch-venv the first time (see
# scripts/torch-venv.sh; it is no dependency of the crate). The LibTorch build lives in
# target/libtorch; before timing it, the script checks that its training steps match Flex's.
# Where a CUDA GPU and a GPU build are present, run the pair by hand with `--device cuda`
# (PyTorch) and a `--features native` build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
size=64 batch=32 steps=20 arch=unet trunk=() devices=both
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --train-trunk) trunk=(--train-trunk); shift ;;
    --size) size=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --device) devices=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$devices" in
  both) devices=(cpu libtorch) ;;
  cpu | libtorch) devices=("$devices") ;;
  *) echo "--device is both, cpu or libtorch, not $devices" >&2; exit 2 ;;
esac
source scripts/torch-venv.sh
if [[ " ${devices[*]} " == *" cpu "* ]]; then
  cargo build --release --features cli --quiet
fi
if [[ " ${devices[*]} " == *" libtorch "* ]]; then
  bash scripts/libtorch.sh --check 2>&1 | grep -E "^(training on|Unet|Efficient|test result)" >&2
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
run_burn() {
  local cli=(target/release/burn-colorize)
  if [ "$1" = libtorch ]; then cli=(bash scripts/libtorch.sh); fi
  "${cli[@]}" bench --train --train-size "$size" --batch "$batch" --steps "$steps" --arch "$arch" \
    --device "$1" "${trunk[@]}"
}
# The images/s of a RESULT line; the whole output goes to stderr (the log).
result() {
  local out
  out=$("$@")
  echo "$out" >&2
  echo "$out" | grep RESULT | sed 's/.*images_per_second=//'
}
declare -A speed
for device in "${devices[@]}"; do
  speed[$device]=$(result run_burn "$device")
done
torch=$(result "$venv/bin/python" scripts/torch/bench_train.py --size "$size" --batch "$batch" --steps "$steps" \
  --arch "$arch" "${trunk[@]}")
echo "== $arch ${trunk[*]} at ${size}x${size}, batch $batch, $steps steps (images/s)"
for device in "${devices[@]}"; do
  python3 -c "print(f'burn ($device): ${speed[$device]}, PyTorch: $torch, ratio burn/pytorch = {${speed[$device]}/$torch:.2f}')"
done
