"""Builder: derive parameters, place, connect, create Brian2 objects; returns an explicit Network.

Phases are separate functions so each can be tested alone:
``build_model`` (atlas -> cells -> edges, numpy only, device independent) and
``create_network`` (Brian2 objects from the cell and edge tables).
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

import numpy as np

from . import atlas as atlas_mod
from . import connectivity, densities, placement
from .errors import BrainmodelError


@dataclass(frozen=True)
class Model:
    """Everything that defines the network, before Brian2: pure data."""
    spec: object
    voxels: atlas_mod.RegionVoxels
    cells: placement.CellTable
    edges: tuple
    stimulated: np.ndarray          # bool per cell
    stimulus: object
    timings: dict
    background_factor: np.ndarray | None = None   # per cell; long-range inputs replace background
    area_group: dict = field(default_factory=dict)  # modelled area -> requested region
    n_cortex: int | None = None                 # cells after these belong to other regions
    nucleus_constants: dict | None = None       # their constants (brainmodel.subcortical)

    def group_of_cells(self) -> np.ndarray:
        """The requested region (e.g. SSp) of each cell, whose area may be a part (SSp-ul);
        thalamus, pons or cerebellum for the cells of those regions."""
        return np.array([self.area_group.get(a, a) for a in self.cells.region], dtype=object)

    def system_of_cells(self) -> np.ndarray:
        """cortex, thalamus, pons or cerebellum per cell."""
        out = np.full(len(self.cells), "cortex", dtype=object)
        if self.n_cortex is not None:
            out[self.n_cortex:] = self.group_of_cells()[self.n_cortex:]
        return out


def derive_seeds(seed: int) -> dict[str, int]:
    """Independent seeds per stage: changing the stimulus or initial state never changes the network."""
    names = ("placement", "connectivity", "initial_state", "simulation", "heterogeneity",
             "projections")
    children = np.random.SeedSequence(int(seed)).spawn(len(names))
    return {name: int(child.generate_state(1)[0]) for name, child in zip(names, children)}


def build_model(config, spec, annotation, ontology, kim, progress=print) -> Model:
    from . import stimulus as stimulus_mod

    timings = {}
    seeds = derive_seeds(config.seed)
    start = time.perf_counter()
    area_group, knox = resolve_areas(config, ontology)
    voxels = atlas_mod.select_regions(annotation, ontology, list(area_group), config.hemisphere)
    timings["atlas_s"] = time.perf_counter() - start
    stim = stimulus_mod.resolve(config.stimulus, voxels, config.duration_ms,
                                default_stimulus_region(config, area_group, voxels))
    progress(f"atlas: {len(voxels)} voxels of {','.join(config.regions)} ({config.hemisphere})")

    start = time.perf_counter()
    from regions.cortex import model_layers
    model_layer = model_layers(voxels.layer)
    type_density = densities.voxel_type_densities(spec, kim, voxels.region, voxels.layer)
    cells = placement.place_cells(voxels, type_density, list(spec.types), model_layer,
                                  spec.populations, config.density, seeds["placement"])
    timings["placement_s"] = time.perf_counter() - start
    progress(f"placement: {len(cells)} cells at density fraction {config.density}")

    start = time.perf_counter()
    edges = connectivity.local_edges(cells, spec, config.density, config.indegree_fraction,
                                     seeds["connectivity"], progress, voxels.resolution_um)
    timings["connectivity_s"] = time.perf_counter() - start
    n_syn = sum(len(e) for e in edges)
    progress(f"connectivity: {n_syn} synapses ({n_syn / max(len(cells), 1):.0f} per cell) in "
             f"{timings['connectivity_s']:.1f} s")
    edges, background_factor = _add_long_range(config, spec, cells, edges, knox, area_group,
                                                ontology, annotation, seeds["projections"],
                                                progress)
    stimulated = stimulus_mod.stimulated_cells(stim, cells)
    if not stimulated.any():
        raise BrainmodelError(f"the stimulus voxel {stim.voxel_ijk} holds no {stim.layer} cells "
                              f"at density {config.density}; raise --density or pick another voxel")
    model = Model(spec, voxels, cells, tuple(edges), stimulated, stim, timings, background_factor,
                  area_group)
    if config.nuclei:
        from . import build_nuclei
        model = build_nuclei.add_nuclei(model, config, annotation, ontology, knox, seeds,
                                        progress)
    return model


def default_stimulus_region(config, area_group, voxels) -> np.ndarray:
    """Voxels of the stimulus region (default: the first requested region) in the left
    hemisphere (right when only the right one is modelled)."""
    name = config.stimulus.region or config.regions[0]
    areas = [a for a, g in area_group.items() if name in (a, g)]
    if not areas:
        raise BrainmodelError(f"stimulus region {name!r} is not among the modelled areas "
                              f"({', '.join(area_group)})")
    side = "right" if config.hemisphere == "right" else "left"
    return np.isin(voxels.region, areas) & (voxels.hemisphere == side)


def resolve_areas(config, ontology):
    """The modelled areas ({area: requested region}) and the connectome that defines them.

    One area with only layers below it in one hemisphere and no other region (the default MOp)
    needs no connectome (returns None for it); any other selection is expanded to the Knox 2019
    source areas (``projections.connectome.expand_areas``), which also serve the long-range and
    the non-cortical projections."""
    only = config.regions[0]
    children = ontology.children[ontology.get(only).id]
    if (len(config.regions) == 1 and config.hemisphere != "both" and not config.nuclei
            and all(not ontology.children[c] for c in children)):
        return {only: only}, None
    from projections import connectome as connectome_mod

    from . import data

    knox = connectome_mod.check_acronyms(connectome_mod.load_knox_homogeneous(
        data.resolve_data_dir(config.data_dir), ontology), ontology)
    return connectome_mod.expand_areas(config.regions, ontology, knox), knox


def _add_long_range(config, spec, cells, edges, knox, area_group, ontology, annotation, seed,
                    progress):
    """Cortico-cortical projections when the model has more than one area or hemisphere; they
    join the AMPA edge table. Returns (edges, per-cell background factor or None)."""
    if len(set(zip(cells.region, cells.hemisphere))) < 2:
        return edges, None
    from projections import connectome as connectome_mod
    from projections import cortical

    from . import data

    start = time.perf_counter()
    from . import flatmap

    data_dir = data.resolve_data_dir(config.data_dir)
    volumes = connectome_mod.region_volumes(annotation, ontology, knox.sources)
    relative = None
    if config.topography:
        shape = annotation.volume.shape
        flat = flatmap.cell_flat_coordinates(flatmap.voxel_flat_coordinates(data_dir, shape),
                                             cells.voxel_index, shape)
        requested = np.array([area_group.get(a, a) for a in cells.region], dtype=str)
        groups = np.char.add(requested, cells.hemisphere.astype(str))
        relative = flatmap.relative_positions(flat, groups, cells.hemisphere)
    leaf = connectome_mod.load_koelle_leaf(data_dir)
    profile = functools.lru_cache(maxsize=None)(functools.partial(
        connectome_mod.target_layer_profile, leaf, ontology))
    pre, post, weight, delay, factor = cortical.long_range_edges(
        cells, spec, knox, volumes, config.density, config.indegree_fraction, seed, relative,
        layer_profile=profile)
    merged = []
    for table in edges:
        if table.receptor == "ampa":
            table = connectivity.EdgeTable(np.concatenate([table.pre, pre]),
                                           np.concatenate([table.post, post]),
                                           np.concatenate([table.weight, weight]),
                                           np.concatenate([table.delay_ms, delay]), "ampa")
        merged.append(table)
    progress(f"long-range projections: {len(pre)} synapses between "
             f"{len(set(zip(cells.region, cells.hemisphere)))} area-hemispheres in "
             f"{time.perf_counter() - start:.1f} s")
    return merged, factor


def background_sources(spec, indegree_fraction: float) -> int:
    """Poisson background sources per cell: the full count scaled like every other in-degree."""
    return max(1, int(round(spec.background_sources * indegree_fraction)))


def cell_constants(model: Model, indegree_fraction: float) -> dict[str, np.ndarray]:
    """Per-cell neuron constants (Izhikevich a, b, c, d in mV, background weight).

    The background is scaled like the recurrent synapses: ``background_sources(spec, k)`` inputs
    with weights divided by k, so its mean is preserved (van Albada et al. 2015)."""
    spec, cells = model.spec, model.cells
    out = {key: np.zeros(len(cells)) for key in ("a", "b", "c", "d", "w_background")}
    for name, cell_type in spec.types.items():
        mask = cells.type == name
        for key in ("a", "b", "c", "d"):
            out[key][mask] = getattr(cell_type, key)
        out["w_background"][mask] = spec.background_weight[name]
    for layer, indegree in spec.background_indegree.items():
        out["w_background"][cells.layer == layer] *= indegree / spec.background_sources
    for (layer, cell_type), factor in spec.background_factor.items():
        out["w_background"][(cells.layer == layer) & (cells.type == cell_type)] *= factor
    out["w_background"] *= spec.background_sources / background_sources(spec, indegree_fraction)
    factor = getattr(model, "background_factor", None)
    if factor is not None:
        out["w_background"] *= factor
    if model.nucleus_constants is not None:
        for key in out:
            out[key][model.n_cortex:] = model.nucleus_constants[key]
    return out


def bias_currents(model: Model, seed: int) -> np.ndarray:
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


def initial_state(model: Model, seed: int) -> dict[str, np.ndarray]:
    """Membrane potential uniform in [-70, -60] mV and u = b * v (mV)."""
    rng = np.random.default_rng(seed)
    v = rng.uniform(-70.0, -60.0, len(model.cells))
    return {"v": v, "u": cell_constants(model, 1.0)["b"] * v}


def create_network(model: Model, config, cells: np.ndarray | None = None, proxy=None):
    """Brian2 objects for a built model: one NeuronGroup, one Synapses per receptor, background,
    spike monitor. Returns (network, objects by name).

    For one MPI rank (``brainmodel.mpi_ranks``): ``cells`` are the global ids this rank
    simulates (default: all cells, in id order), and ``proxy`` (a ``ProxyCells``) the remote
    cells that project onto them: a group whose threshold reads the spikes received over MPI,
    with synapses that carry the delay minus the communication interval. Delays are whole time
    steps in both cases, so a rank delivers every spike at the step the single process does.
    ``proxy.extra_edges`` are edge tables from cells outside the model (global ids from
    ``len(model.cells)`` on: the body rank's afferent fibres, ``brainmodel.cosim_experiment``);
    they connect through the same proxy group."""
    import brian2 as b2

    spec = model.spec
    seeds = derive_seeds(config.seed)
    b2.seed(seeds["simulation"])
    # every object runs on the default clock (brian2cuda's delay code refers to it by name)
    b2.defaultclock.dt = config.dt_ms * b2.ms
    namespace = {k: v * (b2.mV if k.startswith("E_") else b2.ms)
                 for k, v in spec.constants_mv_ms.items()}
    namespace["mV"] = b2.mV
    namespace.update(background_namespace(spec, config, seeds["simulation"]))
    from regions.cortex import RECEPTOR_VARIABLE
    receptors = [RECEPTOR_VARIABLE[r] for r in dict.fromkeys(t.receptor for t in model.edges)]
    ids = np.arange(len(model.cells)) if cells is None else np.asarray(cells, dtype=np.int64)
    group = b2.NeuronGroup(len(ids), network_equations(spec.equations, receptors),
                           threshold=spec.threshold, reset=spec.reset, method="euler",
                           namespace=namespace, name="cortex")
    group.cell_id = ids
    constants = cell_constants(model, config.indegree_fraction)
    group.a = constants["a"][ids]
    group.b = constants["b"][ids]
    group.c = constants["c"][ids] * b2.mV
    group.d = constants["d"][ids] * b2.mV
    group.w_background = constants["w_background"][ids]
    group.I_bias = bias_currents(model, seeds["heterogeneity"])[ids] * b2.mV
    state = initial_state(model, seeds["initial_state"])
    group.v = state["v"][ids] * b2.mV
    group.u = state["u"][ids] * b2.mV
    group.stim_mask = model.stimulated[ids].astype(float)
    stim = model.stimulus
    group.stim_amplitude = stim.amplitude_mv * b2.mV
    group.stim_onset = stim.onset_ms * b2.ms
    group.stim_offset = stim.offset_ms * b2.ms
    objects = {"cortex": group}
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
    tables = [(table, sources + proxy_sources) for table in model.edges]
    # afferents from outside the brain (the body rank) reach the rank through proxies only
    tables += [(table, [("body_" + p[0], *p[1:]) for p in proxy_sources])
               for table in (proxy.extra_edges if proxy is not None else ())]
    for table, table_sources in tables:
        steps = np.rint(table.delay_ms / config.dt_ms).astype(np.int64)
        for prefix, source, pre_index, shift in table_sources:
            if pre_index is None:                   # the whole network in one process
                pre, post, weight, steps_kept = table.pre, table.post, table.weight, steps
            else:
                keep = (pre_index[table.pre] >= 0) & (post_index[table.post] >= 0)
                pre, post = pre_index[table.pre[keep]], post_index[table.post[keep]]
                weight, steps_kept = table.weight[keep], steps[keep]
                if source is not group and not keep.any():
                    continue
            syn = b2.Synapses(source, group, "w : 1 (constant)",
                              on_pre=f"{RECEPTOR_VARIABLE[table.receptor]}_incoming_post += w",
                              namespace={}, name=f"{prefix}_{table.receptor}")
            syn.connect(i=pre.astype(np.int32), j=post.astype(np.int32))
            syn.w = exact_sum_weights(weight)
            syn.delay = (steps_kept - shift) * config.dt_ms * b2.ms
            objects[syn.name] = syn
    objects["background"] = background_input(group, spec, config)
    objects["spikes"] = b2.SpikeMonitor(group, name="cortex_spikes")
    # run_regularly operations belong to the group and enter the network with it
    return b2.Network(*(o for o in objects.values() if o.name not in group_operations(group))), \
        objects


def _index_of(ids: np.ndarray, n: int) -> np.ndarray:
    """Position of each global id in ``ids``; -1 for ids not in it."""
    index = np.full(n, -1, dtype=np.int64)
    index[ids] = np.arange(len(ids))
    return index


def group_operations(group) -> set:
    return {o.name for o in group.contained_objects}


def network_equations(equations: str, receptor_variables) -> str:
    """The spec's equations plus what the builder needs: each cell's global id (its background
    stream) and, per receptor variable, the input that arrives in the current time step.

    Synapses add into ``<variable>_incoming``; at the start of the next step it is added to the
    variable at once. With weights on a 2**-32 grid (``exact_sum_weights``) these sums are exact,
    so they do not depend on the order in which spikes arrive: the same network split over MPI
    ranks (local and proxy synapses) or run on a GPU (atomic adds) integrates the same numbers."""
    lines = [equations.rstrip(), "cell_id : integer (constant)"]
    lines += [f"{v}_incoming : 1" for v in receptor_variables]
    return "\n".join(lines) + "\n"


WEIGHT_GRID = 2.0 ** -32


def exact_sum_weights(weights: np.ndarray) -> np.ndarray:
    """Weights rounded to multiples of 2**-32 (relative change below 1e-5 for the smallest
    weights used, 1e-4): sums of up to 2**20 such weights of magnitude < 2 are exact in double
    precision, whatever the order of addition."""
    return np.round(np.asarray(weights, dtype=np.float64) / WEIGHT_GRID) * WEIGHT_GRID


def background_namespace(spec, config, seed: int) -> dict:
    """Names the background code uses (see ``background_input``)."""
    from .background import poisson_events_function

    if config.device == "cuda_standalone":
        return {}
    sources = background_sources(spec, config.indegree_fraction)
    return {"poisson_events": poisson_events_function(), "background_seed": int(seed % 2**62),
            "background_rate_dt": sources * spec.background_rate_hz * config.dt_ms / 1000.0}


def background_input(group, spec, config):
    """Poisson background onto g_ampa, ``background_sources`` inputs at the spec's rate with the
    per-cell weight ``w_background``. cpp_standalone and runtime: ``brainmodel.background``'s
    event-by-event draw from one random stream per cell (seeded by ``cell_id``), so a cell's
    background does not depend on how the network is partitioned; cuda_standalone: Brian2's
    PoissonInput (brian2cuda implements it, not the C++ function). The namespace entries come
    from ``background_namespace``."""
    import brian2 as b2

    if config.device == "cuda_standalone":
        return b2.PoissonInput(group, "g_ampa",
                               background_sources(spec, config.indegree_fraction),
                               spec.background_rate_hz * b2.Hz, weight="w_background")
    return group.run_regularly(
        "g_ampa += w_background * poisson_events(background_rate_dt, timestep(t, dt), "
        "cell_id, background_seed)", when="synapses", name="cortex_background")
