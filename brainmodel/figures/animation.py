"""An animation of cortical activity on the dorsal flatmap (Knox et al. 2019) after the DC onset:
one panel per run (the stimulated runs and their control, same colour scale), and beneath them
the population rates of chosen groups with a moving cursor. Frames are drawn with Agg and
written as a GIF by Pillow (a matplotlib dependency), so no ffmpeg is needed."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm

from ..inputs.flatmap import cortical_cells_on_flatmap
from .common import distinct_colours, new_figure

SPAN_MS = 300.0         # issue 21: the first 300 ms after DC onset
FRAME_MS = 5.0
SMOOTH_MS = 20.0        # each frame shows the rate over the last SMOOTH_MS
LOWEST_HZ = 0.5         # the colour scale is logarithmic from here (lower rates: black)
BLOCK_PX = 2            # flatmap pixels (100 um) per side of a picture element


def pixel_rates(node_ids, times_ms, pixel: np.ndarray, n_pixels: int, frames_ms: np.ndarray,
                smooth_ms: float = SMOOTH_MS) -> np.ndarray:
    """(frames, pixels) rate per cell (Hz) of the cells of each pixel (``pixel`` per cell, -1
    for cells off the map) over the SMOOTH_MS before each frame time."""
    keep = pixel[node_ids] >= 0
    ids, times = node_ids[keep], times_ms[keep]
    size = np.bincount(pixel[pixel >= 0], minlength=n_pixels)
    out = np.zeros((len(frames_ms), n_pixels))
    for n, t in enumerate(frames_ms):
        sel = (times >= t - smooth_ms) & (times < t)
        out[n] = np.bincount(pixel[ids[sel]], minlength=n_pixels)
    return out / np.maximum(size, 1) / (smooth_ms / 1000.0)


def onset_animation(path: Path, model, config, runs, traces=None, trace_run: int = 0) -> None:
    """``flatmap_animation`` of a model's cortical cells from its DC onset."""
    cortical = model.system_of_cells() == "cortex"
    flat = cortical_cells_on_flatmap(config.data_dir, model.voxels.shape,
                                     model.cells.voxel_index, cortical)
    flatmap_animation(path, flat, runs, model.stimulus.onset_ms, traces, trace_run)


def flatmap_animation(path: Path, flat_rc: np.ndarray, runs, onset_ms: float, traces=None,
                      trace_run: int = 0, span_ms: float = SPAN_MS, frame_ms: float = FRAME_MS,
                      block_px: int = BLOCK_PX, frame_duration_ms: int = 100) -> None:
    """GIF of the rate per flatmap element from ``onset_ms`` to ``onset_ms + span_ms``.
    ``flat_rc``: flatmap (row, column) per cell, NaN for cells not on the map (non-cortical);
    ``runs``: [(title, node ids, times ms)]; ``traces``: {name: bool mask per cell}, population
    rates of run ``trace_run`` drawn beneath."""
    from PIL import Image

    on_map = np.isfinite(flat_rc[:, 0])
    block = np.full((len(flat_rc), 2), -1, np.int64)
    block[on_map] = np.floor(flat_rc[on_map] / block_px).astype(np.int64)
    corner = block[on_map].min(axis=0)
    shape = tuple(block[on_map].max(axis=0) - corner + 1)
    pixel = np.full(len(flat_rc), -1, np.int64)
    pixel[on_map] = np.ravel_multi_index(tuple((block[on_map] - corner).T), shape)
    n_pixels = int(np.prod(shape))
    occupied = np.bincount(pixel[on_map], minlength=n_pixels) > 0
    frames_ms = onset_ms + np.arange(frame_ms, span_ms + frame_ms / 2, frame_ms)
    rates = [pixel_rates(ids, t, pixel, n_pixels, frames_ms) for _, ids, t in runs]
    top = max(float(np.percentile(r[:, occupied], 99.5)) for r in rates) or 1.0
    fig = new_figure(figsize=(3.8 * len(runs) + 1.0, 6.6 if traces else 4.2))
    canvas = FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2 if traces else 1, len(runs), height_ratios=[2.2, 1] if traces
                            else None)
    images, cmap = [], colormaps["magma"].with_extremes(under="black", bad="white")
    for n, (title, _, _) in enumerate(runs):
        ax = fig.add_subplot(grid[0, n])
        images.append(ax.imshow(np.full(shape, np.nan), cmap=cmap, interpolation="nearest",
                                norm=LogNorm(LOWEST_HZ, max(top, 10 * LOWEST_HZ))))
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(images[-1], ax=fig.axes, shrink=0.6, label=f"rate (Hz, last {SMOOTH_MS:g} ms)")
    cursor, clock = None, fig.suptitle("")
    if traces:
        ax = fig.add_subplot(grid[1, :])
        title, ids, times = runs[trace_run]
        edges = np.arange(onset_ms - 50.0, onset_ms + span_ms + 1.0, 1.0)
        for colour, (name, members) in zip(distinct_colours(len(traces)), traces.items()):
            counts, _ = np.histogram(times[members[ids]], bins=edges)
            rate = np.convolve(counts / max(members.sum(), 1) * 1000.0, np.ones(3) / 3, "same")
            ax.plot(edges[:-1], rate / max(rate.max(), 1e-9), color=colour, lw=0.8, label=name)
        ax.axvline(onset_ms, color="k", lw=0.8)
        ax.set_xlabel(f"time (ms); DC on at {onset_ms:g} ms")
        ax.set_ylabel(f"rate / max\n({title})", fontsize=8)
        ax.legend(fontsize=7, ncol=4, loc="upper left")
        cursor = ax.axvline(frames_ms[0], color="c", lw=1.5)
    pictures = []
    for frame, t in enumerate(frames_ms):
        for image, rate in zip(images, rates):
            image.set_data(np.where(occupied, np.maximum(rate[frame], LOWEST_HZ / 10), np.nan)
                           .reshape(shape))
        clock.set_text(f"{t - onset_ms:+.0f} ms after DC onset")
        if cursor is not None:
            cursor.set_xdata([t, t])
        canvas.draw()
        pictures.append(Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).convert(
            "P", palette=Image.ADAPTIVE, colors=128))
    path.parent.mkdir(parents=True, exist_ok=True)
    pictures[0].save(path, save_all=True, append_images=pictures[1:], loop=0,
                     duration=frame_duration_ms)
