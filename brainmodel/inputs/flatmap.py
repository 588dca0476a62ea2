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


# An area gets its own axes when its flatmap extent along its longest axis is at least
# ELONGATION_MIN times its extent across (SD ratio) and that axis runs within
# MAX_AXIS_TURN_DEG of the rostro-caudal direction (both assumed). Nearly round areas (SSp-bfd
# 1.2, VISp 1.1, AUDp 1.4) have no well-defined long axis, and turning an area whose long axis
# runs medio-laterally (FRP, SSp-n, SSp-tr, AUDpo) by 90 deg would map its medial part onto
# the others' caudal part; both keep the flatmap's axes.
ELONGATION_MIN = 1.5
MAX_AXIS_TURN_DEG = 60.0


def area_axes(centred: np.ndarray) -> np.ndarray | None:
    """(2, 2) rows: the unit along and across axes of a group's centred flatmap coordinates
    (row, column; right hemisphere already mirrored). Along is the principal axis, pointing
    caudally (positive row component), across is along turned by +90 deg (medially for an
    unturned frame). None for groups that keep the flatmap's axes (row, column): those not
    elongated enough or whose long axis is turned more than MAX_AXIS_TURN_DEG from the rows."""
    if len(centred) < 2:
        return None
    variance, vectors = np.linalg.eigh(np.cov(centred.T))
    long = vectors[:, 1] * np.sign(vectors[0, 1] or 1.0)
    if (variance[1] < ELONGATION_MIN ** 2 * max(variance[0], 1e-12)
            or long[0] < np.cos(np.radians(MAX_AXIS_TURN_DEG))):
        return None
    return np.array([long, [-long[1], long[0]]])


def relative_positions(flat: np.ndarray, groups: np.ndarray, hemisphere: np.ndarray) -> np.ndarray:
    """Position of each cell inside its group (e.g. area and hemisphere) along the group's own
    axes (``area_axes``) in units of the group's spread: (along, across) = (flat - group mean)
    projected on the axes / the SD along each. The medio-lateral axis is mirrored in the right
    hemisphere first, so that homotopic points of both hemispheres match.

    Own axes, not the flatmap's: MOp lies diagonally on the flatmap and SSs along its rows, so
    with per-axis standardisation of (row, column) a site moving along MOp moved across SSs
    as well (to SSs's medial and lateral edges), and its projection was spread thinly over
    SSs's width. Along each area's long axis the rostral, middle and caudal parts of
    elongated areas correspond (assumed: the somatotopic maps of MOp, SSp and SSs run
    parallel, the reference study's premise)."""
    mirrored = np.asarray(flat, dtype=float).copy()
    mirrored[hemisphere == "right", 1] *= -1.0
    out = np.zeros_like(mirrored)
    for group in np.unique(groups):
        members = groups == group
        centred = mirrored[members] - mirrored[members].mean(axis=0)
        axes = area_axes(centred)
        projected = centred if axes is None else centred @ axes.T
        # flatmap axes: the SD of the coordinates themselves, as before this frame existed, so
        # those groups (the whole isocortex of a hemisphere) stay bit-identical
        spread = (mirrored[members] if axes is None else projected).std(axis=0)
        out[members] = projected / np.maximum(spread, 1e-9)
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
