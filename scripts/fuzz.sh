#!/usr/bin/env bash
# Fuzzes the three input paths with cargo fuzz (libFuzzer, nightly Rust; both installed here on
# first use): encoded bytes -> decode -> colorize, RGBA + options JSON -> colorize (the JS API's
# inputs), and model-file bytes -> load. Seeds are generated (fuzz/seeds.rs); the corpus grows
# in fuzz/corpus/. A crash leaves its input in fuzz/artifacts/<target>/: replay it with
# `cargo +nightly fuzz run <target> <file>`, fix the cause, and keep the input in a test.
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
rss_mb=${FUZZ_RSS_LIMIT_MB:-2048}
if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz
fi
cargo run --quiet --release --manifest-path fuzz/Cargo.toml --bin seeds -- fuzz/seeds
# Largest input per target: images and RGBA requests stay small; model files need room.
max_len() { if [ "$1" = model_load ]; then echo 2097152; else echo 65536; fi; }
summary=()
for target in decode_colorize rgba_options model_load; do
  mkdir -p "fuzz/corpus/$target"
  log=target/fuzz-$target.log
  mkdir -p target
  echo "== $target: ${seconds}s"
  status=0
  cargo +nightly fuzz run --release "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout=20 -max_len="$(max_len "$target")" \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  summary+=("$target: ${runs:-?} executions in ${seconds}s, exit $status")
  if [ "$status" -ne 0 ]; then
    tail -40 "$log"
  fi
done
printf '%s\n' "${summary[@]}"
for line in "${summary[@]}"; do
  case "$line" in *"exit 0") ;; *) echo "fuzzing found a problem (see above and fuzz/artifacts/)" >&2; exit 1 ;; esac
done
