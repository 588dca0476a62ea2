"""Non-cortical regions (``regions/thalamus.py``, ``pons.py``, ``cerebellum.py``, ...): compartments
from the atlas, cell placement, local connections and per-cell neuron constants.

Placement: per class, a Poisson number of cells per voxel of its compartment (density x voxel
volume, or x voxel face area for planar classes such as Purkinje cells, x the region's density
fraction), uniform positions inside the voxel; one random stream per (seed, region, class).

Local connections (``regions.nuclei.LocalPathway``) have a fixed in-degree per post cell: K =
indegree x density fraction (or the full indegree for ``fixed`` pathways), drawn without
replacement among the eligible pre cells (all, those within a radius, or the parallel-fibre
window); when fewer are eligible, all of them. Weights are divided by the same factor as K.

Parallel fibres (Yamaura et al. 2020 use geometric conditions relative to the surface normal and
the folium axis): the folium axis at a cell is the medio-lateral direction projected onto the
plane tangent to the cerebellar surface (normal = gradient of the Laplace depth). A granule
cell's fibre reaches a Purkinje cell when, in the Purkinje cell's frame, their offset is at most
``PARALLEL_FIBRE_HALF_LENGTH_UM`` along the folium axis and at most
``PURKINJE_DENDRITE_HALF_WIDTH_UM`` along the sagittal tangent (the third axis, the normal, is
free: the fibre rises to the molecular layer).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from regions import cerebellum as cb
from scipy.spatial import cKDTree

from ..errors import BrainmodelError
from ..inputs.cerebellar_atlas import LAYER_CODES
from .connectivity import fixed_indegree
from .edges import EdgeTable, delays_ms, edge_table
from .scaling import background_moments

ML_AXIS = np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True)
class NucleusCells:
    """Cells of one non-cortical region, in id order (ids are assigned by the caller)."""
    region: str                 # region spec name (thalamus, pons, cerebellum)
    structure: np.ndarray       # CCF acronym of each cell's voxel
    compartment: np.ndarray     # layer-like label (nucleus, granular, Purkinje, ...)
    cell_class: np.ndarray      # class name (TC, E, GrC, ...)
    hemisphere: np.ndarray
    voxel_index: np.ndarray
    position_um: np.ndarray
    folium_axis: np.ndarray     # (N, 3) unit vectors; NaN outside the cerebellar cortex
    sagittal_axis: np.ndarray

    def __len__(self) -> int:
        return len(self.cell_class)


def structure_mask(annotation, ontology, acronyms, hemisphere: str) -> np.ndarray:
    ids = [d for a in acronyms for d in ontology.descendants(ontology.get(a).id)]
    return np.isin(annotation.volume, ids) & annotation.hemisphere_mask(hemisphere)


def compartments(spec, annotation, ontology, hemisphere: str, cerebellar_layers=None) -> dict:
    """Compartment name -> boolean volume of the region's voxels."""
    out = {}
    for name, acronyms in spec.structures.items():
        mask = structure_mask(annotation, ontology, acronyms, hemisphere)
        if not mask.any():
            raise BrainmodelError(f"{spec.name}: {', '.join(acronyms)} has no voxels in the "
                                  f"{hemisphere} hemisphere")
        if name != "cortex":
            out[name] = mask
            continue
        if cerebellar_layers is None:
            raise BrainmodelError(f"{spec.name}: cortex compartments need the cerebellar layers")
        for layer in cb.LAYER_COMPARTMENTS:
            if layer == "Purkinje":
                out[layer] = mask & cerebellar_layers.purkinje_surface
            else:
                out[layer] = mask & (cerebellar_layers.layer == LAYER_CODES[layer])
    return out


