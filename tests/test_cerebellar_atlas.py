"""Cerebellar layers from the Laplace field: a synthetic slab with a known solution, then the
real 100 um annotation."""
import numpy as np
import pytest

from brainmodel.inputs import cerebellar_atlas
from brainmodel.inputs.atlas import Annotation
from brainmodel.errors import BrainmodelError
from brainmodel.inputs.ontology import Ontology, Structure

THICKNESS = cerebellar_atlas.LayerThickness(150.0, 15.0, 130.0)


def _ontology():
    return Ontology([Structure(1, "root", "root", None, (0, 0, 0)),
                     Structure(528, "CBX", "cerebellar cortex", 1, (0, 0, 0)),
                     Structure(10, "LOB", "a lobule", 528, (0, 0, 0)),
                     Structure(728, "arb", "arbor vitae", 1, (0, 0, 0)),
                     Structure(960, "cbf", "cerebellum related fiber tracts", 1, (0, 0, 0)),
                     Structure(519, "CBN", "cerebellar nuclei", 1, (0, 0, 0))])


def _slab(depth_voxels=20):
    """Pia above (outside, 0), a lobule of depth_voxels along DV, arbor vitae below."""
    volume = np.zeros((4, depth_voxels + 2, 4), dtype=np.uint32)
    volume[:, 1:depth_voxels + 1] = 10
    volume[:, depth_voxels + 1] = 728
    return Annotation(volume, 100.0)


def test_slab_potential_is_linear_and_layers_are_ordered_by_depth():
    n = 20
    layers = cerebellar_atlas.cerebellar_layers(_slab(n), _ontology(), THICKNESS)
    column = layers.depth[1, 1:n + 1, 1]
    # discrete Laplace with phi = 0 one voxel above and 1 one voxel below: phi_k = k / (n + 1)
    np.testing.assert_allclose(column, np.arange(1, n + 1) / (n + 1), atol=1e-6)
    codes = layers.layer[1, 1:n + 1, 1]
    assert np.all(np.diff(codes) >= 0) and codes[0] == 1 and codes[-1] == 3
    # equivolume cut: 20 voxel rows share 150 : 15 : 130 -> about 10 : 1 : 9
    counts = [int(np.sum(codes == c)) for c in (1, 2, 3)]
    assert abs(counts[0] - n * 150 / 295) <= 1 and abs(counts[2] - n * 130 / 295) <= 1
    # the Purkinje mid-surface lies just below the molecular layer (one row; two where the cut
    # falls inside a row of equal potential that the solver's rounding splits)
    surface_rows = np.unique(np.nonzero(layers.purkinje_surface)[1])
    assert 1 <= len(surface_rows) <= 2 and np.all(np.diff(surface_rows) == 1)
    assert codes[surface_rows[0] - 2] == 1 and codes[surface_rows[-1] - 1] > 1


def test_no_cerebellar_cortex_is_an_error():
    annotation = Annotation(np.zeros((3, 3, 3), dtype=np.uint32), 100.0)
    with pytest.raises(BrainmodelError, match="no cerebellar cortex"):
        cerebellar_atlas.cerebellar_layers(annotation, _ontology(), THICKNESS)


def test_thickness_from_data_and_missing_file(data_dir, tmp_path):
    assert cerebellar_atlas.load_thickness(data_dir) == THICKNESS
    with pytest.raises(BrainmodelError, match="cerebellar_cortex_dbbs_canonical.csv"):
        cerebellar_atlas.load_thickness(tmp_path)


def test_real_cerebellum_layer_shares(annotation, ontology):
    layers = cerebellar_atlas.cerebellar_layers(annotation, ontology, THICKNESS)
    cortex = np.isin(annotation.volume, ontology.descendants(ontology.get("CBX").id))
    assert np.all(layers.layer[cortex] > 0) and np.all(layers.layer[~cortex] == 0)
    total = cortex.sum()
    for name, thickness in (("molecular", 150), ("Purkinje", 15), ("granular", 130)):
        assert layers.voxel_count(name) / total == pytest.approx(thickness / 295, abs=0.01)
    molecular = layers.depth[layers.layer == 1]
    granular = layers.depth[layers.layer == 3]
    purkinje = layers.depth[layers.layer == 2]
    # the Purkinje layer lies between the molecular and the granular layer everywhere
    assert molecular.max() <= purkinje.min() and purkinje.max() <= granular.min()
    # and every Purkinje-surface voxel has a molecular or Purkinje voxel on its pial side and
    # a granular voxel or white matter deeper (it is a sheet between them)
    from scipy import ndimage
    near = ndimage.generate_binary_structure(3, 3)
    shallow = ndimage.binary_dilation(layers.layer == 1, near, iterations=2)
    deep = ndimage.binary_dilation(layers.layer == 3, near, iterations=2)
    assert np.mean(shallow[layers.purkinje_surface] & deep[layers.purkinje_surface]) > 0.95
    assert 1000 < layers.purkinje_surface.sum() < layers.voxel_count("granular")
