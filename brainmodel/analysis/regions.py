"""Analysis of multi-region runs: per area or region and cell type, rate, spectrum, gamma-band
power and coherence with the stimulated area, gamma-phase locking, each against the same network
without the stimulus (its control); the motor loop's observations (DESIGN.md item 2)."""
from __future__ import annotations

import numpy as np

from . import regime, spectra
from .cortex import GAMMA_BAND_HZ, rate_and_peak

# issue 21's criteria for "caused by the stimulus": the stimulated area's gamma power against
# its control, and a region's gamma coherence with that area against its control
REFERENCE_POWER_RATIO_MIN = 3.0
COHERENCE_RATIO_MIN = 1.5
LOOP_COHERENCE_KEYS = ("MOs E", "pons E", "cerebellum GrC")


def gamma_band_power(rate: np.ndarray, band_hz=GAMMA_BAND_HZ) -> float:
    """Power of a population rate's Welch spectrum summed over the band (Hz^2)."""
    return spectra.band_power(*spectra.welch_spectrum(rate), band_hz)


def summarise_regions(model, config, node_ids, times_ms, summary) -> dict:
    """Per area (cortex) or region (others) and cell type: rate, spectral peak, gamma-band
    coherence with the stimulated area (all its cells, e.g. the whole of MOp) against surrogates
    with every cell's train shifted by its own lag (``spectra.spike_train_coherence``), and
    gamma-phase locking (vector strength, circular mean) to that area's rhythm
    (band-passed around its own spectral peak); ``cells``: the cells' rate distribution, ISI
    CV and clock-like fraction (``brainmodel.analysis.regime.distribution``)."""
    cells = model.cells
    start, stop = summary["analysis_window_ms"]
    label = model.group_of_cells()
    reference_area = label[np.flatnonzero(model.stimulated)[0]]
    reference = label == reference_area
    ref_rate, ref_peak = rate_and_peak(times_ms[reference[node_ids]], int(reference.sum()),
                                        start, stop)
    peak_hz = ref_peak["frequency_hz"]
    phase = spectra.gamma_phase(ref_rate, peak_hz) if np.isfinite(peak_hz) else None
    window = (times_ms >= start) & (times_ms < stop)
    rates, cv, _ = regime.cell_statistics(node_ids, times_ms, len(label), start, stop)
    out = {"reference": {"population": f"all cells of {reference_area}",
                         "area": reference_area, "spectral_peak": ref_peak,
                         "gamma_band_power": gamma_band_power(ref_rate)}}
    for name in dict.fromkeys(zip(label, cells.type)):
        members = (label == name[0]) & (cells.type == name[1])
        spikes = members[node_ids] & window
        rate, peak = rate_and_peak(times_ms[spikes], int(members.sum()), start, stop)
        entry = {"n_cells": int(members.sum()), "rate_hz": float(rate.mean()),
                 "spectral_peak": peak, "gamma_band_power": gamma_band_power(rate),
                 "cells": regime.distribution(rates[members], cv[members])}
        if rate.any():
            owner = np.unique(node_ids[spikes], return_inverse=True)[1]
            entry["gamma_coherence"] = spectra.spike_train_coherence(
                ref_rate, rate, times_ms[spikes], owner, int(members.sum()), start, stop,
                GAMMA_BAND_HZ, rng=np.random.default_rng(len(out)))
        if phase is not None and spikes.any():
            stats = spectra.circular_stats(spectra.spike_phases(times_ms[spikes], phase, start))
            stats["mean_phase_deg"] = float(np.degrees(stats["mean_phase_rad"]))
            entry["gamma_phase"] = stats
        out[f"{name[0]} {name[1]}"] = entry
    return out


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else (float("inf") if a > 0 else float("nan"))


def against_control(stimulated: dict, control: dict) -> dict:
    """Each population of ``summarise_regions`` with the stimulus against the same population in
    the control run (same network, no stimulus): gamma band power and gamma coherence with the
    stimulated area, both runs and their ratio, and whether the stimulated run's coherence is
    above its surrogates (cells' trains shifted one by one)."""
    out = {"reference": {
        "gamma_band_power": stimulated["reference"]["gamma_band_power"],
        "gamma_band_power_control": control["reference"]["gamma_band_power"],
        "gamma_power_ratio": _ratio(stimulated["reference"]["gamma_band_power"],
                                    control["reference"]["gamma_band_power"])}}
    for name, entry in stimulated.items():
        if name == "reference" or name not in control:
            continue
        rest = control[name]
        row = {"gamma_power_ratio": _ratio(entry["gamma_band_power"], rest["gamma_band_power"])}
        if "gamma_coherence" in entry and "gamma_coherence" in rest:
            coherence, coherence_rest = (entry["gamma_coherence"]["coherence"],
                                         rest["gamma_coherence"]["coherence"])
            row.update(coherence=coherence, coherence_control=coherence_rest,
                       coherence_ratio=_ratio(coherence, coherence_rest),
                       above_surrogate=entry["gamma_coherence"]["above_surrogate"])
        out[name] = row
    return out


def caused_checks(versus: dict, keys=LOOP_COHERENCE_KEYS) -> dict:
    """Issue 21's criteria on ``against_control``: the stimulated area's gamma power at least
    REFERENCE_POWER_RATIO_MIN x its control; per population in ``keys``, gamma coherence with
    that area at least COHERENCE_RATIO_MIN x its control and above its surrogates (every cell's
    train shifted by its own lag: the whole rate shifted stays coherent with a clock-like
    rhythm, ``spectra.band_coherence``)."""
    def coherent(key):
        row = versus.get(key, {})
        return bool(row.get("coherence_ratio", 0.0) >= COHERENCE_RATIO_MIN
                    and row.get("above_surrogate", False))
    return {"reference_power_at_least_3x_control": bool(
                versus["reference"]["gamma_power_ratio"] >= REFERENCE_POWER_RATIO_MIN),
            "coherence_at_least_1.5x_control_and_above_surrogate": {k: coherent(k)
                                                                    for k in keys}}


LOCKED_KEYS = ("MOp E", "MOs E", "pons E", "cerebellum GrC", "cerebellum PC", "cerebellum DCN",
               "thalamus TC")


def loop_checks(regions: dict) -> dict:
    """The reference study's motor-loop observations on the measured numbers: coherence above
    the surrogates, vector strength and circular SD of the gamma phases per population, pontine
    and granule cells more locked than Purkinje cells, MOs phases spread wider than MOp's."""
    def phase(key, stat):
        return regions.get(key, {}).get("gamma_phase", {}).get(stat, float("nan"))

    def coherent(key):
        return bool(regions.get(key, {}).get("gamma_coherence", {}).get("above_surrogate"))

    def vs(key):
        return phase(key, "vector_strength")

    return {"coherence_above_surrogate": {k: coherent(k) for k in LOOP_COHERENCE_KEYS},
            "vector_strength": {k: vs(k) for k in LOCKED_KEYS},
            "circular_sd_deg": {k: phase(k, "circular_sd_deg") for k in LOCKED_KEYS},
            "pons_and_granule_more_locked_than_purkinje": bool(
                min(vs("pons E"), vs("cerebellum GrC")) > vs("cerebellum PC")),
            "MOs_phase_spread_wider_than_MOp": bool(
                phase("MOs E", "circular_sd_deg") > phase("MOp E", "circular_sd_deg"))}
