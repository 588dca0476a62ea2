"""Figures (matplotlib, Agg): raster by layer and type, spectrum, gamma-phase histograms, 3-D view."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import analysis

TYPE_COLOURS = {"E": "#d62728", "FS": "#1f77b4", "LTS": "#2ca02c"}
LAYER_COLOURS = {"L2/3": "#8c564b", "L4": "#e377c2", "L5A": "#ff7f0e", "L5B": "#bcbd22",
                 "L6": "#17becf"}


def _figure(**kwargs):
    """A figure that is only saved to a file: no pyplot, so the caller's matplotlib backend
    (for example a notebook's inline backend) is left alone."""
    from matplotlib.figure import Figure
    return Figure(**kwargs)


def all_figures(folder: Path, model, config, node_ids, times_ms, summary) -> None:
    from .experiments import column_mask

    folder.mkdir(parents=True, exist_ok=True)
    column = column_mask(model, config.column_radius_um)
    raster(folder / "raster.png", model, column, node_ids, times_ms, config)
    spectrum(folder / "spectrum.png", model, column, node_ids, times_ms, config, summary)
    phase_histograms(folder / "gamma_phase.png", model, column, node_ids, times_ms, config,
                     summary)
    view_3d(folder / "model_3d.png", model)
    if len(model.area_group) > 1:
        fired_cells_3d(folder / "fired_cells_3d.png", model, node_ids)


def raster(path, model, column, node_ids, times_ms, config, max_cells_per_population=60):
    """Spikes of column cells, grouped by layer (top = superficial) and type."""
    cells = model.cells
    fig = _figure(figsize=(13, 7))
    axes = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [2, 1]})
    rng = np.random.default_rng(0)
    row_of = np.full(len(cells), -1)
    row, ticks = 0, []
    for layer, cell_type in reversed(cells.populations):
        members = np.flatnonzero(column & (cells.layer == layer) & (cells.type == cell_type))
        if len(members) == 0:
            continue
        if len(members) > max_cells_per_population:
            members = np.sort(rng.choice(members, max_cells_per_population, replace=False))
        row_of[members] = row + np.arange(len(members))
        ticks.append((row + len(members) / 2, f"{layer} {cell_type}"))
        row += len(members) + 3
    shown = row_of[node_ids] >= 0
    zoom_start = config.analysis_start_ms
    zoom_stop = zoom_start + 250
    zoom = (times_ms >= zoom_start) & (times_ms < zoom_stop)
    for ax, mask, title in ((axes[0], shown, "whole run"),
                            (axes[1], shown & zoom, f"{zoom_start:g}-{zoom_stop:g} ms")):
        colours = [TYPE_COLOURS[t] for t in cells.type[node_ids[mask]]]
        ax.scatter(times_ms[mask], row_of[node_ids[mask]], s=1.5, c=colours, linewidths=0)
        ax.axvspan(model.stimulus.onset_ms, model.stimulus.offset_ms, color="0.92", zorder=-1)
        ax.set_xlabel("time (ms)")
        ax.set_title(title)
    axes[0].set_xlim(0, config.duration_ms)
    axes[1].set_xlim(zoom_start, zoom_stop)
    axes[0].set_yticks([t for t, _ in ticks], [name for _, name in ticks], fontsize=7)
    fig.suptitle(f"Column within {config.column_radius_um:g} um of stimulated voxel "
                 f"{model.stimulus.voxel_ijk} (grey: DC on)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def spectrum(path, model, column, node_ids, times_ms, config, summary):
    cells, stim = model.cells, model.stimulus
    reference = column & (cells.layer == stim.layer)
    fig = _figure(figsize=(7, 4.5))
    ax = fig.subplots()
    windows = {"stimulus on": tuple(summary["analysis_window_ms"]),
               "baseline": (0.0, stim.onset_ms)}
    for label, (start, stop) in windows.items():
        if stop - start < 100:
            continue
        rate = analysis.population_rate(times_ms[reference[node_ids]], int(reference.sum()),
                                        start, stop)
        freqs, power = analysis.welch_spectrum(rate)
        ax.semilogy(freqs[1:], power[1:], label=label)
    ax.axvspan(30, 50, color="gold", alpha=0.3, label="30-50 Hz")
    peak = summary["spectral_peak"]
    ax.axvline(peak["frequency_hz"], color="k", ls="--", lw=0.8,
               label=f"peak {peak['frequency_hz']:.1f} Hz")
    ax.set_xlim(0, 150)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("power (Hz$^2$/Hz)")
    ax.set_title(f"Population rate spectrum: {summary['reference_population']}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def phase_histograms(path, model, column, node_ids, times_ms, config, summary):
    phases = summary["gamma_phase"]
    layers = [la for la in ("L2/3", "L4", "L5A", "L5B", "L6") if la in phases]
    if not layers:
        return
    types = list(model.spec.types)
    start, stop = summary["analysis_window_ms"]
    cells, stim = model.cells, model.stimulus
    reference = column & (cells.layer == stim.layer)
    rate = analysis.population_rate(times_ms[reference[node_ids]], int(reference.sum()),
                                    start, stop)
    phase = analysis.gamma_phase(rate, summary["spectral_peak"]["frequency_hz"])
    fig = _figure(figsize=(9, 2.0 * len(layers)))
    axes = fig.subplots(len(layers), len(types), sharex=True, squeeze=False)
    bins = np.linspace(-np.pi, np.pi, 25)
    for r, layer in enumerate(layers):
        for c, cell_type in enumerate(types):
            ax = axes[r, c]
            sel = column & (cells.layer == layer) & (cells.type == cell_type)
            window = sel[node_ids] & (times_ms >= start) & (times_ms < stop)
            values = analysis.spike_phases(times_ms[window], phase, start)
            if len(values):
                ax.hist(np.degrees(values), bins=np.degrees(bins),
                        color=TYPE_COLOURS[cell_type], density=True)
            stats = phases.get(layer, {}).get(cell_type)
            if stats and stats["n_spikes"]:
                ax.axvline(stats["mean_phase_deg"], color="k", lw=1)
                ax.set_title(f"{layer} {cell_type}: {stats['mean_phase_deg']:.0f} deg, "
                             f"VS {stats['vector_strength']:.2f}", fontsize=8)
            ax.set_yticks([])
    for ax in axes[-1]:
        ax.set_xlabel("gamma phase (deg; 0 = reference peak)")
    fig.suptitle(f"Spike phases at {summary['spectral_peak']['frequency_hz']:.1f} Hz", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def view_3d(path, model, max_points=6000):
    cells = model.cells
    rng = np.random.default_rng(0)
    shown = rng.choice(len(cells), min(max_points, len(cells)), replace=False)
    fig = _figure(figsize=(7, 6))
    ax = fig.add_subplot(projection="3d")
    pos = cells.position_um / 1000.0
    for layer, colour in LAYER_COLOURS.items():
        sel = shown[cells.layer[shown] == layer]
        if len(sel):
            ax.scatter(pos[sel, 0], pos[sel, 2], -pos[sel, 1], s=1, c=colour, label=layer)
    _stimulus_and_axes_3d(ax, model, pos, 40)
    ax.legend(fontsize=7, markerscale=4, loc="upper left")
    ax.set_title(f"{len(cells)} cells ({len(shown)} shown)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def _stimulus_and_axes_3d(ax, model, pos_mm, size) -> None:
    stim = np.flatnonzero(model.stimulated)
    ax.scatter(pos_mm[stim, 0], pos_mm[stim, 2], -pos_mm[stim, 1], s=size, c="red", marker="*",
               label=f"stimulated voxel {model.stimulus.voxel_ijk}")
    ax.set_xlabel("AP (mm)")
    ax.set_ylabel("ML (mm)")
    ax.set_zlabel("-DV (mm)")


def fired_cells_3d(path, model, node_ids, max_points=20000):
    """3-D picture of the cells that fired during the run, one colour per area, the stimulated
    voxel starred."""
    cells = model.cells
    fired = np.unique(node_ids)
    rng = np.random.default_rng(0)
    shown = np.sort(rng.choice(fired, min(max_points, len(fired)), replace=False))
    groups = model.group_of_cells()
    areas = list(dict.fromkeys(cells.region[shown]))
    colours = {a: c for a, c in zip(areas, _cycle_colours(len(areas)))}
    fig = _figure(figsize=(9, 7))
    ax = fig.add_subplot(projection="3d")
    pos = cells.position_um / 1000.0
    ax.scatter(pos[shown, 0], pos[shown, 2], -pos[shown, 1], s=0.5,
               c=[colours[a] for a in cells.region[shown]], linewidths=0)
    _stimulus_and_axes_3d(ax, model, pos, 60)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"{len(fired)} of {len(cells)} cells fired ({len(shown)} shown), "
                 f"{len(areas)} areas of {', '.join(dict.fromkeys(groups))}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def _cycle_colours(n):
    from matplotlib import colormaps
    cmap = colormaps["tab20"]
    return [cmap(i % 20) for i in range(n)]


def topography_figures(folder: Path, model, rates, summary) -> None:
    """Voxel response maps (top view) per site and rostro-caudal segment responses per area;
    ``rates``: per-cell rates of the control run, then of each site run."""
    folder.mkdir(parents=True, exist_ok=True)
    cells, voxels = model.cells, model.voxels
    ap, ml = voxels.ijk[cells.voxel_row, 0], voxels.ijk[cells.voxel_row, 2]
    shape = (voxels.shape[0], voxels.shape[2])
    count = np.zeros(shape)
    np.add.at(count, (ap, ml), 1)
    sites = summary["sites"]
    fig = _figure(figsize=(5 * len(sites), 4.5))
    axes = np.atleast_1d(fig.subplots(1, len(sites), sharey=True))
    used_ap = np.flatnonzero(count.sum(axis=1))
    used_ml = np.flatnonzero(count.sum(axis=0))
    for ax, site, r in zip(axes, sites, rates[1:]):
        total = np.zeros(shape)
        np.add.at(total, (ap, ml), r - rates[0])
        response = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        crop = response[used_ap.min():used_ap.max() + 1, used_ml.min():used_ml.max() + 1]
        limit = np.nanpercentile(np.abs(crop), 99) or 1.0
        image = ax.imshow(crop.T, origin="lower", cmap="RdBu_r", vmin=-limit, vmax=limit,
                          extent=(used_ap.min() - 0.5, used_ap.max() + 0.5,
                                  used_ml.min() - 0.5, used_ml.max() + 0.5), aspect="auto")
        i, _, k = site["voxel_ijk"]
        ax.plot(i, k, marker="*", color="k", markersize=12)
        for area, values in site["areas"].items():
            if np.isfinite(values["centroid_ap_um"]):
                ax.axvline(values["centroid_ap_um"] / voxels.resolution_um - 0.5, lw=0.8,
                           ls="--", color="0.3")
        ax.set_title(f"site {tuple(site['voxel_ijk'])}: rate change (Hz)")
        ax.set_xlabel("AP voxel (rostral -> caudal)")
        fig.colorbar(image, ax=ax, shrink=0.8)
    axes[0].set_ylabel("ML voxel")
    fig.tight_layout()
    fig.savefig(folder / "response_maps.png", dpi=120)

    areas = list(summary["centroid_follows_site"])
    fig = _figure(figsize=(3.6 * len(areas), 3.4))
    axes = np.atleast_1d(fig.subplots(1, len(areas)))
    for ax, area in zip(axes, areas):
        for n, site in enumerate(sites):
            values = site["areas"][area]
            edges = np.array(values["segment_edges_ap_um"]) / 1000.0
            ax.plot((edges[:-1] + edges[1:]) / 2, values["segment_response_hz"], marker="o",
                    label=f"site {n + 1} (AP {site['ap_um'] / 1000:.1f} mm)")
            ax.axvline(values["centroid_ap_um"] / 1000.0, color=ax.lines[-1].get_color(),
                       ls=":", lw=1)
        ax.axhline(0, color="0.7", lw=0.8)
        ax.set_title(f"{area}: centroid follows site: "
                     f"{'yes' if summary['centroid_follows_site'][area] else 'no'}", fontsize=9)
        ax.set_xlabel("AP (mm)")
    axes[0].set_ylabel("rate change vs control (Hz)")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(folder / "segment_responses.png", dpi=120)


def region_figures(folder: Path, model, config, node_ids, times_ms, summary,
                   cells_per_group=40) -> None:
    """Multi-region runs: raster by region and type, gamma coherence with the stimulated MOp
    population (with the surrogate level) and gamma-phase histograms per region and type."""
    folder.mkdir(parents=True, exist_ok=True)
    cells = model.cells
    regions = {k: v for k, v in summary["regions"].items() if k != "reference"}
    label = model.group_of_cells()
    names = list(regions)
    rng = np.random.default_rng(0)
    row_of = np.full(len(cells), -1)
    row, ticks = 0, []
    for name in reversed(names):
        area, cell_type = name.rsplit(" ", 1)
        members = np.flatnonzero((label == area) & (cells.type == cell_type))
        if len(members) > cells_per_group:
            members = np.sort(rng.choice(members, cells_per_group, replace=False))
        row_of[members] = row + np.arange(len(members))
        ticks.append((row + len(members) / 2, name))
        row += len(members) + 4
    start = config.analysis_start_ms
    shown = (row_of[node_ids] >= 0) & (times_ms >= start) & (times_ms < start + 300)
    fig = _figure(figsize=(11, 9))
    ax = fig.subplots()
    ax.scatter(times_ms[shown], row_of[node_ids[shown]], s=2, c="k", linewidths=0)
    ax.set_yticks([t for t, _ in ticks], [n for _, n in ticks], fontsize=7)
    ax.set_xlabel("time (ms)")
    ax.set_title(f"{cells_per_group} cells per region and type, {start:g}-{start + 300:g} ms")
    fig.tight_layout()
    fig.savefig(folder / "raster_regions.png", dpi=120)

    with_phase = [n for n in names if "gamma_phase" in regions[n]]
    fig = _figure(figsize=(12, 4.5))
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
    coh = [n for n in names if "gamma_coherence" in regions[n]]
    axes[0].barh(range(len(coh)), [regions[n]["gamma_coherence"]["coherence"] for n in coh],
                 color="0.5")
    axes[0].scatter([regions[n]["gamma_coherence"]["surrogate_95"] for n in coh],
                    range(len(coh)), marker="|", s=200, c="r", label="surrogate 95%")
    axes[0].set_yticks(range(len(coh)), coh, fontsize=7)
    axes[0].set_xlabel(f"gamma-band coherence (30-50 Hz) with "
                       f"{summary['regions']['reference']['population']}")
    axes[0].legend(fontsize=7)
    for name in with_phase:
        stats = regions[name]["gamma_phase"]
        if stats["n_spikes"] < 50:
            continue
        axes[1].plot(np.degrees(stats["mean_phase_rad"]), stats["vector_strength"], "o")
        axes[1].annotate(name, (np.degrees(stats["mean_phase_rad"]), stats["vector_strength"]),
                         fontsize=7)
    axes[1].set_xlim(-180, 180)
    axes[1].set_xlabel("mean gamma phase (deg, 0 = reference population's peak)")
    axes[1].set_ylabel("vector strength (phase locking)")
    fig.tight_layout()
    fig.savefig(folder / "regions_coherence_phase.png", dpi=120)
    _region_spectra_and_phases(folder, cells, label, names, node_ids, times_ms, summary)


def _region_spectra_and_phases(folder, cells, label, names, node_ids, times_ms, summary):
    """One panel per region and type: Welch spectrum of its rate, and its gamma-phase histogram
    relative to the reference population's rhythm."""
    start, stop = summary["analysis_window_ms"]
    window = (times_ms >= start) & (times_ms < stop)
    members_of = {n: (label == n.rsplit(" ", 1)[0]) & (cells.type == n.rsplit(" ", 1)[1])
                  for n in names}
    reference = summary["regions"]["reference"]
    ref_mask = label == reference["area"]
    ref_rate = analysis.population_rate(times_ms[ref_mask[node_ids] & window],
                                        int(ref_mask.sum()), start, stop)
    peak_hz = reference["spectral_peak"]["frequency_hz"]
    phase = analysis.gamma_phase(ref_rate, peak_hz) if np.isfinite(peak_hz) else None
    columns = 4
    rows = int(np.ceil(len(names) / columns))
    spectra = _figure(figsize=(3.2 * columns, 2.4 * rows))
    phases = _figure(figsize=(3.2 * columns, 2.4 * rows))
    for n, name in enumerate(names):
        members = members_of[name]
        spikes = members[node_ids] & window
        rate = analysis.population_rate(times_ms[spikes], int(members.sum()), start, stop)
        ax = spectra.add_subplot(rows, columns, n + 1)
        freqs, power = analysis.welch_spectrum(rate)
        ax.semilogy(freqs[1:], power[1:] + 1e-12, lw=0.8)
        ax.axvspan(*analysis.GAMMA_BAND_HZ, color="0.9", zorder=-1)
        ax.set_xlim(0, 150)
        ax.set_title(name, fontsize=8)
        if phase is not None and spikes.sum() >= 20:
            ax = phases.add_subplot(rows, columns, n + 1)
            values = analysis.spike_phases(times_ms[spikes], phase, start)
            ax.hist(np.degrees(values), bins=36, range=(-180, 180), density=True, color="0.4")
            strength = summary["regions"][name]["gamma_phase"]["vector_strength"]
            ax.set_title(f"{name} (VS {strength:.2f})", fontsize=8)
            ax.set_xlim(-180, 180)
    spectra.supxlabel("frequency (Hz)")
    phases.supxlabel(f"gamma phase (deg) relative to {reference['population']}")
    spectra.tight_layout()
    phases.tight_layout()
    spectra.savefig(folder / "spectra_regions.png", dpi=110)
    phases.savefig(folder / "gamma_phase_regions.png", dpi=110)


def voxel_rate_map(path, model, node_ids, times_ms, start_ms: float, stop_ms: float) -> None:
    """Mean rate of the cells in each voxel column, seen from above (AP x ML) and from the side
    (AP x DV), over [start, stop); the stimulated voxel marked."""
    from matplotlib.colors import LogNorm

    cells = model.cells
    res = model.voxels.resolution_um
    window = (times_ms >= start_ms) & (times_ms < stop_ms)
    rate = np.bincount(node_ids[window], minlength=len(cells)) / ((stop_ms - start_ms) / 1000.0)
    ijk = np.floor(cells.position_um / res).astype(int)
    shape = model.voxels.shape
    fig = _figure(figsize=(13, 5))
    axes = fig.subplots(1, 2)
    for ax, (a, b), name in ((axes[0], (0, 2), "ML"), (axes[1], (0, 1), "DV")):
        total = np.zeros((shape[a], shape[b]))
        count = np.zeros_like(total)
        np.add.at(total, (ijk[:, a], ijk[:, b]), rate)
        np.add.at(count, (ijk[:, a], ijk[:, b]), 1)
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        positive = mean[np.isfinite(mean) & (mean > 0)]
        low = max(np.percentile(positive, 1), 0.01) if len(positive) else 0.01
        image = ax.imshow(mean.T, origin="upper", cmap="magma", aspect="equal",
                          norm=LogNorm(vmin=low, vmax=max(low * 10, np.nanmax(mean))))
        stim = model.stimulus.voxel_ijk
        ax.plot(stim[a], stim[b], marker="*", color="c", markersize=12)
        ax.set_xlabel("AP voxel (rostral -> caudal)")
        ax.set_ylabel(f"{name} voxel")
        fig.colorbar(image, ax=ax, shrink=0.7, label="rate (Hz)")
    axes[0].set_title("top view: mean rate per voxel column")
    axes[1].set_title("side view")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def assimilation_figure(path, names, truth, result) -> None:
    """Parameter trajectories (ensemble mean +- SD per cycle, truth dashed) and the error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cycles = np.arange(len(result["mean"]))
    fig = _figure(figsize=(11, 4))
    axes = fig.subplots(1, 2)
    for k, name in enumerate(names):
        line, = axes[0].plot(cycles, result["mean"][:, k], marker="o", label=name)
        axes[0].fill_between(cycles, result["mean"][:, k] - result["sd"][:, k],
                             result["mean"][:, k] + result["sd"][:, k], alpha=0.2,
                             color=line.get_color())
        axes[0].axhline(truth[k], ls="--", color=line.get_color())
    axes[0].set_xlabel("cycle (0 = prior)")
    axes[0].set_ylabel("parameter (mean +- SD; dashed: hidden truth)")
    axes[0].legend(fontsize=8)
    axes[1].semilogy(cycles, result["error"], marker="o")
    axes[1].set_xlabel("cycle")
    axes[1].set_ylabel("error of the mean (RMS, fraction of the range)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def ensemble_figure(path, summary) -> None:
    """Each member's population rates against its background factor (one panel per cell type,
    a colour per area): what the members' parameters did. ``summary`` is the ``ensemble``
    experiment's summary.json."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    observations = [name.rsplit(" ", 1) for name in summary["observations"]]
    types = list(dict.fromkeys(t for _, t in observations))
    areas = list(dict.fromkeys(a for a, _ in observations))
    rates = np.asarray(summary["member_rates_hz"])
    fig = _figure(figsize=(5 * len(types), 4))
    axes = np.atleast_1d(fig.subplots(1, len(types)))
    colours = _cycle_colours(len(areas))
    for column, (area, cell_type) in enumerate(observations):
        factors = [member[f"background:{area}"] for member in summary["member_parameters"]]
        ax = axes[types.index(cell_type)]
        ax.scatter(factors, rates[:, column], s=12, color=colours[areas.index(area)],
                   label=area)
    for ax, cell_type in zip(axes, types):
        ax.set_xlabel("member's background factor")
        ax.set_ylabel(f"{cell_type} rate (Hz)")
        ax.set_title(f"{cell_type} cells, {len(rates)} members")
        if len(areas) <= 12:
            ax.legend(fontsize=8)
    fig.suptitle(f"{len(rates)} members: {summary['member_bio_s_per_wall_s']:.3f} member x "
                 f"biological s per wall s")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
