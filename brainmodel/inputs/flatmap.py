"""Cortical flatmap coordinates of voxels and cells (Knox et al. 2019 dorsal flatmap, 100 um).

The mcmodels file ``dorsal_flatmap_paths_100.h5`` holds one streamline per flatmap pixel (flat
C-order indices into the 136 x 272 view, from pia into white matter). Every voxel on a path gets
that pixel's (row, column); a voxel on several paths gets their mean. Columns < 136 are the left
hemisphere. Voxels on no path take the coordinates of the nearest voxel that has them.
"""
from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from . import data
from ..errors import BrainmodelError

FLATMAP = data.DataFile(
    "mcmodels_cortical_coordinates/dorsal_flatmap_paths_100.h5",
    "3666c0696e54458ef6832b007b9f4b949c8166465b0253ffa9505287245d1803",
    "it comes with the shared data folder (mcmodels, Allen Institute; see its PROVENANCE.md)")
VIEW_WIDTH = 272                    # pixels; the left hemisphere is columns 0-135


def voxel_flat_coordinates(data_dir, volume_shape) -> np.ndarray:
    """(n_voxels_in_volume, 2) flatmap (row, column) per flat voxel index; NaN off the paths."""
    import h5py

    with h5py.File(data.require(data_dir, FLATMAP), "r") as handle:
        paths, lookup = handle["paths"][:], handle["view lookup"][:]
    n_voxels = int(np.prod(volume_shape))
    rows, cols = np.nonzero(lookup >= 0)
    path_rows = paths[lookup[rows, cols]]
    lengths = (path_rows > 0).sum(axis=1)
    voxels = path_rows[path_rows > 0]
    if voxels.size and voxels.max() >= n_voxels:
        raise BrainmodelError(f"flatmap paths index beyond a volume of shape {volume_shape}; "
                              f"they are for the 100 um annotation")
    total = np.zeros((n_voxels, 2))
    count = np.zeros(n_voxels)
    np.add.at(total, voxels, np.column_stack([np.repeat(rows, lengths), np.repeat(cols, lengths)]))
    np.add.at(count, voxels, 1)
    out = np.full((n_voxels, 2), np.nan)
    hit = count > 0
    out[hit] = total[hit] / count[hit, None]
    return out


def cell_flat_coordinates(voxel_coordinates: np.ndarray, voxel_index: np.ndarray,
                          volume_shape) -> np.ndarray:
    """Flatmap (row, column) of each cell's voxel; voxels off the paths use the nearest one on."""
    on_path = np.flatnonzero(~np.isnan(voxel_coordinates[:, 0]))
    if len(on_path) == 0:
        raise BrainmodelError("no voxel has flatmap coordinates")
    wanted = np.unique(voxel_index)
    missing = wanted[np.isnan(voxel_coordinates[wanted, 0])]
    coords = voxel_coordinates.copy()
    if len(missing):
        tree = cKDTree(np.column_stack(np.unravel_index(on_path, volume_shape)))
        _, nearest = tree.query(np.column_stack(np.unravel_index(missing, volume_shape)))
        coords[missing] = voxel_coordinates[on_path[nearest]]
    return coords[voxel_index]


def relative_positions(flat: np.ndarray, groups: np.ndarray, hemisphere: np.ndarray) -> np.ndarray:
    """Position of each cell inside its group (e.g. area and hemisphere) in units of the group's
    spread: (flat - group mean) / group SD per axis, the medio-lateral axis mirrored in the right
    hemisphere so that homotopic points of both hemispheres match."""
    out = np.zeros_like(flat, dtype=float)
    for group in np.unique(groups):
        members = groups == group
        centred = flat[members] - flat[members].mean(axis=0)
        out[members] = centred / np.maximum(flat[members].std(axis=0), 1e-9)
    out[hemisphere == "right", 1] *= -1.0
    return out


def cortical_cells_on_flatmap(data_dir, volume_shape, voxel_index: np.ndarray,
                              cortical: np.ndarray) -> np.ndarray:
    """Flatmap (row, column) per cell for the ``cortical`` cells, NaN for the others (nuclei
    and cerebellum are not on the dorsal flatmap)."""
    out = np.full((len(voxel_index), 2), np.nan)
    if cortical.any():
        voxels = voxel_flat_coordinates(data.resolve_data_dir(data_dir), volume_shape)
        out[cortical] = cell_flat_coordinates(voxels, voxel_index[cortical], volume_shape)
    return out
