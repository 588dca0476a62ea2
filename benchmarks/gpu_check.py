"""GPU check for a lent GPU machine: the same m1-gamma network on cpp_standalone and on
cuda_standalone, then a table of rates, gamma peak, spike counts and run times.

    BRAINMODEL_DATA=../shared/data .venv/bin/python benchmarks/gpu_check.py [--densities 0.05,0.2,0.5]

Needs brainmodel set up with the cuda extra (./setup.sh) and a GPU (nvidia-smi). The network is
built once per density from device-independent cell and edge tables, so both devices simulate
the same cells and synapses; spike trains differ because the random streams of the background
differ between devices, so rates and the gamma peak are compared statistically.
"""
import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main():
    from brainmodel import devices
    from brainmodel.config import RunConfig
    from brainmodel.experiments import run_experiment

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--densities", default="0.05,0.2",
                   help="comma-separated density fractions (in-degree 0.05 above 0.05)")
    p.add_argument("--duration", type=float, default=1200.0)
    p.add_argument("--cuda-cc", type=float, default=devices.DEFAULT_COMPUTE_CAPABILITY)
    args = p.parse_args()
    if not devices.gpu_present():
        sys.exit("gpu_check: no GPU here (nvidia-smi -L failed); run it on a GPU machine")
    out = Path(tempfile.mkdtemp(prefix="gpu-check-"))
    rows = []
    for density in (float(d) for d in args.densities.split(",")):
        result = {}
        for device in ("cpp_standalone", "cuda_standalone"):
            config = RunConfig(density=density, indegree=min(density, 0.05),
                               duration_ms=args.duration, device=device,
                               compute_capability=args.cuda_cc,
                               output=out / f"{device}-{density:g}")
            try:
                folder = run_experiment(config, progress=lambda m: None)
            except Exception as error:          # report what failed (e.g. GPU memory), go on
                result[device] = {"error": str(error)[:200]}
                continue
            summary = json.loads((folder / "summary.json").read_text())
            timings = json.loads((folder / "timings.json").read_text())
            result[device] = {"peak_hz": summary["spectral_peak"]["frequency_hz"],
                              "spikes": timings["n_spikes"], "run_s": timings["run_s"],
                              "compile_s": timings["codegen_compile_s"],
                              "rates": {k: v["stimulus_hz"] for k, v in summary["rates"].items()},
                              "synapses": timings["n_synapses"]}
        rows.append((density, result))
    print(f"{'density':>8} {'synapses':>10} {'device':>16} {'peak Hz':>8} {'spikes':>9} "
          f"{'compile s':>9} {'run s':>7} {'max rate diff':>13}")
    for density, result in rows:
        cpu = result.get("cpp_standalone", {})
        for device, r in result.items():
            if "error" in r:
                print(f"{density:8.2f} {'':>10} {device:>16} failed: {r['error']}")
                continue
            diff = max((abs(r["rates"][k] - cpu["rates"][k]) / max(cpu["rates"][k], 1e-9)
                        for k in r["rates"]), default=float("nan")) if "rates" in cpu else float("nan")
            print(f"{density:8.2f} {r['synapses']:10d} {device:>16} {r['peak_hz']:8.1f} "
                  f"{r['spikes']:9d} {r['compile_s']:9.1f} {r['run_s']:7.2f} {diff:13.1%}")
        if "run_s" in cpu and "run_s" in result.get("cuda_standalone", {}):
            print(f"{'':>8} GPU speed-up (run): {cpu['run_s'] / result['cuda_standalone']['run_s']:.1f}x")


if __name__ == "__main__":
    main()
