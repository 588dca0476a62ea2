"""Topography experiment (stimulation sites, response centroids), experiment defaults and the
expansion of larger structures into connectome areas."""
from types import SimpleNamespace

import numpy as np
import pytest

from brainmodel.analysis import topography
from brainmodel.experiments.topography import stimulation_sites
from brainmodel import configure
from brainmodel.errors import BrainmodelError
from brainmodel.api import check as check_config
from brainmodel.model.stimulus import Stimulus, stimulated_cells


def _slab(n_ap=10, n_ml=3):
    ijk = np.array([(i, 0, k) for i in range(n_ap) for k in range(n_ml)])
    return SimpleNamespace(ijk=ijk, centre_um=(ijk + 0.5) * 100.0)


def test_sites_run_rostral_to_caudal_along_the_middle_of_the_region():
    voxels = _slab()
    layers = np.full(len(voxels.ijk), "L2/3", dtype=object)
    layers[voxels.ijk[:, 0] == 4] = "L5A"                 # slice 4 has no L2/3 voxel
    sites = stimulation_sites(voxels, np.ones(len(layers), bool), layers)
    assert [s[0] for s in sites] == [1, 5, 8] and all(s[2] == 1 for s in sites)


def test_area_response_centroid_and_segments():
    position = np.zeros((100, 3))
    position[:, 0] = np.linspace(0, 990, 100)
    response = np.where(np.abs(position[:, 0] - 800) < 60, -2.0, 0.0)  # suppression near 800 um
    out = topography.area_response(position, response, np.arange(100), segments=5)
    assert abs(out["centroid_ap_um"] - 800) < 10
    assert np.argmin(out["segment_response_hz"]) == 4 and out["segment_response_hz"][0] == 0
    assert np.isnan(topography.area_response(position, np.zeros(100), np.arange(100))
                    ["centroid_ap_um"])


def test_centroid_follows_site_only_when_it_moves_the_same_way():
    n = 300
    cells = SimpleNamespace(position_um=np.column_stack([np.tile(np.linspace(0, 2990, 150), 2),
                                                          np.zeros(n), np.zeros(n)]))
    groups = np.array(["MOp"] * 150 + ["MOs"] * 150, dtype=object)
    none = np.zeros(n, bool)

    def rates(mop_at, mos_at):
        ap = cells.position_um[:, 0]
        hot = np.where(groups == "MOp", np.abs(ap - mop_at) < 200, np.abs(ap - mos_at) < 200)
        return 3.0 + hot

    site_rates = [rates(500, 600), rates(1500, 1400), rates(2500, 1000)]
    out = topography.summarise(cells, groups, [(5, 0, 0), (15, 0, 0), (25, 0, 0)],
                               [500.0, 1500.0, 2500.0], [none] * 3, np.full(n, 3.0), site_rates)
    assert out["centroid_follows_site"] == {"MOp": True, "MOs": False}
    assert len(out["sites"]) == 3 and out["sites"][0]["voxel_ijk"] == [5, 0, 0]


def test_stimulus_radius_takes_the_layer_cells_around_the_voxel():
    cells = SimpleNamespace(layer=np.array(["L2/3", "L2/3", "L2/3", "L5A"], dtype=object),
                            voxel_row=np.array([0, 1, 2, 0]),
                            surface_um=np.array([[0, 0, 0], [250, 0, 0], [400, 0, 0], [0, 0, 0.0]]))
    site = Stimulus("L2/3", (0, 0, 0), 0, 200.0, 1000.0, 35.0, (0.0, 0.0, 0.0))
    assert stimulated_cells(site, cells).tolist() == [True, False, False, False]
    wide = Stimulus("L2/3", (0, 0, 0), 0, 200.0, 1000.0, 35.0, (0.0, 0.0, 0.0), 300.0)
    assert stimulated_cells(wide, cells).tolist() == [True, True, False, False]


def test_experiment_defaults_and_overrides():
    topo = configure("topography")
    assert topo.regions == ("MOp", "MOs", "SSp", "SSs") and topo.stimulus.radius_um == 300
    both = configure("bihemispheric-cortex", density=0.01, stimulus={"amplitude_mv": 20.0})
    assert (both.hemisphere, both.density, both.stimulus.region) == ("both", 0.01, "MOp")
    assert both.stimulus.amplitude_mv == 20.0
    assert configure().regions == ("MOp",) and configure().stimulus.radius_um == 0
    with pytest.raises(BrainmodelError, match="unknown experiment 'motor'"):
        configure("motor")
    with pytest.raises(BrainmodelError, match="needs MOp as the first of --regions"):
        check_config(configure("topography", regions=("MOs", "MOp")))
    with pytest.raises(BrainmodelError, match="--stim-radius"):
        configure(stimulus={"radius_um": -1.0}).validate()


def test_larger_structures_expand_to_connectome_areas(data_dir, ontology):
    from projections import connectome
    knox = connectome.load_knox_homogeneous(data_dir, ontology)
    areas = connectome.expand_areas(["MOp", "SSp"], ontology, knox)
    assert areas == {"MOp": "MOp", "SSp-bfd": "SSp", "SSp-ll": "SSp", "SSp-m": "SSp",
                     "SSp-n": "SSp", "SSp-tr": "SSp", "SSp-ul": "SSp", "SSp-un": "SSp"}
    assert len(connectome.expand_areas(["Isocortex"], ontology, knox)) == 43
    with pytest.raises(BrainmodelError, match="overlaps"):
        connectome.expand_areas(["SSp", "SSp-ul"], ontology, knox)
    with pytest.raises(BrainmodelError, match="no source area"):
        connectome.expand_areas(["MOp1"], ontology, knox)
