"""Placement stage: cells per voxel, layer and type from densities, one random stream per voxel.

Counts are Poisson with mean density * voxel volume * density_fraction; positions are uniform in
the voxel cube. Voxel v uses ``numpy.random.default_rng([seed, flat_index(v)])``, so a voxel's
cells do not depend on which other voxels are selected. Cells are numbered by population (layer,
then type, in the spec's order), then by voxel, so every population is a contiguous id range.
"""
from __future__ import annotations

import numpy as np

from ..errors import BrainmodelError
from ..inputs.atlas import RegionVoxels
from .cells import CellTable


def place_cells(voxels: RegionVoxels, densities_per_mm3: np.ndarray, type_names, layer_of_voxel,
                populations, density_fraction: float, seed: int) -> CellTable:
    """Cells of every voxel; ``densities_per_mm3`` is (n_voxels, n_types)."""
    if not 0.0 < density_fraction <= 1.0:
        raise BrainmodelError(f"density fraction must be in (0, 1], not {density_fraction}")
    res = voxels.resolution_um
    volume_mm3 = (res / 1000.0) ** 3
    expected = densities_per_mm3 * volume_mm3 * density_fraction
    pop_code = {pop: n for n, pop in enumerate(populations)}
    rows, types, offsets = [], [], []
    for row in range(len(voxels)):
        rng = np.random.default_rng([int(seed), int(voxels.flat_index[row])])
        counts = rng.poisson(expected[row])
        total = int(counts.sum())
        if total == 0:
            continue
        rows.append(np.full(total, row))
        types.append(np.repeat(np.arange(len(type_names)), counts))
        offsets.append(rng.random((total, 3)))
    if not rows:
        raise BrainmodelError("no cells placed: the density fraction is too low for this region")
    rows, types, offsets = np.concatenate(rows), np.concatenate(types), np.concatenate(offsets)
    layers = np.asarray(layer_of_voxel, dtype=object)[rows]
    names = np.asarray(type_names, dtype=object)[types]
    population = np.array([pop_code[(la, t)] for la, t in zip(layers, names)], dtype=np.int32)
    order = np.argsort(population, kind="stable")
    rows, population, offsets = rows[order], population[order], offsets[order]
    position = voxels.centre_um[rows] + (offsets - 0.5) * res
    normal = voxels.normal[rows]
    shift = position - voxels.centre_um[rows]
    tangential_shift = shift - np.sum(shift * normal, axis=1, keepdims=True) * normal
    return CellTable(
        region=voxels.region[rows], hemisphere=voxels.hemisphere[rows],
        layer=layers[order], type=names[order], population=population,
        populations=tuple(populations), voxel_row=rows, voxel_index=voxels.flat_index[rows],
        position_um=position, surface_um=voxels.surface_um[rows] + tangential_shift)
