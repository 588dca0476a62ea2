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
  it. The shares of the modelled sources become explicit synapses. Sources that are not
  modelled stay in the Poisson background.
- What the background keeps (``background_weight_factors``): the background is tuned for the
  fluctuations that make the cortex fluctuation-driven (``regions.cortex``: large independent
  kicks; the balancing current per area sets the mean). The explicit synapses give a small part
  of that variance (about 4 % of an E cell's and 15 % of an FS cell's when every source is
  modelled, at the assumed rates), so the background's weight is multiplied by
  sqrt(1 - explicit variance / background variance) and the total variance is unchanged. An
  earlier version shrank the background's weight by the modelled share (which keeps the mean
  but removes up to 99 % of the variance): in the whole cortex, where the modelled share reaches
  0.9, 44 of 86 areas fell silent and the lateral areas with most background fired 10-50 Hz.
- Topography: with flatmap positions (``brainmodel.inputs.flatmap``), the probability between a pre and
  a post cell is multiplied by a Gaussian of the distance between their relative positions in
  their own areas (along and across each elongated area's own long axis on the dorsal flatmap,
  in units of the area's spread; medio-lateral mirrored across hemispheres;
  ``brainmodel.inputs.flatmap.relative_positions``), normalised per post voxel so that every
  cell keeps its in-degree. Corresponding
  parts of two areas (the same body part in MOp and SSp) sit at similar relative positions, as
  in the reference study's use of topographic connectome data. Without positions the pairs are
  homogeneous. Sampling is exact Bernoulli with the local rules' density and in-degree scaling.
- Target layers: with a layer profile (Koelle et al. 2023 wild-type leaf-to-leaf model,
  ``projections.connectome.target_layer_profile``: the fraction of a source's projection to the
  target area that lands in each of its layers), a target layer's share is scaled by its
  terminal density relative to the area's mean (fraction / cells of the layer), so layers that
  receive more terminals per cell get more inputs; terminals in L1 (no model cells) are left out.
  Without a profile for the source (no injection of its leaves) all layers are alike.
- Delays are the synaptic delay plus the somatic distance over ``LONG_RANGE_VELOCITY_UM_PER_MS``.
"""
from __future__ import annotations

import numpy as np

from brainmodel.errors import BrainmodelError
from brainmodel.model import connectivity, parameters, scaling
from brainmodel.model.edges import delays_ms, edge_table, empty_table

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


# model layer -> atlas layers whose terminals it receives
ATLAS_LAYERS_OF = {"L2/3": ("L2/3",), "L4": ("L4",), "L5A": ("L5",), "L5B": ("L5",),
                   "L6": ("L6a", "L6b")}


def layer_factors(profile: dict | None, cells_per_layer: dict[str, int]) -> dict[str, float]:
    """Relative terminal density per model layer (1 everywhere without a profile)."""
    if not profile:
        return {layer: 1.0 for layer in cells_per_layer}
    groups: dict[tuple, list[str]] = {}
    for layer in cells_per_layer:
        groups.setdefault(ATLAS_LAYERS_OF[layer], []).append(layer)
    fraction = {g: sum(profile.get(a, 0.0) for a in g) for g in groups}
    count = {g: sum(cells_per_layer[la] for la in members) for g, members in groups.items()}
    total_f = sum(f for g, f in fraction.items() if count[g] > 0)
    total_n = sum(count.values())
    if total_f <= 0 or total_n == 0:
        return {layer: 1.0 for layer in cells_per_layer}
    mean_density = total_f / total_n
    return {layer: (fraction[g] / count[g] / mean_density if count[g] else 0.0)
            for g, members in groups.items() for layer in members}


def long_range_edges(cells, spec, connectome, volumes: dict[str, float], density_fraction: float,
                     indegree_fraction: float, seed: int, relative_position: np.ndarray | None = None,
                     topography_sigma: float = TOPOGRAPHY_SIGMA, layer_profile=None,
                     dt_ms: float = 0.1):
    """AMPA edges between the areas of the cell table and the per-cell background factor.

    ``relative_position`` (cells x 2, ``brainmodel.inputs.flatmap.relative_positions``) switches
    on the topographic kernel; ``layer_profile(source, target, side)`` (a dict of atlas layer ->
    fraction, or None) the target-layer specificity. Returns (EdgeTable of AMPA synapses,
    background_factor), where background_factor (one per cell, ``background_weight_factors``)
    multiplies the cell's Poisson background weight."""
    areas = [(a, h) for a in dict.fromkeys(cells.region) for h in ("left", "right")
             if np.any((cells.region == a) & (cells.hemisphere == h))]
    is_pre = (cells.type == PRESYNAPTIC_TYPE) & np.isin(cells.layer, PRESYNAPTIC_LAYERS)
    # cell ids per (area, hemisphere) and per (area, hemisphere, layer), computed once
    key = np.char.add(np.char.add(cells.region.astype(str), "|"), cells.hemisphere.astype(str))
    order = np.argsort(key, kind="stable")
    names, first = np.unique(key[order], return_index=True)
    members = dict(zip(names, np.split(order, first[1:])))
    pre_of = {k: v[is_pre[v]] for k, v in members.items()}
    parts = []
    for t_index, (target, t_hemi) in enumerate(areas):
        sources = [(a, h) for a, h in areas if not (a == target and h == t_hemi)]
        if not sources:
            continue
        modelled = [(a, "ipsi" if h == t_hemi else "contra") for a, h in sources]
        if len(set(modelled)) != len(modelled):
            raise BrainmodelError("an area appears twice in one hemisphere")
        shares = source_shares(connectome, volumes, target, modelled)
        target_ids = members[f"{target}|{t_hemi}"]
        post_by_layer = {layer: target_ids[cells.layer[target_ids] == layer]
                         for layer in spec.layers}
        counts = {la: len(ids) for la, ids in post_by_layer.items() if len(ids)}
        for s_index, ((source, s_hemi), key) in enumerate(zip(sources, modelled)):
            pre_ids = pre_of[f"{source}|{s_hemi}"]
            n_source_full = len(pre_ids) / density_fraction
            factor = layer_factors(layer_profile(source, target, key[1]) if layer_profile
                                   else None, counts)
            for layer in spec.layers:
                post_ids = post_by_layer[layer]
                if len(pre_ids) == 0 or len(post_ids) == 0 or shares[key] == 0:
                    continue
                p_full = (spec.background_indegree[layer] * shares[key] * factor[layer]
                          / n_source_full)
                p = connectivity.scaled_probability(p_full, density_fraction, indegree_fraction)
                rng = np.random.default_rng([int(seed), t_index, s_index, spec.layers.index(layer)])
                if relative_position is None:
                    pre, post = connectivity.bernoulli_pairs(pre_ids, post_ids, p, rng)
                else:
                    pre, post = topographic_pairs(pre_ids, post_ids, cells.voxel_row,
                                                  relative_position, p, topography_sigma, rng)
                parts.append((pre, post))
    if not parts:
        return empty_table("ampa", dt_ms), np.ones(len(cells))
    pre, post = (np.concatenate(col) for col in zip(*parts))
    weight_full = np.array([spec.weight_full_long_range[t] for t in cells.type[post]])
    weight = connectivity.compensated_weight(weight_full, indegree_fraction,
                                             spec.gain_reference_indegree)
    delay = delays_ms(pre, post, cells.position_um, spec.synaptic_delay_ms,
                      LONG_RANGE_VELOCITY_UM_PER_MS)
    return (edge_table(pre, post, weight, delay, "ampa", dt_ms),
            background_weight_factors(cells, spec, pre, post, weight, indegree_fraction))


