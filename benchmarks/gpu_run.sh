#!/usr/bin/env bash
# Run THERE (on the lent GPU machine, repo root, after benchmarks/gpu_prepare.sh here): installs the
# carried wheels next to the image's python3, then runs one of:
#   bash benchmarks/gpu_run.sh check [gpu_check.py arguments, e.g. --largest 0.2,0.5 or
#       --experiments m1-gamma,motor-loop --gpu-only motor-loop --largest ""]
#       benchmarks/gpu_check.py: m1-gamma and motor-loop on CPU and GPU, largest m1-gamma
#   bash benchmarks/gpu_run.sh ensemble MEMBERS WORKERS DURATION_MS
#       the `ensemble` experiment (bihemispheric cortex, default scale) on cuda_standalone
# and leaves logs, JSON and figures in $OUT.
set -uo pipefail
mode="${1:?usage: gpu_run.sh check|ensemble ...}"; shift
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1 BRAINMODEL_DATA="$PWD/.gpu_data"
nvidia-smi -L
out="${OUT:-/tmp/gpu-run-out}"
mkdir -p "$out"
case "$mode" in
  check)
    python3 benchmarks/gpu_check.py --json "$out/gpu_check.json" "$@" 2>&1 \
        | tee "$out/gpu_check.log" ;;
  ensemble)
    members="$1" workers="$2" duration="$3"
    folder="/tmp/ensemble-gpu-$members"
    python3 run.py --experiment ensemble --device cuda_standalone --members "$members" \
        --workers "$workers" --duration "$duration" --output "$folder" --overwrite 2>&1 \
        | grep -v '^INFO' | tee "$out/ensemble_$members.log"
    cp "$folder/summary.json" "$out/ensemble_${members}_summary.json"
    cp "$folder"/*.png "$out/" 2>/dev/null ;;
  *) echo "unknown mode $mode (check | ensemble)"; exit 2 ;;
esac
