"""Connectivity stage: edge tables from distance rules, computed in numpy/scipy.

The local rule is a Bernoulli draw per (pre, post) pair with probability
``p(d) = p * exp(-d^2 / (2 sigma^2))`` where d is the distance between the cells' surface
(tangential) coordinates. Candidate voxel pairs within ``CUTOFF_SIGMAS * sigma`` come from a k-d
tree. Autapses are excluded.

Scaling (Potjans & Diesmann 2014; van Albada et al. 2015, PLoS Comput Biol 11:e1004490): with
cell density fraction f and in-degree fraction k, the pair probability is p_max * k / f, so the
expected in-degree is k times the full-density one, and weights are multiplied by 1 / sqrt(k) so
that the variance of each cell's synaptic input is preserved; the missing mean is a constant
conductance (``brainmodel.model.scaling``).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.spatial import cKDTree

from ..errors import BrainmodelError
from . import scaling
from .edges import EdgeTable, coordinate_columns, delays_ms, distances, edge_table

CUTOFF_SIGMAS = 3.0
_CHUNK_CANDIDATES = 1 << 20        # candidates per chunk of work (arrays that stay in cache)
# block pairs whose bounds lie within this factor share one candidate process (tuned: 0.8 keeps
# the extra candidates of a class below 25 %)
BOUND_CLASS_RATIO = 0.8
# threads that draw pathways at once (the machines have 2 cores)
CONSTRUCTION_WORKERS = 2


def scaled_probability(p_max: float, density_fraction: float, indegree_fraction: float) -> float:
    p = p_max * indegree_fraction / density_fraction
    if p > 1.0 + 1e-12:
        raise BrainmodelError(
            f"in-degree fraction {indegree_fraction} is too high for density fraction "
            f"{density_fraction}: a pathway with peak probability {p_max:.3f} would need "
            f"p = {p:.2f} > 1. Lower --indegree or raise --density")
    return min(p, 1.0)


def compensated_weight(weight_full: float, indegree_fraction: float,
                       reference: float = 1.0) -> float:
    """Weight at in-degree fraction k that keeps the variance of the input (in-degree x
    weight^2) unchanged: weight_full / sqrt(k) up to the reference in-degree, above it the
    reference's effective coupling; the missing mean is a constant conductance, the missing
    variance background (``brainmodel.model.scaling``)."""
    return weight_full * scaling.weight_factor(indegree_fraction, reference)


def gaussian_pairs(pre_ids: np.ndarray, post_ids: np.ndarray, cells_voxel_row: np.ndarray,
                   surface_um: np.ndarray, p: float, sigma_um: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(pre, post) global ids (int32) connected by the tangential Gaussian rule; no autapses.

    Exact Bernoulli sampling, organised by blocks: cells are grouped by ``cells_voxel_row`` (a
    voxel, or a coarser block: ``sampling_blocks``); block pairs within the cutoff plus the
    largest in-block tangential offset are found with a k-d tree over block centres, each with
    an upper bound b on p(d) for its cell pairs. Every cell pair stands for one uniform number u
    and is connected iff u < p(d) and d <= cutoff; only the pairs with u below their block's
    bound are generated (``bound_classes``, ``candidate_positions``), so the random numbers and
    the distances scale with the candidates, not with all pairs.
    """
    if p < 0 or p > 1:
        raise BrainmodelError(f"connection probability must be in [0, 1], not {p}")
    if p == 0 or len(pre_ids) == 0 or len(post_ids) == 0:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    cutoff = CUTOFF_SIGMAS * sigma_um
    pre_ids = pre_ids[np.argsort(cells_voxel_row[pre_ids], kind="stable")]
    post_ids = post_ids[np.argsort(cells_voxel_row[post_ids], kind="stable")]
    _, pre_start, pre_count = voxel_groups(cells_voxel_row[pre_ids])
    _, post_start, post_count = voxel_groups(cells_voxel_row[post_ids])
    pre_centre = _group_centres(surface_um[pre_ids], pre_start, pre_count)
    post_centre = _group_centres(surface_um[post_ids], post_start, post_count)
    pre_spread = _group_spreads(surface_um[pre_ids], pre_centre, pre_count)
    post_spread = _group_spreads(surface_um[post_ids], post_centre, post_count)
    block_pre, block_post, centre_distance = neighbour_blocks(
        pre_centre, post_centre, cutoff + pre_spread.max() + post_spread.max())
    # no two cells of a block pair are closer than the centres' distance minus both spreads
    gap = np.maximum(centre_distance - pre_spread[block_pre] - post_spread[block_post], 0.0)
    keep = gap <= cutoff
    block_pre, block_post, gap = block_pre[keep], block_post[keep], gap[keep]
    bound = p * np.exp(-gap ** 2 / (2.0 * sigma_um ** 2))
    columns = coordinate_columns(surface_um)
    out_pre, out_post = [], []
    pre_ids, post_ids = pre_ids.astype(np.int32), post_ids.astype(np.int32)
    for pre, post, u, _ in block_pairs(pre_ids, pre_start, pre_count, post_ids, post_start,
                                       post_count, block_pre, block_post, bound, rng):
        d2 = distances(columns, pre, post, squared=True)
        keep = ((u < p * np.exp(d2 * (-0.5 / sigma_um ** 2)))
                & (d2 <= cutoff ** 2) & (pre != post))
        out_pre.append(pre[keep])
        out_post.append(post[keep])
    if not out_pre:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    return np.concatenate(out_pre), np.concatenate(out_post)


