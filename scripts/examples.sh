#!/usr/bin/env bash
# Makes docs/examples.png, the before/after grid in README.md and MODEL_CARD.md: four
# public-domain / CC0 photos (NASA's astronaut and DSCOVR launch, Stefan van der Walt's cat,
# Rachel Michetti's coffee; they ship inside scikit-image's wheel on PyPI) made grey and
# colorized by `burn-colorize eval --grid` with the bundled model. Rows: grey | colorized | original,
# or, for a model that takes a colour reference, grey | automatic | reference | with it | original.
#   bash scripts/examples.sh [extra eval options, e.g. --model runs/x/best.bclz]
set -euo pipefail
cd "$(dirname "$0")/.."

photos=target/examples/photos
if [ ! -f "$photos/chelsea.png" ]; then
  mkdir -p "$photos"
  wheels=target/tools/skimage
  ls "$wheels"/scikit_image-0.26.0-*.whl >/dev/null 2>&1 ||
    python3 -m pip download scikit-image==0.26.0 --no-deps --only-binary=:all: -d "$wheels" -q
  python3 - "$photos" "$wheels"/scikit_image-0.26.0-*.whl <<'PY'
import sys, zipfile
wheel = zipfile.ZipFile(sys.argv[2])
for name in ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg"]:
    open(f"{sys.argv[1]}/{name}", "wb").write(wheel.read(f"skimage/data/{name}"))
PY
fi

cargo build --release --features cli --quiet
mkdir -p docs
# A model with the colour-reference input shows it at work: each row then reads grey |
# automatic | the reference (the photo itself mirrored and cropped to 3/4: its own colours in
# another framing, as a colour photo of the same scene from another spot) | coloured with it |
# original.
bin=target/release/burn-colorize
model=()
for ((i = 1; i <= $#; i++)); do [ "${!i}" = --model ] && j=$((i + 1)) && model=("${!j}"); done
reference=()
"$bin" info "${model[@]}" | grep -q "a colour reference" && reference=(--reference reframed)
"$bin" eval --data "$photos" --grid docs/examples.png "${reference[@]}" "$@"
