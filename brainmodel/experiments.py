"""Experiments: config -> model -> Brian2 -> run -> outputs -> analysis -> figures.

Named experiments (``EXPERIMENTS``) set the defaults of a run; command-line options override
them:
- ``m1-gamma`` (default): left MOp, DC stimulation of L2/3 cells in one 100 um voxel, the first
  result of the reference study (Igarashi et al. 2019; DESIGN.md item 1).
- ``topography``: left MOp + MOs + SSp + SSs; three stimulation sites along the rostro-caudal
  axis of MOp, each run against a control without stimulus on the same compiled network
  (``brainmodel.topography``; DESIGN.md item 3).
- ``bihemispheric-cortex``: the whole isocortex (43 areas of the Knox 2019 model) in both
  hemispheres with ipsi- and contralateral projections; DC stimulation in left MOp (item 4).
- ``motor-loop`` and ``agranular-bg-cb``: the cortex with thalamus, pons and cerebellum, or with
  striatum, pallidum, pons and cerebellum (``brainmodel.build_nuclei``; items 2 and 4).
- ``ensemble`` and ``assimilate``: many members of one compiled network, and an ensemble Kalman
  filter on them (``brainmodel.ensemble_experiments``; item 4).
"""
from __future__ import annotations

import dataclasses
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import analysis, build, data, densities, devices, outputs
from .atlas import load_annotation
from .config import EXPERIMENTS, configure  # noqa: F401  (configure: public API)
from .errors import BrainmodelError
from .ontology import Ontology

POPULATION = "cortex"
GAMMA_BAND_HZ = analysis.GAMMA_BAND_HZ


def log(message: str) -> None:
    print(f"[brainmodel] {message}", file=sys.stderr, flush=True)


def check_config(config) -> None:
    """Cheap checks that need no simulation: run before any output is created."""
    if config.experiment not in EXPERIMENTS:
        raise BrainmodelError(f"unknown experiment {config.experiment!r}; available: "
                              f"{', '.join(EXPERIMENTS)}")
    missing = [r for r in EXPERIMENTS[config.experiment].required_regions
               if r not in config.regions[:1]]
    if missing:
        raise BrainmodelError(f"experiment {config.experiment} needs {', '.join(missing)} as the "
                              f"first of --regions (it stimulates there), not "
                              f"{','.join(config.regions)}")
    config.validate()
    devices.check_device(config.device, config.threads)
    if config.experiment == "cosim-forelimb":
        from cosim.body import load_model

        from .mpi_ranks import mpi_tool
        if config.device != "cpp_standalone":
            raise BrainmodelError(f"cosim-forelimb runs brain ranks over MPI and needs --device "
                                  f"cpp_standalone, not {config.device}")
        if config.compile_only:
            raise BrainmodelError("--compile-only is not supported for cosim-forelimb (its "
                                  "three runs start the brain and body ranks together)")
        mpi_tool("mpirun")
        load_model(config.mjcf)


def load_inputs(config):
    data_dir = data.resolve_data_dir(config.data_dir)
    return (load_annotation(data_dir), Ontology.load(data_dir), densities.load_kim2017(data_dir))


def run_experiment(config, progress=log, keep_build: bool = False, overwrite: bool = False,
                   spec=None) -> Path:
    """Run one experiment and write its output folder; returns the folder.

    ``spec`` replaces the cortex spec (default: ``regions.cortex.default_spec()``), for example a
    copy with edited equations: ``dataclasses.replace(default_spec(), equations=...)``.
    With ``config.compile_only`` the folder holds config, cells and timings only."""
    from regions.cortex import default_spec

    check_config(config)
    annotation, ontology, kim = load_inputs(config)
    final = Path(config.output or f"output/{config.experiment}-seed{config.seed}")
    wall_start = time.perf_counter()
    with outputs.atomic_output_dir(final, overwrite) as out:
        start = time.perf_counter()
        model = build.build_model(config, spec if spec is not None else default_spec(),
                                  annotation, ontology, kim, progress)
        if config.experiment == "cosim-forelimb":
            _run_cosim(model, config, out, keep_build, progress)
        elif config.experiment in ("ensemble", "assimilate"):
            from . import ensemble_experiments
            outputs.write_json(out / "config.json", config.to_dict())
            model.cells.write_csv(out / "cells.csv")
            progress(_headline(ensemble_experiments.run(model, config, out, progress,
                                                          keep_build), {}))
        else:
            _run_network(model, config, out, keep_build, start, wall_start, progress)
    progress(f"outputs in {final.resolve()}")
    return final


