"""Mean- and variance-preserving down-scaling (brainmodel.model.scaling), checked analytically
from the built tables: no simulation. At two in-degree fractions of the same network density,
every cortical population's input conductance has the same mean (synapses + background +
compensating conductance) and the same variance (synapses + background), at the assumed rates.
Above the reference in-degree the input current's mean and variance and the synapses'
effective coupling are the same (the background carries the variance the synapses lose).
"""
import numpy as np
import pytest

from brainmodel.api import build, configure
from brainmodel.errors import BrainmodelError
from brainmodel.model import parameters, scaling


def _population_moments(model, k):
    cells = model.cells
    synaptic = parameters.synaptic_input_moments(model)
    background = parameters.background_input_moments(model, k)
    compensation = parameters.compensating_conductances(model, k)
    mean = {"ampa": synaptic["ampa"][0] + background[0] + compensation["ampa"],
            "gaba": synaptic["gaba"][0] + compensation["gaba"]}
    variance = {"ampa": synaptic["ampa"][1] + background[1], "gaba": synaptic["gaba"][1]}
    synapses = {r: np.zeros(len(cells)) for r in scaling.RECEPTORS}
    for table in model.edges:
        synapses[table.receptor] += np.bincount(table.post, minlength=len(cells))
    out = {}
    for layer, cell_type in cells.populations:
        members = (cells.layer == layer) & (cells.type == cell_type)
        if members.sum() < 200:
            continue
        out[(layer, cell_type)] = {f"{kind}_{r}": float(values[r][members].mean())
                                   for kind, values in (("mean", mean), ("var", variance))
                                   for r in scaling.RECEPTORS}
        out[(layer, cell_type)]["synapses"] = {r: float(synapses[r][members].sum())
                                               for r in scaling.RECEPTORS}
    return out


@pytest.fixture(scope="module")
def two_fractions(data_dir):
    models = {}
    for k in (0.02, 0.08):
        config = configure("m1-gamma", density=0.08, indegree=k, data_dir=data_dir)
        models[k] = (_population_moments(build(config, progress=lambda m: None), k), config)
    return models


def test_mean_and_variance_of_every_population_input_do_not_depend_on_k(two_fractions):
    low, high = two_fractions[0.02][0], two_fractions[0.08][0]
    assert set(low) == set(high) and len(low) >= 10
    for population in low:
        synapses = low[population].pop("synapses")
        high[population].pop("synapses")
        for key, value in low[population].items():
            other = high[population][key]
            if max(value, other) == 0:
                continue
            # in-degrees are random: a population's summed input has a relative sampling error
            # of about 1 / sqrt(its synapses) (and the background none); allow 4 of those
            receptor = key.split("_")[1]
            tolerance = max(0.02, 4.0 / np.sqrt(max(synapses[receptor], 1.0)))
            assert other == pytest.approx(value, rel=tolerance), (population, key, value, other)


def test_the_compensation_carries_the_mean_the_scaled_synapses_lack(two_fractions, data_dir):
    # at k the synapses carry sqrt(k) of the full mean: the compensating conductance is
    # (1 / sqrt(k) - 1) times their mean, averaged over the population
    config = two_fractions[0.02][1]
    model = build(config, progress=lambda m: None)
    k = config.indegree_fraction
    synaptic = parameters.synaptic_input_moments(model)["gaba"][0]
    compensation = parameters.compensating_conductances(model, k)["gaba"]
    cells = model.cells
    members = (cells.layer == "L2/3") & (cells.type == "E")
    assert compensation[members].mean() == pytest.approx(
        (1 / np.sqrt(k) - 1) * synaptic[members].mean(), rel=1e-9)
    assert np.ptp(compensation[members]) == 0          # one value per population


def test_old_one_over_k_rule_would_inflate_the_variance():
    # the identity behind the test above, and what the 1/k rule did instead
    k, w, n_full = 0.05, 0.001, 1000
    assert (k * n_full) * (w * scaling.weight_factor(k)) ** 2 == pytest.approx(n_full * w ** 2)
    assert (k * n_full) * (w / k) ** 2 == pytest.approx(n_full * w ** 2 / k)
    assert scaling.mean_fraction(k) == pytest.approx(np.sqrt(k))


def test_above_the_reference_the_effective_coupling_is_the_references():
    # weights sqrt(k_ref) / k: k w (the effective coupling), the mean the synapses carry and
    # the background's sources stay at k_ref's; the variance they carry falls as k_ref / k
    ref = 0.2
    for k in (0.25, 0.3, 0.5, 1.0):
        assert k * scaling.weight_factor(k, ref) == pytest.approx(ref * scaling.weight_factor(ref))
        assert scaling.mean_fraction(k, ref) == pytest.approx(np.sqrt(ref))
        assert scaling.variance_fraction(k, ref) == pytest.approx(ref / k)
        assert scaling.background_fraction(k, ref) == ref
    for k in (0.05, 0.2):    # up to the reference: the plain rule
        assert scaling.weight_factor(k, ref) == pytest.approx(1 / np.sqrt(k))
        assert scaling.variance_fraction(k, ref) == pytest.approx(1.0)
        assert scaling.background_fraction(k, ref) == k
    # the top-up restores the variance: V_bg f^2 + V_syn = V_bg + V_syn / variance_fraction
    v_syn, v_bg = np.array([0.3, 0.0]), np.array([2.0, 1.0])
    factor = scaling.background_topup(v_syn, v_bg, 0.4, ref)
    assert v_bg * factor ** 2 + v_syn == pytest.approx(v_bg + v_syn * 0.4 / ref)
    assert factor[1] == 1.0


