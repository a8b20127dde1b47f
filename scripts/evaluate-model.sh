#!/usr/bin/env bash
# Measures a model the way MODEL_CARD.md reports it: MiniPlaces val (1000 of its 3000 photos,
# evenly over the 100 scenes; 128×128) with 0/1/5/10 simulated hints, and the BSDS500
# development set (400 photos, 481×321, full size) with 0/1/2/5/10/20. Default: the bundled model.
#   bash scripts/evaluate-model.sh [--model PATH] [other eval options]
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data
for zip in miniplaces-128.zip bsds500-dev.zip; do
  if [ ! -f "$data/$zip" ]; then
    echo "skipped: $data/$zip is missing (the data sets live in ../shared/data)" >&2
    exit 0
  fi
done
cargo build --release --features cli --quiet
cli=target/release/burn-colorize
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== MiniPlaces val: 1000 photos, working size 128 (their own size)"
time "$cli" eval --data "$data/miniplaces-128.zip" --split val --limit 1000 --size 128 --hints 0 1 5 10 "$@"
echo "== BSDS500 dev: 400 photos at full size, working size 128 (the default)"
time "$cli" eval --data "$data/bsds500-dev.zip" --hints 0 1 2 5 10 20 --grid target/examples/bsds-grid.png "$@"
echo "(target/examples/bsds-grid.png shows the first six; it holds dataset photos: do not commit it)"
