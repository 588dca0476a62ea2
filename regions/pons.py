"""Pons: excitatory cells of the pontine grey (PG), which relay layer 5B (pyramidal-tract) output of
the motor cortex to the contralateral cerebellum as mossy fibres.

Pontine E cells: Izhikevich (2003) regular spiking parameters (assumed class), heterogeneous bias
like cortical E cells (SD as regions.cortex.BIAS_SD["E"]), half the background of a cortical E
cell so that the cortical input dominates (tuned).
Density: ``regions.nuclei.ASSUMED_NUCLEUS_DENSITY_PER_MM3`` (assumed).
"""
from .nuclei import (ASSUMED_NUCLEUS_DENSITY_PER_MM3, BACKGROUND_INDEGREE, BACKGROUND_WEIGHT_E,
                     RS, cell_class, RegionSpec)

SPEC = RegionSpec(
    name="pons", structures={"nucleus": ("PG",)}, side="ipsi",
    cell_classes=(cell_class("E", "nucleus", ASSUMED_NUCLEUS_DENSITY_PER_MM3, RS, "ampa",
                            bias_mean=0.0, bias_sd=6.4,
                            background_indegree=BACKGROUND_INDEGREE // 2,
                            background_weight=BACKGROUND_WEIGHT_E),))
