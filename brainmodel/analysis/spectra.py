"""Analysis (scipy): population rates, Welch spectra with peak detection, gamma phase.

Phase convention: the reference signal is the population rate of the stimulated population,
band-passed around its spectral peak (zero-phase Butterworth); its Hilbert phase is 0 at the
oscillation's peaks and increases with time, so a positive mean phase means "fires later in
the cycle" than the reference population's peak.
"""
from __future__ import annotations

import numpy as np
from scipy import signal

BIN_MS = 1.0
GAMMA_BAND_HZ = (30.0, 50.0)            # the reference study's gamma band (DESIGN.md item 1)


def population_rate(spike_times_ms: np.ndarray, n_cells: int, start_ms: float, stop_ms: float,
                    bin_ms: float = BIN_MS) -> np.ndarray:
    """Mean rate per cell (Hz) in bins of ``bin_ms`` over [start, stop)."""
    edges = np.arange(start_ms, stop_ms + bin_ms / 2, bin_ms)
    counts, _ = np.histogram(spike_times_ms, bins=edges)
    return counts / max(n_cells, 1) / (bin_ms / 1000.0)


def welch_spectrum(rate_hz: np.ndarray, bin_ms: float = BIN_MS, segment_ms: float = 256.0):
    fs = 1000.0 / bin_ms
    nperseg = int(min(len(rate_hz), segment_ms / bin_ms))
    return signal.welch(rate_hz - rate_hz.mean(), fs=fs, nperseg=nperseg)


def band_power(freqs: np.ndarray, power: np.ndarray, band_hz: tuple[float, float]) -> float:
    """Power of a spectrum summed over a band (inclusive bounds) times the bin width."""
    in_band = (freqs >= band_hz[0]) & (freqs <= band_hz[1])
    return float(power[in_band].sum() * (freqs[1] - freqs[0]))


def coherence(rate_a: np.ndarray, rate_b: np.ndarray, bin_ms: float = BIN_MS,
              segment_ms: float = 256.0):
    """Magnitude-squared coherence (Welch) of two population rates on the same bins:
    (frequencies in Hz, coherence in [0, 1])."""
    if len(rate_a) != len(rate_b):
        raise ValueError("the two rates must cover the same bins")
    nperseg = int(min(len(rate_a), segment_ms / bin_ms))
    return signal.coherence(rate_a - rate_a.mean(), rate_b - rate_b.mean(), fs=1000.0 / bin_ms,
                            nperseg=nperseg)


def spectral_peak(freqs: np.ndarray, power: np.ndarray, fmin: float = 10.0, fmax: float = 150.0,
                  exclude_hz: float = 10.0) -> dict:
    """Largest peak in [fmin, fmax] and its ratio to the median power outside +-exclude_hz."""
    band = (freqs >= fmin) & (freqs <= fmax)
    if not band.any() or not np.any(power[band] > 0):
        return {"frequency_hz": float("nan"), "power": 0.0, "peak_to_background": 0.0}
    idx = np.flatnonzero(band)[np.argmax(power[band])]
    f_peak = float(freqs[idx])
    outside = band & (np.abs(freqs - f_peak) > exclude_hz)
    background = float(np.median(power[outside])) if outside.any() else float("nan")
    return {"frequency_hz": f_peak, "power": float(power[idx]),
            "peak_to_background": float(power[idx] / background) if background > 0 else float("inf")}


def gamma_phase(rate_hz: np.ndarray, center_hz: float, half_width_hz: float = 8.0,
                bin_ms: float = BIN_MS) -> np.ndarray:
    """Hilbert phase (rad) of the rate band-passed to center +- half_width."""
    fs = 1000.0 / bin_ms
    low, high = max(1.0, center_hz - half_width_hz), min(fs / 2 - 1, center_hz + half_width_hz)
    sos = signal.butter(3, [low, high], btype="bandpass", fs=fs, output="sos")
    return np.angle(signal.hilbert(signal.sosfiltfilt(sos, rate_hz - rate_hz.mean())))


def spike_phases(spike_times_ms: np.ndarray, phase: np.ndarray, start_ms: float,
                 bin_ms: float = BIN_MS) -> np.ndarray:
    """Phase of the reference oscillation at each spike (spikes inside the phase window)."""
    idx = np.floor((np.asarray(spike_times_ms) - start_ms) / bin_ms).astype(int)
    idx = idx[(idx >= 0) & (idx < len(phase))]
    return phase[idx]


def circular_stats(phases: np.ndarray) -> dict:
    """Circular mean (rad, in (-pi, pi]), vector strength (resultant length R), the circular
    standard deviation sqrt(-2 ln R) in degrees (the spread of the phases; Fisher 1993, eq.
    2.12), and the standard error of the mean direction, sqrt((1 - rho2) / (2 n R^2)) with rho2 the resultant length of
    the doubled angles (Fisher 1993, Statistical Analysis of Circular Data, eq. 4.21). Spikes of
    one cell or one cycle are not independent, so read the error as a lower bound."""
    phases = np.asarray(phases)
    if len(phases) == 0:
        return {"mean_phase_rad": float("nan"), "vector_strength": float("nan"),
                "circular_sd_deg": float("nan"), "standard_error_rad": float("nan"),
                "n_spikes": 0}
    resultant = np.mean(np.exp(1j * phases))
    length = float(np.abs(resultant))
    rho2 = float(np.abs(np.mean(np.exp(2j * phases))))
    error = (np.sqrt(max(1.0 - rho2, 0.0) / (2 * len(phases))) / length if length > 0
             else float("inf"))
    spread = float(np.degrees(np.sqrt(-2.0 * np.log(length)))) if length > 0 else float("inf")
    return {"mean_phase_rad": float(np.angle(resultant)), "vector_strength": length,
            "circular_sd_deg": spread, "standard_error_rad": float(error),
            "n_spikes": int(len(phases))}


