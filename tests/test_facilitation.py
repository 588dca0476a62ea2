"""Short-term facilitation of synapses (brainmodel.model.edges ``facilitation``; the cortex's
E->LTS pathways): the rule, its expectation for Poisson trains, its place in the input moments,
and Brian2 ``Synapses`` against the rule. The compact C++ engine is held to the Brian2 path by
tests/test_delivery.py (the same spikes, with m1-gamma's E->LTS synapses facilitating)."""
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from brainmodel.api import build, configure
from brainmodel.errors import BrainmodelError
from brainmodel.model import edges, scaling
from regions.cortex import (E_TO_LTS_FACILITATION, E_TO_LTS_MEASURED, FACILITATION,
                            default_pathways, default_spec)

FACILITATING = (0.09, 670.0)


def test_the_factor_follows_the_tsodyks_markram_rule():
    use, tau = FACILITATING
    # an isolated spike carries its weight; a regular train converges to
    # u = U / (1 - (1 - U) exp(-T / tau)); a long pause brings the factor back to 1
    regular = edges.facilitation_factor(np.arange(200) * 1000, 0.1, FACILITATING)  # 10 Hz
    assert regular[0] == 1.0
    assert np.all(np.diff(regular[:20]) > 0) and np.all(np.diff(regular) >= 0)
    steady = 1.0 / (1.0 - (1.0 - use) * np.exp(-100.0 / tau))
    assert regular[-1] == pytest.approx(steady, rel=1e-9)
    burst = edges.facilitation_factor(np.array([0, 50, 100, 150, 200, 200 + 10**6]), 0.1,
                                      FACILITATING)
    u = use
    for _ in range(4):
        u = u * np.exp(-5.0 / tau) + use * (1 - u * np.exp(-5.0 / tau))
    assert burst[4] == pytest.approx(u / use, rel=1e-12)
    assert burst[5] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("rate_hz", [0.6, 2.0, 10.0])
def test_mean_factor_is_the_poisson_expectation(rate_hz):
    rng = np.random.default_rng(3)
    intervals = rng.exponential(1000.0 / rate_hz / 0.1, size=20000)
    steps = np.cumsum(np.maximum(np.rint(intervals), 1)).astype(np.int64)
    measured = edges.facilitation_factor(steps, 0.1, FACILITATING).mean()
    assert measured == pytest.approx(edges.mean_facilitation(rate_hz, FACILITATING), rel=0.02)
    assert edges.mean_facilitation(rate_hz, None) == 1.0


def test_moments_count_the_expected_facilitation():
    static = edges.edge_table([0, 1], [2, 2], [0.5, 0.25], [1.0, 1.0], "ampa", 0.1)
    facilitating = edges.edge_table([0, 1], [2, 2], [0.5, 0.25], [1.0, 1.0], "ampa", 0.1,
                                    facilitation=FACILITATING)
    rates = np.array([4.0, 1.0, 0.0])
    tau = {"ampa": 5.0, "gaba": 6.0}
    plain = scaling.synaptic_moments([static], rates, tau, 3)["ampa"]
    mean, variance = scaling.synaptic_moments([facilitating], rates, tau, 3)["ampa"]
    gain = edges.mean_facilitation(rates[:2], FACILITATING)
    assert gain[0] > gain[1] > 1.0
    assert mean[2] == pytest.approx((4.0 * 0.5 * gain[0] + 1.0 * 0.25 * gain[1]) * 0.005)
    assert variance[2] == pytest.approx((4.0 * (0.5 * gain[0]) ** 2
                                         + 1.0 * (0.25 * gain[1]) ** 2) * 0.005 / 2)
    assert mean[2] > plain[0][2]


def test_bad_facilitation_and_mixed_tables_are_refused():
    with pytest.raises(BrainmodelError, match="facilitation needs"):
        edges.edge_table([0], [1], 0.5, [1.0], "ampa", 0.1, facilitation=(1.5, 100.0))
    static = edges.edge_table([0], [1], 0.5, [1.0], "ampa", 0.1)
    facilitating = edges.edge_table([1], [0], 0.5, [1.0], "ampa", 0.1, facilitation=FACILITATING)
    with pytest.raises(BrainmodelError, match="static and facilitating"):
        edges.concatenate([static, facilitating], "ampa")
    joined = edges.by_receptor([static, facilitating, static])
    assert [(t.receptor, t.facilitation, len(t)) for t in joined] == [
        ("ampa", None, 2), ("ampa", FACILITATING, 1)]


