# Sourced by scripts/bench-train.sh and scripts/libtorch.sh: makes sure PyTorch is installed in
# the virtual environment $venv (default target/torch-venv, or $TORCH_VENV), and sets
# $torch_lib to its library folder. PyTorch is no dependency of the crate: it serves the
# side-by-side benchmark and burn's LibTorch backend (feature `libtorch`).
# The version is the one burn 0.22's tch crate links against; the benchmark's twin uses the same.
torch_version=2.9.0
venv=${TORCH_VENV:-$root/target/torch-venv}
if ! "$venv/bin/python" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$torch_version')" 2>/dev/null; then
  echo "installing PyTorch $torch_version into $venv (once) ..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  # PyPI's Linux torch loads its CUDA libraries at import even on the CPU, so it comes with
  # its nvidia-* dependencies (a few GB, once).
  "$venv/bin/pip" install --quiet "torch==$torch_version" numpy
fi
torch_lib=$("$venv/bin/python" -c "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))")
