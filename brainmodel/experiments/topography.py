"""``topography``: left MOp + MOs + SSp + SSs; three DC sites along the rostro-caudal axis of
MOp, each run against a control without stimulus on the same compiled network (DESIGN.md
item 3; the analysis is ``brainmodel.analysis.topography``).

Sites: the L2/3 voxels of the first requested region (left MOp) closest to the centroid of the
voxel slices at SITE_QUANTILES of its rostro-caudal (AP) extent.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from regions.cortex import model_layers

from ..analysis import topography
from ..analysis.topography import AP_AXIS
from ..errors import BrainmodelError
from ..figures.animation import onset_animation
from ..figures.topography import topography_figures
from ..model.stimulus import StimulusPlan, at_voxel, default_region, stimulated_cells
from .base import NetworkExperiment

SITE_QUANTILES = (0.2, 0.5, 0.8)


def stimulation_sites(voxels, region_mask: np.ndarray, layer_of_voxel: np.ndarray,
                      layer: str = "L2/3", quantiles=SITE_QUANTILES) -> list[tuple[int, int, int]]:
    """One voxel of ``layer`` per quantile of the region's AP extent, rostral first."""
    rows = np.flatnonzero(region_mask & (layer_of_voxel == layer))
    ap = voxels.ijk[rows, AP_AXIS]
    sites = []
    for q in quantiles:
        slice_ap = int(np.quantile(ap, q, method="nearest"))
        in_slice = rows[ap == slice_ap]
        centre = voxels.centre_um[in_slice].mean(axis=0)
        best = in_slice[np.argmin(np.linalg.norm(voxels.centre_um[in_slice] - centre, axis=1))]
        sites.append(tuple(int(i) for i in voxels.ijk[best]))
    return sites


class Topography(NetworkExperiment):
    name = "topography"
    description = "left MOp + MOs + SSp + SSs, three DC sites along the rostro-caudal axis of MOp"
    defaults = {"regions": ("MOp", "MOs", "SSp", "SSs"), "density": 0.05, "duration_ms": 1000.0,
                "stimulus": {"radius_um": 300.0}}
    required_regions = ("MOp",)
    supports_ranks = False
    order = 50

    def plan_stimulus(self, network, stimulus, config, progress) -> StimulusPlan:
        """A control run without stimulus, then one run per site (rostral to caudal)."""
        voxels = network.voxels
        region = default_region(config, network.area_group, voxels)
        sites = stimulation_sites(voxels, region, model_layers(voxels.layer), stimulus.layer)
        runs = [("control", np.zeros(len(network.cells), bool))]
        for n, ijk in enumerate(sites):
            mask = stimulated_cells(at_voxel(stimulus, voxels, int(voxels.find(ijk))),
                                    network.cells)
            if not mask.any():
                raise BrainmodelError(f"topography site {ijk} holds no {stimulus.layer} cells "
                                      f"at density {config.density}; raise --density")
            runs.append((f"site{n + 1}", mask))
        progress(f"topography: control and sites {', '.join(map(str, sites))} (rostral to "
                 f"caudal)")
        return StimulusPlan(stimulus, tuple(runs))

    def summarise(self, model, config, spikes: list) -> dict:
        return topography.summarise_runs(model, config, spikes)

    def figures(self, folder: Path, model, config, spikes: list, summary: dict) -> None:
        topography_figures(folder, model, spikes, summary)
        groups = model.group_of_cells()
        runs = [(f"{label} {tuple(site['voxel_ijk'])}", *s)
                for (label, _), s, site in zip(model.runs[1:], spikes[1:], summary["sites"])]
        onset_animation(folder / "activity_flatmap.gif", model, config,
                        runs + [("control (no DC)", *spikes[0])],
                        {area: groups == area for area in dict.fromkeys(groups)},
                        trace_run=len(runs) // 2)

    def headline(self, outcome) -> str:
        timings, summary = outcome.timings, outcome.summary

        def listing(checks):
            return ", ".join(f"{a} {'yes' if v else 'no'}" for a, v in checks.items())
        return (f"{timings['n_cells']} cells, {timings['n_synapses']} synapses; gamma-response "
                f"centroid follows the MOp site: {listing(summary['centroid_follows_site'])}; "
                f"matching segment >= 4x far: "
                f"{listing(summary['matching_over_far_at_least_4x'])}; run "
                f"{timings['run_s']:.1f} s")


EXPERIMENT = Topography()
