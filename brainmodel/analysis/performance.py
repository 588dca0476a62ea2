"""Performance numbers of a run (timings.json): sizes, stage and device times, synaptic events
and peak memory."""
from __future__ import annotations

import resource
import time

import numpy as np


def run_timings(model, run_timings, construction_s, node_ids, wall_start) -> dict:
    """Sizes, stage times, spikes, synaptic events and peak memory of one simulated model."""
    n_syn = int(sum(len(e) for e in model.edges))
    outdegree = np.zeros(len(model.cells), dtype=np.int64)
    for table in model.edges:
        outdegree += np.bincount(table.pre, minlength=len(model.cells))
    events = int(outdegree[node_ids].sum())
    run_s = run_timings.get("run_s", float("nan"))
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    connectivity_s = model.timings.get("connectivity_s", float("nan"))
    return {
        "n_cells": len(model.cells), "n_synapses": n_syn,
        "atlas_s": model.timings.get("atlas_s"), "placement_s": model.timings.get("placement_s"),
        "connectivity_s": connectivity_s,
        "synapses_per_second_constructed": n_syn / connectivity_s if connectivity_s else None,
        "network_construction_s": construction_s,
        "codegen_compile_s": run_timings.get("codegen_compile_s"), "run_s": run_s,
        "total_wall_s": time.perf_counter() - wall_start,
        "n_spikes": int(len(node_ids)), "synaptic_events": events,
        "synaptic_events_per_second": events / run_s if run_s else None,
        "peak_memory_python_mb": self_mb, "peak_memory_simulation_mb": child_mb,
        **{k: v for k, v in run_timings.items() if k.startswith("mpi_")}}
