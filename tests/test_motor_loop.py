"""Thalamus, pons and cerebellum: placement, local rules (parallel fibres), the loop's
projection rules, delays and hemispheres, on the real atlas at reduced density."""
import numpy as np

from brainmodel.model.edges import by_receptor
import pytest

import brainmodel as bm
from brainmodel import configure
from brainmodel.model import connectivity
from brainmodel.model import nuclei as subcortical
from brainmodel.errors import BrainmodelError
from regions import cerebellum
from regions.cortex import default_spec

# The reference study's inter-region rules (DESIGN.md): which cells may send and receive
# projections between regions.
# Plus the basal-ganglia pathways: cortex -> striatum -> pallidum -> thalamus.
PRESYNAPTIC = {"cortex": {"E"}, "cerebellum": {"PC", "DCN"}, "pons": {"E"}, "thalamus": {"TC"},
               "striatum": {"D2"}, "pallidum": {"GPe"}}
POSTSYNAPTIC = {"cortex": {"E", "FS", "LTS"}, "cerebellum": {"GrC", "DCN"}, "pons": {"E"},
                "thalamus": {"TC"}, "striatum": {"D1", "D2", "FSI"}, "pallidum": {"GPe"}}


@pytest.fixture(scope="module")
def loop_model(data_dir):
    config = configure("motor-loop", density=0.02, region_density=(("cerebellum", 0.003),),
                       topography=False, data_dir=data_dir).validate()
    return config, bm.build(config, spec=default_spec(), progress=lambda m: None)


@pytest.fixture(scope="module")
def cerebellar_cells(data_dir, annotation, ontology):
    from brainmodel.inputs import cerebellar_atlas
    layers = cerebellar_atlas.cerebellar_layers(annotation, ontology,
                                                cerebellar_atlas.load_thickness(data_dir))
    return subcortical.place(cerebellum.SPEC, annotation, ontology, "right", 0.003, 5, 3, layers)


def test_cerebellar_cells_sit_in_their_layers_and_side(cerebellar_cells, annotation):
    cells = cerebellar_cells
    counts = {c.name: int(np.sum(cells.cell_class == c.name)) for c in cerebellum.SPEC.cell_classes}
    # granule cells outnumber every other class by far (3.9e6 per mm^3, Casali et al. 2019)
    assert counts["GrC"] > 10 * sum(v for k, v in counts.items() if k != "GrC")
    assert set(cells.compartment[cells.cell_class == "PC"]) == {"Purkinje"}
    assert set(cells.structure[cells.cell_class == "DCN"]) <= set(cerebellum.NUCLEI)
    assert set(cells.structure[cells.cell_class == "GrC"]) <= set(cerebellum.LOBULES)
    assert np.all(cells.position_um[:, 2] / annotation.resolution_um >= annotation.midline)
    # folium axes are unit vectors perpendicular to the sagittal axis
    pc = cells.cell_class == "PC"
    assert np.allclose(np.linalg.norm(cells.folium_axis[pc], axis=1), 1.0)
    assert np.allclose(np.sum(cells.folium_axis[pc] * cells.sagittal_axis[pc], axis=1), 0.0,
                       atol=1e-9)


def test_granule_to_purkinje_synapses_obey_the_parallel_fibre_geometry(cerebellar_cells):
    cells = cerebellar_cells
    edges = subcortical.local_edges(cerebellum.SPEC, cells, 0, 0.003, 1, 3, 0.5, 300.0)
    pathway_index = [p.pre + p.post for p in cerebellum.SPEC.pathways].index("GrCPC")
    table = edges[pathway_index]
    pre, post, delay, receptor = table.pre, table.post, table.delay_ms, table.receptor
    assert receptor == "ampa" and len(pre) > 0
    assert set(cells.cell_class[pre]) == {"GrC"} and set(cells.cell_class[post]) == {"PC"}
    offset = cells.position_um[pre] - cells.position_um[post]
    along = np.abs(np.sum(offset * cells.folium_axis[post], axis=1))
    across = np.abs(np.sum(offset * cells.sagittal_axis[post], axis=1))
    assert along.max() <= cerebellum.PARALLEL_FIBRE_HALF_LENGTH_UM
    assert across.max() <= cerebellum.PURKINJE_DENDRITE_HALF_WIDTH_UM
    # the window is not empty of unconnected candidates only because of the in-degree cap
    k = round(175_000 * 0.003)
    assert np.bincount(post).max() <= k
    assert len(np.unique(np.stack([pre, post]), axis=1)[0]) == len(pre)    # no pair twice
    assert np.all(delay >= 0.5)


def test_fixed_indegree_takes_distinct_inputs_and_all_when_fewer():
    rng = np.random.default_rng(0)
    pre, post = connectivity.fixed_indegree([np.arange(10), np.arange(3), np.array([], int)],
                                           np.array([100, 101, 102]), 4, rng)
    assert np.sum(post == 100) == 4 and len(set(pre[post == 100])) == 4
    assert sorted(pre[post == 101]) == [0, 1, 2] and not np.any(post == 102)


def _check_rules(model):
    cells, system = model.cells, model.system_of_cells()
    for table in model.edges:
        crossing = system[table.pre] != system[table.post]
        pre, post = table.pre[crossing], table.post[crossing]
        for region in set(system):
            sent = cells.type[pre[system[pre] == region]]
            assert set(sent) <= PRESYNAPTIC[region], (region, set(sent))
            received = cells.type[post[system[post] == region]]
            assert set(received) <= POSTSYNAPTIC[region], (region, set(received))
        distance = np.linalg.norm(cells.position_um[pre] - cells.position_um[post], axis=1)
        # delays are whole time steps: the rounding moves them by at most half a step
        assert np.all(table.delay_ms[crossing] >= 0.5 + distance / 1000.0 - table.dt_ms / 2 - 1e-9)
        assert np.all(table.delay_ms >= 0.5 - 1e-9)


