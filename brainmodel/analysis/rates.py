"""Rates in a time window, the one place this arithmetic lives: spikes in [start, stop) per cell
per second."""
from __future__ import annotations

import numpy as np


def window_s(start_ms: float, stop_ms: float) -> float:
    return (stop_ms - start_ms) / 1000.0


def mean_rate(times_ms: np.ndarray, n_cells: int, start_ms: float, stop_ms: float) -> float:
    """Mean rate (Hz) of ``n_cells`` cells whose spike times are ``times_ms``; NaN for no cells
    or an empty window."""
    if n_cells == 0 or stop_ms <= start_ms:
        return float("nan")
    count = np.sum((times_ms >= start_ms) & (times_ms < stop_ms))
    return float(count / n_cells / window_s(start_ms, stop_ms))


def cell_rates(node_ids: np.ndarray, times_ms: np.ndarray, n_cells: int, start_ms: float,
               stop_ms: float) -> np.ndarray:
    """Rate (Hz) of every cell 0..n_cells-1."""
    window = (times_ms >= start_ms) & (times_ms < stop_ms)
    return np.bincount(node_ids[window], minlength=n_cells) / window_s(start_ms, stop_ms)


def group_rates(node_ids: np.ndarray, times_ms: np.ndarray, masks, start_ms: float,
                stop_ms: float) -> np.ndarray:
    """Mean rate (Hz) of each group of cells (bool masks over the cells); 0 for an empty group."""
    keep = (times_ms >= start_ms) & (times_ms < stop_ms)
    counts = [np.sum(m[node_ids[keep]]) for m in masks]
    return np.array([c / max(m.sum(), 1) / window_s(start_ms, stop_ms)
                     for c, m in zip(counts, masks)])


def binned_rates(node_ids: np.ndarray, times_ms: np.ndarray, members: np.ndarray,
                 start_ms: float, stop_ms: float, bin_ms: float) -> np.ndarray:
    """Rate (Hz) of a group of cells in consecutive bins of ``bin_ms`` from ``start_ms``."""
    edges = np.arange(start_ms, stop_ms + 1e-9, bin_ms)
    counts, _ = np.histogram(times_ms[members[node_ids]], edges)
    return counts / members.sum() / (bin_ms / 1000.0)
