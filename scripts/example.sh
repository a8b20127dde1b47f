#!/usr/bin/env bash
# Colorizes an example photo with the command-line tool and prints where the result is.
#   bash scripts/example.sh [PHOTO] [-- extra colorize options]
# Without PHOTO it takes one photo from ../shared/data/bsds500-dev.zip when that is present.
set -euo pipefail
cd "$(dirname "$0")/.."

photo="${1:-}"
out=target/example
mkdir -p "$out"
if [ -z "$photo" ]; then
  zip=../shared/data/bsds500-dev.zip
  if [ ! -f "$zip" ]; then
    echo "usage: bash scripts/example.sh PHOTO  (no photo given and $zip not found)" >&2
    exit 2
  fi
  photo="$out/example.jpg"
  python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); n=sorted(x for x in z.namelist() if x.endswith('.jpg'))[0]; open(sys.argv[2],'wb').write(z.read(n))" "$zip" "$photo"
fi
shift || true
[ "${1:-}" = "--" ] && shift

cargo build --features cli --quiet
cli=target/debug/burn-colorize
extra=()
if ! "$cli" info >/dev/null 2>&1; then
  echo "note: this build bundles no trained model yet, so the example runs an UNTRAINED network:"
  echo "      the pipeline runs end to end but the colours are meaningless. Pass --model FILE"
  echo "      to use a trained model."
  extra+=(--untrained)
fi
"$cli" colorize "$photo" -o "$out/colour.png" "${extra[@]}" "$@"
echo "input:  $photo"
echo "output: $out/colour.png"
