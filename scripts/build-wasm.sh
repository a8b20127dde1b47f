#!/usr/bin/env bash
# Builds the browser package: pkg/wasm/ (WebAssembly module + JS bindings) and pkg/model.bclz.
# Installs what a fresh machine lacks, and skips what is already there:
#   - the wasm32-unknown-unknown Rust target (rustup)
#   - wasm-bindgen-cli at exactly the crate's wasm-bindgen version (cargo install, ~9 min once)
#   - wasm-opt from Debian's binaryen (apt-get; skipped with a note when apt is unavailable)
# Does nothing when pkg/wasm is newer than every source. Pass --force to rebuild anyway.
set -euo pipefail
cd "$(dirname "$0")/.."

out=pkg/wasm
wasm="$out/burn_colorize_bg.wasm"
force=${1:-}
export PATH="$HOME/.cargo/bin:$PATH"

copy_model() {
  if [ -f models/default.bclz ] && ! cmp -s models/default.bclz pkg/model.bclz; then
    cp models/default.bclz pkg/model.bclz
  fi
}

if [ "$force" != "--force" ] && [ -f "$wasm" ] &&
  [ -z "$(find src Cargo.toml Cargo.lock .cargo -newer "$wasm" -type f 2>/dev/null | head -1)" ]; then
  copy_model
  echo "pkg/wasm is up to date"
  exit 0
fi

version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p' | head -1)
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if ! wasm-bindgen --version 2>/dev/null | grep -q " $version"; then
  echo "installing wasm-bindgen-cli $version (once; takes several minutes)"
  cargo install --quiet wasm-bindgen-cli --version "$version"
fi
if ! command -v wasm-opt >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing wasm-opt (Debian binaryen)"
  (apt-get install -y -qq binaryen >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq binaryen >/dev/null; }) || true
fi

echo "building the WebAssembly module (release; the first build takes a while)"
cargo rustc --quiet --lib --release --target wasm32-unknown-unknown --features web --crate-type cdylib
mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out" target/wasm32-unknown-unknown/release/burn_colorize.wasm
if command -v wasm-opt >/dev/null 2>&1; then
  # Features are read from the module's target_features section.
  if wasm-opt -O3 "$wasm" -o "$wasm.opt" 2>/tmp/wasm-opt.log; then
    mv "$wasm.opt" "$wasm"
  else
    rm -f "$wasm.opt"
    echo "note: wasm-opt $(wasm-opt --version | cut -d' ' -f3) could not optimise the module; kept as built:"
    head -3 /tmp/wasm-opt.log
  fi
else
  echo "note: wasm-opt not found; the module is not size-optimised"
fi
touch "$wasm"
copy_model
echo "built $wasm ($(du -h "$wasm" | cut -f1))"
