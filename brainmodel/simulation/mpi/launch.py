"""Running a partitioned model: one ``mpirun`` over the rank binaries (``brainmodel.simulation.mpi.ranks``),
then the spikes of all ranks merged under global cell ids, with per-rank timings.

The command is MPMD (one binary per rank, each in its own folder), the same form a cluster job
script uses; ``mpirun_command`` returns it and ``run.py --ranks N --compile-only`` writes it to
``run_mpi.sh`` next to the builds. A rank that fails (its process killed, an MPI error) ends the
whole job: OpenMPI terminates the other ranks, and the error names the rank.
"""
from __future__ import annotations

import json
import os
import re
import signal
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from .. import devices
from . import partition as partition_mod
from . import ranks as mpi_ranks
from ...errors import BrainmodelError

SPIKE_MONITOR = "cortex_spikes"
RANK_PROCESS = Path(__file__).with_name("rank_process.py")


def mpirun_command(builds, mpirun: Path | None = None, folder_of=None,
                   extra_ranks=(), watched: bool = True) -> list[str]:
    """The MPMD mpirun command: one process per rank, each started in its rank's folder
    (``folder_of(build)``, default: its absolute path); then one process per
    ``(folder, argv)`` of ``extra_ranks`` (the co-simulation's body rank). ``watched``: each
    rank binary runs under ``rank_process.py``, which records how it ended."""
    mpirun = mpirun or mpi_ranks.mpi_tool("mpirun")
    folder_of = folder_of or (lambda b: str(Path(b.directory).resolve()))
    command = [str(mpirun), "--oversubscribe", "--bind-to", "none"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-run-as-root")
    for n, b in enumerate(builds):
        if n:
            command.append(":")
        binary = ["./main", "--results_dir", "results/"]
        if watched:
            binary = [sys.executable, str(RANK_PROCESS), *binary]
        command += ["-n", "1", "--wdir", folder_of(b), *binary]
    for folder, argv in extra_ranks:
        command += [":", "-n", "1", "--wdir", str(folder), *map(str, argv)]
    return command


def write_launch_script(builds, path: Path) -> None:
    """``run_mpi.sh`` beside the rank folders: the plain mpirun form, for job scripts."""
    command = mpirun_command(builds, folder_of=lambda b: f'"$here/{Path(b.directory).name}"',
                             watched=False)
    path.write_text("#!/bin/sh\n# brainmodel: the MPMD launch of the rank programs in this "
                    "folder (one process per rank)\nhere=\"$(cd \"$(dirname \"$0\")\" && pwd)\"\n"
                    "exec " + " ".join(command) + "\n")
    path.chmod(0o755)


def simulate(model, config, root: Path, progress=print):
    """Partition, build, run under mpirun, merge. Returns (timings, [(global ids, times ms)])."""
    start = time.perf_counter()
    part = partition_mod.partition(model, config.ranks, config.dt_ms, config.comm_interval_ms)
    progress(f"mpi: {part.n_ranks} ranks, exchange every {part.interval_steps} steps "
             f"({part.interval_steps * config.dt_ms:g} ms; shortest cross-rank delay "
             f"{part.min_cross_delay_ms:g} ms); units: "
             + ", ".join(f"{u} -> {r}" for u, r in sorted(part.units.items(),
                                                         key=lambda x: (x[1], x[0]))))
    builds = mpi_ranks.build_ranks(model, config, part, root, progress)
    construction_and_compile_s = time.perf_counter() - start
    command = mpirun_command(builds)
    write_launch_script(builds, Path(root) / "run_mpi.sh")
    if config.compile_only:
        return {"codegen_compile_s": construction_and_compile_s, "mpi_ranks": part.n_ranks}, []
    progress(f"mpi: running {part.n_ranks} ranks: {command[0]} ...")
    spikes, ranks, run_s = run_builds(builds, command, progress)
    timings = {"codegen_compile_s": construction_and_compile_s, "run_s": run_s,
               "mpi_ranks": part.n_ranks, "mpi_interval_steps": part.interval_steps,
               "mpi_min_cross_delay_ms": part.min_cross_delay_ms,
               "mpi_units": part.units, "mpi_cost_per_rank": part.cost.tolist(),
               "mpi_per_rank": ranks}
    for r in ranks:
        progress(f"mpi: rank {r['rank']}: {r['cells']} cells, run {r['run_s']:.2f} s, exchange "
                 f"{r['exchange_s']:.2f} s ({r['exchange_fraction']:.0%}), sent "
                 f"{r['spikes_sent']} spikes ({r['bytes_sent'] / 1e6:.2f} MB)")
    return timings, [spikes]


def failed_rank(builds) -> str | None:
    """The rank whose binary ended first without being asked to (``rank_process.py``'s
    records), with how it ended; None when no record says."""
    ended = []
    for b in builds:
        path = b.directory / "results" / "exit.json"
        if path.exists():
            record = json.loads(path.read_text())
            if record["returncode"] != 0 and not record["stopped_by"]:
                ended.append((record["time"], b.rank, record["returncode"]))
    if not ended:
        return None
    _, rank, code = min(ended)
    how = (f"killed by signal {-code} ({signal.Signals(-code).name})" if code < 0
           else f"exited with status {code}")
    return f"rank {rank} failed: {how}"


def run_builds(builds, command, progress, env=None):
    """Run ``command`` (an ``mpirun_command`` of ``builds``) with fresh results folders.
    Returns (merged spikes, per-rank timings, wall seconds of the mpirun)."""
    for b in builds:
        results = b.directory / "results"
        shutil.rmtree(results, ignore_errors=True)
        results.mkdir()
    start = time.perf_counter()
    code, text = run_mpirun(command, progress, env=env)
    if code:
        named = failed_rank(builds) or failed_rank_message(text)
        raise BrainmodelError(f"mpi: {named} (mpirun exit {code}); the job was stopped. mpirun "
                              f"output ends with:\n{text[-1500:]}")
    wall = time.perf_counter() - start
    return merge_spikes(builds), [rank_timings(b) for b in builds], wall


def run_mpirun(command, progress, env=None) -> tuple[int, str]:
    """mpirun, its rank-0 progress lines passed on. Returns (exit status, its output)."""
    lines = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, env=env) as process:
        try:
            for line in process.stdout:
                lines.append(line)
                if line.startswith("[brainmodel] mpi:"):
                    progress(line.strip()[len("[brainmodel] "):])
            code = process.wait()
        except BaseException:           # Ctrl-C or SIGTERM here: mpirun ends its ranks
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            raise
    return code, "".join(lines)


