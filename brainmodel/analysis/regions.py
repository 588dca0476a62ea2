"""Analysis of multi-region runs: per area or region and cell type, rate, spectrum, gamma-band
coherence with the stimulated area and gamma-phase locking; the motor loop's observations
(DESIGN.md item 2)."""
from __future__ import annotations

import numpy as np

from . import spectra
from .cortex import GAMMA_BAND_HZ, rate_and_peak


def summarise_regions(model, config, node_ids, times_ms, summary) -> dict:
    """Per area (cortex) or region (others) and cell type: rate, spectral peak, gamma-band
    coherence with the stimulated area (all its cells, e.g. the whole of MOp) against shifted
    surrogates, and gamma-phase locking (vector strength, circular mean) to that area's rhythm
    (band-passed around its own spectral peak)."""
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
    out = {"reference": {"population": f"all cells of {reference_area}",
                         "area": reference_area, "spectral_peak": ref_peak}}
    for name in dict.fromkeys(zip(label, cells.type)):
        members = (label == name[0]) & (cells.type == name[1])
        spikes = members[node_ids] & window
        rate, peak = rate_and_peak(times_ms[spikes], int(members.sum()), start, stop)
        entry = {"n_cells": int(members.sum()), "rate_hz": float(rate.mean()),
                 "spectral_peak": peak}
        if rate.any():
            entry["gamma_coherence"] = spectra.band_coherence(
                ref_rate, rate, GAMMA_BAND_HZ, rng=np.random.default_rng(len(out)))
        if phase is not None and spikes.any():
            stats = spectra.circular_stats(spectra.spike_phases(times_ms[spikes], phase, start))
            stats["mean_phase_deg"] = float(np.degrees(stats["mean_phase_rad"]))
            entry["gamma_phase"] = stats
        out[f"{name[0]} {name[1]}"] = entry
    return out


def loop_checks(regions: dict) -> dict:
    """The reference study's motor-loop observations on the measured numbers."""
    def vs(key):
        return regions.get(key, {}).get("gamma_phase", {}).get("vector_strength", float("nan"))

    def coherent(key):
        return bool(regions.get(key, {}).get("gamma_coherence", {}).get("above_surrogate"))

    return {"coherence_above_surrogate": {k: coherent(k) for k in
                                          ("MOs E", "pons E", "cerebellum GrC")},
            "vector_strength": {k: vs(k) for k in ("MOp E", "MOs E", "pons E", "cerebellum GrC",
                                                   "cerebellum PC", "cerebellum DCN",
                                                   "thalamus TC")},
            "pons_and_granule_more_locked_than_purkinje": bool(
                min(vs("pons E"), vs("cerebellum GrC")) > vs("cerebellum PC")),
            "MOs_broader_than_MOp": bool(vs("MOs E") < vs("MOp E"))}
