"""Cell tables: one row per cell (id = row), the model's first product.

Cortical cells come from ``brainmodel.model.placement``; the non-cortical regions' cells are
appended after them (``append_cells``), so cortical ids do not change when regions are added.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np


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


def append_cells(cells: CellTable, region, hemisphere, layer, cell_type, voxel_index,
                 position_um) -> CellTable:
    """``cells`` followed by new cells outside the cortical voxel table (non-cortical regions:
    ``layer`` is their compartment, ``voxel_row`` -1, ``surface_um`` NaN); new (layer, type)
    populations are appended in order of appearance."""
    populations = list(cells.populations)
    for pop in dict.fromkeys(zip(layer, cell_type)):
        if pop not in populations:
            populations.append(pop)
    code = {pop: n for n, pop in enumerate(populations)}
    population = np.array([code[p] for p in zip(layer, cell_type)], np.int32)
    n = len(cell_type)
    return CellTable(
        region=np.concatenate([cells.region, region]),
        hemisphere=np.concatenate([cells.hemisphere, hemisphere]),
        layer=np.concatenate([cells.layer, layer]),
        type=np.concatenate([cells.type, cell_type]),
        population=np.concatenate([cells.population, population]),
        populations=tuple(populations),
        voxel_row=np.concatenate([cells.voxel_row, np.full(n, -1)]),
        voxel_index=np.concatenate([cells.voxel_index, voxel_index]),
        position_um=np.concatenate([cells.position_um, position_um]),
        surface_um=np.concatenate([cells.surface_um, np.full((n, 3), np.nan)]))
