"""Cortico-cortical projections of a model with more than one area or hemisphere
(``projections.cortical``, Knox 2019 weights, Koelle 2023 target layers, flatmap topography);
they join the AMPA edge table."""
from __future__ import annotations

import functools
import time

import numpy as np
from projections import connectome as connectome_mod
from projections import cortical

from ..errors import BrainmodelError
from ..inputs import flatmap


def add_long_range(config, inputs, spec, cells, edges, area_group, seed, progress):
    """(edges with the long-range synapses added, per-cell background factor or None)."""
    if len(set(zip(cells.region, cells.hemisphere))) < 2:
        return edges, None
    if inputs.koelle is None or (config.topography and inputs.flat_voxels is None):
        raise BrainmodelError("these inputs lack the connectome or flatmap that long-range "
                              "projections need; load them with brainmodel.load_inputs(config)")
    start = time.perf_counter()
    annotation, ontology = inputs.annotation, inputs.ontology
    volumes = connectome_mod.region_volumes(annotation, ontology, inputs.knox.sources)
    relative = None
    if config.topography:
        shape = annotation.volume.shape
        flat = flatmap.cell_flat_coordinates(inputs.flat_voxels, cells.voxel_index, shape)
        requested = np.array([area_group.get(a, a) for a in cells.region], dtype=str)
        groups = np.char.add(requested, cells.hemisphere.astype(str))
        relative = flatmap.relative_positions(flat, groups, cells.hemisphere)
    profile = functools.lru_cache(maxsize=None)(functools.partial(
        connectome_mod.target_layer_profile, inputs.koelle, ontology))
    table, factor = cortical.long_range_edges(
        cells, spec, inputs.knox, volumes, config.density, config.indegree_fraction, seed,
        relative, layer_profile=profile, dt_ms=config.dt_ms)
    progress(f"long-range projections: {len(table)} synapses between "
             f"{len(set(zip(cells.region, cells.hemisphere)))} area-hemispheres in "
             f"{time.perf_counter() - start:.1f} s")
    return [*edges, table], factor
