"""Ensembles: one compiled network, many members that differ by parameters and initial state.

The network is built and compiled once (cpp_standalone or cuda_standalone). A member is a set of
``run_args`` (Brian2 standalone: values of constants and initial values passed to the binary at
start, no recompilation) and runs the binary with its own results folder. Members run in
parallel worker threads of ``concurrent.futures`` (each one waits on its own process of the
compiled binary), at most ``workers`` at a time.

Parameters a member can set (names checked, unknown names are an error):
- ``background:<area>``: factor on the Poisson background weight of the area's cells;
- ``gain:<area>``: factor on the weights of all excitatory (AMPA) synapses onto the area's
  cells, local and long-range (the area's E/I balance);
- member seed: the initial membrane potentials and recovery variables (the background's random
  stream is compiled into the binary and is the same for every member).

Brian2 2.10.1 internals used (pinned in setup.cfg): ``device._prepare_variableview_run_arg``
turns a value into the binary's command-line form, and a member's spikes are read by pointing
``device.results_dir`` at its folder.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import BrainmodelError
from ..model.cells import CellTable
from ..model.edges import EdgeTable, by_receptor
from ..model.parameters import cell_constants, exact_sum_weights, initial_state
from . import devices
from .network import create_network, synapses_name

KINDS = ("background", "gain")


@dataclass(frozen=True)
class Member:
    parameters: dict            # name -> factor (see module docstring)
    seed: int = 0


def check_parameters(names, areas) -> None:
    for name in names:
        kind, _, area = name.partition(":")
        if kind not in KINDS or area not in areas:
            raise BrainmodelError(f"unknown ensemble parameter {name!r}; use "
                                  f"{' or '.join(k + ':<area>' for k in KINDS)} with an area of "
                                  f"the model ({', '.join(sorted(areas))})")


def member_values(model, areas: np.ndarray, base_background: np.ndarray, member: Member):
    """(background weights, excitatory gains, v, u) per cell of ``model`` for one member: the
    base background weights and gains of 1 multiplied by the member's factors, and the initial
    state of its seed."""
    check_parameters(member.parameters, set(areas))
    background, gain = base_background.copy(), np.ones(len(areas))
    for name, factor in member.parameters.items():
        kind, _, area = name.partition(":")
        (background if kind == "background" else gain)[areas == area] *= factor
    state = initial_state(model, member.seed)
    return background, gain, state["v"], state["u"]


def excitatory_weights(edges, gain: np.ndarray) -> dict[str, np.ndarray]:
    """Weights of the AMPA synapses with their target's gain, on the grid of
    ``brainmodel.model.parameters.exact_sum_weights``, by Synapses name (``cortex_ampa``, and
    ``cortex_ampa_facilitating`` where some facilitate)."""
    return {synapses_name("cortex", t): exact_sum_weights(t.weight * gain[t.post])
            for t in by_receptor(edges) if t.receptor == "ampa"}


class Ensemble:
    """A compiled network and the means to run members of it (see module docstring)."""

    def __init__(self, model, config, build_dir: Path, progress=print):
        import brian2 as b2

        # one table per receptor, as the Synapses objects hold them (their weights change
        # through run_args)
        model = dataclasses.replace(model, edges=tuple(by_receptor(model.edges)))
        self.model, self.config, self.build_dir = model, config, Path(build_dir).resolve()
        self.areas = np.asarray(model.group_of_cells())
        self.run = devices.use_device(config.device, self.build_dir, config.threads,
                                      config.compute_capability)
        try:
            net, self.objects = create_network(model, config)
            self.base_background = cell_constants(model, config.indegree_fraction)[
                "w_background"]
            devices.run_network(self.run, net, config.duration_ms * b2.ms, progress=progress,
                                compile_only=True)
        except BaseException:
            devices.release_device()
            raise

    def run_args(self, member: Member) -> dict:
        """{VariableView: values} for one member."""
        import brian2 as b2

        group = self.objects["cortex"]
        background, gain, v, u = member_values(self.model, self.areas, self.base_background,
                                               member)
        args = {group.w_background: background, group.v: v * b2.mV, group.u: u * b2.mV}
        for name, weights in excitatory_weights(self.model.edges, gain).items():
            args[self.objects[name].w] = weights
        return args

    def run_members(self, members: list[Member], workers: int = 2, progress=print,
                    reduce=None) -> list:
        """[(spike ids, spike times ms)] per member, in order, or ``reduce((ids, times))`` per
        member when given (applied as each member ends, so that long members do not hold all
        their spikes: 100 members x 10 s of bihemispheric-cortex are about 9 M spikes each);
        members run ``workers`` at a time, each in its own results folder."""
        import brian2 as b2

        devices.check_can_run(self.run)
        device = b2.get_device()
        commands = []
        for n, member in enumerate(members):
            line = []
            for key, value in self.run_args(member).items():
                name, string, file_name, array = device._prepare_variableview_run_arg(key, value)
                if file_name:
                    path = self.build_dir / "static_arrays" / file_name
                    if not path.exists():
                        array.tofile(path)
                line.append(f"{name}={string}")
            results = self.build_dir / f"results_member{n}"
            results.mkdir(exist_ok=True)
            commands.append((["./main", "--results_dir", str(results) + os.sep] + line, results))

        running, stopping = set(), threading.Event()

        def launch(command):
            argv, results = command
            if stopping.is_set():
                return None
            with open(results / "stdout.txt", "w") as out:
                process = subprocess.Popen(argv, cwd=self.build_dir, stdout=out,
                                           stderr=subprocess.STDOUT)
                running.add(process)
                try:
                    code = process.wait()
                finally:
                    running.discard(process)
            if stopping.is_set():
                return None
            if code:
                raise BrainmodelError(f"ensemble member failed (exit {code}); see "
                                      f"{results / 'stdout.txt'}")
            completed = float((results / "last_run_info.txt").read_text().split()[1])
            devices.check_completed(completed, "an ensemble member")
            spikes = devices.read_spike_files(results, self.objects["spikes"].name)
            # Brian2 writes every array of the network at the end of a run, synapses included
            # (about 500 MB for 20 M synapses): keep only the spikes, or 100 members fill a disk
            shutil.rmtree(results)
            return spikes if reduce is None else reduce(spikes)

        start = time.perf_counter()
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers))
        try:
            spikes = []
            for n, member_spikes in enumerate(pool.map(launch, commands)):
                spikes.append(member_spikes)
                if progress and (n + 1) % max(1, len(commands) // 10) == 0:
                    progress(f"  members {n + 1}/{len(commands)}")
        except BaseException as error:
            # an interrupt or a failed member: stop the members still running, start no more
            stopping.set()
            for process in list(running):
                process.kill()
            pool.shutdown(wait=True, cancel_futures=True)
            if not isinstance(error, BrainmodelError):      # keep a failed member's output
                for _, results in commands:
                    shutil.rmtree(results, ignore_errors=True)
            raise
        pool.shutdown(wait=True)
        self.run.timings["members_run_s"] = time.perf_counter() - start
        device.has_been_run = True          # the binary ran (here, not through device.run)
        return spikes

    def close(self) -> None:
        devices.release_device()


def replicated_model(model, n_copies: int):
    """The model with its cells and edges repeated ``n_copies`` times (copy k has ids
    k*N .. k*N+N-1): members batched as independent copies inside one network."""
    if model.nucleus_constants is not None:
        raise BrainmodelError("batched copies of models with non-cortical regions are not "
                              "supported (their ids must follow the cortex's)")
    n = len(model.cells)
    cells = model.cells
    fields = {f.name: getattr(cells, f.name) for f in dataclasses.fields(CellTable)}
    repeated = {name: (value if name == "populations" else
                       np.concatenate([value] * n_copies)) for name, value in fields.items()}
    edges = tuple(EdgeTable(np.concatenate([t.pre + k * n for k in range(n_copies)]),
                            np.concatenate([t.post + k * n for k in range(n_copies)]),
                            np.tile(t.weight_code, n_copies), t.weight_values,
                            np.tile(t.delay_steps, n_copies), t.dt_ms, t.receptor,
                            t.facilitation)
                  for t in model.edges)
    factor = None if model.background_factor is None else np.tile(model.background_factor,
                                                                  n_copies)
    return dataclasses.replace(model, cells=CellTable(**repeated), edges=edges,
                               stimulated=np.tile(model.stimulated, n_copies),
                               background_factor=factor)


def run_batched(model, config, members: list[Member], build_dir: Path, progress=print):
    """All members as copies inside one network, one compilation and one run. Returns
    ([(spike ids, spike times ms)] per member, ids of the original model; device timings). The
    copies draw different background noise, unlike separate members (``Ensemble``), which share
    the compiled stream."""
    import brian2 as b2

    batch = replicated_model(model, len(members))
    areas = np.asarray(model.group_of_cells())
    base_background = cell_constants(model, config.indegree_fraction)["w_background"]
    n = len(model.cells)
    run = devices.use_device(config.device, Path(build_dir).resolve(), config.threads,
                             config.compute_capability)
    try:
        net, objects = create_network(batch, config)
        group = objects["cortex"]
        background, gain, v, u = (np.concatenate(values) for values in zip(
            *(member_values(model, areas, base_background, m) for m in members)))
        group.w_background = background
        group.v = v * b2.mV
        group.u = u * b2.mV
        for name, weights in excitatory_weights(batch.edges, gain).items():
            objects[name].w = weights
        monitor = objects["spikes"]
        spikes = devices.run_network(
            run, net, config.duration_ms * b2.ms, progress=progress,
            collect=lambda: (np.asarray(monitor.i[:], np.int64),
                             np.asarray(monitor.t[:] / b2.ms)))[0]
    finally:
        devices.release_device()
    ids, times = spikes
    return [(ids[(ids >= k * n) & (ids < (k + 1) * n)] - k * n,
             times[(ids >= k * n) & (ids < (k + 1) * n)]) for k in range(len(members))], run.timings
