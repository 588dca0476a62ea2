"""Connectivity stage: edge tables from distance rules, computed in numpy/scipy.

The local rule is a Bernoulli draw per (pre, post) pair with probability
``p(d) = p * exp(-d^2 / (2 sigma^2))`` where d is the distance between the cells' surface
(tangential) coordinates. Candidate voxel pairs within ``CUTOFF_SIGMAS * sigma`` come from a k-d
tree. Autapses are excluded.

Scaling (Potjans & Diesmann 2014; van Albada et al. 2015, PLoS Comput Biol 11:e1004490): with
cell density fraction f and in-degree fraction k, the pair probability is p_max * k / f, so the
expected in-degree is k times the full-density one, and weights are divided by k so that the mean
synaptic input of each cell is preserved.
"""
from __future__ import annotations

import itertools

import numpy as np
from scipy.spatial import cKDTree

from ..errors import BrainmodelError
from .edges import (EdgeTable, coordinate_columns, delays_ms, distances, edge_table,
                    merge_by_receptor)

CUTOFF_SIGMAS = 3.0
_CHUNK_CANDIDATES = 4_000_000      # random numbers are drawn per chunk of block pairs
_SLICE = 1 << 18                   # arrays of work within a chunk (no effect on the numbers)


def scaled_probability(p_max: float, density_fraction: float, indegree_fraction: float) -> float:
    p = p_max * indegree_fraction / density_fraction
    if p > 1.0 + 1e-12:
        raise BrainmodelError(
            f"in-degree fraction {indegree_fraction} is too high for density fraction "
            f"{density_fraction}: a pathway with peak probability {p_max:.3f} would need "
            f"p = {p:.2f} > 1. Lower --indegree or raise --density")
    return min(p, 1.0)


def compensated_weight(weight_full: float, indegree_fraction: float) -> float:
    """Weight at in-degree fraction k that keeps the mean input (in-degree x weight) unchanged."""
    if not 0.0 < indegree_fraction <= 1.0:
        raise BrainmodelError(f"in-degree fraction must be in (0, 1], not {indegree_fraction}")
    return weight_full / indegree_fraction