def place(spec, annotation, ontology, hemisphere: str, density_fraction: float, seed: int,
          region_index: int, cerebellar_layers=None) -> NucleusCells:
    """Cells of every class of ``spec`` (see module docstring)."""
    if not 0.0 < density_fraction <= 1.0:
        raise BrainmodelError(f"{spec.name} density must be in (0, 1], not {density_fraction}")
    masks = compartments(spec, annotation, ontology, hemisphere, cerebellar_layers)
    res = annotation.resolution_um
    axes = _cerebellar_axes(cerebellar_layers, res) if cerebellar_layers is not None else None
    structure_of = _structure_lookup(ontology, spec)
    parts = []
    for class_index, cell_class in enumerate(spec.cell_classes):
        ijk = np.argwhere(masks[cell_class.compartment])
        unit = (res / 1000.0) ** (2 if cell_class.planar else 3)
        rng = np.random.default_rng([int(seed), region_index, class_index])
        counts = rng.poisson(cell_class.density * unit * density_fraction, len(ijk))
        cell_ijk = np.repeat(ijk, counts, axis=0)
        position = (cell_ijk + rng.random((len(cell_ijk), 3))) * res
        flat = np.ravel_multi_index(tuple(cell_ijk.T), annotation.volume.shape)
        labels, inverse = np.unique(annotation.volume.ravel()[flat], return_inverse=True)
        structure = np.array([structure_of.get(int(label), "?") for label in labels],
                             dtype=object)[inverse]
        if axes is None:
            folium = sagittal = np.full((len(flat), 3), np.nan)
        else:
            folium, sagittal = axes[0].reshape(-1, 3)[flat], axes[1].reshape(-1, 3)[flat]
        parts.append((structure, np.full(len(flat), cell_class.compartment, dtype=object),
                      np.full(len(flat), cell_class.name, dtype=object),
                      np.full(len(flat), hemisphere, dtype=object), flat, position, folium,
                      sagittal))
        if counts.sum() == 0:
            raise BrainmodelError(f"{spec.name}: no {cell_class.name} cells at density "
                                  f"{density_fraction}; raise it with --region-density "
                                  f"{spec.name}=...")
    columns = [np.concatenate(col) for col in zip(*parts)]
    return NucleusCells(spec.name, *columns)


def _structure_lookup(ontology, spec) -> dict[int, str]:
    """Annotation label -> the region's structure acronym holding it (the first that does)."""
    out: dict[int, str] = {}
    for acronyms in spec.structures.values():
        for acronym in acronyms:
            for label in ontology.descendants(ontology.get(acronym).id):
                out.setdefault(int(label), acronym)
    return out


def _cerebellar_axes(layers, resolution_um: float):
    """Folium and sagittal unit vectors per voxel from the gradient of the cerebellar depth."""
    depth = np.nan_to_num(layers.depth, nan=0.0)
    normal = np.stack(np.gradient(depth), axis=-1)
    normal /= np.maximum(np.linalg.norm(normal, axis=-1, keepdims=True), 1e-12)
    folium = ML_AXIS - np.sum(normal * ML_AXIS, axis=-1, keepdims=True) * normal
    folium /= np.maximum(np.linalg.norm(folium, axis=-1, keepdims=True), 1e-12)
    sagittal = np.cross(normal, folium)
    return folium, sagittal


def parallel_fibre_window(granule_position: np.ndarray, purkinje_position: np.ndarray,
                          folium_axis: np.ndarray, sagittal_axis: np.ndarray,
                          half_length_um: float, half_width_um: float) -> np.ndarray:
    """Bool (granule cells,) whose fibre passes through the dendritic tree of one Purkinje cell
    with the given folium and sagittal axes."""
    offset = granule_position - purkinje_position
    along = np.abs(offset @ folium_axis)
    across = np.abs(offset @ sagittal_axis)
    return (along <= half_length_um) & (across <= half_width_um)


