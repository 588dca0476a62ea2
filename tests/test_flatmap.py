"""Flatmap coordinates from the mcmodels dorsal flatmap paths, and relative positions."""
import numpy as np
import pytest

from brainmodel.inputs import atlas, flatmap
from brainmodel.errors import BrainmodelError


def test_left_cortex_maps_to_the_left_half_of_the_flatmap(data_dir, annotation, ontology):
    coords = flatmap.voxel_flat_coordinates(data_dir, annotation.volume.shape)
    assert 100_000 < np.isfinite(coords[:, 0]).sum() < coords.shape[0]
    for hemisphere, side in (("left", -1), ("right", 1)):
        voxels = atlas.select_regions(annotation, ontology, ["MOp"], hemisphere)
        cols = flatmap.cell_flat_coordinates(coords, voxels.flat_index,
                                             annotation.volume.shape)[:, 1]
        assert np.all(np.isfinite(cols))
        assert np.all(np.sign(cols - (flatmap.VIEW_WIDTH - 1) / 2) == side)


def test_relative_positions_are_standardised_and_mirrored():
    flat = np.array([[0.0, 0.0], [2.0, 4.0], [0.0, 0.0], [2.0, 4.0]])
    groups = np.array(["a", "a", "b", "b"])
    hemisphere = np.array(["left", "left", "right", "right"], dtype=object)
    rel = flatmap.relative_positions(flat, groups, hemisphere)
    np.testing.assert_allclose(rel[:2], [[-1, -1], [1, 1]])
    np.testing.assert_allclose(rel[2:], [[-1, 1], [1, -1]])        # medio-lateral axis mirrored


def test_no_flatmap_coordinates_is_an_error():
    with pytest.raises(BrainmodelError, match="no voxel"):
        flatmap.cell_flat_coordinates(np.full((8, 2), np.nan), np.array([1]), (2, 2, 2))