def _run_network(model, config, out: Path, keep_build: bool, start: float, wall_start: float,
                 progress) -> None:
    """One compiled network, run once per stimulus variant; outputs, summary and figures."""
    variants = stimulus_variants(model, config, progress)
    run, construction_s, spikes = _simulate(
        model, config, out / "build" if keep_build or (config.ranks and config.compile_only)
        else None, start, progress,
        [mask for _, mask in variants])
    outputs.write_json(out / "config.json", config.to_dict())
    model.cells.write_csv(out / "cells.csv")
    if config.compile_only:
        outputs.write_json(out / "timings.json", dict(
            run.timings, network_construction_s=construction_s, n_cells=len(model.cells),
            n_synapses=int(sum(len(e) for e in model.edges))))
        progress(f"compiled for {config.device} in {run.timings['codegen_compile_s']:.1f} s;"
                 f" not run (--compile-only)")
    else:
        from . import plotting
        for (label, _), (node_ids, times_ms) in zip(variants, spikes):
            name = "spikes.h5" if label is None else f"spikes-{label}.h5"
            outputs.write_sonata_spikes(out / name, POPULATION, node_ids, times_ms)
        all_ids = np.concatenate([ids for ids, _ in spikes])
        timings = _timings(model, run.timings, construction_s, all_ids, wall_start)
        timings["n_runs"] = len(spikes)
        outputs.write_json(out / "timings.json", timings)
        if config.experiment == "topography":
            summary, rates = summarise_topography(model, config, variants, spikes)
            plotting.topography_figures(out / "figures", model, rates, summary)
        else:
            summary = summarise(model, config, *spikes[0])
            if model.n_cortex is not None:
                summary["regions"] = summarise_regions(model, config, *spikes[0], summary)
                if config.experiment == "motor-loop":
                    summary["loop_checks"] = loop_checks(summary["regions"])
                plotting.region_figures(out / "figures", model, config, *spikes[0],
                                        summary)
                plotting.voxel_rate_map(out / "figures" / "voxel_rates.png", model,
                                        *spikes[0], *summary["analysis_window_ms"])
            plotting.all_figures(out / "figures", model, config, *spikes[0], summary)
        summary["performance"] = timings
        outputs.write_json(out / "summary.json", summary)
        progress(_headline(summary, timings))


def _run_cosim(model, config, out: Path, keep_build: bool, progress) -> None:
    """The brain-body co-simulation (``brainmodel.cosim_experiment``): three runs of one build."""
    from . import cosim_experiment

    summary, timings, model = cosim_experiment.run(model, config, out, progress, keep_build)
    outputs.write_json(out / "config.json", config.to_dict())
    model.cells.write_csv(out / "cells.csv")
    outputs.write_json(out / "timings.json", timings)
    summary["performance"] = timings
    outputs.write_json(out / "summary.json", summary)
    progress(_headline(summary, timings))


def stimulus_variants(model, config, progress=log) -> list[tuple[str | None, np.ndarray]]:
    """(label, stimulated cells) for every run of the experiment; one run labelled None unless
    the experiment compares several stimuli on the same network (``topography``)."""
    if config.experiment != "topography":
        return [(None, model.stimulated)]
    from regions.cortex import model_layers

    from . import topography
    from .stimulus import stimulated_cells

    voxels, stim = model.voxels, model.stimulus
    region = build.default_stimulus_region(config, model.area_group, voxels)
    sites = topography.stimulation_sites(voxels, region, model_layers(voxels.layer), stim.layer)
    out = [("control", np.zeros(len(model.cells), bool))]
    for n, ijk in enumerate(sites):
        row = int(voxels.find(ijk))
        site = dataclasses.replace(stim, voxel_ijk=ijk, voxel_row=row,
                                   surface_um=tuple(float(x) for x in voxels.surface_um[row]))
        mask = stimulated_cells(site, model.cells)
        if not mask.any():
            raise BrainmodelError(f"topography site {ijk} holds no {stim.layer} cells at density "
                                  f"{config.density}; raise --density")
        out.append((f"site{n + 1}", mask))
    progress(f"topography: control and sites {', '.join(map(str, sites))} (rostral to caudal)")
    return out


