"""Whether a large network stays in its regime over a long run (issue 21's criteria for
bihemispheric-cortex and the ensemble): every area's E rate inside an in-vivo range, and no
population synchrony burst, that is no BURST_BIN_MS bin in which more than BURST_FRACTION_MAX of
all cells fire. Per area the same fraction is reported, and an area counts as bursting when its
largest bin also exceeds BURST_OVER_CHANCE times its mean bin fraction: a small area that fires
irregularly at a few Hz passes 5 % by chance (600 Poisson cells at 7 Hz: mean 3.5 %, largest of
1940 bins about 6 %)."""
from __future__ import annotations

import numpy as np

# in vivo awake cortical E rates (spontaneous, all layers): about 0.5-5 Hz, with sparse L2/3
# and faster L5 cells (de Kock et al. 2007; Barth & Poulet 2012, Trends Neurosci 35:345);
# issue 21 asks for 0.3-10 Hz over 10 s
E_RATE_RANGE_HZ = (0.3, 10.0)
BURST_BIN_MS = 5.0
BURST_FRACTION_MAX = 0.05
BURST_OVER_CHANCE = 3.0     # assumed: Poisson maxima over 10^3-10^4 bins stay below 2x the mean


def bin_fractions(node_ids: np.ndarray, times_ms: np.ndarray, members: np.ndarray,
                  start_ms: float, stop_ms: float, bin_ms: float = BURST_BIN_MS) -> np.ndarray:
    """Per bin of ``bin_ms``, the fraction of ``members`` (bool per cell) that fire in it (a
    cell counted once per bin)."""
    n = int(members.sum())
    node_ids = np.asarray(node_ids, dtype=np.int64)
    n_bins = int((stop_ms - start_ms) // bin_ms)
    keep = members[node_ids] & (times_ms >= start_ms) & (times_ms < start_ms + n_bins * bin_ms)
    if n == 0 or n_bins == 0 or not keep.any():
        return np.zeros(max(n_bins, 1))
    bins = ((times_ms[keep] - start_ms) // bin_ms).astype(np.int64)
    pairs = np.unique(bins * (int(node_ids.max()) + 1) + node_ids[keep])
    return np.bincount(pairs // (int(node_ids.max()) + 1), minlength=n_bins) / n


def largest_bin_fraction(node_ids, times_ms, members, start_ms, stop_ms,
                         bin_ms: float = BURST_BIN_MS) -> float:
    """The largest of ``bin_fractions``."""
    return float(bin_fractions(node_ids, times_ms, members, start_ms, stop_ms, bin_ms).max())


def stability(node_ids, times_ms, groups: np.ndarray, cell_type: np.ndarray, start_ms: float,
              stop_ms: float) -> dict:
    """Per group (area, or area and hemisphere): E rate (None for a group without E cells, such
    as the thalamus or the cerebellum; such groups are left out of the rate check) and the
    largest 5 ms bin fraction; the same fraction for all cells; and the two checks."""
    duration_s = (stop_ms - start_ms) / 1000.0
    window = (times_ms >= start_ms) & (times_ms < stop_ms)
    per_group = {}
    for group in dict.fromkeys(groups):
        members = groups == group
        excitatory = members & (cell_type == "E")
        n_spikes = int(np.count_nonzero(excitatory[node_ids] & window))
        fractions = bin_fractions(node_ids, times_ms, members, start_ms, stop_ms)
        largest, mean = float(fractions.max()), float(fractions.mean())
        per_group[str(group)] = {
            "e_rate_hz": n_spikes / int(excitatory.sum()) / duration_s if excitatory.any()
            else None,
            "largest_bin_fraction": largest, "mean_bin_fraction": mean,
            "bursting": bool(largest > max(BURST_FRACTION_MAX, BURST_OVER_CHANCE * mean))}
    everyone = largest_bin_fraction(node_ids, times_ms, np.ones(len(groups), bool), start_ms,
                                    stop_ms)
    rated = {k: g["e_rate_hz"] for k, g in per_group.items() if g["e_rate_hz"] is not None}
    outside = [k for k, r in rated.items() if not E_RATE_RANGE_HZ[0] <= r <= E_RATE_RANGE_HZ[1]]
    return {"window_ms": [start_ms, stop_ms], "bin_ms": BURST_BIN_MS, "groups": per_group,
            "largest_bin_fraction_all_cells": everyone,
            "e_rate_range_hz": [float(min(rated.values())), float(max(rated.values()))],
            "e_rate_range_hz_allowed": list(E_RATE_RANGE_HZ),
            "groups_outside_e_rate_range": outside,
            "bursting_groups": [k for k, g in per_group.items() if g["bursting"]],
            "e_rates_in_range": not outside,
            "no_synchrony_burst": bool(everyone <= BURST_FRACTION_MAX)}
