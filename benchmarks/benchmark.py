"""Benchmarks: brainmodel's engine against a minimal Brian2 script and NEST 3.10 on matched
networks, and brainmodel's own experiments at default and 10x density, measured side by side in
one invocation on this machine; prints a table and writes it with a log-log plot of cost against
size.

    .venv/bin/pip install -e '.[bench]'                       # brings nest-simulator 3.10.0
    BRAINMODEL_DATA=../shared/data .venv/bin/python benchmarks/benchmark.py
    .venv/bin/python benchmarks/benchmark.py --only cuba:4000,microcircuit:0.1   # a subset

Matched networks (``benchmarks/networks.py`` says what matches and what not): Brette et al. 2007
CUBA and COBA at 4,000 and 40,000 neurons, the Potjans-Diesmann microcircuit at scales 0.1 and
0.3; each in brainmodel's engine (``brainmodel``), a minimal Brian2 script (``brian2``) and NEST
(``nest``), one thread, dt 0.1 ms, 1 s of biological time, each run in its own process (for its
peak memory). Own experiments: ``m1-gamma`` and ``motor-loop`` through ``run.py`` (default density,
and 10x the cell density at the default in-degree, so 10x the synapses).

Columns: construction (Python/NEST network building; for Brian2 and brainmodel also the
compiled binary's synapse creation and loading before its simulation loop), compile (Brian2 code
generation and C++ compilation; none for NEST), run (the simulation loop alone, per biological
second, for every simulator and row: Brian2's last_run_time, NEST's Simulate), peak memory (the
whole process tree, sampled from outside every 0.1 s: Python, the compiled binary and every
other child summed; ``benchmarks/sampling.py``), bytes per synapse (peak / synapses; libraries
dominate small networks), synaptic events per second (recurrent spikes x mean out-degree / run
time; the same estimate for all three), background events per second (Poisson inputs, counted
apart: expected count over run time), and the ratios of events per second to NEST and to the
minimal Brian2 script of the same network in this run.

The matched networks' brainmodel rows use brainmodel's construction with Brian2 ``Synapses``
(their LIF models are not brainmodel's cell group); the own experiments' rows use brainmodel's
compact delivery (``brainmodel.simulation.delivery``).
"""
import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from brainmodel.model import parameters  # noqa: E402
from regions.cortex import default_spec  # noqa: E402
from sampling import run_sampled  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DURATION_MS = 1000.0
MATCHED = (("cuba", 4000), ("cuba", 40000), ("coba", 4000), ("coba", 40000),
           ("microcircuit", 0.1), ("microcircuit", 0.3))
SIMULATORS = ("brainmodel", "brian2", "nest")
# own experiments: (name, extra run.py arguments); 10x: cell density x10 at the default in-degree
OWN = (("m1-gamma", "default", []),
       ("m1-gamma", "10x", ["--density", "0.5", "--indegree", "0.05"]),
       ("motor-loop", "default", ["--duration", "1000"]),
       ("motor-loop", "10x", ["--duration", "1000", "--density", "0.5", "--indegree", "0.05",
                              "--region-density", "cerebellum=0.1"]))


