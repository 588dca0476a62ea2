"""Topography experiment: stimulation sites along the rostro-caudal axis of MOp and where the
response lands in the other areas (the reference study's third result, DESIGN.md item 3).

Sites: the L2/3 voxels of the first requested region (left MOp) closest to the centroid of the
voxel slices at SITE_QUANTILES of its rostro-caudal (AP) extent. Every site run shares one
network, seed and background with a control run without stimulus; a cell's response is its rate
in the site run minus its rate in the control run over the analysis window. Per area (requested
region, e.g. SSp with all its body-part subareas): the response centroid along AP (mean AP
position weighted by the magnitude of the response, stimulated cells excluded) and the mean
response in SEGMENTS equal rostro-caudal segments. The magnitude, not the positive part: the DC
recruits FS cells, so the cells around a site and their targets mostly fire less, not more.
"""
from __future__ import annotations

import numpy as np

SITE_QUANTILES = (0.2, 0.5, 0.8)
SEGMENTS = 5
AP_AXIS = 0                 # CCF: x is anterior (0) -> posterior


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


def cell_rates(node_ids, times_ms, n_cells: int, start_ms: float, stop_ms: float) -> np.ndarray:
    window = (times_ms >= start_ms) & (times_ms < stop_ms)
    return np.bincount(node_ids[window], minlength=n_cells) / ((stop_ms - start_ms) / 1000.0)


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
