"""Figures of the topography experiment: voxel response maps per site and rostro-caudal segment
responses per area."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import new_figure


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
    fig = new_figure(figsize=(5 * len(sites), 4.5))
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
    fig = new_figure(figsize=(3.6 * len(areas), 3.4))
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
