#!/usr/bin/env bash
# Run THERE (on the lent GPU machine, repo root, after benchmarks/gpu_prepare.sh here): installs the
# carried wheels next to the image's python3, then runs benchmarks/gpu_check.py and leaves its
# table and JSON in $OUT. Extra arguments go to gpu_check.py (e.g. --densities 0.05,0.2,0.5).
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1 BRAINMODEL_DATA="$PWD/.gpu_data"
nvidia-smi -L
out="${OUT:-/tmp/gpu-check-out}"
mkdir -p "$out"
python3 benchmarks/gpu_check.py --json "$out/gpu_check.json" "$@" 2>&1 | tee "$out/gpu_check.log"
