"""Topography analysis: where the response to a stimulation site along the rostro-caudal axis of
MOp lands in the other areas (the reference study's third result, DESIGN.md item 3; the sites
are chosen by ``brainmodel.experiments.topography``).

Every site run shares one network, seed and background with a control run without stimulus
(the runs of one compiled network); a cell's response is its rate
in the site run minus its rate in the control run over the analysis window. Per area (requested
region, e.g. SSp with all its body-part subareas): the response centroid along AP (mean AP
position weighted by the magnitude of the response, stimulated cells excluded) and the mean
response in SEGMENTS equal rostro-caudal segments. The magnitude, not the positive part: the DC
recruits FS cells, so the cells around a site and their targets mostly fire less, not more.
"""
from __future__ import annotations

import numpy as np

from .rates import cell_rates

SEGMENTS = 5
AP_AXIS = 0                 # CCF: x is anterior (0) -> posterior


def area_response(position_um: np.ndarray, response_hz: np.ndarray, members: np.ndarray,
                  segments: int = SEGMENTS) -> dict:
    """AP centroid of the response magnitude and mean response per AP segment of one area."""
    ap = position_um[members, AP_AXIS]
    weight = np.abs(response_hz[members])
    centroid = float(np.sum(weight * ap) / np.sum(weight)) if weight.sum() > 0 else float("nan")
    edges = np.linspace(ap.min(), ap.max() + 1e-6, segments + 1)
    segment = np.clip(np.searchsorted(edges, ap, side="right") - 1, 0, segments - 1)
    per_segment = [float(response_hz[members][segment == s].mean()) if np.any(segment == s)
                   else float("nan") for s in range(segments)]
    return {"centroid_ap_um": centroid, "segment_edges_ap_um": edges.tolist(),
            "segment_response_hz": per_segment, "mean_response_hz": float(response_hz[members].mean())}


def summarise(cells, groups: np.ndarray, site_voxels, site_ap_um, site_cells, control_rates,
              site_rates) -> dict:
    """Per site and area: centroid and segment responses; per area: does the centroid move in
    the direction of the site along MOp (strictly monotonic in the same direction)?"""
    areas = list(dict.fromkeys(groups))
    per_site = []
    for voxel, ap, stimulated, rates in zip(site_voxels, site_ap_um, site_cells, site_rates):
        response = rates - control_rates
        by_area = {area: area_response(cells.position_um, response,
                                       np.flatnonzero((groups == area) & ~stimulated))
                   for area in areas}
        per_site.append({"voxel_ijk": list(voxel), "ap_um": float(ap), "areas": by_area})
    direction = np.sign(np.diff(site_ap_um))
    follows = {}
    for area in areas:
        centroids = np.array([s["areas"][area]["centroid_ap_um"] for s in per_site])
        follows[area] = bool(np.all(np.isfinite(centroids))
                             and np.all(np.sign(np.diff(centroids)) == direction))
    return {"sites": per_site, "centroid_follows_site": follows}


def summarise_runs(model, config, spikes):
    """Responses (site run minus control) per area for every site; ``model.runs`` and
    ``spikes`` hold the control first, then the sites. Returns (summary, per-cell rates of
    every run: control first)."""
    cells = model.cells
    start, stop = config.analysis_start_ms, min(config.duration_ms, model.stimulus.offset_ms)
    rates = [cell_rates(ids, t, len(cells), start, stop) for ids, t in spikes]
    groups = model.group_of_cells()
    site_cells = [mask for _, mask in model.runs[1:]]
    site_voxels = [tuple(model.voxels.ijk[cells.voxel_row[np.flatnonzero(m)[0]]])
                   for m in site_cells]
    site_ap = [float(cells.position_um[m, AP_AXIS].mean()) for m in site_cells]
    out = summarise(cells, groups, site_voxels, site_ap, site_cells, rates[0], rates[1:])
    out["area_rates_hz"] = {label or "run": {area: float(r[groups == area].mean())
                                             for area in dict.fromkeys(groups)}
                            for (label, _), r in zip(model.runs, rates)}
    return {"experiment": config.experiment, "analysis_window_ms": [start, stop],
            "stimulus_amplitude_mv": model.stimulus.amplitude_mv, **out}, rates
