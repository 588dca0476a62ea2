"""Projections of the motor loop between cortex, thalamus, pons and cerebellum.

Rules (reference study, DESIGN.md: presynaptic = cortex L2-6 E, Purkinje, deep-nuclei E, pons E,
thalamic TC; postsynaptic = cortex all layers and types, granule cells, deep-nuclei E, pons E,
TC), restricted to the anatomical routes of the loop:

| pathway | pre | post | in-degree (full density) | weight | source |
|---|---|---|---|---|---|
| cortico-pontine | cortex L5B E | pons E | 1000 | 0.006 | L5B pyramidal-tract cells (DESIGN.md); K assumed |
| cortico-thalamic | cortex L5B and L6 E | TC | 1000 | 0.0003 | assumed |
| thalamo-cortical | TC | all cortex cells | Knox share of K_ext | cortex long-range weights | Knox 2019, like cortico-cortical |
| mossy fibres | pons E (contralateral) | granule cells | 4, fixed | 0.06 | 4 dendrites per granule cell (Houston et al. 2017) |
| mossy collaterals | pons E | deep-nuclei cells | 20, fixed | 0.005 | assumed |
| cerebello-thalamic | deep-nuclei cells | TC (contralateral) | 20, fixed | 0.01 | assumed |
| cortico-striatal | cortex L2/3, L5A, L5B E | striatum D1, D2, FSI | 1000 | 0.0006 | IT and PT cells both reach the striatum (Shepherd 2013, Nat Rev Neurosci 14:278); K assumed |
| striato-pallidal (indirect) | striatum D2 | GPe (GABA) | 500 | 0.003 | assumed |
| pallido-thalamic | GPe | TC (GABA) | 20, fixed | 0.01 | closes cortex -> striatum -> pallidum -> thalamus (DESIGN.md); in the brain the thalamic output of the basal ganglia is GPi/SNr, which is not modelled; assumed |

A projection whose regions are not both modelled is left out (the basal-ganglia model has no
thalamus, the motor loop no striatum).

Purkinje -> deep nuclei is local to the cerebellum (``regions/cerebellum.py``). The split of a
cortical in-degree between MOp and MOs follows the Knox 2019 weight x source volume onto the
target (PG or VAL). Scaled pathways draw pairs with probability K x f / N_pre(full) and divide
the weight by f, f the density fraction of the presynaptic region; fixed ones keep K and weight.
Delays: synaptic delay plus distance at 1 m/s (``projections.cortical``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from brainmodel.errors import BrainmodelError
from brainmodel.model import connectivity
from brainmodel.model.edges import EdgeTable, delays_ms, edge_table

from .cortical import LONG_RANGE_VELOCITY_UM_PER_MS, source_shares


@dataclass(frozen=True)
class Projection:
    name: str
    pre: tuple[str, tuple[str, ...], tuple[str, ...]]     # (region, layers or (), cell types)
    post: tuple[str, tuple[str, ...], tuple[str, ...]]
    indegree: float
    weight_full: float
    fixed: bool = False
    receptor: str = "ampa"


PROJECTIONS = (
    Projection("cortico-pontine", ("cortex", ("L5B",), ("E",)), ("pons", (), ("E",)), 1000,
               0.006),
    Projection("cortico-thalamic", ("cortex", ("L5B", "L6"), ("E",)), ("thalamus", (), ("TC",)),
               1000, 0.0003),
    Projection("mossy fibres", ("pons", (), ("E",)), ("cerebellum", (), ("GrC",)), 4, 0.06,
               fixed=True),
    Projection("mossy collaterals", ("pons", (), ("E",)), ("cerebellum", (), ("DCN",)), 20,
               0.005, fixed=True),
    Projection("cerebello-thalamic", ("cerebellum", (), ("DCN",)), ("thalamus", (), ("TC",)), 20,
               0.01, fixed=True),
    Projection("cortico-striatal", ("cortex", ("L2/3", "L5A", "L5B"), ("E",)),
               ("striatum", (), ("D1", "D2", "FSI")), 1000, 0.0006),
    Projection("striato-pallidal", ("striatum", (), ("D2",)), ("pallidum", (), ("GPe",)), 500,
               0.003, receptor="gaba"),
    Projection("pallido-thalamic", ("pallidum", (), ("GPe",)), ("thalamus", (), ("TC",)), 20,
               0.01, fixed=True, receptor="gaba"),
)
CORTICAL_TARGET_STRUCTURE = {"pons": "PG", "thalamus": "VAL", "striatum": "CP"}


def _members(cells, system: np.ndarray, region: str, layers, cell_types) -> np.ndarray:
    mask = (system == region) & np.isin(cells.type, cell_types)
    if layers:
        mask &= np.isin(cells.layer, layers)
    return np.flatnonzero(mask)


def loop_edges(cells, system: np.ndarray, density: dict, connectome, volumes: dict, seed: int,
               synaptic_delay_ms: float, projections=PROJECTIONS,
               dt_ms: float = 0.1) -> list[EdgeTable]:
    """One EdgeTable per projection between the modelled regions;
    ``system`` names each cell's region (cortex, thalamus, ...) and ``density`` each region's
    density fraction."""
    out = []
    for n, proj in enumerate(projections):
        if proj.pre[0] not in density or proj.post[0] not in density:
            continue
        pre_all = _members(cells, system, *proj.pre)
        post = _members(cells, system, *proj.post)
        if len(pre_all) == 0 or len(post) == 0:
            raise BrainmodelError(f"{proj.name}: no {proj.pre} or {proj.post} cells")
        rng = np.random.default_rng([int(seed), n])
        f = density[proj.pre[0]]
        if proj.fixed:
            pre, post_ids = connectivity.fixed_indegree([pre_all] * len(post), post, int(proj.indegree), rng)
            weight = np.full(len(pre), proj.weight_full)
        else:
            groups = _source_groups(cells, pre_all, proj, connectome, volumes)
            pre_parts, post_parts = [], []
            for source_ids, share in groups:
                p = proj.indegree * share * f / len(source_ids)
                if p > 1:
                    raise BrainmodelError(f"{proj.name}: pair probability {p:.2f} > 1")
                a, b = connectivity.bernoulli_pairs(source_ids, post, p, rng)
                pre_parts.append(a)
                post_parts.append(b)
            pre, post_ids = np.concatenate(pre_parts), np.concatenate(post_parts)
            weight = np.full(len(pre), proj.weight_full / f)
        out.append(edge_table(pre, post_ids, weight,
                              delays_ms(pre, post_ids, cells.position_um, synaptic_delay_ms,
                                        LONG_RANGE_VELOCITY_UM_PER_MS), proj.receptor, dt_ms))
    return out


def _source_groups(cells, pre_ids, proj, connectome, volumes):
    """[(pre ids of one cortical area, share)]; a non-cortical source is one group."""
    if proj.pre[0] != "cortex":
        return [(pre_ids, 1.0)]
    target = CORTICAL_TARGET_STRUCTURE[proj.post[0]]
    areas = list(dict.fromkeys(cells.region[pre_ids]))
    strength = {a: max(connectome.strength(a, target, "ipsi"), 0.0) * volumes.get(a, 0.0)
                for a in areas}
    total = sum(strength.values())
    if total <= 0:
        raise BrainmodelError(f"{proj.name}: the connectome has no projection from "
                              f"{', '.join(areas)} to {target}")
    return [(pre_ids[cells.region[pre_ids] == a], strength[a] / total) for a in areas
            if strength[a] > 0]


def thalamocortical_edges(cells, system: np.ndarray, cortex_spec, connectome, volumes: dict,
                          thalamus_density: float, seed: int, synaptic_delay_ms: float,
                          dt_ms: float = 0.1):
    """TC -> every cortical cell: each cortical area's K_ext share from VAL (Knox 2019, as for
    cortico-cortical sources; ``projections.cortical.source_shares``). Returns (EdgeTable of the
    AMPA synapses, per-cortical-cell background factor)."""
    tc = _members(cells, system, "thalamus", (), ("TC",))
    cortex = np.flatnonzero(system == "cortex")
    factor = np.ones(len(cortex))
    n_tc_full = len(tc) / thalamus_density
    parts = []
    for t_index, area in enumerate(dict.fromkeys(cells.region[cortex])):
        share = source_shares(connectome, volumes, area, [("VAL", "ipsi")])[("VAL", "ipsi")]
        in_area = cortex[cells.region[cortex] == area]
        factor[np.isin(cortex, in_area)] = 1.0 - share
        for l_index, layer in enumerate(cortex_spec.layers):
            post = in_area[cells.layer[in_area] == layer]
            if len(post) == 0:
                continue
            p_full = cortex_spec.background_indegree[layer] * share / n_tc_full
            p = connectivity.scaled_probability(p_full, thalamus_density, thalamus_density)
            rng = np.random.default_rng([int(seed), 100 + t_index, l_index])
            parts.append(connectivity.bernoulli_pairs(tc, post, p, rng))
    pre, post = (np.concatenate(col) for col in zip(*parts))
    weight = np.array([cortex_spec.weight_full_long_range[t] for t in cells.type[post]])
    weight = weight / thalamus_density
    delay = delays_ms(pre, post, cells.position_um, synaptic_delay_ms,
                      LONG_RANGE_VELOCITY_UM_PER_MS)
    return edge_table(pre, post, weight, delay, "ampa", dt_ms), factor
