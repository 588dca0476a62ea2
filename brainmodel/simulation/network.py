"""Brian2 objects for a built model (``brainmodel.model.build.Model``): one NeuronGroup for all
cells (one equation family, per-cell constants), one Synapses per receptor (and per MPI source),
the Poisson background and a spike monitor. Returns an explicit ``brian2.Network``.

Seeds and dt come from the config explicitly (``b2.seed``, ``b2.defaultclock.dt``) on every
build; the device is set and released by ``brainmodel.simulation.devices``.
"""
from __future__ import annotations

from pathlib import Path

import brian2 as b2
import numpy as np
from regions.cortex import RECEPTOR_VARIABLE

from ..model.edges import by_receptor
from ..model.parameters import (WEIGHT_GRID, ampa_decay_ms, background_sources,
                                balancing_currents, bias_currents, cell_constants,
                                compensating_conductances, derive_seeds, exact_sum_weights,
                                initial_state, pattern_offsets, scaled_mean_conductances,
                                stimulus_conductances, synaptic_input_moments)
from .background import EVENT_MODE_BELOW, poisson_events_function
from .delivery import EDGES_FILE, load_code, tick_function, write_edges


def create_network(model: Model, config, cells: np.ndarray | None = None, proxy=None,
                   compact_dir: Path | None = None):
    """Brian2 objects for a built model: one NeuronGroup, one Synapses per receptor, background,
    spike monitor. Returns (network, objects by name).

    ``compact_dir`` (cpp_standalone, one process): the project folder; the synapses and the
    background then go through ``brainmodel.simulation.delivery`` (its ``edges.bin`` is written
    there) instead of Brian2 ``Synapses``, with the same spikes, in a fraction of the memory and
    time. Without it (runtime, cuda_standalone, MPI ranks, ensembles, which change weights
    through run_args), Brian2 ``Synapses``.

    For one MPI rank (``brainmodel.simulation.mpi.ranks``): ``cells`` are the global ids this rank
    simulates (default: all cells, in id order), and ``proxy`` (a ``ProxyCells``) the remote
    cells that project onto them: a group whose threshold reads the spikes received over MPI,
    with synapses that carry the delay minus the communication interval. Delays are whole time
    steps in both cases, so a rank delivers every spike at the step the single process does.
    ``proxy.extra_edges`` are edge tables from cells outside the model (global ids from
    ``len(model.cells)`` on: the body rank's afferent fibres, ``brainmodel.experiments.cosim_forelimb``);
    they connect through the same proxy group."""
    spec = model.spec
    seeds = derive_seeds(config.seed)
    b2.seed(seeds["simulation"])
    # every object runs on the default clock (brian2cuda's delay code refers to it by name)
    b2.defaultclock.dt = config.dt_ms * b2.ms
    # constants the equations declare per cell (tau_ampa, from ampa_decay_ms) stay out
    per_cell = b2.Equations(spec.equations).names
    namespace = {k: v * (b2.mV if k.startswith("E_") else b2.ms)
                 for k, v in spec.constants_mv_ms.items() if k not in per_cell}
    namespace["mV"] = b2.mV
    namespace.update(background_namespace(spec, config, seeds["simulation"]))
    receptor_names = list(dict.fromkeys(t.receptor for t in model.edges))
    receptors = [RECEPTOR_VARIABLE[r] for r in receptor_names]
    ids = np.arange(len(model.cells)) if cells is None else np.asarray(cells, dtype=np.int64)
    compact = compact_dir is not None and bool(receptors)    # (a network without synapses: Brian2)
    if compact and (cells is not None or proxy is not None or config.device != "cpp_standalone"):
        raise ValueError("compact delivery is for one cpp_standalone process")
    if compact:
        write_edges(Path(compact_dir) / EDGES_FILE, model.edges, receptor_names, len(ids))
        event_background = namespace["background_rate_dt"] < EVENT_MODE_BELOW
        namespace["brainmodel_tick"] = tick_function("cortex", receptors, len(ids),
                                                     event_background, config.dt_ms / 1000.0)
        b2.device.insert_code("before_network_run", load_code(
            namespace["background_rate_dt"], namespace["background_seed"]))
    group = b2.NeuronGroup(len(ids), network_equations(spec.equations, receptors, compact),
                           threshold=spec.threshold, reset=spec.reset, method="euler",
                           namespace=namespace, name="cortex")
    group.cell_id = ids
    moments = synaptic_input_moments(model)         # one pass over every edge
    constants = cell_constants(model, config.indegree_fraction, moments)
    group.a = constants["a"][ids]
    group.b = constants["b"][ids]
    pattern = pattern_offsets(model, seeds["pattern"])
    group.c = (constants["c"] + pattern["c"])[ids] * b2.mV
    group.d = (constants["d"] + pattern["d"])[ids] * b2.mV
    group.w_background = constants["w_background"][ids]
    group.tau_ampa = ampa_decay_ms(model)[ids] * b2.ms
    means = scaled_mean_conductances(model, config.indegree_fraction, moments, constants)
    compensation = compensating_conductances(model, config.indegree_fraction, means)
    group.I_bias = (bias_currents(model, seeds["heterogeneity"])
                    + balancing_currents(model, means, compensation))[ids] * b2.mV
    group.g_ampa_dc = compensation["ampa"][ids]
    group.g_gaba_dc = compensation["gaba"][ids]
    state = initial_state(model, seeds["initial_state"])
    group.v = state["v"][ids] * b2.mV
    group.u = state["u"][ids] * b2.mV
    group.stim_mask = model.stimulated[ids].astype(float)
    group.g_ampa_stim = stimulus_conductances(model, model.stimulated,
                                              config.indegree_fraction)[ids]
    stim = model.stimulus
    group.stim_amplitude = stim.amplitude_mv * b2.mV
    group.stim_onset = stim.onset_ms * b2.ms
    group.stim_offset = stim.offset_ms * b2.ms
    objects = {"cortex": group}
    if compact:
        objects["delivery"] = group.run_regularly(
            "delivery_tick = brainmodel_tick(timestep(t, dt), background_rate_dt, "
            "background_seed)", when="start", name="cortex_delivery")
        objects["spikes"] = b2.SpikeMonitor(group, name="cortex_spikes")
        return b2.Network(group, objects["spikes"]), objects
    if receptors:
        objects["incoming"] = group.run_regularly(
            "\n".join(f"{v} += {v}_incoming\n{v}_incoming = 0" for v in receptors),
            when="start", name="cortex_incoming")
    post_index = None if cells is None else _index_of(ids, len(model.cells))
    sources = [("cortex", group, post_index, 0)]
    proxy_sources = []
    if proxy is not None and len(proxy.gids):
        proxies = b2.NeuronGroup(len(proxy.gids), "", threshold="mpi_proxy_flag(i) > 0.5",
                                 reset="", namespace={"mpi_proxy_flag": proxy.flag_function},
                                 name="mpi_proxies")
        objects["mpi_proxies"] = proxies
        n_gids = max([len(model.cells), int(proxy.gids.max()) + 1]
                     + [int(t.pre.max()) + 1 for t in proxy.extra_edges if len(t)])
        proxy_sources.append(("mpi_proxy", proxies, _index_of(proxy.gids, n_gids),
                              proxy.interval_steps))
    tables = [(table, sources + proxy_sources) for table in by_receptor(model.edges)]
    # afferents from outside the brain (the body rank) reach the rank through proxies only
    tables += [(table, [("body_" + p[0], *p[1:]) for p in proxy_sources])
               for table in (proxy.extra_edges if proxy is not None else ())]
    for table, table_sources in tables:
        if abs(table.dt_ms - config.dt_ms) > 1e-12:
            raise ValueError(f"edge delays are in steps of {table.dt_ms} ms, the run's dt is "
                             f"{config.dt_ms} ms")
        steps = table.delay_steps.astype(np.int64)
        weight_values = exact_sum_weights(table.weight_values)
        for prefix, source, pre_index, shift in table_sources:
            if pre_index is None:                   # the whole network in one process
                pre, post, code, steps_kept = table.pre, table.post, table.weight_code, steps
            else:
                keep = (pre_index[table.pre] >= 0) & (post_index[table.post] >= 0)
                pre, post = pre_index[table.pre[keep]], post_index[table.post[keep]]
                code, steps_kept = table.weight_code[keep], steps[keep]
                if not keep.any():          # (a rank may hold no synapse of a table)
                    continue
            model_text, on_pre, synapse_namespace = synapse_model(table)
            syn = b2.Synapses(source, group, model_text, on_pre=on_pre,
                              namespace=synapse_namespace, name=synapses_name(prefix, table))
            syn.connect(i=pre.astype(np.int32), j=post.astype(np.int32))
            syn.w = weight_values[code]
            syn.delay = (steps_kept - shift) * config.dt_ms * b2.ms
            objects[syn.name] = syn
    objects["background"] = background_input(group, spec, config)
    objects["spikes"] = b2.SpikeMonitor(group, name="cortex_spikes")
    # run_regularly operations belong to the group and enter the network with it
    return b2.Network(*(o for o in objects.values() if o.name not in group_operations(group))), \
        objects


