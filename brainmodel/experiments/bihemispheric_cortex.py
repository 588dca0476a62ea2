"""``bihemispheric-cortex``: the whole isocortex (43 areas of the Knox 2019 model) in both
hemispheres with ipsi- and contralateral projections; DC stimulation in left MOp (DESIGN.md
item 4), and the same compiled network without it (its control, ``spikes-rest.h5``)."""
from .stimulated_cortex import StimulatedCortex

EXPERIMENT = StimulatedCortex(
    "bihemispheric-cortex",
    "whole isocortex, both hemispheres, callosal projections, DC in left MOp L2/3",
    # homogeneous long-range pairs: the topographic kernel's voxel-block enumeration grows
    # with the square of the voxel count (about 1e10 blocks for the whole isocortex)
    {"regions": ("Isocortex",), "hemisphere": "both", "density": 0.02, "duration_ms": 1000.0,
     "topography": False, "stimulus": {"region": "MOp"}}, order=60, rest_control=True)
