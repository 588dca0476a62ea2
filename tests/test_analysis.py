import numpy as np

from brainmodel import analysis


def _modulated_spikes(freq, n_cells, duration_ms, lag_ms=0.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(0, duration_ms, 0.1)
    rate_hz = 20 * (1 + 0.9 * np.cos(2 * np.pi * freq * (t - lag_ms) / 1000))
    spikes = rng.random((n_cells, len(t))) < rate_hz * 1e-4
    return t[np.nonzero(spikes)[1]]


def test_spectral_peak_of_modulated_population():
    times = _modulated_spikes(40.0, 200, 2000)
    rate = analysis.population_rate(times, 200, 0, 2000)
    assert abs(rate.mean() - 20) < 2
    freqs, power = analysis.welch_spectrum(rate)
    peak = analysis.spectral_peak(freqs, power)
    assert abs(peak["frequency_hz"] - 40) < 4 and peak["peak_to_background"] > 20


def test_flat_population_has_no_clear_peak():
    rng = np.random.default_rng(1)
    times = rng.uniform(0, 2000, 80000)
    freqs, power = analysis.welch_spectrum(analysis.population_rate(times, 200, 0, 2000))
    assert analysis.spectral_peak(freqs, power)["peak_to_background"] < 5


def test_phase_lag_is_positive_for_later_population():
    ref = _modulated_spikes(40.0, 200, 2000, seed=2)
    late = _modulated_spikes(40.0, 200, 2000, lag_ms=5.0, seed=3)      # 5 ms = 72 deg at 40 Hz
    rate = analysis.population_rate(ref, 200, 0, 2000)
    phase = analysis.gamma_phase(rate, 40.0)
    a = analysis.circular_stats(analysis.spike_phases(ref, phase, 0))
    b = analysis.circular_stats(analysis.spike_phases(late, phase, 0))
    lag = np.degrees(analysis.phase_difference(b["mean_phase_rad"], a["mean_phase_rad"]))
    assert 55 < lag < 90
    assert abs(np.degrees(a["mean_phase_rad"])) < 15 and a["vector_strength"] > 0.3


def test_circular_stats_edge_cases():
    assert analysis.circular_stats(np.array([]))["n_spikes"] == 0
    s = analysis.circular_stats(np.array([np.pi - 0.1, -np.pi + 0.1]))
    assert abs(abs(s["mean_phase_rad"]) - np.pi) < 1e-9 and s["vector_strength"] > 0.99


def test_coherence_is_high_only_at_the_shared_rhythm():
    rng = np.random.default_rng(4)
    t = np.arange(2000) / 1000.0
    shared = np.sin(2 * np.pi * 40 * t)
    a = 10 + 5 * shared + rng.normal(0, 2, len(t))
    b = 10 + 5 * np.roll(shared, 5) + rng.normal(0, 2, len(t))   # same rhythm, 5 ms later
    freqs, coh = analysis.coherence(a, b)
    at_40 = coh[np.argmin(np.abs(freqs - 40))]
    elsewhere = coh[(freqs > 60) & (freqs < 200)]
    assert at_40 > 0.8 and np.median(elsewhere) < 0.2
