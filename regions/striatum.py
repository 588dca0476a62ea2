"""Striatum (dorsal, caudoputamen CP): medium spiny neurons of the direct (D1) and indirect (D2)
pathways and fast-spiking interneurons (FSI).

Densities: neurons 106,000 per mm^3 in dorsal caudate-putamen (Schmid et al. 2013, as compiled by
Keller et al. 2018, Front Neuroanat 12:83, Table 5); FSIs are the PV cells of CP, 463 per mm^3
(Kim et al. 2017, Cell 171:456, shared data); the rest are MSNs, half D1 and half D2 (Gerfen &
Surmeier 2011, Annu Rev Neurosci 34:441), other interneurons are not modelled.

Cell models (Izhikevich 2003 classes, assumed): MSNs regular spiking, FSIs fast spiking. Regime:
fluctuation driven, like the cortex (``regions.cells.CellType.target_mean_input``). MSNs fire
rarely, about 1 Hz, unless cortical input converges (Wilson & Kawaguchi 1996, J Neurosci
16:2397); with a desynchronised cortex their membrane potential stays depolarised below
threshold, with fast fluctuations from uncorrelated cortical input, and they fire with low
probability (Kasanetz, Riquelme & Murer 2006, J Physiol 577:97, anaesthetised rats). So every
MSN's mean input sits below the rheobase and the cells fire from large, independent background
kicks (the cortical E cells' background weight); FSIs likewise, at a higher target. With the
earlier bias-driven MSNs (bias -3 +- 2 and a weak background) 99 % of them were silent and the
rest fired like clocks (ISI CV 0.16-0.18; docs/science.md). Local pathways: MSN collaterals
within 200 um (connection probability 10-20 % at short range, Taverna et al. 2008, J Neurosci
28:5504; 500 inputs assumed), FSI -> MSN within 250 um, 10 inputs per MSN (4-27 FSIs converge
on an MSN, Koós & Tepper 1999, Nat Neurosci 2:467), fixed; weights assumed.
"""
from .nuclei import (BACKGROUND_INDEGREE, FLUCTUATION_BACKGROUND_WEIGHT, FS, RS, cell_class,
                     LocalPathway, RegionSpec)

NEURON_DENSITY_PER_MM3 = 106_000.0
FSI_DENSITY_PER_MM3 = 463.0
MSN_DENSITY_PER_MM3 = (NEURON_DENSITY_PER_MM3 - FSI_DENSITY_PER_MM3) / 2
# Mean input (mV/ms; below the RS rheobase of about 4 for MSNs) and background weight per input
# spike (FLUCTUATION_BACKGROUND_WEIGHT, the cortical E cells', for both classes: the
# cortical FS weight 0.045 made every kick fire an FSI, 40 Hz at density 0.05). Tuned
# (agranular-bg-cb seed 1, 3 s): MSNs at -6.0 fire 1.1 Hz (median; -6.5: 0.74 Hz, -5.0:
# 1.9 Hz), FSIs at 0.5 fire 15 Hz (2.5: 34 Hz); striatal FSIs are near-continuously active and
# mutually uncorrelated in awake rodents (Berke 2011, Front Syst Neurosci 5:45).
MSN_TARGET_MEAN_INPUT = -6.0
FSI_TARGET_MEAN_INPUT = 0.5
BIAS_SD = 0.5       # cell-to-cell heterogeneity, as the cortex's (regions.cortex.BIAS_SD)


def _fluctuation_driven(name: str, density: float, neuron, target: float):
    return cell_class(name, "nucleus", density, neuron, "gaba", bias_sd=BIAS_SD,
                      target_mean_input=target, background_indegree=BACKGROUND_INDEGREE,
                      background_weight=FLUCTUATION_BACKGROUND_WEIGHT)


SPEC = RegionSpec(
    name="striatum", structures={"nucleus": ("CP",)}, side="ipsi",
    cell_classes=(
        _fluctuation_driven("D1", MSN_DENSITY_PER_MM3, RS, MSN_TARGET_MEAN_INPUT),
        _fluctuation_driven("D2", MSN_DENSITY_PER_MM3, RS, MSN_TARGET_MEAN_INPUT),
        _fluctuation_driven("FSI", FSI_DENSITY_PER_MM3, FS, FSI_TARGET_MEAN_INPUT),
    ),
    pathways=tuple(
        [LocalPathway(a, b, "radius", 500, 0.002, radius_um=200.0)
         for a in ("D1", "D2") for b in ("D1", "D2")]
        + [LocalPathway("FSI", b, "radius", 10, 0.01, radius_um=250.0, fixed=True)
           for b in ("D1", "D2")]))
