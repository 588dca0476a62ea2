"""Layered isocortex: E, FS and LTS cells in L2/3, L4, L5A, L5B and L6 (L1 has no model cells).

Neuron model (one equation family, per-cell constants): the Izhikevich (2003) simple model,
IEEE Trans Neural Netw 14:1569, Fig. 2, whose parameter sets make the three classes behave
differently: regular spiking (RS, adapting) for excitatory pyramidal cells, fast spiking (FS,
PV basket cells) and low-threshold spiking (LTS, SST Martinotti cells). In this model v is in mV,
time in ms, and input currents are in mV/ms; the equations below write currents as volts and
divide by ms. Synapses are conductance based with dimensionless conductances g (so g * (E - v)
is in the same mV/ms units), AMPA and GABA_A kinetics from Izhikevich & Edelman (2008),
PNAS 105:3593 (tau 5 ms and 6 ms; reversal 0 mV and -70 mV).

Connectivity: per pathway (pre layer x type -> post layer x type) a 2-D Gaussian of the distance
projected on the plane tangent to the cortical surface, p(d) = p_max exp(-d^2 / 2 sigma^2).
p_max comes from the layer-resolved connection probabilities of Potjans & Diesmann (2014, Cereb
Cortex 24:785, Table 5), which are averages over a 1 mm^2 column (radius r0 = 564 um); with a
Gaussian of sigma = 300 um (the lateral spread assumed there) the column average of the Gaussian
is (2 sigma^2 / r0^2)(1 - exp(-r0^2 / 2 sigma^2)) = 0.469, so p_max = C_a / 0.469. E -> FS
pathways use sigma = 150 um (PATHWAY_SIGMA_UM; Levy & Reyes 2012) with p_max = C_a / 0.141, the
same in-degree concentrated closer to the presynaptic cell. Potjans'
inhibitory population is split into FS (PV) and LTS (SST) with the relative target preferences
of Pfeffer et al. (2013, Nat Neurosci 16:1068): PV cells inhibit pyramidal and PV cells but rarely
SST cells; SST cells inhibit pyramidal and PV cells but not each other. L5A and L5B share
Potjans' L5 rows; L6 stands for L6a + L6b.

Densities: PV -> FS and SST -> LTS from Kim et al. (2017, Cell 171:456) per area and layer; total
neuron density 92,000 per mm^3 in every layer below L1 (Schüz & Palm 1989, J Comp Neurol 286:442,
mouse cortex 9.2e4 neurons/mm^3); E = total - PV - SST - VIP (VIP cells are not modelled).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .cells import CellType
from .neurons import FS, LTS, RS

LAYERS = ("L2/3", "L4", "L5A", "L5B", "L6")
CELL_TYPES = ("E", "FS", "LTS")
# atlas layer label -> model layer
ATLAS_LAYER_TO_MODEL = {"L2/3": "L2/3", "L4": "L4", "L5A": "L5A", "L5B": "L5B",
                        "L6a": "L6", "L6b": "L6"}


def model_layers(atlas_layers) -> np.ndarray:
    """Model layer per voxel from the atlas layer labels (L6a and L6b both become L6)."""
    return np.array([ATLAS_LAYER_TO_MODEL[layer] for layer in atlas_layers], dtype=object)


# Schüz & Palm 1989 (J Comp Neurol 286:442): 9.2e4 neurons per mm^3 in mouse cortex.
TOTAL_NEURON_DENSITY_PER_MM3 = 92_000.0

EQUATIONS = """
dv/dt = (0.04/mV*v**2 + 5*v + 140*mV - u + I_syn + I_stim + I_bias)/ms : volt
du/dt = a*(b*v - u)/ms : volt
I_syn = g_ampa*(E_ampa - v) + g_gaba*(E_gaba - v) : volt
dg_ampa/dt = -g_ampa/tau_ampa : 1
dg_gaba/dt = -g_gaba/tau_gaba : 1
I_stim = stim_amplitude*stim_mask*int(t >= stim_onset)*int(t < stim_offset) : volt
a : 1 (constant)
b : 1 (constant)
c : volt (constant)
d : volt (constant)
I_bias : volt (constant)
w_background : 1 (constant)
stim_mask : 1 (constant)
stim_amplitude : volt (shared, constant)
stim_onset : second (shared, constant)
stim_offset : second (shared, constant)
"""
THRESHOLD = "v >= 30*mV"
RESET = "v = c; u += d"
# Izhikevich & Edelman 2008 (PNAS 105:3593): AMPA tau 5 ms, GABA_A tau 6 ms, E 0 / -70 mV.
CONSTANTS_MV_MS = {"E_ampa": 0.0, "E_gaba": -70.0, "tau_ampa": 5.0, "tau_gaba": 6.0}
RECEPTOR_VARIABLE = {"ampa": "g_ampa", "gaba": "g_gaba"}


# Izhikevich 2003, Fig. 2 (regions.neurons): RS pyramidal cells, FS (PV) and LTS (SST) cells.
TYPES = {
    "E": CellType("E", RS, "ampa"),
    "FS": CellType("FS", FS, "gaba", marker="PV"),
    "LTS": CellType("LTS", LTS, "gaba", marker="SST"),
}

# Potjans & Diesmann 2014, Table 5: C_a[target][source], order L2/3e L2/3i L4e L4i L5e L5i L6e L6i.
_POTJANS_LAYERS = ("L2/3", "L4", "L5", "L6")
POTJANS_CONNECTION_PROBABILITY = np.array([
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443]])
SIGMA_UM = 300.0               # lateral Gaussian spread (Potjans & Diesmann 2014)
# E -> FS connections are local: connection probability falls with a Gaussian sigma of 85-114 um
# between pyramidal and FS cells (Levy & Reyes 2012, J Neurosci 32:5609). 150 um is the narrowest
# spread that keeps Potjans' in-degree with p_max <= 1 (L2/3 E -> FS: p_max 0.95). It lets the
# FS cells around a stimulated voxel follow its E cells, which is what makes the voxel's gamma
# stronger than the resting rhythm.
PATHWAY_SIGMA_UM = {("E", "FS"): 150.0}
COLUMN_RADIUS_UM = 564.0       # radius of the 1 mm^2 column the C_a refer to

# Pfeffer et al. 2013 (Nat Neurosci 16:1068, Fig. 6 connectivity x strength, normalised):
# factor on Potjans' inhibitory probability for (source type, target type).
INHIBITORY_TARGET_FACTOR = {("FS", "E"): 1.0, ("FS", "FS"): 1.0, ("FS", "LTS"): 0.1,
                            ("LTS", "E"): 1.0, ("LTS", "FS"): 0.5, ("LTS", "LTS"): 0.0}
# Excitatory drive onto SST cells is weaker and facilitating (Silberberg & Markram 2007, Neuron
# 53:735; Pfeffer et al. 2013), onto PV cells strong and fast: factor on Potjans' E->I probability.
EXCITATORY_TARGET_FACTOR = {"E": 1.0, "FS": 1.0, "LTS": 0.5}

# Synaptic conductance per spike at FULL density (dimensionless, see module docstring); the
# builder divides by the in-degree fraction (weight compensation). Tuned (not measured) so that
# the default scaled model rests at low rates (L2/3 E ~1 Hz) and a voxel DC stimulus drives a
# 30-50 Hz rhythm: E->FS strong and fast, E->LTS weak (Silberberg & Markram 2007), FS->E the
# strongest unitary synapse (Levy & Reyes 2012, J Neurosci 32:5609: FS unitary IPSPs stronger
# than the other classes).
WEIGHT_FULL = {("E", "E"): 0.00028, ("E", "FS"): 0.0017, ("E", "LTS"): 0.00032,
               ("FS", "E"): 0.013, ("FS", "FS"): 0.008, ("FS", "LTS"): 0.008,
               ("LTS", "E"): 0.008, ("LTS", "FS"): 0.006, ("LTS", "LTS"): 0.0}
# Long-range (cortico-cortical) synapses onto each target type: the local E weights (assumed;
# used by projections.cortical).
LONG_RANGE_WEIGHT_FULL = {t: w for (pre, t), w in WEIGHT_FULL.items() if pre == "E"}
DEEP_LAYERS = ("L5A", "L5B", "L6")
# The reference study attributes the later gamma phase of deep layers to strong descending
# excitation (Igarashi et al. 2019; DESIGN.md item 1): L2/3 E -> deep E and L5 E -> L6 E weights
# are multiplied by this factor, and deep E -> deep FS weights by DEEP_E_TO_FS_FACTOR, so deep
# cells follow the L2/3 rhythm instead of running their own (both tuned).
DESCENDING_EXCITATION_FACTOR = 4.0
DEEP_E_TO_FS_FACTOR = 0.5


def pathway_weight_factor(pre: tuple[str, str], post: tuple[str, str]) -> float:
    """Layer-specific factor on WEIGHT_FULL for the pathway (pre layer, type) -> (post layer, type)."""
    (pre_layer, pre_type), (post_layer, post_type) = pre, post
    if pre_type != "E":
        return 1.0
    descending = post_type == "E" and post_layer in DEEP_LAYERS and (
        pre_layer == "L2/3" or (pre_layer in ("L5A", "L5B") and post_layer == "L6"))
    if descending:
        return DESCENDING_EXCITATION_FACTOR
    if post_type == "FS" and pre_layer in DEEP_LAYERS and post_layer in DEEP_LAYERS:
        return DEEP_E_TO_FS_FACTOR
    return 1.0


# Background: Potjans & Diesmann 2014, Table 5, external in-degree K_ext per layer at 8 Hz.
BACKGROUND_RATE_HZ = 8.0
# L6 uses 0.7 x Potjans' 2900 (tuned: at the full value L6 E cells fired ~12 Hz at rest).
BACKGROUND_INDEGREE = {"L2/3": 1600, "L4": 2100, "L5A": 2000, "L5B": 2000, "L6": 2045}
BACKGROUND_SOURCES = 1000           # one PoissonInput of this many sources, weight per cell scaled
BACKGROUND_WEIGHT = {"E": 0.000372, "FS": 0.000279, "LTS": 0.00011}  # per input spike (tuned)
# Extra factor per (layer, type): L5 pyramidal cells fire more than L2/3 cells in vivo (de Kock
# et al. 2007, J Physiol 581:139), and L5 SST cells are kept from silencing them (tuned values).
BACKGROUND_FACTOR = {("L5A", "E"): 1.73, ("L5B", "E"): 1.73, ("L5A", "LTS"): 0.67,
                     ("L5B", "LTS"): 0.67}
# Cell-to-cell heterogeneity: a constant bias current per cell, normal with mean 0 and this SD
# (mV/ms, the model's current unit). Izhikevich (2003) makes his network heterogeneous through
# random parameters for the same reason: identical cells synchronise into a network-wide rhythm
# at rest. Values tuned (rheobase of an isolated RS cell is about 4 in these units).
BIAS_SD = {"E": 6.4, "FS": 6.6, "LTS": 3.0}

# Conduction: delay = SYNAPTIC_DELAY + distance / velocity. Horizontal intracortical propagation
# 0.1-0.6 m/s (Bringuier et al. 1999, Science 283:695); synaptic delay ~0.5 ms.
SYNAPTIC_DELAY_MS = 0.5
CONDUCTION_VELOCITY_UM_PER_MS = 300.0


@dataclass(frozen=True)
class Pathway:
    pre: tuple[str, str]            # (layer, type)
    post: tuple[str, str]
    p_max: float                    # peak pair probability at full density, distance 0
    sigma_um: float
    weight_full: float              # conductance per spike at full density
    receptor: str


@dataclass(frozen=True)
class CortexSpec:
    layers: tuple[str, ...] = LAYERS
    types: dict = field(default_factory=lambda: dict(TYPES))
    equations: str = EQUATIONS
    threshold: str = THRESHOLD
    reset: str = RESET
    constants_mv_ms: dict = field(default_factory=lambda: dict(CONSTANTS_MV_MS))
    pathways: tuple[Pathway, ...] = ()
    total_density_per_mm3: float = TOTAL_NEURON_DENSITY_PER_MM3
    background_rate_hz: float = BACKGROUND_RATE_HZ
    background_sources: int = BACKGROUND_SOURCES
    background_indegree: dict = field(default_factory=lambda: dict(BACKGROUND_INDEGREE))
    background_weight: dict = field(default_factory=lambda: dict(BACKGROUND_WEIGHT))
    background_factor: dict = field(default_factory=lambda: dict(BACKGROUND_FACTOR))
    bias_sd: dict = field(default_factory=lambda: dict(BIAS_SD))
    weight_full_long_range: dict = field(default_factory=lambda: dict(LONG_RANGE_WEIGHT_FULL))
    synaptic_delay_ms: float = SYNAPTIC_DELAY_MS
    velocity_um_per_ms: float = CONDUCTION_VELOCITY_UM_PER_MS

    @property
    def populations(self) -> tuple[tuple[str, str], ...]:
        return tuple((layer, t) for layer in self.layers for t in self.types)


def column_average(sigma_um: float, radius_um: float = COLUMN_RADIUS_UM) -> float:
    """Mean of exp(-d^2 / 2 sigma^2) over a disc of the given radius."""
    s2 = 2.0 * sigma_um ** 2
    return s2 / radius_um ** 2 * (1.0 - np.exp(-radius_um ** 2 / s2))


def _potjans_index(layer: str, kind: str) -> int:
    potjans_layer = "L5" if layer in ("L5A", "L5B") else layer
    return 2 * _POTJANS_LAYERS.index(potjans_layer) + (0 if kind == "E" else 1)


def default_pathways(sigma_um: float = SIGMA_UM) -> tuple[Pathway, ...]:
    """Every pathway with a non-zero Potjans probability; sigma_um unless PATHWAY_SIGMA_UM
    gives the (pre type, post type) its own spread (the in-degree is kept either way)."""
    out = []
    for post_layer in LAYERS:
        for post_type in TYPES:
            for pre_layer in LAYERS:
                for pre_type in TYPES:
                    ca = POTJANS_CONNECTION_PROBABILITY[_potjans_index(post_layer, post_type),
                                     _potjans_index(pre_layer, pre_type)]
                    if pre_type == "E":
                        ca *= EXCITATORY_TARGET_FACTOR[post_type]
                    else:
                        ca *= INHIBITORY_TARGET_FACTOR[(pre_type, post_type)]
                    if ca <= 0:
                        continue
                    sigma = PATHWAY_SIGMA_UM.get((pre_type, post_type), sigma_um)
                    out.append(Pathway((pre_layer, pre_type), (post_layer, post_type),
                                       min(1.0, ca / column_average(sigma)), sigma,
                                       WEIGHT_FULL[(pre_type, post_type)]
                                       * pathway_weight_factor((pre_layer, pre_type),
                                                               (post_layer, post_type)),
                                       TYPES[pre_type].receptor))
    return tuple(out)


def default_spec() -> CortexSpec:
    return CortexSpec(pathways=default_pathways())
