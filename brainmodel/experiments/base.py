"""The experiment protocol: what a plug-in module under ``brainmodel/experiments/`` declares.

A plug-in defines ``EXPERIMENT``, an instance of a subclass of ``Experiment``:
- ``name``, ``description``, ``defaults`` (RunConfig fields, stimulus fields under
  ``"stimulus"``), ``required_regions`` (the first of --regions; it stimulates there),
  ``supports_ranks``, ``order`` (its place in listings);
- ``check(config)``: the experiment's own rules, before any work;
- ``plan_stimulus(network, stimulus, config, progress)``: where the stimulus goes and which runs
  the compiled network makes (``brainmodel.model.stimulus.StimulusPlan``);
- ``run(model, config, out, progress, keep_build) -> Outcome``: simulate, summarise, draw;
- ``headline(outcome)``: the line printed at the end.

``NetworkExperiment`` is the common case: one compilation, one binary run per run of the plan,
then ``summarise`` and ``figures``. The driver that writes the output folder is
``brainmodel.api.simulate``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..analysis.performance import run_timings
from ..errors import BrainmodelError
from ..model.stimulus import StimulusPlan, single_run
from ..simulation.runner import simulate_model


@dataclass(frozen=True)
class Outcome:
    """What an experiment's run produced: summary.json, timings.json, and spikes per run label
    (None: the experiment's one run, written as spikes.h5; others as spikes-<label>.h5)."""
    summary: dict
    timings: dict
    spikes: dict = field(default_factory=dict)


class Experiment:
    name = ""
    description = ""
    defaults: dict = {}
    required_regions: tuple[str, ...] = ()
    supports_ranks = True
    order = 100

    def check(self, config) -> None:
        """Checks that need no simulation; run before any output is created."""
        missing = [r for r in self.required_regions if r not in config.regions[:1]]
        if missing:
            raise BrainmodelError(f"experiment {self.name} needs {', '.join(missing)} as the "
                                  f"first of --regions (it stimulates there), not "
                                  f"{','.join(config.regions)}")
        if config.ranks and not self.supports_ranks:
            raise BrainmodelError(f"--ranks is not supported for the {self.name} experiment "
                                  f"(it runs one network several times)")

    def plan_stimulus(self, network, stimulus, config, progress) -> StimulusPlan:
        return single_run(stimulus, network.cells)

    def run(self, model, config, out: Path, progress, keep_build: bool) -> Outcome:
        raise NotImplementedError

    def headline(self, outcome: Outcome) -> str:
        return f"{self.name} done"


class NetworkExperiment(Experiment):
    """One compiled network, one binary run per run of the stimulus plan; ``summarise`` and
    ``figures`` work on the spikes of every run (``spikes[n]`` belongs to ``model.runs[n]``)."""

    def summarise(self, model, config, spikes: list) -> dict:
        raise NotImplementedError

    def figures(self, folder: Path, model, config, spikes: list, summary: dict) -> None:
        pass

    def run(self, model, config, out: Path, progress, keep_build: bool) -> Outcome:
        start = time.perf_counter()
        kept = out / "build" if keep_build or (config.ranks and config.compile_only) else None
        sim = simulate_model(model, config, kept, start, progress)
        construction_s = model.timings.get("build_s", 0.0) + sim.construction_s
        if config.compile_only:
            progress(f"compiled for {config.device} in "
                     f"{sim.device.timings['codegen_compile_s']:.1f} s; not run (--compile-only)")
            return Outcome({}, dict(sim.device.timings, network_construction_s=construction_s,
                                    n_cells=len(model.cells), n_synapses=model.n_synapses))
        spikes = {label: s for (label, _), s in zip(model.runs, sim.spikes)}
        all_ids = np.concatenate([ids for ids, _ in sim.spikes])
        timings = run_timings(model, sim.device.timings, construction_s, all_ids,
                              start - model.timings.get("build_s", 0.0))
        timings["n_runs"] = len(sim.spikes)
        summary = self.summarise(model, config, sim.spikes)
        self.figures(out / "figures", model, config, sim.spikes, summary)
        summary["performance"] = timings
        return Outcome(summary, timings, spikes)
