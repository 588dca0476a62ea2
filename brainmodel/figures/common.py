"""Shared pieces of the figures: a figure that is only saved, and the colours of types, layers and
areas."""
from __future__ import annotations

from matplotlib import colormaps
from matplotlib.figure import Figure

TYPE_COLOURS = {"E": "#d62728", "FS": "#1f77b4", "LTS": "#2ca02c"}
LAYER_COLOURS = {"L2/3": "#8c564b", "L4": "#e377c2", "L5A": "#ff7f0e", "L5B": "#bcbd22",
                 "L6": "#17becf"}


def new_figure(**kwargs):
    """A figure that is only saved to a file: no pyplot, so the caller's matplotlib backend
    (for example a notebook's inline backend) is left alone."""
    return Figure(**kwargs)


def distinct_colours(n):
    """n colours that are told apart at a glance (tab10), for a few curves."""
    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def cycle_colours(n):
    cmap = colormaps["tab20"]
    return [cmap(i % 20) for i in range(n)]
