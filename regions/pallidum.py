"""Pallidum: external globus pallidus (GPe), the relay of the indirect pathway.

Density: 39,800 GABAergic neurons per mm^3 (GAD67 in situ counts in GPe, compiled in Rodarie et al.
2022, shared data cell_densities/measurements.csv). Cells: Izhikevich (2003) regular spiking with
a bias that makes them fire tonically at ~30 Hz, as GPe neurons do in vivo (30-60 Hz, Mallet et
al. 2008, J Neurosci 28:14245); assumed class. Local GPe -> GPe collaterals: 50 inputs, weight
assumed.
"""
from .nuclei import RS, cell_class, LocalPathway, RegionSpec

NEURON_DENSITY_PER_MM3 = 39_800.0

SPEC = RegionSpec(
    name="pallidum", structures={"nucleus": ("GPe",)}, side="ipsi",
    cell_classes=(cell_class("GPe", "nucleus", NEURON_DENSITY_PER_MM3, RS, "gaba",
                            bias_mean=14.0, bias_sd=2.0),),
    pathways=(LocalPathway("GPe", "GPe", "uniform", 50, 0.003),))
