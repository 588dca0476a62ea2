"""Topography analysis: where the response to a stimulation site along the rostro-caudal axis of
MOp lands in the other areas (the reference study's third result, DESIGN.md item 3; the sites
are chosen by ``brainmodel.experiments.topography``).

Every site run shares one network, seed and background with a control run without stimulus
(the runs of one compiled network). The response of a group of cells (an AP slice, a segment, a
voxel column) is its 30-50 Hz band power with the site's DC minus the same group's power in the
control run: the power of the group's population rate (Welch, 1 ms bins), so a rhythm the
group shares raises it and independent spikes barely do. Rate responses (site minus control,
per cell) are reported beside it. Stimulated cells are excluded everywhere.

Per area (requested region, e.g. SSp with all its body-part subareas):
- the response centroid along AP: the mean AP of the AP slices (100 um voxel planes) whose
  gamma power at least doubled (CENTROID_RATIO_MIN x control; the noise of a slice's Welch
  power is about 15-30 % at 0.7-2 s), each weighted by its power increase;
- SEGMENTS equal rostro-caudal segments with their responses (the reference study's Fig. 3C);
- where the site projects (from the edge tables): the mean AP position of the synapses the
  area's cells receive from the stimulated cells (``projection_ap_um``), and the segment whose
  cells receive most of them per cell, the *matching* segment: the part of the area connected
  to the site. Segments at least FAR_DISTANCE segments from it are the far ones. ``matching_over_far``: the matching segment's
  gamma response over the mean of the far ones'.
"""
from __future__ import annotations

import numpy as np
from scipy import signal

from . import spectra
from .rates import cell_rates

SEGMENTS = 5
FAR_DISTANCE = 2            # segments this far from the matching one are "far"
MATCHING_OVER_FAR_MIN = 4.0     # issue 21: the matching segment responds >= 4x the far ones
CENTROID_RATIO_MIN = 2.0    # chosen: far above a slice's estimation noise, see above
AP_AXIS = 0                 # CCF: x is anterior (0) -> posterior


def group_band_powers(node_ids: np.ndarray, times_ms: np.ndarray, label: np.ndarray,
                      n_labels: int, start_ms: float, stop_ms: float,
                      band_hz=spectra.GAMMA_BAND_HZ) -> np.ndarray:
    """Band power (Hz^2) of the population rate of every group of cells (``label`` per cell,
    0..n_labels-1, -1 for cells in none) over [start, stop): one Welch spectrum per group."""
    window = (times_ms >= start_ms) & (times_ms < stop_ms)
    owner = label[node_ids[window]]
    keep = owner >= 0
    n_bins = int(round((stop_ms - start_ms) / spectra.BIN_MS))
    bins = np.minimum(((times_ms[window][keep] - start_ms) / spectra.BIN_MS).astype(np.int64),
                      n_bins - 1)
    counts = np.zeros((n_labels, n_bins))
    np.add.at(counts, (owner[keep], bins), 1.0)
    size = np.bincount(label[label >= 0], minlength=n_labels)
    rate = counts / np.maximum(size, 1)[:, None] / (spectra.BIN_MS / 1000.0)
    freqs, power = signal.welch(rate - rate.mean(axis=1, keepdims=True),
                                fs=1000.0 / spectra.BIN_MS,
                                nperseg=int(min(n_bins, 256.0 / spectra.BIN_MS)), axis=-1)
    in_band = (freqs >= band_hz[0]) & (freqs <= band_hz[1])
    return power[:, in_band].sum(axis=1) * (freqs[1] - freqs[0])


def segment_of(ap_um: np.ndarray, members: np.ndarray, segments: int = SEGMENTS):
    """(segment edges along AP over the members' extent, segment index per cell; -1 off)."""
    edges = np.linspace(ap_um[members].min(), ap_um[members].max() + 1e-6, segments + 1)
    index = np.clip(np.searchsorted(edges, ap_um, side="right") - 1, 0, segments - 1)
    return edges, np.where(members, index, -1)


def weighted_centroid(position: np.ndarray, weight: np.ndarray) -> float:
    """Mean position weighted by the positive part of ``weight``; NaN without any."""
    positive = np.clip(np.nan_to_num(weight), 0.0, None)
    return float(np.sum(positive * position) / positive.sum()) if positive.sum() > 0 \
        else float("nan")


def matching_over_far(segment_response: np.ndarray, matching: int,
                      far_distance: int = FAR_DISTANCE) -> float:
    """The matching segment's response over the mean response of the far segments (inf when
    the far ones did not respond and the matching one did; NaN without far segments)."""
    far = np.abs(np.arange(len(segment_response)) - matching) >= far_distance
    if not far.any():
        return float("nan")
    near, away = float(segment_response[matching]), float(np.mean(segment_response[far]))
    if away > 0:
        return near / away
    return float("inf") if near > 0 else float("nan")


