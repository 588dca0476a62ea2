"""The regime checks of long runs (brainmodel.analysis.activity) on synthetic spike trains: E
rates per area against the in-vivo range, and population bursts in 5 ms bins."""
import numpy as np

from brainmodel.analysis import activity


def _poisson(n_cells, rate_hz, duration_ms, rng, first_id=0):
    n = rng.poisson(n_cells * rate_hz * duration_ms / 1000.0)
    return rng.integers(0, n_cells, n) + first_id, rng.uniform(0, duration_ms, n)


def _two_areas(rng, rate_b=2.0):
    ids_a, t_a = _poisson(500, 2.0, 10_000.0, rng)
    ids_b, t_b = _poisson(500, rate_b, 10_000.0, rng, first_id=500)
    groups = np.repeat(["MOp left", "MOp right"], 500).astype(object)
    types = np.tile(np.repeat(["E", "FS"], [400, 100]), 2).astype(object)
    return np.concatenate([ids_a, ids_b]), np.concatenate([t_a, t_b]), groups, types


def test_asynchronous_areas_in_range_pass():
    ids, times, groups, types = _two_areas(np.random.default_rng(1))
    out = activity.stability(ids, times, groups, types, 0.0, 10_000.0)
    assert out["e_rates_in_range"] and out["no_synchrony_burst"]
    assert abs(out["groups"]["MOp left"]["e_rate_hz"] - 2.0) < 0.1
    assert out["largest_bin_fraction_all_cells"] < 0.03     # 2 Hz x 5 ms = 1 % per bin


def test_a_silent_area_or_a_single_burst_fails():
    rng = np.random.default_rng(2)
    ids, times, groups, types = _two_areas(rng, rate_b=0.1)
    assert not activity.stability(ids, times, groups, types, 0.0, 10_000.0)["e_rates_in_range"]
    ids, times, groups, types = _two_areas(rng)
    burst = np.arange(500, 600)                 # 10 % of all cells, 20 % of one area, in 2 ms
    ids = np.concatenate([ids, burst])
    times = np.concatenate([times, np.full(100, 4001.0) + rng.uniform(0, 2, 100)])
    out = activity.stability(ids, times, groups, types, 0.0, 10_000.0)
    assert out["e_rates_in_range"] and not out["no_synchrony_burst"]
    assert abs(out["groups"]["MOp right"]["largest_bin_fraction"] - 0.2) < 0.03
    assert out["bursting_groups"] == ["MOp right"]


def test_a_small_irregular_area_above_5_percent_by_chance_is_not_bursting():
    rng = np.random.default_rng(4)
    ids, times = _poisson(600, 7.0, 10_000.0, rng)      # 3.5 % of the cells per 5 ms bin
    groups = np.full(600, "VISpl left", dtype=object)
    out = activity.stability(ids, times, groups, np.full(600, "E", dtype=object), 0.0, 10_000.0)
    area = out["groups"]["VISpl left"]
    assert area["largest_bin_fraction"] > 0.05 and not area["bursting"]
    assert abs(area["mean_bin_fraction"] - 0.035) < 0.003


def test_a_cell_counts_once_per_bin():
    ids = np.zeros(50, int)                      # one cell, 50 spikes in one bin
    times = np.linspace(0.0, 4.0, 50)
    assert activity.largest_bin_fraction(ids, times, np.ones(10, bool), 0.0, 100.0) == 0.1


def test_a_group_without_e_cells_is_left_out_of_the_rate_check():
    rng = np.random.default_rng(3)
    ids, times, groups, types = _two_areas(rng)
    groups[500:] = "cerebellum"
    types[500:] = "GrC"                          # no E cells: no E rate, not "silent"
    out = activity.stability(ids, times, groups, types, 0.0, 10_000.0)
    assert out["groups"]["cerebellum"]["e_rate_hz"] is None
    assert out["e_rates_in_range"] and out["e_rate_range_hz"][0] > 1.5
