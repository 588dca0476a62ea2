"""The multi-region control statistics (brainmodel.analysis.regions) on synthetic spike trains:
a region that follows the stimulated area's 40 Hz rhythm only in the stimulated run passes the
caused-by-the-stimulus checks, also when that rhythm is clock-like; an independent region and an
unmodulated run do not."""
from types import SimpleNamespace

import numpy as np
import pytest

from brainmodel.analysis import regions

N_PER_GROUP = 200
DURATION_MS = 4000.0
DT_MS = 0.1


def _model():
    labels = np.repeat(["MOp", "pons", "cerebellum"], N_PER_GROUP).astype(object)
    types = np.repeat(["E", "E", "GrC"], N_PER_GROUP).astype(object)
    stimulated = np.zeros(len(labels), bool)
    stimulated[:10] = True
    return SimpleNamespace(cells=SimpleNamespace(type=types), stimulated=stimulated,
                           group_of_cells=lambda: labels)


def _poisson(rate_hz: np.ndarray, n_cells: int, first_id: int, rng) -> tuple:
    """Spikes of n_cells cells that each fire with the time-varying rate (Hz, per DT_MS step)."""
    fired = rng.random((n_cells, len(rate_hz))) < rate_hz * DT_MS / 1000.0
    cell, step = np.nonzero(fired)
    return cell + first_id, step * DT_MS


