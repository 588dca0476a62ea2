"""``agranular-bg-cb``: agranular motor cortex with striatum, pallidum, pons and cerebellum
(DESIGN.md item 4); with the same network without the DC as its control (``spikes-rest.h5``).

3 s, as motor-loop: the MSNs fire about 1 Hz, and over the 1.2 s analysis window of a 1.5 s run
a 1 Hz Poisson cell fires no spike with probability 0.3 and its ISI CV rests on one or two
intervals (the same bias as m1-gamma's, which runs 4.2 s for it)."""
from .stimulated_cortex import FULL_DENSITY_VOXEL_RADIUS_UM, StimulatedCortex

EXPERIMENT = StimulatedCortex(
    "agranular-bg-cb",
    "left agranular motor cortex (MOp + MOs), striatum (CP), pallidum (GPe) and pons, right "
    "cerebellum; DC in one MOp L2/3 voxel; voxel rate map",
    {"regions": ("MOp", "MOs"), "nuclei": ("striatum", "pallidum", "pons", "cerebellum"),
     "duration_ms": 3000.0, "density": 0.05,
     "stimulus": {"radius_um": FULL_DENSITY_VOXEL_RADIUS_UM}}, required_regions=("MOp",), order=20,
    rest_control=True)