def _simulate(model, config, kept_build_dir, start, progress, stimulus_masks):
    """Brian2 objects, code generation, compilation and one run per stimulus mask on the
    configured device (one compilation). Returns (device run, construction seconds, [(spike ids,
    spike times in ms)] per mask); no spikes when config.compile_only. The build folder is
    temporary unless kept_build_dir is given."""
    import shutil

    import brian2 as b2

    build_dir = kept_build_dir or Path(tempfile.mkdtemp(prefix="brainmodel-build-"))
    if config.ranks:
        return _simulate_mpi(model, config, build_dir, kept_build_dir is None, start, progress)
    run = devices.use_device(config.device, build_dir, config.threads, config.compute_capability)
    try:
        net, objects = build.create_network(model, config)
        construction_s = time.perf_counter() - start
        progress(f"network constructed in {construction_s:.1f} s; simulating "
                 f"{config.duration_ms:g} ms on {config.device}")
        monitor, group = objects["spikes"], objects["cortex"]
        variants = None
        if len(stimulus_masks) > 1:
            variants = [{group.stim_mask: mask.astype(float)} for mask in stimulus_masks]
        spikes = devices.run_network(
            run, net, config.duration_ms * b2.ms, progress=progress,
            compile_only=config.compile_only, variants=variants,
            collect=lambda: (np.asarray(monitor.i[:], dtype=np.int64),
                             np.asarray(monitor.t[:] / b2.ms)))
        return run, construction_s, spikes
    finally:
        devices.release_device()
        if kept_build_dir is None:
            shutil.rmtree(build_dir, ignore_errors=True)


def _simulate_mpi(model, config, build_dir, temporary, start, progress):
    """``_simulate`` over MPI ranks (brainmodel/mpi_launch.py); the code generation and
    compilation time covers the partition, the per-rank Brian2 objects and code and the
    parallel compilation."""
    import shutil

    from . import mpi_launch

    construction_s = time.perf_counter() - start
    try:
        timings, spikes = mpi_launch.simulate(model, config, build_dir, progress)
        return devices.DeviceRun(config.device, build_dir, config.threads, timings), \
            construction_s, spikes
    finally:
        if temporary:
            shutil.rmtree(build_dir, ignore_errors=True)


def summarise_topography(model, config, variants, spikes):
    """Responses (site run minus control) per area for every site (brainmodel.topography).
    Returns (summary, per-cell rates of every run: control first)."""
    from . import topography

    cells = model.cells
    start, stop = config.analysis_start_ms, min(config.duration_ms, model.stimulus.offset_ms)
    rates = [topography.cell_rates(ids, t, len(cells), start, stop) for ids, t in spikes]
    groups = model.group_of_cells()
    site_cells = [mask for _, mask in variants[1:]]
    site_voxels = [tuple(model.voxels.ijk[cells.voxel_row[np.flatnonzero(m)[0]]])
                   for m in site_cells]
    site_ap = [float(cells.position_um[m, topography.AP_AXIS].mean()) for m in site_cells]
    out = topography.summarise(cells, groups, site_voxels, site_ap, site_cells, rates[0],
                               rates[1:])
    out["area_rates_hz"] = {label or "run": {area: float(r[groups == area].mean())
                                             for area in dict.fromkeys(groups)}
                            for (label, _), r in zip(variants, rates)}
    return {"experiment": config.experiment, "analysis_window_ms": [start, stop],
            "stimulus_amplitude_mv": model.stimulus.amplitude_mv, **out}, rates