def local_edges(spec, cells: NucleusCells, first_id: int, density_fraction: float, seed: int,
                region_index: int, synaptic_delay_ms: float,
                velocity_um_per_ms: float, dt_ms: float = 0.1) -> list[EdgeTable]:
    """One EdgeTable per local pathway of the region (global ids from ``first_id``)."""
    out = []
    for n, pathway in enumerate(spec.pathways):
        pre = np.flatnonzero(cells.cell_class == pathway.pre)
        post = np.flatnonzero(cells.cell_class == pathway.post)
        scale = 1.0 if pathway.fixed else density_fraction
        k = max(1, int(round(pathway.indegree * scale)))
        rng = np.random.default_rng([int(seed), region_index, n])
        if pathway.rule == "uniform":
            candidates = [pre] * len(post)
        elif pathway.rule == "radius":
            tree = cKDTree(cells.position_um[pre])
            candidates = [pre[np.asarray(c, dtype=np.int64)] for c in tree.query_ball_point(
                cells.position_um[post], pathway.radius_um)]
        elif pathway.rule == "parallel_fibre":
            candidates = [pre[parallel_fibre_window(
                cells.position_um[pre], cells.position_um[p], cells.folium_axis[p],
                cells.sagittal_axis[p], cb.PARALLEL_FIBRE_HALF_LENGTH_UM,
                cb.PURKINJE_DENDRITE_HALF_WIDTH_UM)] for p in post]
        else:
            raise BrainmodelError(f"{spec.name}: unknown connection rule {pathway.rule!r}")
        pre_ids, post_ids = fixed_indegree(candidates, post, k, rng)
        keep = pre_ids != post_ids
        pre_ids, post_ids = pre_ids[keep], post_ids[keep]
        receptor = spec.cell_class(pathway.pre).receptor
        out.append(edge_table(pre_ids + first_id, post_ids + first_id,
                              pathway.weight_full / scale,
                              delays_ms(pre_ids, post_ids, cells.position_um, synaptic_delay_ms,
                                        velocity_um_per_ms), receptor, dt_ms))
    return out


def constants(spec, cells: NucleusCells, cortex_spec, background_sources: int
              ) -> dict[str, np.ndarray]:
    """Per-cell Izhikevich constants, background weight and bias mean/SD for the region's cells.

    ``background_sources`` Poisson inputs (the cortex's count at this in-degree) at the
    cortex's rate carry the class's full in-degree. Bias-driven classes (no
    ``target_mean_input``) scale the weight by 1 / k (weight x in-degree / sources), which keeps
    the background's mean. Fluctuation-driven classes scale it like the cortex's background, by
    1 / sqrt(k) of its full-scale value (which keeps its variance;
    ``brainmodel.model.parameters.cell_constants``), and their bias mean is the target minus
    the mean current this background gives at the cortex's reference potential, so their mean
    input sits at the target at every k."""
    keys = ("a", "b", "c", "d", "w_background", "bias_mean", "bias_sd")
    out = {key: np.zeros(len(cells)) for key in keys}
    full_sources = cortex_spec.background_sources
    for cell_class in spec.cell_classes:
        mask = cells.cell_class == cell_class.name
        for key, value in zip("abcd", cell_class.neuron.parameters):
            out[key][mask] = value
        total = cell_class.background_weight * cell_class.background_indegree
        out["bias_mean"][mask] = cell_class.bias_mean
        if cell_class.target_mean_input is None:
            out["w_background"][mask] = total / background_sources
        else:
            weight = total / full_sources * np.sqrt(full_sources / background_sources)
            out["w_background"][mask] = weight
            out["bias_mean"][mask] = cell_class.target_mean_input - background_mean_current(
                cortex_spec, background_sources, weight)
        out["bias_sd"][mask] = cell_class.bias_sd
    return out


def background_mean_current(cortex_spec, sources: int, weight: float) -> float:
    """Mean current (mV/ms) of ``sources`` Poisson inputs of ``weight`` at the cortex's
    background rate, AMPA decay and reference potential."""
    constants_mv_ms = cortex_spec.constants_mv_ms
    conductance = background_moments(sources, cortex_spec.background_rate_hz, weight,
                                     constants_mv_ms["tau_ampa"])[0]
    return conductance * (constants_mv_ms["E_ampa"] - cortex_spec.reference_potential_mv)
