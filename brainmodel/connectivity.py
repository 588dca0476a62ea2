"""Connectivity stage: edge tables from distance rules, computed in numpy/scipy.

The local rule is a Bernoulli draw per (pre, post) pair with probability
``p(d) = p * exp(-d^2 / (2 sigma^2))`` where d is the distance between the cells' surface
(tangential) coordinates. Candidate pairs within ``CUTOFF_SIGMAS * sigma`` come from k-d trees, in
chunks of post cells. Autapses are excluded.

Scaling (Potjans & Diesmann 2014; van Albada et al. 2015, PLoS Comput Biol 11:e1004490): with
cell density fraction f and in-degree fraction k, the pair probability is p_max * k / f, so the
expected in-degree is k times the full-density one, and weights are divided by k so that the mean
synaptic input of each cell is preserved.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from .errors import BrainmodelError

CUTOFF_SIGMAS = 3.0
_CHUNK_PAIRS = 8_000_000


@dataclass(frozen=True)
class EdgeTable:
    pre: np.ndarray             # global cell ids
    post: np.ndarray
    weight: np.ndarray          # dimensionless conductance increment
    delay_ms: np.ndarray
    receptor: str

    def __len__(self) -> int:
        return len(self.pre)


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

    Exact Bernoulli sampling, organised by voxel blocks: cells are grouped by voxel (ids of one
    population are sorted by voxel), voxel pairs within the cutoff plus the largest in-voxel
    tangential offset are found with a k-d tree over voxels, and every cell pair of a block gets
    one uniform number u. A pair is connected iff u < p(d) and d <= cutoff; u is first compared
    with the block's upper bound on p(d), so distances are computed only for the few survivors.
    """
    if p < 0 or p > 1:
        raise BrainmodelError(f"connection probability must be in [0, 1], not {p}")
    if p == 0 or len(pre_ids) == 0 or len(post_ids) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    cutoff = CUTOFF_SIGMAS * sigma_um
    pre_vox, pre_start, pre_count = _voxel_groups(cells_voxel_row[pre_ids])
    post_vox, post_start, post_count = _voxel_groups(cells_voxel_row[post_ids])
    pre_centre = _group_centres(surface_um[pre_ids], pre_start, pre_count)
    post_centre = _group_centres(surface_um[post_ids], post_start, post_count)
    spread = max(_group_spread(surface_um[pre_ids], pre_centre, pre_count),
                 _group_spread(surface_um[post_ids], post_centre, post_count))
    neighbours = cKDTree(post_centre).query_ball_tree(cKDTree(pre_centre), cutoff + 2 * spread)
    block_post = np.repeat(np.arange(len(post_vox)), [len(n) for n in neighbours])
    block_pre = np.fromiter((b for n in neighbours for b in sorted(n)), dtype=np.int64,
                            count=len(block_post))
    gap = np.linalg.norm(post_centre[block_post] - pre_centre[block_pre], axis=1) - 2 * spread
    bound = p * np.exp(-np.maximum(gap, 0.0) ** 2 / (2.0 * sigma_um ** 2))
    size = pre_count[block_pre] * post_count[block_post]
    out_pre, out_post = [], []
    ends = np.cumsum(size)
    first = 0
    while first < len(size):
        last = int(np.searchsorted(ends, (ends[first - 1] if first else 0) + _CHUNK_PAIRS,
                                   side="right"))
        last = max(last, first + 1)
        blocks = slice(first, last)
        sizes = size[blocks]
        u = rng.random(int(sizes.sum()))
        survivor = np.flatnonzero(u < np.repeat(bound[blocks], sizes))
        offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        block = np.searchsorted(offsets, survivor, side="right") - 1
        q = survivor - offsets[block]
        n_post = post_count[block_post[blocks]][block]
        pre = pre_ids[pre_start[block_pre[blocks]][block] + q // n_post]
        post = post_ids[post_start[block_post[blocks]][block] + q % n_post]
        dist = np.linalg.norm(surface_um[pre] - surface_um[post], axis=1)
        keep = ((u[survivor] < p * np.exp(-dist ** 2 / (2.0 * sigma_um ** 2)))
                & (dist <= cutoff) & (pre != post))
        out_pre.append(pre[keep])
        out_post.append(post[keep])
        first = last
    if not out_pre:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(out_pre), np.concatenate(out_post)


def _voxel_groups(voxel_rows: np.ndarray):
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


def delays_ms(pre: np.ndarray, post: np.ndarray, position_um: np.ndarray,
              synaptic_delay_ms: float, velocity_um_per_ms: float) -> np.ndarray:
    distance = np.linalg.norm(position_um[pre] - position_um[post], axis=1)
    return synaptic_delay_ms + distance / velocity_um_per_ms


def local_edges(cells, spec, density_fraction: float, indegree_fraction: float,
                seed: int, progress=None) -> list[EdgeTable]:
    """One EdgeTable per receptor, from every pathway of a region spec."""
    by_receptor: dict[str, list] = {}
    for n, pathway in enumerate(spec.pathways):
        pre_ids = np.arange(len(cells))[cells.population_slice(*pathway.pre)]
        post_ids = np.arange(len(cells))[cells.population_slice(*pathway.post)]
        p = scaled_probability(pathway.p_max, density_fraction, indegree_fraction)
        rng = np.random.default_rng([int(seed), n])
        pre, post = gaussian_pairs(pre_ids, post_ids, cells.voxel_row, cells.surface_um, p,
                                   pathway.sigma_um, rng)
        weight = np.full(len(pre), compensated_weight(pathway.weight_full, indegree_fraction))
        delay = delays_ms(pre, post, cells.position_um, spec.synaptic_delay_ms,
                          spec.velocity_um_per_ms)
        by_receptor.setdefault(pathway.receptor, []).append((pre, post, weight, delay))
        if progress and (n + 1) % 25 == 0:
            progress(f"  pathways {n + 1}/{len(spec.pathways)}")
    tables = []
    for receptor, parts in by_receptor.items():
        pre, post, weight, delay = (np.concatenate(col) for col in zip(*parts))
        tables.append(EdgeTable(pre, post, weight, delay, receptor))
    return tables
