#!/usr/bin/env bash
# Browser tests: wasm-bindgen-test in headless Chromium (WebGPU vs CPU, size and L, errors) and
# Playwright against the served page, the pkg/ API (on the page's thread and in a worker), the TypeScript + esbuild example,
# and Vite/webpack/esbuild builds of the packed pkg/. Installs what a fresh machine lacks: Debian's chromium
# and chromium-driver (apt-get), playwright-core, typescript, esbuild, vite and webpack (npm, into tests/browser/node_modules), and
# the wasm toolchain (see scripts/build-wasm.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "installing Chromium and ChromeDriver (Debian packages)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -x tests/browser/node_modules/.bin/tsc ] ||
  [ ! -d tests/browser/node_modules/esbuild ] || [ ! -d tests/browser/node_modules/vite ] ||
  [ ! -d tests/browser/node_modules/webpack ]; then
  (cd tests/browser && npm install --no-audit --no-fund --silent)
fi

bash scripts/site.sh
# A small model with the colour-reference input (the bundled one may have none), served beside
# the page for the reference tests (`?model=test-models/guided.bclz`). It is one of the fuzz
# seeds: the example runs with the native test build's settings, so it costs no build of its own.
guided=fuzz/seeds/model_load/unet-guided-f16.bclz
[ -f "$guided" ] || cargo run --quiet --features native --example fuzz_seeds -- fuzz/seeds
mkdir -p target/site/test-models
cp "$guided" target/site/test-models/guided.bclz
cp fuzz/seeds/model_load/unet-f16.bclz target/site/test-models/plain.bclz # no reference input

echo "== wasm-bindgen-test in headless Chromium"
# The wasm profile and features of pkg/ (scripts/build-wasm.sh): the dependencies just built for
# the page are reused, not built a second time.
CHROMEDRIVER=$(command -v chromedriver) \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
WASM_BINDGEN_TEST_TIMEOUT=600 \
  cargo test --profile wasm --target wasm32-unknown-unknown --no-default-features --features web --test web

echo "== Playwright: the served page"
(cd tests/browser && node --test --test-concurrency=1)
