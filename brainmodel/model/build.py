"""The builder: atlas -> cells -> edges -> stimulus, in numpy; no I/O, no Brian2.

``build_model(config, inputs, spec)`` returns a ``Model``: plain tables (cells, one edge table
per receptor, voxels, per-region constants) and the stimulus plan. Every stage draws from its
own seed (``brainmodel.model.parameters.derive_seeds``), so changing the stimulus never changes
the network. Brian2 objects are made from a Model by ``brainmodel.simulation.network``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, fields

import numpy as np
from projections import connectome as connectome_mod
from regions.cortex import model_layers

from ..errors import BrainmodelError
from ..inputs import atlas, densities
from ..inputs.bundle import single_layered_area
from . import connectivity, long_range, placement, pv_inputs, stimulus as stimulus_mod
from .cells import CellTable
from .loop import add_regions
from .parameters import derive_seeds


@dataclass(frozen=True)
class Network:
    """The network's structure: everything but the stimulus."""
    spec: object
    voxels: atlas.RegionVoxels
    cells: CellTable
    edges: tuple
    timings: dict
    background_factor: np.ndarray | None = None   # per cell, on the background weight (projections.cortical)
    area_group: dict = field(default_factory=dict)  # modelled area -> requested region
    n_cortex: int | None = None                 # cells after these belong to other regions
    nucleus_constants: dict | None = None       # their constants (brainmodel.model.nuclei)

    def group_of_cells(self) -> np.ndarray:
        """The requested region (e.g. SSp) of each cell, whose area may be a part (SSp-ul);
        thalamus, pons or cerebellum for the cells of those regions."""
        return np.array([self.area_group.get(a, a) for a in self.cells.region], dtype=object)

    def area_and_hemisphere_of_cells(self) -> np.ndarray:
        """Per cortical cell its modelled area and hemisphere ('SSp-ul left'); the other cells
        by region (thalamus, pons, cerebellum)."""
        system = self.system_of_cells()
        return np.array([f"{area} {side}" if s == "cortex" else g for area, side, s, g in
                         zip(self.cells.region, self.cells.hemisphere, system,
                             self.group_of_cells())], dtype=object)

    def system_of_cells(self) -> np.ndarray:
        """cortex, thalamus, pons or cerebellum per cell."""
        out = np.full(len(self.cells), "cortex", dtype=object)
        if self.n_cortex is not None:
            out[self.n_cortex:] = self.group_of_cells()[self.n_cortex:]
        return out

    @property
    def n_synapses(self) -> int:
        return int(sum(len(e) for e in self.edges))


@dataclass(frozen=True)
class Model(Network):
    """A network and what its runs stimulate (``brainmodel.model.stimulus.StimulusPlan``):
    ``stimulus`` and ``stimulated`` (bool per cell) of the primary run, ``runs`` the label and
    stimulated cells of every run of the compiled network."""
    stimulus: stimulus_mod.Stimulus | None = None
    stimulated: np.ndarray | None = None
    runs: tuple = ()


def build_model(config, inputs, spec, progress=print, plan_stimulus=None) -> Model:
    """The model of ``config`` from loaded ``inputs`` (``brainmodel.inputs.bundle``) and a cortex
    ``spec`` (``regions.cortex.default_spec()``). ``plan_stimulus(network, stimulus, config,
    progress) -> StimulusPlan`` lets an experiment move the stimulus or add runs (default: one
    run of the configured stimulus)."""
    timings = {}
    seeds = derive_seeds(config.seed)
    build_start = start = time.perf_counter()
    area_group = resolve_areas(config, inputs)
    voxels = atlas.select_regions(inputs.annotation, inputs.ontology, list(area_group),
                                  config.hemisphere)
    timings["atlas_s"] = time.perf_counter() - start
    stim = stimulus_mod.resolve(config.stimulus, voxels, config.duration_ms,
                                stimulus_mod.default_region(config, area_group, voxels))
    progress(f"atlas: {len(voxels)} voxels of {','.join(config.regions)} ({config.hemisphere})")

    start = time.perf_counter()
    type_density = densities.voxel_type_densities(spec, inputs.kim, voxels.region, voxels.layer)
    cells = placement.place_cells(voxels, type_density, list(spec.types),
                                  model_layers(voxels.layer), spec.populations, config.density,
                                  seeds["placement"])
    timings["placement_s"] = time.perf_counter() - start
    progress(f"placement: {len(cells)} cells at density fraction {config.density}")

    start = time.perf_counter()
    edges = connectivity.local_edges(
        cells, spec, config.density, config.indegree_fraction, seeds["connectivity"], progress,
        voxels.resolution_um, config.dt_ms,
        input_factors=pv_inputs.pv_input_factors(spec, inputs.kim, cells.region))
    timings["connectivity_s"] = time.perf_counter() - start
    n_syn = sum(len(e) for e in edges)
    progress(f"connectivity: {n_syn} synapses ({n_syn / max(len(cells), 1):.0f} per cell) in "
             f"{timings['connectivity_s']:.1f} s")
    edges, background_factor = long_range.add_long_range(
        config, inputs, spec, cells, edges, area_group, seeds["projections"], progress)
    network = Network(spec, voxels, cells, tuple(edges), timings, background_factor, area_group)
    if config.nuclei:
        network = add_regions(network, config, inputs, seeds, progress)
    plan = (plan_stimulus or _single_run)(network, stim, config, progress)
    stimulated = stimulus_mod.stimulated_cells(plan.stimulus, network.cells)
    if not stimulated.any():
        raise BrainmodelError(f"the stimulus voxel {plan.stimulus.voxel_ijk} holds no "
                              f"{plan.stimulus.layer} cells at density {config.density}; raise "
                              f"--density or pick another voxel")
    network.timings["build_s"] = time.perf_counter() - build_start
    return Model(**{f.name: getattr(network, f.name) for f in fields(Network)},
                 stimulus=plan.stimulus, stimulated=stimulated, runs=plan.runs)


def _single_run(network, stimulus, config, progress):
    return stimulus_mod.single_run(stimulus, network.cells)


def resolve_areas(config, inputs) -> dict:
    """The modelled areas ({area: requested region}).

    One layered area in one hemisphere and no other region (the default MOp) needs no
    connectome; any other selection is expanded to the Knox 2019 source areas
    (``projections.connectome.expand_areas``), which also serve the long-range and the
    non-cortical projections."""
    if single_layered_area(config, inputs.ontology):
        return {config.regions[0]: config.regions[0]}
    if inputs.knox is None:
        raise BrainmodelError("these inputs lack the Knox 2019 connectome that this selection "
                              "of regions needs; load them with brainmodel.load_inputs(config)")
    return connectome_mod.expand_areas(config.regions, inputs.ontology, inputs.knox)
