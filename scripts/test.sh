#!/usr/bin/env bash
# Runs every test of the project. README.md gives this command to new users and .ci/run runs
# it in CI, so keep the two in step. Installs what a fresh machine lacks (skips what is there).
#   bash scripts/test.sh            native tests, then browser tests
#   SKIP_BROWSER=1 bash scripts/test.sh   native tests only
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust from https://rustup.rs first" >&2
  exit 1
fi

echo "== pretrained trunk checkpoint (for the import test)"
bash scripts/import-trunk.sh --download || echo "could not download it: the trunk import test will be skipped"

echo "== native tests (library, CLI, training)"
cargo test --features native

if [ -z "${SKIP_BROWSER:-}" ]; then
  echo "== browser tests"
  bash scripts/test-browser.sh
fi
