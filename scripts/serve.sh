#!/usr/bin/env bash
# Serves the page with the default model on http://127.0.0.1:8080/ (PORT=... to change),
# building what it needs first on a fresh machine (see scripts/build-wasm.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/site.sh
exec python3 scripts/serve.py --dir target/site --port "${PORT:-8080}"
