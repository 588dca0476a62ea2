"""brainmodel vs a minimal hand-written Brian2 standalone script on the same network.

    BRAINMODEL_DATA=../shared/data .venv/bin/python benchmarks/compare_minimal_brian2.py [--density F]

Builds the default m1-gamma network once (numpy), runs it through brainmodel's builder and through
benchmarks/minimal_brian2_script.py (same neurons, synapses, delays, background, stimulus), each
compiled separately and run on cpp_standalone with one thread, alternating, and prints a table with
run times, synaptic events per second and the ratio measured in this one invocation."""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    import brian2 as b2
    import brainmodel as bm
    from brainmodel.config import RunConfig
    from brainmodel.model import parameters
    from brainmodel.model.edges import by_receptor
    from brainmodel.simulation import devices
    from brainmodel.simulation.network import create_network
    from regions.cortex import default_spec

    p = argparse.ArgumentParser()
    p.add_argument("--density", type=float, default=0.05)
    p.add_argument("--duration", type=float, default=1000.0)
    p.add_argument("--repeats", type=int, default=2)
    args = p.parse_args()
    config = RunConfig(density=args.density, duration_ms=args.duration).validate()
    model = bm.build(config, spec=default_spec(), progress=lambda m: None)
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    consts = parameters.cell_constants(model, config.indegree_fraction)
    seeds = parameters.derive_seeds(config.seed)
    state = parameters.initial_state(model, seeds["initial_state"])
    payload = dict(consts, v=state["v"], u=state["u"], mask=model.stimulated.astype(float),
                   bias=parameters.bias_currents(model, seeds["heterogeneity"]),
                   seed=seeds["simulation"],
                   amplitude_mv=model.stimulus.amplitude_mv, onset_ms=model.stimulus.onset_ms,
                   duration_ms=config.duration_ms,
                   bg_sources=parameters.background_sources(model.spec, config.indegree_fraction))
    outdegree = np.zeros(len(model.cells), dtype=np.int64)
    for e in by_receptor(model.edges):
        payload.update({f"{e.receptor}_pre": e.pre, f"{e.receptor}_post": e.post,
                        f"{e.receptor}_w": e.weight, f"{e.receptor}_delay": e.delay_ms})
        outdegree += np.bincount(e.pre, minlength=len(model.cells))
    np.savez(tmp / "network.npz", **payload)

    rows = {"brainmodel": [], "minimal Brian2": []}
    for repeat in range(args.repeats):
        run = devices.use_device("cpp_standalone", tmp / f"bm{repeat}", 0)
        try:
            net, objects = create_network(model, config)
            devices.run_network(run, net, config.duration_ms * b2.ms, progress=None)
            ids = np.asarray(objects["spikes"].i[:])
        finally:
            devices.release_device()
        rows["brainmodel"].append((run.timings["run_s"], len(ids), int(outdegree[ids].sum())))
        out = subprocess.run([sys.executable, str(ROOT / "benchmarks/minimal_brian2_script.py"),
                              str(tmp / "network.npz"), str(tmp / f"min{repeat}")],
                             capture_output=True, text=True, check=True)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        # identical spike counts mean identical runs (same network and seeds): same events;
        # otherwise estimate with the mean out-degree
        events = rows["brainmodel"][-1][2] if res["n_spikes"] == len(ids) else int(
            outdegree.mean() * res["n_spikes"])
        rows["minimal Brian2"].append((res["run_s"], res["n_spikes"], events))
    n_syn = sum(len(e) for e in model.edges)
    print(f"\nnetwork: {len(model.cells)} cells, {n_syn} synapses, {config.duration_ms:g} ms, "
          f"cpp_standalone, 1 thread, best of {args.repeats}")
    print(f"{'implementation':<16}{'run s':>8}{'spikes':>10}{'events/s':>14}")
    best = {}
    for name, values in rows.items():
        run_s, spikes, events = min(values)
        best[name] = events / run_s
        print(f"{name:<16}{run_s:>8.2f}{spikes:>10}{events / run_s:>14.3e}")
    print(f"ratio brainmodel / minimal (events per second): "
          f"{best['brainmodel'] / best['minimal Brian2']:.2f}")


if __name__ == "__main__":
    main()
