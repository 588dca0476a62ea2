"""Per-cell parameters of a built model (numpy only): neuron constants, background weights, bias
currents, initial state, the weight grid, and the stage seeds.

These are pure functions of the model and a seed; ``brainmodel.simulation.network`` writes them
into Brian2's variables, ensembles change them through ``run_args``.
"""
from __future__ import annotations

import numpy as np


def derive_seeds(seed: int) -> dict[str, int]:
    """Independent seeds per stage: changing the stimulus or initial state never changes the network."""
    names = ("placement", "connectivity", "initial_state", "simulation", "heterogeneity",
             "projections")
    children = np.random.SeedSequence(int(seed)).spawn(len(names))
    return {name: int(child.generate_state(1)[0]) for name, child in zip(names, children)}


def background_sources(spec, indegree_fraction: float) -> int:
    """Poisson background sources per cell: the full count scaled like every other in-degree."""
    return max(1, int(round(spec.background_sources * indegree_fraction)))


def cell_constants(model, indegree_fraction: float) -> dict[str, np.ndarray]:
    """Per-cell neuron constants (Izhikevich a, b, c, d in mV, background weight).

    The background is scaled like the recurrent synapses: ``background_sources(spec, k)`` inputs
    with weights divided by k, so its mean is preserved (van Albada et al. 2015)."""
    spec, cells = model.spec, model.cells
    out = {key: np.zeros(len(cells)) for key in ("a", "b", "c", "d", "w_background")}
    for name, cell_type in spec.types.items():
        mask = cells.type == name
        for key, value in zip("abcd", cell_type.neuron.parameters):
            out[key][mask] = value
        out["w_background"][mask] = spec.background_weight[name]
    for layer, indegree in spec.background_indegree.items():
        out["w_background"][cells.layer == layer] *= indegree / spec.background_sources
    for (layer, cell_type), factor in spec.background_factor.items():
        out["w_background"][(cells.layer == layer) & (cells.type == cell_type)] *= factor
    out["w_background"] *= spec.background_sources / background_sources(spec, indegree_fraction)
    factor = model.background_factor
    if factor is not None:
        out["w_background"] *= factor
    if model.nucleus_constants is not None:
        for key in out:
            out[key][model.n_cortex:] = model.nucleus_constants[key]
    return out


def bias_currents(model, seed: int) -> np.ndarray:
    """Per-cell constant bias current (mV/ms units), normal with the type's SD (spec.bias_sd).

    Part of the network (drawn from its own seed, cell by cell in id order), so changing the
    stimulus or the initial state never changes it."""
    rng = np.random.default_rng(seed)
    sd = np.array([model.spec.bias_sd.get(t, 0.0) for t in model.cells.type])
    mean = np.zeros(len(model.cells))
    if model.nucleus_constants is not None:
        sd[model.n_cortex:] = model.nucleus_constants["bias_sd"]
        mean[model.n_cortex:] = model.nucleus_constants["bias_mean"]
    return mean + sd * rng.standard_normal(len(model.cells))


def initial_state(model, seed: int) -> dict[str, np.ndarray]:
    """Membrane potential uniform in [-70, -60] mV and u = b * v (mV)."""
    rng = np.random.default_rng(seed)
    v = rng.uniform(-70.0, -60.0, len(model.cells))
    return {"v": v, "u": cell_constants(model, 1.0)["b"] * v}


WEIGHT_GRID = 2.0 ** -32


def exact_sum_weights(weights: np.ndarray) -> np.ndarray:
    """Weights rounded to multiples of 2**-32 (relative change below 1e-5 for the smallest
    weights used, 1e-4): sums of up to 2**20 such weights of magnitude < 2 are exact in double
    precision, whatever the order of addition."""
    return np.round(np.asarray(weights, dtype=np.float64) / WEIGHT_GRID) * WEIGHT_GRID
