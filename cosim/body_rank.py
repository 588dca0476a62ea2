"""The body rank: MuJoCo forelimb in its own MPI process, in the same job as the brain ranks.

    python -m cosim.body_rank body.json [--no-drive] [--no-feedback] --results DIR

It joins the brain ranks' exchange (``brainmodel/mpi_hook.cpp``): every communication interval one
``MPI_Alltoall`` of counts and one ``MPI_Alltoallv`` of (global id, step) pairs, with buffer-based
mpi4py calls (the pickle-based lowercase calls do not match C's collectives). Interval k:
1. step MuJoCo through interval k with the excitation computed after exchange k-1;
2. encode the muscles' stretch and velocity as spindle afferent spikes stamped with steps of
   interval k (the brain delivers them at step + delay, ``cosim_experiment.AFFERENT_DELAY_MS``);
3. exchange: send the afferent spikes to the brain ranks that hold their targets, receive the PT
   cells' spikes of interval k;
4. count them per muscle, filter, and turn them into the excitation of interval k + 1.
So the motor command reaches the muscles one to two intervals after the spikes, and the body runs
in lock step with the brain. ``--no-drive`` cuts the brain's output (excitation 0: the control);
``--no-feedback`` sends no afferent spikes. Results: ``body.npz`` (per interval: joint angles,
excitation, activation, motor and afferent counts, stretch, stick-figure markers) and
``body_timings.json`` (MuJoCo, encoding and exchange seconds; wall time per interval).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from . import protocol
from .body import Forelimb


def exchange(comm, outgoing: list[np.ndarray]) -> np.ndarray:
    """One round of the brain ranks' collective: ``outgoing[r]`` is the flat int32 (gid, step)
    array for rank r; returns what all ranks sent here, as pairs."""
    counts = np.array([len(o) for o in outgoing], dtype=np.int32)
    received_counts = np.empty(len(outgoing), dtype=np.int32)
    comm.Alltoall(counts, received_counts)
    flat = np.concatenate(outgoing).astype(np.int32) if len(outgoing) else np.empty(0, np.int32)
    received = np.empty(int(received_counts.sum()), dtype=np.int32)
    comm.Alltoallv([flat, counts], [received, received_counts])
    return received.reshape(-1, 2)


def run(spec: dict, tables: dict, drive: bool, feedback: bool, results: Path, comm) -> dict:
    n_brain = int(spec["n_brain_ranks"])
    if comm.Get_size() != n_brain + 1 or comm.Get_rank() != n_brain:
        raise SystemExit(f"cosim body rank: expected to be rank {n_brain} of {n_brain + 1}, "
                         f"started as rank {comm.Get_rank()} of {comm.Get_size()}")
    limb = Forelimb(spec["mjcf"])
    dt_ms, interval = float(spec["dt_ms"]), int(spec["interval_steps"])
    per_step = dt_ms / limb.timestep_ms
    if abs(per_step - round(per_step)) > 1e-9 or round(per_step) < 1:
        raise SystemExit(f"cosim body rank: the brain's dt ({dt_ms} ms) must be a whole multiple "
                         f"of the MJCF timestep ({limb.timestep_ms} ms)")
    physics_steps = int(round(per_step)) * interval
    interval_ms = interval * dt_ms
    limb.settle(float(spec["settle_ms"]))
    mapping, encoding = protocol.MotorMapping(), protocol.SpindleEncoding()
    motor_gid, motor_muscle = tables["motor_gid"], tables["motor_muscle"]
    cells_per_muscle = tables["cells_per_muscle"]
    fibre_gid, fibre_dest = tables["fibre_gid"], tables["fibre_dest_mask"]
    fibre_muscle = protocol.fibre_muscle(len(protocol.MUSCLES))
    rng = np.random.default_rng(int(spec["seed"]))
    n_ex, n_mus = int(spec["n_exchanges"]), len(protocol.MUSCLES)
    record = {"angles_deg": np.zeros((n_ex, len(protocol.JOINTS))),
              "excitation": np.zeros((n_ex, n_mus)), "activation": np.zeros((n_ex, n_mus)),
              "motor_counts": np.zeros((n_ex, n_mus), np.int64),
              "afferent_counts": np.zeros((n_ex, n_mus), np.int64),
              "stretch": np.zeros((n_ex, n_mus)), "markers_mm": np.zeros((n_ex, 4, 3)),
              "interval_wall_s": np.zeros(n_ex)}
    rate_hz = np.zeros(n_mus)
    command = np.zeros(n_mus)
    seconds = {"mujoco_s": 0.0, "encode_s": 0.0, "exchange_s": 0.0}
    start = last = time.perf_counter()
    for k in range(n_ex):
        t0 = time.perf_counter()
        limb.step(command, physics_steps)
        t1 = time.perf_counter()
        stretch, velocity = limb.sense()
        outgoing = [np.empty(0, np.int32) for _ in range(n_brain + 1)]
        if feedback:
            fibre, step = protocol.afferent_spikes(
                protocol.fibre_rates(*protocol.spindle_rates(stretch, velocity, encoding)),
                k * interval, interval, dt_ms, rng)
            record["afferent_counts"][k] = np.bincount(fibre_muscle[fibre], minlength=n_mus)
            for r in range(n_brain):
                mine = ((fibre_dest[fibre] >> np.uint64(r)) & np.uint64(1)) == 1
                outgoing[r] = np.column_stack([fibre_gid[fibre[mine]], step[mine]]).ravel()
        t2 = time.perf_counter()
        received = exchange(comm, outgoing)
        t3 = time.perf_counter()
        counts = protocol.motor_counts(received[:, 0], motor_gid, motor_muscle, n_mus)
        rate_hz = protocol.filtered_rates(rate_hz, counts, cells_per_muscle, interval_ms, mapping)
        command = protocol.excitation(rate_hz, mapping) if drive else np.zeros(n_mus)
        record["angles_deg"][k] = limb.joint_angles_deg()
        record["excitation"][k] = command
        record["activation"][k] = limb.activation()
        record["motor_counts"][k] = counts
        record["stretch"][k] = stretch
        record["markers_mm"][k] = limb.markers_mm()
        record["interval_wall_s"][k] = t3 - last
        last = t3
        seconds["mujoco_s"] += t1 - t0
        seconds["encode_s"] += t2 - t1
        seconds["exchange_s"] += t3 - t2
    total = time.perf_counter() - start
    results.mkdir(parents=True, exist_ok=True)
    np.savez(results / "body.npz", time_ms=(np.arange(n_ex) + 1) * interval_ms,
             muscles=np.array(protocol.MUSCLES), joints=np.array(protocol.JOINTS), **record)
    wall = record["interval_wall_s"]
    timings = {**seconds, "total_s": total, "intervals": n_ex, "interval_ms": interval_ms,
               "physics_steps_per_interval": physics_steps, "drive": drive, "feedback": feedback,
               "interval_wall_ms_mean": float(wall.mean() * 1e3) if n_ex else None,
               "interval_wall_ms_p95": float(np.percentile(wall, 95) * 1e3) if n_ex else None,
               "mujoco_fraction": seconds["mujoco_s"] / total if total else None}
    (results / "body_timings.json").write_text(json.dumps(timings, indent=1))
    return timings


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="cosim.body_rank", description=__doc__.split("\n")[0])
    parser.add_argument("spec", type=Path, help="body.json written by the experiment")
    parser.add_argument("--no-drive", action="store_true", help="cut the brain's output")
    parser.add_argument("--no-feedback", action="store_true", help="send no afferent spikes")
    parser.add_argument("--results", type=Path, required=True)
    args = parser.parse_args(argv)
    from mpi4py import MPI

    spec = json.loads(args.spec.read_text())
    with np.load(args.spec.with_name(spec["tables"])) as f:
        tables = {k: f[k] for k in f.files}
    try:
        run(spec, tables, not args.no_drive, not args.no_feedback, args.results, MPI.COMM_WORLD)
    except BaseException as error:                    # any failure ends the whole job
        print(f"cosim body rank failed: {error}", file=sys.stderr, flush=True)
        MPI.COMM_WORLD.Abort(5)


if __name__ == "__main__":
    main()
