"""Long-range cortico-cortical projections between the selected areas (both hemispheres).

Rules:
- Presynaptic cells are the E cells of L2/3-L6 of the source area. The reference study uses
  "cortex L2-6 E" as the presynaptic cortical population (Igarashi et al. 2019; DESIGN.md).
  Postsynaptic cells are every cell of the target area.
- Strength comes from a regional connectome (Knox et al. 2019 homogeneous model by default):
  the ipsilateral matrix within a hemisphere and the contralateral matrix across. An area's
  projection onto itself in the same hemisphere is left to the local rules.
- Normalisation (``projections.connectome.long_range_probability``): a target cell in layer L
  receives the background in-degree K_ext(L) of its region spec (Potjans & Diesmann 2014) from
  outside its local circuit. Each connectome source takes the share weight x source volume of
  it. The shares of the modelled sources become explicit synapses, and the Poisson background of
  the target cells shrinks by the same fraction, so the mean input is unchanged. Sources that are
  not modelled stay in the background.
- The pairs are homogeneous within an area pair (no topography yet) and exact Bernoulli, with
  the same density and in-degree scaling as the local rules.
- Delays are the synaptic delay plus the somatic distance over ``LONG_RANGE_VELOCITY_UM_PER_MS``.
"""
from __future__ import annotations

import numpy as np

from brainmodel import connectivity
from brainmodel.errors import BrainmodelError

from .connectome import long_range_probability

PRESYNAPTIC_LAYERS = ("L2/3", "L4", "L5A", "L5B", "L6")
PRESYNAPTIC_TYPE = "E"
# Myelinated cortico-cortical axons conduct faster than the local unmyelinated ones (0.1-0.6
# m/s, Bringuier et al. 1999). 1 m/s is an assumed round value, not a measurement.
LONG_RANGE_VELOCITY_UM_PER_MS = 1000.0


def _key(area: str, side: str) -> str:
    return f"{area} ({side})"


def source_shares(connectome, volumes: dict[str, float], target: str,
                  modelled: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Share of a target area's long-range input from each modelled (area, side) source."""
    weights, source_volumes = {}, {}
    for side in ("ipsi", "contra"):
        for area, w in connectome.inputs_to(target, side).items():
            if side == "ipsi" and area == target:
                continue                    # the area's own local circuit
            weights[_key(area, side)] = w
            source_volumes[_key(area, side)] = volumes.get(area, 0.0)
    cells = {_key(a, s): 1 for a, s in modelled}
    shares = long_range_probability(weights, source_volumes, cells, 1.0)
    return {(a, s): shares[_key(a, s)] for a, s in modelled}


def long_range_edges(cells, spec, connectome, volumes: dict[str, float], density_fraction: float,
                     indegree_fraction: float, seed: int):
    """AMPA edges between the areas of the cell table and the per-cell background factor.

    Returns (pre, post, weight, delay_ms, background_factor), where background_factor (one per
    cell) multiplies the cell's Poisson background weight."""
    background_factor = np.ones(len(cells))
    ids = np.arange(len(cells))
    areas = [(a, h) for a in dict.fromkeys(cells.region) for h in ("left", "right")
             if np.any((cells.region == a) & (cells.hemisphere == h))]
    is_pre = (cells.type == PRESYNAPTIC_TYPE) & np.isin(cells.layer, PRESYNAPTIC_LAYERS)
    parts = []
    for t_index, (target, t_hemi) in enumerate(areas):
        sources = [(a, h) for a, h in areas if not (a == target and h == t_hemi)]
        if not sources:
            continue
        modelled = [(a, "ipsi" if h == t_hemi else "contra") for a, h in sources]
        if len(set(modelled)) != len(modelled):
            raise BrainmodelError("an area appears twice in one hemisphere")
        shares = source_shares(connectome, volumes, target, modelled)
        in_target = (cells.region == target) & (cells.hemisphere == t_hemi)
        background_factor[in_target] = 1.0 - sum(shares.values())
        for s_index, ((source, s_hemi), key) in enumerate(zip(sources, modelled)):
            pre_ids = ids[is_pre & (cells.region == source) & (cells.hemisphere == s_hemi)]
            n_source_full = len(pre_ids) / density_fraction
            for layer in spec.layers:
                post_ids = ids[in_target & (cells.layer == layer)]
                if len(pre_ids) == 0 or len(post_ids) == 0 or shares[key] == 0:
                    continue
                p_full = spec.background_indegree[layer] * shares[key] / n_source_full
                p = connectivity.scaled_probability(p_full, density_fraction, indegree_fraction)
                rng = np.random.default_rng([int(seed), t_index, s_index, spec.layers.index(layer)])
                pre, post = connectivity.bernoulli_pairs(pre_ids, post_ids, p, rng)
                parts.append((pre, post))
    if not parts:
        empty = np.empty(0, np.int64)
        return empty, empty, np.empty(0), np.empty(0), background_factor
    pre, post = (np.concatenate(col) for col in zip(*parts))
    weight_full = np.array([spec.weight_full_long_range[t] for t in cells.type[post]])
    weight = weight_full / indegree_fraction
    delay = connectivity.delays_ms(pre, post, cells.position_um, spec.synaptic_delay_ms,
                                   LONG_RANGE_VELOCITY_UM_PER_MS)
    return pre, post, weight, delay, background_factor
