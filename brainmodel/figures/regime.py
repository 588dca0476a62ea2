"""Figures of the regime against the rest control: spectra with and without the DC over the same
window, a raster around the DC onset in both runs, and per-type rate and ISI CV distributions."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..analysis import regime
from ..analysis.cortex import column_mask
from .common import TYPE_COLOURS, new_figure

RUN_STYLE = {"stimulus": ("DC", "-"), "rest": ("rest (no DC)", "--")}


def regime_figures(folder: Path, model, config, stimulated_spikes, rest_spikes, summary) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    runs = {"stimulus": stimulated_spikes, "rest": rest_spikes}
    neighbourhood = column_mask(model, config.column_radius_um)
    window = summary["analysis_window_ms"]
    spectra_with_and_without(folder / "spectra_dc_vs_rest.png", model, runs, neighbourhood,
                             window)
    onset_raster(folder / "raster_dc_onset.png", model, runs, neighbourhood)
    rate_and_cv(folder / "rates_and_cv.png", model, runs, window)


def spectra_with_and_without(path, model, runs, neighbourhood, window) -> None:
    groups = regime.regime_groups(model, neighbourhood)
    fig = new_figure(figsize=(11, 7.5))
    axes = fig.subplots(2, 2).ravel()
    for ax, (name, members) in zip(axes, groups.items()):
        for label, (ids, times) in runs.items():
            measured = regime.band_measures(times[members[ids]], int(members.sum()), *window)
            freqs, power = measured["spectrum"]
            text, style = RUN_STYLE[label]
            ax.semilogy(freqs[1:], power[1:], style, label=f"{text}: peak "
                        f"{measured['peak_frequency_hz']:.0f} Hz, 30-50 Hz peak/median "
                        f"{measured['gamma_peak_to_median']:.1f}")
        ax.axvspan(30, 50, color="gold", alpha=0.3)
        ax.set_xlim(0, 150)
        ax.set_title(f"{name.replace('_', ' ')} ({int(members.sum())} cells)", fontsize=9)
        ax.set_xlabel("frequency (Hz)")
        ax.set_ylabel("power (Hz$^2$/Hz)")
        ax.legend(fontsize=7)
    fig.suptitle(f"Population-rate spectra, {window[0]:g}-{window[1]:g} ms in both runs "
                 f"(gold: 30-50 Hz)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def onset_raster(path, model, runs, neighbourhood, before_ms=200.0, after_ms=400.0,
                 max_cells=400) -> None:
    """Neighbourhood cells sorted by depth, around the DC onset, in the DC run and at rest."""
    cells, stim = model.cells, model.stimulus
    members = np.flatnonzero(neighbourhood)
    if len(members) > max_cells:
        keep = np.random.default_rng(0).choice(members, max_cells, replace=False)
        members = np.union1d(keep, np.flatnonzero(model.stimulated))
    depth = model.voxels.depth[cells.voxel_row[members]]
    row_of = np.full(len(cells), -1)
    row_of[members[np.argsort(depth, kind="stable")]] = np.arange(len(members))
    start, stop = stim.onset_ms - before_ms, stim.onset_ms + after_ms
    fig = new_figure(figsize=(13, 6))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (label, (ids, times)) in zip(axes, runs.items()):
        sel = (row_of[ids] >= 0) & (times >= start) & (times < stop)
        colours = ["k" if model.stimulated[i] else TYPE_COLOURS[cells.type[i]] for i in ids[sel]]
        ax.scatter(times[sel], row_of[ids[sel]], s=2, c=colours, linewidths=0)
        ax.axvline(stim.onset_ms, color="k", lw=1)
        ax.set_xlim(start, stop)
        ax.set_title(f"{RUN_STYLE[label][0]}", fontsize=10)
        ax.set_xlabel("time (ms); line: DC onset")
    axes[0].set_ylabel("cells within the neighbourhood, superficial (bottom) to deep")
    fig.suptitle(f"Neighbourhood of voxel {stim.voxel_ijk}: red E, blue FS, green LTS, "
                 f"black DC-driven")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def rate_and_cv(path, model, runs, window) -> None:
    cells = model.cells
    n = len(cells)
    cortex = (np.arange(n) < (model.n_cortex or n)) & ~model.stimulated
    types = list(dict.fromkeys(cells.type[cortex]))
    fig = new_figure(figsize=(4 * len(types), 7))
    axes = fig.subplots(2, len(types), squeeze=False)
    bins_rate = np.logspace(-1, 2.7, 40)
    for label, spikes in runs.items():
        rates, cv, _ = regime.cell_statistics(*spikes, n, *window)
        text, style = RUN_STYLE[label]
        for column, cell_type in enumerate(types):
            sel = cortex & (cells.type == cell_type)
            silent = np.mean(rates[sel] < regime.SILENT_HZ)
            axes[0, column].hist(np.maximum(rates[sel], 0.1), bins_rate, histtype="step",
                                 ls=style, color=TYPE_COLOURS.get(cell_type, "k"),
                                 label=f"{text} ({silent:.0%} silent)")
            finite = cv[sel][np.isfinite(cv[sel])]
            axes[1, column].hist(finite, np.linspace(0, 2.5, 40), histtype="step", ls=style,
                                 color=TYPE_COLOURS.get(cell_type, "k"), label=text)
            axes[0, column].set_title(f"{cell_type} cells")
    for column in range(len(types)):
        axes[0, column].set_xscale("log")
        axes[0, column].set_xlabel("rate (Hz; silent cells at 0.1)")
        axes[1, column].axvline(regime.CLOCK_CV, color="0.5", lw=0.8)
        axes[1, column].set_xlabel(f"ISI CV (line: clock-like below {regime.CLOCK_CV})")
        axes[0, column].legend(fontsize=7)
        axes[1, column].legend(fontsize=7)
    axes[0, 0].set_ylabel("cells")
    axes[1, 0].set_ylabel("active cells")
    fig.suptitle(f"Per-cell rates and ISI CV, {window[0]:g}-{window[1]:g} ms, DC-driven cells "
                 f"excluded")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
