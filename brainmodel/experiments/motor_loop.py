"""``motor-loop``: left MOp + MOs, VAL thalamus and pons, right cerebellum; DC in one MOp L2/3
voxel; whether the gamma reaches MOs, pons and cerebellum (DESIGN.md item 2), against the same
network without the DC (its control, ``spikes-rest.h5``; not over MPI ranks)."""
from ..analysis.regions import loop_checks
from .stimulated_cortex import FULL_DENSITY_VOXEL_RADIUS_UM, StimulatedCortex


class MotorLoop(StimulatedCortex):
    def region_checks(self, summary: dict) -> None:
        summary["loop_checks"] = loop_checks(summary["regions"])


EXPERIMENT = MotorLoop(
    "motor-loop",
    "left MOp + MOs + VAL thalamus + pons, right cerebellum (simple, ansiform, paramedian "
    "lobules, copula; dentate and interposed nuclei); DC in one MOp L2/3 voxel",
    {"regions": ("MOp", "MOs"), "nuclei": ("thalamus", "pons", "cerebellum"),
     "duration_ms": 3000.0, "density": 0.05,
     "stimulus": {"radius_um": FULL_DENSITY_VOXEL_RADIUS_UM}}, required_regions=("MOp",), order=10,
    rest_control=True)
