#!/usr/bin/env bash
# Assembles the static site in target/site: the page (www/) plus the browser package (pkg/),
# building the WebAssembly module first when it is missing or older than the sources.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-wasm.sh
if [ ! -f pkg/model.bclz ]; then
  echo "error: no model for the page: models/default.bclz is missing" >&2
  exit 1
fi
rm -rf target/site
mkdir -p target/site/pkg
cp -r www/. target/site/
cp -r pkg/colorize.js pkg/instance.js pkg/pixels.js pkg/abort.js pkg/worker.js pkg/worker-thread.js pkg/colorize.d.ts pkg/worker.d.ts pkg/package.json pkg/wasm pkg/model.bclz target/site/pkg/
echo "site assembled in target/site"
