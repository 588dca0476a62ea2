import numpy as np
import pytest

from brainmodel.inputs import densities
from brainmodel.model import placement
from brainmodel.errors import BrainmodelError
from regions.cortex import ATLAS_LAYER_TO_MODEL, default_spec

SPEC = default_spec()


def _place(voxels, kim, fraction, seed=3):
    dens = densities.voxel_type_densities(SPEC, kim, voxels.region, voxels.layer)
    layers = [ATLAS_LAYER_TO_MODEL[la] for la in voxels.layer]
    return dens, placement.place_cells(voxels, dens, list(SPEC.types), layers,
                                       SPEC.populations, fraction, seed)


def test_counts_follow_density(left_mop, kim):
    dens, cells = _place(left_mop, kim, 0.05)
    volume_mm3 = 0.1 ** 3
    for t, name in enumerate(SPEC.types):
        expected = dens[:, t].sum() * volume_mm3 * 0.05
        observed = np.sum(cells.type == name)
        assert abs(observed - expected) < 4 * np.sqrt(expected), (name, observed, expected)
    # Kim 2017: MOp2/3 PV ~ 3992 per mm^3 (mean of sexes)
    l23 = left_mop.layer == "L2/3"
    assert np.allclose(dens[l23, list(SPEC.types).index("FS")], 3992.06, rtol=1e-3)


def test_excitatory_density_is_total_minus_interneurons(left_mop, kim):
    dens, _ = _place(left_mop, kim, 0.01)
    pv_sst_vip = sum(kim["MOp2/3"].values())
    l23 = np.flatnonzero(left_mop.layer == "L2/3")[0]
    assert dens[l23, 0] == pytest.approx(SPEC.total_density_per_mm3 - pv_sst_vip)


def test_placement_is_deterministic_and_per_voxel(left_mop, kim):
    _, a = _place(left_mop, kim, 0.05, seed=7)
    _, b = _place(left_mop, kim, 0.05, seed=7)
    assert np.array_equal(a.position_um, b.position_um) and np.array_equal(a.type, b.type)
    _, c = _place(left_mop, kim, 0.05, seed=8)
    assert not np.array_equal(a.position_um[:100], c.position_um[:100])
    # one voxel's cells do not depend on the other voxels: place a subset
    import dataclasses
    keep = np.arange(0, len(left_mop), 7)
    subset = dataclasses.replace(left_mop, **{f.name: getattr(left_mop, f.name)[keep]
                                              for f in dataclasses.fields(left_mop)
                                              if isinstance(getattr(left_mop, f.name), np.ndarray)})
    _, d = _place(subset, kim, 0.05, seed=7)
    row = 3
    in_a = a.voxel_index == subset.flat_index[row]
    in_d = d.voxel_index == subset.flat_index[row]
    assert np.array_equal(np.sort(a.position_um[in_a], axis=0), np.sort(d.position_um[in_d], axis=0))


def test_cells_inside_their_voxel_and_sorted_by_population(left_mop, kim):
    _, cells = _place(left_mop, kim, 0.05)
    ijk = np.floor(cells.position_um / 100.0).astype(int)
    assert np.array_equal(np.ravel_multi_index(tuple(ijk.T), left_mop.shape), cells.voxel_index)
    assert np.all(np.diff(cells.population) >= 0)


@pytest.mark.parametrize("fraction", [0.0, -0.1, 1.5])
def test_bad_density_fraction(left_mop, kim, fraction):
    with pytest.raises(BrainmodelError, match="density fraction must be in"):
        _place(left_mop, kim, fraction)
