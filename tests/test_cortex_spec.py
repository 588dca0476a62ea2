"""The cortex spec's layer-specific rules and the builder's per-cell constants (no data needed)."""
from types import SimpleNamespace

import numpy as np
import pytest

from brainmodel.model import parameters
from regions import cortex


def _pathway(spec, pre, post):
    found = [p for p in spec.pathways if p.pre == pre and p.post == post]
    assert len(found) == 1, (pre, post)
    return found[0]


def test_descending_excitation_multiplies_only_descending_e_to_e_weights():
    spec = cortex.default_spec()
    base = cortex.WEIGHT_FULL[("E", "E")]
    factor = cortex.DESCENDING_EXCITATION_FACTOR
    for pre, post in [(("L2/3", "E"), ("L5A", "E")), (("L2/3", "E"), ("L6", "E")),
                      (("L5B", "E"), ("L6", "E"))]:
        assert _pathway(spec, pre, post).weight_full == pytest.approx(base * factor)
    for pre, post in [(("L2/3", "E"), ("L2/3", "E")), (("L5A", "E"), ("L5B", "E")),
                      (("L6", "E"), ("L2/3", "E"))]:
        assert _pathway(spec, pre, post).weight_full == pytest.approx(base)


def test_deep_e_to_fs_is_weakened_and_inhibition_is_untouched():
    spec = cortex.default_spec()
    e_fs = cortex.WEIGHT_FULL[("E", "FS")]
    assert _pathway(spec, ("L6", "E"), ("L5A", "FS")).weight_full == pytest.approx(
        e_fs * cortex.DEEP_E_TO_FS_FACTOR)
    assert _pathway(spec, ("L2/3", "E"), ("L5B", "FS")).weight_full == pytest.approx(e_fs)
    assert _pathway(spec, ("L5A", "FS"), ("L5A", "E")).weight_full == pytest.approx(
        cortex.WEIGHT_FULL[("FS", "E")])


class _Cells(SimpleNamespace):
    def __len__(self):
        return len(self.type)


def _tiny_model(n_per_population=4000):
    spec = cortex.default_spec()
    layers, types = zip(*[pop for pop in spec.populations for _ in range(n_per_population)])
    region = np.where(np.arange(len(layers)) % 2 == 0, "A", "B").astype(object)  # two areas
    cells = _Cells(layer=np.array(layers, dtype=object), type=np.array(types, dtype=object),
                   region=region)
    return SimpleNamespace(spec=spec, cells=cells, n_cortex=None, nucleus_constants=None,
                           background_factor=None)


def test_bias_currents_have_the_type_sd_and_are_deterministic():
    model = _tiny_model()
    bias = parameters.bias_currents(model, seed=11)
    assert np.array_equal(bias, parameters.bias_currents(model, seed=11))
    assert not np.array_equal(bias, parameters.bias_currents(model, seed=12))
    for cell_type, sd in cortex.BIAS_SD.items():
        values = bias[model.cells.type == cell_type]
        # 20,000 draws: the sample SD is within 3 % and the mean within 4 SE of zero.
        assert np.std(values) == pytest.approx(sd, rel=0.03)
        assert abs(np.mean(values)) < 4 * sd / np.sqrt(len(values))


def test_background_factor_applies_to_its_layer_and_type_only():
    # at the reference in-degree (no variance top-up): the full-scale weight x sqrt(1 / k)
    model = _tiny_model(n_per_population=2)
    spec = model.spec
    k = spec.gain_reference_indegree
    weights = parameters.cell_constants(model, indegree_fraction=k)["w_background"]
    assert parameters.background_sources(spec, k) == round(spec.background_sources * k)
    for index, (layer, cell_type) in enumerate(zip(model.cells.layer, model.cells.type)):
        expected = (spec.background_weight[cell_type] * spec.background_indegree[layer]
                    / spec.background_sources * spec.background_factor.get((layer, cell_type), 1.0))
        assert weights[index] == pytest.approx(expected / np.sqrt(k))


def test_pathway_sigma_keeps_the_column_in_degree():
    spec = cortex.default_spec()
    e_fs = _pathway(spec, ("L2/3", "E"), ("L2/3", "FS"))
    e_e = _pathway(spec, ("L2/3", "E"), ("L2/3", "E"))
    assert e_fs.sigma_um == 150.0 and e_e.sigma_um == cortex.SIGMA_UM
    # p_max x column average of the Gaussian = Potjans' C_a (L2/3 E -> L2/3 I 0.1346, E -> E 0.1009)
    assert e_fs.p_max * cortex.column_average(150.0) == pytest.approx(0.1346)
    assert e_e.p_max * cortex.column_average(cortex.SIGMA_UM) == pytest.approx(0.1009)
    assert all(p.p_max <= 1.0 for p in spec.pathways)


def test_balancing_brings_each_area_population_to_its_type_target_plus_layer_offset():
    model = _tiny_model(n_per_population=50)
    spec, cells, n = model.spec, model.cells, len(model.cells)
    rng = np.random.default_rng(3)
    means = {key: rng.uniform(0.0, 0.05, n) for key in ("ampa", "gaba", "background")}
    compensation = {key: rng.uniform(0.0, 0.01, n) for key in ("ampa", "gaba")}
    assert spec.target_offset_by_layer                    # the default spec has offsets
    means["background"][cells.region == "B"] *= 2.0      # area B gets more input ...
    current = parameters.mean_input_current(model, means, compensation,
                                            spec.reference_potential_mv)
    total = current + parameters.balancing_currents(model, means, compensation)
    for layer, cell_type in spec.populations:
        expected = (spec.target_mean_input[cell_type]
                    + spec.target_offset_by_layer.get((layer, cell_type), 0.0))
        assert parameters.target_mean_input(spec, layer, cell_type) == expected
        for area in ("A", "B"):       # ... and is balanced per area, not pooled with A
            members = (cells.layer == layer) & (cells.type == cell_type) & (cells.region == area)
            assert total[members].mean() == pytest.approx(expected, abs=1e-9), (area, layer)
