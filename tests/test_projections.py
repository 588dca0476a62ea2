"""Long-range cortico-cortical projections: pre/post rules, counts against the normalisation,
background compensation, hemispheres (synthetic cells and connectome), and the real MOp+MOs."""
from types import SimpleNamespace

import numpy as np

from brainmodel.model.edges import by_receptor
import pytest

from projections import cortical
from projections.connectome import RegionalConnectome
import brainmodel as bm

LAYERS = ("L2/3", "L5A")


class _Cells(SimpleNamespace):
    def __len__(self):
        return len(self.type)


def _cells(per_group=400, hemispheres=("left",)):
    rows = [(area, hemi, layer, t) for area in ("A", "B") for hemi in hemispheres
            for layer in LAYERS for t in ("E", "FS") for _ in range(per_group)]
    region, hemisphere, layer, cell_type = (np.array(c, dtype=object) for c in zip(*rows))
    position = np.zeros((len(rows), 3))
    position[:, 0] = np.where(region == "A", 0.0, 2000.0)      # areas 2 mm apart
    return _Cells(region=region, hemisphere=hemisphere, layer=layer, type=cell_type,
                  position_um=position)


SPEC = SimpleNamespace(layers=LAYERS, background_indegree={"L2/3": 1000, "L5A": 2000},
                       weight_full_long_range={"E": 0.001, "FS": 0.002}, synaptic_delay_ms=0.5,
                       background_sources=1000, background_rate_hz=0.8,
                       gain_reference_indegree=0.2,
                       background_weight={"E": 0.002, "FS": 0.004}, background_factor={},
                       assumed_rate_hz={(la, t): r for la in LAYERS
                                        for t, r in (("E", 2.0), ("FS", 10.0))})
# onto B: A ipsi 2 (volume 10), X ipsi 2 (volume 10, not modelled), A contra 1 (volume 10)
KNOX = RegionalConnectome("test", ("A", "B", "X"), ("A", "B"),
                          ipsi=np.array([[0.0, 2.0], [3.0, 5.0], [1.0, 2.0]]),
                          contra=np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]]))
VOLUMES = {"A": 10, "B": 10, "X": 10}


def test_pre_and_post_rules_and_counts():
    cells = _cells()
    density, indegree = 0.1, 0.1
    table, factor = cortical.long_range_edges(cells, SPEC, KNOX, VOLUMES, density, indegree,
                                              seed=3)
    pre, post, weight, delay = table.pre, table.post, table.weight, table.delay_ms
    assert np.all(cells.type[pre] == "E")
    assert np.all(cells.region[pre] != cells.region[post])
    # onto B: sources A (ipsi) 20, X (ipsi) 20, A (contra) 10 -> share of A is 20/50 = 0.4
    into_b = cells.region[post] == "B"
    for layer in LAYERS:
        n_post = np.sum((cells.region == "B") & (cells.layer == layer))
        expected = SPEC.background_indegree[layer] * 0.4 * indegree * n_post
        observed = np.sum(into_b & (cells.layer[post] == layer))
        assert abs(observed - expected) < 5 * np.sqrt(expected), (layer, observed, expected)
    # the background keeps the variance: factor^2 = 1 - V_explicit / V_background per cell
    # (full-scale variances; explicit: k K_ext share synapses of weight w / sqrt(k) at 2 Hz)
    w_full = {(la, t): SPEC.background_weight[t] * SPEC.background_indegree[la] / 1000
              for la in LAYERS for t in ("E", "FS")}
    for area, share in (("B", 0.4), ("A", 0.6)):
        # onto A: B ipsi 3 x 10 = 30 of B ipsi 30 + X ipsi 10 + B contra 10 = 50 -> 0.6
        for (layer, t), w in w_full.items():
            group = np.flatnonzero((cells.region == area) & (cells.layer == layer)
                                   & (cells.type == t))
            explicit = np.bincount(post, 2.0 * weight ** 2, minlength=len(cells))[group]
            v_background = 1000 * 0.8 * w ** 2
            assert np.allclose(factor[group] ** 2, 1.0 - explicit / v_background)
            expected = (share * SPEC.background_indegree[layer] * 2.0
                        * SPEC.weight_full_long_range[t] ** 2 / v_background)
            assert 0.05 < expected < 0.5        # the check is not trivial
            assert abs(np.mean(1.0 - factor[group] ** 2) - expected) < 0.05 * expected
    # weights x 1 / sqrt(k): the variance of the input is kept (brainmodel.model.scaling)
    assert np.allclose(weight[cells.type[post] == "FS"], 0.002 / np.sqrt(indegree))
    assert np.allclose(delay, 0.5 + 2000.0 / cortical.LONG_RANGE_VELOCITY_UM_PER_MS)