def synapses_name(prefix: str, table) -> str:
    """Name of the Synapses object of one ``by_receptor`` table from the source ``prefix``."""
    return f"{prefix}_{table.receptor}" + ("_facilitating" if table.facilitation else "")


def synapse_model(table) -> tuple:
    """(model, on_pre, namespace) of a table's Synapses. Static: the weight into the receptor's
    incoming sum. Facilitating (``EdgeTable.facilitation``, U and tau_F): per synapse the release
    probability u after the last spike and that spike's time; at each arrival u decays over the
    interval, jumps by U (1 - u), and the weight x u / U, rounded to the weight grid (sums stay
    exact), is added: what ``brainmodel.simulation.delivery`` does per source."""
    target = f"{RECEPTOR_VARIABLE[table.receptor]}_incoming_post"
    if table.facilitation is None:
        return "w : 1 (constant)", f"{target} += w", {}
    use, tau_ms = table.facilitation
    model = "w : 1 (constant)\nu_release : 1\nt_release : second"
    on_pre = ("u_release = u_release * exp((t_release - t) / tau_facilitation)\n"
              "u_release = u_release + U_facilitation * (1 - u_release)\n"
              "t_release = t\n"
              f"{target} += floor(w * (u_release / U_facilitation) * weight_grid_inverse"
              " + 0.5) / weight_grid_inverse")
    return model, on_pre, {"U_facilitation": float(use), "tau_facilitation": tau_ms * b2.ms,
                           "weight_grid_inverse": 1.0 / WEIGHT_GRID}


