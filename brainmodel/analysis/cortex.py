"""Analysis of the stimulated cortex: rates per layer and type, the spectrum of the stimulated
population, gamma phases per layer and type, and the reference study's phase relations
(DESIGN.md item 1)."""
from __future__ import annotations

import numpy as np

from ..errors import BrainmodelError
from . import spectra
from .rates import mean_rate

GAMMA_BAND_HZ = spectra.GAMMA_BAND_HZ
E_FS_TOLERANCE_DEG = 45.0       # "E and FS in phase": within 45 deg (issue 20's criterion)


def column_mask(model, radius_um: float) -> np.ndarray:
    """Cells whose tangential distance to the stimulated voxel is within radius_um."""
    centre = np.asarray(model.stimulus.surface_um)
    return np.linalg.norm(model.cells.surface_um - centre, axis=1) <= radius_um


def network_column(model, radius_um: float) -> np.ndarray:
    """Column cells (``column_mask``) that the DC does not drive: the network whose response
    the spectrum's reference and the phases describe."""
    return column_mask(model, radius_um) & ~model.stimulated


def summarise(model, config, node_ids, times_ms) -> dict:
    """Rates, spectrum of the stimulated population and gamma phases per layer and type.

    The phases describe the network's response: the reference (the stimulated layer's cells in
    the column) and the per-layer statistics leave out the DC-driven cells, which fire as the
    current makes them (100-150 Hz, a few spikes per gamma cycle) and in L2/3 would give most of
    the E spikes. ``with_driven_cells`` has the same statistics with them included."""
    cells, stim = model.cells, model.stimulus
    column = column_mask(model, config.column_radius_um)
    start, stop = config.analysis_start_ms, min(config.duration_ms, stim.offset_ms)
    if stop - start < 100:
        raise BrainmodelError("the analysis window (stimulus on, after --analysis-start) is "
                              "shorter than 100 ms; lengthen the run or the stimulus")
    baseline = (0.0, stim.onset_ms)
    rates = {}
    for layer, cell_type in cells.populations:
        members = np.flatnonzero((cells.layer == layer) & (cells.type == cell_type))
        if len(members) == 0:
            continue
        in_pop = np.isin(node_ids, members)
        in_col = in_pop & column[node_ids]
        n_col = int(np.sum(column[members]))
        rates[f"{layer} {cell_type}"] = {
            "n_cells": int(len(members)), "n_cells_column": n_col,
            "baseline_hz": mean_rate(times_ms[in_pop], len(members), *baseline),
            "stimulus_hz": mean_rate(times_ms[in_pop], len(members), start, stop),
            "column_stimulus_hz": mean_rate(times_ms[in_col], n_col, start, stop)}

    network = network_column(model, config.column_radius_um)
    reference = network & (cells.layer == stim.layer)
    ref_rate, peak = rate_and_peak(times_ms[reference[node_ids]], int(reference.sum()),
                                    start, stop)
    dc_rate, dc_peak = rate_and_peak(times_ms[model.stimulated[node_ids]],
                                      int(model.stimulated.sum()), start, stop)
    phases, checks, with_driven = {}, {}, {}
    if np.isfinite(peak["frequency_hz"]):
        phase = spectra.gamma_phase(ref_rate, peak["frequency_hz"])
        depth = model.voxels.depth[cells.voxel_row]
        phases = layer_phases(cells, network, node_ids, times_ms, phase, start, stop)
        layer_depth = {layer: float(depth[column & (cells.layer == layer)].mean())
                       for layer in phases}
        checks = phase_checks(phases, layer_depth)
        all_column = layer_phases(cells, column, node_ids, times_ms, phase, start, stop)
        with_driven = {"gamma_phase": all_column,
                       "checks": phase_checks(all_column, layer_depth)}
    return {"experiment": config.experiment,
            "stimulus": {"layer": stim.layer, "voxel_ijk": list(stim.voxel_ijk),
                         "onset_ms": stim.onset_ms, "offset_ms": stim.offset_ms,
                         "amplitude_mv": stim.amplitude_mv,
                         "n_stimulated_cells": int(model.stimulated.sum())},
            "analysis_window_ms": [start, stop], "column_radius_um": config.column_radius_um,
            "reference_population": f"{stim.layer} cells within {config.column_radius_um:g} um "
                                    f"(tangential) of the stimulated voxel, DC-driven cells "
                                    f"excluded",
            "spectral_peak": peak,
            "stimulated_cells": {"rate_hz": float(dc_rate.mean()), "spectral_peak": dc_peak},
            "rates": rates, "gamma_phase": phases, "checks": checks,
            "with_driven_cells": with_driven}


