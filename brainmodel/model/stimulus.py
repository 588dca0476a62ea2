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
from regions.cortex import model_layers

from ..config import StimulusConfig
from ..errors import BrainmodelError


@dataclass(frozen=True)
class Stimulus:
    layer: str
    voxel_ijk: tuple[int, int, int]
    voxel_row: int
    onset_ms: float
    offset_ms: float
    amplitude_mv: float
    surface_um: tuple[float, float, float]
    radius_um: float = 0.0


def resolve(config: StimulusConfig, voxels, duration_ms: float | None = None,
            default_region: np.ndarray | None = None) -> Stimulus:
    """The stimulated voxel and window; clear errors for voxels outside the region or layer.
    ``default_region`` (bool per voxel) limits where the default voxel is sought (the first
    requested region in its first hemisphere); an explicit voxel may lie in any selected one."""
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
        candidates = in_layer if default_region is None else in_layer & default_region
        if not candidates.any():
            raise BrainmodelError(f"the stimulus region has no {config.layer} voxels for the "
                                  f"default stimulus; give --stim-voxel")
        centroid = voxels.centre_um[candidates].mean(axis=0)
        rows = np.flatnonzero(candidates)
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
                    tuple(float(x) for x in voxels.surface_um[row]), float(config.radius_um))


def stimulated_cells(stimulus: Stimulus, cells) -> np.ndarray:
    """Cells of the stimulated layer in the voxel, or within radius_um of its surface point."""
    in_layer = cells.layer == stimulus.layer
    if stimulus.radius_um <= 0:
        return in_layer & (cells.voxel_row == stimulus.voxel_row)
    distance = np.linalg.norm(cells.surface_um - np.asarray(stimulus.surface_um), axis=1)
    return in_layer & (distance <= stimulus.radius_um)


@dataclass(frozen=True)
class StimulusPlan:
    """What the runs of one compiled network stimulate: the stimulus (its layer, window and
    amplitude hold for every run) and, per run, a label (None for an experiment's one run) and
    the stimulated cells. An experiment plug-in may move the stimulus or add runs
    (``brainmodel.experiments``); the default is one run of the configured stimulus."""
    stimulus: Stimulus
    runs: tuple[tuple[str | None, np.ndarray], ...]


def single_run(stimulus: Stimulus, cells) -> StimulusPlan:
    return StimulusPlan(stimulus, ((None, stimulated_cells(stimulus, cells)),))


def at_voxel(stimulus: Stimulus, voxels, row: int) -> Stimulus:
    """The same stimulus at another voxel (row of ``voxels``)."""
    return Stimulus(stimulus.layer, tuple(int(i) for i in voxels.ijk[row]), int(row),
                    stimulus.onset_ms, stimulus.offset_ms, stimulus.amplitude_mv,
                    tuple(float(x) for x in voxels.surface_um[row]), stimulus.radius_um)


def default_region(config, area_group, voxels) -> np.ndarray:
    """Voxels of the stimulus region (default: the first requested region) in the left
    hemisphere (right when only the right one is modelled)."""
    name = config.stimulus.region or config.regions[0]
    areas = [a for a, g in area_group.items() if name in (a, g)]
    if not areas:
        raise BrainmodelError(f"stimulus region {name!r} is not among the modelled areas "
                              f"({', '.join(area_group)})")
    side = "right" if config.hemisphere == "right" else "left"
    return np.isin(voxels.region, areas) & (voxels.hemisphere == side)