def test_basal_ganglia_pathways(data_dir):
    config = configure(nuclei=("thalamus", "striatum", "pallidum"), density=0.02,
                       data_dir=data_dir).validate()
    model = bm.build(config, spec=default_spec(), progress=lambda m: None)
    _check_rules(model)
    cells, system = model.cells, model.system_of_cells()
    gaba = next(t for t in by_receptor(model.edges) if t.receptor == "gaba")
    d2_gpe = (cells.type[gaba.pre] == "D2") & (cells.type[gaba.post] == "GPe")
    gpe_tc = (cells.type[gaba.pre] == "GPe") & (cells.type[gaba.post] == "TC")
    d1_gpe = (cells.type[gaba.pre] == "D1") & (cells.type[gaba.post] == "GPe")
    assert d2_gpe.any() and gpe_tc.any() and not d1_gpe.any()     # the indirect pathway only
    ampa = next(t for t in by_receptor(model.edges) if t.receptor == "ampa")
    to_striatum = (system[ampa.post] == "striatum") & (system[ampa.pre] == "cortex")
    assert set(cells.layer[ampa.pre[to_striatum]]) == {"L2/3", "L5A", "L5B"}


def test_loop_rules_delays_and_sides(loop_model):
    config, model = loop_model
    _check_rules(model)
    cells, system = model.cells, model.system_of_cells()
    assert set(system) == {"cortex", "thalamus", "pons", "cerebellum"}
    assert model.n_cortex == int(np.sum(system == "cortex"))
    ampa = next(t for t in by_receptor(model.edges) if t.receptor == "ampa")
    mossy = (cells.type[ampa.post] == "GrC") & (system[ampa.pre] == "pons")
    assert mossy.any()
    # pontine cells (left, with the cortex) reach the contralateral cerebellum, whose nuclei
    # reach the thalamus on the cortex's side
    assert set(cells.hemisphere[ampa.pre[mossy]]) == {"left"}
    assert set(cells.hemisphere[ampa.post[mossy]]) == {"right"}
    dcn_tc = (cells.type[ampa.pre] == "DCN") & (cells.type[ampa.post] == "TC")
    assert set(cells.hemisphere[ampa.post[dcn_tc]]) == {"left"}
    # each granule cell has at most 4 mossy inputs (4 dendrites), most exactly 4
    per_grc = np.bincount(ampa.post[mossy] - ampa.post[mossy].min())
    assert per_grc.max() == 4
    # thalamo-cortical inputs replace part of the cortical background
    assert np.all(model.background_factor[:model.n_cortex] < 1.0)
    assert np.all(model.background_factor[model.n_cortex:] == 1.0)


def test_region_options_are_checked():
    with pytest.raises(BrainmodelError, match="unknown region module hippocampus"):
        configure(nuclei=("hippocampus",)).validate()
    with pytest.raises(BrainmodelError, match="not among the added regions"):
        configure(region_density=(("pons", 0.1),)).validate()
    with pytest.raises(BrainmodelError, match="must be in"):
        configure("motor-loop", region_density=(("pons", 2.0),)).validate()


class _ClassesOnly:
    """The one field of NucleusCells that ``nuclei.constants`` reads, and its length."""
    def __init__(self, names):
        self.cell_class = np.array(names, dtype=object)

    def __len__(self):
        return len(self.cell_class)


@pytest.mark.parametrize("k", [0.05, 0.2, 1.0])
def test_fluctuation_driven_nuclei_keep_the_target_mean_and_the_background_variance(k):
    """Fluctuation-driven classes: at every in-degree fraction the bias plus the background's
    mean current is the class's target, and the background's conductance variance (sources x
    rate x w^2) is that of full scale. Bias-driven classes keep their bias mean and the
    background's mean (weight x in-degree)."""
    from regions import pallidum, pons, striatum, thalamus
    from brainmodel.model.parameters import background_sources
    cortex = default_spec()
    sources = background_sources(cortex, k)
    fluctuation_driven = set()
    for spec in (striatum.SPEC, pallidum.SPEC, pons.SPEC, cerebellum.SPEC, thalamus.SPEC):
        cells = _ClassesOnly([c.name for c in spec.cell_classes])
        out = subcortical.constants(spec, cells, cortex, sources)
        full = subcortical.constants(spec, cells, cortex, cortex.background_sources)
        for i, cell_class in enumerate(spec.cell_classes):
            w = out["w_background"][i]
            assert out["bias_sd"][i] == cell_class.bias_sd
            if cell_class.target_mean_input is None:
                assert out["bias_mean"][i] == cell_class.bias_mean
                assert w * sources == pytest.approx(
                    cell_class.background_weight * cell_class.background_indegree)
                continue
            fluctuation_driven.add(f"{spec.name} {cell_class.name}")
            mean = out["bias_mean"][i] + subcortical.background_mean_current(cortex, sources, w)
            assert mean == pytest.approx(cell_class.target_mean_input, abs=1e-12)
            assert sources * w ** 2 == pytest.approx(
                cortex.background_sources * full["w_background"][i] ** 2, rel=1e-12)
    assert fluctuation_driven == {"striatum D1", "striatum D2", "striatum FSI", "pallidum GPe",
                                  "pons E", "cerebellum PC", "cerebellum MLI", "cerebellum DCN"}