def _timings(model, run_timings, construction_s, node_ids, wall_start) -> dict:
    n_syn = int(sum(len(e) for e in model.edges))
    outdegree = np.zeros(len(model.cells), dtype=np.int64)
    for table in model.edges:
        outdegree += np.bincount(table.pre, minlength=len(model.cells))
    events = int(outdegree[node_ids].sum())
    run_s = run_timings.get("run_s", float("nan"))
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    connectivity_s = model.timings.get("connectivity_s", float("nan"))
    return {
        "n_cells": len(model.cells), "n_synapses": n_syn,
        "atlas_s": model.timings.get("atlas_s"), "placement_s": model.timings.get("placement_s"),
        "connectivity_s": connectivity_s,
        "synapses_per_second_constructed": n_syn / connectivity_s if connectivity_s else None,
        "network_construction_s": construction_s,
        "codegen_compile_s": run_timings.get("codegen_compile_s"), "run_s": run_s,
        "total_wall_s": time.perf_counter() - wall_start,
        "n_spikes": int(len(node_ids)), "synaptic_events": events,
        "synaptic_events_per_second": events / run_s if run_s else None,
        "peak_memory_python_mb": self_mb, "peak_memory_simulation_mb": child_mb,
        **{k: v for k, v in run_timings.items() if k.startswith("mpi_")}}


def column_mask(model, radius_um: float) -> np.ndarray:
    """Cells whose tangential distance to the stimulated voxel is within radius_um."""
    centre = np.asarray(model.stimulus.surface_um)
    return np.linalg.norm(model.cells.surface_um - centre, axis=1) <= radius_um


def summarise(model, config, node_ids, times_ms) -> dict:
    """Rates, spectrum of the stimulated population and gamma phases per layer and type."""
    cells, stim = model.cells, model.stimulus
    column = column_mask(model, config.column_radius_um)
    start, stop = config.analysis_start_ms, min(config.duration_ms, stim.offset_ms)
    if stop - start < 100:
        raise BrainmodelError("the analysis window (stimulus on, after --analysis-start) is "
                              "shorter than 100 ms; lengthen the run or the stimulus")
    baseline = (0.0, stim.onset_ms)
    rates = {}
    for layer, cell_type in cells.populations:
        members = np.flatnonzero((cells.layer == layer) & (cells.type == cell_type))
        if len(members) == 0:
            continue
        in_pop = np.isin(node_ids, members)
        in_col = in_pop & column[node_ids]
        n_col = int(np.sum(column[members]))
        rates[f"{layer} {cell_type}"] = {
            "n_cells": int(len(members)), "n_cells_column": n_col,
            "baseline_hz": _rate(times_ms[in_pop], len(members), *baseline),
            "stimulus_hz": _rate(times_ms[in_pop], len(members), start, stop),
            "column_stimulus_hz": _rate(times_ms[in_col], n_col, start, stop)}

    reference = column & (cells.layer == stim.layer)
    ref_rate, peak = _rate_and_peak(times_ms[reference[node_ids]], int(reference.sum()),
                                    start, stop)
    dc_rate, dc_peak = _rate_and_peak(times_ms[model.stimulated[node_ids]],
                                      int(model.stimulated.sum()), start, stop)
    phases, checks = {}, {}
    if np.isfinite(peak["frequency_hz"]):
        phase = analysis.gamma_phase(ref_rate, peak["frequency_hz"])
        for layer, cell_type in cells.populations:
            sel = column & (cells.layer == layer) & (cells.type == cell_type)
            window = sel[node_ids] & (times_ms >= start) & (times_ms < stop)
            if not window.any():
                continue
            stats = analysis.circular_stats(analysis.spike_phases(times_ms[window], phase, start))
            stats["mean_phase_deg"] = float(np.degrees(stats["mean_phase_rad"]))
            phases.setdefault(layer, {})[cell_type] = stats
        depth = model.voxels.depth[cells.voxel_row]
        layer_depth = {layer: float(depth[column & (cells.layer == layer)].mean())
                       for layer in phases}
        checks = phase_checks(phases, layer_depth)
    return {"experiment": config.experiment,
            "stimulus": {"layer": stim.layer, "voxel_ijk": list(stim.voxel_ijk),
                         "onset_ms": stim.onset_ms, "offset_ms": stim.offset_ms,
                         "amplitude_mv": stim.amplitude_mv,
                         "n_stimulated_cells": int(model.stimulated.sum())},
            "analysis_window_ms": [start, stop], "column_radius_um": config.column_radius_um,
            "reference_population": f"{stim.layer} cells within {config.column_radius_um:g} um "
                                    f"(tangential) of the stimulated voxel",
            "spectral_peak": peak,
            "stimulated_cells": {"rate_hz": float(dc_rate.mean()), "spectral_peak": dc_peak},
            "rates": rates, "gamma_phase": phases, "checks": checks}


