"""Figures of multi-region runs: raster by region and type, gamma coherence and phase locking
with the stimulated area, spectra and phase histograms per region, voxel rate maps."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.colors import LogNorm

from ..analysis import spectra
from ..analysis.rates import cell_rates
from .common import new_figure


def region_figures(folder: Path, model, config, node_ids, times_ms, summary,
                   cells_per_group=40, control=None) -> None:
    """Multi-region runs: raster by region and type, gamma coherence with the stimulated MOp
    population (with the surrogate level) and gamma-phase histograms per region and type;
    ``control``: (node ids, times) of the run without the stimulus, drawn beside it."""
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
    fig = new_figure(figsize=(11, 9))
    ax = fig.subplots()
    ax.scatter(times_ms[shown], row_of[node_ids[shown]], s=2, c="k", linewidths=0)
    ax.set_yticks([t for t, _ in ticks], [n for _, n in ticks], fontsize=7)
    ax.set_xlabel("time (ms)")
    ax.set_title(f"{cells_per_group} cells per region and type, {start:g}-{start + 300:g} ms")
    fig.tight_layout()
    fig.savefig(folder / "raster_regions.png", dpi=120)

    with_phase = [n for n in names if "gamma_phase" in regions[n]]
    fig = new_figure(figsize=(12, 4.5))
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
    coh = [n for n in names if "gamma_coherence" in regions[n]]
    axes[0].barh(range(len(coh)), [regions[n]["gamma_coherence"]["coherence"] for n in coh],
                 color="0.5")
    axes[0].scatter([regions[n]["gamma_coherence"]["surrogate_95"] for n in coh],
                    range(len(coh)), marker="|", s=200, c="r",
                    label="surrogate 95 % (each cell's train shifted)")
    axes[0].scatter([regions[n]["gamma_coherence"].get("population_shift_surrogate_95", np.nan)
                     for n in coh], range(len(coh)), marker="|", s=200, c="b",
                    label="whole rate shifted (keeps a clock's coherence)")
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
    runs = [("DC", (node_ids, times_ms), summary["regions"])]
    if control is not None:
        runs.append(("control", control, summary["regions_control"]))
    _region_spectra_and_phases(folder, cells, label, names, runs, summary)
    cell_statistics(folder / "regions_cells.png", names, runs)


def cell_statistics(path, names, runs) -> None:
    """Per region and type and per run: median rate with the 90th and 99th percentiles (silent
    fraction beside), and the ISI CV median with the clock-like fraction beside (the
    ``cells`` entries of ``brainmodel.analysis.regions.summarise_regions``)."""
    fig = new_figure(figsize=(12, 0.32 * len(names) + 1.8))
    axes = fig.subplots(1, 2, sharey=True)
    for offset, (run, _, entries), colour in zip((-0.18, 0.18), runs, ("k", "0.55")):
        rows = [(y + offset, entries[n]["cells"]) for y, n in enumerate(names)
                if entries.get(n, {}).get("cells", {}).get("n_cells")]
        y = [r for r, _ in rows]
        stats = [c for _, c in rows]
        median = np.maximum([c["median_hz"] for c in stats], 0.01)
        axes[0].hlines(y, median, np.maximum([c["p99_hz"] for c in stats], 0.01), color=colour,
                       lw=1)
        axes[0].plot(median, y, "o", color=colour, ms=4, label=f"{run}: median to 99th pct")
        axes[0].plot(np.maximum([c["p90_hz"] for c in stats], 0.01), y, "|", color=colour, ms=8)
        axes[1].barh(y, [c["cv_median"] for c in stats], height=0.34, color=colour, label=run)
        for row, c in zip(y, stats):
            axes[0].annotate(f"{c['fraction_silent']:.0%}", (0.011, row), fontsize=6,
                             va="center", color=colour)
            if c["n_active"]:
                axes[1].annotate(f"{c['fraction_clock_like']:.0%}", (c["cv_median"], row),
                                 fontsize=6, va="center", color=colour)
    axes[0].set_xscale("log")
    axes[0].set_xlim(0.01, 500)
    axes[0].set_xlabel("rate (Hz; | 90th percentile; left: fraction silent)")
    axes[1].axvline(0.3, color="r", lw=0.8)
    axes[1].set_xlabel("ISI CV median, active cells (label: clock-like, CV < 0.3, red)")
    axes[0].set_yticks(range(len(names)), names, fontsize=7)
    axes[0].invert_yaxis()
    for ax in axes:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _region_spectra_and_phases(folder, cells, label, names, runs, summary):
    """One panel per region and type: Welch spectrum of its rate, and its gamma-phase histogram
    relative to the reference population's rhythm (of the same run), with its vector strength
    and circular SD; every run of ``runs`` ([(name, (ids, times), its region summary)])
    drawn in the same panel."""
    start, stop = summary["analysis_window_ms"]
    members_of = {n: (label == n.rsplit(" ", 1)[0]) & (cells.type == n.rsplit(" ", 1)[1])
                  for n in names}
    reference = summary["regions"]["reference"]
    ref_mask = label == reference["area"]
    columns = 4
    rows = int(np.ceil(len(names) / columns))
    spectra_figure = new_figure(figsize=(3.2 * columns, 2.4 * rows))
    phases_figure = new_figure(figsize=(3.2 * columns, 2.4 * rows))
    spectra_axes = [spectra_figure.add_subplot(rows, columns, n + 1) for n in range(len(names))]
    phase_axes = [phases_figure.add_subplot(rows, columns, n + 1) for n in range(len(names))]
    for (run, (node_ids, times_ms), regions), colour in zip(runs, ("0.2", "tab:orange")):
        window = (times_ms >= start) & (times_ms < stop)
        ref_rate = spectra.population_rate(times_ms[ref_mask[node_ids] & window],
                                            int(ref_mask.sum()), start, stop)
        peak_hz = regions["reference"]["spectral_peak"]["frequency_hz"]
        phase = spectra.gamma_phase(ref_rate, peak_hz) if np.isfinite(peak_hz) else None
        for n, name in enumerate(names):
            members = members_of[name]
            spikes = members[node_ids] & window
            rate = spectra.population_rate(times_ms[spikes], int(members.sum()), start, stop)
            freqs, power = spectra.welch_spectrum(rate)
            spectra_axes[n].semilogy(freqs[1:], power[1:] + 1e-12, lw=0.8, color=colour,
                                     label=run)
            if phase is None or spikes.sum() < 20 or "gamma_phase" not in regions[name]:
                continue
            stats = regions[name]["gamma_phase"]
            values = spectra.spike_phases(times_ms[spikes], phase, start)
            phase_axes[n].hist(np.degrees(values), bins=36, range=(-180, 180), density=True,
                               histtype="step", color=colour,
                               label=f"{run}: VS {stats['vector_strength']:.2f}, "
                                     f"SD {stats['circular_sd_deg']:.0f} deg")
    for n, name in enumerate(names):
        spectra_axes[n].axvspan(*spectra.GAMMA_BAND_HZ, color="0.9", zorder=-1)
        spectra_axes[n].set_xlim(0, 150)
        spectra_axes[n].set_title(name, fontsize=8)
        phase_axes[n].set_title(name, fontsize=8)
        phase_axes[n].set_xlim(-180, 180)
        if phase_axes[n].has_data():
            phase_axes[n].legend(fontsize=6, loc="lower center")
    spectra_axes[0].legend(fontsize=7)
    spectra_figure.supxlabel("frequency (Hz)")
    phases_figure.supxlabel(f"gamma phase (deg) relative to {reference['population']} "
                            f"(each run to its own rhythm)")
    spectra_figure.tight_layout()
    phases_figure.tight_layout()
    spectra_figure.savefig(folder / "spectra_regions.png", dpi=110)
    phases_figure.savefig(folder / "gamma_phase_regions.png", dpi=110)


TRACED = ("MOp E", "MOs E", "thalamus TC", "pons E", "cerebellum GrC", "cerebellum PC")


def trace_groups(model, regions: dict, names=TRACED) -> dict:
    """{population: bool mask per cell} of the populations in ``names`` that ``regions`` (a
    ``summarise_regions`` result) holds, for the animation's rate traces."""
    label, cell_type = model.group_of_cells(), model.cells.type
    return {name: (label == name.rsplit(" ", 1)[0]) & (cell_type == name.rsplit(" ", 1)[1])
            for name in names if name in regions}


def voxel_rate_map(path, model, node_ids, times_ms, start_ms: float, stop_ms: float) -> None:
    """Mean rate of the cells in each voxel column, seen from above (AP x ML) and from the side
    (AP x DV), over [start, stop); the stimulated voxel marked."""
    cells = model.cells
    res = model.voxels.resolution_um
    rate = cell_rates(node_ids, times_ms, len(cells), start_ms, stop_ms)
    ijk = np.floor(cells.position_um / res).astype(int)
    shape = model.voxels.shape
    fig = new_figure(figsize=(13, 5))
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
