import numpy as np
import pytest

from brainmodel.inputs.atlas import Annotation, select_regions
from brainmodel.errors import BrainmodelError


def test_ontology_descendants(ontology):
    mop = ontology.get("MOp")
    names = {ontology.by_id[i].acronym for i in ontology.descendants(mop.id)}
    assert names == {"MOp", "MOp1", "MOp2/3", "MOp5", "MOp6a", "MOp6b"}


def test_left_mop_voxel_counts_by_layer(annotation, ontology):
    # Counts of the CCF v3 2017 leaf labels in the left hemisphere (ML index < 57) at 100 um.
    voxels = select_regions(annotation, ontology, ["MOp"], "left", include_layer1=True)
    assert len(voxels) == 5718
    layers, counts = np.unique(voxels.layer.astype(str), return_counts=True)
    by_layer = dict(zip(layers, counts))
    assert by_layer["L1"] == 679 and by_layer["L2/3"] == 1855
    assert by_layer["L5A"] + by_layer["L5B"] == 1636
    assert by_layer["L6a"] == 1446 and by_layer["L6b"] == 102


def test_both_hemispheres_and_default_excludes_layer1(annotation, ontology, left_mop):
    both = select_regions(annotation, ontology, ["MOp"], "both", include_layer1=True)
    assert len(both) == 11376
    assert len(left_mop) == 5718 - 679
    assert set(left_mop.hemisphere) == {"left"}
    assert np.all(left_mop.ijk[:, 2] < 57)


def test_depth_increases_through_the_layers(left_mop):
    mean = {la: left_mop.depth[left_mop.layer == la].mean()
            for la in ("L2/3", "L5A", "L5B", "L6a", "L6b")}
    order = list(mean.values())
    assert order == sorted(order), mean
    assert 0 <= left_mop.depth.min() and left_mop.depth.max() <= 1


def test_l5_split_puts_5a_above_5b(left_mop):
    l5a = left_mop.depth_um[left_mop.layer == "L5A"]
    l5b = left_mop.depth_um[left_mop.layer == "L5B"]
    assert len(l5a) > 0.2 * (len(l5a) + len(l5b)) and len(l5b) > 0.2 * (len(l5a) + len(l5b))
    assert l5a.mean() < l5b.mean()


def test_normals_are_unit_and_point_inward(left_mop):
    assert np.allclose(np.linalg.norm(left_mop.normal, axis=1), 1.0)
    # moving along the normal from L2/3 reaches deeper tissue: depth grows with the projection
    centred = left_mop.centre_um - left_mop.centre_um.mean(axis=0)
    along = np.sum(centred * left_mop.normal, axis=1)
    assert np.corrcoef(along, left_mop.depth_um)[0, 1] > 0.3


def test_coordinates_in_um(left_mop):
    assert np.allclose(left_mop.centre_um, (left_mop.ijk + 0.5) * 100.0)


def test_unknown_and_non_cortical_regions_fail(annotation, ontology):
    with pytest.raises(BrainmodelError, match="unknown region acronym 'MOq'"):
        select_regions(annotation, ontology, ["MOq"], "left")
    with pytest.raises(BrainmodelError, match="not an isocortical area"):
        select_regions(annotation, ontology, ["CP"], "left")
    with pytest.raises(BrainmodelError, match="hemisphere must be one of"):
        select_regions(annotation, ontology, ["MOp"], "top")


def test_region_without_voxels_in_hemisphere(annotation, ontology):
    volume = annotation.volume.copy()
    mop_ids = ontology.descendants(ontology.get("MOp").id)
    left = np.zeros(volume.shape, bool)
    left[:, :, :57] = True
    volume[np.isin(volume, mop_ids) & left] = ontology.get("MOs2/3").id   # erase left MOp
    synthetic = Annotation(volume, 100.0)
    with pytest.raises(BrainmodelError, match="no voxels in the left hemisphere"):
        select_regions(synthetic, ontology, ["MOp"], "left")
    assert len(select_regions(synthetic, ontology, ["MOp"], "right")) > 0
