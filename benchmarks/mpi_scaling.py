"""MPI: motor-loop in one process and over 1, 2 (and more) ranks, in one invocation; per-rank
compute and exchange time, spikes and bytes sent; then, from the measured per-rank costs, what a
whole mouse brain at full density would need.

    BRAINMODEL_DATA=../shared/data .venv/bin/python benchmarks/mpi_scaling.py [--ranks 1,2]
        [--duration 1000] [--density 0.05]

On a 2-core machine two ranks share the two cores with nothing else; three or more ranks are
oversubscribed (correct, not faster).

Whole-brain assumptions (stated, not measured): 71 million neurons in the mouse brain
(Herculano-Houzel et al. 2006, PNAS 103:12138), about 2e11 synapses (non-granule neurons
~29 million x ~7,000 synapses each, Braitenberg & Schuez 1998 "Cortex: statistics and
geometry", plus ~1e5 parallel-fibre synapses on each Purkinje cell, rounded down from the
175,000 of Napper & Harvey 1988, J Comp Neurol 274:168, on an assumed ~2e5 Purkinje cells;
granule cells have 4 inputs), mean rate 5 Hz (assumed), 4 GB of memory per rank (assumed), and
each exported spike sent to ``--destinations`` ranks (assumed; long-range axons reach a few
areas).
"""
import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WHOLE_BRAIN_NEURONS = 71e6
WHOLE_BRAIN_SYNAPSES = 2e11
MEAN_RATE_HZ = 5.0
MEMORY_PER_RANK_GB = 4.0


def _run(ranks, args):
    import brainmodel as bm
    from brainmodel import configure

    out = Path(tempfile.mkdtemp(prefix="mpi-scaling-")) / f"ranks{ranks}"
    config = configure("motor-loop", density=args.density, duration_ms=args.duration,
                       analysis_start_ms=min(300.0, args.duration / 2), ranks=ranks, output=out)
    start = time.perf_counter()
    folder = bm.run(config, progress=lambda m: None).output
    timings = json.loads((folder / "timings.json").read_text())
    timings["wall_s"] = time.perf_counter() - start
    return timings


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ranks", default="1,2", help="rank counts to run besides one process")
    p.add_argument("--duration", type=float, default=1000.0)
    p.add_argument("--density", type=float, default=0.05)
    p.add_argument("--destinations", type=float, default=20.0,
                   help="whole-brain estimate: ranks each exported spike goes to")
    args = p.parse_args()
    runs = {0: _run(0, args)}
    for ranks in (int(r) for r in args.ranks.split(",")):
        runs[ranks] = _run(ranks, args)
    bio_s = args.duration / 1000.0
    print(f"\nmotor-loop, density {args.density:g}, {args.duration:g} ms: "
          f"{runs[0]['n_cells']} cells, {runs[0]['n_synapses']} synapses, "
          f"{runs[0]['n_spikes']} spikes in one process")
    print(f"{'ranks':>5} {'run s':>7} {'compile s':>9} {'same spikes':>11}  per rank: cells, "
          f"synapses, compute s, exchange s (share), spikes sent, MB sent, peak MB")
    reference = runs[0]["n_spikes"]
    for ranks, t in runs.items():
        line = (f"{ranks or 'none':>5} {t['run_s']:7.2f} {t['codegen_compile_s']:9.1f} "
                f"{str(t['n_spikes'] == reference):>11}")
        for r in t.get("mpi_per_rank", []):
            line += (f"\n{'':>36}rank {r['rank']}: {r['cells']}, {r['synapses']}, "
                     f"{r['run_s'] - r['exchange_s']:.2f}, {r['exchange_s']:.2f} "
                     f"({r['exchange_fraction']:.0%}), {r['spikes_sent']}, "
                     f"{r['bytes_sent'] / 1e6:.2f}, {r['peak_memory_mb']:.0f}")
        print(line)
    largest = runs[max(runs)]
    per_rank = largest.get("mpi_per_rank", [])
    if not per_rank:
        return
    # measured costs: compute seconds per cell and per synapse per biological second, fitted
    # over the ranks (exact for 2 ranks), and rank memory per synapse
    import numpy as np
    rows = np.array([[r["cells"], r["synapses"]] for r in per_rank], dtype=float)
    compute = np.array([r["run_s"] - r["exchange_s"] for r in per_rank]) / bio_s
    if len(per_rank) >= 2:
        per_cell, per_synapse = np.linalg.lstsq(rows, compute, rcond=None)[0]
    else:
        per_cell, per_synapse = 0.0, compute[0] / rows[0, 1]
    memory_mb = sum(r["peak_memory_mb"] for r in per_rank)
    bytes_per_syn = memory_mb * 2 ** 20 / rows[:, 1].sum()
    interval_ms = largest["mpi_interval_steps"] * 0.1
    print(f"\nmeasured over {len(per_rank)} ranks: {per_cell * 1e6:.1f} us per cell and "
          f"{per_synapse * 1e9:.0f} ns per synapse of compute per biological second, "
          f"{bytes_per_syn:.0f} bytes of rank memory per synapse, exchange interval "
          f"{interval_ms:g} ms")
    ranks_memory = WHOLE_BRAIN_SYNAPSES * bytes_per_syn / (MEMORY_PER_RANK_GB * 2 ** 30)
    core_s = WHOLE_BRAIN_NEURONS * per_cell + WHOLE_BRAIN_SYNAPSES * per_synapse
    spikes_per_interval = WHOLE_BRAIN_NEURONS * MEAN_RATE_HZ * interval_ms / 1000.0
    volume_mb = spikes_per_interval * args.destinations * 8 / 1e6
    print(f"whole brain at full density ({WHOLE_BRAIN_NEURONS:.0e} neurons, "
          f"{WHOLE_BRAIN_SYNAPSES:.0e} synapses): at least {ranks_memory:,.0f} ranks of "
          f"{MEMORY_PER_RANK_GB:g} GB by memory; {core_s:,.0f} core-seconds per biological "
          f"second (at {ranks_memory:,.0f} ranks: {core_s / ranks_memory:,.0f} s per biological "
          f"second, before exchange costs); {spikes_per_interval:,.0f} spikes per "
          f"{interval_ms:g} ms interval, {volume_mb:.1f} MB exchanged per interval if each goes "
          f"to {args.destinations:g} ranks")


if __name__ == "__main__":
    main()
