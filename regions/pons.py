"""Pons: excitatory cells of the pontine grey (PG), which relay layer 5B (pyramidal-tract) output of
the motor cortex to the contralateral cerebellum as mossy fibres.

Pontine E cells: Izhikevich (2003) regular spiking parameters (assumed class), fluctuation driven
like the cortex's E cells (``regions.cells.CellType.target_mean_input``): mean input below the
rheobase, large independent background kicks, a small bias SD (0.5, as the cortex's). Half the
background in-degree of a cortical E cell, so that the cortical input dominates (tuned). With the
earlier heterogeneous bias (SD 6.4) 24-36 % of the active cells fired like clocks. Target tuned
(motor-loop seed 1): 8.6 Hz at rest, as the bias-driven cells fired (8.5 Hz); ISI CV 0.41.
Density: ``regions.nuclei.ASSUMED_NUCLEUS_DENSITY_PER_MM3`` (assumed).
"""
from .nuclei import (ASSUMED_NUCLEUS_DENSITY_PER_MM3, BACKGROUND_INDEGREE,
                     FLUCTUATION_BACKGROUND_WEIGHT, RS, cell_class, RegionSpec)

PONS_TARGET_MEAN_INPUT = 1.0      # mV/ms, below the RS rheobase of about 4 (tuned)

SPEC = RegionSpec(
    name="pons", structures={"nucleus": ("PG",)}, side="ipsi",
    cell_classes=(cell_class("E", "nucleus", ASSUMED_NUCLEUS_DENSITY_PER_MM3, RS, "ampa",
                            bias_sd=0.5, target_mean_input=PONS_TARGET_MEAN_INPUT,
                            background_indegree=BACKGROUND_INDEGREE // 2,
                            background_weight=FLUCTUATION_BACKGROUND_WEIGHT),))
