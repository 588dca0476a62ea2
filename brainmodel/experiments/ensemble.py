"""``ensemble``: members of one compiled network (default: bihemispheric-cortex) that differ by
seed (initial state) and by a per-area background factor drawn around 1 (SD 0.1); reports each
member's area rates and the throughput (members x biological seconds per wall second, per core).
The members run through ``brainmodel.simulation.ensemble``; ``assimilate`` builds on this class.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from ..analysis import activity
from ..analysis.rates import group_rates
from ..figures.ensemble import ensemble_figure
from ..simulation import ensemble
from ..simulation.runner import build_folder
from .base import Experiment, Outcome

OBSERVATION_START_MS = 100.0
ENSEMBLE_SPREAD = 0.1


def observation_groups(model):
    """(names, masks) of the observed populations: E and FS cells of every area."""
    areas = np.asarray(model.group_of_cells())
    names = [(a, t) for a in dict.fromkeys(areas) for t in ("E", "FS")]
    return names, [(areas == a) & (model.cells.type == t) for a, t in names]


class Ensemble(Experiment):
    name = "ensemble"
    description = ("members of one compiled bihemispheric cortex that differ by seed and per-area "
                   "background; throughput")
    defaults = {"regions": ("Isocortex",), "hemisphere": "both", "density": 0.02,
                "duration_ms": 1000.0, "topography": False, "members": 4,
                "stimulus": {"region": "MOp"}}
    supports_ranks = False
    order = 30

    def run(self, model, config, out: Path, progress, keep_build: bool) -> Outcome:
        """Build once, run the members; the compiled project (static arrays of every synapse,
        about 500 MB for bihemispheric-cortex) goes to a temporary folder, or to ``out/build``
        with ``keep_build``."""
        start = time.perf_counter()
        names, masks = observation_groups(model)
        areas = list(dict.fromkeys(model.group_of_cells()))

        def observe(spikes):
            return group_rates(*spikes, masks, OBSERVATION_START_MS, config.duration_ms)

        groups = model.area_and_hemisphere_of_cells()

        def observe_and_check(spikes):
            return observe(spikes), activity.stability(*spikes, groups, model.cells.type,
                                                       OBSERVATION_START_MS, config.duration_ms)

        with build_folder(out / "build" if keep_build else None, "brainmodel-ens-") as folder:
            members = ensemble.Ensemble(model, config, folder, progress)
            try:
                compile_s = members.run.timings.get("codegen_compile_s", float("nan"))
                summary = self.run_members(members, config, areas, names, observe, out,
                                           progress, observe_and_check)
            finally:
                members.close()
        summary.update(experiment=config.experiment, compile_s=compile_s,
                       total_wall_s=time.perf_counter() - start)
        return Outcome(summary, {})

    def run_members(self, ens, config, areas, names, observe, out, progress,
                    observe_and_check=None) -> dict:
        """Members with per-area background factors drawn around 1; their rates and, with
        ``observe_and_check``, whether each stayed in its regime (``analysis.activity``)."""
        rng = np.random.default_rng(config.seed)
        members = [ensemble.Member({f"background:{a}": float(1.0 + ENSEMBLE_SPREAD
                                                               * rng.standard_normal())
                                    for a in areas}, seed=config.seed * 1000 + n)
                   for n in range(config.members)]
        progress(f"ensemble: {len(members)} members x {config.duration_ms:g} ms, "
                 f"{config.workers} at a time")
        results = ens.run_members(members, config.workers, progress,
                                  reduce=observe_and_check or observe)
        checks = [r[1] for r in results] if observe_and_check else []
        rates = [(r[0] if observe_and_check else r).tolist() for r in results]
        wall = ens.run.timings["members_run_s"]
        bio_s = len(members) * config.duration_ms / 1000.0
        cores = max(1, min(config.workers, os.cpu_count() or 1))
        summary = {"members": len(members), "workers": config.workers,
                   "observations": [f"{a} {t}" for a, t in names],
                   "member_parameters": [m.parameters for m in members],
                   "member_rates_hz": rates, "members_wall_s": wall,
                   "member_stability": [dict({k: c[k] for k in (
                       "e_rate_range_hz", "largest_bin_fraction_all_cells",
                       "groups_outside_e_rate_range", "bursting_groups", "e_rates_in_range",
                       "no_synchrony_burst")}, e_rate_hz={g: v["e_rate_hz"] for g, v in
                                                          c["groups"].items()})
                                        for c in checks],
                   "members_in_regime": int(sum(c["e_rates_in_range"] and c["no_synchrony_burst"]
                                                for c in checks)),
                   "member_bio_s_per_wall_s": bio_s / wall,
                   "member_bio_s_per_wall_s_per_core": bio_s / wall / cores}
        ensemble_figure(out / "figures" / "ensemble_rates.png", summary)
        return summary

    def headline(self, outcome) -> str:
        summary = outcome.summary
        in_regime = (f"; {summary['members_in_regime']} in regime (E 0.3-10 Hz per area, no "
                     f"5 ms burst over 5 %)" if summary.get("member_stability") else "")
        return (f"{summary['members']} members, {summary['member_bio_s_per_wall_s']:.3f} "
                f"member x biological s per wall s{in_regime}")


EXPERIMENT = Ensemble()
