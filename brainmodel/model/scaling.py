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

Above the reference in-degree (``reference``, the spec's ``gain_reference_indegree``: the
in-degree fraction the regime was tuned at) mean and variance are not all that changes with k:
the effective coupling, in-degree x weight, grows as sqrt(k), and it sets the network's
correlations and oscillations (van Albada, Helias & Diesmann 2015 show that mean, variance and
effective coupling cannot all be kept when k falls). Measured: at k = 0.3 with weights / sqrt(k)
the resting cortex grew a 20-25 Hz rhythm that 0.2 does not have (docs/science.md). For k above
the reference the scaling therefore keeps the reference model's effective coupling:
- weights x sqrt(k_ref) / k (``weight_factor``), so k K w is that of k_ref; the synapses carry
  sqrt(k_ref) of the full mean (``mean_fraction``), the compensation the rest;
- their variance is then k_ref / k of the full one (``variance_fraction``); the missing part is
  added to the Poisson background (``background_topup``), so the total variance is kept;
- the background keeps the reference model's sources and weights (``background_fraction``),
  so its kicks, which make the cells fire, are those of the tuned model.
Up to the reference (and always when it is 1) the rule is the plain one above. Above it only
more synapses per cell, each smaller, distinguish k from k_ref: the recurrent input's shot
noise is finer grained (which lowered the deep E cells' rates; regions.cortex offsets).
"""
from __future__ import annotations

import numpy as np

from ..errors import BrainmodelError
from .edges import mean_facilitation

RECEPTORS = ("ampa", "gaba")


def check_fraction(indegree_fraction: float) -> None:
    if not 0.0 < indegree_fraction <= 1.0:
        raise BrainmodelError(f"in-degree fraction must be in (0, 1], not {indegree_fraction}")


def weight_factor(indegree_fraction: float, reference: float = 1.0) -> float:
    """Factor on a full-scale weight at in-degree fraction k: 1 / sqrt(k) up to the reference
    in-degree k_ref, sqrt(k_ref) / k above it (the effective coupling k w stays at k_ref's)."""
    check_fraction(indegree_fraction)
    check_fraction(reference)
    if indegree_fraction > reference:
        return float(np.sqrt(reference) / indegree_fraction)
    return float(1.0 / np.sqrt(indegree_fraction))


def mean_fraction(indegree_fraction: float, reference: float = 1.0) -> float:
    """The part of the full mean input that the scaled synapses carry: k x ``weight_factor``,
    sqrt(k) up to the reference, sqrt(k_ref) above it."""
    return float(indegree_fraction * weight_factor(indegree_fraction, reference))


def variance_fraction(indegree_fraction: float, reference: float = 1.0) -> float:
    """The part of the full variance that the scaled synapses carry: k x ``weight_factor``^2,
    1 up to the reference, k_ref / k above it."""
    return float(indegree_fraction * weight_factor(indegree_fraction, reference) ** 2)


def background_fraction(indegree_fraction: float, reference: float = 1.0) -> float:
    """The fraction of the full-scale Poisson background sources a cell gets: k, at most the
    reference in-degree (above it the background is the reference model's)."""
    check_fraction(indegree_fraction)
    return float(min(indegree_fraction, reference))


def background_topup(synaptic_variance: np.ndarray, background_variance: np.ndarray,
                     indegree_fraction: float, reference: float = 1.0) -> np.ndarray:
    """Factor on each cell's background weight that adds the variance the scaled synapses lack
    above the reference in-degree: sqrt(1 + V_syn (1 / f - 1) / V_bg), f the
    ``variance_fraction``, V_syn the variance the scaled synapses give and V_bg the background's
    (both of the input current, one value per cell, e.g. averaged over its population); 1 where
    nothing is missing."""
    missing = synaptic_variance * (1.0 / variance_fraction(indegree_fraction, reference) - 1.0)
    ratio = np.divide(missing, background_variance, out=np.zeros(len(missing)),
                      where=background_variance > 0)
    return np.sqrt(1.0 + ratio)


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
                              indegree_fraction: float, mask: np.ndarray,
                              reference: float = 1.0) -> dict:
    """Constant conductance per cell and receptor that restores the full mean: the scaled
    synapses carry f = ``mean_fraction`` of it (sqrt(k) up to the reference), so (1 / f - 1) x
    their population-averaged mean is missing. ``mask``: the cells that get it (the cortex's);
    others get 0."""
    factor = 1.0 / mean_fraction(indegree_fraction, reference) - 1.0
    out = {}
    for receptor, mean in scaled_mean.items():
        g = np.zeros(len(population))
        if mask.any():
            g[mask] = factor * population_average(mean[mask], population[mask])
        out[receptor] = g
    return out
