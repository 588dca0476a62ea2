"""Performance numbers of a run (timings.json): sizes, stage and device times, synaptic events
and peak memory.

Memory: ``peak_memory_tree_mb`` is the peak of the whole process tree (Python plus the compiled
simulation and every other child, summed; ``brainmodel.simulation.memory``), the number that
must fit the machine; ``bytes_per_synapse`` divides it by the synapses. Time: ``loop_s`` is the
compiled binary's simulation loop (Brian2's ``last_run_info``), ``run_s`` the binary's wall time
including its start, loading and writing; events per second are over ``loop_s``.
"""
from __future__ import annotations

import resource
import time

import numpy as np


def synaptic_events(model, node_ids) -> int:
    """Synaptic events of these spikes: the sum of their sources' out-degrees."""
    outdegree = np.zeros(len(model.cells), dtype=np.int64)
    for table in model.edges:
        outdegree += np.bincount(table.pre, minlength=len(model.cells))
    return int(outdegree[node_ids].sum())


def run_timings(model, run_timings, construction_s, node_ids, wall_start) -> dict:
    """Sizes, stage times, spikes, synaptic events and peak memory of one simulated model."""
    n_syn = int(sum(len(e) for e in model.edges))
    events = synaptic_events(model, node_ids)
    run_s = run_timings.get("run_s", float("nan"))
    loop_s = run_timings.get("loop_s", run_s)
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    tree_mb = run_timings.get("peak_memory_tree_mb", self_mb + child_mb)
    connectivity_s = model.timings.get("connectivity_s", float("nan"))
    return {
        "n_cells": len(model.cells), "n_synapses": n_syn,
        "atlas_s": model.timings.get("atlas_s"), "placement_s": model.timings.get("placement_s"),
        "connectivity_s": connectivity_s,
        "synapses_per_second_constructed": n_syn / connectivity_s if connectivity_s else None,
        "network_construction_s": construction_s,
        "codegen_compile_s": run_timings.get("codegen_compile_s"), "run_s": run_s,
        "loop_s": loop_s, "total_wall_s": time.perf_counter() - wall_start,
        "n_spikes": int(len(node_ids)), "synaptic_events": events,
        "synaptic_events_per_second": events / loop_s if loop_s else None,
        "peak_memory_tree_mb": tree_mb,
        "bytes_per_synapse": tree_mb * 2**20 / n_syn if n_syn else None,
        "peak_memory_python_mb": self_mb, "peak_memory_largest_child_mb": child_mb,
        **{k: v for k, v in run_timings.items() if k.startswith("mpi_")}}
