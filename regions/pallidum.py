"""Pallidum: external globus pallidus (GPe), the relay of the indirect pathway.

Density: 39,800 GABAergic neurons per mm^3 (GAD67 in situ counts in GPe, compiled in Rodarie et al.
2022, shared data cell_densities/measurements.csv). Cells: Izhikevich (2003) regular spiking
(assumed class) that fire tonically at ~30 Hz, as GPe neurons do in vivo (30-60 Hz, Mallet et
al. 2008, J Neurosci 28:14245). GPe neurons are autonomous pacemakers in vitro (Chan et al.
2004, J Neurosci 24:9921); here their mean input lies above the rheobase
(``GPE_TARGET_MEAN_INPUT``) and large independent background kicks, like the cortex's, jitter
every interval (``regions.cells.CellType.target_mean_input``; the size of the jitter is
assumed). With a constant bias alone (14 +- 2, weak background) every GPe cell was a clock
(ISI CV 0.01-0.03). Local GPe -> GPe collaterals: 50 inputs, weight assumed.
"""
from .nuclei import (BACKGROUND_INDEGREE, FLUCTUATION_BACKGROUND_WEIGHT, RS, cell_class,
                     LocalPathway, RegionSpec)

NEURON_DENSITY_PER_MM3 = 39_800.0
# Mean input (mV/ms; an isolated RS cell fires 26 Hz at 12), with the background of the
# fluctuation-driven types (FLUCTUATION_BACKGROUND_WEIGHT). Tuned (agranular-bg-cb seed
# 1, 3 s): 28 Hz, ISI CV 0.40 (10: 24 Hz, 14: 32 Hz).
GPE_TARGET_MEAN_INPUT = 12.0

SPEC = RegionSpec(
    name="pallidum", structures={"nucleus": ("GPe",)}, side="ipsi",
    cell_classes=(cell_class("GPe", "nucleus", NEURON_DENSITY_PER_MM3, RS, "gaba", bias_sd=0.5,
                            target_mean_input=GPE_TARGET_MEAN_INPUT,
                            background_indegree=BACKGROUND_INDEGREE,
                            background_weight=FLUCTUATION_BACKGROUND_WEIGHT),),
    pathways=(LocalPathway("GPe", "GPe", "uniform", 50, 0.003),))