def _run(modulated: bool, seed: int, phase_noise: float = 0.02):
    """MOp (and, when modulated, pons 3 ms later) at 10 Hz with a 40 Hz modulation of depth 0.8
    whose phase diffuses (by default about 0.6 rad in 100 ms, a gamma rhythm of short coherence
    time; ``phase_noise`` 0: a clock); cerebellum GrC independent at 5 Hz."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, DURATION_MS, DT_MS)
    phase = 2 * np.pi * 40.0 * t / 1000.0 + np.cumsum(rng.normal(0, phase_noise, len(t)))
    depth = 0.8 if modulated else 0.0
    mop = 10.0 * (1 + depth * np.sin(phase))
    pons = 10.0 * (1 + depth * np.sin(np.roll(phase, int(3.0 / DT_MS))))
    parts = [_poisson(mop, N_PER_GROUP, 0, rng), _poisson(pons, N_PER_GROUP, N_PER_GROUP, rng),
             _poisson(np.full(len(t), 5.0), N_PER_GROUP, 2 * N_PER_GROUP, rng)]
    ids = np.concatenate([p[0] for p in parts])
    times = np.concatenate([p[1] for p in parts])
    order = np.argsort(times, kind="stable")
    return ids[order], times[order]


@pytest.fixture(scope="module")
def versus():
    model, summary = _model(), {"analysis_window_ms": [0.0, DURATION_MS]}
    stimulated = regions.summarise_regions(model, None, *_run(True, 1), summary)
    control = regions.summarise_regions(model, None, *_run(False, 2), summary)
    return regions.against_control(stimulated, control)


def test_a_region_that_follows_the_stimulated_rhythm_passes_against_its_control(versus):
    assert versus["reference"]["gamma_power_ratio"] > 10.0
    pons = versus["pons E"]
    assert pons["above_surrogate"] and pons["coherence"] > 0.5
    assert pons["coherence_ratio"] > 3.0 and pons["gamma_power_ratio"] > 10.0
    checks = regions.caused_checks(versus, keys=("pons E", "cerebellum GrC"))
    assert checks["reference_power_at_least_3x_control"]
    assert checks["coherence_at_least_1.5x_control_and_above_surrogate"] == {
        "pons E": True, "cerebellum GrC": False}


def test_an_independent_region_is_neither_coherent_nor_changed(versus):
    granule = versus["cerebellum GrC"]
    assert not granule["above_surrogate"]
    assert granule["coherence"] < 0.2
    assert 0.5 < granule["gamma_power_ratio"] < 2.0


def test_a_region_locked_to_a_clock_like_rhythm_passes_where_shifting_its_rate_cannot_tell():
    """A strictly periodic rhythm (the DC-driven MOp of motor-loop is nearly one) stays as
    coherent with the locked region's rate after any circular shift of that rate: the
    population-shift surrogate sits at the measured coherence and cannot reject. Shifting each
    cell's train by its own lag destroys the locking, so that surrogate stays near the bias of
    the estimate; the independent region stays below it."""
    model, summary = _model(), {"analysis_window_ms": [0.0, DURATION_MS]}
    stimulated = regions.summarise_regions(model, None, *_run(True, 3, phase_noise=0.0), summary)
    pons = stimulated["pons E"]["gamma_coherence"]
    assert pons["coherence"] > 0.5
    assert pons["population_shift_surrogate_95"] > 0.9 * pons["coherence"]
    assert pons["above_surrogate"] and pons["surrogate_95"] < 0.4 * pons["coherence"]
    granule = stimulated["cerebellum GrC"]["gamma_coherence"]
    assert not granule["above_surrogate"] and granule["coherence"] < 0.2


def test_without_modulation_the_checks_pass_about_as_often_as_chance():
    """Null runs (no modulation in either run, 10 seed pairs): the power ratio stays near 1 and
    the coherence criterion (>= 1.5x control and above the surrogates' 95th percentile) passes
    for few of the 20 populations (chance: the surrogate level alone lets 5 % through)."""
    model, summary = _model(), {"analysis_window_ms": [0.0, DURATION_MS]}
    passed, ratios = 0, []
    for pair in range(10):
        first = regions.summarise_regions(model, None, *_run(False, 10 + 2 * pair), summary)
        second = regions.summarise_regions(model, None, *_run(False, 11 + 2 * pair), summary)
        versus = regions.against_control(first, second)
        checks = regions.caused_checks(versus, keys=("pons E", "cerebellum GrC"))
        assert not checks["reference_power_at_least_3x_control"]
        passed += sum(checks["coherence_at_least_1.5x_control_and_above_surrogate"].values())
        ratios.append(versus["reference"]["gamma_power_ratio"])
    assert passed <= 4
    assert 0.5 < min(ratios) and max(ratios) < 2.0


def test_each_region_reports_its_cells_rates_and_irregularity():
    """Per region and type, ``cells`` gives the rate distribution, ISI CV and clock-like
    fraction: Poisson cells (pons E, 8 Hz) fire irregularly (CV about 1, no clocks), jittered
    40 Hz pacemakers (Purkinje cells) are clocks; of MOp E, 95 cells are silent and 5 fire one
    spike (0.25 Hz, too few spikes for a CV)."""
    rng = np.random.default_rng(3)
    n = 100
    labels = np.repeat(["MOp", "pons", "cerebellum"], n).astype(object)
    types = np.repeat(["E", "E", "PC"], n).astype(object)
    model = SimpleNamespace(cells=SimpleNamespace(type=types), stimulated=np.arange(3 * n) < 5,
                            group_of_cells=lambda: labels)
    t = np.arange(0.0, DURATION_MS, DT_MS)
    poisson = _poisson(np.full(len(t), 8.0), n, n, rng)
    beats = np.arange(rng.uniform(0, 25), DURATION_MS - 1.0, 25.0)
    clocks = (np.repeat(np.arange(2 * n, 3 * n), len(beats)),
              np.tile(beats, n) + rng.normal(0.0, 0.5, n * len(beats)))
    mop = (np.arange(5), np.full(5, 100.0))        # 5 stimulated cells, one spike each
    ids = np.concatenate([mop[0], poisson[0], clocks[0]])
    times = np.concatenate([mop[1], poisson[1], clocks[1]])
    order = np.argsort(times, kind="stable")
    summary = {"analysis_window_ms": [0.0, DURATION_MS]}
    out = regions.summarise_regions(model, None, ids[order], times[order], summary)
    pons, purkinje, mop = (out[k]["cells"] for k in ("pons E", "cerebellum PC", "MOp E"))
    assert pons["n_cells"] == n and 7.0 < pons["mean_hz"] < 9.0
    assert 0.9 < pons["cv_median"] < 1.1 and pons["fraction_clock_like"] == 0.0
    assert 39.0 < purkinje["median_hz"] < 41.0
    assert purkinje["cv_median"] < 0.05 and purkinje["fraction_clock_like"] == 1.0
    assert mop["fraction_silent"] == 0.95 and mop["n_active"] == 0
