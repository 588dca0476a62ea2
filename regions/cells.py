"""The one cell-type schema of all regions (cortex and nuclei).

A cell type names its neuron model (``regions.neurons``), the receptor its synapses open, and
how its cells are placed: cortical types by a Kim et al. (2017) marker density per area and
layer (``marker``; None for the excitatory remainder), non-cortical types by a density in one
compartment of their region. Bias current and background are per type for the nuclei; the
cortex keeps them per layer and type in its spec (``regions.cortex.CortexSpec``).

A nucleus type is bias driven (``target_mean_input`` None: its cells' mean input is the bias,
``bias_mean`` +- ``bias_sd``, and the background is weak) or fluctuation driven like the cortex
(``target_mean_input`` set: large background kicks, scaled like the cortex's, and a bias whose
mean holds the mean input at the target, below the rheobase; ``brainmodel.model.nuclei``).
"""
from __future__ import annotations

from dataclasses import dataclass

from .neurons import NeuronModel


@dataclass(frozen=True)
class CellType:
    name: str
    neuron: NeuronModel
    receptor: str                       # "ampa" (excitatory) or "gaba"
    marker: str | None = None           # cortex: Kim et al. 2017 density column
    compartment: str = ""               # nuclei: where cells are placed (a region compartment)
    density: float = 0.0                # nuclei: per mm^3, or per mm^2 when ``planar``
    bias_mean: float = 0.0              # nuclei: constant bias current, mean and SD (mV/ms)
    bias_sd: float = 2.0
    background_indegree: int = 0        # nuclei: Poisson inputs at full density
    background_weight: float = 0.0
    planar: bool = False                # nuclei: one sheet of cells per voxel (Purkinje cells)
    target_mean_input: float | None = None  # nuclei: fluctuation driven, mean input (mV/ms)
