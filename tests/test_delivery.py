"""Compact spike delivery (brainmodel.simulation.delivery) against Brian2 Synapses, the compact
edge tables (brainmodel.model.edges) and the process-tree memory sampler."""
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import brainmodel as bm
from brainmodel.errors import BrainmodelError
from brainmodel.model import edges
from brainmodel.simulation import delivery, memory
from brainmodel.simulation.runner import simulate_model
from regions.cortex import E_TO_LTS_FACILITATION, default_pathways, default_spec


def _spikes(model, config, tmp_path, name):
    sim = simulate_model(model, config, tmp_path / name, 0.0, progress=lambda m: None)
    ids, times = sim.spikes[0]
    return ids, times, sim.device.timings


@pytest.mark.parametrize("background_hz,facilitating", [(None, False), (3.0, False),
                                                         (None, True)])
def test_compact_delivery_gives_the_spikes_of_brian2_synapses(tmp_path, data_dir,
                                                            background_hz, facilitating):
    """Same network, seed and stimulus through both engines: the same spikes, bit for bit.
    None: m1-gamma's background (event mode, drawn in the compact engine's calendar); 3x its
    rate: above background.EVENT_MODE_BELOW events per step (inverted per step by the Brian2
    function in both). facilitating: the E->LTS synapses facilitate (per source at emission
    in the compact engine, per synapse at arrival in Brian2)."""
    spec = dataclasses.replace(default_spec(), pathways=default_pathways(
        facilitation={("E", "LTS"): E_TO_LTS_FACILITATION} if facilitating else {}))
    if background_hz is not None:
        spec = dataclasses.replace(spec, background_rate_hz=spec.background_rate_hz
                                   * background_hz, background_weight={
                                       k: v / background_hz
                                       for k, v in spec.background_weight.items()})
    runs = {}
    for engine in ("compact", "synapses"):
        config = bm.configure("m1-gamma", density=0.02, duration_ms=400.0, delivery=engine,
                              data_dir=data_dir, analysis_start_ms=100.0,
                              stimulus={"onset_ms": 100.0})
        model = bm.build(config, spec=spec, progress=lambda m: None)
        runs[engine] = _spikes(model, config, tmp_path, engine)
    (ids_a, t_a, timings_a), (ids_b, t_b, _) = runs["compact"], runs["synapses"]
    assert len(ids_a) > 1000
    np.testing.assert_array_equal(ids_a, ids_b)
    np.testing.assert_array_equal(t_a, t_b)
    assert (tmp_path / "compact" / delivery.EDGES_FILE).is_file()
    assert not (tmp_path / "synapses" / delivery.EDGES_FILE).exists()
    assert 0 < timings_a["loop_s"] <= timings_a["run_s"]


def test_compact_delivery_is_refused_where_it_does_not_apply():
    with pytest.raises(BrainmodelError, match="--delivery compact needs"):
        bm.configure("m1-gamma", delivery="compact", device="runtime")
    with pytest.raises(BrainmodelError, match="--delivery must be one of"):
        bm.configure("m1-gamma", delivery="fast")
    assert not bm.configure("m1-gamma", ranks=2).compact_delivery
    assert bm.configure("m1-gamma").compact_delivery


def test_edge_tables_are_compact_and_round_delays_to_steps():
    table = edges.edge_table([0, 1, 2], [2, 0, 1], [0.5, 0.25, 0.5], [0.5, 0.649, 0.651],
                             "ampa", 0.1)
    assert table.pre.dtype == np.int32 and table.post.dtype == np.int32
    assert table.weight_code.dtype == np.uint16 and table.delay_steps.dtype == np.uint16
    assert list(table.weight_values) == [0.25, 0.5]
    np.testing.assert_array_equal(table.weight, [0.5, 0.25, 0.5])
    np.testing.assert_array_equal(table.delay_steps, [5, 6, 7])
    other = edges.edge_table([3], [4], 2.0, [1.0], "ampa", 0.1)
    merged = edges.concatenate([table, other], "ampa")
    np.testing.assert_array_equal(merged.weight, [0.5, 0.25, 0.5, 2.0])
    np.testing.assert_array_equal(merged.pre, [0, 1, 2, 3])
    assert len(merged.select(merged.pre >= 2)) == 2
    with pytest.raises(BrainmodelError, match="longer than"):
        edges.edge_table([0], [1], 1.0, [7000.0], "ampa", 0.1)
    with pytest.raises(BrainmodelError, match="different time steps"):
        edges.concatenate([table, edges.edge_table([3], [4], 2.0, [1.0], "ampa", 0.05)],
                          "ampa")


def test_distances_are_numpys_norm_bit_for_bit():
    rng = np.random.default_rng(3)
    points = rng.uniform(-2000, 2000, (500, 3))
    pre, post = rng.integers(0, 500, 10_000), rng.integers(0, 500, 10_000)
    expected = np.linalg.norm(points[pre] - points[post], axis=1)
    np.testing.assert_array_equal(edges.distances(points, pre, post), expected)
    np.testing.assert_array_equal(
        edges.distances(edges.coordinate_columns(points), pre, post, squared=True),
        np.sum((points[pre] - points[post]) ** 2, axis=1))


def test_edges_file_holds_every_synapse(tmp_path):
    table = edges.edge_table(np.arange(10), np.arange(10)[::-1], 0.5, np.full(10, 1.0), "ampa",
                             0.1, facilitation=(0.25, 500.0))
    inhibitory = edges.edge_table([1, 2], [3, 4], [0.1, 0.2], [2.0, 3.0], "gaba", 0.1)
    n = delivery.write_edges(tmp_path / "edges.bin", [table, inhibitory], ["ampa", "gaba"], 10)
    assert n == 12
    raw = np.fromfile(tmp_path / "edges.bin", dtype=np.uint8)
    # header 4 x 8, 3 weights x (8 + 4 + 2 x 8), per table 2 x 8 + 12 per synapse
    assert len(raw) == 32 + 3 * 28 + 2 * 16 + 12 * 12
    header = np.frombuffer(raw[:32].tobytes(), np.int64)
    assert list(header) == [delivery.MAGIC, 10, 2, 3]
    # per weight: U, then tau_F in s (U 0: static)
    start = 32 + 3 * 12
    facilitation = np.frombuffer(raw[start:start + 48].tobytes(), np.float64)
    np.testing.assert_array_equal(facilitation, [0.25, 0.0, 0.0, 0.5, 0.0, 0.0])


def test_tree_memory_adds_the_children_to_python():
    """A child holding 300 MB while its parent holds 200 MB: the tree's peak is their sum,
    which neither process's own peak shows (measured in a fresh process, so that this test
    process's own history does not count)."""
    script = f"""
import json, os, subprocess, sys
import numpy as np
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from brainmodel.simulation import memory
held = np.ones(200 * 2**20 // 8)
child = "import numpy as np, time; a = np.ones(300 * 2**20 // 8); time.sleep(2.5)"
with memory.TreeMemory(period_s=0.05) as sampler:
    subprocess.run([sys.executable, "-c", child], check=True)
# this process alone, now (its ru_maxrss would include the pytest process it was forked from)
own = memory.tree_rss_mb(os.getpid())
print(json.dumps({{"tree": sampler.peak_mb, "own": own, "held": held.sum()}}))
"""
    out = json.loads(subprocess.run([sys.executable, "-c", script], check=True,
                                    capture_output=True, text=True).stdout)
    assert out["tree"] >= 480, out
    assert 200 <= out["own"] < 400 and out["tree"] > out["own"] + 250, out
