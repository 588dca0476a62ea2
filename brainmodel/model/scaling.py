"""Down-scaling that keeps the mean and the variance of every population's input.

A model at in-degree fraction k gives each cell k times the full in-degree K. Scaling the
weights by 1/k keeps the mean input but multiplies its variance by 1/k (20x at k = 0.05): each
input becomes a large jump. The established alternative (van Albada, Helias & Diesmann 2015,
PLoS Comput Biol 11:e1004490; NEST's Potjans_2014 example) keeps both:

- weights x 1/sqrt(k): the variance of a shot-noise conductance, K r w^2 tau / 2, is unchanged
  (k K inputs of weight w / sqrt(k));
- the mean then falls to sqrt(k) of the full one; the missing (1 - sqrt(k)) is given as a
  constant conductance per population and receptor (``compensating_conductances``), computed
  from the edge tables and the presynaptic populations' assumed rates
  (``regions.cortex.ASSUMED_RATE_HZ``).

For a conductance-based synapse with exponential decay tau, an input of rate r and weight w
adds r w tau to the mean conductance and r w^2 tau / 2 to its variance (Campbell's theorem).
The compensation is exact for the mean when the populations fire at the assumed rates; the
summary reports the measured ones beside them. A facilitating table's weight counts with the
expected facilitation of a Poisson train at the presynaptic rate (``edges.mean_facilitation``;
its spread from spike to spike is left out of the variance), the same at every k.

Which inputs are scaled this way: the cortex's local and cortico-cortical edges and its Poisson
background. Edges from or onto the non-cortical regions keep 1/k (their regime is not yet
tuned; ``brainmodel.model.nuclei``).
"""
from __future__ import annotations

import numpy as np

from ..errors import BrainmodelError
from .edges import mean_facilitation

RECEPTORS = ("ampa", "gaba")


def check_fraction(indegree_fraction: float) -> None:
    if not 0.0 < indegree_fraction <= 1.0:
        raise BrainmodelError(f"in-degree fraction must be in (0, 1], not {indegree_fraction}")


def weight_factor(indegree_fraction: float) -> float:
    """Factor on a full-scale weight at in-degree fraction k: 1 / sqrt(k)."""
    check_fraction(indegree_fraction)
    return 1.0 / np.sqrt(indegree_fraction)


def mean_fraction(indegree_fraction: float) -> float:
    """The part of the full mean input that the scaled synapses carry: sqrt(k)."""
    check_fraction(indegree_fraction)
    return float(np.sqrt(indegree_fraction))


def synaptic_moments(tables, pre_rate_hz: np.ndarray, tau_ms: dict, n_cells: int,
                     n_scaled: int | None = None) -> dict:
    """Per cell and receptor, the mean (r w tau) and variance (r w^2 tau / 2) of the synaptic
    conductance the edge tables give at the presynaptic rates ``pre_rate_hz`` (per cell).
    ``n_scaled``: only edges whose pre and post ids are below it count (the cortex's cells).
    Returns {receptor: (mean, variance)}, arrays of n_cells (tau in ms, rates in Hz, so the
    mean conductance is dimensionless like the weights)."""
    out = {r: (np.zeros(n_cells), np.zeros(n_cells)) for r in RECEPTORS}
    for table in tables:
        if len(table) == 0:
            continue
        pre, post = table.pre, table.post
        weight = table.weight
        if n_scaled is not None:
            keep = (pre < n_scaled) & (post < n_scaled)
            pre, post, weight = pre[keep], post[keep], weight[keep]
        tau_s = np.asarray(tau_ms[table.receptor], dtype=float) / 1000.0
        if tau_s.ndim:
            tau_s = tau_s[post]
        rate = pre_rate_hz[pre]
        if table.facilitation is not None:
            weight = weight * mean_facilitation(rate, table.facilitation)
        mean, variance = out[table.receptor]
        mean += np.bincount(post, rate * weight * tau_s, minlength=n_cells)
        variance += np.bincount(post, rate * weight ** 2 * tau_s / 2.0, minlength=n_cells)
    return out


def background_moments(n_sources: int, rate_hz: float, weight: np.ndarray,
                       tau_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the conductance of ``n_sources`` Poisson inputs of ``rate_hz`` with
    per-cell weight ``weight`` (AMPA decay ``tau_ms``, one number or one per cell)."""
    total = n_sources * rate_hz * tau_ms / 1000.0
    return total * weight, total * weight ** 2 / 2.0


def population_average(values: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Each cell's value replaced by the mean over its population (labels per cell)."""
    names, index = np.unique(population, return_inverse=True)
    sums = np.bincount(index, values, minlength=len(names))
    counts = np.bincount(index, minlength=len(names))
    return (sums / np.maximum(counts, 1))[index]


def compensating_conductances(scaled_mean: dict, population: np.ndarray,
                              indegree_fraction: float, mask: np.ndarray) -> dict:
    """Constant conductance per cell and receptor that restores the full mean: the scaled
    synapses carry sqrt(k) of it, so (1 / sqrt(k) - 1) x their population-averaged mean is
    missing. ``mask``: the cells that get it (the cortex's); others get 0."""
    factor = 1.0 / mean_fraction(indegree_fraction) - 1.0
    out = {}
    for receptor, mean in scaled_mean.items():
        g = np.zeros(len(population))
        if mask.any():
            g[mask] = factor * population_average(mean[mask], population[mask])
        out[receptor] = g
    return out
