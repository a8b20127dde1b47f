#!/usr/bin/env bash
# Builds the browser package: pkg/wasm/ (WebAssembly module + JS bindings) and pkg/model.bclz.
# Installs what a fresh machine lacks, and skips what is already there:
#   - the wasm32-unknown-unknown Rust target (rustup)
#   - wasm-bindgen-cli at exactly the crate's wasm-bindgen version (cargo install, ~9 min once)
# The `wasm` profile in Cargo.toml (fat LTO, one codegen unit, size-optimised dependencies)
# makes the module small. wasm-opt runs only when WASM_OPT names one (binaryen 116 or newer;
# Debian 12's 108 breaks wasm-bindgen's reference-type tables; `npm install binaryen` works):
#   WASM_OPT=node_modules/.bin/wasm-opt bash scripts/build-wasm.sh --force
# It is off by default: measured on this module, -Oz cuts the raw size 17 % but not the gzip
# size (2.578 → 2.585 MB), and takes 3–6 minutes.
# Does nothing when pkg/wasm is newer than every source. Pass --force to rebuild anyway.
set -euo pipefail
cd "$(dirname "$0")/.."

out=pkg/wasm
wasm="$out/burn_colorize_bg.wasm"
force=${1:-}
export PATH="$HOME/.cargo/bin:$PATH"

# Appends `__wbg_reset_state_async` to the glue: its own `__wbg_reset_state` (a new instance of
# the compiled module after a trap, made by --experimental-reset-state-function), but with the
# instance made asynchronously, since Chrome refuses a synchronous `new WebAssembly.Instance` of a
# module over 8 MB on the main thread. It must live in the glue's scope to reset the glue's state.
add_async_reset() {
  local glue=$1 body
  body=$(awk '/^export function __wbg_reset_state \(\) \{$/ { inside = 1; next } inside && /^}$/ { exit } inside' "$glue")
  if ! grep -qx '    wasmInstance = new WebAssembly.Instance(wasmModule, __wbg_get_imports());' <<<"$body"; then
    echo "error: wasm-bindgen's __wbg_reset_state is not the one pkg/instance.js was written for" >&2
    exit 1
  fi
  {
    echo
    echo '// Added by scripts/build-wasm.sh: __wbg_reset_state, instantiating asynchronously.'
    echo 'export async function __wbg_reset_state_async() {'
    echo '    const instance = await WebAssembly.instantiate(wasmModule, __wbg_get_imports());'
    sed 's/^    wasmInstance = new WebAssembly.Instance(wasmModule, __wbg_get_imports());$/    wasmInstance = instance;/' <<<"$body"
    echo '}'
  } >>"$glue"
}

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

echo "building the WebAssembly module (profile wasm; the first build takes a while)"
# No default features: the browser decodes and encodes images itself (no `codecs` in the wasm).
cargo rustc --quiet --lib --profile wasm --target wasm32-unknown-unknown --no-default-features --features web \
  --crate-type cdylib
mkdir -p "$out"
wasm-bindgen --target web --experimental-reset-state-function --remove-name-section --remove-producers-section --out-dir "$out" \
  target/wasm32-unknown-unknown/wasm/burn_colorize.wasm
add_async_reset "$out/burn_colorize.js"
if [ -n "${WASM_OPT:-}" ]; then
  "$WASM_OPT" -Oz "$wasm" -o "$wasm.opt" && mv "$wasm.opt" "$wasm"
fi
touch "$wasm"
copy_model
echo "built $wasm ($(du -h "$wasm" | cut -f1))"
