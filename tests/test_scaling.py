"""Mean- and variance-preserving down-scaling (brainmodel.model.scaling), checked analytically
from the built tables: no simulation. At two in-degree fractions of the same network density,
every cortical population's input conductance has the same mean (synapses + background +
compensating conductance) and the same variance (synapses + background), at the assumed rates.
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
