"""``m1-gamma`` (the default): left MOp, DC stimulation of the L2/3 cells in one 100 um voxel, the
first result of the reference study (Igarashi et al. 2019; DESIGN.md item 1). The compiled network
runs twice: with the DC and without it (its rest control, ``spikes-rest.h5``); summary.json's
``regime`` compares the two.

Duration 4.2 s (analysis window 300-4200 ms): E cells fire about 1 Hz at rest, and the ISI CV of
a cell with few ISIs is biased low (``analysis.regime.isi_cv`` of a Poisson train: median 0.71
with 4 ISIs, 0.83 with 8, 0.90 with 16; numpy, 20,000 trains each); the 3.9 s window gives the
resting E cells twice the ISIs of the 1.9 s window of a 2.2 s run.

Density and in-degree fraction 0.35: the largest step that keeps the default run within 5
minutes on the project's 2-core machines (4 min 21-27 s alone, 0.3 3 min 24 s; 0.4 holds 1.3x
the synapses of 0.35, about 5.5 min by that ratio, not run; docs/science.md). Above the
in-degree the regime was tuned at (0.2) the scaling keeps that model's effective coupling
(``brainmodel.model.scaling``)."""
from .stimulated_cortex import StimulatedCortex

EXPERIMENT = StimulatedCortex("m1-gamma", "left MOp, DC stimulation of L2/3 in one voxel, "
                              "against the same network at rest",
                              {"duration_ms": 4200.0, "density": 0.35},
                              order=0, rest_control=True)
