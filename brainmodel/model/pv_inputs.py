"""PV (FS) inputs per cell in PV-poor areas: a floor on each cell's FS input.

A cell's FS in-degree from a layer is the pair probability times the FS cells within reach, so
with one connection rule for every area it follows the area's PV density (Kim et al. 2017,
Cell 171:456; ``brainmodel.inputs.densities``). The densities differ fourfold: L2/3 of AIp has
934 PV cells per mm^3, MOp 3992, SSp-n 4902. In the whole-cortex model the E cells of AIp and
PERI, with a quarter and a half of the sensorimotor areas' FS inputs, fired 11-27 Hz in bursts
at rest, with or without the DC, where the sensorimotor areas fired 1-5 Hz. The share of a
cortical cell's synapses that are GABAergic (symmetric) is similar across areas and species
(about 10-20 %: DeFelipe, Alonso-Nanclares & Arellano 2002, J Neurocytol 31:299; 16 % in mouse
somatosensory cortex, Micheva et al. 2010, Neuron 68:639), so the PV cells of a PV-poor area
make more synapses each rather than their targets receiving fewer.

Rule (assumed): a cell's expected FS input from each layer, in-degree times weight, is at
least what it is in the reference areas (``spec.pv_input_reference_areas``: the sensorimotor
areas on which the regime was tuned), F = max(1, rho_ref / rho_PV(area, layer)) with rho_ref
the lowest PV density of the reference areas in that layer. Cells of the reference areas, and
of every area at least as PV-rich, have F = 1 and keep their connections unchanged.
``brainmodel.model.connectivity.compensated_pairs`` gives F as extra connections where the
pair probability allows and as a larger weight for the rest.
"""
from __future__ import annotations

import numpy as np

from ..inputs import densities

# The Kim et al. 2017 row of each model layer (its L5 row serves L5A and L5B, its L6a row L6)
KIM_LAYER = {"L2/3": "L2/3", "L4": "L4", "L5A": "L5A", "L5B": "L5B", "L6": "L6a"}


def pv_input_factors(spec, kim: dict, cell_area: np.ndarray) -> dict[tuple, np.ndarray]:
    """{(layer, PV type): per cell F >= 1} for the cells whose areas are ``cell_area``, keyed by
    the presynaptic population (empty when the spec names no reference areas or no type has
    the PV marker)."""
    pv_types = [name for name, t in spec.types.items() if t.marker == "PV"]
    references = tuple(spec.pv_input_reference_areas)
    if not pv_types or not references:
        return {}
    areas, index = np.unique(np.asarray(cell_area, dtype=str), return_inverse=True)
    out = {}
    for layer in spec.layers:
        kim_layer = KIM_LAYER[layer]
        reference = min(densities.marker_density(kim, a, kim_layer)["PV"] for a in references)
        per_area = np.array([max(1.0, reference / densities.marker_density(kim, a, kim_layer)["PV"])
                             for a in areas])
        for cell_type in pv_types:
            out[(layer, cell_type)] = per_area[index]
    return out


def factor_by_area(spec, kim: dict, areas) -> dict[str, dict[str, float]]:
    """{area: {layer: F}}: the rule's factors for a list of areas (tests, docs)."""
    areas = list(areas)
    factors = pv_input_factors(spec, kim, np.array(areas, dtype=object))
    return {a: {layer: round(float(f[n]), 3) for (layer, _), f in factors.items()}
            for n, a in enumerate(areas)}