def _current_moments(model, k):
    """Per cortical population: mean and variance of the input current at the reference
    potential (synapses + background + compensation), and the scaled synapses' mean alone."""
    spec, cells = model.spec, model.cells
    drive = {r: spec.constants_mv_ms[f"E_{r}"] - spec.reference_potential_mv
             for r in scaling.RECEPTORS}
    synaptic = parameters.synaptic_input_moments(model)
    background = parameters.background_input_moments(model, k)
    compensation = parameters.compensating_conductances(model, k)
    mean = (background[0] * drive["ampa"]
            + sum((synaptic[r][0] + compensation[r]) * drive[r] for r in scaling.RECEPTORS))
    variance = background[1] * drive["ampa"] ** 2 + sum(
        synaptic[r][1] * drive[r] ** 2 for r in scaling.RECEPTORS)
    coupling = sum(synaptic[r][0] * abs(drive[r]) for r in scaling.RECEPTORS)
    kept = (model.background_factor if model.background_factor is not None
            else np.ones(len(cells)))
    out = {}
    for layer, cell_type in cells.populations:
        members = (cells.layer == layer) & (cells.type == cell_type)
        if members.sum() >= 200:
            out[(layer, cell_type)] = (mean[members].mean(), variance[members].mean(),
                                       coupling[members].mean(), kept[members].mean(),
                                       int(members.sum()))
    return out


@pytest.mark.parametrize("regions", [("MOp",), ("MOp", "MOs")])
def test_above_the_reference_mean_variance_and_coupling_do_not_depend_on_k(regions, data_dir):
    # a spec whose reference in-degree is 0.02: at 0.02 and 0.04 every population's input
    # current has the same mean and variance, and its synapses the same effective coupling;
    # with two areas the long-range synapses take their variance from the background
    # (projections.cortical.background_weight_factors) and the top-up gives back what they lose
    from dataclasses import replace
    from regions.cortex import default_spec
    spec = replace(default_spec(), gain_reference_indegree=0.02)
    moments = {}
    for k in (0.02, 0.04):
        config = configure("m1-gamma", regions=regions, density=0.04, indegree=k,
                           topography=False, data_dir=data_dir)
        moments[k] = _current_moments(build(config, spec=spec, progress=lambda m: None), k)
    low, high = moments[0.02], moments[0.04]
    assert set(low) == set(high) and len(low) >= 10
    for population, values in low.items():
        # sampling error of the in-degrees: about 1 / sqrt(synapses); the cells' count bounds it
        tolerance = max(0.02, 4.0 / np.sqrt(values[4] * 10))
        for name, a, b in zip(("mean", "variance", "coupling"), values[:3], high[population][:3]):
            assert b == pytest.approx(a, rel=tolerance), (population, name, a, b)
        # the background keeps what the long-range synapses do not carry at full scale: the
        # same share at every k (0.1-0.8 % more at 2 k_ref if their variance were not divided
        # by scaling.variance_fraction)
        assert high[population][3] == pytest.approx(values[3], rel=2e-3), population


def test_bad_fraction_is_refused():
    with pytest.raises(BrainmodelError, match="in-degree fraction"):
        scaling.weight_factor(0.0)


def test_moments_use_the_postsynaptic_cells_ampa_decay():
    # Campbell's theorem per target: mean r w tau, variance r w^2 tau / 2 with the decay of the
    # cell that receives the input (FS cells' AMPA decays faster, regions.cortex.AMPA_DECAY_MS)
    from brainmodel.model.edges import edge_table
    table = edge_table(np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([0.5, 0.25, 0.125]),
                       np.full(3, 1.0), "ampa", 0.1)
    rates = np.array([4.0, 2.0, 0.0])
    tau = np.array([5.0, 5.0, 2.5])
    moments = scaling.synaptic_moments([table], rates, {"ampa": tau, "gaba": 6.0}, 3)
    mean, variance = moments["ampa"]
    w = table.weight
    assert mean == pytest.approx([0.0, 4.0 * w[0] * 0.005,
                                  (4.0 * w[1] + 2.0 * w[2]) * 0.0025])
    assert variance == pytest.approx([0.0, 4.0 * w[0] ** 2 * 0.005 / 2,
                                      (4.0 * w[1] ** 2 + 2.0 * w[2] ** 2) * 0.0025 / 2])


def test_ampa_decay_per_cell_follows_the_spec(data_dir):
    config = configure("m1-gamma", density=0.02, indegree=0.02, data_dir=data_dir)
    model = build(config, progress=lambda m: None)
    tau = parameters.ampa_decay_ms(model)
    fs = model.cells.type == "FS"
    assert fs.any() and np.all(tau[fs] == model.spec.ampa_decay_ms["FS"])
    assert np.all(tau[~fs] == model.spec.constants_mv_ms["tau_ampa"])