def test_one_area_in_one_hemisphere_has_no_projections():
    cells = _cells()
    keep = cells.region == "A"
    single = _Cells(**{k: v[keep] for k, v in vars(cells).items()})
    table, factor = cortical.long_range_edges(single, SPEC, KNOX, VOLUMES, 0.1, 0.1, seed=1)
    assert len(table) == 0 and np.all(factor == 1.0)


def test_across_hemispheres_the_contralateral_matrix_is_used():
    cells = _cells(per_group=200, hemispheres=("left", "right"))
    table, _ = cortical.long_range_edges(cells, SPEC, KNOX, VOLUMES, 0.1, 0.1, seed=2)
    pre, post = table.pre, table.post
    crossing = cells.hemisphere[pre] != cells.hemisphere[post]
    # A -> B contra weight 1 > 0, B -> A contra 1, A -> A contra 0 (callosal A->A absent)
    pairs = set(zip(cells.region[pre][crossing], cells.region[post][crossing]))
    assert pairs == {("A", "B"), ("B", "A")}


def test_deterministic_for_a_seed():
    cells = _cells(per_group=100)
    (a, fa), (b, fb) = (cortical.long_range_edges(cells, SPEC, KNOX, VOLUMES, 0.1, 0.1, seed=5)
                        for _ in range(2))
    assert all(np.array_equal(getattr(a, k), getattr(b, k))
               for k in ("pre", "post", "weight", "delay_ms")) and np.array_equal(fa, fb)


def test_real_mop_and_mos_shares(data_dir, ontology, annotation):
    from projections import connectome
    knox = connectome.load_knox_homogeneous(data_dir, ontology)
    volumes = connectome.region_volumes(annotation, ontology, knox.sources)
    into_mop = cortical.source_shares(knox, volumes, "MOp", [("MOs", "ipsi")])
    into_mos = cortical.source_shares(knox, volumes, "MOs", [("MOp", "ipsi"), ("MOs", "contra")])
    # MOs is among MOp's main cortical inputs and vice versa, and the homotopic callosal input
    # is strong (Oh et al. 2014): each a sizeable share, none the majority
    assert 0.05 < into_mop[("MOs", "ipsi")] < 0.5
    assert 0.05 < into_mos[("MOp", "ipsi")] < 0.5
    assert 0.05 < into_mos[("MOs", "contra")] < 0.5


def test_builder_adds_projections_and_keeps_the_background_variance(data_dir, annotation):
    import dataclasses

    from brainmodel.config import RunConfig
    from brainmodel.inputs import flatmap
    from brainmodel.model import parameters
    from regions.cortex import default_spec

    config = RunConfig(regions=("MOp", "MOs"), density=0.03, data_dir=data_dir).validate()
    model = bm.build(config, spec=default_spec(), progress=lambda m: None)
    cells = model.cells
    ampa = next(t for t in by_receptor(model.edges) if t.receptor == "ampa")
    across = cells.region[ampa.pre] != cells.region[ampa.post]
    assert across.sum() > 1000 and np.all(cells.type[ampa.pre[across]] == "E")
    # topography: MOp cells connect to MOs cells at similar relative flatmap positions (the
    # long-range table; local synapses across the MOp/MOs border join the two areas' edges)
    shape = annotation.volume.shape
    flat = flatmap.cell_flat_coordinates(flatmap.voxel_flat_coordinates(data_dir, shape),
                                         cells.voxel_index, shape)
    rel = flatmap.relative_positions(flat, cells.region.astype(str), cells.hemisphere)
    projection = model.edges[-1]                # the builder appends the long-range table
    assert np.all(cells.region[projection.pre] != cells.region[projection.post])
    d_connected = np.linalg.norm(rel[projection.pre] - rel[projection.post], axis=1)
    rng = np.random.default_rng(0)
    mop, mos = np.flatnonzero(cells.region == "MOp"), np.flatnonzero(cells.region == "MOs")
    d_random = np.linalg.norm(rel[rng.choice(mop, 5000)] - rel[rng.choice(mos, 5000)], axis=1)
    assert d_connected.mean() < 0.6 * d_random.mean()
    gaba = next(t for t in by_receptor(model.edges) if t.receptor == "gaba")
    near_border = np.linalg.norm(cells.surface_um[gaba.pre] - cells.surface_um[gaba.post], axis=1)
    assert np.all(near_border <= 900.0 + 1e-6)     # inhibition stays local (3 sigma)
    single = bm.build(RunConfig(density=0.03, data_dir=data_dir).validate(), spec=default_spec(),
                      progress=lambda m: None)
    assert single.background_factor is None
    factor = model.background_factor
    receives = np.bincount(model.edges[-1].post, minlength=len(cells)) > 0
    assert np.all((factor[receives] > 0.5) & (factor[receives] <= 1.0))
    assert factor[receives].mean() < 0.999
    assert np.all(factor[~receives] == 1.0)
    # the explicit synapses' variance (at the assumed rates) plus the shrunk background's is the
    # background's own: (1 - f^2) V_background = sum r_pre w^2 over a cell's long-range inputs
    rates = np.array([model.spec.assumed_rate_hz[(la, t)] for la, t in zip(cells.layer,
                                                                           cells.type)])
    long_range = model.edges[-1]                # the builder appends the long-range table
    assert long_range.receptor == "ampa" and np.all(
        cells.region[long_range.pre] != cells.region[long_range.post])
    explicit = np.bincount(long_range.post, rates[long_range.pre] * long_range.weight ** 2,
                           minlength=len(cells))
    w_full = parameters.full_background_weights(model.spec, cells.layer, cells.type)
    background = model.spec.background_sources * model.spec.background_rate_hz * w_full ** 2
    assert np.allclose((1.0 - factor ** 2) * background, explicit, rtol=1e-9)
    # both are independent of the in-degree fraction k: a model at half the k keeps the factors
    half = bm.build(dataclasses.replace(config, indegree=config.indegree_fraction / 2),
                    spec=default_spec(), progress=lambda m: None)
    for t in ("E", "FS"):
        mask = receives & (cells.type == t)
        assert abs(np.mean(1 - half.background_factor[mask] ** 2)
                   / np.mean(1 - factor[mask] ** 2) - 1.0) < 0.05
    with_projections = parameters.cell_constants(model, config.indegree_fraction)["w_background"]
    model_without = dataclasses.replace(model, background_factor=None)
    without = parameters.cell_constants(model_without, config.indegree_fraction)["w_background"]
    assert np.allclose(with_projections, without * factor)


