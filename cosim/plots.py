"""Figures of the co-simulation: joint angles, muscle excitation and activation, spike counts per
interval, the sensory population's rate with and without feedback, stick-figure frames of the
limb, wall-time shares; rendered frames where offscreen OpenGL works."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from brainmodel.figures.common import new_figure

from .body import render_frames
from .protocol import JOINTS, MUSCLES

RUN_COLOURS = {"cosim": "#d62728", "cut": "#7f7f7f", "no-feedback": "#1f77b4"}
RUN_LABELS = {"cosim": "brain drive + feedback", "cut": "brain output cut (control)",
              "no-feedback": "brain drive, no feedback"}


def cosim_figures(folder: Path, sensory: np.ndarray, runs: dict, summary: dict,
                  mjcf=None) -> list[Path]:
    """All figures (``sensory``: bool per cell, the sensory population);
    ``summary["rendering"]`` says whether frames could be rendered."""
    folder.mkdir(parents=True, exist_ok=True)
    onset = summary["stimulus"]["onset_ms"]
    written = [joint_angles(folder / "joint_angles.png", runs, onset),
               muscles(folder / "muscles.png", runs["cosim"]["body"], onset),
               spike_counts(folder / "spike_counts.png", runs["cosim"]["body"], onset),
               sensory_rate(folder / "sensory_rate.png", sensory, runs, summary),
               limb_frames(folder / "limb_frames.png", runs, onset),
               timing(folder / "timing.png", summary)]
    body = runs["cosim"]["body"]
    every = max(1, len(body["angles_deg"]) // 8)
    frames, summary["rendering"] = render_frames(mjcf, body["angles_deg"], every,
                                                 folder / "frames")
    if frames:
        written.append(frame_montage(folder / "rendered_frames.png", frames,
                                     body["time_ms"][::every]))
    return written + frames


def frame_montage(path: Path, frames: list[Path], times_ms: np.ndarray) -> Path:
    from matplotlib.image import imread

    fig = new_figure(figsize=(2.4 * min(len(frames), 4), 2.1 * ((len(frames) + 3) // 4)),
                  constrained_layout=True)
    axes = np.atleast_1d(fig.subplots((len(frames) + 3) // 4, min(len(frames), 4))).ravel()
    for ax in axes:
        ax.axis("off")
    for ax, frame, t in zip(axes, frames, times_ms):
        ax.imshow(imread(frame))
        ax.set_title(f"{t:.0f} ms", fontsize=8)
    fig.suptitle("MuJoCo frames, brain drive + feedback (side view)")
    fig.savefig(path, dpi=110)
    return path


def joint_angles(path: Path, runs: dict, onset_ms: float) -> Path:
    fig = new_figure(figsize=(9, 6), constrained_layout=True)
    axes = fig.subplots(2, 2, sharex=True).ravel()
    for j, (ax, joint) in enumerate(zip(axes, JOINTS)):
        for name, result in runs.items():
            body = result["body"]
            ax.plot(body["time_ms"], body["angles_deg"][:, j], color=RUN_COLOURS[name],
                    label=RUN_LABELS[name], lw=1)
        ax.axvline(onset_ms, color="k", ls=":", lw=0.8)
        ax.set_title(joint.replace("_", " "))
        ax.set_ylabel("angle (deg)")
    for ax in axes[2:]:
        ax.set_xlabel("time (ms)")
    axes[0].legend(fontsize=7)
    fig.suptitle("Joint angles (dotted: DC stimulus onset)")
    fig.savefig(path, dpi=110)
    return path


def muscles(path: Path, body: dict, onset_ms: float) -> Path:
    fig = new_figure(figsize=(9, 5), constrained_layout=True)
    axes = fig.subplots(2, 1, sharex=True)
    for m, name in enumerate(MUSCLES):
        line, = axes[0].plot(body["time_ms"], body["excitation"][:, m], lw=1, label=name)
        axes[1].plot(body["time_ms"], body["activation"][:, m], lw=1, color=line.get_color())
    axes[0].set_ylabel("excitation")
    axes[1].set_ylabel("MuJoCo activation")
    axes[1].set_xlabel("time (ms)")
    for ax in axes:
        ax.axvline(onset_ms, color="k", ls=":", lw=0.8)
    axes[0].legend(fontsize=7, ncol=4)
    fig.suptitle("Muscles, brain drive + feedback")
    fig.savefig(path, dpi=110)
    return path


def spike_counts(path: Path, body: dict, onset_ms: float) -> Path:
    fig = new_figure(figsize=(9, 5), constrained_layout=True)
    axes = fig.subplots(2, 1, sharex=True)
    extent = (0, float(body["time_ms"][-1]), -0.5, len(MUSCLES) - 0.5)
    for ax, key, title in ((axes[0], "motor_counts", "PT spikes received per interval"),
                           (axes[1], "afferent_counts", "afferent spikes sent per interval")):
        image = ax.imshow(body[key].T, aspect="auto", origin="lower", extent=extent,
                          interpolation="nearest", cmap="viridis")
        ax.set_yticks(range(len(MUSCLES)), MUSCLES, fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.axvline(onset_ms, color="w", ls=":", lw=0.8)
        fig.colorbar(image, ax=ax, label="spikes")
    axes[1].set_xlabel("time (ms)")
    fig.savefig(path, dpi=110)
    return path


def sensory_rate(path: Path, sensory: np.ndarray, runs: dict, summary: dict,
                 bin_ms: float = 20.0) -> Path:
    """The sensory population's rate over time in every run, and its mean in the analysis
    window."""
    fig = new_figure(figsize=(9, 3.5), constrained_layout=True)
    ax, bars = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1]})
    for name, result in runs.items():
        ids, times = result["spikes"]
        edges = np.arange(0.0, float(result["body"]["time_ms"][-1]) + bin_ms, bin_ms)
        counts, _ = np.histogram(times[sensory[ids]], edges)
        ax.plot(edges[:-1] + bin_ms / 2, counts / sensory.sum() / (bin_ms / 1000.0),
                color=RUN_COLOURS[name], lw=1, label=RUN_LABELS[name])
    ax.axvline(summary["stimulus"]["onset_ms"], color="k", ls=":", lw=0.8)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("rate (Hz)")
    ax.set_title(summary["sensory_population"], fontsize=9)
    ax.legend(fontsize=7)
    names = list(summary["runs"])
    bars.bar(range(len(names)), [summary["runs"][n]["sensory_rate_hz"] for n in names],
             color=[RUN_COLOURS[n] for n in names])
    bars.set_xticks(range(len(names)), names, fontsize=7)
    bars.set_ylabel("mean rate (Hz)")
    fig.savefig(path, dpi=110)
    return path


def limb_frames(path: Path, runs: dict, onset_ms: float, n_frames: int = 8) -> Path:
    """Stick figures (shoulder, elbow, wrist, paw tip) in the sagittal plane at evenly spaced
    times, for the drive and the control run."""
    fig = new_figure(figsize=(7, 4.2), constrained_layout=True)
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    for ax, name in zip(axes, ("cosim", "cut")):
        body = runs[name]["body"]
        markers = body["markers_mm"]
        picks = np.linspace(0, len(markers) - 1, n_frames).astype(int)
        shades = np.linspace(0.25, 1.0, n_frames)
        for shade, k in zip(shades, picks):
            x, z = markers[k, :, 0], markers[k, :, 2]
            ax.plot(x, z, "-o", ms=2, lw=1.5, color=RUN_COLOURS[name], alpha=float(shade),
                    label=f"{body['time_ms'][k]:.0f} ms" if k in (picks[0], picks[-1]) else None)
        ax.set_aspect("equal")
        ax.set_title(RUN_LABELS[name], fontsize=9)
        ax.set_xlabel("cranial (mm)")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("up (mm)")
    fig.suptitle("Forelimb (side view), light to dark: early to late")
    fig.savefig(path, dpi=110)
    return path


def timing(path: Path, summary: dict) -> Path:
    fig = new_figure(figsize=(7, 3), constrained_layout=True)
    ax = fig.subplots()
    names = list(summary["runs"])
    mujoco = [summary["runs"][n]["timing"]["mujoco_share_of_wall"] for n in names]
    brain = [summary["runs"][n]["timing"]["brain_compute_share_of_wall"] for n in names]
    x = np.arange(len(names))
    ax.bar(x - 0.2, brain, 0.4, label="brain ranks: simulation (of their wall time)")
    ax.bar(x + 0.2, mujoco, 0.4, label="body rank: MuJoCo (of its wall time)")
    ax.set_xticks(x, [RUN_LABELS[n] for n in names], fontsize=7)
    ax.set_ylabel("share of wall time")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7)
    fig.savefig(path, dpi=110)
    return path
