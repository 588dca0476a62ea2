"""Cell densities per voxel and cell type from Kim et al. 2017 (PV, SST, VIP per area and layer)."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from . import data
from ..errors import BrainmodelError

# Kim et al. 2017 label layers by the area's acronym plus a suffix; 6b and the L5 halves have no
# row of their own and use the row that contains them.
_KIM_SUFFIX = {"L2/3": "2/3", "L4": "4", "L5A": "5", "L5B": "5", "L6a": "6a", "L6b": "6a"}


def load_kim2017(data_dir: Path) -> dict[str, dict[str, float]]:
    """acronym -> {'PV','SST','VIP'} densities per mm^3, mean of the male and female means."""
    path = data.require(data_dir, data.KIM2017_DENSITIES)
    table = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            values = {}
            for marker in ("PV", "SST", "VIP"):
                means = [_number(row[f"{marker}_N5_{sex}_mean"]) for sex in ("male", "female")]
                means = [m for m in means if m is not None]
                values[marker] = float(np.mean(means)) if means else None
            if all(v is not None for v in values.values()):      # rows with 'N/D' are skipped
                table[row["acronym"].strip()] = values
    return table


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def marker_density(kim: dict, area: str, atlas_layer: str) -> dict[str, float]:
    """Kim 2017 densities for an area's layer, falling back to the area, then to Isocortex."""
    for key in (area + _KIM_SUFFIX.get(atlas_layer, ""), area, "Isocortex"):
        if key in kim:
            return kim[key]
    raise BrainmodelError(f"no Kim et al. 2017 density for {area} {atlas_layer} or Isocortex")


def voxel_type_densities(spec, kim: dict, areas: np.ndarray, atlas_layers: np.ndarray) -> np.ndarray:
    """(n_voxels, n_types) neurons per mm^3 of each cell type of ``spec`` in each voxel."""
    names = list(spec.types)
    out = np.zeros((len(areas), len(names)))
    cache = {}
    for row, key in enumerate(zip(areas, atlas_layers)):
        if key not in cache:
            markers = marker_density(kim, *key)
            inhibitory = sum(markers.values())
            if inhibitory >= spec.total_density_per_mm3:
                raise BrainmodelError(f"interneuron density {inhibitory:.0f}/mm^3 in {key} "
                                      f"exceeds the total neuron density")
            cache[key] = [markers[spec.types[t].marker] if spec.types[t].marker
                          else spec.total_density_per_mm3 - inhibitory for t in names]
        out[row] = cache[key]
    return out
