"""All the data one run reads, loaded once before the build (``load_inputs``).

The builder (``brainmodel.model``) does no I/O: it gets an ``Inputs``. What is loaded follows
from the configuration: the atlas, ontology and Kim et al. (2017) densities always; the Knox
2019 regional connectome for any selection other than one layered area in one hemisphere; the
Koelle 2023 layer-resolved connectome for long-range projections (more than one area or both
hemispheres); the dorsal flatmap for their topographic kernel; the cerebellar layer thicknesses
when the cerebellum is modelled.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from projections import connectome

from . import cerebellar_atlas, data, densities, flatmap
from .atlas import Annotation, load_annotation
from .ontology import Ontology


@dataclass(frozen=True)
class Inputs:
    data_dir: Path
    annotation: Annotation
    ontology: Ontology
    kim: dict                                   # Kim et al. 2017 densities per area and layer
    knox: connectome.RegionalConnectome | None = None       # Knox 2019 homogeneous model
    koelle: connectome.RegionalConnectome | None = None     # Koelle 2023 leaf model
    flat_voxels: np.ndarray | None = None       # dorsal flatmap coordinates per voxel
    cerebellar_thickness: cerebellar_atlas.LayerThickness | None = None


def single_layered_area(config, ontology: Ontology) -> bool:
    """One area with only layers below it, one hemisphere, no other region (the default MOp):
    such a model needs no connectome."""
    only = config.regions[0]
    children = ontology.children[ontology.get(only).id]
    return (len(config.regions) == 1 and config.hemisphere != "both" and not config.nuclei
            and all(not ontology.children[c] for c in children))


def load_inputs(config, progress=None) -> Inputs:
    """The data ``config`` needs, from ``config.data_dir`` or ``$BRAINMODEL_DATA``."""
    data_dir = data.resolve_data_dir(config.data_dir)
    annotation = load_annotation(data_dir)
    ontology = Ontology.load(data_dir)
    kim = densities.load_kim2017(data_dir)
    knox = koelle = flat = thickness = None
    if not single_layered_area(config, ontology):
        knox = connectome.check_acronyms(connectome.load_knox_homogeneous(data_dir, ontology),
                                         ontology)
        areas = connectome.expand_areas(config.regions, ontology, knox)
        if len(areas) > 1 or config.hemisphere == "both":
            koelle = connectome.load_koelle_leaf(data_dir)
            if config.topography:
                flat = flatmap.voxel_flat_coordinates(data_dir, annotation.volume.shape)
    if "cerebellum" in config.nuclei:
        thickness = cerebellar_atlas.load_thickness(data_dir)
    if progress:
        progress(f"data from {data_dir}")
    return Inputs(data_dir, annotation, ontology, kim, knox, koelle, flat, thickness)
