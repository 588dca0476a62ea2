"""The floor on FS (PV) input in PV-poor areas (brainmodel.model.pv_inputs) and its draw
(brainmodel.model.connectivity.compensated_pairs)."""
import numpy as np
import pytest

from brainmodel.errors import BrainmodelError
from brainmodel.inputs.densities import marker_density
from brainmodel.model import connectivity, pv_inputs
from brainmodel.model.cells import CellTable
from regions.cortex import CortexSpec, Pathway, default_spec
from test_connectivity import _sheet


def test_reference_areas_keep_their_input_and_pv_poor_areas_reach_the_reference(kim):
    spec = default_spec()
    areas = sorted({key[:-3] for key in kim if key.endswith("2/3")} | {"SSp-un"})
    factors = pv_inputs.factor_by_area(spec, kim, areas)
    for area in spec.pv_input_reference_areas:
        assert set(factors[area].values()) == {1.0}, area
    assert all(f >= 1.0 for by_layer in factors.values() for f in by_layer.values())
    for layer, kim_layer in pv_inputs.KIM_LAYER.items():
        reference = min(marker_density(kim, a, kim_layer)["PV"]
                        for a in spec.pv_input_reference_areas)
        expected = reference / marker_density(kim, "AIp", kim_layer)["PV"]
        assert factors["AIp"][layer] == pytest.approx(expected, abs=1e-3)
        # with the floor, AIp's PV density times F is the reference's
        assert (factors["AIp"][layer] * marker_density(kim, "AIp", kim_layer)["PV"]
                == pytest.approx(reference, rel=1e-3))
    assert factors["AIp"]["L2/3"] > 3.0          # Kim 2017: 934 against 3511-5527 per mm^3
    assert factors["ORBl"]["L2/3"] == 1.0        # PV-richer than the reference


def test_no_reference_areas_means_no_floor(kim):
    spec = CortexSpec(pathways=(), pv_input_reference_areas=())
    assert pv_inputs.pv_input_factors(spec, kim, np.array(["AIp"])) == {}


def test_factor_one_gives_the_plain_draw_bit_for_bit():
    voxel, surface = _sheet(20, per_voxel=4)
    ids = np.arange(len(voxel))
    pre, post, weight = connectivity.compensated_pairs(ids, ids, voxel, surface, 0.3, 150.0,
                                                       np.ones(len(ids)), [4, 2])
    plain = connectivity.gaussian_pairs(ids, ids, voxel, surface, 0.3, 150.0,
                                        np.random.default_rng([4, 2]))
    assert np.array_equal(pre, plain[0]) and np.array_equal(post, plain[1])
    assert np.all(weight == 1.0)


def test_factor_raises_in_degree_where_probability_allows_and_weight_for_the_rest():
    """p = 0.4, F = 3: count factor min(3, 1 / 0.4) = 2.5, weight factor 1.2; cells with F = 1
    keep exactly their inputs."""
    voxel, surface = _sheet(30, per_voxel=4)
    ids = np.arange(len(voxel))
    raised = np.linalg.norm(surface[:, :2] - 1500.0, axis=1) < 600      # away from the edges
    factor = np.where(raised, 3.0, 1.0)
    base_pre, base_post = connectivity.gaussian_pairs(ids, ids, voxel, surface, 0.4, 150.0,
                                                      np.random.default_rng([7, 0]))
    pre, post, weight = connectivity.compensated_pairs(ids, ids, voxel, surface, 0.4, 150.0,
                                                       factor, [7, 0])
    base_indegree = np.bincount(base_post, minlength=len(ids))
    indegree = np.bincount(post, minlength=len(ids))
    assert indegree[raised].sum() / base_indegree[raised].sum() == pytest.approx(2.5, rel=0.03)
    assert np.all(weight[raised[post]] == pytest.approx(1.2))
    assert np.all(weight[~raised[post]] == 1.0)
    assert np.array_equal(indegree[~raised], base_indegree[~raised])
    assert np.all(pre != post)
    # the extra contacts follow the same distance rule: mean distance unchanged
    distance = np.linalg.norm(surface[pre] - surface[post], axis=1)
    base_distance = np.linalg.norm(surface[base_pre] - surface[base_post], axis=1)
    assert distance[raised[post]].mean() == pytest.approx(
        base_distance[raised[base_post]].mean(), rel=0.03)


def test_factor_below_one_is_refused():
    voxel, surface = _sheet(5, per_voxel=4)
    ids = np.arange(len(voxel))
    with pytest.raises(BrainmodelError, match="at least 1"):
        connectivity.compensated_pairs(ids, ids, voxel, surface, 0.3, 150.0,
                                       np.full(len(ids), 0.5), [1, 1])


def test_local_edges_apply_the_factor_to_pv_inputs_only():
    voxel, surface = _sheet(20, per_voxel=4)
    n = len(voxel)
    cell_type = np.where(np.arange(n) < n // 2, "E", "FS")       # sorted by population
    order = np.argsort(cell_type == "FS", kind="stable")
    cells = CellTable(region=np.full(n, "AIp", dtype=object), hemisphere=np.full(n, "left"),
                      layer=np.full(n, "L2/3", dtype=object), type=cell_type[order],
                      population=(cell_type[order] == "FS").astype(np.int32),
                      populations=(("L2/3", "E"), ("L2/3", "FS")), voxel_row=voxel[order],
                      voxel_index=voxel[order], position_um=surface[order],
                      surface_um=surface[order])
    spec = CortexSpec(pathways=(Pathway(("L2/3", "E"), ("L2/3", "E"), 0.4, 150.0, 0.01, "ampa"),
                                Pathway(("L2/3", "FS"), ("L2/3", "E"), 0.4, 150.0, 0.01, "gaba")),
                      gain_reference_indegree=1.0)     # k = 1: weights are the full ones
    factors = {("L2/3", "FS"): np.full(n, 2.0)}
    plain = connectivity.local_edges(cells, spec, 1.0, 1.0, 3, workers=1)
    raised = connectivity.local_edges(cells, spec, 1.0, 1.0, 3, workers=1, input_factors=factors)
    assert np.array_equal(plain[0].pre, raised[0].pre)           # E -> E unchanged
    assert np.array_equal(plain[0].weight, raised[0].weight)
    assert len(raised[1]) == pytest.approx(2 * len(plain[1]), rel=0.05)
    assert np.all(raised[1].weight == pytest.approx(0.01))        # C = F = 2 <= 1 / 0.4
