"""``m1-gamma`` (the default): left MOp, DC stimulation of the L2/3 cells in one 100 um voxel, the
first result of the reference study (Igarashi et al. 2019; DESIGN.md item 1)."""
from .stimulated_cortex import StimulatedCortex

EXPERIMENT = StimulatedCortex("m1-gamma", "left MOp, DC stimulation of L2/3 in one voxel",
                              order=0)
