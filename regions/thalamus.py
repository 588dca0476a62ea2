"""Motor thalamus: thalamo-cortical (TC) relay cells of the ventral anterior-lateral complex (VAL),
which relays cerebellar (dentate/interposed) output to the motor cortex. No reticular nucleus.

TC cells: Izhikevich (2003) TC parameters (a 0.02, b 0.25, c -65 mV, d 0.05); a negative mean bias
keeps them near rest so that they relay their inputs (deep cerebellar nuclei, cortical L6 and
L5B; ``projections.subcortical``) instead of firing on their own (tuned). Background as a cortical
E cell. Density: ``regions.nuclei.ASSUMED_NUCLEUS_DENSITY_PER_MM3`` (assumed).
"""
from .nuclei import (ASSUMED_NUCLEUS_DENSITY_PER_MM3, BACKGROUND_INDEGREE, BACKGROUND_WEIGHT_E,
                     TC, cell_class, RegionSpec)

SPEC = RegionSpec(
    name="thalamus", structures={"nucleus": ("VAL",)}, side="ipsi",
    cell_classes=(cell_class("TC", "nucleus", ASSUMED_NUCLEUS_DENSITY_PER_MM3, TC, "ampa",
                            bias_mean=-6.0, bias_sd=2.0,
                            background_indegree=BACKGROUND_INDEGREE,
                            background_weight=BACKGROUND_WEIGHT_E),))
