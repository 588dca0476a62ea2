"""The ``ensemble`` and ``assimilate`` experiments (``brainmodel.ensemble``,
``brainmodel.assimilation``).

- ``ensemble``: N members of one compiled network (default: bihemispheric-cortex) that differ by
  seed (initial state) and by a per-area background factor drawn around 1 (SD 0.1); reports
  each member's area rates and the throughput (members x biological seconds per wall second,
  per core).
- ``assimilate``: a hidden "truth" member with background factors ``TRUTH`` per area produces
  the observations (E and FS population rates of every area over the run after
  ``OBSERVATION_START_MS``); an EnKF starts from a wide prior (factors in [0.5, 1.5], prior mean
  1, SD 1 in the logit transform) and updates the ensemble over ``config.cycles`` cycles. Outputs
  parameter trajectories, error and spread per cycle, and a figure.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from . import assimilation, ensemble, outputs

OBSERVATION_START_MS = 100.0
BOUNDS = (0.5, 1.5)
TRUTH = (0.7, 1.3)                     # hidden background factors, cycled over the areas
OBSERVATION_SD_FRACTION = 0.01
ENSEMBLE_SPREAD = 0.1


def _observation_groups(model):
    areas = np.asarray(model.group_of_cells())
    names = [(a, t) for a in dict.fromkeys(areas) for t in ("E", "FS")]
    return names, [(areas == a) & (model.cells.type == t) for a, t in names]


def _rates(spikes, masks, start_ms, stop_ms):
    ids, times = spikes
    keep = (times >= start_ms) & (times < stop_ms)
    counts = [np.sum(m[ids[keep]]) for m in masks]
    return np.array([c / max(m.sum(), 1) / ((stop_ms - start_ms) / 1000.0)
                     for c, m in zip(counts, masks)])


def run(model, config, out: Path, progress, keep_build: bool = False) -> dict:
    """Build once, run the members, write summary.json and figures; returns the summary. The
    compiled project (static arrays of every synapse, about 500 MB for bihemispheric-cortex)
    goes to a temporary folder, or to ``out/build`` with ``keep_build``."""
    start = time.perf_counter()
    build_dir = out / "build" if keep_build else Path(tempfile.mkdtemp(prefix="brainmodel-ens-"))
    names, masks = _observation_groups(model)
    areas = list(dict.fromkeys(model.group_of_cells()))

    def observe(spikes):
        return _rates(spikes, masks, OBSERVATION_START_MS, config.duration_ms)

    ens = None
    try:
        ens = ensemble.Ensemble(model, config, build_dir, progress)
        compile_s = ens.run.timings.get("codegen_compile_s", float("nan"))
        if config.experiment == "ensemble":
            summary = _ensemble(ens, config, areas, names, observe, out, progress)
        else:
            summary = _assimilate(ens, config, areas, names, observe, out, progress)
    finally:
        if ens is not None:
            ens.close()
        if not keep_build:
            shutil.rmtree(build_dir, ignore_errors=True)
    summary.update(experiment=config.experiment, compile_s=compile_s,
                   total_wall_s=time.perf_counter() - start)
    outputs.write_json(out / "summary.json", summary)
    return summary


def _ensemble(ens, config, areas, names, observe, out, progress) -> dict:
    rng = np.random.default_rng(config.seed)
    members = [ensemble.Member({f"background:{a}": float(1.0 + ENSEMBLE_SPREAD
                                                           * rng.standard_normal())
                                for a in areas}, seed=config.seed * 1000 + n)
               for n in range(config.members)]
    progress(f"ensemble: {len(members)} members x {config.duration_ms:g} ms, "
             f"{config.workers} at a time")
    rates = [r.tolist() for r in ens.run_members(members, config.workers, progress,
                                                  reduce=observe)]
    wall = ens.run.timings["members_run_s"]
    bio_s = len(members) * config.duration_ms / 1000.0
    summary = {"members": len(members), "workers": config.workers,
               "observations": [f"{a} {t}" for a, t in names],
               "member_parameters": [m.parameters for m in members], "member_rates_hz": rates,
               "members_wall_s": wall, "member_bio_s_per_wall_s": bio_s / wall,
               "member_bio_s_per_wall_s_per_core": bio_s / wall / max(1, min(config.workers,
                                                                             os.cpu_count() or 1))}
    from . import plotting
    plotting.ensemble_figure(out / "figures" / "ensemble_rates.png", summary)
    return summary


def _assimilate(ens, config, areas, names, observe, out, progress) -> dict:
    parameter_names = [f"background:{a}" for a in areas]
    truth = np.array([TRUTH[n % len(TRUTH)] for n in range(len(areas))])
    bounds = assimilation.Bounds(np.full(len(areas), BOUNDS[0]), np.full(len(areas), BOUNDS[1]))
    observed = ens.run_members([ensemble.Member(dict(zip(parameter_names, truth)),
                                                seed=config.seed + 10_000)], 1, None,
                               reduce=observe)[0]
    observation_sd = np.maximum(OBSERVATION_SD_FRACTION * observed, 0.05)
    member_seeds = config.seed * 1000 + np.arange(config.members)

    def forward(theta):
        members = [ensemble.Member(dict(zip(parameter_names, row)), seed=int(s))
                   for row, s in zip(theta, member_seeds)]
        return np.array(ens.run_members(members, config.workers, None, reduce=observe))

    progress(f"assimilate: {config.members} members, {config.cycles} cycles, parameters "
             f"{', '.join(parameter_names)} (hidden: {np.round(truth, 2).tolist()})")
    result = assimilation.assimilate(forward, bounds, np.ones(len(areas)),
                                     np.ones(len(areas)), observed, observation_sd,
                                     config.members, config.cycles, config.seed, truth, progress)
    from . import plotting
    plotting.assimilation_figure(out / "figures" / "assimilation.png", parameter_names, truth,
                                 result)
    error = result["error"]
    return {"parameters": parameter_names, "truth": truth.tolist(),
            "observations": [f"{a} {t}" for a, t in names], "observed_hz": observed.tolist(),
            "mean": result["mean"].tolist(), "sd": result["sd"].tolist(),
            "error": error.tolist(), "error_reduction": float(error[0] / max(error[-1], 1e-12)),
            "members": config.members, "cycles": config.cycles}