def _topography_sheet(n_side=20, per_voxel=3):
    """Two areas, each an n_side x n_side grid of voxels with per_voxel cells; a cell's relative
    position is its voxel's grid position scaled to unit spread."""
    grid = np.stack(np.meshgrid(np.arange(n_side), np.arange(n_side), indexing="ij"), -1)
    grid = grid.reshape(-1, 2).astype(float)
    relative = (grid - grid.mean(0)) / grid.std(0)
    n_vox = len(grid)
    voxel_row = np.concatenate([np.repeat(np.arange(n_vox), per_voxel),
                                n_vox + np.repeat(np.arange(n_vox), per_voxel)])
    position = np.concatenate([relative, relative])[voxel_row % n_vox]
    pre_ids = np.arange(n_vox * per_voxel)
    post_ids = n_vox * per_voxel + np.arange(n_vox * per_voxel)
    return pre_ids, post_ids, voxel_row, position


def test_topographic_pairs_keep_in_degree_and_prefer_matching_positions():
    pre_ids, post_ids, voxel_row, position = _topography_sheet()
    p = 0.02
    pre, post = cortical.topographic_pairs(pre_ids, post_ids, voxel_row, position, p, 0.5,
                                           np.random.default_rng(7))
    assert np.all(np.isin(pre, pre_ids)) and np.all(np.isin(post, post_ids))
    expected = p * len(pre_ids) * len(post_ids)
    assert abs(len(pre) - expected) < 5 * np.sqrt(expected)          # in-degree kept on average
    indegree = np.bincount(post - post_ids[0], minlength=len(post_ids))
    assert np.all(indegree.reshape(-1, 3).mean(axis=1) < 4 * p * len(pre_ids))   # no hot spots
    connected = np.linalg.norm(position[pre] - position[post], axis=1)
    rng = np.random.default_rng(0)
    random_pairs = np.linalg.norm(position[rng.choice(pre_ids, 5000)]
                                  - position[rng.choice(post_ids, 5000)], axis=1)
    assert connected.max() <= 3 * 0.5 + 1e-9
    assert connected.mean() < 0.5 * random_pairs.mean()
    again = cortical.topographic_pairs(pre_ids, post_ids, voxel_row, position, p, 0.5,
                                       np.random.default_rng(7))
    assert np.array_equal(pre, again[0]) and np.array_equal(post, again[1])


def test_topographic_probability_above_one_is_capped():
    pre_ids, post_ids, voxel_row, position = _topography_sheet(n_side=10)
    pre, post = cortical.topographic_pairs(pre_ids, post_ids, voxel_row, position, 0.9, 0.1,
                                           np.random.default_rng(1))
    pairs = pre.astype(np.int64) * (post_ids.max() + 1) + post
    assert len(np.unique(pairs)) == len(pairs)                      # no pair twice
    # the kernel asks for more than every pre cell near a post cell: capped at all of them
    near = np.linalg.norm(position[pre] - position[post], axis=1) < 0.05
    assert near.any()


