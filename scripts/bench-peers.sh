#!/usr/bin/env bash
# Our network and pipeline against ONNX Runtime on the same network, side by side on this
# machine (issue 32). Not a test: it prints figures.
#   bash scripts/bench-peers.sh [MODEL]        (default: models/default.bclz)
#
# 1. examples/peers_export.rs writes the model's weights, test inputs, our logits and our
#    network's time on Flex (all cores) at working sizes 128 and 512 into target/peers/.
# 2. scripts/peers/onnx_native.py builds the PyTorch twin (scripts/peers/twin.py), checks that it
#    and the exported ONNX graph agree with our class probabilities, and times onnxruntime
#    (PyPI) on the CPU with as many threads.
# 3. `burn-colorize bench`: a 24 MP photo, whole pipeline, natively.
# 4. tests/browser/bench-peers.mjs in headless Chromium: our CPU path against
#    onnxruntime-web's wasm backend (one thread each), both WebGPU paths (SwiftShader here:
#    printed, not a target), and a 12 MP JPEG's cold start and hint re-colour on the CPU path.
# Last line: RESULT native_ratio=... browser_cpu_ratio=... native_24mp_s=... browser_12mp_cold_s=...
# browser_12mp_hint_s=..., a ratio being ONNX Runtime's time over ours at working size 128
# (>= 1: we are faster). PyTorch, onnx and onnxruntime go into target/torch-venv (or
# $TORCH_VENV), onnxruntime-web into target/peers/web; both once.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
model=${1:-models/default.bclz}
out=target/peers
ort_web_version=1.31.1

source scripts/torch-venv.sh
if ! "$venv/bin/python" -c "import onnx, onnxruntime" 2>/dev/null; then
  echo "installing onnx and onnxruntime into $venv (once) ..." >&2
  "$venv/bin/pip" install --quiet onnx onnxruntime
fi
if [ ! -f "$out/web/node_modules/onnxruntime-web/package.json" ]; then
  echo "installing onnxruntime-web $ort_web_version into $out/web (once) ..." >&2
  mkdir -p "$out/web"
  npm install --prefix "$out/web" --no-audit --no-fund --silent "onnxruntime-web@$ort_web_version"
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cargo build --release --features cli --quiet --example peers_export
cargo build --release --features cli --quiet
target/release/examples/peers_export "$model" "$out" 128 512
"$venv/bin/python" -W ignore scripts/peers/onnx_native.py "$out"

echo "== whole pipeline, natively (burn-colorize bench)"
bench=$(target/release/burn-colorize bench --model "$model" --repeats 3)
echo "$bench"
native_24mp_ms=$(echo "$bench" | awk '$1 == "24MP" { print $3 }')

echo "== in the browser (headless Chromium)"
bash scripts/site.sh >/dev/null
[ -d tests/browser/node_modules/playwright-core ] || (cd tests/browser && npm install --no-audit --no-fund --silent)
site_peers=target/site/peers
rm -rf "$site_peers" && mkdir -p "$site_peers/ort"
cp "$out"/colorizer-128.onnx "$out"/colorizer-512.onnx "$out"/input-128.bin "$out"/input-512.bin "$site_peers/"
cp "$out"/web/node_modules/onnxruntime-web/dist/ort.all.min.mjs "$out"/web/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.* "$site_peers/ort/"
"$venv/bin/python" -c "
import json, sys
tensors = json.load(open('$out/weights.json'))['tensors']
width = next((t['shape'][0] for t in tensors if t['name'].endswith('reference.hidden.weight')), 1)
json.dump({'referenceWidth': width}, open('$site_peers/meta.json', 'w'))"
browser=$(node tests/browser/bench-peers.mjs | tee >(cat >&2) | awk '/^PEERS_BROWSER / { sub(/^PEERS_BROWSER /, ""); print }')

"$venv/bin/python" - "$out/native.json" "$native_24mp_ms" "$browser" <<'EOF'
import json, sys
native = json.load(open(sys.argv[1]))["sizes"]
browser = json.loads(sys.argv[3])
cpu = browser["cpu"]
ratio = lambda peer, ours: f"{peer / ours:.2f}" if isinstance(peer, (int, float)) else "failed"
print("RESULT native_ratio={} browser_cpu_ratio={} native_24mp_s={:.2f} browser_12mp_cold_s={:.2f} browser_12mp_hint_s={:.2f}".format(
    f"{native['128']['ratio']:.2f}",
    ratio(cpu["onnxruntime"].get("128"), cpu["ours"]["128"]),
    float(sys.argv[2]) / 1000,
    browser["photo12mp"]["coldSeconds"],
    browser["photo12mp"]["hintSeconds"]))
EOF