def background_weight_factors(cells, spec, pre: np.ndarray, post: np.ndarray,
                              weight: np.ndarray, indegree_fraction: float) -> np.ndarray:
    """Per cell, sqrt(1 - V_explicit / V_background) (at least 0): the factor on its Poisson
    background weight that keeps the variance of its external input when the explicit
    long-range synapses (``pre``, ``post``, scaled ``weight``) carry part of it. Variances at
    full scale (both are scaled to keep them, ``brainmodel.model.scaling``), Campbell's theorem
    without the common tau / 2: explicit, the sum over a cell's synapses of r_pre w^2 at the
    presynaptic layers' assumed E rates (k times the synapses, weights / sqrt(k); above the
    reference in-degree divided by ``scaling.variance_fraction``, whose missing part
    ``parameters.cell_constants`` adds back); background, sources x rate x w_full^2."""
    rate = np.zeros(len(cells))
    for (layer, cell_type), value in spec.assumed_rate_hz.items():
        rate[(cells.layer == layer) & (cells.type == cell_type)] = value
    explicit = np.bincount(post, rate[pre] * weight ** 2, minlength=len(cells)) / \
        scaling.variance_fraction(indegree_fraction, spec.gain_reference_indegree)
    w_full = parameters.full_background_weights(spec, cells.layer, cells.type)
    background = spec.background_sources * spec.background_rate_hz * w_full ** 2
    ratio = np.divide(explicit, background, out=np.zeros(len(cells)), where=background > 0)
    return np.sqrt(np.clip(1.0 - ratio, 0.0, 1.0))


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
    block_pre, block_post, _ = connectivity.neighbour_blocks(pre_pos, post_pos, 3.0 * sigma)
    d2 = np.sum((pre_pos[block_pre] - post_pos[block_post]) ** 2, axis=1)
    kernel = np.exp(-d2 / (2.0 * sigma ** 2))
    mean_kernel = np.bincount(block_post, kernel * pre_count[block_pre],
                              minlength=len(post_pos)) / len(pre_sorted)
    # Near the edge of a small target area the kernel can ask for more than all the source
    # cells close to it; the probability is then capped at 1 (those cells get fewer inputs).
    bound = np.minimum(p * kernel / mean_kernel[block_post], 1.0)
    parts = [(pre, post) for pre, post, _, _ in connectivity.block_pairs(
        pre_sorted, pre_start, pre_count, post_sorted, post_start, post_count, block_pre,
        block_post, bound, rng)]
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pre, post = (np.concatenate(col) for col in zip(*parts))
    keep = pre != post
    return pre[keep], post[keep]
