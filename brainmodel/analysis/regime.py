"""The cortex's regime, cell by cell and against a control: rate distributions, ISI CV and
clock-like cells per layer and type, the synchrony of a group against circularly shifted spike
trains, and the gamma band power of a group with and without the stimulus (the same compiled
network, the same window).

Definitions (the thresholds are conventions, stated here once):
- silent: rate below ``SILENT_HZ`` (0.1 Hz) in the window;
- ISI CV: standard deviation over mean of a cell's inter-spike intervals, for cells with at
  least ``MIN_SPIKES_FOR_CV`` spikes (the "active" cells);
- clock-like: an active cell with CV below ``CLOCK_CV`` (0.3; a Poisson train has CV 1);
- synchrony index: variance of the group's binned spike count over its mean variance when every
  cell's train is shifted circularly by its own random lag (which keeps each cell's rate and
  ISIs and destroys their alignment): about 1 for asynchronous firing, larger when cells fire
  together;
- gamma band power: the Welch power of the group's population rate integrated over 30-50 Hz;
  peak frequency: the largest power in 10-100 Hz; peak to median: the largest power in 30-50 Hz
  over the median power in 10-100 Hz.
"""
from __future__ import annotations

import numpy as np

from . import spectra
from .rates import cell_rates

SILENT_HZ = 0.1
MIN_SPIKES_FOR_CV = 5
CLOCK_CV = 0.3
SYNCHRONY_BIN_MS = 2.0
SYNCHRONY_SURROGATES = 20
PEAK_RANGE_HZ = (10.0, 100.0)


