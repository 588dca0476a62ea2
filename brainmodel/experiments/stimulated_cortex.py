"""The common shape of m1-gamma, motor-loop, agranular-bg-cb and bihemispheric-cortex: one run of
the DC stimulus in one voxel, analysed in the stimulated column (rates, spectrum, gamma phases,
the reference study's phase relations; ``brainmodel.analysis.cortex``) and, when non-cortical
regions are modelled, per region and type (``brainmodel.analysis.regions``). With
``rest_control`` the same compiled network also runs without the DC, and every measure is
reported against it (``regime``; for multi-region runs ``regions_control``,
``regions_vs_control`` and ``caused_checks``). ``stability``: every area's E rate and the
largest 5 ms population burst (``brainmodel.analysis.activity``) of the stimulated run, and
``stability_control`` of the control run."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..analysis import activity, cortex, regime, regions
from ..figures import cortex as cortex_figures
from ..figures.animation import onset_animation
from ..figures import regions as region_figures
from ..figures import regime as regime_figures
from ..model.stimulus import StimulusPlan, single_run
from .base import NetworkExperiment

REST_LABEL = "rest"
# The DC's reach in the multi-region experiments at density 0.05: the L2/3 cells within 150 um
# of the voxel's surface point, about 130 cells (127 in motor-loop seed 1), as many as one 100 um
# voxel holds at full density (about 140; at 0.05 it holds 7). The reference study stimulates
# one voxel of the full-density model; a 0.05 model's single voxel drives 20x fewer cells.
# Chosen from this count, not tuned: 300 um (474 cells) drives MOp E to 5 Hz.
FULL_DENSITY_VOXEL_RADIUS_UM = 150.0


class StimulatedCortex(NetworkExperiment):
    def __init__(self, name: str, description: str, defaults: dict | None = None,
                 required_regions: tuple[str, ...] = (), order: int = 100,
                 rest_control: bool = False):
        self.name, self.description = name, description
        self.defaults = defaults or {}
        self.required_regions, self.order = required_regions, order
        self.rest_control = rest_control

    def plan_stimulus(self, network, stimulus, config, progress) -> StimulusPlan:
        """The stimulated run; with ``rest_control`` also the same network without the DC
        (label ``rest``, spikes-rest.h5), its control (not over MPI ranks, which run one
        network once)."""
        plan = single_run(stimulus, network.cells)
        if not self.with_rest(config):
            return plan
        rest = (REST_LABEL, np.zeros(len(network.cells), bool))
        return StimulusPlan(stimulus, plan.runs + (rest,))

    def with_rest(self, config) -> bool:
        return self.rest_control and not config.ranks

    def summarise(self, model, config, spikes: list) -> dict:
        summary = cortex.summarise(model, config, *spikes[0])
        groups = model.area_and_hemisphere_of_cells()
        summary["stability"] = activity.stability(*spikes[0], groups, model.cells.type,
                                                  *summary["analysis_window_ms"])
        if len(spikes) > 1:
            summary["stability_control"] = activity.stability(
                *spikes[1], groups, model.cells.type, *summary["analysis_window_ms"])
        if len(spikes) > 1:
            summary["regime"] = regime.summarise_regime(
                model, config, spikes[0], spikes[1], summary["analysis_window_ms"],
                cortex.column_mask(model, config.column_radius_um))
        if model.n_cortex is not None:
            summary["regions"] = regions.summarise_regions(model, config, *spikes[0], summary)
            if len(spikes) > 1:
                control = regions.summarise_regions(model, config, *spikes[1], summary)
                summary["regions_control"] = control
                summary["regions_vs_control"] = regions.against_control(summary["regions"],
                                                                        control)
                summary["caused_checks"] = regions.caused_checks(summary["regions_vs_control"])
            self.region_checks(summary)
        return summary

    def region_checks(self, summary: dict) -> None:
        """Experiment-specific observations added to a multi-region summary (none here)."""

    def figures(self, folder: Path, model, config, spikes: list, summary: dict) -> None:
        if model.n_cortex is not None:
            control = spikes[1] if len(spikes) > 1 else None
            region_figures.region_figures(folder, model, config, *spikes[0], summary,
                                          control=control)
            region_figures.voxel_rate_map(folder / "voxel_rates.png", model, *spikes[0],
                                          *summary["analysis_window_ms"])
            runs = [("DC", *spikes[0])] + ([("control (no DC)", *control)] if control else [])
            onset_animation(folder / "activity_flatmap.gif", model, config, runs,
                            region_figures.trace_groups(model, summary["regions"]))
        cortex_figures.all_figures(folder, model, config, *spikes[0], summary)
        if len(spikes) > 1:
            regime_figures.regime_figures(folder, model, config, spikes[0], spikes[1], summary)

    def headline(self, outcome) -> str:
        timings, peak = outcome.timings, outcome.summary["spectral_peak"]
        return (f"{timings['n_cells']} cells, {timings['n_synapses']} synapses; peak "
                f"{peak['frequency_hz']:.1f} Hz ({peak['peak_to_background']:.1f}x background); "
                f"compile {timings['codegen_compile_s']:.1f} s, run {timings['run_s']:.1f} s")
