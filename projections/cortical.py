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
- Topography: with flatmap positions (``brainmodel.flatmap``), the probability between a pre and
  a post cell is multiplied by a Gaussian of the distance between their relative positions in
  their own areas (in units of each area's spread on the dorsal flatmap; medio-lateral mirrored
  across hemispheres), normalised per post voxel so that every cell keeps its in-degree. Corresponding
  parts of two areas (the same body part in MOp and SSp) sit at similar relative positions, as
  in the reference study's use of topographic connectome data. Without positions the pairs are
  homogeneous. Sampling is exact Bernoulli with the local rules' density and in-degree scaling.
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
# Width of the topographic kernel in units of an area's spread (assumed; 0.5 keeps the bulk of a
# target cell's inputs from the matching third of the source area). Cut at 3 widths.
TOPOGRAPHY_SIGMA = 0.5


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
                     indegree_fraction: float, seed: int, relative_position: np.ndarray | None = None,
                     topography_sigma: float = TOPOGRAPHY_SIGMA):
    """AMPA edges between the areas of the cell table and the per-cell background factor.

    ``relative_position`` (cells x 2, ``brainmodel.flatmap.relative_positions``) switches on the
    topographic kernel. Returns (pre, post, weight, delay_ms, background_factor), where
    background_factor (one per cell) multiplies the cell's Poisson background weight."""
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
                if relative_position is None:
                    pre, post = connectivity.bernoulli_pairs(pre_ids, post_ids, p, rng)
                else:
                    pre, post = topographic_pairs(pre_ids, post_ids, cells.voxel_row,
                                                  relative_position, p, topography_sigma, rng)
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


def topographic_pairs(pre_ids: np.ndarray, post_ids: np.ndarray, voxel_row: np.ndarray,
                      relative_position: np.ndarray, p: float, sigma: float,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Pairs with probability p * K(d) / mean K seen by the post voxel, K a Gaussian of the
    distance d between relative positions (cut at 3 sigma); the mean is over the pre cells, so
    each post cell expects p * len(pre_ids) inputs, as without topography (less where the
    probability is capped at 1). Cells of one voxel
    share a position, so the draw is exact Bernoulli per voxel block."""
    pre_sorted = pre_ids[np.argsort(voxel_row[pre_ids], kind="stable")]
    post_sorted = post_ids[np.argsort(voxel_row[post_ids], kind="stable")]
    _, pre_start, pre_count = connectivity.voxel_groups(voxel_row[pre_sorted])
    _, post_start, post_count = connectivity.voxel_groups(voxel_row[post_sorted])
    pre_pos = relative_position[pre_sorted[pre_start]]
    post_pos = relative_position[post_sorted[post_start]]
    block_pre, block_post = connectivity.neighbour_blocks(pre_pos, post_pos, 3.0 * sigma)
    d2 = np.sum((pre_pos[block_pre] - post_pos[block_post]) ** 2, axis=1)
    kernel = np.exp(-d2 / (2.0 * sigma ** 2))
    mean_kernel = np.bincount(block_post, kernel * pre_count[block_pre],
                              minlength=len(post_pos)) / len(pre_sorted)
    # Near the edge of a small target area the kernel can ask for more than all the source
    # cells close to it; the probability is then capped at 1 (those cells get fewer inputs).
    bound = np.minimum(p * kernel / mean_kernel[block_post], 1.0)
    parts = [(pre, post) for pre, post, _ in connectivity.block_pairs(
        pre_sorted, pre_start, pre_count, post_sorted, post_start, post_count, block_pre,
        block_post, bound, rng)]
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pre, post = (np.concatenate(col) for col in zip(*parts))
    keep = pre != post
    return pre[keep], post[keep]