def gaussian_pairs(pre_ids: np.ndarray, post_ids: np.ndarray, cells_voxel_row: np.ndarray,
                   surface_um: np.ndarray, p: float, sigma_um: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(pre, post) global ids connected by the tangential Gaussian rule; no autapses.

    Exact Bernoulli sampling, organised by blocks: cells are grouped by ``cells_voxel_row`` (a
    voxel, or a coarser block: ``sampling_blocks``); block pairs within the cutoff plus the
    largest in-block tangential offset are found with a k-d tree over block centres. Every cell pair of a block stands
    for one uniform number u and is connected iff u < p(d) and d <= cutoff. Only the pairs with
    u below the block's upper bound on p(d) are generated (``block_pairs``), so both the
    random numbers and the distances scale with the candidates, not with all pairs.
    """
    if p < 0 or p > 1:
        raise BrainmodelError(f"connection probability must be in [0, 1], not {p}")
    if p == 0 or len(pre_ids) == 0 or len(post_ids) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    cutoff = CUTOFF_SIGMAS * sigma_um
    pre_ids = pre_ids[np.argsort(cells_voxel_row[pre_ids], kind="stable")]
    post_ids = post_ids[np.argsort(cells_voxel_row[post_ids], kind="stable")]
    pre_vox, pre_start, pre_count = voxel_groups(cells_voxel_row[pre_ids])
    post_vox, post_start, post_count = voxel_groups(cells_voxel_row[post_ids])
    pre_centre = _group_centres(surface_um[pre_ids], pre_start, pre_count)
    post_centre = _group_centres(surface_um[post_ids], post_start, post_count)
    spread = max(_group_spread(surface_um[pre_ids], pre_centre, pre_count),
                 _group_spread(surface_um[post_ids], post_centre, post_count))
    block_pre, block_post = neighbour_blocks(pre_centre, post_centre, cutoff + 2 * spread)
    gap = np.linalg.norm(post_centre[block_post] - pre_centre[block_pre], axis=1) - 2 * spread
    bound = p * np.exp(-np.maximum(gap, 0.0) ** 2 / (2.0 * sigma_um ** 2))
    out_pre, out_post = [], []
    columns = coordinate_columns(surface_um)
    for pre, post, u in block_pairs(pre_ids, pre_start, pre_count, post_ids, post_start,
                                    post_count, block_pre, block_post, bound, rng):
        dist = distances(columns, pre, post)
        keep = ((u < p * np.exp(-dist ** 2 / (2.0 * sigma_um ** 2)))
                & (dist <= cutoff) & (pre != post))
        out_pre.append(pre[keep].astype(np.int32))
        out_post.append(post[keep].astype(np.int32))
    if not out_pre:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    return np.concatenate(out_pre), np.concatenate(out_post)


def neighbour_blocks(pre_points: np.ndarray, post_points: np.ndarray,
                     radius: float) -> tuple[np.ndarray, np.ndarray]:
    """(pre group, post group) index pairs closer than radius, pre groups ascending per post."""
    neighbours = cKDTree(pre_points).query_ball_point(post_points, radius, return_sorted=True)
    counts = np.fromiter(map(len, neighbours), dtype=np.int64, count=len(neighbours))
    block_post = np.repeat(np.arange(len(post_points)), counts)
    block_pre = np.fromiter(itertools.chain.from_iterable(neighbours), dtype=np.int64,
                            count=int(counts.sum()))
    return block_pre, block_post


def block_pairs(pre_ids, pre_start, pre_count, post_ids, post_start, post_count, block_pre,
                block_post, bound, rng):
    """Candidate cell pairs of voxel blocks, chunk by chunk: yields (pre, post, u) arrays.

    Block b pairs the pre cells ``pre_ids[pre_start[block_pre[b]]:][:pre_count[...]]`` with the
    post cells of ``block_post[b]``; every pair stands for a uniform u, and the pairs with
    u < bound[b] are returned with their u (``_block_candidates``)."""
    size = pre_count[block_pre] * post_count[block_post]
    for chunk in _slices(size * bound, _CHUNK_CANDIDATES):
        block, q, u = _block_candidates(size[chunk], bound[chunk], rng)
        chunk_pre, chunk_post = block_pre[chunk], block_post[chunk]
        for part in range(0, len(q), _SLICE):       # small arrays stay in cache (no RNG here)
            b, qq = block[part:part + _SLICE], q[part:part + _SLICE]
            n_post = post_count[chunk_post[b]]
            row, column = np.divmod(qq, n_post)
            yield (pre_ids[pre_start[chunk_pre[b]] + row],
                   post_ids[post_start[chunk_post[b]] + column], u[part:part + _SLICE])


def bernoulli_pairs(pre_ids: np.ndarray, post_ids: np.ndarray, p: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Every (pre, post) pair connected with the same probability p (no distance rule); no
    autapses. Exact Bernoulli, drawn as geometric gaps over the pair index."""
    if not 0 <= p <= 1:
        raise BrainmodelError(f"connection probability must be in [0, 1], not {p}")
    size = len(pre_ids) * len(post_ids)
    if p == 0 or size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    _, q, _ = _block_candidates(np.array([size], np.int64), np.array([float(p)]), rng)
    pre, post = pre_ids[q // len(post_ids)], post_ids[q % len(post_ids)]
    keep = pre != post
    return pre[keep], post[keep]


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


def _block_candidates(size: np.ndarray, bound: np.ndarray, rng: np.random.Generator):
    """Pairs of each block whose uniform u falls below the block's bound b, without drawing a
    number per pair: (block, pair index in the block, u).

    Over the pair index, the pairs with u < b form a Bernoulli(b) process, so the gaps between
    them are Geometric(b); given u < b, u is uniform on [0, b). Work grows with the candidates,
    not the pairs, which keeps construction fast when k/f makes p small."""
    expected = size * bound
    # enough gaps to pass the block's end almost always (a block of n pairs never needs more
    # than n); blocks that fall short continue in another round
    n_draw = np.minimum(np.ceil(expected + 3.0 * np.sqrt(expected) + 1.0), size).astype(np.int64)
    found_block, found_q = [], []
    start = np.zeros(len(size), np.int64)           # first pair index not yet covered
    todo = np.flatnonzero((bound > 0) & (size > 0))
    while len(todo):
        remaining = []
        # the round's blocks in consecutive slices of about _SLICE draws: the same random
        # numbers in the same order as one call, with arrays that stay in cache
        for part in _slices(n_draw[todo], _SLICE):
            blocks = todo[part]
            draws = n_draw[blocks]
            block = np.repeat(blocks, draws)
            position = np.cumsum(rng.geometric(bound[block]))
            ends = np.cumsum(draws)
            position -= np.repeat(np.concatenate(([0], position[ends[:-1] - 1])), draws)
            position += np.repeat(start[blocks], draws) - 1
            inside = position < size[block]
            found_block.append(block[inside])
            found_q.append(position[inside])
            last = position[ends - 1]
            start[blocks] = last + 1
            remaining.append(blocks[last < size[blocks] - 1])
        todo = np.concatenate(remaining)
    block = np.concatenate(found_block) if found_block else np.empty(0, np.int64)
    q = np.concatenate(found_q) if found_q else np.empty(0, np.int64)
    return block, q, bound[block] * rng.random(len(q))


def voxel_groups(voxel_rows: np.ndarray):
    """Runs of equal voxel rows in an id range sorted by voxel: (voxel, start, count)."""
    if np.any(np.diff(voxel_rows) < 0):
        raise BrainmodelError("cells of a population must be sorted by voxel")
    voxels, start, count = np.unique(voxel_rows, return_index=True, return_counts=True)
    return voxels, start, count


def _group_centres(points: np.ndarray, start: np.ndarray, count: np.ndarray) -> np.ndarray:
    return np.add.reduceat(points, start, axis=0) / count[:, None]


def _group_spread(points: np.ndarray, centres: np.ndarray, count: np.ndarray) -> float:
    """Largest distance of a cell's surface point from its voxel group's centre."""
    return float(np.max(np.linalg.norm(points - np.repeat(centres, count, axis=0), axis=1)))


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
                dt_ms: float = 0.1) -> list[EdgeTable]:
    """One EdgeTable per receptor, from every pathway of a region spec (delays in steps of
    dt_ms)."""
    blocks = sampling_blocks(cells, resolution_um, density_fraction)
    positions = coordinate_columns(cells.position_um)
    by_receptor: dict[str, list] = {}
    for n, pathway in enumerate(spec.pathways):
        pre_ids = np.arange(len(cells))[cells.population_slice(*pathway.pre)]
        post_ids = np.arange(len(cells))[cells.population_slice(*pathway.post)]
        p = scaled_probability(pathway.p_max, density_fraction, indegree_fraction)
        rng = np.random.default_rng([int(seed), n])
        pre, post = gaussian_pairs(pre_ids, post_ids, blocks, cells.surface_um, p,
                                   pathway.sigma_um, rng)
        weight = compensated_weight(pathway.weight_full, indegree_fraction)
        delay = delays_ms(pre, post, positions, spec.synaptic_delay_ms,
                          spec.velocity_um_per_ms)
        by_receptor.setdefault(pathway.receptor, []).append(
            edge_table(pre, post, weight, delay, pathway.receptor, dt_ms))
        del pre, post, delay
        if progress and (n + 1) % 25 == 0:
            progress(f"  pathways {n + 1}/{len(spec.pathways)}")
    return merge_by_receptor(by_receptor)
