"""Cerebellum: the hemispheric lobules of the motor loop (simple lobule, ansiform lobule = crus 1
and 2, paramedian lobule, copula pyramidis) and the dentate and interposed nuclei, on the side
opposite the cortex (pontine mossy fibres cross; so does the cerebello-thalamic output).

Layers: CCF v3 labels only lobules; ``brainmodel.inputs.cerebellar_atlas`` cuts the molecular,
Purkinje and granular layers from a Laplace depth field. Compartments below: "granular",
"Purkinje" (voxels crossed by the Purkinje mid-surface, cells by planar density) and
"molecular" are those layers of ``structures["cortex"]``; "nuclei" are the deep nuclei.

Densities (rat data in a mouse model; De Schepper et al. 2022, Commun Biol 5:1240, Table of the
mouse canonical circuit, after Casali et al. 2019, Front Neuroinform 13:37, Table 1): granule
cells 3.9e6 per mm^3 and Golgi cells 9e3 per mm^3 of granular layer; basket and stellate cells
5e4 per mm^3 each of molecular layer (one MLI class here, 1e5 per mm^3); Purkinje cells 1,166 per
mm^2 of Purkinje layer (consistent with Keller et al. 2018, Front Neuroanat 12:83). Deep-nuclei
excitatory cells: assumed ``ASSUMED_NUCLEUS_DENSITY_PER_MM3`` / 4 (projection neurons are a
minority of the nuclear volume; assumed).

Cell models (Izhikevich 2003 classes, assumed per cell type) and spontaneous rates: Purkinje
cells FS, simple spikes at 20-100 Hz (Raman & Bean 1999, J Neurosci 19:1663); molecular-layer
interneurons FS (~0-30 Hz, Häusser & Clark 1997, Neuron 19:665); Golgi cells RS pacemaking
~8 Hz (Forti et al. 2006, J Physiol 574:711); granule cells RS silent at rest (Chadderton et al.
2004, Nature 428:856); deep-nuclei cells RS ~20 Hz spontaneous (Raman et al. 2000, J Neurosci
20:9004). Granule and Golgi cells are bias driven (the bias sets the rate). Purkinje cells,
interneurons and deep-nuclei cells are fluctuation driven (``regions.cells.CellType.
target_mean_input``): a target mean input and large independent background kicks (assumed;
they stand for the synaptic input the model lacks: climbing fibres, the other parallel
fibres). With constant biases alone the Purkinje and deep-nuclei cells were clocks (ISI CV
0.05-0.07) and the interneurons were either silent (41 %) or exactly periodic. Targets and
the Purkinje cells' smaller kick tuned on motor-loop seed 1 (3 s): Purkinje cells 33 Hz, CV 0.65;
interneurons 28 Hz, CV 0.66; deep-nuclei cells 15 Hz, CV 0.41. With the full kick the
Purkinje cells fired with CV 0.9; with a quarter of it (target 4.8) 88 % of them were clocks
again, locked to the cortical gamma (vector strength 0.20).

Local pathways (in-degrees at full density; weights assumed/tuned, dimensionless conductances as
in the cortex):
- granule -> Purkinje by parallel fibres (``rule="parallel_fibre"``, see
  ``brainmodel.model.nuclei``): 175,000 inputs per Purkinje cell (Napper & Harvey 1988, J Comp
  Neurol 274:168, rat).
- granule -> MLI and granule -> Golgi within 200 um (ascending axon and nearby parallel fibres;
  assumed radius), 1,000 and 400 inputs (assumed).
- Golgi -> granule within 150 um (Golgi axon, Barmack & Yakhnitsa 2008, J Neurosci 28:1140):
  4 per granule cell (one Golgi cell per glomerulus, 4 dendrites per granule cell, Houston et al.
  2017, Sci Rep 7:46147); fixed.
- MLI -> Purkinje within 200 um: 20 per Purkinje cell (20-30 basket/stellate inputs; assumed);
  fixed.
- Purkinje -> deep nuclei: 40 per nuclear cell (Person & Raman 2012, Nature 481:502); fixed.
"""
from .nuclei import (ASSUMED_NUCLEUS_DENSITY_PER_MM3, BACKGROUND_INDEGREE,
                     FLUCTUATION_BACKGROUND_WEIGHT, FS, RS, cell_class, LocalPathway, RegionSpec)

