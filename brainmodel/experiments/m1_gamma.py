"""``m1-gamma`` (the default): left MOp, DC stimulation of the L2/3 cells in one 100 um voxel, the
first result of the reference study (Igarashi et al. 2019; DESIGN.md item 1). The compiled network
runs twice: with the DC and without it (its rest control, ``spikes-rest.h5``); summary.json's
``regime`` compares the two."""
from .stimulated_cortex import StimulatedCortex

EXPERIMENT = StimulatedCortex("m1-gamma", "left MOp, DC stimulation of L2/3 in one voxel, "
                              "against the same network at rest", order=0, rest_control=True)