def weighted_slope(x: np.ndarray, y: np.ndarray, y_error: np.ndarray) -> tuple[float, float]:
    """Least-squares slope of y on x with weights 1/y_error^2, and its standard error."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    w = 1.0 / np.asarray(y_error, float) ** 2
    if len(x) < 2 or not np.all(np.isfinite(w)):
        return float("nan"), float("nan")
    x_mean = np.sum(w * x) / np.sum(w)
    sxx = np.sum(w * (x - x_mean) ** 2)
    if sxx <= 0:
        return float("nan"), float("nan")
    return float(np.sum(w * (x - x_mean) * y) / sxx), float(1.0 / np.sqrt(sxx))


def phase_difference(a: float, b: float) -> float:
    """a - b wrapped into (-pi, pi]."""
    return float(np.angle(np.exp(1j * (a - b))))


def rotate_each_cell(times_ms: np.ndarray, owner: np.ndarray, period_ms: float,
                     rng: np.random.Generator, lag_range_ms: float | None = None) -> np.ndarray:
    """Spike times (from the window's start) with every cell's train shifted circularly by its
    own lag, uniform in [0, lag_range_ms) (default: the period), modulo ``period_ms``; ``owner``
    numbers the cells 0..m-1 per spike. Keeps each cell's rate and ISIs, destroys the cells'
    alignment with each other and with any reference."""
    lag = rng.uniform(0.0, lag_range_ms or period_ms, int(owner.max()) + 1)[owner]
    return np.mod(times_ms + lag, period_ms)


def band_mean_coherence(rate_a: np.ndarray, rate_b: np.ndarray,
                        band_hz: tuple[float, float]) -> float:
    """Mean coherence (``coherence``) of two rates over a band (inclusive bounds)."""
    freqs, coh = coherence(rate_a, rate_b)
    return float(coh[(freqs >= band_hz[0]) & (freqs <= band_hz[1])].mean())


def band_coherence(rate_a: np.ndarray, rate_b: np.ndarray, band_hz: tuple[float, float],
                   n_surrogates: int = 50, min_shift_bins: int = 100,
                   rng: np.random.Generator | None = None) -> dict:
    """Mean coherence of two rates in a band, and the 95th percentile of the same quantity for
    surrogates in which rate_b is circularly shifted by a random lag of at least
    ``min_shift_bins``. This keeps each signal's spectrum; it destroys their phase relation only
    where rate_a's rhythm loses its phase within the lag: a rate that follows a clock-like
    rhythm stays as coherent with it after any shift (``spike_train_coherence``)."""
    rng = rng or np.random.default_rng(0)
    value = band_mean_coherence(rate_a, rate_b, band_hz)
    n = len(rate_b)
    surrogate = []
    for _ in range(n_surrogates):
        shift = int(rng.integers(min_shift_bins, max(min_shift_bins + 1, n - min_shift_bins)))
        surrogate.append(band_mean_coherence(rate_a, np.roll(rate_b, shift), band_hz))
    level = float(np.percentile(surrogate, 95))
    return {"coherence": value, "surrogate_95": level, "above_surrogate": bool(value > level)}


def spike_train_coherence(rate_a: np.ndarray, rate_b: np.ndarray, times_ms: np.ndarray,
                          owner: np.ndarray, n_cells: int, start_ms: float, stop_ms: float,
                          band_hz: tuple[float, float], n_surrogates: int = 50,
                          rng: np.random.Generator | None = None) -> dict:
    """Mean band coherence of a reference rate with a group's population rate ``rate_b``
    (``population_rate`` of its ``n_cells`` cells' spikes over the window: times in
    [start, stop) and ``owner``, the cell 0..m-1 of each), against two surrogates:
    ``surrogate_95`` and ``above_surrogate``, every cell's train shifted circularly by its own
    random lag (``rotate_each_cell``; null hypothesis: the cells fire without regard to the
    reference's phase, each keeping its rate and ISIs); and, for comparison,
    ``population_shift_surrogate_95``, the whole population rate shifted (``band_coherence``),
    which cannot reject when the reference is clock-like."""
    rng = rng or np.random.default_rng(0)
    length = stop_ms - start_ms
    out = band_coherence(rate_a, rate_b, band_hz, n_surrogates, rng=rng)
    surrogate = [band_mean_coherence(rate_a, population_rate(
        rotate_each_cell(times_ms - start_ms, owner, length, rng), n_cells, 0.0, length),
        band_hz) for _ in range(n_surrogates)]
    level = float(np.percentile(surrogate, 95))
    return {"coherence": out["coherence"], "surrogate_95": level,
            "above_surrogate": bool(out["coherence"] > level),
            "population_shift_surrogate_95": out["surrogate_95"]}
