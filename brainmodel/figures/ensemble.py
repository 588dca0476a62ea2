"""Figures of the ensemble experiments: member rates against their parameters, EnKF parameter
trajectories and error."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import cycle_colours, new_figure


def assimilation_figure(path, names, truth, result) -> None:
    """Parameter trajectories (ensemble mean +- SD per cycle, truth dashed) and the error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cycles = np.arange(len(result["mean"]))
    fig = new_figure(figsize=(11, 4))
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
    fig = new_figure(figsize=(5 * len(types), 4))
    axes = np.atleast_1d(fig.subplots(1, len(types)))
    colours = cycle_colours(len(areas))
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
