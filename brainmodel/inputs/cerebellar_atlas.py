"""Cerebellar cortex layers, derived because CCF v3 labels only lobules.

Laplace's equation is solved inside the cerebellar cortex (CBX and its lobules) with phi = 0 on
the pial side (voxels outside the brain) and phi = 1 on the white-matter side (arbor vitae,
cerebellum-related fibre tracts and the cerebellar nuclei); other faces carry no flux. phi
orders voxels from pia to white matter. The layers are cut at the phi quantiles that give each
layer its thickness share of the cerebellar cortex volume (equivolume cut): molecular 150 um,
Purkinje 15 um, granular 130 um (De Schepper et al. 2022, Commun Biol 5,
doi:10.1038/s42003-022-04213-y, mouse canonical circuit; data file
``layer_thickness/cerebellar_cortex_dbbs_canonical.csv``). Cutting phi at the thickness
fractions themselves would give 35 % molecular voxels instead of 51 %: at 100 um the fissures
between touching folia are not resolved, so much of the cortex has no pial boundary nearby.
At 100 um the Purkinje layer is
thinner than a voxel, so besides the per-voxel layer code the voxels crossed by the mid-surface
of the Purkinje layer are marked (``purkinje_surface``): Purkinje cells are placed there by
planar density.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage

from . import data
from .atlas import laplace_potential
from ..errors import BrainmodelError

THICKNESS_FILE = data.DataFile(
    "layer_thickness/cerebellar_cortex_dbbs_canonical.csv",
    "cd9f13063864e09f202685d2e06bb2d21fd2221fd09aaaff452ade5d1a4dd0d4",
    "it comes with the shared data folder (transcribed from the dbbs-lab cerebellar-models "
    "mouse configuration; see layer_thickness/PROVENANCE.md)")
PIAL_SIDE = "outside the brain (annotation 0)"
WHITE_SIDE_ACRONYMS = ("arb", "cbf", "CBN")
LAYER_CODES = {"molecular": 1, "Purkinje": 2, "granular": 3}


@dataclass(frozen=True)
class LayerThickness:
    molecular_um: float
    purkinje_um: float
    granular_um: float

    @property
    def total_um(self) -> float:
        return self.molecular_um + self.purkinje_um + self.granular_um

    def boundaries(self) -> tuple[float, float, float]:
        """Volume fractions above: molecular/Purkinje border, Purkinje mid-surface, Purkinje/granular."""
        t = self.total_um
        return (self.molecular_um / t, (self.molecular_um + self.purkinje_um / 2) / t,
                (self.molecular_um + self.purkinje_um) / t)


def load_thickness(data_dir: Path) -> LayerThickness:
    path = data.require(data_dir, THICKNESS_FILE)
    with path.open(newline="") as handle:
        rows = {(r["layer"], r["quantity"]): float(r["value"]) for r in csv.DictReader(handle)}
    try:
        return LayerThickness(rows[("molecular_layer", "thickness")],
                              rows[("purkinje_layer", "thickness")],
                              rows[("granular_layer", "thickness")])
    except KeyError as missing:
        raise BrainmodelError(f"{path} lacks the thickness row {missing}") from None


@dataclass(frozen=True)
class CerebellarLayers:
    depth: np.ndarray               # Laplace potential, pia (0) to white matter (1); NaN outside
    layer: np.ndarray               # int8: 0 outside, 1 molecular, 2 Purkinje, 3 granular
    purkinje_surface: np.ndarray    # bool: voxels crossed by the Purkinje mid-surface

    def voxel_count(self, name: str) -> int:
        return int(np.sum(self.layer == LAYER_CODES[name]))


def cerebellar_layers(annotation, ontology, thickness: LayerThickness) -> CerebellarLayers:
    volume = annotation.volume
    cortex = np.isin(volume, ontology.descendants(ontology.get("CBX").id))
    if not cortex.any():
        raise BrainmodelError("the annotation holds no cerebellar cortex (CBX) voxels")
    white_ids = [d for a in WHITE_SIDE_ACRONYMS for d in ontology.descendants(ontology.get(a).id)]
    depth = laplace_potential(cortex, volume == 0, np.isin(volume, white_ids),
                              "cerebellar depth field")
    top, middle, bottom = np.quantile(depth[cortex], thickness.boundaries())
    layer = np.zeros(volume.shape, dtype=np.int8)
    layer[cortex & (depth < top)] = LAYER_CODES["molecular"]
    layer[cortex & (depth >= top) & (depth < bottom)] = LAYER_CODES["Purkinje"]
    layer[cortex & (depth >= bottom)] = LAYER_CODES["granular"]
    shallow = cortex & (depth < middle)
    touches_shallow = ndimage.binary_dilation(shallow, ndimage.generate_binary_structure(3, 1))
    surface = cortex & (depth >= middle) & touches_shallow
    return CerebellarLayers(depth, layer, surface)