def summarise_regions(model, config, node_ids, times_ms, summary) -> dict:
    """Per area (cortex) or region (others) and cell type: rate, spectral peak, gamma-band
    coherence with the stimulated area (all its cells, e.g. the whole of MOp) against shifted
    surrogates, and gamma-phase locking (vector strength, circular mean) to that area's rhythm
    (band-passed around its own spectral peak)."""
    cells = model.cells
    start, stop = summary["analysis_window_ms"]
    label = model.group_of_cells()
    reference_area = label[np.flatnonzero(model.stimulated)[0]]
    reference = label == reference_area
    ref_rate, ref_peak = _rate_and_peak(times_ms[reference[node_ids]], int(reference.sum()),
                                        start, stop)
    peak_hz = ref_peak["frequency_hz"]
    phase = analysis.gamma_phase(ref_rate, peak_hz) if np.isfinite(peak_hz) else None
    window = (times_ms >= start) & (times_ms < stop)
    out = {"reference": {"population": f"all cells of {reference_area}",
                         "area": reference_area, "spectral_peak": ref_peak}}
    for name in dict.fromkeys(zip(label, cells.type)):
        members = (label == name[0]) & (cells.type == name[1])
        spikes = members[node_ids] & window
        rate, peak = _rate_and_peak(times_ms[spikes], int(members.sum()), start, stop)
        entry = {"n_cells": int(members.sum()), "rate_hz": float(rate.mean()),
                 "spectral_peak": peak}
        if rate.any():
            entry["gamma_coherence"] = analysis.band_coherence(
                ref_rate, rate, GAMMA_BAND_HZ, rng=np.random.default_rng(len(out)))
        if phase is not None and spikes.any():
            stats = analysis.circular_stats(analysis.spike_phases(times_ms[spikes], phase, start))
            stats["mean_phase_deg"] = float(np.degrees(stats["mean_phase_rad"]))
            entry["gamma_phase"] = stats
        out[f"{name[0]} {name[1]}"] = entry
    return out


def loop_checks(regions: dict) -> dict:
    """The reference study's motor-loop observations on the measured numbers."""
    def vs(key):
        return regions.get(key, {}).get("gamma_phase", {}).get("vector_strength", float("nan"))

    def coherent(key):
        return bool(regions.get(key, {}).get("gamma_coherence", {}).get("above_surrogate"))

    return {"coherence_above_surrogate": {k: coherent(k) for k in
                                          ("MOs E", "pons E", "cerebellum GrC")},
            "vector_strength": {k: vs(k) for k in ("MOp E", "MOs E", "pons E", "cerebellum GrC",
                                                   "cerebellum PC", "cerebellum DCN",
                                                   "thalamus TC")},
            "pons_and_granule_more_locked_than_purkinje": bool(
                min(vs("pons E"), vs("cerebellum GrC")) > vs("cerebellum PC")),
            "MOs_broader_than_MOp": bool(vs("MOs E") < vs("MOp E"))}


def _rate_and_peak(times_ms, n_cells, start, stop):
    """Population rate of a group in [start, stop) and the peak of its Welch spectrum."""
    rate = analysis.population_rate(times_ms, n_cells, start, stop)
    peak = analysis.spectral_peak(*analysis.welch_spectrum(rate))
    peak["in_gamma_band"] = bool(GAMMA_BAND_HZ[0] <= peak["frequency_hz"] <= GAMMA_BAND_HZ[1])
    return rate, peak


def _rate(times, n_cells, start, stop) -> float:
    if n_cells == 0 or stop <= start:
        return float("nan")
    count = np.sum((times >= start) & (times < stop))
    return float(count / n_cells / ((stop - start) / 1000.0))


