"""GPU check for a lent GPU machine: m1-gamma and motor-loop on cpp_standalone and on
cuda_standalone, then a table of rates, gamma peak, spike counts and run times, and the largest
m1-gamma model that builds and runs on the GPU.

    BRAINMODEL_DATA=../shared/data .venv/bin/python benchmarks/gpu_check.py
    # on a lent machine (no registry, no ../shared): see benchmarks/gpu_prepare.sh, gpu_run.sh

Each experiment's network is built from device-independent cell and edge tables, so both devices
simulate the same cells and synapses; spike trains differ because the random streams of the
background differ between devices, so rates and the gamma peak are compared statistically: the
largest relative difference of a population's rate (populations firing above 1 Hz) and the
spectral peak.
"""
import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EXPERIMENTS = {"m1-gamma": {}, "motor-loop": {"duration_ms": 1200.0}}


def _run(experiment, device, out, cuda_cc, **overrides):
    import brainmodel as bm
    from brainmodel import configure

    config = configure(experiment, device=device, compute_capability=cuda_cc,
                       output=out / f"{experiment}-{device}-{overrides.get('density', 'def')}",
                       **overrides)
    start = time.perf_counter()
    try:
        folder = bm.run(config, progress=lambda m: None).output
    except Exception as error:          # report what failed (e.g. GPU memory), go on
        return {"error": f"{type(error).__name__}: {str(error)[:160]}",
                "wall_s": time.perf_counter() - start}
    summary = json.loads((folder / "summary.json").read_text())
    timings = json.loads((folder / "timings.json").read_text())
    rates = {k: v["stimulus_hz"] for k, v in summary["rates"].items()}
    rates.update({k: v["rate_hz"] for k, v in summary.get("regions", {}).items()
                  if k != "reference"})
    return {"peak_hz": summary["spectral_peak"]["frequency_hz"], "spikes": timings["n_spikes"],
            "run_s": timings["run_s"], "compile_s": timings["codegen_compile_s"],
            "construction_s": timings["network_construction_s"], "rates": rates,
            "synapses": timings["n_synapses"], "cells": timings["n_cells"],
            "wall_s": time.perf_counter() - start}


def _experiment_names(text, option):
    """The comma-separated experiment names of ``option``; an unknown one stops the check."""
    names = [name for name in text.split(",") if name]
    unknown = sorted(set(names) - set(EXPERIMENTS))
    if unknown:
        sys.exit(f"gpu_check: {option} names unknown experiment(s) {unknown}; choose from "
                 f"{list(EXPERIMENTS)}")
    return names


def _rate_difference(gpu, cpu):
    shared = [k for k in gpu["rates"] if k in cpu["rates"] and cpu["rates"][k] > 1.0]
    return max((abs(gpu["rates"][k] - cpu["rates"][k]) / cpu["rates"][k] for k in shared),
               default=float("nan"))


def main():
    from brainmodel.config import DEFAULT_COMPUTE_CAPABILITY
    from brainmodel.simulation import devices

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--largest", default="0.2,0.5,1.0",
                   help="m1-gamma densities to try on the GPU alone, in order (in-degree 0.05);"
                        " an empty string tries none")
    p.add_argument("--budget-s", type=float, default=480.0,
                   help="stop trying larger models once this much wall time has passed")
    p.add_argument("--experiments", default=",".join(EXPERIMENTS),
                   help="which of %s to run (comma-separated)" % ", ".join(EXPERIMENTS))
    p.add_argument("--gpu-only", default="",
                   help="experiments to run on the GPU alone (no CPU reference; saves lent time)")
    p.add_argument("--cuda-cc", type=float, default=DEFAULT_COMPUTE_CAPABILITY)
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = p.parse_args()
    if not devices.gpu_present():
        sys.exit("gpu_check: no GPU here (nvidia-smi -L failed); run it on a GPU machine")
    began = time.perf_counter()
    out = Path(tempfile.mkdtemp(prefix="gpu-check-"))
    results = {}
    experiments = _experiment_names(args.experiments, "--experiments")
    gpu_only = set(_experiment_names(args.gpu_only, "--gpu-only"))
    for experiment in experiments:
        overrides = EXPERIMENTS[experiment]
        for device in ("cpp_standalone", "cuda_standalone"):
            if device == "cpp_standalone" and experiment in gpu_only:
                results[f"{experiment} {device}"] = {"error": "not run (--gpu-only)"}
                continue
            results[f"{experiment} {device}"] = _run(experiment, device, out, args.cuda_cc,
                                                     **overrides)
            print(f"done {experiment} on {device}", flush=True)
    largest = {}
    for density in (float(d) for d in args.largest.split(",") if d):
        if time.perf_counter() - began > args.budget_s:
            largest[density] = {"error": "skipped: time budget spent"}
            continue
        largest[density] = _run("m1-gamma", "cuda_standalone", out, args.cuda_cc,
                                density=density, indegree=0.05, duration_ms=1000.0)
        print(f"done m1-gamma density {density:g} on the GPU", flush=True)
        if "error" in largest[density]:
            break

    print(f"\n{'experiment':>11} {'device':>16} {'cells':>8} {'synapses':>10} {'peak Hz':>8} "
          f"{'spikes':>9} {'compile s':>9} {'run s':>7} {'rate diff':>9}")
    for experiment in experiments:
        cpu = results[f"{experiment} cpp_standalone"]
        for device in ("cpp_standalone", "cuda_standalone"):
            r = results[f"{experiment} {device}"]
            if "error" in r:
                print(f"{experiment:>11} {device:>16} failed: {r['error']}")
                continue
            diff = _rate_difference(r, cpu) if "rates" in cpu else float("nan")
            print(f"{experiment:>11} {device:>16} {r['cells']:8d} {r['synapses']:10d} "
                  f"{r['peak_hz']:8.1f} {r['spikes']:9d} {r['compile_s']:9.1f} {r['run_s']:7.2f} "
                  f"{diff:9.1%}")
        gpu = results[f"{experiment} cuda_standalone"]
        if "run_s" in cpu and "run_s" in gpu:
            print(f"{'':>11} GPU run speed-up: {cpu['run_s'] / gpu['run_s']:.1f}x, spike counts "
                  f"GPU/CPU {gpu['spikes'] / max(cpu['spikes'], 1):.3f}")
    print("\nlargest m1-gamma on the GPU (in-degree 0.05, 1 s):")
    for density, r in largest.items():
        if "error" in r:
            print(f"  density {density:g}: {r['error']}")
        else:
            print(f"  density {density:g}: {r['cells']} cells, {r['synapses']} synapses, "
                  f"construction {r['construction_s']:.0f} s, compile {r['compile_s']:.0f} s, "
                  f"run {r['run_s']:.2f} s, peak {r['peak_hz']:.1f} Hz")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "largest": largest}, indent=1,
                                        default=str))


if __name__ == "__main__":
    main()