def worker(kind, network, size, seed):
    """Build and run one matched network in one simulator in this process; print a JSON line."""
    import numpy as np
    import networks

    start = time.perf_counter()
    if kind == "nest":
        import nest
        nest.set_verbosity("M_ERROR")
        nest.ResetKernel()
        nest.SetKernelStatus({"resolution": networks.DT_MS, "local_num_threads": 1,
                              "rng_seed": seed + 1})
        recorder = networks.nest_network(network, size, seed)
        n_cells = networks.cell_count(network, size)
        # minus the spike recorder's connections and (microcircuit) the Poisson generators'
        synapses = nest.GetKernelStatus("num_connections") - n_cells * (
            2 if network == "microcircuit" else 1)
        construction = time.perf_counter() - start
        start = time.perf_counter()
        nest.Simulate(DURATION_MS)
        run = time.perf_counter() - start
        senders = np.asarray(recorder.events["senders"])
        compile_s = 0.0
    else:
        import brian2 as b2
        from brainmodel.simulation import devices
        build_dir = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
        run_device = devices.use_device("cpp_standalone", build_dir, 0)
        net, monitor, synapse_objects = networks.brian_network(network, size,
                                                               kind == "brainmodel", seed)
        construction = time.perf_counter() - start
        devices.run_network(run_device, net, DURATION_MS * b2.ms, progress=None)
        compile_s = run_device.timings["codegen_compile_s"]
        # the binary first creates/loads the synapses (construction), then simulates: Brian2
        # records the simulation loop's own time
        run = b2.device._last_run_time
        construction += run_device.timings["run_s"] - run
        senders = np.asarray(monitor.i[:])
        n_cells = len(monitor.source)
        synapses = int(sum(len(syn) for syn in synapse_objects))
        devices.release_device()
    print(json.dumps({"kind": kind, "network": network, "size": size, "cells": int(n_cells),
                      "synapses": int(synapses), "construction_s": construction,
                      "compile_s": compile_s, "run_s": run, "spikes": int(len(senders)),
                      "events": int(len(senders) * synapses / n_cells),
                      "rate_hz": len(senders) / n_cells / (DURATION_MS / 1000.0),
                      "background_events": networks.background_events(network, size,
                                                                      DURATION_MS)}))


def _matched_row(kind, network, size, seed):
    out, peak_mb, _ = run_sampled([sys.executable, __file__, "--worker", kind, "--network",
                                   network, "--size", repr(size), "--seed", str(seed)])
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode or not line:
        return {"kind": kind, "network": network, "size": size, "error": _failure(out)}
    return dict(json.loads(line[-1]), peak_mb=peak_mb)


def _failure(out) -> str:
    """The exit status (a negative one is the signal that killed it, e.g. -9: out of memory)
    and the last line of the error output."""
    last = (out.stderr.strip().splitlines() or ["no output"])[-1][:160]
    return f"exit {out.returncode}: {last}"


def _own_row(experiment, label, extra, seed):
    folder = Path(tempfile.mkdtemp(prefix="bench-own-")) / "out"
    out, peak_mb, _ = run_sampled([sys.executable, str(ROOT / "run.py"), "--experiment",
                                   experiment, "--seed", str(seed), "--output", str(folder),
                                   *extra])
    if out.returncode:
        return {"kind": "brainmodel", "network": experiment, "size": label,
                "error": _failure(out)}
    t = json.loads((folder / "timings.json").read_text())
    config = json.loads((folder / "config.json").read_text())
    spec = default_spec()
    sources = parameters.background_sources(spec, config["indegree_fraction"])
    # the binary's loading counts as construction, its loop as run (as for the Brian2 rows)
    return {"kind": "brainmodel", "network": experiment, "size": label, "cells": t["n_cells"],
            "synapses": t["n_synapses"],
            "construction_s": t["network_construction_s"] + t["run_s"] - t["loop_s"],
            "compile_s": t["codegen_compile_s"], "run_s": t["loop_s"],
            "spikes": t["n_spikes"], "events": t["synaptic_events"],
            "rate_hz": t["n_spikes"] / t["n_cells"] / (config["duration_ms"] / 1000.0),
            "background_events": t["n_cells"] * sources * spec.background_rate_hz
            * config["duration_ms"] / 1000.0,
            "peak_mb": peak_mb, "duration_ms": config["duration_ms"]}