def area_response(ap_um: np.ndarray, members: np.ndarray, control, site, rate_response,
                  received: np.ndarray, window, segments: int = SEGMENTS,
                  slice_um: float = 100.0) -> dict:
    """One area's response to one site: centroids, segment curves, matching over far.
    ``control``/``site``: (node ids, times) of the runs; ``rate_response``: per cell, Hz;
    ``received``: per cell, synapses from the site's stimulated cells (the matching segment
    receives most per cell); ``slice_um``: thickness of the AP slices of the gamma centroid."""
    edges, segment = segment_of(ap_um, members, segments)
    slices = np.floor(ap_um / slice_um).astype(np.int64)
    first = slices[members].min()
    slice_label = np.where(members, slices - first, -1)
    n_slices = int(slices[members].max() - first + 1)
    gamma = {}
    for name, label, n in (("slice", slice_label, n_slices), ("segment", segment, segments)):
        gamma[name] = [group_band_powers(*run, label, n, *window) for run in (control, site)]
    slice_ap = (np.arange(n_slices) + first + 0.5) * slice_um
    control_power, site_power = gamma["segment"]
    response = site_power - control_power
    per_cell = np.bincount(segment[members], received[members], segments) / np.maximum(
        np.bincount(segment[members], minlength=segments), 1)
    matching = int(np.argmax(per_cell)) if per_cell.max() > 0 else -1
    rate_per_segment = [float(rate_response[segment == s].mean()) if np.any(segment == s)
                        else float("nan") for s in range(segments)]
    return {"n_cells": int(members.sum()), "segment_edges_ap_um": edges.tolist(),
            "gamma_centroid_ap_um": weighted_centroid(slice_ap, np.where(
                gamma["slice"][1] >= CENTROID_RATIO_MIN * gamma["slice"][0],
                gamma["slice"][1] - gamma["slice"][0], 0.0)),
            "segment_gamma_power_control": control_power.tolist(),
            "segment_gamma_power": site_power.tolist(),
            "segment_gamma_response": response.tolist(),
            "segment_gamma_ratio": (site_power / np.maximum(control_power, 1e-12)).tolist(),
            "rate_centroid_ap_um": weighted_centroid(ap_um[members],
                                                     np.abs(rate_response[members])),
            "segment_rate_response_hz": rate_per_segment,
            "mean_rate_response_hz": float(rate_response[members].mean()),
            "projection_ap_um": weighted_centroid(ap_um[members], received[members]),
            "segment_synapses_from_site_per_cell": per_cell.tolist(),
            "matching_segment": matching,
            "matching_over_far": matching_over_far(response, matching) if matching >= 0
            else float("nan")}


def synapses_from(edges, stimulated: np.ndarray) -> np.ndarray:
    """Per cell, the number of synapses it receives from the ``stimulated`` cells."""
    received = np.zeros(len(stimulated))
    for table in edges:
        if len(table):
            hit = stimulated[table.pre]
            received += np.bincount(table.post[hit], minlength=len(stimulated))
    return received


def follows(site_ap: np.ndarray, centroids) -> bool:
    """Whether centroids move strictly in the direction of the sites."""
    centroids = np.asarray(centroids, float)
    return bool(np.all(np.isfinite(centroids))
                and np.all(np.sign(np.diff(centroids)) == np.sign(np.diff(site_ap))))


def summarise(ap_um: np.ndarray, groups: np.ndarray, edges, runs, stimulated_per_site,
              site_voxels, window, slice_um: float = 100.0) -> dict:
    """Per site and area the responses of ``area_response``; per area whether the gamma and
    rate centroids follow the site, and whether every site's matching segment responds at
    least MATCHING_OVER_FAR_MIN x the far segments. ``runs``: (node ids, times) of the control
    run, then one per site."""
    n = len(ap_um)
    areas = list(dict.fromkeys(groups))
    rates = [cell_rates(ids, t, n, *window) for ids, t in runs]
    per_site = []
    for voxel, stimulated, run, rate in zip(site_voxels, stimulated_per_site, runs[1:],
                                            rates[1:]):
        by_area, received = {}, synapses_from(edges, stimulated)
        for area in areas:
            members = (groups == area) & ~stimulated
            by_area[area] = area_response(
                ap_um, members, runs[0], run, rate - rates[0],
                received, window, slice_um=slice_um)
        per_site.append({"voxel_ijk": list(voxel), "ap_um": float(ap_um[stimulated].mean()),
                         "n_stimulated": int(stimulated.sum()), "areas": by_area})
    site_ap = np.array([s["ap_um"] for s in per_site])
    out = {"sites": per_site, "centroid_follows_site": {}, "rate_centroid_follows_site": {},
           "matching_over_far_at_least_4x": {}}
    for area in areas:
        entries = [s["areas"][area] for s in per_site]
        out["centroid_follows_site"][area] = follows(
            site_ap, [e["gamma_centroid_ap_um"] for e in entries])
        out["rate_centroid_follows_site"][area] = follows(
            site_ap, [e["rate_centroid_ap_um"] for e in entries])
        out["matching_over_far_at_least_4x"][area] = bool(all(
            e["matching_over_far"] >= MATCHING_OVER_FAR_MIN for e in entries))
    out["area_rates_hz"] = {area: [float(r[groups == area].mean()) for r in rates]
                            for area in areas}
    return out


def site_voxel(model, stimulated: np.ndarray) -> tuple[int, int, int]:
    """The voxel of the stimulated cell nearest to the stimulated cells' mean position."""
    rows = np.flatnonzero(stimulated)
    position = model.cells.position_um[rows]
    nearest = rows[np.argmin(np.linalg.norm(position - position.mean(axis=0), axis=1))]
    return tuple(int(v) for v in model.voxels.ijk[model.cells.voxel_row[nearest]])


def summarise_runs(model, config, spikes):
    """The topography summary of ``model.runs`` (control first, then the sites)."""
    cells = model.cells
    start, stop = config.analysis_start_ms, min(config.duration_ms, model.stimulus.offset_ms)
    stimulated = [mask for _, mask in model.runs[1:]]
    out = summarise(cells.position_um[:, AP_AXIS], model.group_of_cells(), model.edges, spikes,
                    stimulated, [site_voxel(model, m) for m in stimulated], (start, stop),
                    model.voxels.resolution_um)
    out["run_labels"] = [label for label, _ in model.runs]
    return {"experiment": config.experiment, "analysis_window_ms": [start, stop],
            "stimulus_amplitude_mv": model.stimulus.amplitude_mv, **out}
