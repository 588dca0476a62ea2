"""Connectome sources for inter-region projections, read with numpy/json only (no allensdk).

Regional matrices (offline, in the data directory; rows = sources, columns = targets):
- Knox et al. 2019 (Netw Neurosci 3:217) homogeneous model on the CCF v3 summary structures,
  ``knox2019_homogeneous_model/homogeneous-standard-model.csv``: 291 sources x (291 ipsilateral +
  286 contralateral) targets, relative weights. A few tiny sources are ill-conditioned in that fit
  (for example SFO -> contralateral CA1 = 1.3e5 while the strongest real projections are ~20);
  sources with any weight above ``KNOX_MAX_WEIGHT`` are dropped.
  Both regional models give the projection per unit of injected source volume (Oh 2014), so the
  input a target receives from a whole source region is weight x source volume.
- Oh et al. 2014 (Nature 508:207) linear model, ``oh2014_linear_model/W_ipsi.csv`` and
  ``W_contra.csv`` (213 x 213, 2011 atlas acronyms) with p-values in ``PValue_*.csv``.

MCM voxel model (Knox et al. 2019), used when its files are present in a folder:
    C57BL-6J_weights.npy       (n_source_voxels, rank)  float
    C57BL-6J_nodes.npy         (rank, n_target_voxels)  float
    source_mask_params.json    {"structure_ids": [...], "hemisphere": 1 | 2 | 3}
    target_mask_params.json    the same for the targets
They are served at ``VOXEL_MODEL_URL`` (about 0.6 GB). The voxel-to-voxel strength is
``weights @ nodes``. The source (target) voxels are the voxels of the 100 um annotation that lie
in the mask's structures or their descendants and in its hemisphere (1: ML index < midline,
2: ML >= midline, 3: both), in C order of the (AP, DV, ML) volume, which is the order the model
was fitted in.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from brainmodel.inputs import data
from brainmodel.errors import BrainmodelError
from brainmodel.inputs.atlas import leaf_layers


def _shared_file(relpath: str, sha256: str) -> data.DataFile:
    return data.DataFile(relpath, sha256, "it comes with the shared data folder (see its "
                                          "PROVENANCE.md for the original source)")


# sha256 as listed in each folder's PROVENANCE.md
KNOX_FILE = _shared_file("knox2019_homogeneous_model/homogeneous-standard-model.csv",
                         "cd423c91dcd443a041fc4f7c9d9b7518fec896045e74a66182559554b76403bb")
OH_FILES = {
    "ipsi": _shared_file("oh2014_linear_model/W_ipsi.csv",
                         "78b14874017b69feae798691d09c87dcfc7ed7054a84a054874b9104cc564312"),
    "contra": _shared_file("oh2014_linear_model/W_contra.csv",
                           "4faa8a93b17e559ef1e73738d3f01b32537475a80b7c406d45c7b584b792ac5a")}
OH_PVALUE_FILES = {
    "ipsi": _shared_file("oh2014_linear_model/PValue_ipsi.csv",
                         "8cfc4af6539cd31b909afa6f0efa6b6ca8cc3dc853465f47c5eb60858f734161"),
    "contra": _shared_file("oh2014_linear_model/PValue_contra.csv",
                           "64b733c99fb459d8fb8ab167290a36de91bdc8c4e59ec7b0f20271406040aac5")}

# The strongest credible weights of the Knox homogeneous fit are ~20 (CA3 -> CA1 20.5, LGd ->
# VISp 21.1); ill-conditioned tiny sources reach 1e2-1e5 (SFO, SO, FC, DEC, ECU, NTB, ICB, SH,
# RPA, SG, DCO, x, VI are dropped; the 95th percentile of the row maxima is 78).
KNOX_MAX_WEIGHT = 100.0
VOXEL_MODEL_URL = ("https://download.alleninstitute.org/publications/"
                   "A_high_resolution_data-driven_model_of_the_mouse_connectome/")
VOXEL_MODEL_FILES = ("C57BL-6J_weights.npy", "C57BL-6J_nodes.npy", "source_mask_params.json",
                     "target_mask_params.json")
SIDES = ("ipsi", "contra")


@dataclass(frozen=True)
class RegionalConnectome:
    """Region-to-region weights; ``ipsi[s, t]`` and ``contra[s, t]`` for acronyms s, t."""
    name: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    ipsi: np.ndarray
    contra: np.ndarray

    def matrix(self, side: str) -> np.ndarray:
        if side not in SIDES:
            raise BrainmodelError(f"side must be one of {SIDES}, not {side!r}")
        return self.ipsi if side == "ipsi" else self.contra

    def strength(self, source: str, target: str, side: str = "ipsi") -> float:
        return float(self.matrix(side)[self._row(source), self._column(target)])

    def inputs_to(self, target: str, side: str = "ipsi") -> dict[str, float]:
        """Weight from every source onto one target region (a column)."""
        column = self.matrix(side)[:, self._column(target)]
        return dict(zip(self.sources, column.tolist()))

    def _row(self, acronym: str) -> int:
        return _position(self.sources, acronym, "source", self.name)

    def _column(self, acronym: str) -> int:
        return _position(self.targets, acronym, "target", self.name)


def _position(labels: tuple[str, ...], acronym: str, role: str, name: str) -> int:
    try:
        return labels.index(acronym)
    except ValueError:
        raise BrainmodelError(f"{acronym!r} is not a {role} region of the {name} "
                              f"connectome") from None


def load_knox_homogeneous(data_dir: Path, ontology) -> RegionalConnectome:
    """Knox 2019 homogeneous model, ill-conditioned sources dropped (see module docstring)."""
    with data.require(data_dir, KNOX_FILE).open(newline="") as handle:
        rows = list(csv.reader(handle))
    sides, target_ids = rows[0][1:], [int(t) for t in rows[1][1:]]
    source_ids = [int(r[0]) for r in rows[2:]]
    values = np.array([[float(x) for x in r[1:]] for r in rows[2:]])
    keep = values.max(axis=1) <= KNOX_MAX_WEIGHT
    acronym = {sid: ontology.by_id[sid].acronym for sid in set(source_ids) | set(target_ids)}
    sources = tuple(acronym[s] for s, k in zip(source_ids, keep) if k)
    by_side = {}
    for side in SIDES:
        columns = [c for c, s in enumerate(sides) if s == side]
        by_side[side] = (tuple(acronym[target_ids[c]] for c in columns), values[keep][:, columns])
    # contralateral targets are a subset of the ipsilateral ones; align them on one target list
    targets = by_side["ipsi"][0]
    contra = np.zeros((len(sources), len(targets)))
    contra_targets, contra_values = by_side["contra"]
    contra[:, [targets.index(t) for t in contra_targets]] = contra_values
    return RegionalConnectome("Knox 2019 homogeneous", sources, targets, by_side["ipsi"][1],
                              contra)


def _read_labelled_matrix(path: Path) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    columns = tuple(rows[0][1:])
    labels = tuple(r[0] for r in rows[1:])
    values = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
    return labels, columns, values


def load_oh2014(data_dir: Path, max_pvalue: float | None = None) -> RegionalConnectome:
    """Oh et al. 2014 linear model; weights with p >= max_pvalue set to 0 when it is given."""
    matrices, labels = {}, None
    for side in SIDES:
        rows, columns, weights = _read_labelled_matrix(data.require(data_dir, OH_FILES[side]))
        if max_pvalue is not None:
            p_rows, p_columns, pvalues = _read_labelled_matrix(
                data.require(data_dir, OH_PVALUE_FILES[side]))
            if (p_rows, p_columns) != (rows, columns):
                raise BrainmodelError(f"Oh 2014 p-values and weights ({side}) have different labels")
            weights = np.where(pvalues < max_pvalue, weights, 0.0)
        if labels is not None and labels != (rows, columns):
            raise BrainmodelError("Oh 2014 ipsi and contra matrices have different labels")
        labels = (rows, columns)
        matrices[side] = weights
    return RegionalConnectome("Oh 2014 linear model", labels[0], labels[1], matrices["ipsi"],
                              matrices["contra"])


@dataclass(frozen=True)
class VoxelConnectome:
    """The MCM voxel model: strength between source and target voxels = weights @ nodes."""
    weights: np.ndarray             # (n_source_voxels, rank)
    nodes: np.ndarray               # (rank, n_target_voxels)
    source_voxels: np.ndarray       # (n_source_voxels, 3) annotation indices (AP, DV, ML)
    target_voxels: np.ndarray       # (n_target_voxels, 3)

    def strength(self, source_rows: np.ndarray, target_columns: np.ndarray) -> np.ndarray:
        """Voxel-to-voxel strength for the given source rows and target columns."""
        return self.weights[np.asarray(source_rows)] @ self.nodes[:, np.asarray(target_columns)]

    def rows_of(self, ijk: np.ndarray, side: str = "source") -> np.ndarray:
        """Row (source) or column (target) index of each voxel; -1 where it is not modelled."""
        voxels = self.source_voxels if side == "source" else self.target_voxels
        shape = np.maximum(voxels.max(axis=0), np.max(ijk, axis=0)) + 1
        lookup = np.full(int(np.prod(shape)), -1, dtype=np.int64)
        lookup[np.ravel_multi_index(voxels.T, shape)] = np.arange(len(voxels))
        return lookup[np.ravel_multi_index(np.asarray(ijk).T, shape)]


def mask_voxels(annotation, ontology, structure_ids, hemisphere: int) -> np.ndarray:
    """Voxel indices (C order) of the structures (with descendants) in an mcmodels hemisphere
    code: 1 left (ML < midline), 2 right, 3 both."""
    if hemisphere not in (1, 2, 3):
        raise BrainmodelError(f"mask hemisphere must be 1, 2 or 3, not {hemisphere!r}")
    ids = [d for sid in structure_ids for d in ontology.descendants(int(sid))]
    mask = np.isin(annotation.volume, ids)
    if hemisphere != 3:
        mask &= annotation.hemisphere_mask("left" if hemisphere == 1 else "right")
    return np.argwhere(mask)


def load_voxel_model(folder: Path, annotation, ontology) -> VoxelConnectome:
    """The MCM voxel model from a folder holding VOXEL_MODEL_FILES (see module docstring)."""
    folder = Path(folder)
    missing = [name for name in VOXEL_MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise BrainmodelError(f"MCM voxel model files missing in {folder}: {', '.join(missing)}; "
                              f"download them from {VOXEL_MODEL_URL}")
    weights = np.load(folder / VOXEL_MODEL_FILES[0], mmap_mode="r")
    nodes = np.load(folder / VOXEL_MODEL_FILES[1], mmap_mode="r")
    voxels = []
    for name in VOXEL_MODEL_FILES[2:]:
        params = json.loads((folder / name).read_text())
        voxels.append(mask_voxels(annotation, ontology, params["structure_ids"],
                                  int(params.get("hemisphere", 3))))
    if weights.shape[1] != nodes.shape[0]:
        raise BrainmodelError(f"voxel model rank mismatch: weights {weights.shape}, nodes "
                              f"{nodes.shape}")
    if (weights.shape[0], nodes.shape[1]) != (len(voxels[0]), len(voxels[1])):
        raise BrainmodelError(f"voxel model has {weights.shape[0]} x {nodes.shape[1]} voxels but "
                              f"the masks on this annotation give {len(voxels[0])} x "
                              f"{len(voxels[1])}; use the 100 um CCF 2017 annotation")
    return VoxelConnectome(weights, nodes, voxels[0], voxels[1])


def region_volumes(annotation, ontology, acronyms, hemisphere: str = "right") -> dict[str, int]:
    """Voxel count of each region (with descendants) in one hemisphere of the annotation."""
    labels, counts = np.unique(annotation.volume[annotation.hemisphere_mask(hemisphere)],
                               return_counts=True)
    count_of = dict(zip(labels.tolist(), counts.tolist()))
    return {a: int(sum(count_of.get(d, 0) for d in ontology.descendants(ontology.get(a).id)))
            for a in acronyms}


def long_range_probability(weights_onto_target: dict[str, float], source_volumes: dict[str, float],
                           modelled_sources: dict[str, int], inputs_per_cell: float,
                           exclude: tuple[str, ...] = ()) -> dict[str, float]:
    """Pair probability from each modelled source region onto cells of one target region.

    Normalisation (explicit): a target cell receives ``inputs_per_cell`` long-range synapses
    (full density). They are shared among ALL sources of the connectome in proportion to
    weight x source volume (the projection of the whole source region; regional weights are per
    unit of source volume), so sources that are not modelled keep their share (the caller decides
    what stands in for it; ``projections.cortical`` leaves it in the Poisson background).
    A modelled source s with N_s cells (full density) then gives each target
    cell inputs_per_cell * share_s synapses, a pair probability of that divided by N_s.
    ``exclude`` removes sources from the sharing, typically the target region itself, whose
    intra-area connections come from the local rules of its region module.
    """
    strength = {s: max(w, 0.0) * source_volumes.get(s, 0.0)
                for s, w in weights_onto_target.items() if s not in exclude}
    total = sum(strength.values())
    out = {}
    for source, n_cells in modelled_sources.items():
        if source not in strength:
            raise BrainmodelError(f"{source!r} is not a source region of the connectome"
                                  + (" (or it is excluded)" if source in exclude else ""))
        expected = inputs_per_cell * strength[source] / total if total > 0 else 0.0
        p = expected / n_cells if n_cells > 0 else 0.0
        if p > 1:
            raise BrainmodelError(f"{expected:.0f} inputs per cell from {source} exceed its "
                                  f"{n_cells} cells; lower inputs_per_cell")
        out[source] = p
    return out


def expand_areas(acronyms, ontology, connectome: RegionalConnectome) -> dict[str, str]:
    """The connectome's source areas that make up each requested region: {area: requested}.

    A requested acronym that is itself a source area stands for itself (``MOp``); a larger
    structure stands for the source areas under it (``SSp`` -> SSp-n, SSp-bfd, ..., SSp-un;
    ``Isocortex`` -> its 43 areas in the Knox 2019 model), so that every modelled area has a row
    and a column in the connectome."""
    out = {}
    for acronym in acronyms:
        structure = ontology.get(acronym)
        if acronym in connectome.sources:
            areas = [acronym]
        else:
            areas = [a for a in connectome.sources
                     if ontology.is_descendant(ontology.get(a).id, structure.id)]
        if not areas:
            raise BrainmodelError(f"region {acronym!r} contains no source area of the "
                                  f"{connectome.name} connectome; give an isocortical area "
                                  f"(MOp) or a structure that holds some (SSp, Isocortex)")
        for area in areas:
            if area in out:
                raise BrainmodelError(f"region {acronym!r} overlaps {out[area]!r} (both hold "
                                      f"{area})")
            out[area] = acronym
    return out


KOELLE_FILE = _shared_file(
    "koelle2023_leaf_connectivity/thresholded/el_leafsurf_leafsmth_leafleaf_C57BL6J_080222.csv",
    "bc8af5e2667358ed784e8769c2d286f4fa5313109e77c333fd368332a7695f29")


def load_koelle_leaf(data_dir: Path) -> RegionalConnectome:
    """Koelle et al. 2023 wild-type leaf-to-leaf model (thresholded, projection-normalised rows:
    relative target distributions). Sources without injections are NaN rows; contralateral
    targets are aligned on the ipsilateral list (0 where absent)."""
    with data.require(data_dir, KOELLE_FILE).open(newline="") as handle:
        rows = list(csv.reader(handle))
    sides, targets = rows[0][1:], rows[1][1:]
    body = [r for r in rows[2:] if r and r[0]]
    sources = tuple(r[0] for r in body)
    values = np.array([[float(x) if x not in ("", "nan", "NaN") else np.nan for x in r[1:]]
                       for r in body])
    ipsi_cols = [c for c, s in enumerate(sides) if s == "ipsi"]
    ipsi_targets = tuple(targets[c] for c in ipsi_cols)
    contra = np.zeros((len(sources), len(ipsi_targets)))
    contra[np.isnan(values[:, 0])] = np.nan
    for c, side in enumerate(sides):
        if side == "contra" and targets[c] in ipsi_targets:
            contra[:, ipsi_targets.index(targets[c])] = values[:, c]
    return RegionalConnectome("Koelle 2023 leaf (wild type)", sources, ipsi_targets,
                              values[:, ipsi_cols], contra)


def target_layer_profile(leaf: RegionalConnectome, ontology, source_area: str, target_area: str,
                         side: str) -> dict[str, float] | None:
    """Fraction of a source area's projection to a target area that lands in each target layer
    (atlas layer names L1, L2/3, L4, L5, L6a, L6b), from the leaf rows of the source that carry
    data (averaged); None when no leaf of the source was injected."""

    source_id = ontology.get(source_area).id
    rows = [n for n, s in enumerate(leaf.sources) if s in ontology.by_acronym
            and ontology.is_descendant(ontology.get(s).id, source_id)
            and not np.isnan(leaf.matrix(side)[n]).all()]
    if not rows:
        return None
    target_id = ontology.get(target_area).id
    columns = [c for c, t in enumerate(leaf.targets) if t in ontology.by_acronym
               and ontology.is_descendant(ontology.get(t).id, target_id)]
    layer_of = leaf_layers(ontology, np.array([ontology.get(leaf.targets[c]).id
                                               for c in columns]))
    mean_row = np.nanmean(leaf.matrix(side)[rows], axis=0)
    out: dict[str, float] = {}
    for c in columns:
        layer = layer_of.get(ontology.get(leaf.targets[c]).id)
        if layer is not None:
            out[layer] = out.get(layer, 0.0) + float(mean_row[c])
    return out if sum(out.values()) > 0 else None


def check_acronyms(connectome: RegionalConnectome, ontology) -> RegionalConnectome:
    """The connectome itself, after checking that the atlas ontology knows all its regions."""
    unknown = sorted({a for a in connectome.sources + connectome.targets
                      if a not in ontology.by_acronym})
    if unknown:
        raise BrainmodelError(f"the {connectome.name} connectome names regions the structure "
                              f"ontology does not know: {', '.join(unknown[:10])}"
                              + (" ..." if len(unknown) > 10 else ""))
    return connectome
