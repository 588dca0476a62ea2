"""Connectome sources: the regional matrices in the shared data, and the MCM voxel-model loader
on a tiny synthetic model in the same file format."""
import json

import numpy as np
import pytest

from brainmodel.inputs.atlas import Annotation
from brainmodel.errors import BrainmodelError
from brainmodel.inputs.ontology import Ontology, Structure
from projections import connectome


def test_knox_homogeneous_values_and_dropped_sources(data_dir, ontology):
    knox = connectome.load_knox_homogeneous(data_dir, ontology)
    # values checked against the file's PROVENANCE.md
    assert knox.strength("CA3", "CA1") == pytest.approx(20.5, abs=0.01)
    assert knox.strength("CA1", "CA3") == 0.0
    assert knox.strength("MOp", "CP") == pytest.approx(7.75, abs=0.01)
    assert knox.strength("LGd", "VISp") == pytest.approx(21.07, abs=0.01)
    assert "SFO" not in knox.sources and "SG" not in knox.sources
    assert len(knox.sources) == 291 - 13 and len(knox.targets) == 291
    assert knox.ipsi.max() <= connectome.KNOX_MAX_WEIGHT
    assert knox.contra.shape == knox.ipsi.shape and knox.contra.max() > 0
    with pytest.raises(BrainmodelError, match="not a source region"):
        knox.strength("SFO", "CA1")


def test_oh2014_values_and_pvalue_filter(data_dir):
    oh = connectome.load_oh2014(data_dir)
    assert oh.strength("CA3", "CA1") == pytest.approx(2.3308, abs=1e-4)
    assert oh.strength("MOp", "CP") == pytest.approx(2.9797, abs=1e-4)
    assert oh.strength("CP", "MOp") == 0.0
    assert np.count_nonzero(oh.ipsi) == 16954
    assert np.count_nonzero(connectome.load_oh2014(data_dir, max_pvalue=0.05).ipsi) == 3123


def test_missing_connectome_file_names_it(tmp_path):
    with pytest.raises(BrainmodelError, match="W_ipsi.csv"):
        connectome.load_oh2014(tmp_path)


def _synthetic_atlas():
    """A 4 x 3 x 6 volume: structure 10 in the front half, 20 in the back half, both children of
    1; the last AP slice is unassigned (0). Midline = 3 (ML < 3 is left)."""
    volume = np.zeros((4, 3, 6), dtype=np.uint32)
    volume[:2] = 10
    volume[2:3] = 20
    structures = [Structure(1, "root", "root", None, (0, 0, 0)),
                  Structure(10, "A", "area A", 1, (0, 0, 0)),
                  Structure(20, "B", "area B", 1, (0, 0, 0))]
    return Annotation(volume, 100.0), Ontology(structures)


def _write_voxel_model(folder, n_source, n_target, rank=2, seed=0):
    rng = np.random.default_rng(seed)
    weights, nodes = rng.random((n_source, rank)), rng.random((rank, n_target))
    np.save(folder / "C57BL-6J_weights.npy", weights)
    np.save(folder / "C57BL-6J_nodes.npy", nodes)
    (folder / "source_mask_params.json").write_text(json.dumps({"structure_ids": [1],
                                                                "hemisphere": 2}))
    (folder / "target_mask_params.json").write_text(json.dumps({"structure_ids": [20],
                                                                "hemisphere": 3}))
    return weights, nodes


def test_voxel_model_loader_on_synthetic_model(tmp_path):
    annotation, ontology = _synthetic_atlas()
    # sources: structure 1 with descendants, right hemisphere: AP 0-2 x DV 0-2 x ML 3-5 = 27
    # targets: structure 20, both hemispheres: AP 2 x DV 0-2 x ML 0-5 = 18
    weights, nodes = _write_voxel_model(tmp_path, 27, 18)
    model = connectome.load_voxel_model(tmp_path, annotation, ontology)
    assert model.source_voxels.shape == (27, 3) and model.target_voxels.shape == (18, 3)
    assert np.all(model.source_voxels[:, 2] >= 3)
    # C order of the volume: the first source voxel is (0, 0, 3), then (0, 0, 4)
    assert model.source_voxels[:2].tolist() == [[0, 0, 3], [0, 0, 4]]
    rows = model.rows_of(np.array([[0, 0, 4], [2, 1, 5], [0, 0, 0]]), "source")
    assert rows.tolist()[:2] == [1, 3 * 3 * 2 + 3 + 2] and rows[2] == -1
    cols = model.rows_of(np.array([[2, 0, 0], [2, 2, 5]]), "target")
    assert cols.tolist() == [0, 17]
    np.testing.assert_allclose(model.strength(rows[:2], cols), (weights @ nodes)[rows[:2]][:, cols])


def test_voxel_model_errors(tmp_path):
    annotation, ontology = _synthetic_atlas()
    with pytest.raises(BrainmodelError, match="C57BL-6J_weights.npy"):
        connectome.load_voxel_model(tmp_path, annotation, ontology)
    _write_voxel_model(tmp_path, 26, 18)           # one source voxel too few for these masks
    with pytest.raises(BrainmodelError, match="masks on this annotation give 27 x 18"):
        connectome.load_voxel_model(tmp_path, annotation, ontology)


def test_long_range_probability_normalisation():
    weights = {"A": 2.0, "B": 1.0, "C": 1.0, "T": 50.0}
    volumes = {"A": 10, "B": 20, "C": 40, "T": 5}
    # shares of weight x volume among A, B, C (T, the target itself, excluded): 20 : 20 : 40
    p = connectome.long_range_probability(weights, volumes, {"A": 1000, "B": 500}, 800.0,
                                          exclude=("T",))
    assert p["A"] == pytest.approx(800 * 0.25 / 1000)
    assert p["B"] == pytest.approx(800 * 0.25 / 500)      # C is not modelled: its share is lost
    with pytest.raises(BrainmodelError, match="exceed"):
        connectome.long_range_probability(weights, volumes, {"A": 10}, 800.0, exclude=("T",))
    with pytest.raises(BrainmodelError, match="excluded"):
        connectome.long_range_probability(weights, volumes, {"T": 10}, 8.0, exclude=("T",))


def test_region_volumes_count_descendants():
    annotation, ontology = _synthetic_atlas()
    assert connectome.region_volumes(annotation, ontology, ["A", "B", "root"], "right") == {
        "A": 18, "B": 9, "root": 27}


def test_connectome_with_unknown_acronyms_is_refused(ontology):
    from projections.connectome import RegionalConnectome, check_acronyms
    good = RegionalConnectome("test", ("MOp", "MOs"), ("MOp",), np.ones((2, 1)), np.ones((2, 1)))
    assert check_acronyms(good, ontology) is good
    bad = RegionalConnectome("test", ("MOp", "M0s"), ("MOp",), np.ones((2, 1)), np.ones((2, 1)))
    with pytest.raises(BrainmodelError, match="does not know: M0s"):
        check_acronyms(bad, ontology)
    with pytest.raises(BrainmodelError, match="'VISp' is not a source region"):
        good.strength("VISp", "MOp")
