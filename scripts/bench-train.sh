#!/usr/bin/env bash
# Training throughput, burn-colorize (Burn, CPU) against the same network in PyTorch (CPU),
# side by side: images per second at 64x64, batch 32, and their ratio.
#   bash scripts/bench-train.sh [--size 64] [--batch 32] [--steps 20] [--arch unet|efficientnet-lite0]
#                               [--train-trunk]
# PyTorch is installed from PyPI into target/torch-venv the first time (it is no dependency of
# the crate). Where a CUDA GPU and a GPU build are present, run the pair by hand with
# `--device cuda` (PyTorch) and a `--features cli,gpu` build.
set -euo pipefail
cd "$(dirname "$0")/.."
size=64 batch=32 steps=20 arch=unet trunk=()
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --train-trunk) trunk=(--train-trunk); shift ;;
    --size) size=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
cargo build --release --features cli --quiet
venv=${TORCH_VENV:-target/torch-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  echo "installing PyTorch (CPU) into $venv ..."
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  # PyPI's Linux torch loads its CUDA libraries at import even on the CPU, so it comes with
  # its nvidia-* dependencies (a few GB, once).
  "$venv/bin/pip" install --quiet torch numpy
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
burn=$(target/release/burn-colorize bench --train --train-size "$size" --batch "$batch" --steps "$steps" \
  --arch "$arch" --device cpu "${trunk[@]}" | tee /dev/stderr | grep RESULT)
torch=$("$venv/bin/python" scripts/torch/bench_train.py --size "$size" --batch "$batch" --steps "$steps" \
  --arch "$arch" "${trunk[@]}" | grep RESULT)
echo "$burn"
echo "$torch"
b=$(echo "$burn" | sed 's/.*images_per_second=//')
t=$(echo "$torch" | sed 's/.*images_per_second=//')
python3 -c "print(f'ratio burn/pytorch = {float(\"$b\")/float(\"$t\"):.2f} at {$size}x{$size}, batch {$batch}, $arch ${trunk[*]}')"
