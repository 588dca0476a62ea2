"""Figures of the topography experiment: gamma-response maps per site (voxel columns seen from
above, like the reference study's Fig. 3B) and rostro-caudal segment curves per area (its
Fig. 3C), each response the site run against the control run."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.colors import TwoSlopeNorm

from ..analysis.topography import group_band_powers
from .common import distinct_colours, new_figure


def column_labels(model):
    """(label per cell: its voxel column seen from above, AP and ML index per label, area of
    each column: the most common requested region of its cells)."""
    ijk = model.voxels.ijk[model.cells.voxel_row]
    columns, label = np.unique(ijk[:, [0, 2]], axis=0, return_inverse=True)
    groups = model.group_of_cells()
    areas = list(dict.fromkeys(groups))
    area_code = np.array([areas.index(g) for g in groups])
    votes = np.zeros((len(columns), len(areas)), int)
    np.add.at(votes, (label, area_code), 1)
    return label.ravel(), columns, np.asarray(areas)[votes.argmax(axis=1)]


def topography_figures(folder: Path, model, spikes, summary) -> None:
    """``response_maps.png``: log10 of the 30-50 Hz power of each voxel column with the site's DC
    over the control's, one panel per site, area borders drawn; ``segment_responses.png``: per
    area the segment gamma power over control and the rate change, per site, the matching
    segment (where the site projects) marked. ``spikes``: control first, then the sites."""
    folder.mkdir(parents=True, exist_ok=True)
    window = summary["analysis_window_ms"]
    stimulated = np.zeros(len(model.cells), bool)
    for _, mask in model.runs[1:]:
        stimulated |= mask
    label, columns, column_area = column_labels(model)
    label = np.where(stimulated, -1, label)
    powers = [group_band_powers(ids, t, label, len(columns), *window) for ids, t in spikes]
    ap_range = (columns[:, 0].min(), columns[:, 0].max())
    ml_range = (columns[:, 1].min(), columns[:, 1].max())
    shape = (ap_range[1] - ap_range[0] + 1, ml_range[1] - ml_range[0] + 1)
    at = (columns[:, 0] - ap_range[0], columns[:, 1] - ml_range[0])
    areas = list(summary["centroid_follows_site"])
    area_grid = np.full(shape, np.nan)
    area_grid[at] = [areas.index(a) for a in column_area]
    sites = summary["sites"]
    fig = new_figure(figsize=(4.6 * len(sites), 4.8))
    axes = np.atleast_1d(fig.subplots(1, len(sites), sharey=True))
    extent = (ap_range[0] - 0.5, ap_range[1] + 0.5, ml_range[0] - 0.5, ml_range[1] + 0.5)
    for ax, site, power in zip(axes, sites, powers[1:]):
        grid = np.full(shape, np.nan)
        grid[at] = np.log10(np.maximum(power, 1e-9) / np.maximum(powers[0], 1e-9))
        image = ax.imshow(grid.T, origin="lower", cmap="RdBu_r", extent=extent, aspect="equal",
                          norm=TwoSlopeNorm(0.0, vmin=-1.0, vmax=3.0))
        ax.contour(np.arange(ap_range[0], ap_range[1] + 1), np.arange(ml_range[0], ml_range[1] + 1),
                   np.nan_to_num(area_grid, nan=-1).T, levels=np.arange(-0.5, len(areas)),
                   colors="k", linewidths=0.6)
        i, _, k = site["voxel_ijk"]
        ax.plot(i, k, marker="*", color="gold", markeredgecolor="k", markersize=14)
        ax.set_title(f"site {tuple(site['voxel_ijk'])}: 30-50 Hz power,\nlog10(DC / control)",
                     fontsize=9)
        ax.set_xlabel("AP voxel (rostral -> caudal)")
        fig.colorbar(image, ax=ax, shrink=0.7)
    for area in areas:
        centre = np.argwhere(area_grid == areas.index(area)).mean(axis=0)
        axes[0].annotate(area, (centre[0] + ap_range[0], centre[1] + ml_range[0]), fontsize=8,
                         ha="center", weight="bold")
    axes[0].set_ylabel("ML voxel")
    fig.tight_layout()
    fig.savefig(folder / "response_maps.png", dpi=120)
    segment_curves(folder / "segment_responses.png", summary, areas)


def segment_curves(path, summary, areas) -> None:
    sites = summary["sites"]
    colours = distinct_colours(len(sites))
    fig = new_figure(figsize=(3.6 * len(areas), 6.2))
    axes = fig.subplots(2, len(areas), squeeze=False)
    for column, area in enumerate(areas):
        for n, site in enumerate(sites):
            values = site["areas"][area]
            edges = np.array(values["segment_edges_ap_um"]) / 1000.0
            middle = (edges[:-1] + edges[1:]) / 2
            text = f"site {n + 1} (AP {site['ap_um'] / 1000:.1f} mm)"
            axes[0, column].semilogy(middle, values["segment_gamma_ratio"], marker="o",
                                     color=colours[n], label=text)
            if values["matching_segment"] >= 0:
                m = values["matching_segment"]
                axes[0, column].plot(middle[m], values["segment_gamma_ratio"][m], marker="s",
                                     markersize=11, mfc="none", color=colours[n])
            axes[0, column].axvline(values["gamma_centroid_ap_um"] / 1000.0, color=colours[n],
                                    ls=":", lw=1)
            axes[1, column].plot(middle, values["segment_rate_response_hz"], marker="o",
                                 color=colours[n])
        axes[0, column].axhline(1.0, color="0.7", lw=0.8)
        axes[1, column].axhline(0.0, color="0.7", lw=0.8)
        follows = "yes" if summary["centroid_follows_site"][area] else "no"
        fourfold = "yes" if summary["matching_over_far_at_least_4x"][area] else "no"
        axes[0, column].set_title(f"{area}: centroid follows site {follows},\n"
                                  f"matching >= 4x far {fourfold}", fontsize=9)
        axes[1, column].set_xlabel("AP (mm)")
    axes[0, 0].set_ylabel("30-50 Hz power, DC / control")
    axes[1, 0].set_ylabel("rate change vs control (Hz)")
    axes[0, 0].legend(fontsize=7)
    fig.text(0.01, 0.01, "squares: the segment the site projects to (matching); dotted: gamma "
             "centroid", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
