"""The neuron models of every region: one cited table of Izhikevich (2003) parameter sets.

All regions share one equation family (``regions.cortex.EQUATIONS``: the Izhikevich simple
model with AMPA/GABA_A conductances, a per-cell bias current and a Poisson background); a cell
type differs from another by its constants a, b (dimensionless), c and d (mV).

Sources: Izhikevich (2003), IEEE Trans Neural Netw 14:1569, Fig. 2: regular spiking (RS,
adapting; cortical pyramidal cells), fast spiking (FS; PV basket cells), low-threshold spiking
(LTS; SST Martinotti cells) and thalamo-cortical (TC) parameter sets.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NeuronModel:
    """Izhikevich (2003) constants: a, b dimensionless, c and d in mV."""
    name: str
    a: float
    b: float
    c: float
    d: float

    @property
    def parameters(self) -> tuple[float, float, float, float]:
        return (self.a, self.b, self.c, self.d)


# Izhikevich 2003, Fig. 2
RS = NeuronModel("RS", 0.02, 0.2, -65.0, 8.0)        # regular spiking
FS = NeuronModel("FS", 0.1, 0.2, -65.0, 2.0)         # fast spiking
LTS = NeuronModel("LTS", 0.02, 0.25, -65.0, 2.0)     # low-threshold spiking
TC = NeuronModel("TC", 0.02, 0.25, -65.0, 0.05)      # thalamo-cortical
# Cortical pyramidal cells in the awake state: RS with the after-spike adaptation increment d
# halved (8 -> 4, the value of Izhikevich's intrinsically bursting set). Noradrenaline and
# acetylcholine suppress the slow afterhyperpolarisation current and with it most of the spike
# frequency adaptation of neocortical pyramidal cells (McCormick 1991, Prog Brain Res 88:293;
# McCormick & Prince 1986, J Physiol 375:169), which the in-vitro RS set (d = 8) keeps. The value
# 4 is tuned (issue 20): with d = 8 every spike is followed by about 75 ms without firing and the
# ISI CV of the cortex's E cells stayed at 0.62; with 4 it is 0.68-0.73.
RS_AWAKE = NeuronModel("RS-awake", 0.02, 0.2, -65.0, 4.0)

NEURON_MODELS = {m.name: m for m in (RS, FS, LTS, TC, RS_AWAKE)}


def tonic_rate_hz(neuron: NeuronModel, current: float, duration_ms: float = 1000.0,
                  dt_ms: float = 0.1) -> float:
    """Firing rate (Hz) of an isolated cell under a constant current (mV/ms), from rest
    (Euler steps of dt_ms, the first 200 ms discarded)."""
    a, b, c, d = neuron.parameters
    v, u, spikes = -70.0, b * -70.0, 0
    settle = 200.0
    for step in range(int((duration_ms + settle) / dt_ms)):
        v += dt_ms * (0.04 * v * v + 5 * v + 140 - u + current)
        u += dt_ms * a * (b * v - u)
        if v >= 30.0:
            v, u = c, u + d
            spikes += step * dt_ms >= settle
    return spikes / (duration_ms / 1000.0)
