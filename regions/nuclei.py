"""Building blocks shared by the non-cortical region modules (thalamus, pons, cerebellum,
striatum, pallidum).

Every region uses the cortex's equation family (``regions.cortex.EQUATIONS``: Izhikevich 2003
with AMPA/GABA_A conductances, a per-cell bias current and a Poisson background), so a user edits
one equation string; cell types (``regions.cells.CellType``) differ by their neuron model
(``regions.neurons``), bias current and background. A type is bias driven (its bias sets its
rate: thalamic TC, granule and Golgi cells) or fluctuation driven like the cortex
(``target_mean_input`` and large background kicks, ``regions.cells``: striatum, pallidum, pons,
Purkinje cells, molecular-layer interneurons, deep-nuclei cells). Regions only declare;
``brainmodel.model.nuclei`` builds.
"""
from __future__ import annotations

from dataclasses import dataclass

from .cells import CellType
from .neurons import FS, RS, TC, NeuronModel  # noqa: F401  (re-exported for region modules)


def cell_class(name: str, compartment: str, density: float, neuron: NeuronModel, receptor: str,
               **kwargs) -> CellType:
    """A non-cortical cell type (``regions.cells.CellType``): where it sits (a compartment of
    its region), how many (per mm^3, or per mm^2 when ``planar``), its neuron model and
    receptor; bias and background as keyword arguments."""
    return CellType(name, neuron, receptor, compartment=compartment, density=density, **kwargs)


@dataclass(frozen=True)
class LocalPathway:
    """Connections between two classes of one region.

    rule: "uniform" (any pre cell of the region), "radius" (pre cells within radius_um of the
    post cell) or "parallel_fibre" (``brainmodel.model.nuclei.parallel_fibre_window``).
    indegree: inputs per post cell at full density; scaled (x the region's density) unless
    ``fixed`` (small convergences that cannot be scaled, e.g. 4 mossy fibres per granule cell),
    and the weight is divided by the same factor, as for the cortex."""
    pre: str
    post: str
    rule: str
    indegree: float
    weight_full: float
    radius_um: float = 0.0
    fixed: bool = False


@dataclass(frozen=True)
class RegionSpec:
    name: str                           # region key: thalamus, pons, cerebellum
    structures: dict                    # compartment -> CCF acronyms
    side: str                           # "ipsi" or "contra" to the cortex hemisphere
    cell_classes: tuple[CellType, ...]
    pathways: tuple[LocalPathway, ...] = ()
    default_density: float | None = None    # None: the cortex's --density

    def cell_class(self, name: str) -> CellType:
        for c in self.cell_classes:
            if c.name == name:
                return c
        raise KeyError(name)


# Neuron density assumed where the shared data has no per-region total (cell_densities/
# PROVENANCE.md: the Erö et al. 2018 per-region table is not available): the isocortical
# 9.2e4 per mm^3 (Schüz & Palm 1989), rounded down because thalamic and pontine relay nuclei hold
# larger somata. Replace with measured values when a table becomes available.
ASSUMED_NUCLEUS_DENSITY_PER_MM3 = 80_000.0
# Background like a cortical E cell (regions.cortex: L2/3 K_ext 1600). Bias-driven types: weight
# 0.000372 per input spike (the cortex's before issue 20), weak. Fluctuation-driven types: the
# cortical E cells' weight (regions.cortex.BACKGROUND_WEIGHT["E"]), large independent kicks.
BACKGROUND_INDEGREE = 1600
BACKGROUND_WEIGHT_E = 0.000372
FLUCTUATION_BACKGROUND_WEIGHT = 0.02
