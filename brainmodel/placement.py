"""Placement stage: cells per voxel, layer and type from densities, one random stream per voxel.

Counts are Poisson with mean density * voxel volume * density_fraction; positions are uniform in
the voxel cube. Voxel v uses ``numpy.random.default_rng([seed, flat_index(v)])``, so a voxel's
cells do not depend on which other voxels are selected. Cells are numbered by population (layer,
then type, in the spec's order), then by voxel, so every population is a contiguous id range.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atlas import RegionVoxels
from .errors import BrainmodelError


@dataclass(frozen=True)
class CellTable:
    region: np.ndarray          # (N,) area acronym
    hemisphere: np.ndarray
    layer: np.ndarray           # model layer (L2/3, L4, L5A, L5B, L6)
    type: np.ndarray            # E, FS, LTS
    population: np.ndarray      # (N,) index into ``populations``
    populations: tuple          # ((layer, type), ...)
    voxel_row: np.ndarray       # (N,) row in the RegionVoxels
    voxel_index: np.ndarray     # (N,) flat atlas index
    position_um: np.ndarray     # (N, 3) x (AP), y (DV), z (ML)
    surface_um: np.ndarray      # (N, 3) projection on the pial surface (tangential coordinate)

    def __len__(self) -> int:
        return len(self.population)

    @property
    def ids(self) -> np.ndarray:
        return np.arange(len(self))

    def population_slice(self, layer: str, cell_type: str) -> slice:
        code = self.populations.index((layer, cell_type))
        where = np.flatnonzero(self.population == code)
        return slice(int(where[0]), int(where[-1]) + 1) if len(where) else slice(0, 0)

    def write_csv(self, path: Path) -> None:
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "region", "hemisphere", "layer", "type", "voxel_index",
                             "x_um", "y_um", "z_um"])
            for n in range(len(self)):
                x, y, z = self.position_um[n]
                writer.writerow([n, self.region[n], self.hemisphere[n], self.layer[n],
                                 self.type[n], int(self.voxel_index[n]),
                                 f"{x:.3f}", f"{y:.3f}", f"{z:.3f}"])


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