def compensated_pairs(pre_ids: np.ndarray, post_ids: np.ndarray, cells_voxel_row: np.ndarray,
                      surface_um: np.ndarray, p: float, sigma_um: float, factor: np.ndarray,
                      seed_key: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``gaussian_pairs`` with each post cell's expected input (in-degree x weight) multiplied
    by its ``factor`` F >= 1 (one per cell id; ``brainmodel.model.pv_inputs``): (pre, post,
    weight factor per synapse).

    F is split into a count factor C = min(F, 1 / p), at most one expected contact per pair at
    distance 0, and a weight factor F / C. The extra C - 1 come from a second draw of the same
    rule at p (C_max - 1), thinned per post cell to p (C - 1), from its own random stream
    (``seed_key + [1]``); a pair may so receive two contacts. Where F is 1 for every post cell
    the result is ``gaussian_pairs``' with ``seed_key``, bit for bit."""
    if np.any(factor < 1.0):
        raise BrainmodelError("input factors must be at least 1")
    pre, post = gaussian_pairs(pre_ids, post_ids, cells_voxel_row, surface_um, p, sigma_um,
                               np.random.default_rng(seed_key))
    count = np.minimum(factor, 1.0 / p) if p > 0 else np.ones_like(factor)
    extra = post_ids[count[post_ids] > 1.0]
    if len(extra):
        rng = np.random.default_rng(list(seed_key) + [1])
        top = float(count[extra].max())
        extra_pre, extra_post = gaussian_pairs(pre_ids, extra, cells_voxel_row, surface_um,
                                               p * (top - 1.0), sigma_um, rng)
        keep = rng.random(len(extra_post)) * (top - 1.0) < count[extra_post] - 1.0
        pre = np.concatenate([pre, extra_pre[keep]])
        post = np.concatenate([post, extra_post[keep]])
    return pre, post, factor[post] / count[post]


def neighbour_blocks(pre_points: np.ndarray, post_points: np.ndarray, radius: float):
    """(pre group, post group, distance) of the group pairs closer than radius, ordered by post
    group, then pre group."""
    pairs = cKDTree(pre_points).sparse_distance_matrix(cKDTree(post_points), radius,
                                                       output_type="ndarray")
    order = np.lexsort((pairs["i"], pairs["j"]))
    pairs = pairs[order]
    return (pairs["i"].astype(np.int64), pairs["j"].astype(np.int64),
            pairs["v"].astype(np.float64))


def block_pairs(pre_ids, pre_start, pre_count, post_ids, post_start, post_count, block_pre,
                block_post, bound, rng):
    """The cell pairs of block pairs whose uniform u falls below the block pair's ``bound``:
    yields (pre, post, u, block pair) arrays, chunk by chunk; given its block pair b, u is
    uniform on [0, bound[b]).

    Block pair b pairs the pre cells ``pre_ids[pre_start[block_pre[b]]:][:pre_count[...]]``
    with the post cells of ``block_post[b]``."""
    pre_start, post_start = pre_start.astype(np.int32), post_start.astype(np.int32)
    pre_count, post_count = pre_count.astype(np.int32), post_count.astype(np.int32)
    size = pre_count[block_pre].astype(np.int64) * post_count[block_post]
    for blocks, class_bound in bound_classes(bound, size):
        class_pre, class_post = block_pre[blocks], block_post[blocks]
        for block, q, u in candidate_positions(size[blocks], class_bound, rng):
            keep = u < bound[blocks[block]]     # down from the class bound to the block's
            block, q, u = block[keep], q[keep].astype(np.int32), u[keep]
            bq = class_post[block]
            row, column = np.divmod(q, post_count[bq])
            yield (pre_ids[pre_start[class_pre[block]] + row],
                   post_ids[post_start[bq] + column], u, blocks[block])


def bound_classes(bound: np.ndarray, size: np.ndarray):
    """Block pairs grouped by their bound: yields (block indices, class bound). A class holds
    the blocks whose bound lies in (c * r, c] with r = BOUND_CLASS_RATIO, and all its pairs are
    treated as one Bernoulli(c) candidate process (``candidate_positions``), so that a class
    draws one sequence of gaps instead of one per block; the candidates' u are uniform on
    [0, c), and a candidate above its own p(d) is rejected like any other."""
    live = np.flatnonzero((bound > 0) & (size > 0))
    if len(live) == 0:
        return
    top = bound[live].max()
    # rounding may only move a block to a higher class bound (- 1e-9), never below its own
    level = np.floor(np.log(bound[live] / top) / np.log(BOUND_CLASS_RATIO) - 1e-9)
    level = np.maximum(level, 0).astype(np.int64)
    order = np.argsort(level, kind="stable")
    levels, first = np.unique(level[order], return_index=True)
    for k, start in enumerate(first):
        end = first[k + 1] if k + 1 < len(first) else len(order)
        yield live[order[start:end]], min(1.0, top * BOUND_CLASS_RATIO ** levels[k])


def candidate_positions(size: np.ndarray, b: float, rng: np.random.Generator):
    """The pairs of consecutive blocks (``size`` pairs each, one pair index space) whose uniform
    u falls below b: yields (block, pair index in the block, u) in chunks of about
    _CHUNK_CANDIDATES, ordered by block.

    Over the pair index, the pairs with u < b form a Bernoulli(b) process, so the gaps between
    them are Geometric(b), drawn as 1 + floor(E / -log(1 - b)) with E standard exponential;
    given u < b, u is uniform on [0, b)."""
    for chunk in _slices(size * b, _CHUNK_CANDIDATES):
        sizes = size[chunk]
        ends = np.cumsum(sizes)
        positions = _bernoulli_positions(int(ends[-1]), b, rng)
        counts = np.diff(np.searchsorted(positions, ends, side="left"), prepend=0)
        block = np.repeat(np.arange(len(sizes)), counts)
        q = positions - (ends - sizes)[block]
        yield block + chunk.start, q, b * rng.random(len(q))


def _bernoulli_positions(n: int, b: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices in [0, n) of a Bernoulli(b) process."""
    if b >= 1.0:
        return np.arange(n, dtype=np.int64)
    scale = -1.0 / np.log1p(-b)
    parts, start = [], 0
    while start < n:
        expected = (n - start) * b
        draws = int(expected + 4.0 * np.sqrt(expected) + 16)
        gaps = np.floor(rng.standard_exponential(draws) * scale).astype(np.int64) + 1
        positions = np.cumsum(gaps) + (start - 1)
        parts.append(positions[positions < n])
        start = int(positions[-1]) + 1
    return np.concatenate(parts)


def bernoulli_pairs(pre_ids: np.ndarray, post_ids: np.ndarray, p: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Every (pre, post) pair connected with the same probability p (no distance rule); no
    autapses. Exact Bernoulli, drawn as geometric gaps over the pair index."""
    if not 0 <= p <= 1:
        raise BrainmodelError(f"connection probability must be in [0, 1], not {p}")
    size = len(pre_ids) * len(post_ids)
    if p == 0 or size == 0:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    q = _bernoulli_positions(size, float(p), rng)
    row, column = np.divmod(q, len(post_ids))
    pre, post = pre_ids[row], post_ids[column]
    keep = pre != post
    return pre[keep].astype(np.int32), post[keep].astype(np.int32)


def fixed_indegree(candidates: list, post: np.ndarray, k: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """k distinct pre cells per post cell among its candidates (all when fewer)."""
    pre_parts, post_parts = [], []
    for cand, p in zip(candidates, post):
        if len(cand) == 0:
            continue
        chosen = cand if len(cand) <= k else rng.choice(cand, k, replace=False)
        pre_parts.append(np.asarray(chosen, dtype=np.int64))
        post_parts.append(np.full(len(chosen), p, dtype=np.int64))
    if not pre_parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(pre_parts), np.concatenate(post_parts)


def _slices(counts: np.ndarray, per_slice: int):
    """Slices of consecutive entries whose counts add up to about per_slice (at least one
    entry each)."""
    ends = np.cumsum(counts)
    first = 0
    while first < len(counts):
        last = int(np.searchsorted(ends, (ends[first - 1] if first else 0) + per_slice,
                                   side="right"))
        last = max(last, first + 1)
        yield slice(first, last)
        first = last


def voxel_groups(voxel_rows: np.ndarray):
    """Runs of equal voxel rows in an id range sorted by voxel: (voxel, start, count)."""
    if np.any(np.diff(voxel_rows) < 0):
        raise BrainmodelError("cells of a population must be sorted by voxel")
    voxels, start, count = np.unique(voxel_rows, return_index=True, return_counts=True)
    return voxels, start, count


def _group_centres(points: np.ndarray, start: np.ndarray, count: np.ndarray) -> np.ndarray:
    return np.add.reduceat(points, start, axis=0) / count[:, None]


def _group_spreads(points: np.ndarray, centres: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Per group: the largest distance of its cells' surface points from its centre."""
    distance = np.linalg.norm(points - np.repeat(centres, count, axis=0), axis=1)
    return np.maximum.reduceat(distance, np.concatenate(([0], np.cumsum(count)[:-1])))


# Below this density fraction cells are grouped in blocks of 2 x 2 x 2 voxels for sampling: with
# one or two cells per voxel and population, the per-block work dominates (whole isocortex at
# density 0.02: one pathway 4.6 s with voxel blocks, 0.55 s with 2-voxel blocks). The draw stays
# exact Bernoulli either way; only the random stream's use differs.
COARSE_BLOCK_BELOW_DENSITY = 0.05


def sampling_blocks(cells, resolution_um: float, density_fraction: float) -> np.ndarray:
    """Block key per cell: its voxel, or its aligned 2 x 2 x 2 voxel block at low density."""
    if density_fraction >= COARSE_BLOCK_BELOW_DENSITY:
        return np.asarray(cells.voxel_row)
    ijk = np.floor(cells.position_um / (2.0 * resolution_um)).astype(np.int64)
    return np.ravel_multi_index(tuple(ijk.T), tuple(ijk.max(axis=0) + 1))


def local_edges(cells, spec, density_fraction: float, indegree_fraction: float,
                seed: int, progress=None, resolution_um: float = 100.0,
                dt_ms: float = 0.1, workers: int = CONSTRUCTION_WORKERS,
                input_factors: dict | None = None) -> list[EdgeTable]:
    """One EdgeTable per pathway of a region spec (delays in steps of dt_ms). Pathways are
    drawn ``workers`` at a time in threads (numpy releases the GIL in its array work); each has
    its own random stream, so the result does not depend on workers. ``input_factors``:
    {presynaptic population: per cell factor} on the post cells' input from that population
    (``compensated_pairs``; ``brainmodel.model.pv_inputs``)."""
    input_factors = input_factors or {}
    blocks = sampling_blocks(cells, resolution_um, density_fraction)
    positions = coordinate_columns(cells.position_um)
    ids = np.arange(len(cells))

    def pathway_table(n: int) -> EdgeTable:
        pathway = spec.pathways[n]
        p = scaled_probability(pathway.p_max, density_fraction, indegree_fraction)
        pre_ids = ids[cells.population_slice(*pathway.pre)]
        post_ids = ids[cells.population_slice(*pathway.post)]
        factor = input_factors.get(pathway.pre)
        weight = compensated_weight(pathway.weight_full, indegree_fraction,
                                    spec.gain_reference_indegree)
        if factor is not None and len(post_ids) and factor[post_ids].max() > 1.0:
            pre, post, weight_factor = compensated_pairs(
                pre_ids, post_ids, blocks, cells.surface_um, p, pathway.sigma_um, factor,
                [int(seed), n])
            weight = weight * weight_factor
        else:
            pre, post = gaussian_pairs(pre_ids, post_ids, blocks, cells.surface_um, p,
                                       pathway.sigma_um, np.random.default_rng([int(seed), n]))
        delay = delays_ms(pre, post, positions, spec.synaptic_delay_ms, spec.velocity_um_per_ms)
        return edge_table(pre, post, weight, delay, pathway.receptor, dt_ms,
                          pathway.facilitation)

    tables = []
    with ThreadPoolExecutor(max(1, int(workers))) as pool:
        for n, table in enumerate(pool.map(pathway_table, range(len(spec.pathways)))):
            tables.append(table)
            if progress and (n + 1) % 25 == 0:
                progress(f"  pathways {n + 1}/{len(spec.pathways)}")
    return tables
