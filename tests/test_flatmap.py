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


def strip(angle_deg: float, length: float = 40.0, width: float = 8.0) -> np.ndarray:
    """Flatmap (row, column) of a rectangular grid of points, long side at ``angle_deg`` from
    the rows (towards higher columns)."""
    along, across = np.meshgrid(np.linspace(-length / 2, length / 2, 41),
                                np.linspace(-width / 2, width / 2, 9))
    turn = np.radians(angle_deg)
    return np.column_stack([along.ravel() * np.cos(turn) - across.ravel() * np.sin(turn),
                            along.ravel() * np.sin(turn) + across.ravel() * np.cos(turn)])


def test_elongated_areas_are_placed_along_their_own_long_axis():
    """A diagonal strip (like MOp) and a strip along the rows (like SSs): the same position along
    each strip gets the same relative position, and the middle of the width is 0 across."""
    diagonal, straight = strip(38.0) + [50.0, 70.0], strip(0.0) + [60.0, 40.0]
    flat = np.vstack([diagonal, straight])
    groups = np.repeat(["MOp", "SSs"], len(diagonal))
    rel = flatmap.relative_positions(flat, groups, np.full(len(flat), "left"))
    np.testing.assert_allclose(rel[:len(diagonal)], rel[len(diagonal):], atol=1e-9)
    assert abs(np.corrcoef(rel[:len(diagonal), 0], diagonal[:, 0])[0, 1]) > 0.7
    np.testing.assert_allclose(rel.std(axis=0), [1.0, 1.0])
    # the right hemisphere's mirror image gets the same positions
    mirrored = diagonal * [1.0, -1.0] + [0.0, 260.0]
    right = flatmap.relative_positions(mirrored, np.full(len(diagonal), "MOp"),
                                       np.full(len(diagonal), "right"))
    np.testing.assert_allclose(right, rel[:len(diagonal)], atol=1e-9)


@pytest.mark.parametrize("shape", ["round", "medio-lateral"])
def test_round_and_medio_lateral_areas_keep_the_flatmap_axes(shape):
    """Without a clear long axis, or with one turned more than MAX_AXIS_TURN_DEG from the rows,
    an area keeps the standardised (row, column) of the flatmap."""
    flat = strip(0.0, 20.0, 16.0) if shape == "round" else strip(80.0)
    centred = flat - flat.mean(axis=0)
    assert flatmap.area_axes(centred) is None
    rel = flatmap.relative_positions(flat, np.full(len(flat), "a"), np.full(len(flat), "left"))
    np.testing.assert_array_equal(rel, centred / flat.std(axis=0))


def test_no_flatmap_coordinates_is_an_error():
    with pytest.raises(BrainmodelError, match="no voxel"):
        flatmap.cell_flat_coordinates(np.full((8, 2), np.nan), np.array([1]), (2, 2, 2))