def table(rows):
    """Markdown table with events per second and the ratios within each network and size."""
    head = ("| network | size | simulator | cells | synapses | rate Hz | construction s | "
            "compile s | run s (per bio s) | peak MB (tree) | B/syn | events/s | "
            "background events/s | vs NEST | vs Brian2 |")
    lines = [head, "|" + "---|" * 15]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['network']} | {row['size']} | {row['kind']} | failed: "
                         f"{row['error']} |" + " |" * 11)
            continue
        same = {r["kind"]: r for r in rows if r["network"] == row["network"]
                and r["size"] == row["size"] and "error" not in r}
        eps = events_per_second(row)
        ratio = {k: f"{eps / events_per_second(same[k]):.2f}" if k in same else "-"
                 for k in ("nest", "brian2")}
        bio_s = row.get("duration_ms", DURATION_MS) / 1000.0
        lines.append(
            f"| {row['network']} | {row['size']} | {row['kind']} | {row['cells']:,} | "
            f"{row['synapses'] / 1e6:.2f} M | {row['rate_hz']:.1f} | "
            f"{row['construction_s']:.1f} | {row['compile_s']:.1f} | "
            f"{row['run_s'] / bio_s:.2f} | {row['peak_mb']:,.0f} | "
            f"{row['peak_mb'] * 2 ** 20 / max(row['synapses'], 1):.0f} | {eps:.2e} | "
            f"{row['background_events'] / row['run_s']:.2e} | "
            f"{ratio['nest']} | {ratio['brian2']} |")
    return "\n".join(lines)


def events_per_second(row):
    return row["events"] / row["run_s"]


def plot(rows, path):
    """Log-log: run time per biological second and peak memory against synapse count."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    markers = {"cuba": "o", "coba": "s", "microcircuit": "^", "m1-gamma": "*",
               "motor-loop": "P"}
    colours = {"brainmodel": "C0", "brian2": "C1", "nest": "C2"}
    for row in (r for r in rows if "error" not in r):
        bio_s = row.get("duration_ms", DURATION_MS) / 1000.0
        style = dict(marker=markers[row["network"]], color=colours[row["kind"]], ls="none",
                     ms=8, alpha=0.85)
        axes[0].loglog(row["synapses"], row["run_s"] / bio_s, **style)
        axes[1].loglog(row["synapses"], row["peak_mb"], **style)
    for ax, label in zip(axes, ("run wall time per biological second (s)", "peak memory (MB)")):
        ax.set_xlabel("synapses")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
    handles = ([plt.Line2D([], [], color=c, marker="o", ls="none", label=k)
                for k, c in colours.items()]
               + [plt.Line2D([], [], color="grey", marker=m, ls="none", label=k)
                  for k, m in markers.items()])
    axes[1].legend(handles=handles, fontsize=8, loc="upper left")
    fig.suptitle("cost against size, one thread, this machine (benchmarks/benchmark.py)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", default=None,
                   help="comma-separated network:size (e.g. cuba:4000,microcircuit:0.1), "
                        "own:<experiment> or own:<experiment>:<default|10x>; default: everything")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results",
                   help="folder for table.md, results.json and cost_vs_size.png")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    p.add_argument("--network", default=None, help=argparse.SUPPRESS)
    p.add_argument("--size", type=float, default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        size = int(args.size) if args.network != "microcircuit" else args.size
        worker(args.worker, args.network, size, args.seed)
        return
    wanted = set(args.only.split(",")) if args.only else None
    jobs = [("matched", network, size) for network, size in MATCHED
            if wanted is None or f"{network}:{size:g}" in wanted]
    jobs += [("own", experiment, (label, extra)) for experiment, label, extra in OWN
             if wanted is None or {f"own:{experiment}", f"own:{experiment}:{label}"} & wanted]
    if not jobs:
        sys.exit(f"benchmark: nothing matches --only {args.only}")
    rows = []
    began = time.perf_counter()
    for kind, network, size in jobs:
        if kind == "matched":
            for simulator in SIMULATORS:
                print(f"[{time.perf_counter() - began:6.0f} s] {network} {size:g} {simulator}",
                      flush=True)
                rows.append(_matched_row(simulator, network, size, args.seed))
        else:
            print(f"[{time.perf_counter() - began:6.0f} s] {network} {size[0]}", flush=True)
            rows.append(_own_row(network, size[0], size[1], args.seed))
    text = table(rows)
    print("\n" + text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "table.md").write_text(text + "\n")
    (args.out / "results.json").write_text(json.dumps(rows, indent=1))
    plot(rows, args.out / "cost_vs_size.png")
    print(f"\nwrote {args.out / 'table.md'}, results.json and cost_vs_size.png")


if __name__ == "__main__":
    main()