def phase_checks(phases: dict, layer_depth: dict) -> dict:
    """The reference study's phase relations, evaluated on the measured mean phases.

    Depth order: for each type, the mean phase of every layer relative to L2/3 (wrapped into
    +-180 deg) and the weighted least-squares slope of that lag against the layer's mean relative
    depth (weights from the circular standard errors). "Later with depth" for E cells means every
    deeper layer lags L2/3 and the slope is more than two standard errors above zero; whether the
    three deep layers are also in strict order is reported separately (their lags differ by less
    than the phase noise of one run, see the README).
    """
    quarter = np.pi / 2
    per_layer = {}
    for layer, by_type in phases.items():
        entry = {}
        if "E" in by_type and "FS" in by_type:
            entry["E_FS_within_quarter_cycle"] = bool(abs(analysis.phase_difference(
                by_type["FS"]["mean_phase_rad"], by_type["E"]["mean_phase_rad"])) < quarter)
        if {"E", "FS", "LTS"} <= set(by_type):
            ef = np.angle(np.exp(1j * by_type["E"]["mean_phase_rad"])
                          + np.exp(1j * by_type["FS"]["mean_phase_rad"]))
            entry["LTS_later_than_E_FS"] = bool(analysis.phase_difference(
                by_type["LTS"]["mean_phase_rad"], ef) > 0)
        per_layer[layer] = entry
    depth_order = {}
    for cell_type in ("E", "FS", "LTS"):
        ordered = [layer for layer in ("L2/3", "L4", "L5A", "L5B", "L6")
                   if cell_type in phases.get(layer, {})
                   and phases[layer][cell_type]["n_spikes"] > 1]
        if len(ordered) < 2:
            continue
        top = phases[ordered[0]][cell_type]["mean_phase_rad"]
        lags = np.array([analysis.phase_difference(phases[la][cell_type]["mean_phase_rad"], top)
                         for la in ordered])
        errors = np.array([phases[la][cell_type]["standard_error_rad"] for la in ordered])
        slope, slope_error = analysis.weighted_slope(
            [layer_depth[la] for la in ordered], lags, errors)
        depth_order[cell_type] = {
            "layers": ordered,
            "lag_vs_top_deg": {la: float(np.degrees(g)) for la, g in zip(ordered, lags)},
            "lag_error_deg": {la: float(np.degrees(e)) for la, e in zip(ordered, errors)},
            "slope_deg_per_relative_depth": float(np.degrees(slope)),
            "slope_error_deg": float(np.degrees(slope_error)),
            "deeper_layers_all_later": bool(np.all(lags[1:] > 0)),
            "strict_layer_order": bool(np.all(np.diff(lags) > 0))}
    e_order = depth_order.get("E", {})
    later = bool(e_order and e_order["deeper_layers_all_later"]
                 and e_order["slope_deg_per_relative_depth"] > 2 * e_order["slope_error_deg"])
    return {"per_layer": per_layer, "depth_order": depth_order,
            "E_phase_lag_vs_L2/3_deg": e_order.get("lag_vs_top_deg", {}),
            "E_phases_later_with_depth": later}


def _headline(summary, timings) -> str:
    if summary.get("experiment") == "ensemble":
        return (f"{summary['members']} members, {summary['member_bio_s_per_wall_s']:.3f} "
                f"member x biological s per wall s")
    if summary.get("experiment") == "assimilate":
        return (f"parameter error {summary['error'][0]:.3f} -> {summary['error'][-1]:.4f} "
                f"({summary['error_reduction']:.1f}x lower) over {summary['cycles']} cycles")
    if summary.get("experiment") == "cosim-forelimb":
        runs = summary["runs"]
        return (f"joint range with brain drive {runs['cosim']['max_joint_range_deg']:.1f} deg, "
                f"output cut {runs['cut']['max_joint_range_deg']:.2f} deg; "
                f"{summary['sensory_population']} rate with "
                f"feedback {runs['cosim']['sensory_rate_hz']:.2f} Hz, without "
                f"{runs['no-feedback']['sensory_rate_hz']:.2f} Hz; MuJoCo "
                f"{runs['cosim']['timing']['mujoco_share_of_wall']:.1%} of the body rank's wall "
                f"time")
    if "centroid_follows_site" in summary:
        follows = ", ".join(f"{a} {'yes' if v else 'no'}"
                            for a, v in summary["centroid_follows_site"].items())
        return (f"{timings['n_cells']} cells, {timings['n_synapses']} synapses; response "
                f"centroid follows the MOp site: {follows}; run {timings['run_s']:.1f} s")
    peak = summary["spectral_peak"]
    return (f"{timings['n_cells']} cells, {timings['n_synapses']} synapses; peak "
            f"{peak['frequency_hz']:.1f} Hz ({peak['peak_to_background']:.1f}x background); "
            f"compile {timings['codegen_compile_s']:.1f} s, run {timings['run_s']:.1f} s")