def test_exactly_the_pathways_a_spec_names_facilitate(data_dir):
    """The default spec facilitates its E->LTS pathways and nothing else (FACILITATION); a
    spec without facilitation builds static tables only, one with the measured
    pyramidal -> bitufted values builds exactly the E->LTS tables with them."""
    config = configure("m1-gamma", density=0.02, data_dir=data_dir)
    assert FACILITATION == {("E", "LTS"): E_TO_LTS_FACILITATION}
    assert E_TO_LTS_MEASURED == FACILITATING
    default = build(config, progress=lambda m: None)
    assert {t.facilitation for t in default.edges} == {None, E_TO_LTS_FACILITATION}
    static = dataclasses.replace(default_spec(), pathways=default_pathways(facilitation={}))
    assert all(t.facilitation is None
               for t in build(config, spec=static, progress=lambda m: None).edges)
    spec = dataclasses.replace(default_spec(), pathways=default_pathways(
        facilitation={("E", "LTS"): E_TO_LTS_MEASURED}))
    model = build(config, spec=spec, progress=lambda m: None)
    cells = model.cells
    kinds = set()
    for table in model.edges:
        if len(table) == 0:
            continue
        pair = (cells.type[table.pre[0]], cells.type[table.post[0]])
        assert np.all(cells.type[table.pre] == pair[0])
        assert np.all(cells.type[table.post] == pair[1])
        assert table.facilitation == (FACILITATING if pair == ("E", "LTS") else None), pair
        kinds.add((pair, table.facilitation))
    assert (("E", "LTS"), FACILITATING) in kinds and (("E", "E"), None) in kinds


_BRIAN2_SCRIPT = """
import json, sys
import brian2 as b2
import numpy as np
sys.path.insert(0, {root!r})
from brainmodel.model import edges
from brainmodel.simulation.network import synapse_model
b2.prefs.codegen.target = "numpy"
b2.defaultclock.dt = 0.1 * b2.ms
steps = np.array({steps})
table = edges.edge_table([0], [0], 0.0123, [1.0], "ampa", 0.1, facilitation=(0.09, 670.0))
source = b2.SpikeGeneratorGroup(1, np.zeros(len(steps), int), steps * 0.1 * b2.ms)
target = b2.NeuronGroup(1, "g_ampa_incoming : 1")
model, on_pre, namespace = synapse_model(table)
synapses = b2.Synapses(source, target, model, on_pre=on_pre, namespace=namespace)
synapses.connect(i=0, j=0)
synapses.w = table.weight_values[0]
synapses.delay = 1.0 * b2.ms
monitor = b2.StateMonitor(target, "g_ampa_incoming", record=0)
b2.run((steps[-1] + 20) * 0.1 * b2.ms)
trace = monitor.g_ampa_incoming[0]
print(json.dumps(np.diff(np.concatenate([[0.0], trace[steps + 11]])).tolist()))
"""


def test_brian2_synapses_add_the_weight_times_the_factor_on_the_grid():
    """A facilitating Brian2 ``Synapses`` (``network.synapse_model``) driven by a known spike
    train adds, per spike, the weight x u / U of the numpy rule, rounded to the weight grid."""
    steps = [10, 60, 110, 600, 5000, 5030]
    script = _BRIAN2_SCRIPT.format(root=str(Path(__file__).resolve().parents[1]), steps=steps)
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                         text=True)
    increments = np.array(json.loads(out.stdout.strip().splitlines()[-1]))
    factor = edges.facilitation_factor(np.array(steps), 0.1, FACILITATING)
    grid = 2.0 ** -32
    expected = np.round(0.0123 * factor / grid) * grid
    np.testing.assert_allclose(increments, expected, rtol=0, atol=1e-15)
    assert increments[2] > 1.5 * increments[0]