def _index_of(ids: np.ndarray, n: int) -> np.ndarray:
    """Position of each global id in ``ids``; -1 for ids not in it."""
    index = np.full(n, -1, dtype=np.int64)
    index[ids] = np.arange(len(ids))
    return index


def group_operations(group) -> set:
    return {o.name for o in group.contained_objects}


def network_equations(equations: str, receptor_variables, compact: bool = False) -> str:
    """The spec's equations plus what the builder needs: each cell's global id (its background
    stream) and, per receptor variable, the input that arrives in the current time step.

    Synapses add into ``<variable>_incoming``; at the start of the next step it is added to the
    variable at once. With weights on a 2**-32 grid (``exact_sum_weights``) these sums are exact,
    so they do not depend on the order in which spikes arrive: the same network split over MPI
    ranks (local and proxy synapses) or run on a GPU (atomic adds) integrates the same numbers."""
    lines = [equations.rstrip(), "cell_id : integer (constant)"]
    if compact:         # the accumulators live in brainmodel.simulation.delivery
        return "\n".join(lines + ["delivery_tick : integer (shared)"]) + "\n"
    lines += [f"{v}_incoming : 1" for v in receptor_variables]
    return "\n".join(lines) + "\n"


def background_namespace(spec, config, seed: int) -> dict:
    """Names the background code uses (see ``background_input``)."""
    if config.device == "cuda_standalone":
        return {}
    sources = background_sources(spec, config.indegree_fraction)
    return {"poisson_events": poisson_events_function(), "background_seed": int(seed % 2**62),
            "background_rate_dt": sources * spec.background_rate_hz * config.dt_ms / 1000.0}


def background_input(group, spec, config):
    """Poisson background onto g_ampa, ``background_sources`` inputs at the spec's rate with the
    per-cell weight ``w_background``. cpp_standalone and runtime: ``brainmodel.simulation.background``'s
    event-by-event draw from one random stream per cell (seeded by ``cell_id``), so a cell's
    background does not depend on how the network is partitioned; cuda_standalone: Brian2's
    PoissonInput (brian2cuda implements it, not the C++ function). The namespace entries come
    from ``background_namespace``."""
    if config.device == "cuda_standalone":
        return b2.PoissonInput(group, "g_ampa",
                               background_sources(spec, config.indegree_fraction),
                               spec.background_rate_hz * b2.Hz, weight="w_background")
    return group.run_regularly(
        "g_ampa += w_background * poisson_events(background_rate_dt, timestep(t, dt), "
        "cell_id, background_seed)", when="synapses", name="cortex_background")
