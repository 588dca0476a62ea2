"""Figures of the stimulated cortex (matplotlib, Agg): raster by layer and type, spectrum,
gamma-phase histograms, 3-D views of the cells and of the cells that fired."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..analysis import spectra
from ..analysis.cortex import column_mask, network_column
from .common import LAYER_COLOURS, TYPE_COLOURS, cycle_colours, new_figure


def all_figures(folder: Path, model, config, node_ids, times_ms, summary) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    column = column_mask(model, config.column_radius_um)
    raster(folder / "raster.png", model, column, node_ids, times_ms, config)
    network = network_column(model, config.column_radius_um)   # the phases' reference
    spectrum(folder / "spectrum.png", model, network, node_ids, times_ms, config, summary)
    phase_histograms(folder / "gamma_phase.png", model, network, node_ids, times_ms, config,
                     summary)
    view_3d(folder / "model_3d.png", model)
    if len(model.area_group) > 1:
        fired_cells_3d(folder / "fired_cells_3d.png", model, node_ids)


def raster(path, model, column, node_ids, times_ms, config, max_cells_per_population=60):
    """Spikes of column cells, grouped by layer (top = superficial) and type."""
    cells = model.cells
    fig = new_figure(figsize=(13, 7))
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
    fig = new_figure(figsize=(7, 4.5))
    ax = fig.subplots()
    windows = {"stimulus on": tuple(summary["analysis_window_ms"]),
               "baseline": (0.0, stim.onset_ms)}
    for label, (start, stop) in windows.items():
        if stop - start < 100:
            continue
        rate = spectra.population_rate(times_ms[reference[node_ids]], int(reference.sum()),
                                        start, stop)
        freqs, power = spectra.welch_spectrum(rate)
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
    rate = spectra.population_rate(times_ms[reference[node_ids]], int(reference.sum()),
                                    start, stop)
    phase = spectra.gamma_phase(rate, summary["spectral_peak"]["frequency_hz"])
    fig = new_figure(figsize=(9, 2.0 * len(layers)))
    axes = fig.subplots(len(layers), len(types), sharex=True, squeeze=False)
    bins = np.linspace(-np.pi, np.pi, 25)
    for r, layer in enumerate(layers):
        for c, cell_type in enumerate(types):
            ax = axes[r, c]
            sel = column & (cells.layer == layer) & (cells.type == cell_type)
            window = sel[node_ids] & (times_ms >= start) & (times_ms < stop)
            values = spectra.spike_phases(times_ms[window], phase, start)
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
    fig = new_figure(figsize=(7, 6))
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
    colours = {a: c for a, c in zip(areas, cycle_colours(len(areas)))}
    fig = new_figure(figsize=(9, 7))
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
