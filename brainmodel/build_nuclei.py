"""Builder phase for the non-cortical regions: appends thalamus, pons, cerebellum, striatum and
pallidum cells, their local connections and the projections between regions to a built cortex
model (``build.build_model``).

Cortical cells keep ids 0..n_cortex-1 (so the cortex network is unchanged by adding regions,
apart from the thalamo-cortical inputs that replace part of its background); the regions follow
in the order of ``config.nuclei``.
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np

from . import connectivity, subcortical
from .build import background_sources
from .placement import CellTable

REGION_MODULES = ("thalamus", "pons", "cerebellum", "striatum", "pallidum")


def region_specs(names) -> list:
    """The SPEC of each named region module (names checked by RunConfig.validate)."""
    import importlib

    return [importlib.import_module(f"regions.{n}").SPEC for n in names]


def region_density(config, name: str, spec) -> float:
    """--region-density, else the region's default, else the cortex's --density."""
    default = spec.default_density if spec.default_density is not None else config.density
    return dict(config.region_density).get(name, default)


def add_nuclei(model, config, annotation, ontology, knox, seeds: dict, progress=print):
    """The model with the regions of ``config.nuclei`` and the loop projections added."""
    from projections import connectome as connectome_mod
    from projections import subcortical as loop

    start = time.perf_counter()
    specs = region_specs(config.nuclei)
    cortex_side = model.cells.hemisphere[0]
    other_side = "right" if cortex_side == "left" else "left"
    layers = None
    if any(s.name == "cerebellum" for s in specs):
        from . import cerebellar_atlas, data
        data_dir = data.resolve_data_dir(config.data_dir)
        layers = cerebellar_atlas.cerebellar_layers(annotation, ontology,
                                                    cerebellar_atlas.load_thickness(data_dir))
    n_cortex = len(model.cells)
    cells = model.cells
    density = {"cortex": config.density}
    extra_edges, constants, area_group = [], [], dict(model.area_group)
    # the same number of Poisson background inputs as the cortex cells (build.cell_constants)
    sources = background_sources(model.spec, config.indegree_fraction)
    for index, spec in enumerate(specs):
        f = region_density(config, spec.name, spec)
        density[spec.name] = f
        side = cortex_side if spec.side == "ipsi" else other_side
        part = subcortical.place(spec, annotation, ontology, side, f, seeds["placement"],
                                 index + 1, layers)
        first = len(cells)
        cells = _append(cells, part)
        extra_edges += subcortical.local_edges(spec, part, first, f, seeds["connectivity"],
                                               index + 1, model.spec.synaptic_delay_ms,
                                               model.spec.velocity_um_per_ms)
        constants.append(subcortical.constants(spec, part, sources))
        area_group.update({s: spec.name for s in set(part.structure)})
        counts = ", ".join(f"{c.name} {int(np.sum(part.cell_class == c.name))}"
                           for c in spec.cell_classes)
        progress(f"{spec.name} ({side}, density {f:g}): {counts}")
    system = np.array(["cortex"] * n_cortex + [area_group[s] for s in cells.region[n_cortex:]],
                      dtype=object)
    volumes = connectome_mod.region_volumes(annotation, ontology, knox.sources)
    extra_edges += loop.loop_edges(cells, system, density, knox, volumes,
                                   seeds["projections"] + 1, model.spec.synaptic_delay_ms)
    factor = np.ones(len(cells))
    if model.background_factor is not None:
        factor[:n_cortex] = model.background_factor
    if "thalamus" in density:
        *tc, tc_factor = loop.thalamocortical_edges(cells, system, model.spec, knox, volumes,
                                                    density["thalamus"], seeds["projections"] + 2,
                                                    model.spec.synaptic_delay_ms)
        extra_edges.append((*tc, "ampa"))
        factor[:n_cortex] *= tc_factor
    edges = _merge(model.edges, extra_edges)
    merged_constants = {k: np.concatenate([c[k] for c in constants]) for k in constants[0]}
    stimulated = np.concatenate([model.stimulated, np.zeros(len(cells) - n_cortex, bool)])
    n_extra = sum(len(e) for e in edges) - sum(len(e) for e in model.edges)
    timings = dict(model.timings, nuclei_s=time.perf_counter() - start)
    progress(f"regions and loop projections: {len(cells) - n_cortex} cells, {n_extra} synapses "
             f"in {timings['nuclei_s']:.1f} s")
    return dataclasses.replace(model, cells=cells, edges=tuple(edges), stimulated=stimulated,
                               timings=timings, background_factor=factor,
                               area_group=area_group, n_cortex=n_cortex,
                               nucleus_constants=merged_constants)


def _append(cells: CellTable, part) -> CellTable:
    populations = list(cells.populations)
    for pop in dict.fromkeys(zip(part.compartment, part.cell_class)):
        if pop not in populations:
            populations.append(pop)
    code = {pop: n for n, pop in enumerate(populations)}
    population = np.array([code[p] for p in zip(part.compartment, part.cell_class)], np.int32)
    nan = np.full((len(part), 3), np.nan)
    return CellTable(
        region=np.concatenate([cells.region, part.structure]),
        hemisphere=np.concatenate([cells.hemisphere, part.hemisphere]),
        layer=np.concatenate([cells.layer, part.compartment]),
        type=np.concatenate([cells.type, part.cell_class]),
        population=np.concatenate([cells.population, population]),
        populations=tuple(populations),
        voxel_row=np.concatenate([cells.voxel_row, np.full(len(part), -1)]),
        voxel_index=np.concatenate([cells.voxel_index, part.voxel_index]),
        position_um=np.concatenate([cells.position_um, part.position_um]),
        surface_um=np.concatenate([cells.surface_um, nan]))


def _merge(edges, extra) -> list:
    """Cortex edge tables with the regions' edges [(pre, post, weight, delay, receptor)]."""
    by_receptor = {t.receptor: [(t.pre, t.post, t.weight, t.delay_ms)] for t in edges}
    for pre, post, weight, delay, receptor in extra:
        by_receptor.setdefault(receptor, []).append((pre, post, weight, delay))
    out = []
    for receptor, parts in by_receptor.items():
        pre, post, weight, delay = (np.concatenate(col) for col in zip(*parts))
        out.append(connectivity.EdgeTable(pre.astype(np.int64), post.astype(np.int64),
                                          weight, delay, receptor))
    return out
