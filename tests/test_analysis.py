import numpy as np
import pytest

from brainmodel.analysis import spectra as analysis
from brainmodel.analysis.cortex import phase_checks


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


def test_circular_standard_error_matches_the_spread_of_means():
    # von Mises samples: the standard error must predict how much the sample mean varies
    rng = np.random.default_rng(5)
    means = [analysis.circular_stats(rng.vonmises(0.3, 2.0, 400)) for _ in range(300)]
    spread = np.std([m["mean_phase_rad"] for m in means])
    predicted = np.mean([m["standard_error_rad"] for m in means])
    assert abs(predicted / spread - 1) < 0.15
    assert np.isnan(analysis.circular_stats(np.array([]))["standard_error_rad"])


def test_circular_sd_is_the_standard_deviation_of_narrow_phases_and_grows_with_spread():
    rng = np.random.default_rng(6)
    narrow = analysis.circular_stats(rng.normal(0.0, np.radians(10.0), 20000))
    assert abs(narrow["circular_sd_deg"] - 10.0) < 0.5     # wrapped normal: sqrt(-2 ln R) = SD
    wide = analysis.circular_stats(rng.normal(0.0, np.radians(60.0), 20000))
    assert abs(wide["circular_sd_deg"] - 60.0) < 3.0
    assert analysis.circular_stats(rng.uniform(-np.pi, np.pi, 20000))["circular_sd_deg"] > 150


def test_weighted_slope_recovers_a_line_and_ignores_noisy_points():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    slope, error = analysis.weighted_slope(x, 2 * x + 1, np.full(4, 0.1))
    assert abs(slope - 2) < 1e-12 and error > 0
    # an outlier with a huge error barely moves the slope
    y = np.array([1.0, 3.0, 5.0, -50.0])
    assert abs(analysis.weighted_slope(x, y, np.array([0.1, 0.1, 0.1, 1e3]))[0] - 2) < 1e-3
    assert np.isnan(analysis.weighted_slope([1.0], [1.0], [0.1])[0])


def _phases(e_lags_deg, error_deg=3.0):
    out = {}
    for layer, lag in e_lags_deg.items():
        entry = lambda deg: {"mean_phase_rad": np.radians(deg), "n_spikes": 500,
                             "standard_error_rad": np.radians(error_deg)}
        out[layer] = {"E": entry(lag), "FS": entry(lag + 30), "LTS": entry(lag + 100)}
    return out


DEPTHS = {"L2/3": 0.25, "L5A": 0.5, "L5B": 0.65, "L6": 0.85}


def test_phase_checks_depth_order():
    later = phase_checks(_phases({"L2/3": -20, "L5A": 5, "L5B": 0, "L6": 30}), DEPTHS)
    assert later["E_phases_later_with_depth"]               # trend holds, 5A/5B swap is noise
    assert not later["depth_order"]["E"]["strict_layer_order"]
    assert later["depth_order"]["E"]["lag_vs_top_deg"]["L6"] == pytest.approx(50.0)
    assert later["per_layer"]["L5A"] == {"FS_minus_E_deg": pytest.approx(30.0),
                                         "E_FS_within_45_deg": True,
                                         "LTS_later_than_E_FS": True}
    # one deep layer ahead of L2/3, or a slope within the noise: not "later with depth"
    assert not phase_checks(_phases({"L2/3": 0, "L5A": -5, "L5B": 20, "L6": 30}),
                            DEPTHS)["E_phases_later_with_depth"]
    assert not phase_checks(_phases({"L2/3": 0, "L5A": 3, "L5B": 1, "L6": 2}, error_deg=10),
                            DEPTHS)["E_phases_later_with_depth"]
    # wrap-around: 170 -> -170 deg is 20 deg later, not 340 earlier
    wrapped = phase_checks(_phases({"L2/3": 170, "L6": -170}), DEPTHS)
    assert wrapped["depth_order"]["E"]["lag_vs_top_deg"]["L6"] == pytest.approx(20.0)