def layer_phases(cells, members, node_ids, times_ms, phase, start, stop) -> dict:
    """Circular statistics of the spike phases per layer and type of the cells in ``members``
    (bool per cell), against the reference ``phase`` (``spectra.gamma_phase``)."""
    phases = {}
    for layer, cell_type in cells.populations:
        sel = members & (cells.layer == layer) & (cells.type == cell_type)
        window = sel[node_ids] & (times_ms >= start) & (times_ms < stop)
        if not window.any():
            continue
        stats = spectra.circular_stats(spectra.spike_phases(times_ms[window], phase, start))
        stats["mean_phase_deg"] = float(np.degrees(stats["mean_phase_rad"]))
        phases.setdefault(layer, {})[cell_type] = stats
    return phases


def rate_and_peak(times_ms, n_cells, start, stop):
    """Population rate of a group in [start, stop) and the peak of its Welch spectrum."""
    rate = spectra.population_rate(times_ms, n_cells, start, stop)
    peak = spectra.spectral_peak(*spectra.welch_spectrum(rate))
    peak["in_gamma_band"] = bool(GAMMA_BAND_HZ[0] <= peak["frequency_hz"] <= GAMMA_BAND_HZ[1])
    return rate, peak


def phase_checks(phases: dict, layer_depth: dict) -> dict:
    """The reference study's phase relations, evaluated on the measured mean phases.

    Depth order: for each type, the mean phase of every layer relative to L2/3 (wrapped into
    +-180 deg) and the weighted least-squares slope of that lag against the layer's mean relative
    depth (weights from the circular standard errors). "Later with depth" for E cells means every
    deeper layer lags L2/3 and the slope is more than two standard errors above zero; whether the
    three deep layers are also in strict order is reported separately (their lags differ by less
    than the phase noise of one run, see the README).
    """
    per_layer = {}
    for layer, by_type in phases.items():
        entry = {}
        if "E" in by_type and "FS" in by_type:
            difference = np.degrees(spectra.phase_difference(
                by_type["FS"]["mean_phase_rad"], by_type["E"]["mean_phase_rad"]))
            entry["FS_minus_E_deg"] = float(difference)
            entry["E_FS_within_45_deg"] = bool(abs(difference) <= E_FS_TOLERANCE_DEG)
        if {"E", "FS", "LTS"} <= set(by_type):
            ef = np.angle(np.exp(1j * by_type["E"]["mean_phase_rad"])
                          + np.exp(1j * by_type["FS"]["mean_phase_rad"]))
            entry["LTS_later_than_E_FS"] = bool(spectra.phase_difference(
                by_type["LTS"]["mean_phase_rad"], ef) > 0)
        per_layer[layer] = entry
    depth_order = {}
    for cell_type in ("E", "FS", "LTS"):
        ordered = [layer for layer in ("L2/3", "L4", "L5A", "L5B", "L6")
                   if cell_type in phases.get(layer, {})
                   and phases[layer][cell_type]["n_spikes"] > 1]
        if len(ordered) < 2:
            continue
        top = phases[ordered[0]][cell_type]["mean_phase_rad"]
        lags = np.array([spectra.phase_difference(phases[la][cell_type]["mean_phase_rad"], top)
                         for la in ordered])
        errors = np.array([phases[la][cell_type]["standard_error_rad"] for la in ordered])
        slope, slope_error = spectra.weighted_slope(
            [layer_depth[la] for la in ordered], lags, errors)
        depth_order[cell_type] = {
            "layers": ordered,
            "lag_vs_top_deg": {la: float(np.degrees(g)) for la, g in zip(ordered, lags)},
            "lag_error_deg": {la: float(np.degrees(e)) for la, e in zip(ordered, errors)},
            "slope_deg_per_relative_depth": float(np.degrees(slope)),
            "slope_error_deg": float(np.degrees(slope_error)),
            "deeper_layers_all_later": bool(np.all(lags[1:] > 0)),
            "strict_layer_order": bool(np.all(np.diff(lags) > 0))}
    e_order = depth_order.get("E", {})
    later = bool(e_order and e_order["deeper_layers_all_later"]
                 and e_order["slope_deg_per_relative_depth"] > 2 * e_order["slope_error_deg"])
    return {"per_layer": per_layer, "depth_order": depth_order,
            "E_phase_lag_vs_L2/3_deg": e_order.get("lag_vs_top_deg", {}),
            "E_phases_later_with_depth": later}
