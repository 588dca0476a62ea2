"""The non-cortical regions of a model: thalamus, pons, cerebellum, striatum and pallidum cells,
their local connections and the projections between the regions (``projections.subcortical``),
appended to the cortex's network (``brainmodel.model.build``).

Cortical cells keep ids 0..n_cortex-1 (so the cortex network is unchanged by adding regions,
apart from the thalamo-cortical inputs that replace part of its background); the regions follow
in the order of ``config.nuclei``.
"""
from __future__ import annotations

import dataclasses
import importlib
import time

import numpy as np
from projections import connectome as connectome_mod
from projections import subcortical as loop

from ..inputs import cerebellar_atlas
from . import nuclei
from .cells import append_cells
from .parameters import background_sources


def region_specs(names) -> list:
    """The SPEC of each named region module (names checked by RunConfig.validate)."""
    return [importlib.import_module(f"regions.{n}").SPEC for n in names]


def region_density(config, name: str, spec) -> float:
    """--region-density, else the region's default, else the cortex's --density."""
    default = spec.default_density if spec.default_density is not None else config.density
    return dict(config.region_density).get(name, default)


def add_regions(network, config, inputs, seeds: dict, progress=print):
    """``network`` (the cortex) with the regions of ``config.nuclei`` and the loop projections."""
    start = time.perf_counter()
    annotation, ontology, knox = inputs.annotation, inputs.ontology, inputs.knox
    specs = region_specs(config.nuclei)
    cortex_side = network.cells.hemisphere[0]
    other_side = "right" if cortex_side == "left" else "left"
    layers = None
    if any(s.name == "cerebellum" for s in specs):
        layers = cerebellar_atlas.cerebellar_layers(annotation, ontology,
                                                    inputs.cerebellar_thickness)
    n_cortex = len(network.cells)
    cells = network.cells
    density = {"cortex": config.density}
    extra_edges, constants, area_group = [], [], dict(network.area_group)
    # the same number of Poisson background inputs as the cortex cells (parameters.cell_constants)
    sources = background_sources(network.spec, config.indegree_fraction)
    cortex_spec = network.spec
    for index, spec in enumerate(specs):
        f = region_density(config, spec.name, spec)
        density[spec.name] = f
        side = cortex_side if spec.side == "ipsi" else other_side
        part = nuclei.place(spec, annotation, ontology, side, f, seeds["placement"], index + 1,
                            layers)
        first = len(cells)
        cells = append_cells(cells, part.structure, part.hemisphere, part.compartment,
                             part.cell_class, part.voxel_index, part.position_um)
        extra_edges += nuclei.local_edges(spec, part, first, f, seeds["connectivity"], index + 1,
                                          cortex_spec.synaptic_delay_ms,
                                          cortex_spec.velocity_um_per_ms, config.dt_ms)
        constants.append(nuclei.constants(spec, part, cortex_spec, sources))
        area_group.update({s: spec.name for s in set(part.structure)})
        counts = ", ".join(f"{c.name} {int(np.sum(part.cell_class == c.name))}"
                           for c in spec.cell_classes)
        progress(f"{spec.name} ({side}, density {f:g}): {counts}")
    system = np.array(["cortex"] * n_cortex + [area_group[s] for s in cells.region[n_cortex:]],
                      dtype=object)
    volumes = connectome_mod.region_volumes(annotation, ontology, knox.sources)
    extra_edges += loop.loop_edges(cells, system, density, knox, volumes,
                                   seeds["projections"] + 1, cortex_spec.synaptic_delay_ms,
                                   dt_ms=config.dt_ms)
    factor = np.ones(len(cells))
    if network.background_factor is not None:
        factor[:n_cortex] = network.background_factor
    if "thalamus" in density:
        tc, tc_factor = loop.thalamocortical_edges(cells, system, cortex_spec, knox, volumes,
                                                   density["thalamus"], seeds["projections"] + 2,
                                                   cortex_spec.synaptic_delay_ms,
                                                   dt_ms=config.dt_ms)
        extra_edges.append(tc)
        factor[:n_cortex] *= tc_factor
    edges = [*network.edges, *extra_edges]
    merged_constants = {k: np.concatenate([c[k] for c in constants]) for k in constants[0]}
    n_extra = sum(len(e) for e in edges) - network.n_synapses
    timings = dict(network.timings, nuclei_s=time.perf_counter() - start)
    progress(f"regions and loop projections: {len(cells) - n_cortex} cells, {n_extra} synapses "
             f"in {timings['nuclei_s']:.1f} s")
    return dataclasses.replace(network, cells=cells, edges=tuple(edges), timings=timings,
                               background_factor=factor, area_group=area_group,
                               n_cortex=n_cortex, nucleus_constants=merged_constants)
