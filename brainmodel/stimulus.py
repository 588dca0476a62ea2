"""Stimulus: DC current into the cells of one layer inside one voxel.

The voxel is chosen by index (i, j, k), by coordinate in um, or by default as the voxel of the
stimulated layer closest to the centroid of that layer in the selected region ("centre of left
MOp L2/3"). Amplitude is in the model's current units (Izhikevich 2003: mV/ms, written as mV):
10 mV drives an isolated RS cell at about 10 Hz, 20 mV at about 25 Hz; the default 35 mV
at about 50 Hz.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import BrainmodelError


@dataclass(frozen=True)
class StimulusConfig:
    layer: str = "L2/3"
    voxel: tuple[int, int, int] | None = None
    coordinate_um: tuple[float, float, float] | None = None
    onset_ms: float = 200.0
    offset_ms: float | None = None          # None: until the end of the run
    amplitude_mv: float = 35.0


@dataclass(frozen=True)
class Stimulus:
    layer: str
    voxel_ijk: tuple[int, int, int]
    voxel_row: int
    onset_ms: float
    offset_ms: float
    amplitude_mv: float
    surface_um: tuple[float, float, float]


def resolve(config: StimulusConfig, voxels, duration_ms: float | None = None) -> Stimulus:
    """The stimulated voxel and window; clear errors for voxels outside the region or layer."""
    from regions.cortex import model_layers

    model_layer = model_layers(voxels.layer)
    in_layer = model_layer == config.layer
    if not in_layer.any():
        raise BrainmodelError(f"stimulus layer {config.layer!r} has no voxels in the selected "
                              f"regions (layers present: {sorted(set(model_layer))})")
    if config.voxel is not None and config.coordinate_um is not None:
        raise BrainmodelError("give the stimulus voxel by index or by coordinate, not both")
    if config.coordinate_um is not None:
        ijk = tuple(int(np.floor(c / voxels.resolution_um)) for c in config.coordinate_um)
    elif config.voxel is not None:
        ijk = tuple(int(v) for v in config.voxel)
    else:
        centroid = voxels.centre_um[in_layer].mean(axis=0)
        rows = np.flatnonzero(in_layer)
        ijk = tuple(voxels.ijk[rows[np.argmin(np.linalg.norm(
            voxels.centre_um[rows] - centroid, axis=1))]])
    row = voxels.find(ijk)
    if row < 0:
        raise BrainmodelError(f"stimulus voxel {ijk} is outside the selected regions "
                              f"({', '.join(sorted(set(voxels.region)))}, {voxels.hemisphere[0]} "
                              f"hemisphere)")
    if model_layer[row] != config.layer:
        raise BrainmodelError(f"stimulus voxel {ijk} lies in {model_layer[row]}, not in the "
                              f"stimulated layer {config.layer}")
    offset = config.offset_ms if config.offset_ms is not None else (duration_ms or np.inf)
    if not 0 <= config.onset_ms < offset:
        raise BrainmodelError(f"stimulus onset {config.onset_ms} ms must be >= 0 and before "
                              f"its offset {offset} ms")
    return Stimulus(config.layer, tuple(int(i) for i in ijk), int(row), float(config.onset_ms),
                    float(offset), float(config.amplitude_mv),
                    tuple(float(x) for x in voxels.surface_um[row]))


def stimulated_cells(stimulus: Stimulus, cells) -> np.ndarray:
    return (cells.voxel_row == stimulus.voxel_row) & (cells.layer == stimulus.layer)
