"""The regime measures (brainmodel.analysis.regime) on spike trains whose answer is known."""
import numpy as np
import pytest

from brainmodel.analysis import regime


def _poisson(rng, n_cells, rate_hz, duration_ms, modulation=None):
    """Spike trains (ids, times) of independent cells; ``modulation(t)`` scales the rate."""
    ids, times = [], []
    peak = rate_hz * (2.0 if modulation is not None else 1.0)
    for cell in range(n_cells):
        count = rng.poisson(peak * duration_ms / 1000.0)
        t = np.sort(rng.uniform(0.0, duration_ms, count))
        if modulation is not None:
            t = t[rng.uniform(0.0, 2.0, len(t)) < modulation(t)]
        ids.append(np.full(len(t), cell))
        times.append(t)
    return np.concatenate(ids), np.concatenate(times)


def test_isi_cv_is_zero_for_clocks_and_about_one_for_poisson():
    rng = np.random.default_rng(3)
    clock_ids = np.repeat([0, 1], 50)
    clock_times = np.concatenate([np.arange(50) * 20.0, np.arange(50) * 25.0 + 3.0])
    cv = regime.isi_cv(clock_ids, clock_times, 3, 0.0, 2000.0)
    assert cv[:2] == pytest.approx([0.0, 0.0], abs=1e-9)
    assert np.isnan(cv[2])                              # no spikes: not active
    ids, times = _poisson(rng, 200, 20.0, 5000.0)
    cv = regime.isi_cv(ids, times, 200, 0.0, 5000.0)
    assert np.median(cv) == pytest.approx(1.0, abs=0.08)


def test_distribution_counts_silent_and_clock_like_cells():
    rates = np.array([0.0, 0.05, 2.0, 4.0, 10.0])
    cv = np.array([np.nan, np.nan, 0.1, 0.9, 1.1])
    d = regime.distribution(rates, cv)
    assert d["fraction_silent"] == pytest.approx(0.4)
    assert d["n_active"] == 3 and d["fraction_clock_like"] == pytest.approx(1 / 3)
    assert d["cv_median"] == pytest.approx(0.9)


def test_synchrony_index_separates_independent_from_common_rhythm():
    rng = np.random.default_rng(5)
    members = np.ones(300, bool)
    ids, times = _poisson(rng, 300, 5.0, 4000.0)
    independent = regime.synchrony_index(ids, times, members, 0.0, 4000.0)
    assert independent == pytest.approx(1.0, abs=0.15)
    rhythm = lambda t: 1.0 + 0.9 * np.sin(2 * np.pi * 40.0 * t / 1000.0)
    ids, times = _poisson(rng, 300, 5.0, 4000.0, rhythm)
    # expected 1 + N r bin m^2 / 2 = 1 + 300 x 0.005 / ms x 2 ms x 0.405 = 2.2
    assert regime.synchrony_index(ids, times, members, 0.0, 4000.0) > 1.8


def test_band_measures_find_a_40_hz_rhythm_and_its_control_does_not():
    rng = np.random.default_rng(7)
    rhythm = lambda t: 1.0 + 0.9 * np.sin(2 * np.pi * 40.0 * t / 1000.0)
    _, on = _poisson(rng, 400, 5.0, 3000.0, rhythm)
    _, off = _poisson(rng, 400, 5.0, 3000.0)
    with_rhythm = regime.band_measures(on, 400, 0.0, 3000.0)
    control = regime.band_measures(off, 400, 0.0, 3000.0)
    assert 36 <= with_rhythm["peak_frequency_hz"] <= 44
    assert with_rhythm["gamma_peak_to_median"] > 10
    assert control["gamma_peak_to_median"] < 3
    comparison = regime.compare(with_rhythm, control)
    assert comparison["gamma_power_stimulus_over_rest"] > 5
    assert "spectrum" not in comparison["stimulus"]
