"""Per-cell parameters of a built model (numpy only): neuron constants, background weights, bias
currents, initial state, the weight grid, and the stage seeds.

These are pure functions of the model and a seed; ``brainmodel.simulation.network`` writes them
into Brian2's variables, ensembles change them through ``run_args``.
"""
from __future__ import annotations

import numpy as np

from regions.neurons import tonic_rate_hz

from . import scaling
from .edges import mean_facilitation


def derive_seeds(seed: int) -> dict[str, int]:
    """Independent seeds per stage: changing the stimulus or initial state never changes the network."""
    names = ("placement", "connectivity", "initial_state", "simulation", "heterogeneity",
             "projections", "pattern")
    children = np.random.SeedSequence(int(seed)).spawn(len(names))
    return {name: int(child.generate_state(1)[0]) for name, child in zip(names, children)}


def background_sources(spec, indegree_fraction: float) -> int:
    """Poisson background sources per cell: the full count scaled like every other in-degree,
    up to the reference in-degree (``scaling.background_fraction``)."""
    fraction = scaling.background_fraction(indegree_fraction, spec.gain_reference_indegree)
    return max(1, int(round(spec.background_sources * fraction)))


def full_background_weights(spec, layers: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Per cell (layer, type), the weight of one of the ``spec.background_sources`` Poisson
    sources at full scale: the type's background weight x K_ext(layer) / sources x the
    (layer, type) factor."""
    out = np.zeros(len(layers))
    for name, weight in spec.background_weight.items():
        out[types == name] = weight
    for layer, indegree in spec.background_indegree.items():
        out[layers == layer] *= indegree / spec.background_sources
    for (layer, cell_type), factor in spec.background_factor.items():
        out[(layers == layer) & (types == cell_type)] *= factor
    return out


def neuron_constants(model) -> dict[str, np.ndarray]:
    """Per-cell Izhikevich constants a, b, c, d (mV) of the cell types (nuclei: their own)."""
    spec, cells = model.spec, model.cells
    out = {key: np.zeros(len(cells)) for key in ("a", "b", "c", "d")}
    for name, cell_type in spec.types.items():
        mask = cells.type == name
        for key, value in zip("abcd", cell_type.neuron.parameters):
            out[key][mask] = value
    if model.nucleus_constants is not None:
        for key in out:
            out[key][model.n_cortex:] = model.nucleus_constants[key]
    return out


def cell_constants(model, indegree_fraction: float,
                   moments: dict | None = None) -> dict[str, np.ndarray]:
    """Per-cell neuron constants (``neuron_constants``) and background weight; ``moments``:
    the model's ``synaptic_input_moments`` when already computed (one pass over every edge).

    The background is scaled like the recurrent synapses: ``background_sources(spec, k)`` inputs
    with weights divided by sqrt(k), so its variance is preserved; its missing mean is part of
    ``compensating_conductances`` (van Albada et al. 2015; ``brainmodel.model.scaling``). Above
    the reference in-degree it also carries the variance the scaled synapses lack
    (``background_topup_factors``, returned as ``background_topup``: 1 up to the reference)."""
    spec, cells = model.spec, model.cells
    out = neuron_constants(model)
    out["w_background"] = full_background_weights(spec, cells.layer, cells.type)
    out["w_background"] *= np.sqrt(spec.background_sources
                                   / background_sources(spec, indegree_fraction))
    factor = model.background_factor
    if factor is not None:
        out["w_background"] *= factor
    out["background_topup"] = np.ones(len(cells))
    if indegree_fraction > spec.gain_reference_indegree:
        out["background_topup"] = background_topup_factors(model, indegree_fraction,
                                                           out["w_background"], moments)
        out["w_background"] *= out["background_topup"]
    if model.nucleus_constants is not None:
        out["w_background"][model.n_cortex:] = model.nucleus_constants["w_background"]
    return out


def background_topup_factors(model, indegree_fraction: float, w_background: np.ndarray,
                             moments: dict | None = None) -> np.ndarray:
    """Per cell, the factor on its background weight ``w_background`` that adds the input
    variance its scaled synapses lack above the reference in-degree
    (``scaling.background_topup``), per population (area, layer, type) and in current units at
    ``spec.reference_potential_mv``; 1 for the non-cortical cells. ``moments``: as in
    ``cell_constants``."""
    spec, cells = model.spec, model.cells
    n_cortex = model.n_cortex or len(cells)
    drive = {r: spec.constants_mv_ms[f"E_{r}"] - spec.reference_potential_mv
             for r in scaling.RECEPTORS}
    moments = moments if moments is not None else synaptic_input_moments(model)
    synaptic = sum(variance * drive[r] ** 2 for r, (_, variance) in moments.items())
    background = scaling.background_moments(
        background_sources(spec, indegree_fraction), spec.background_rate_hz, w_background,
        ampa_decay_ms(model))[1] * drive["ampa"] ** 2
    population = population_labels(cells)[:n_cortex]
    out = np.ones(len(cells))
    out[:n_cortex] = scaling.background_topup(
        scaling.population_average(synaptic[:n_cortex], population),
        scaling.population_average(background[:n_cortex], population),
        indegree_fraction, spec.gain_reference_indegree)
    return out


def population_labels(cells) -> np.ndarray:
    """Per cell, "region|layertype": the populations that share a compensation and balance."""
    return np.char.add(np.char.add(cells.region.astype(str), "|"),
                       np.char.add(cells.layer.astype(str), cells.type.astype(str)))


def assumed_rates(model) -> np.ndarray:
    """Per cell, the rate its population is assumed to fire at (``spec.assumed_rate_hz`` per
    (layer, type); 0 for the non-cortical regions, whose edges are not compensated)."""
    cells, n_cortex = model.cells, model.n_cortex or len(model.cells)
    rates = np.zeros(len(cells))
    for (layer, cell_type), rate in model.spec.assumed_rate_hz.items():
        rates[:n_cortex][(cells.layer[:n_cortex] == layer)
                         & (cells.type[:n_cortex] == cell_type)] = rate
    return rates


def synaptic_input_moments(model) -> dict:
    """Per cell and receptor, mean and variance of the synaptic conductance that the cortical
    edges give at the assumed rates: {receptor: (mean, variance)} (``scaling.synaptic_moments``)."""
    n = len(model.cells)
    return scaling.synaptic_moments(model.edges, assumed_rates(model), _tau_ms(model), n,
                                    model.n_cortex or n)


def background_input_moments(model, indegree_fraction: float,
                             weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, mean and variance of the cortical cells' Poisson background conductance
    (0 for the non-cortical cells); ``weight``: per cell (default: ``cell_constants``')."""
    spec = model.spec
    if weight is None:
        weight = cell_constants(model, indegree_fraction)["w_background"]
    weight = weight.copy()
    weight[(model.n_cortex or len(weight)):] = 0.0
    return scaling.background_moments(background_sources(spec, indegree_fraction),
                                      spec.background_rate_hz, weight, _tau_ms(model)["ampa"])


def ampa_decay_ms(model) -> np.ndarray:
    """Per cell, the AMPA decay time constant (ms): ``spec.ampa_decay_ms`` for the cortical
    types it lists, ``spec.constants_mv_ms["tau_ampa"]`` for every other cell."""
    spec, cells = model.spec, model.cells
    n_cortex = model.n_cortex or len(cells)
    tau = np.full(len(cells), float(spec.constants_mv_ms["tau_ampa"]))
    for cell_type, value in spec.ampa_decay_ms.items():
        tau[:n_cortex][cells.type[:n_cortex] == cell_type] = value
    return tau


def _tau_ms(model) -> dict:
    """Decay per receptor: AMPA per cell (``ampa_decay_ms``), GABA_A one constant."""
    return {"ampa": ampa_decay_ms(model), "gaba": model.spec.constants_mv_ms["tau_gaba"]}


def scaled_mean_conductances(model, indegree_fraction: float, moments: dict | None = None,
                             constants: dict | None = None) -> dict[str, np.ndarray]:
    """Per cell, the mean conductance of the scaled cortical synapses per receptor and of the
    Poisson background (key ``background``) at the assumed rates, without the compensation;
    ``background_topup``: the part of the background's that its variance top-up adds above
    the reference in-degree (0 up to it; ``cell_constants``). ``moments`` and ``constants``:
    the model's ``synaptic_input_moments`` and ``cell_constants`` when already computed."""
    moments = moments if moments is not None else synaptic_input_moments(model)
    means = {r: m[0] for r, m in moments.items()}
    constants = (constants if constants is not None
                 else cell_constants(model, indegree_fraction, moments))
    weight = constants["w_background"]
    means["background"] = background_input_moments(model, indegree_fraction, weight)[0]
    means["background_topup"] = means["background"] - background_input_moments(
        model, indegree_fraction, weight / constants["background_topup"])[0]
    return means


def compensating_conductances(model, indegree_fraction: float,
                              means: dict | None = None) -> dict[str, np.ndarray]:
    """Constant AMPA and GABA_A conductance per cell that restores the full-scale mean input
    of its population (region, layer, type; ``brainmodel.model.scaling``); 0 for the
    non-cortical cells. The background's own fraction is background_sources /
    spec.background_sources (k rounded to whole sources); the mean its variance top-up adds
    (above the reference in-degree) is taken off. ``means``: the
    ``scaled_mean_conductances`` when already computed."""
    spec, cells = model.spec, model.cells
    means = means if means is not None else scaled_mean_conductances(model, indegree_fraction)
    mask = np.arange(len(cells)) < (model.n_cortex or len(cells))
    population = population_labels(cells)
    synaptic = {r: means[r] for r in scaling.RECEPTORS}
    out = scaling.compensating_conductances(synaptic, population, indegree_fraction, mask,
                                            spec.gain_reference_indegree)
    k_background = background_sources(spec, indegree_fraction) / spec.background_sources
    unboosted = means["background"] - means["background_topup"]
    out["ampa"] += scaling.compensating_conductances(
        {"ampa": unboosted}, population, k_background, mask)["ampa"]
    out["ampa"][mask] -= scaling.population_average(means["background_topup"][mask],
                                                    population[mask])
    return out


def mean_input_current(model, means: dict, compensation: dict, v_mv: float) -> np.ndarray:
    """Per cell, the mean synaptic current (mV/ms) at membrane potential ``v_mv`` from its
    synapses, background and compensating conductances at the assumed rates
    (``scaled_mean_conductances``, ``compensating_conductances``)."""
    spec = model.spec
    g_ampa = means["ampa"] + means["background"] + compensation["ampa"]
    g_gaba = means["gaba"] + compensation["gaba"]
    return (g_ampa * (spec.constants_mv_ms["E_ampa"] - v_mv)
            + g_gaba * (spec.constants_mv_ms["E_gaba"] - v_mv))


def target_mean_input(spec, layer: str, cell_type: str) -> float:
    """The mean input (mV/ms) that balancing brings a cortical population to: its type's
    ``spec.target_mean_input`` plus the layer's ``spec.target_offset_by_layer`` (0 without)."""
    return (spec.target_mean_input.get(cell_type, 0.0)
            + spec.target_offset_by_layer.get((layer, cell_type), 0.0))


def balancing_currents(model, means: dict, compensation: dict) -> np.ndarray:
    """Per cortical cell, the constant current that brings the mean input of its area, layer
    and type (at the assumed rates, at ``spec.reference_potential_mv``) to the type's target
    (``spec.target_mean_input`` plus ``spec.target_offset_by_layer``), below the rheobase: the
    cells then fire from fluctuations, not from their mean (0 for the non-cortical cells and
    for types without a target). Per area, because the areas of a multi-area model differ in
    how much of their input comes from modelled long-range synapses rather than from the
    background (``projections.cortical``): pooled over areas, the whole-cortex model had areas
    30-50 % above and below the target, silent or at 50 Hz. ``means`` and ``compensation``:
    ``scaled_mean_conductances`` and ``compensating_conductances`` of the model."""
    spec, cells = model.spec, model.cells
    n_cortex = model.n_cortex or len(cells)
    current = mean_input_current(model, means, compensation, spec.reference_potential_mv)
    population = population_labels(cells)
    out = np.zeros(len(cells))
    for cell_type, target in spec.target_mean_input.items():
        mask = (cells.type == cell_type) & (np.arange(len(cells)) < n_cortex)
        if mask.any():
            out[mask] = target - scaling.population_average(current[mask], population[mask])
    for (layer, cell_type), offset in spec.target_offset_by_layer.items():
        out[(cells.layer == layer) & (cells.type == cell_type)
            & (np.arange(len(cells)) < n_cortex)] += offset
    return out


def stimulus_conductances(model, driven: np.ndarray, indegree_fraction: float) -> np.ndarray:
    """Per cell, the AMPA conductance added while the stimulus is on: the mean input that the
    DC-driven cells' extra firing gives at full scale and that their scaled synapses (which
    carry sqrt(k) of it) lack, (1 / sqrt(k) - 1) x sum over their synapses of w x dr x tau.
    dr: the driven type's rate under the DC (an isolated cell at the stimulus amplitude plus
    its layer and type's target mean input, ``regions.neurons.tonic_rate_hz``) minus its
    assumed rate. The compensation of the resting mean (``compensating_conductances``) assumes
    fixed rates; this is the same correction for the rates the stimulus changes, so the
    stimulus's mean effect on its targets does not depend on k either
    (``brainmodel.model.scaling``).

    Only for a stimulus of one voxel: a stimulus with a radius (topography, co-simulation)
    drives hundreds of cells, whose own synapses carry its effect, and the added mean made the
    disc around it run away (topography's default: more than 10 min per 0.5 s run)."""
    spec, cells = model.spec, model.cells
    n = len(cells)
    out = np.zeros(n)
    if not driven.any() or model.stimulus is None or model.stimulus.radius_um > 0:
        return out
    extra = np.zeros(n)
    assumed = assumed_rates(model)
    for layer in np.unique(cells.layer[driven]):
        for name, cell_type in spec.types.items():
            members = driven & (cells.type == name) & (cells.layer == layer)
            if members.any():
                rate = tonic_rate_hz(cell_type.neuron, model.stimulus.amplitude_mv
                                     + target_mean_input(spec, layer, name))
                extra[members] = np.maximum(rate - assumed[members], 0.0)
    tau_s = ampa_decay_ms(model) / 1000.0
    n_cortex = model.n_cortex or n
    for table in model.edges:
        if table.receptor != "ampa" or len(table) == 0:
            continue
        keep = driven[table.pre] & (table.post < n_cortex)
        post, pre = table.post[keep], table.pre[keep]
        extra_input = extra[pre]
        if table.facilitation is not None:    # rate x expected facilitation, DC minus rest
            dc_rate = assumed[pre] + extra_input
            extra_input = (dc_rate * mean_facilitation(dc_rate, table.facilitation)
                           - assumed[pre] * mean_facilitation(assumed[pre], table.facilitation))
        out += np.bincount(post, table.weight[keep] * extra_input * tau_s[post], minlength=n)
    return out * (1.0 / scaling.mean_fraction(indegree_fraction, spec.gain_reference_indegree)
                  - 1.0)


def pattern_offsets(model, seed: int) -> dict[str, np.ndarray]:
    """Per-cell offsets of the Izhikevich constants c and d (mV): spec.pattern_heterogeneity
    gives, per type, the offsets at r = 1; a cell gets them times r^2, r uniform in [0, 1)
    (drawn cell by cell in id order from its own seed; 0 for the non-cortical cells)."""
    cells = model.cells
    n_cortex = model.n_cortex or len(cells)
    r2 = np.random.default_rng(seed).uniform(0.0, 1.0, len(cells)) ** 2
    out = {"c": np.zeros(len(cells)), "d": np.zeros(len(cells))}
    for cell_type, offsets in model.spec.pattern_heterogeneity.items():
        mask = (cells.type == cell_type) & (np.arange(len(cells)) < n_cortex)
        for key, value in offsets.items():
            out[key][mask] = value * r2[mask]
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
    return {"v": v, "u": neuron_constants(model)["b"] * v}


WEIGHT_GRID = 2.0 ** -32


def exact_sum_weights(weights: np.ndarray) -> np.ndarray:
    """Weights rounded to multiples of 2**-32 (relative change below 1e-5 for the smallest
    weights used, 1e-4): sums of up to 2**20 such weights of magnitude < 2 are exact in double
    precision, whatever the order of addition."""
    return np.round(np.asarray(weights, dtype=np.float64) / WEIGHT_GRID) * WEIGHT_GRID
