#!/usr/bin/env bash
# Fuzzes the four input paths with cargo fuzz (libFuzzer, nightly Rust; both installed here on
# first use): encoded bytes -> decode -> colorize, RGBA + options JSON -> colorize (the JS API's
# inputs), a colour reference (encoded or RGBA) -> colorize, and model-file bytes -> load. Seeds are generated (examples/fuzz_seeds.rs); the
# corpus grows in fuzz/corpus/. A crash leaves its input in fuzz/artifacts/<target>/: replay it
# with `cargo +nightly fuzz run <target> <file>`, fix the cause, and keep the input in a test.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]    (default 60; scripts/test.sh runs a short one)
#   FUZZ_RUNS=1000000 bash scripts/fuzz.sh       stop each target after this many executions
#
# Settings (environment):
#   FUZZ_TARGETS     which targets (default: all four)
#   FUZZ_JOBS        targets fuzzed at once (default: the number of cores)
#   FUZZ_SANITIZER   none (default) or address. Our code is safe Rust, so AddressSanitizer only
#                    watches the unsafe code inside dependencies, and it costs ~10x the
#                    executions; use it for a deeper run, not for volume.
#   FUZZ_RSS_LIMIT_MB  memory ceiling per target, which fails the run when crossed. Default:
#                    512 MB for the image targets, which decode at most 0.25 MP (checks.rs):
#                    a few MB of buffers, the tiny model and libFuzzer's corpus of small
#                    files, so a decoder that allocated past the megapixel limit would cross
#                    it. 2048 MB for model_load.
# model_load runs in libFuzzer's fork mode (child processes one at a time, each fuzzing a part of
# the corpus): its corpus is of MB-sized model files, and in one process libFuzzer would keep
# all of them in memory (over 2 GB after a few hundred thousand executions). FUZZ_FORKS=N runs
# N children at once (e.g. the number of cores, when model_load is fuzzed alone).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
runs=${FUZZ_RUNS:-}
jobs=${FUZZ_JOBS:-$(nproc)}
sanitizer=${FUZZ_SANITIZER:-none}
read -r -a targets <<<"${FUZZ_TARGETS:-model_load decode_colorize rgba_options reference}" # slowest first

if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz
fi

echo "== seeds"
cargo run --quiet --features native --example fuzz_seeds -- fuzz/seeds
echo "== building the targets (sanitizer: $sanitizer)"
for target in "${targets[@]}"; do
  cargo +nightly fuzz build --release --sanitizer "$sanitizer" "$target"
done

if [ -n "$runs" ]; then limit=(-runs="$runs"); what="$runs executions"; else limit=(-max_total_time="$seconds"); what="${seconds}s"; fi
# Largest input per target: images and RGBA requests stay small; model files need room.
max_len() { if [ "$1" = model_load ]; then echo 2097152; else echo 65536; fi; }
fork() { if [ "$1" = model_load ]; then echo "-fork=${FUZZ_FORKS:-1}"; fi; }
rss_mb() { echo "${FUZZ_RSS_LIMIT_MB:-$(if [ "$1" = model_load ]; then echo 2048; else echo 512; fi)}"; }
bin=fuzz/target/x86_64-unknown-linux-gnu/release
mkdir -p target/fuzz

# One target: run it, then write one summary line (and the log's end when it failed).
fuzz_one() {
  local target=$1 log=target/fuzz/$1.log status=0 start=$SECONDS
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  rm -f "target/fuzz/$target.summary" # a target that writes none is reported as failed below
  # shellcheck disable=SC2046 # fork prints one option or nothing
  "$bin/$target" "fuzz/corpus/$target" "fuzz/seeds/$target" "${limit[@]}" $(fork "$target") -rss_limit_mb="$(rss_mb "$target")" \
    -timeout=20 -max_len="$(max_len "$target")" -artifact_prefix="fuzz/artifacts/$target/" \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  # (`|| true`: a figure missing from the log must not end this function under `set -e`)
  local done_runs peak
  done_runs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  peak=$(grep -m1 'stat::peak_rss_mb' "$log" | awk '{print $2}' || true)
  local memory="peak RSS ${peak:-?} MB"
  if [ -n "$(fork "$target")" ]; then # fork mode: the parent's last count of all children's
    done_runs=$(grep -aoE '(^#[0-9]+: cov|fuzzed for [0-9]+ iterations)' "$log" | tail -1 | tr -dc '0-9' || true)
    memory="forked, each child under $(rss_mb "$target") MB"
  fi
  local elapsed=$((SECONDS - start))
  local rate=$(( ${done_runs:-0} / (elapsed > 0 ? elapsed : 1) ))
  echo "$target: ${done_runs:-?} executions in ${elapsed}s (${rate}/s), $memory, exit $status" \
    >"target/fuzz/$target.summary"
  if [ "$status" -ne 0 ]; then tail -40 "$log"; fi
}

echo "== fuzzing each target for $what, $jobs at a time (logs: target/fuzz/)"
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  fuzz_one "$target" &
done
wait
failed=0
for target in "${targets[@]}"; do
  if [ -f "target/fuzz/$target.summary" ]; then
    cat "target/fuzz/$target.summary"
    grep -q 'exit 0$' "target/fuzz/$target.summary" || failed=1
  else
    echo "$target: no summary (the run stopped before it could write one; see target/fuzz/$target.log)"
    failed=1
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "fuzzing found a problem (see above and fuzz/artifacts/)" >&2
  exit 1
fi
