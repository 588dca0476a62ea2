"""Simulating a built model: Brian2 objects, code generation, one compilation, and one run of the
binary per run of the model's stimulus plan (``Model.runs``: the stimulated cells go in as
``run_args``, so the runs share the network, seed and background). Over MPI ranks when
``config.ranks`` is set (``brainmodel.simulation.mpi``)."""
from __future__ import annotations

import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import brian2 as b2
import numpy as np

from ..model.parameters import stimulus_conductances
from . import devices
from .memory import TreeMemory
from .mpi import launch
from .network import create_network


@dataclass
class SimulationRun:
    device: devices.DeviceRun       # name, build folder, timings (codegen_compile_s, run_s, ...)
    construction_s: float           # from ``start`` to the network objects
    spikes: list                    # [(cell ids, times ms)] per run; [] with compile_only


@contextmanager
def build_folder(kept: Path | None, prefix: str):
    """``kept`` (created if needed, left in place) or a temporary folder removed at the end,
    whatever happens."""
    if kept is not None:
        Path(kept).mkdir(parents=True, exist_ok=True)
        yield Path(kept)
        return
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def simulate_model(model, config, kept_build_dir: Path | None, start: float,
                   progress) -> SimulationRun:
    """Every run of ``model.runs`` on the configured device (one compilation). The build folder
    is temporary unless ``kept_build_dir`` is given. The timings include the process tree's
    peak memory (``brainmodel.simulation.memory``)."""
    with TreeMemory() as memory:
        sim = _simulate(model, config, kept_build_dir, start, progress)
    sim.device.timings["peak_memory_tree_mb"] = memory.peak_mb
    return sim


def _simulate(model, config, kept_build_dir, start, progress) -> SimulationRun:
    masks = [mask for _, mask in model.runs]
    with build_folder(kept_build_dir, "brainmodel-build-") as build_dir:
        if config.ranks:
            construction_s = time.perf_counter() - start
            timings, spikes = launch.simulate(model, config, build_dir, progress)
            return SimulationRun(devices.DeviceRun(config.device, build_dir, config.threads,
                                                   timings), construction_s, spikes)
        run = devices.use_device(config.device, build_dir, config.threads,
                                 config.compute_capability)
        try:
            net, objects = create_network(
                model, config, compact_dir=build_dir if config.compact_delivery else None)
            construction_s = time.perf_counter() - start
            progress(f"Brian2 network created in {construction_s:.1f} s; simulating "
                     f"{config.duration_ms:g} ms on {config.device}")
            monitor, group = objects["spikes"], objects["cortex"]
            variants = None
            if len(masks) > 1:
                variants = [{group.stim_mask: mask.astype(float),
                             group.g_ampa_stim: stimulus_conductances(
                                 model, mask, config.indegree_fraction)} for mask in masks]
            spikes = devices.run_network(
                run, net, config.duration_ms * b2.ms, progress=progress,
                compile_only=config.compile_only, variants=variants,
                collect=lambda: (np.asarray(monitor.i[:], dtype=np.int64),
                                 np.asarray(monitor.t[:] / b2.ms)))
            return SimulationRun(run, construction_s, spikes)
        finally:
            devices.release_device()
