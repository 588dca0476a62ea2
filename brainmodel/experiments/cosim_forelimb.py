"""``cosim-forelimb``: the brain and a MuJoCo forelimb in one MPI job (DESIGN.md item 5).

The brain (left MOp + SSp-ul) runs on ``config.ranks`` brain ranks (at least one), the body
(``cosim.body_rank``) on one more rank; they exchange spikes every communication interval through
the brain ranks' hook (``brainmodel/mpi_hook.cpp``). One build, three runs of it:
- ``cosim``: the PT cells drive the muscles and the spindles feed back;
- ``cut``: the brain's output is cut (excitation 0), the control in which the limb stays at rest;
- ``no-feedback``: the brain drives the limb, but no afferent spikes are sent back.

Definitions (all here, documented in the README):
- Forelimb area: the ``FORELIMB_FRACTION`` of left MOp voxels whose cells have the most synapses
  (per cell, both directions) with SSp-ul cells in the model's edge tables, i.e. the MOp voxels
  most strongly connected with the upper-limb somatosensory area.
- PT cells: the layer 5B E cells of the forelimb area. Each drives one muscle: the cells are
  ordered along the area's principal tangential axis, rostral first, and cut into equal groups
  in the order of ``cosim.protocol.MUSCLES`` (proximal to distal; an assumed coarse somatotopy,
  after the proximal and distal movement zones of the rodent caudal forelimb area, Neafsey et al.
  1986, Brain Res Rev 11:77; Tennant et al. 2011, Cereb Cortex 21:865).
- Sensory population: SSp-ul layer 4 E and FS cells. Each afferent fibre contacts
  ``AFFERENT_TARGET_FRACTION`` of them, with delay ``AFFERENT_DELAY_MS``. The model has no
  somatosensory thalamus (its thalamus is motor VAL), so the fibres stand for the lemniscal
  pathway through VPL and end on L4 directly.
- The stimulus: DC into the L5B cells within 300 um of the forelimb area's voxel nearest its
  centroid (unless --stim-voxel or --stim-coord is given), from 400 ms on: like intracortical
  microstimulation of the forelimb area, which evokes forelimb movements (Tennant et al. 2011).
- Movement is measured after ``config.analysis_start_ms`` (the first milliseconds hold the
  synchronous transient of the network's random initial state).
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import cosim
import numpy as np
from cosim import body as body_mod
from cosim import plots, protocol
from regions.cortex import model_layers

from ..analysis.rates import binned_rates, window_s
from ..errors import BrainmodelError
from ..model.edges import EdgeTable, edge_table
from ..model.stimulus import at_voxel, single_run
from ..simulation.mpi import launch as mpi_launch
from ..simulation.mpi import partition as partition_mod
from ..simulation.mpi import ranks as mpi_ranks
from ..simulation.runner import build_folder
from .base import Experiment, Outcome

MOTOR_AREA, SENSORY_AREA = "MOp", "SSp-ul"
FORELIMB_FRACTION = 0.25                # of MOp voxels (assumed)
AFFERENT_TARGET_FRACTION = 0.2          # of SSp-ul L4 E/FS cells per fibre (assumed)
AFFERENT_DELAY_MS = 10.0                # spindle to SSp-ul L4 (assumed; of the order of the
                                        # 8-12 ms onset latency of forepaw-evoked SI responses)
AFFERENT_WEIGHT_FACTOR = 1.0            # x the E cells' background weight per spike (assumed:
# a fibre stands for a few convergent lemniscal relay cells, whose unitary thalamocortical EPSPs
# are weak, Bruno & Sakmann 2006, Science 312:1622; about half a background kick). It was 20
# before the issue-20 cortex: under the balancing currents the resting spindle discharge then
# drove SSp-ul L4 to 155 Hz with the limb still; at 1 it gives 12 Hz (7.6 Hz without afferents).
SETTLE_MS = 300.0                       # the limb settles to rest before the exchange starts
CONDITIONS = (("cosim", True, True), ("cut", False, True), ("no-feedback", True, False))
MOVES_DEG = 3.0                         # "moves": a joint's range over the run above this
AT_REST_DEG = 0.5                       # "at rest": every joint's range below this


def forelimb_area(model) -> np.ndarray:
    """Bool per voxel row: the MOp voxels most strongly connected with SSp-ul."""
    cells = model.cells
    motor, sensory = cells.region == MOTOR_AREA, cells.region == SENSORY_AREA
    if not motor.any() or not sensory.any():
        raise BrainmodelError(f"cosim-forelimb needs cells in {MOTOR_AREA} and {SENSORY_AREA} "
                              f"(--regions {MOTOR_AREA},{SENSORY_AREA}); the model has "
                              f"{', '.join(sorted(set(cells.region)))}")
    n_rows = len(model.voxels.ijk)
    synapses = np.zeros(n_rows)
    for table in model.edges:
        out = motor[table.pre] & sensory[table.post]
        back = sensory[table.pre] & motor[table.post]
        synapses += np.bincount(cells.voxel_row[table.pre[out]], minlength=n_rows)
        synapses += np.bincount(cells.voxel_row[table.post[back]], minlength=n_rows)
    per_voxel = np.bincount(cells.voxel_row[motor], minlength=n_rows)
    score = np.divide(synapses, per_voxel, out=np.zeros(n_rows), where=per_voxel > 0)
    rows = np.flatnonzero(per_voxel > 0)
    if not score[rows].any():
        raise BrainmodelError(f"no synapses between {MOTOR_AREA} and {SENSORY_AREA} in the "
                              f"model; the forelimb area cannot be defined")
    keep = max(1, int(round(FORELIMB_FRACTION * len(rows))))
    chosen = rows[np.argsort(-score[rows], kind="stable")[:keep]]
    area = np.zeros(n_rows, bool)
    area[chosen] = True
    return area


def motor_cells(model, area: np.ndarray) -> np.ndarray:
    """Global ids of the PT cells: layer 5B E cells of MOp in the forelimb area."""
    cells = model.cells
    mask = ((cells.region == MOTOR_AREA) & (cells.layer == "L5B") & (cells.type == "E")
            & area[cells.voxel_row])
    gids = np.flatnonzero(mask)
    if len(gids) == 0:
        raise BrainmodelError("the forelimb area holds no L5B E cells at this density; raise "
                              "--density")
    return gids


def muscle_of_motor_cells(model, gids: np.ndarray, n_muscles: int) -> np.ndarray:
    """Muscle index per PT cell: equal groups along the area's principal tangential axis,
    rostral first (see the module docstring)."""
    if len(gids) < n_muscles:
        raise BrainmodelError(f"{len(gids)} PT cells cannot drive {n_muscles} muscles; raise "
                              f"--density")
    points = model.cells.surface_um[gids]
    centred = points - points.mean(axis=0)
    axis = np.linalg.svd(centred, full_matrices=False)[2][0]
    if axis[0] < 0:                                  # x is the rostro-caudal (AP) axis
        axis = -axis
    order = np.argsort(centred @ axis, kind="stable")
    muscle = np.empty(len(gids), dtype=np.int64)
    muscle[order] = np.arange(len(gids)) * n_muscles // len(gids)
    return muscle


def sensory_cells(model) -> np.ndarray:
    """Bool per cell: the sensory population whose rate the feedback should change (SSp-ul L4,
    all types)."""
    return (model.cells.region == SENSORY_AREA) & (model.cells.layer == "L4")


def afferent_edges(model, seed: int, n_fibres: int, dt_ms: float) -> EdgeTable:
    """Synapses of the afferent fibres (global ids from len(model.cells) on) onto SSp-ul L4 E
    and FS cells."""
    cells = model.cells
    targets = np.flatnonzero(sensory_cells(model) & np.isin(cells.type, ("E", "FS")))
    if len(targets) == 0:
        raise BrainmodelError(f"{SENSORY_AREA} has no L4 E or FS cells at this density; raise "
                              f"--density")
    per_fibre = max(1, int(round(AFFERENT_TARGET_FRACTION * len(targets))))
    rng = np.random.default_rng(seed)
    post = np.concatenate([rng.choice(targets, per_fibre, replace=False)
                           for _ in range(n_fibres)])
    pre = len(cells) + np.repeat(np.arange(n_fibres), per_fibre)
    weight = AFFERENT_WEIGHT_FACTOR * model.spec.background_weight["E"]
    return edge_table(pre, post, weight, np.full(len(pre), AFFERENT_DELAY_MS), "ampa",
                      dt_ms)


def forelimb_stimulus(network, stimulus, config, area: np.ndarray):
    """The stimulus moved to the forelimb area (the L2/3 voxel nearest the area's centroid),
    unless the user chose the voxel."""
    if config.stimulus.voxel is not None or config.stimulus.coordinate_um is not None:
        return stimulus
    voxels = network.voxels
    rows = np.flatnonzero(area & (model_layers(voxels.layer) == stimulus.layer))
    if len(rows) == 0:
        raise BrainmodelError(f"the forelimb area has no {stimulus.layer} voxels to stimulate; "
                              f"give --stim-voxel")
    centre = voxels.centre_um[rows].mean(axis=0)
    row = int(rows[np.argmin(np.linalg.norm(voxels.centre_um[rows] - centre, axis=1))])
    return at_voxel(stimulus, voxels, row)


class CosimForelimb(Experiment):
    name = "cosim-forelimb"
    description = ("left MOp + SSp-ul with a MuJoCo forelimb on its own MPI rank: PT cells of "
                   "the MOp forelimb area drive 8 muscles, spindle afferents feed back to SSp-ul "
                   "L4; runs with the brain output cut and without feedback as controls")
    defaults = {"regions": ("MOp", "SSp-ul"), "density": 0.05, "duration_ms": 1000.0,
                "analysis_start_ms": 100.0,
                "stimulus": {"layer": "L5B", "radius_um": 300.0, "onset_ms": 400.0}}
    required_regions = ("MOp",)
    order = 55

    def check(self, config) -> None:
        super().check(config)
        if config.device != "cpp_standalone":
            raise BrainmodelError(f"cosim-forelimb runs brain ranks over MPI and needs --device "
                                  f"cpp_standalone, not {config.device}")
        if config.compile_only:
            raise BrainmodelError("--compile-only is not supported for cosim-forelimb (its "
                                  "three runs start the brain and body ranks together)")
        mpi_ranks.mpi_tool("mpirun")
        body_mod.load_model(config.mjcf)

    def plan_stimulus(self, network, stimulus, config, progress):
        site = forelimb_stimulus(network, stimulus, config, forelimb_area(network))
        return single_run(site, network.cells)

    def run(self, model, config, out: Path, progress, keep_build: bool) -> Outcome:
        """Build the brain ranks with a body link, run the three conditions, write the body's
        records and figures."""
        start = time.perf_counter()
        area = forelimb_area(model)
        gids = motor_cells(model, area)
        muscles = protocol.MUSCLES
        muscle = muscle_of_motor_cells(model, gids, len(muscles))
        n_fibres = len(muscles) * protocol.FIBRES_PER_MUSCLE
        seeds = np.random.SeedSequence([int(config.seed), 5]).generate_state(2)
        edges = afferent_edges(model, int(seeds[0]), n_fibres, config.dt_ms)
        n_brain = max(1, config.ranks)
        part = partition_mod.partition(model, n_brain, config.dt_ms, config.comm_interval_ms)
        interval_ms = part.interval_steps * config.dt_ms
        if interval_ms > AFFERENT_DELAY_MS + 1e-9:
            raise BrainmodelError(f"communication interval {interval_ms:g} ms is longer than "
                                  f"the afferent delay ({AFFERENT_DELAY_MS:g} ms)")
        progress(f"cosim: forelimb area {int(area.sum())} MOp voxels, {len(gids)} PT cells -> "
                 f"{len(muscles)} muscles; {n_fibres} afferent fibres -> {SENSORY_AREA} L4 "
                 f"({len(edges)} synapses); stimulus at voxel {model.stimulus.voxel_ijk}; "
                 f"{n_brain} brain rank(s) + 1 body rank, exchange every {interval_ms:g} ms")
        with build_folder(out / "build" if keep_build else None, "brainmodel-cosim-") as root:
            builds = mpi_ranks.build_ranks(model, config, part, root, progress,
                                           body=mpi_ranks.BodyLink(gids, (edges,)))
            compile_s = time.perf_counter() - start
            body_dir = root / "body"
            body_dir.mkdir(exist_ok=True)
            write_body_inputs(body_dir, config, model, gids, muscle, edges, part, n_brain,
                              int(seeds[1]))
            runs = {}
            for name, drive, feedback in CONDITIONS:
                progress(f"cosim: run '{name}' (brain output {'on' if drive else 'cut'}, "
                         f"feedback {'on' if feedback else 'off'})")
                runs[name] = run_condition(builds, body_dir, name, drive, feedback, progress)
        for name, result in runs.items():
            np.savez(out / f"body-{name}.npz", **result["body"])
        np.savez(out / "body_map.npz", motor_gid=gids, motor_muscle=muscle,
                 muscles=np.array(muscles), afferent_pre=edges.pre, afferent_post=edges.post)
        summary = summarise(model, config, runs, area, gids, muscle, interval_ms)
        timings = {"codegen_compile_s": compile_s, "n_cells": len(model.cells),
                   "n_synapses": model.n_synapses, "n_afferent_synapses": len(edges),
                   "runs": {n: r["timings"] for n, r in runs.items()}}
        plots.cosim_figures(out / "figures", sensory_cells(model), runs, summary, config.mjcf)
        summary["performance"] = timings
        return Outcome(summary, timings, {n: r["spikes"] for n, r in runs.items()})

    def headline(self, outcome) -> str:
        summary = outcome.summary
        runs = summary["runs"]
        return (f"joint range with brain drive {runs['cosim']['max_joint_range_deg']:.1f} deg, "
                f"output cut {runs['cut']['max_joint_range_deg']:.2f} deg; "
                f"{summary['sensory_population']} rate with "
                f"feedback {runs['cosim']['sensory_rate_hz']:.2f} Hz, without "
                f"{runs['no-feedback']['sensory_rate_hz']:.2f} Hz; MuJoCo "
                f"{runs['cosim']['timing']['mujoco_share_of_wall']:.1%} of the body rank's wall "
                f"time")


EXPERIMENT = CosimForelimb()


def write_body_inputs(body_dir: Path, config, model, gids, muscle, edges, part, n_brain,
                      seed) -> None:
    """body.json and body_tables.npz: what the body rank needs to join the exchange."""
    n_muscles = len(protocol.MUSCLES)
    n_fibres = n_muscles * protocol.FIBRES_PER_MUSCLE
    fibre_dest = np.zeros(n_fibres, dtype=np.uint64)
    mpi_ranks.add_destinations(fibre_dest, edges.pre - len(model.cells),
                               part.rank_of_cell[edges.post])
    order = np.argsort(gids)
    np.savez(body_dir / "body_tables.npz", motor_gid=gids[order], motor_muscle=muscle[order],
             cells_per_muscle=np.bincount(muscle, minlength=n_muscles),
             fibre_gid=len(model.cells) + np.arange(n_fibres), fibre_dest_mask=fibre_dest)
    n_steps = int(round(config.duration_ms / config.dt_ms))
    spec = {"mjcf": str(Path(config.mjcf or body_mod.DEFAULT_MJCF).resolve()),
            "n_brain_ranks": n_brain, "interval_steps": part.interval_steps,
            "dt_ms": config.dt_ms, "n_exchanges": n_steps // part.interval_steps,
            "settle_ms": SETTLE_MS, "seed": seed, "tables": "body_tables.npz"}
    (body_dir / "body.json").write_text(json.dumps(spec, indent=1))


def run_condition(builds, body_dir: Path, name: str, drive: bool, feedback: bool,
                  progress) -> dict:
    """One mpirun of the compiled ranks with the body rank in the given condition."""
    body_argv = [sys.executable, "-m", "cosim.body_rank", "body.json", "--results",
                 f"results-{name}"] + (["--no-drive"] if not drive else []) + (
                     ["--no-feedback"] if not feedback else [])
    command = mpi_launch.mpirun_command(builds, extra_ranks=[(body_dir.resolve(), body_argv)])
    package_root = str(Path(cosim.__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [package_root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    spikes, ranks, wall = mpi_launch.run_builds(builds, command, progress, env=env)
    with np.load(body_dir / f"results-{name}" / "body.npz") as f:
        body = {k: f[k] for k in f.files}
    body_timings = json.loads((body_dir / f"results-{name}" / "body_timings.json").read_text())
    return {"spikes": spikes, "body": body,
            "timings": {"wall_s": wall, "body": body_timings, "brain_ranks": ranks}}


def joint_ranges_deg(angles_deg: np.ndarray) -> np.ndarray:
    """Range (max - min) of each joint over the run."""
    return angles_deg.max(axis=0) - angles_deg.min(axis=0)


def summarise(model, config, runs: dict, area, gids, muscle, interval_ms) -> dict:
    sensory = sensory_cells(model)
    start, stop = config.analysis_start_ms, config.duration_ms
    out = {"experiment": config.experiment, "interval_ms": interval_ms,
           "forelimb_area_voxels": int(area.sum()), "n_pt_cells": int(len(gids)),
           "pt_cells_per_muscle": dict(zip(protocol.MUSCLES,
                                           np.bincount(muscle, minlength=len(
                                               protocol.MUSCLES)).tolist())),
           "stimulus": {"layer": model.stimulus.layer,
                        "voxel_ijk": list(model.stimulus.voxel_ijk),
                        "onset_ms": model.stimulus.onset_ms,
                        "amplitude_mv": model.stimulus.amplitude_mv},
           "sensory_population": f"{SENSORY_AREA} L4 (all types)",
           "analysis_window_ms": [start, stop], "runs": {}}
    n_sensory = int(sensory.sum())
    for name, result in runs.items():
        ids, times = result["spikes"]
        body, timings = result["body"], result["timings"]
        in_window = (times >= start) & (times < stop)
        sensory_spikes = int(np.sum(sensory[ids] & in_window))
        pt_spikes = int(np.sum(np.isin(ids, gids) & in_window))
        ranges = joint_ranges_deg(body["angles_deg"][body["time_ms"] >= start])
        brain = timings["brain_ranks"]
        body_t = timings["body"]
        out["runs"][name] = {
            "joint_range_deg": dict(zip(protocol.JOINTS, ranges.round(3).tolist())),
            "max_joint_range_deg": float(ranges.max()),
            "mean_excitation": dict(zip(protocol.MUSCLES,
                                        body["excitation"].mean(axis=0).round(4).tolist())),
            "pt_rate_hz": pt_spikes / len(gids) / window_s(start, stop),
            "motor_spikes_received": int(body["motor_counts"].sum()),
            "afferent_spikes_sent": int(body["afferent_counts"].sum()),
            "sensory_rate_hz": sensory_spikes / max(n_sensory, 1) / window_s(start, stop),
            "sensory_spikes": sensory_spikes,
            "timing": {"wall_s": timings["wall_s"], "body_total_s": body_t["total_s"],
                       "mujoco_s": body_t["mujoco_s"], "encode_s": body_t["encode_s"],
                       "body_exchange_s": body_t["exchange_s"],
                       "mujoco_share_of_wall": body_t["mujoco_s"] / body_t["total_s"],
                       "brain_compute_share_of_wall": float(np.mean(
                           [(r["run_s"] - r["exchange_s"]) / r["run_s"] for r in brain])),
                       "interval_wall_ms_mean": body_t["interval_wall_ms_mean"],
                       "interval_wall_ms_p95": body_t["interval_wall_ms_p95"]}}
    r = out["runs"]
    effect = paired_rate_difference(runs["cosim"]["spikes"], runs["no-feedback"]["spikes"],
                                    sensory, start, stop)
    out["feedback_effect"] = effect
    out["checks"] = {
        "moves_with_brain_drive": bool(r["cosim"]["max_joint_range_deg"] > MOVES_DEG),
        "at_rest_when_output_cut": bool(r["cut"]["max_joint_range_deg"] < AT_REST_DEG),
        "feedback_changes_sensory_rate": bool(abs(effect["t_statistic"]) > 3.0)}
    return out


def paired_rate_difference(spikes_a, spikes_b, members: np.ndarray, start: float, stop: float,
                           bin_ms: float = 20.0) -> dict:
    """Rate difference of a population between two runs, bin by bin (the runs share the network
    and seed, so bins at the same time are paired), with the t statistic of the mean difference
    against the bins' spread: the network's slow fluctuations count as noise."""
    rates = [binned_rates(ids, times, members, start, stop, bin_ms)
             for ids, times in (spikes_a, spikes_b)]
    diff = rates[0] - rates[1]
    sem = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.inf
    return {"rate_difference_hz": float(diff.mean()), "bins": int(len(diff)),
            "bin_ms": bin_ms, "t_statistic": float(diff.mean() / sem) if sem > 0 else 0.0}
