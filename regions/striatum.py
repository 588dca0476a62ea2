"""Striatum (dorsal, caudoputamen CP): medium spiny neurons of the direct (D1) and indirect (D2)
pathways and fast-spiking interneurons (FSI).

Densities: neurons 106,000 per mm^3 in dorsal caudate-putamen (Schmid et al. 2013, as compiled by
Keller et al. 2018, Front Neuroanat 12:83, Table 5); FSIs are the PV cells of CP, 463 per mm^3
(Kim et al. 2017, Cell 171:456, shared data); the rest are MSNs, half D1 and half D2 (Gerfen &
Surmeier 2011, Annu Rev Neurosci 34:441), other interneurons are not modelled.

Cell models (Izhikevich 2003 classes, assumed): MSNs regular spiking with a negative bias (they
rest hyperpolarised and fire rarely, ~1 Hz, unless cortical input converges; Wilson & Kawaguchi
1996, J Neurosci 16:2397); FSIs fast spiking. Local pathways: MSN collaterals within 200 um
(connection probability 10-20 % at short range, Taverna et al. 2008, J Neurosci 28:5504; 500
inputs assumed), FSI -> MSN within 250 um, 10 inputs per MSN (4-27 FSIs converge on an MSN,
Koós & Tepper 1999, Nat Neurosci 2:467), fixed; weights assumed.
"""
from .nuclei import (BACKGROUND_INDEGREE, BACKGROUND_WEIGHT_E, FS, RS, cell_class, LocalPathway,
                     RegionSpec)

NEURON_DENSITY_PER_MM3 = 106_000.0
FSI_DENSITY_PER_MM3 = 463.0
MSN_DENSITY_PER_MM3 = (NEURON_DENSITY_PER_MM3 - FSI_DENSITY_PER_MM3) / 2

SPEC = RegionSpec(
    name="striatum", structures={"nucleus": ("CP",)}, side="ipsi",
    cell_classes=(
        cell_class("D1", "nucleus", MSN_DENSITY_PER_MM3, RS, "gaba", bias_mean=-3.0, bias_sd=2.0,
                  background_indegree=BACKGROUND_INDEGREE,
                  background_weight=BACKGROUND_WEIGHT_E),
        cell_class("D2", "nucleus", MSN_DENSITY_PER_MM3, RS, "gaba", bias_mean=-3.0, bias_sd=2.0,
                  background_indegree=BACKGROUND_INDEGREE,
                  background_weight=BACKGROUND_WEIGHT_E),
        cell_class("FSI", "nucleus", FSI_DENSITY_PER_MM3, FS, "gaba", bias_mean=0.0, bias_sd=2.0,
                  background_indegree=BACKGROUND_INDEGREE,
                  background_weight=BACKGROUND_WEIGHT_E),
    ),
    pathways=tuple(
        [LocalPathway(a, b, "radius", 500, 0.002, radius_um=200.0)
         for a in ("D1", "D2") for b in ("D1", "D2")]
        + [LocalPathway("FSI", b, "radius", 10, 0.01, radius_um=250.0, fixed=True)
           for b in ("D1", "D2")]))