def isi_cv(node_ids: np.ndarray, times_ms: np.ndarray, n_cells: int, start_ms: float,
           stop_ms: float) -> np.ndarray:
    """ISI CV of every cell 0..n_cells-1 in [start, stop); NaN below MIN_SPIKES_FOR_CV spikes."""
    window = (times_ms >= start_ms) & (times_ms < stop_ms)
    ids, times = node_ids[window], times_ms[window]
    order = np.lexsort((times, ids))
    ids, times = ids[order], times[order]
    same = ids[1:] == ids[:-1]
    isi, owner = np.diff(times)[same], ids[1:][same]
    count = np.bincount(owner, minlength=n_cells)
    total = np.bincount(owner, isi, minlength=n_cells)
    squares = np.bincount(owner, isi ** 2, minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        sd = np.sqrt(np.maximum(squares / count - mean ** 2, 0.0))
        cv = sd / mean
    cv[count < MIN_SPIKES_FOR_CV - 1] = np.nan
    return cv


def distribution(rates: np.ndarray, cv: np.ndarray) -> dict:
    """Rate distribution and CV statistics of one group of cells."""
    if len(rates) == 0:
        return {"n_cells": 0}
    active = np.isfinite(cv)
    return {"n_cells": int(len(rates)), "mean_hz": float(rates.mean()),
            "median_hz": float(np.median(rates)),
            "p90_hz": float(np.percentile(rates, 90)), "p99_hz": float(np.percentile(rates, 99)),
            "max_hz": float(rates.max()),
            "fraction_silent": float(np.mean(rates < SILENT_HZ)),
            "n_active": int(active.sum()),
            "cv_median": float(np.median(cv[active])) if active.any() else float("nan"),
            "fraction_clock_like": (float(np.mean(cv[active] < CLOCK_CV)) if active.any()
                                    else float("nan"))}


def population_table(cells, rates: np.ndarray, cv: np.ndarray, members: np.ndarray) -> dict:
    """``distribution`` per layer x type, and per type over all layers, of the cells in
    ``members`` (bool per cell)."""
    out = {}
    for layer, cell_type in cells.populations:
        sel = members & (cells.layer == layer) & (cells.type == cell_type)
        if sel.any():
            out[f"{layer} {cell_type}"] = distribution(rates[sel], cv[sel])
    for cell_type in dict.fromkeys(cells.type[members]):
        sel = members & (cells.type == cell_type)
        out[f"all {cell_type}"] = distribution(rates[sel], cv[sel])
    return out


def clock_summary(rates: np.ndarray, cv: np.ndarray, spikes_per_cell: np.ndarray,
                  members: np.ndarray) -> dict:
    """Fraction of the active cells that are clock-like, and their share of the spikes."""
    active = members & np.isfinite(cv)
    clock = active & (cv < CLOCK_CV)
    spikes = spikes_per_cell[members].sum()
    return {"n_active": int(active.sum()),
            "fraction_clock_like": float(clock.sum() / max(active.sum(), 1)),
            "spike_share_clock_like": float(spikes_per_cell[clock].sum() / max(spikes, 1))}


def synchrony_index(node_ids: np.ndarray, times_ms: np.ndarray, members: np.ndarray,
                    start_ms: float, stop_ms: float, seed: int = 0,
                    bin_ms: float = SYNCHRONY_BIN_MS,
                    n_surrogates: int = SYNCHRONY_SURROGATES) -> float:
    """Variance of the group's binned count over the mean variance of circularly shifted trains."""
    window = (times_ms >= start_ms) & (times_ms < stop_ms) & members[node_ids]
    ids, times = node_ids[window], times_ms[window] - start_ms
    length = stop_ms - start_ms
    n_bins = int(length // bin_ms)
    if len(ids) < 2 or n_bins < 2:
        return float("nan")
    observed = np.bincount((times // bin_ms).astype(np.int64), minlength=n_bins)[:n_bins]
    rng = np.random.default_rng(seed)
    _, owner = np.unique(ids, return_inverse=True)
    surrogate = []
    for _ in range(n_surrogates):
        shifted = spectra.rotate_each_cell(times, owner, n_bins * bin_ms, rng, length)
        surrogate.append(np.bincount((shifted // bin_ms).astype(np.int64),
                                     minlength=n_bins)[:n_bins].var())
    reference = float(np.mean(surrogate))
    return float(observed.var() / reference) if reference > 0 else float("nan")


def band_measures(times_ms: np.ndarray, n_cells: int, start_ms: float, stop_ms: float,
                  band_hz=spectra.GAMMA_BAND_HZ) -> dict:
    """Gamma band power, peak frequency and peak to median of one group's population rate."""
    rate = spectra.population_rate(times_ms, n_cells, start_ms, stop_ms)
    freqs, power = spectra.welch_spectrum(rate)
    in_band = (freqs >= band_hz[0]) & (freqs <= band_hz[1])
    in_range = (freqs >= PEAK_RANGE_HZ[0]) & (freqs <= PEAK_RANGE_HZ[1])
    median = float(np.median(power[in_range]))
    return {"n_cells": int(n_cells), "rate_hz": float(rate.mean()),
            "band_power": spectra.band_power(freqs, power, band_hz),
            "peak_frequency_hz": float(freqs[in_range][np.argmax(power[in_range])]),
            "gamma_peak_to_median": float(power[in_band].max() / median) if median > 0
            else float("inf"),
            "spectrum": (freqs, power)}


def group_measures(node_ids, times_ms, members: np.ndarray, start_ms: float, stop_ms: float,
                   seed: int = 0) -> dict:
    """``band_measures`` and the synchrony index of the cells in ``members``."""
    out = band_measures(times_ms[members[node_ids]], int(members.sum()), start_ms, stop_ms)
    out["synchrony_index"] = synchrony_index(node_ids, times_ms, members, start_ms, stop_ms,
                                             seed)
    return out


def compare(stimulated: dict, rest: dict) -> dict:
    """A group with the stimulus against the same group at rest (spectra dropped)."""
    def public(d):
        return {k: v for k, v in d.items() if k != "spectrum"}
    ratio = (stimulated["band_power"] / rest["band_power"] if rest["band_power"] > 0
             else float("inf"))
    return {"stimulus": public(stimulated), "rest": public(rest),
            "gamma_power_stimulus_over_rest": float(ratio)}


def cell_statistics(node_ids, times_ms, n_cells: int, start_ms: float, stop_ms: float):
    """(rates, ISI CVs, spike counts) of every cell in the window."""
    rates = cell_rates(node_ids, times_ms, n_cells, start_ms, stop_ms)
    cv = isi_cv(node_ids, times_ms, n_cells, start_ms, stop_ms)
    return rates, cv, rates * (stop_ms - start_ms) / 1000.0


def regime_groups(model, neighbourhood: np.ndarray) -> dict:
    """The cortex and the neighbourhood, each with and without the DC-driven cells."""
    n = len(model.cells)
    cortex, driven = np.arange(n) < (model.n_cortex or n), model.stimulated
    return {"cortex": cortex, "cortex_without_driven": cortex & ~driven,
            "neighbourhood": neighbourhood & cortex,
            "neighbourhood_without_driven": neighbourhood & cortex & ~driven}


def summarise_regime(model, config, stimulated_spikes, rest_spikes, window_ms,
                     neighbourhood: np.ndarray) -> dict:
    """The regime of one compiled network with the stimulus and at rest (its control), in the
    same window: for the whole cortex and for ``neighbourhood`` (bool per cell), each with and
    without the DC-driven cells, gamma band power with / without the stimulus, peak frequency,
    peak to median and synchrony index; per layer x type and per type, rate and CV
    distributions at rest and with the stimulus; the clock-like cells' fraction and spike share.
    """
    cells, driven = model.cells, model.stimulated
    n = len(cells)
    start, stop = window_ms
    groups = regime_groups(model, neighbourhood)
    cortex = groups["cortex"]
    runs = {"stimulus": stimulated_spikes, "rest": rest_spikes}
    out = {"window_ms": [start, stop], "neighbourhood_radius_um": config.column_radius_um,
           "n_driven_cells": int(driven.sum()), "groups": {}}
    for name, members in groups.items():
        measured = {label: group_measures(*spikes, members, start, stop, config.seed)
                    for label, spikes in runs.items()}
        out["groups"][name] = compare(measured["stimulus"], measured["rest"])
    for label, spikes in runs.items():
        rates, cv, counts = cell_statistics(*spikes, n, start, stop)
        out[label] = {"populations": population_table(cells, rates, cv, cortex & ~driven),
                      "clock_like": clock_summary(rates, cv, counts, cortex & ~driven)}
    out["assumed_vs_measured_rest_hz"] = {
        f"{layer} {t}": [float(rate), out["rest"]["populations"].get(
            f"{layer} {t}", {}).get("mean_hz", float("nan"))]
        for (layer, t), rate in model.spec.assumed_rate_hz.items()}
    return out