LOBULES = ("SIM", "AN", "PRM", "COPY")
NUCLEI = ("DN", "IP")
LAYER_COMPARTMENTS = ("molecular", "Purkinje", "granular")

# Parallel fibres run along the folium axis from the granule cell's ascending axon. Rat parallel
# fibres are about 4.7 mm long (Pichitpornchai et al. 1994, J Comp Neurol 342:206); mouse folia
# are narrower: half-length 1 mm assumed. A Purkinje dendritic tree spans about 200 um in the
# sagittal plane (assumed), so a fibre reaches the Purkinje cells within 100 um of its line.
PARALLEL_FIBRE_HALF_LENGTH_UM = 1000.0
PURKINJE_DENDRITE_HALF_WIDTH_UM = 100.0
# Parallel-fibre conduction 0.3 m/s (Vranesic et al. 1994, PNAS 91:13014: 0.2-0.5 m/s).
PARALLEL_FIBRE_VELOCITY_UM_PER_MS = 300.0

# Fluctuation-driven classes: target mean input (mV/ms; FS rheobase about 3.8, RS about 4) and
# background weight per input spike (tuned, see the module docstring).
PURKINJE_TARGET_MEAN_INPUT = 4.2
PURKINJE_BACKGROUND_WEIGHT = FLUCTUATION_BACKGROUND_WEIGHT / 2
INTERNEURON_TARGET_MEAN_INPUT = 1.5
NUCLEAR_TARGET_MEAN_INPUT = 6.0

SPEC = RegionSpec(
    name="cerebellum", structures={"cortex": LOBULES, "nuclei": NUCLEI}, side="contra",
    default_density=0.01,
    cell_classes=(
        cell_class("GrC", "granular", 3.9e6, RS, "ampa", bias_mean=0.0, bias_sd=1.0),
        cell_class("GoC", "granular", 9.0e3, RS, "gaba", bias_mean=4.3, bias_sd=0.3),
        cell_class("PC", "Purkinje", 1166.0, FS, "gaba", bias_sd=0.3, planar=True,
                  target_mean_input=PURKINJE_TARGET_MEAN_INPUT,
                  background_indegree=BACKGROUND_INDEGREE,
                  background_weight=PURKINJE_BACKGROUND_WEIGHT),
        cell_class("MLI", "molecular", 1.0e5, FS, "gaba", bias_sd=0.2,
                  target_mean_input=INTERNEURON_TARGET_MEAN_INPUT,
                  background_indegree=BACKGROUND_INDEGREE,
                  background_weight=FLUCTUATION_BACKGROUND_WEIGHT),
        cell_class("DCN", "nuclei", ASSUMED_NUCLEUS_DENSITY_PER_MM3 / 4, RS, "ampa", bias_sd=1.0,
                  target_mean_input=NUCLEAR_TARGET_MEAN_INPUT,
                  background_indegree=BACKGROUND_INDEGREE,
                  background_weight=FLUCTUATION_BACKGROUND_WEIGHT),
    ),
    pathways=(
        LocalPathway("GrC", "PC", "parallel_fibre", 175_000, 5e-6),
        LocalPathway("GrC", "MLI", "radius", 1_000, 0.0015, radius_um=200.0),
        LocalPathway("GrC", "GoC", "radius", 400, 0.005, radius_um=200.0),
        LocalPathway("GoC", "GrC", "radius", 4, 0.03, radius_um=150.0, fixed=True),
        LocalPathway("MLI", "PC", "radius", 20, 0.02, radius_um=200.0, fixed=True),
        LocalPathway("PC", "DCN", "uniform", 40, 0.02, fixed=True),
    ))
