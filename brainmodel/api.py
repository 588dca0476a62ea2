"""The public API: ``configure`` -> ``build`` -> ``simulate`` (or ``run`` for all three).

    import brainmodel as bm
    cfg = bm.configure(experiment="m1-gamma", seed=1, duration_ms=1000.0)
    model = bm.build(cfg)            # cells, edges, stimulus: plain numpy tables
    result = bm.simulate(model, cfg) # runs, writes the output folder, returns a Result
    result = bm.run(cfg)             # the same, end to end

The walk of one run: ``configure`` (``brainmodel.config`` and the experiment plug-in's
``check``) -> ``load_inputs`` (``brainmodel.inputs.bundle``) -> ``build``
(``brainmodel.model.build``; the plug-in places the stimulus) -> ``simulate`` (the plug-in's
``run``: ``brainmodel.simulation`` for Brian2 and the device, ``brainmodel.analysis`` and
``brainmodel.figures``) -> the output folder (``brainmodel.outputs``).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from regions.cortex import default_spec

from . import experiments, outputs, sonata
from .analysis.assimilation import Bounds, assimilate  # noqa: F401  (public API)
from .analysis.spectra import coherence, population_rate  # noqa: F401  (public API)
from .config import RunConfig, StimulusConfig
from .inputs import cerebellar_atlas
from .inputs.bundle import Inputs, load_inputs
from .inputs.cerebellar_atlas import load_thickness as load_cerebellar_thickness
from .model import nuclei
from .model.build import Model, build_model, resolve_areas
from .model.loop import region_specs
from .simulation.devices import gpu_present  # noqa: F401  (public API)
from .simulation.ensemble import Ensemble, Member  # noqa: F401  (public API)
from .simulation.mpi.partition import check_rank_count, selection_units
from .simulation.mpi.partition import partition  # noqa: F401  (public API)
from .sonata import read_spikes  # noqa: F401  (public API)


def log(message: str) -> None:
    """The default progress printer: one line per stage on stderr."""
    print(f"[brainmodel] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Result:
    """One simulated experiment: its config, model, spikes per run label (None: the one run of
    most experiments; ``control``, ``site1``, ... for topography), summary (summary.json),
    timings (timings.json) and output folder."""
    config: RunConfig
    model: Model
    spikes: dict
    summary: dict
    timings: dict
    output: Path

    @property
    def cells(self):
        return self.model.cells


def experiment_names() -> list[str]:
    return list(experiments.registry())


def configure(experiment: str = RunConfig.experiment, stimulus: dict | None = None,
              **overrides) -> RunConfig:
    """The validated RunConfig of a named experiment: its defaults, then ``overrides``
    (RunConfig fields) and ``stimulus`` (StimulusConfig fields)."""
    plugin = experiments.get(experiment)
    defaults = dict(plugin.defaults)
    stimulus_fields = {**defaults.pop("stimulus", {}), **(stimulus or {})}
    config = RunConfig(**{**defaults, **overrides, "experiment": experiment,
                          "stimulus": StimulusConfig(**stimulus_fields)})
    return check(config)


def check(config: RunConfig) -> RunConfig:
    """Every check that needs no data: the config's own and the experiment's."""
    plugin = experiments.get(config.experiment)
    config.validate()
    plugin.check(config)
    return config


def build(config: RunConfig, inputs: Inputs | None = None, spec=None, progress=log) -> Model:
    """The model of ``config``: cells, edges and stimulus as numpy tables (no Brian2 yet).
    ``inputs`` default to ``load_inputs(config)``; ``spec`` replaces the cortex spec
    (default: ``regions.cortex.default_spec()``), e.g. a copy with edited equations."""
    check(config)
    inputs = inputs if inputs is not None else load_inputs(config)
    if config.ranks:            # refused before the build when the selection has fewer units
        check_rank_count(config.ranks, selection_units(resolve_areas(config, inputs),
                                                       config.hemisphere, config.nuclei))
    plugin = experiments.get(config.experiment)
    return build_model(config, inputs, spec if spec is not None else default_spec(), progress,
                       plan_stimulus=plugin.plan_stimulus)


def output_folder(config: RunConfig) -> Path:
    return Path(config.output or f"output/{config.experiment}-seed{config.seed}")


def simulate(model: Model, config: RunConfig, progress=log, keep_build: bool = False,
             overwrite: bool = False, interrupted=None) -> Result:
    """Run the experiment on a built model and write its output folder (under a temporary name,
    renamed when complete): config.json, cells.csv, nodes.h5 + node_types.csv and spikes*.h5
    (SONATA, ``brainmodel.sonata``), timings.json, summary.json, figures/. With
    ``config.compile_only`` the folder holds config, cells, nodes and timings only.
    ``interrupted()``: whether an interrupt came that Python may have dropped; checked before
    the folder is renamed (``brainmodel.outputs.atomic_output_dir``)."""
    check(config)
    plugin = experiments.get(config.experiment)
    final = output_folder(config)
    with outputs.atomic_output_dir(final, overwrite, interrupted) as out:
        outcome = plugin.run(model, config, out, progress, keep_build)
        outputs.write_run_files(out, config, model.cells)
        pops = sonata.populations(model.system_of_cells())
        sonata.write_nodes(out, model.cells, pops)
        for label, (node_ids, times_ms) in outcome.spikes.items():
            name = "spikes.h5" if label is None else f"spikes-{label}.h5"
            sonata.write_spikes(out / name, pops, node_ids, times_ms)
        if outcome.timings:
            outputs.write_json(out / "timings.json", outcome.timings)
        if outcome.summary:
            outputs.write_json(out / "summary.json", outcome.summary)
            progress(plugin.headline(outcome))
    progress(f"outputs in {final.resolve()}")
    return Result(config, model, outcome.spikes, outcome.summary, outcome.timings,
                  final.resolve())


def run(config: RunConfig, inputs: Inputs | None = None, spec=None, progress=log,
        keep_build: bool = False, overwrite: bool = False, interrupted=None) -> Result:
    """``build`` then ``simulate``: one experiment end to end."""
    check(config)
    outputs.check_output_free(output_folder(config), overwrite)
    model = build(config, inputs, spec, progress)
    return simulate(model, config, progress, keep_build, overwrite, interrupted)


# Stage functions the notebooks teach with, part of the public API as they are.
def cerebellar_layers(inputs: Inputs):
    """The cerebellar cortex cut into molecular, Purkinje and granular layers by a Laplace
    depth field (``brainmodel.inputs.cerebellar_atlas``)."""
    thickness = inputs.cerebellar_thickness or load_cerebellar_thickness(inputs.data_dir)
    return cerebellar_atlas.cerebellar_layers(inputs.annotation, inputs.ontology, thickness)


def region_cells(inputs: Inputs, region: str, hemisphere: str, density: float, seed: int = 1):
    """(cells, local edge tables) of one non-cortical region module (``regions.<region>``)
    alone, with ids from 0; cerebellar cells carry their folium and sagittal axes."""
    spec = region_specs([region])[0]
    layers = cerebellar_layers(inputs) if region == "cerebellum" else None
    cells = nuclei.place(spec, inputs.annotation, inputs.ontology, hemisphere, density, seed, 1,
                         layers)
    cortex = default_spec()
    return cells, nuclei.local_edges(spec, cells, 0, density, seed, 1, cortex.synaptic_delay_ms,
                                     cortex.velocity_um_per_ms)
