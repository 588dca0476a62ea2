"""``agranular-bg-cb``: agranular motor cortex with striatum, pallidum, pons and cerebellum
(DESIGN.md item 4); with the same network without the DC as its control (``spikes-rest.h5``)."""
from .stimulated_cortex import FULL_DENSITY_VOXEL_RADIUS_UM, StimulatedCortex

EXPERIMENT = StimulatedCortex(
    "agranular-bg-cb",
    "left agranular motor cortex (MOp + MOs), striatum (CP), pallidum (GPe) and pons, right "
    "cerebellum; DC in one MOp L2/3 voxel; voxel rate map",
    {"regions": ("MOp", "MOs"), "nuclei": ("striatum", "pallidum", "pons", "cerebellum"),
     "duration_ms": 1500.0, "density": 0.05,
     "stimulus": {"radius_um": FULL_DENSITY_VOXEL_RADIUS_UM}}, required_regions=("MOp",), order=20,
    rest_control=True)
