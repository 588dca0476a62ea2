"""Atlas stage: voxels of the chosen regions, their cortical layers, depth, normals and coordinates.

Conventions (Allen CCF v3, Wang et al. 2020):
- Volumes are indexed (AP, DV, ML); voxel (i, j, k) has its centre at ((i, j, k) + 0.5) * res um,
  so x = anterior->posterior, y = dorsal->ventral, z = the medio-lateral axis.
- Hemispheres: the third axis runs from the animal's left to its right, so ML index < n_ML / 2
  (57 of 114 at 100 um) is the LEFT hemisphere. This is the convention of the Allen mesoscale
  connectivity models (Knox et al. 2019), whose injection (source) hemisphere, ML >= 57, is the right.
- Layers come from the leaf labels (e.g. MOp2/3): L1, L2/3, L4, L5, L6a, L6b. L5 is split into
  L5A (upper part) and L5B by relative depth inside L5 (see ``L5A_FRACTION``).

Depth field: Laplace's equation is solved over the whole isocortex with phi = 0 on layer-1 voxels
(pial side) and phi = 1 on non-isocortex brain voxels touching layer 6 (white-matter side), no
flux elsewhere. phi is the relative cortical depth; grad(phi) gives the inward surface normal.
The tangential (surface) coordinate of a point is its projection onto the layer-1 surface along
the local normal, ``surface = centre - depth_um * normal`` with ``depth_um`` the straight distance
to the nearest layer-1 voxel. Distances between surface coordinates are the "distance projected
on the plane tangent to the cortical surface" used by the connection rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage, sparse
from scipy.sparse import linalg as sparse_linalg

from . import data
from ..errors import BrainmodelError
from .ontology import Ontology

# Fraction of L5's relative depth occupied by L5A. In mouse motor and somatosensory cortex L5A is
# the thinner upper part of L5 (Anderson et al. 2010, Nat Neurosci 13:739, Fig. 1; Lefort et al.
# 2009, Neuron 61:301, Table 1: L5A 0.22 mm vs L5B 0.29 mm in barrel cortex -> 0.43).
L5A_FRACTION = 0.43

LAYER_SUFFIXES = {"1": "L1", "2/3": "L2/3", "2": "L2/3", "3": "L2/3", "4": "L4", "5": "L5",
                  "6a": "L6a", "6b": "L6b"}
HEMISPHERES = ("left", "right", "both")
SUPPORTED_RESOLUTIONS = (25, 50, 100)


@dataclass(frozen=True)
class Annotation:
    volume: np.ndarray          # (AP, DV, ML) structure ids, uint32
    resolution_um: float

    @property
    def midline(self) -> int:
        return self.volume.shape[2] // 2

    def hemisphere_mask(self, hemisphere: str) -> np.ndarray:
        if hemisphere not in HEMISPHERES:
            raise BrainmodelError(f"hemisphere must be one of {HEMISPHERES}, not {hemisphere!r}")
        ml = np.arange(self.volume.shape[2])
        if hemisphere == "both":
            keep = np.ones_like(ml, dtype=bool)
        else:
            keep = ml < self.midline if hemisphere == "left" else ml >= self.midline
        return np.broadcast_to(keep, self.volume.shape)


def load_annotation(data_dir: Path, resolution_um: int = 100) -> Annotation:
    import nrrd

    if resolution_um not in SUPPORTED_RESOLUTIONS:
        raise BrainmodelError(f"atlas resolution must be one of {SUPPORTED_RESOLUTIONS} um, "
                              f"not {resolution_um}")
    volume, _ = nrrd.read(str(data.require(data_dir, data.ANNOTATION[resolution_um])))
    return Annotation(np.ascontiguousarray(volume), float(resolution_um))


@dataclass(frozen=True)
class RegionVoxels:
    """Selected voxels (one row each) with everything later stages need."""
    resolution_um: float
    shape: tuple[int, int, int]
    flat_index: np.ndarray      # (N,) C-order index into the volume
    ijk: np.ndarray             # (N, 3)
    region: np.ndarray          # (N,) acronym of the selected region holding the voxel
    hemisphere: np.ndarray      # (N,) 'left' | 'right'
    layer: np.ndarray           # (N,) 'L1', 'L2/3', 'L4', 'L5A', 'L5B', 'L6a', 'L6b'
    depth: np.ndarray           # (N,) relative cortical depth, 0 pia .. 1 white matter
    depth_um: np.ndarray        # (N,) distance to layer 1, um
    normal: np.ndarray          # (N, 3) unit inward surface normal
    centre_um: np.ndarray       # (N, 3)
    surface_um: np.ndarray      # (N, 3) projection of the centre onto the pial (L1) surface

    def __len__(self) -> int:
        return len(self.flat_index)

    def find(self, ijk) -> int:
        """Row of voxel (i, j, k), or -1."""
        flat = np.ravel_multi_index(tuple(int(v) for v in ijk), self.shape) if all(
            0 <= int(v) < n for v, n in zip(ijk, self.shape)) else -1
        rows = np.flatnonzero(self.flat_index == flat)
        return int(rows[0]) if len(rows) else -1


def leaf_layers(ontology: Ontology, ids: np.ndarray) -> dict[int, str]:
    """Layer name of every isocortical leaf id among ``ids`` (by its acronym's suffix)."""
    out = {}
    for sid in np.unique(ids):
        s = ontology.by_id.get(int(sid))
        if s is None or s.parent_id is None:
            continue
        parent = ontology.by_id[s.parent_id].acronym
        if s.acronym.startswith(parent) and s.acronym[len(parent):] in LAYER_SUFFIXES:
            out[int(sid)] = LAYER_SUFFIXES[s.acronym[len(parent):]]
    return out


def _layer_volume(annotation: Annotation, ontology: Ontology) -> np.ndarray:
    """Per-voxel layer code over the whole isocortex: 0 none, 1 L1, 2 L2/3, 3 L4, 4 L5, 5 L6a, 6 L6b."""
    codes = {"L1": 1, "L2/3": 2, "L4": 3, "L5": 4, "L6a": 5, "L6b": 6}
    iso = set(ontology.descendants(ontology.get("Isocortex").id))
    ids = np.unique(annotation.volume)
    layer_of = {sid: codes[name] for sid, name in leaf_layers(ontology, ids).items() if sid in iso}
    lut_ids = np.array(sorted(layer_of), dtype=annotation.volume.dtype)
    lut_codes = np.array([layer_of[s] for s in lut_ids], dtype=np.int8)
    pos = np.searchsorted(lut_ids, annotation.volume)
    pos = np.clip(pos, 0, len(lut_ids) - 1)
    hit = lut_ids[pos] == annotation.volume
    return np.where(hit, lut_codes[pos], 0).astype(np.int8)


def solve_depth_field(layer_code: np.ndarray, brain: np.ndarray) -> np.ndarray:
    """Laplace potential over the cortex: 0 on L1, 1 on white-matter neighbours of L6; NaN outside."""
    cortex = layer_code > 0
    deep = (layer_code == 5) | (layer_code == 6)
    wm = brain & ~cortex & ndimage.binary_dilation(deep, ndimage.generate_binary_structure(3, 1))
    phi = laplace_potential(cortex & (layer_code != 1), layer_code == 1, wm, "cortical depth")
    phi[layer_code == 1] = 0.0
    return phi


def laplace_potential(domain: np.ndarray, zero: np.ndarray, one: np.ndarray,
                      what: str = "Laplace potential") -> np.ndarray:
    """Solution of Laplace's equation on the ``domain`` voxels (6-neighbour stencil), with
    phi = 0 on neighbouring ``zero`` voxels, phi = 1 on neighbouring ``one`` voxels and no flux
    across any other face. Returns phi on the domain, NaN elsewhere; sparse conjugate gradients."""
    index = -np.ones(domain.shape, dtype=np.int64)
    n = int(domain.sum())
    index[domain] = np.arange(n)
    rows, cols, rhs, diag = [], [], np.zeros(n), np.zeros(n)
    for axis in range(3):
        for step in (1, -1):
            neighbour_index = np.roll(index, -step, axis=axis)
            neighbour_domain = np.roll(domain, -step, axis=axis)
            neighbour_zero = np.roll(zero, -step, axis=axis)
            neighbour_one = np.roll(one, -step, axis=axis)
            edge = np.zeros(domain.shape, dtype=bool)       # no wrap-around through np.roll
            sl = [slice(None)] * 3
            sl[axis] = slice(-1, None) if step == 1 else slice(0, 1)
            edge[tuple(sl)] = True
            here = domain & ~edge
            coupled = here & (neighbour_domain | neighbour_zero | neighbour_one)
            diag += np.bincount(index[coupled], minlength=n)
            both = here & neighbour_domain
            rows.append(index[both])
            cols.append(neighbour_index[both])
            rhs += np.bincount(index[here & neighbour_one & ~neighbour_domain], minlength=n)
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    diag = diag + 1e-9 + (diag == 0)        # isolated voxels stay finite (phi = 0)
    matrix = sparse.csr_matrix((np.concatenate([diag, -np.ones(len(rows))]),
                                (np.concatenate([np.arange(n), rows]),
                                 np.concatenate([np.arange(n), cols]))), shape=(n, n))
    solution, info = sparse_linalg.cg(matrix, rhs, rtol=1e-8, maxiter=5000)
    if info != 0:
        raise BrainmodelError(f"{what} did not converge (cg info {info})")
    phi = np.full(domain.shape, np.nan)
    phi[domain] = np.clip(solution, 0.0, 1.0)
    return phi


def _normals(phi: np.ndarray, cortex: np.ndarray) -> np.ndarray:
    """Unit gradient of phi (inward normal), smoothed over 3x3x3 neighbourhoods inside the cortex."""
    valid = ~np.isnan(phi)
    _, nearest = ndimage.distance_transform_edt(~valid, return_indices=True)
    filled = phi[tuple(nearest)]
    grad = np.stack(np.gradient(filled), axis=-1)
    weight = cortex.astype(float)
    smooth = np.stack([ndimage.uniform_filter(grad[..., a] * weight, size=3) for a in range(3)],
                      axis=-1)
    norm = np.linalg.norm(smooth, axis=-1, keepdims=True)
    fallback = np.array([0.0, 1.0, 0.0])           # dorsal -> ventral
    return np.where(norm > 1e-12, smooth / np.maximum(norm, 1e-12), fallback)


def _l5_relative_depth(layer_code: np.ndarray, resolution_um: float) -> np.ndarray:
    """Relative depth inside L5 (0 top, 1 bottom) from distances to the layers above and below."""
    above = (layer_code >= 1) & (layer_code <= 3)
    below = layer_code >= 5
    d_up = ndimage.distance_transform_edt(~above) - 0.5
    d_down = ndimage.distance_transform_edt(~below) - 0.5
    return d_up / np.maximum(d_up + d_down, 1e-9)


def select_regions(annotation: Annotation, ontology: Ontology, acronyms, hemisphere: str = "left",
                   include_layer1: bool = False) -> RegionVoxels:
    """Voxels of the isocortical areas ``acronyms`` (with descendants) in one or both hemispheres."""
    acronyms = list(acronyms)
    if not acronyms:
        raise BrainmodelError("no regions given")
    isocortex = ontology.get("Isocortex").id
    hemi_mask = annotation.hemisphere_mask(hemisphere)
    region_of = np.full(annotation.volume.shape, -1, dtype=np.int16)
    for n, acronym in enumerate(acronyms):
        structure = ontology.get(acronym)
        if not ontology.is_descendant(structure.id, isocortex):
            raise BrainmodelError(
                f"region {acronym!r} is not an isocortical area; this model builds layered "
                f"cortex only (multi-region brains are a later capability)")
        mask = np.isin(annotation.volume, ontology.descendants(structure.id)) & hemi_mask
        if not mask.any():
            raise BrainmodelError(f"region {acronym!r} has no voxels in the {hemisphere} "
                                  f"hemisphere at {annotation.resolution_um:g} um")
        if (region_of[mask] >= 0).any():
            raise BrainmodelError(f"region {acronym!r} overlaps an earlier region in {acronyms}")
        region_of[mask] = n

    layer_code = _layer_volume(annotation, ontology)
    phi = solve_depth_field(layer_code, annotation.volume > 0)
    normal = _normals(phi, layer_code > 0)
    depth_um = (ndimage.distance_transform_edt(layer_code != 1) * annotation.resolution_um)
    l5_depth = _l5_relative_depth(layer_code, annotation.resolution_um)

    keep = (region_of >= 0) & (layer_code > 0)
    if not include_layer1:
        keep &= layer_code != 1
    ijk = np.argwhere(keep)
    idx = tuple(ijk.T)
    names = np.array(["", "L1", "L2/3", "L4", "L5", "L6a", "L6b"], dtype=object)
    layer = names[layer_code[idx]]
    is_l5 = layer == "L5"
    layer[is_l5] = np.where(l5_depth[idx][is_l5] < L5A_FRACTION, "L5A", "L5B")
    res = annotation.resolution_um
    centre = (ijk + 0.5) * res
    normals = normal[idx]
    depths_um = depth_um[idx]
    hemis = np.where(ijk[:, 2] < annotation.midline, "left", "right").astype(object)
    return RegionVoxels(
        resolution_um=res, shape=annotation.volume.shape,
        flat_index=np.ravel_multi_index(tuple(ijk.T), annotation.volume.shape),
        ijk=ijk, region=np.array(acronyms, dtype=object)[region_of[idx]], hemisphere=hemis,
        layer=layer.astype(object), depth=phi[idx], depth_um=depths_um, normal=normals,
        centre_um=centre, surface_um=centre - depths_um[:, None] * normals)
