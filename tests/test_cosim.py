"""Brain-body co-simulation: the spike <-> muscle protocol, the MuJoCo forelimb, bad bodies, and a
short co-simulation of a brain rank and the body rank under mpirun."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from brainmodel import configure
from brainmodel import sonata
from brainmodel.errors import BrainmodelError
from cosim import body, protocol
import brainmodel as bm

ROOT = Path(__file__).resolve().parents[1]
MAPPING = protocol.MotorMapping()
N_MUSCLES = len(protocol.MUSCLES)


def test_motor_counts_go_to_the_muscle_of_each_cell_and_strangers_are_refused():
    gid = np.array([3, 7, 11, 20])
    muscle = np.array([0, 2, 2, 1])
    counts = protocol.motor_counts([7, 11, 11, 20, 3, 7], gid, muscle, 3)
    assert counts.tolist() == [1, 1, 4]
    assert protocol.motor_counts([], gid, muscle, 3).tolist() == [0, 0, 0]
    with pytest.raises(protocol.ProtocolError, match="drive no muscle"):
        protocol.motor_counts([3, 8], gid, muscle, 3)


def test_filtered_rate_converges_to_the_population_rate_and_excitation_saturates():
    cells = np.array([100, 50])
    counts = np.array([2, 0])                       # 2 spikes / 100 cells / 1 ms = 20 Hz
    rate = np.zeros(2)
    first = protocol.filtered_rates(rate, counts, cells, 1.0, MAPPING)
    assert first[0] == pytest.approx(20.0 * (1 - np.exp(-1.0 / MAPPING.filter_ms)))
    for _ in range(500):                            # 25 time constants
        rate = protocol.filtered_rates(rate, counts, cells, 1.0, MAPPING)
    assert rate == pytest.approx([20.0, 0.0], abs=1e-6)
    u = protocol.excitation(np.array([0.0, MAPPING.half_rate_hz, 1e6, -5.0]), MAPPING)
    assert u[0] == 0.0 and u[1] == pytest.approx(0.5) and 0.99 < u[2] < 1.0 and u[3] == 0.0
    assert np.all(np.diff(protocol.excitation(np.linspace(0, 200, 50), MAPPING)) > 0)
    with pytest.raises(protocol.ProtocolError, match="one entry per muscle"):
        protocol.filtered_rates(np.zeros(3), counts, cells, 1.0, MAPPING)
    with pytest.raises(protocol.ProtocolError):
        protocol.MotorMapping(filter_ms=0.0)


def test_spindle_rates_follow_length_and_velocity():
    enc = protocol.SpindleEncoding()
    ia, ii = protocol.spindle_rates(np.zeros(2), np.zeros(2), enc)
    assert ia.tolist() == [enc.ia_base_hz] * 2 and ii.tolist() == [enc.ii_base_hz] * 2
    ia, ii = protocol.spindle_rates(np.array([0.1, 0.0, 0.0]), np.array([0.0, 1.0, -1.0]), enc)
    assert ia[0] == pytest.approx(enc.ia_base_hz + 0.1 * enc.ia_length_gain_hz)
    assert ii[0] == pytest.approx(enc.ii_base_hz + 0.1 * enc.ii_length_gain_hz)
    assert ia[1] == pytest.approx(enc.ia_base_hz + enc.ia_velocity_gain_hz)     # 1 L/s
    assert ia[2] == 0.0                              # shortening fast: clipped at 0
    assert ii[1] == ii[2] == enc.ii_base_hz          # group II: no velocity term
    ia, _ = protocol.spindle_rates(np.array([10.0]), np.array([0.0]), enc)
    assert ia[0] == enc.max_rate_hz
    with pytest.raises(protocol.ProtocolError, match="differ"):
        protocol.spindle_rates(np.zeros(2), np.zeros(3), enc)


def test_afferent_spikes_have_the_encoded_rates_and_are_reproducible():
    rates = protocol.fibre_rates(np.array([20.0, 100.0]), np.array([0.0, 50.0]))
    assert len(rates) == 2 * protocol.FIBRES_PER_MUSCLE
    assert protocol.fibre_muscle(2).tolist() == [0] * 20 + [1] * 20
    n_steps, dt = 200_000, 0.1                       # 20 s
    fibre, step = protocol.afferent_spikes(rates, 1000, n_steps, dt, np.random.default_rng(1))
    assert step.min() >= 1000 and step.max() < 1000 + n_steps
    counts = np.bincount(fibre, minlength=len(rates))
    expected = rates * n_steps * dt / 1000.0
    assert np.all(counts[rates == 0] == 0)
    live = rates > 0
    assert np.all(np.abs(counts[live] - expected[live]) < 5 * np.sqrt(expected[live]))
    again = protocol.afferent_spikes(rates, 1000, n_steps, dt, np.random.default_rng(1))
    assert np.array_equal(again[0], fibre) and np.array_equal(again[1], step)
    with pytest.raises(protocol.ProtocolError, match="1/dt"):
        protocol.afferent_spikes(np.array([2e4]), 0, 10, 0.1, np.random.default_rng(1))


def test_forelimb_rests_without_excitation_and_each_muscle_moves_its_joint():
    limb = body.Forelimb()
    limb.settle(200.0)
    rest = limb.joint_angles_deg()
    limb.step(np.zeros(N_MUSCLES), 2000)
    assert np.abs(limb.joint_angles_deg() - rest).max() < 1e-3
    stretch, velocity = limb.sense()
    assert np.abs(stretch).max() < 1e-6 and np.abs(velocity).max() < 1e-3
    # (muscle, joint, sign of the joint's change): flexors flex, extensors extend
    actions = [("biceps", "elbow_flexion", 1), ("triceps", "elbow_flexion", -1),
               ("latissimus", "shoulder_flexion", -1), ("deltoid", "shoulder_abduction", 1),
               ("flexor_carpi", "wrist_flexion", 1), ("extensor_carpi", "wrist_flexion", -1)]
    for muscle, joint, sign in actions:
        limb = body.Forelimb()
        limb.settle(200.0)
        before = limb.joint_angles_deg()
        u = np.zeros(N_MUSCLES)
        u[protocol.MUSCLES.index(muscle)] = 0.3
        limb.step(u, 2000)                           # 200 ms
        change = (limb.joint_angles_deg() - before)[protocol.JOINTS.index(joint)]
        assert sign * change > 5.0, (muscle, joint, change)
        stretch, _ = limb.sense()
        assert stretch[protocol.MUSCLES.index(muscle)] < -0.005     # the muscle shortened


def test_bad_bodies_are_refused_with_the_reason(tmp_path):
    with pytest.raises(BrainmodelError, match="not found"):
        body.load_model(tmp_path / "missing.xml")
    broken = tmp_path / "broken.xml"
    broken.write_text("<mujoco><worldbody><body></mujoco>")
    with pytest.raises(BrainmodelError, match="not a valid MuJoCo model"):
        body.load_model(broken)
    text = body.DEFAULT_MJCF.read_text()
    renamed = tmp_path / "renamed.xml"
    renamed.write_text(text.replace('<muscle name="biceps"', '<muscle name="biceps_brachii"'))
    with pytest.raises(BrainmodelError, match="missing biceps; not in the mapping: "
                                              "biceps_brachii"):
        body.load_model(renamed)
    motor = tmp_path / "motor.xml"
    motor.write_text(text.replace('<muscle name="triceps" tendon="triceps" force="1.5"/>',
                                  '<motor name="triceps" tendon="triceps"/>'))
    with pytest.raises(BrainmodelError, match="not <muscle> actuators: triceps"):
        body.load_model(motor)


def test_cli_refuses_a_bad_mjcf_and_leaves_no_output(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("not xml at all")
    for mjcf, message in ((tmp_path / "none.xml", "not found"),
                          (broken, "not a valid MuJoCo model")):
        out = tmp_path / "out"
        proc = subprocess.run([sys.executable, str(ROOT / "run.py"), "--experiment",
                               "cosim-forelimb", "--mjcf", str(mjcf), "--output", str(out)],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr
        assert not out.exists()


SMALL = dict(density=0.03, duration_ms=500.0, analysis_start_ms=100.0)


def _cosim(folder, data_dir, **overrides):
    config = configure("cosim-forelimb", **SMALL, stimulus={"onset_ms": 200.0}, output=folder,
                       data_dir=data_dir, **overrides)
    return bm.run(config, progress=lambda m: None).output


@pytest.fixture(scope="module")
def one_brain_rank(tmp_path_factory, data_dir):
    return _cosim(tmp_path_factory.mktemp("cosim") / "one", data_dir)


def _spikes(path):
    return sonata.read_spikes(path)


@pytest.mark.standalone
def test_brain_and_body_ranks_cosimulate_under_mpirun(one_brain_rank):
    """One brain rank and the body rank: with drive the limb moves, with the output cut it rests,
    feedback raises the SSp-ul L4 rate; outputs and timings are written."""
    out = one_brain_rank
    summary = json.loads((out / "summary.json").read_text())
    assert summary["checks"] == {"moves_with_brain_drive": True, "at_rest_when_output_cut": True,
                                 "feedback_changes_sensory_rate": True}, summary["runs"]
    per_muscle = list(summary["pt_cells_per_muscle"].values())
    assert len(per_muscle) == N_MUSCLES and max(per_muscle) - min(per_muscle) <= 1
    runs = summary["runs"]
    assert runs["cut"]["max_joint_range_deg"] < 0.5 < 3.0 < runs["cosim"]["max_joint_range_deg"]
    assert runs["no-feedback"]["afferent_spikes_sent"] == 0 < runs["cosim"]["afferent_spikes_sent"]
    # every PT spike reaches the body and counts for its muscle: the body's counts per muscle
    # equal the brain's recorded spikes of those cells
    ids = sonata.read_spikes(out / "spikes-cosim.h5")[0]
    n_cells = len((out / "cells.csv").read_text().splitlines()) - 1
    n_fibres = N_MUSCLES * protocol.FIBRES_PER_MUSCLE
    with np.load(out / "body_map.npz") as m:
        gid, muscle = m["motor_gid"], m["motor_muscle"]
        assert np.array_equal(np.unique(m["afferent_pre"]), n_cells + np.arange(n_fibres))
    assert np.all(np.diff(gid) > 0)
    sent = np.bincount(muscle[np.searchsorted(gid, ids[np.isin(ids, gid)])],
                       minlength=N_MUSCLES)
    n_intervals = int(round(500.0 / summary["interval_ms"]))
    with np.load(out / "body-cosim.npz") as b:
        assert b["angles_deg"].shape == (n_intervals, len(protocol.JOINTS))
        assert b["motor_counts"].sum(axis=0).tolist() == sent.tolist()
        assert sent.sum() > 0
    for name in ("cosim", "cut", "no-feedback"):
        timing = runs[name]["timing"]
        assert 0 < timing["mujoco_share_of_wall"] < 1 and timing["interval_wall_ms_mean"] > 0
    for figure in ("joint_angles", "muscles", "spike_counts", "sensory_rate", "limb_frames",
                   "timing"):
        assert (out / "figures" / f"{figure}.png").stat().st_size > 1000


@pytest.mark.standalone
def test_two_brain_ranks_and_the_body_give_the_one_rank_spikes(one_brain_rank, tmp_path,
                                                                 data_dir):
    """With the brain's output cut the body's feedback does not depend on the exchange interval,
    so MOp and SSp-ul on two brain ranks (plus the body rank) must give exactly the spikes of one
    brain rank. With drive the intervals differ (0.5 vs 1 ms), and so does the motor latency."""
    two = _cosim(tmp_path / "two", data_dir, ranks=2)
    a, b = _spikes(one_brain_rank / "spikes-cut.h5"), _spikes(two / "spikes-cut.h5")
    assert len(a[0]) > 1000
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    summary = json.loads((two / "summary.json").read_text())
    assert summary["checks"]["moves_with_brain_drive"]
    assert summary["checks"]["at_rest_when_output_cut"]
