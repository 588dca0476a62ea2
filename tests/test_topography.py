"""Topography experiment (stimulation sites; gamma responses, centroids and the matching segment
on synthetic spike trains), experiment defaults and the
expansion of larger structures into connectome areas."""
from types import SimpleNamespace

import numpy as np
import pytest

from brainmodel.analysis import topography
from brainmodel.experiments.topography import stimulation_sites
from brainmodel import configure
from brainmodel.errors import BrainmodelError
from brainmodel.api import check as check_config
from brainmodel.model.edges import EdgeTable
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


N_AREA = 600          # cells per area, evenly along 0-2990 um of AP
WINDOW = (0.0, 2000.0)


def _table(pre, post):
    n = len(pre)
    return EdgeTable(np.asarray(pre, np.int32), np.asarray(post, np.int32),
                     np.zeros(n, np.uint16), np.array([1.0]), np.ones(n, np.uint16), 0.1, "ampa")


def _spikes(rate_hz, rng, dt_ms=0.5):
    """Poisson spikes of every cell; ``rate_hz``: (cells, steps) rates."""
    cell, step = np.nonzero(rng.random(rate_hz.shape) < rate_hz * dt_ms / 1000.0)
    order = np.argsort(step, kind="stable")
    return cell[order], step[order] * dt_ms


def _areas(rng, sites_ap, target_of_site, responding_of_site=None):
    """Two areas (MOp, MOs) along AP; each site stimulates the 10 MOp cells nearest to it and
    projects to the MOs cells within 300 um of ``target_of_site(site AP)``. In a site's run
    those MOs cells and the stimulated cells fire 10 Hz modulated at 40 Hz (depth 0.9, phase
    diffusing), all others 10 Hz Poisson; the control run is Poisson everywhere. With
    ``responding_of_site`` the modulated MOs cells are those within 300 um of that instead."""
    responding_of_site = responding_of_site or target_of_site
    ap = np.tile(np.linspace(0.0, 2990.0, N_AREA), 2)
    groups = np.repeat(["MOp", "MOs"], N_AREA).astype(object)
    t = np.arange(*WINDOW, 0.5)
    base = np.full((2 * N_AREA, len(t)), 10.0)
    runs, stimulated, edges = [_spikes(base, rng)], [], []
    for site in sites_ap:
        mop = np.flatnonzero(groups == "MOp")
        driven = mop[np.argsort(np.abs(ap[mop] - site))[:10]]
        target = np.flatnonzero((groups == "MOs") & (np.abs(ap - target_of_site(site)) < 300))
        edges.append(_table(np.repeat(driven, len(target)), np.tile(target, len(driven))))
        phase = 2 * np.pi * 40.0 * t / 1000.0 + np.cumsum(rng.normal(0, 0.03, len(t)))
        rate = base.copy()
        responding = np.flatnonzero((groups == "MOs")
                                    & (np.abs(ap - responding_of_site(site)) < 300))
        rate[np.concatenate([driven, responding])] *= 1 + 0.9 * np.sin(phase)
        runs.append(_spikes(rate, rng))
        mask = np.zeros(2 * N_AREA, bool)
        mask[driven] = True
        stimulated.append(mask)
    return ap, groups, edges, runs, stimulated


def test_group_band_power_is_larger_for_a_shared_rhythm_than_for_independent_spikes():
    rng = np.random.default_rng(3)
    t = np.arange(*WINDOW, 0.5)
    rate = np.full((200, len(t)), 5.0)
    rate[:100] *= 1 + 0.9 * np.sin(2 * np.pi * 40.0 * t / 1000.0)
    ids, times = _spikes(rate, rng)
    label = np.repeat([0, 1], 100)
    label[-1] = -1                                  # a cell in no group is ignored
    power = topography.group_band_powers(ids, times, label, 2, *WINDOW)
    assert power[0] > 3 * power[1] > 0


def test_gamma_response_follows_the_projection_of_each_site():
    rng = np.random.default_rng(1)
    sites = [500.0, 1500.0, 2500.0]
    ap, groups, edges, runs, stimulated = _areas(rng, sites, lambda site: 0.8 * site + 300.0)
    out = topography.summarise(ap, groups, edges, runs, stimulated, [(5, 0, 0)] * 3, WINDOW)
    assert out["centroid_follows_site"]["MOs"] and out["matching_over_far_at_least_4x"]["MOs"]
    for site, entry in zip(sites, out["sites"]):
        mos = entry["areas"]["MOs"]
        assert abs(mos["projection_ap_um"] - (0.8 * site + 300.0)) < 60
        assert abs(mos["gamma_centroid_ap_um"] - (0.8 * site + 300.0)) < 300
        assert np.argmax(mos["segment_gamma_response"]) == mos["matching_segment"]
        assert mos["matching_over_far"] > 4.0
        assert abs(mos["mean_rate_response_hz"]) < 0.5      # the rhythm, not the rate, changed
    assert len(out["area_rates_hz"]["MOs"]) == 4          # control and three sites


def test_a_response_away_from_the_projection_fails_the_checks():
    """MOs responds where the site does not project: in the opposite direction (the centroid
    moves against the site), or always in the middle (the outer sites' matching segments are
    silent)."""
    rng = np.random.default_rng(2)
    sites = [500.0, 1500.0, 2500.0]
    projected = lambda site: 0.8 * site + 300.0          # noqa: E731
    for responding in (lambda site: 2700.0 - 0.8 * site, lambda site: 1500.0):
        ap, groups, edges, runs, stimulated = _areas(rng, sites, projected, responding)
        out = topography.summarise(ap, groups, edges, runs, stimulated, [(5, 0, 0)] * 3,
                                   WINDOW)
        assert not out["matching_over_far_at_least_4x"]["MOs"]
        centroids = [s["areas"]["MOs"]["gamma_centroid_ap_um"] for s in out["sites"]]
        assert all(abs(c - responding(site)) < 300 for c, site in zip(centroids, sites))
        assert not out["centroid_follows_site"]["MOp"]    # stimulated cells are left out


def test_matching_over_far_compares_the_matching_segment_with_the_far_ones():
    response = np.array([1.0, 2.0, 20.0, 2.0, 4.0])
    assert topography.matching_over_far(response, 2) == pytest.approx(20.0 / 2.5)
    assert topography.matching_over_far(np.array([5.0, 0.1, -1.0, -1.0, 0.0]), 0) == np.inf
    assert np.isnan(topography.matching_over_far(np.array([1.0, 2.0]), 0))
    assert np.isnan(topography.weighted_centroid(np.arange(3.0), np.array([-1.0, 0.0, -2.0])))


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