def failed_rank_message(output: str) -> str:
    """The failed rank as mpirun's output names it (when no rank record says)."""
    match = re.search(r"rank (\d+)[^\n]*(exited on signal \d+[^\n]*|exited with[^\n]*|"
                      r"status \d+)", output)
    if match:
        return f"rank {match.group(1)} failed: " + " ".join(match.group(0).split())
    return "a rank failed"


def merge_spikes(builds) -> tuple[np.ndarray, np.ndarray]:
    """All ranks' spikes with global ids, sorted by time then id."""
    ids, times = [], []
    for b in builds:
        local, t = devices.read_spike_files(b.directory / "results", SPIKE_MONITOR)
        ids.append(np.asarray(b.gids, dtype=np.int64)[local])
        times.append(t)
    ids, times = np.concatenate(ids), np.concatenate(times)
    order = np.lexsort((ids, times))
    return ids[order], times[order]


def rank_timings(b) -> dict:
    values = {}
    path = b.directory / "results" / "mpi_timings.txt"
    for line in path.read_text().splitlines():
        key, value = line.split()
        values[key] = float(value)
    return {"rank": b.rank, "cells": len(b.gids), "proxies": b.n_proxies,
            "synapses": b.n_synapses, "run_s": values["run_s"],
            "exchange_s": values["exchange_s"],
            "exchange_fraction": values["exchange_s"] / max(values["run_s"], 1e-12),
            "bytes_sent": int(values["bytes_sent"]), "spikes_sent": int(values["spikes_sent"]),
            "peak_memory_mb": values["peak_memory_kb"] / 1024.0}