def test_realised_counts_between_real_areas_follow_the_connectome(data_dir, annotation, ontology):
    """Long-range synapses realised between every ordered pair of six areas in both hemispheres,
    per target cell, against the Knox 2019 share of that target's long-range input."""
    from brainmodel.config import RunConfig
    from regions.cortex import default_spec
    config = RunConfig(regions=("MOp", "MOs", "SSp-ul", "SSs", "VISp", "ACAd"),
                       hemisphere="both", density=0.01, topography=False,
                       data_dir=data_dir).validate()
    spec = default_spec()
    model = bm.build(config, spec=spec, progress=lambda m: None)
    cells = model.cells
    from projections import connectome
    knox = connectome.load_knox_homogeneous(data_dir, ontology)
    volumes = connectome.region_volumes(annotation, ontology, knox.sources)
    # the long-range edges alone (the local rule also crosses borders between adjacent areas)
    table, _ = cortical.long_range_edges(cells, spec, knox, volumes, 0.01, 0.01, 3)
    pre, post, delay = table.pre, table.post, table.delay_ms
    areas = [(a, h) for a in config.regions for h in ("left", "right")]
    realised, expected = [], []
    for target, t_hemi in areas:
        in_target = (cells.region == target) & (cells.hemisphere == t_hemi)
        sources = [(a, h) for a, h in areas if (a, h) != (target, t_hemi)]
        shares = cortical.source_shares(knox, volumes, target,
                                        [(a, "ipsi" if h == t_hemi else "contra")
                                         for a, h in sources])
        k_ext = np.mean([spec.background_indegree[la] for la in cells.layer[in_target]])
        for (source, s_hemi) in sources:
            side = "ipsi" if s_hemi == t_hemi else "contra"
            n = np.sum(in_target[post] & (cells.region[pre] == source)
                       & (cells.hemisphere[pre] == s_hemi))
            realised.append(n / in_target.sum())
            expected.append(k_ext * shares[(source, side)] * config.indegree_fraction)
    realised, expected = np.array(realised), np.array(expected)
    assert np.corrcoef(realised, expected)[0, 1] > 0.9
    # ipsi and contra as in the data: pairs the contralateral matrix leaves empty get nothing
    assert np.all(realised[expected == 0] == 0) and np.all(realised[expected > 0.05] > 0)
    # no long-range synapse starts at an interneuron or in a non-projecting layer
    assert set(cells.type[pre]) == {"E"}
    distance = np.linalg.norm(cells.position_um[pre] - cells.position_um[post], axis=1)
    # delays are stored in whole time steps (brainmodel.model.edges)
    exact = spec.synaptic_delay_ms + distance / cortical.LONG_RANGE_VELOCITY_UM_PER_MS
    assert np.array_equal(table.delay_steps, np.rint(exact / table.dt_ms))
    assert np.all(np.abs(delay - exact) <= table.dt_ms / 2 + 1e-9)


def test_layer_factors_follow_terminal_density():
    counts = {"L2/3": 100, "L5A": 50, "L5B": 50, "L6": 100}
    flat = cortical.layer_factors(None, counts)
    assert flat == {"L2/3": 1.0, "L5A": 1.0, "L5B": 1.0, "L6": 1.0}
    # half the terminals in L2/3, none in L6; L1 terminals ignored
    factor = cortical.layer_factors({"L1": 5.0, "L2/3": 0.5, "L5": 0.5, "L6a": 0.0}, counts)
    assert factor["L2/3"] == pytest.approx(1.5) and factor["L6"] == 0.0
    assert factor["L5A"] == factor["L5B"] == pytest.approx(1.5)
    # the mean over cells is 1: the area's total input is kept
    assert sum(factor[la] * n for la, n in counts.items()) == pytest.approx(sum(counts.values()))


def test_koelle_target_layer_profiles(data_dir, ontology):
    from projections import connectome
    leaf = connectome.load_koelle_leaf(data_dir)
    assert leaf.ipsi.shape == leaf.contra.shape == (len(leaf.sources), len(leaf.targets))
    assert np.sum(~np.isnan(leaf.ipsi).all(axis=1)) == 122       # injected wild-type leaves
    mop_to_mos = connectome.target_layer_profile(leaf, ontology, "MOp", "MOs", "ipsi")
    # motor cortico-cortical axons end mostly in L2/3 and L5, hardly in L6b
    assert mop_to_mos["L2/3"] > mop_to_mos["L6b"] and mop_to_mos["L5"] > mop_to_mos["L6b"]
    assert connectome.target_layer_profile(leaf, ontology, "GU", "MOp", "ipsi") is None   # no injection
