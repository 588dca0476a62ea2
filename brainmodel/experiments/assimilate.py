"""``assimilate``: an ensemble Kalman filter (``brainmodel.analysis.assimilation``) on members of
one compiled network (MOp + MOs).

A hidden "truth" member with background factors ``TRUTH`` per area produces the observations
(E and FS population rates of every area over the run after ``OBSERVATION_START_MS``); the EnKF
starts from a wide prior (factors in [0.5, 1.5], prior mean 1, SD 1 in the logit transform) and
updates the ensemble over ``config.cycles`` cycles. Outputs parameter trajectories, error and
spread per cycle, and a figure.
"""
from __future__ import annotations

import numpy as np

from ..analysis import assimilation
from ..figures.ensemble import assimilation_figure
from ..simulation import ensemble
from .ensemble import Ensemble

BOUNDS = (0.5, 1.5)
TRUTH = (0.7, 1.3)                     # hidden background factors, cycled over the areas
OBSERVATION_SD_FRACTION = 0.01


class Assimilate(Ensemble):
    name = "assimilate"
    description = "EnKF: recover hidden per-area background factors of MOp + MOs from their rates"
    defaults = {"regions": ("MOp", "MOs"), "density": 0.02, "duration_ms": 400.0,
                "topography": False, "analysis_start_ms": 100.0, "members": 16, "cycles": 10}
    order = 40

    def run_members(self, ens, config, areas, names, observe, out, progress,
                    observe_and_check=None) -> dict:
        parameter_names = [f"background:{a}" for a in areas]
        truth = np.array([TRUTH[n % len(TRUTH)] for n in range(len(areas))])
        bounds = assimilation.Bounds(np.full(len(areas), BOUNDS[0]),
                                     np.full(len(areas), BOUNDS[1]))
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
                                         config.members, config.cycles, config.seed, truth,
                                         progress)
        assimilation_figure(out / "figures" / "assimilation.png", parameter_names, truth, result)
        error = result["error"]
        return {"parameters": parameter_names, "truth": truth.tolist(),
                "observations": [f"{a} {t}" for a, t in names],
                "observed_hz": observed.tolist(), "mean": result["mean"].tolist(),
                "sd": result["sd"].tolist(), "error": error.tolist(),
                "error_reduction": float(error[0] / max(error[-1], 1e-12)),
                "members": config.members, "cycles": config.cycles}

    def headline(self, outcome) -> str:
        summary = outcome.summary
        return (f"parameter error {summary['error'][0]:.3f} -> {summary['error'][-1]:.4f} "
                f"({summary['error_reduction']:.1f}x lower) over {summary['cycles']} cycles")


EXPERIMENT = Assimilate()
