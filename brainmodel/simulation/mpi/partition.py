"""Partitioning a built model over MPI ranks.

Units: each cortical area in each hemisphere, and each non-cortical region (thalamus, pons,
cerebellum, striatum, pallidum), are the pieces a rank can take. Units go to ranks by a cost
model, largest first onto the least loaded rank (longest-processing-time rule, Graham 1969, SIAM
J Appl Math 17:416): cost = cells x ``CELL_COST`` + incoming synapses. ``CELL_COST`` is measured:
motor-loop at its default scale over 2 ranks (benchmarks/mpi_scaling.py, two runs on this shared
2-core machine) cost 55-71 us per cell and 0.18-0.25 us per synapse per biological second, so a
cell weighs 200-400 synapses; the lower end is used.

The communication interval is the largest whole number of steps not above the shortest delay of
any synapse whose two cells sit on different ranks: a spike fired in one interval is delivered in
the next at the earliest, so exchanging once per interval loses nothing (Morrison et al. 2005,
Neural Comput 17:1776).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import BrainmodelError

CELL_COST = 200.0


@dataclass(frozen=True)
class Partition:
    rank_of_cell: np.ndarray            # int per cell
    units: dict                         # unit label -> rank
    interval_steps: int                 # exchange every this many time steps
    min_cross_delay_ms: float           # shortest delay between cells on different ranks
    cost: np.ndarray                    # per rank

    @property
    def n_ranks(self) -> int:
        return len(self.cost)


def selection_units(areas, hemisphere: str, nuclei) -> list[str]:
    """The units a selection can have before it is built (an area without cells at a low
    density has none, so a built model may have fewer): ``<area>/<hemisphere>`` and the
    non-cortical regions, as ``unit_of_cells`` names them."""
    sides = ("left", "right") if hemisphere == "both" else (hemisphere,)
    return [f"{a}/{h}" for a in areas for h in sides] + list(nuclei)


def check_rank_count(n_ranks: int, names) -> None:
    """At most one rank per unit."""
    if n_ranks > len(names):
        raise BrainmodelError(
            f"{n_ranks} ranks but the model has only {len(names)} partitions "
            f"({', '.join(names)}); use at most {len(names)} ranks or add regions")


def unit_of_cells(model) -> np.ndarray:
    """Label of the unit each cell belongs to: ``<area>/<hemisphere>`` in the cortex, the
    region (thalamus, pons, cerebellum, ...) outside it."""
    cells = model.cells
    labels = np.array([f"{r}/{h}" for r, h in zip(cells.region, cells.hemisphere)], dtype=object)
    if model.n_cortex is not None:
        labels[model.n_cortex:] = model.group_of_cells()[model.n_cortex:]
    return labels


def partition(model, n_ranks: int, dt_ms: float, interval_ms: float | None = None) -> Partition:
    """Assign units to ``n_ranks`` ranks (see module docstring). ``interval_ms``: the
    communication interval to use (default: the largest the delays allow)."""
    units = unit_of_cells(model)
    names, unit_index = np.unique(units, return_inverse=True)
    if not isinstance(n_ranks, (int, np.integer)) or n_ranks < 1:
        raise BrainmodelError(f"number of ranks must be a positive integer, not {n_ranks!r}")
    check_rank_count(n_ranks, names)
    incoming = np.zeros(len(names))
    for table in model.edges:
        incoming += np.bincount(unit_index[table.post], minlength=len(names))
    cost_of_unit = np.bincount(unit_index, minlength=len(names)) * CELL_COST + incoming
    rank_of_unit = np.zeros(len(names), dtype=np.int64)
    load = np.zeros(n_ranks)
    for u in np.argsort(-cost_of_unit, kind="stable"):
        rank = int(np.argmin(load))
        rank_of_unit[u] = rank
        load[rank] += cost_of_unit[u]
    rank_of_cell = rank_of_unit[unit_index]
    min_delay = np.inf
    for table in model.edges:
        crossing = rank_of_cell[table.pre] != rank_of_cell[table.post]
        if crossing.any():
            min_delay = min(min_delay, float(table.delay_ms[crossing].min()))
    interval = communication_interval(min_delay, dt_ms, interval_ms)
    return Partition(rank_of_cell, {str(n): int(r) for n, r in zip(names, rank_of_unit)},
                     interval, min_delay, load)


def communication_interval(min_cross_delay_ms: float, dt_ms: float,
                           interval_ms: float | None) -> int:
    """Steps between exchanges; errors when the delays do not allow the requested interval."""
    allowed = int(np.floor(min_cross_delay_ms / dt_ms + 1e-9)) if np.isfinite(
        min_cross_delay_ms) else None
    if allowed is not None and allowed < 1:
        raise BrainmodelError(
            f"a synapse between cells on different ranks has a delay of {min_cross_delay_ms:g} "
            f"ms, shorter than one time step ({dt_ms:g} ms); spikes could not be exchanged in "
            f"time. Use fewer ranks or a smaller --dt")
    if interval_ms is None:
        return allowed if allowed is not None else max(1, int(round(1.0 / dt_ms)))
    steps = int(round(interval_ms / dt_ms))
    if steps < 1 or abs(steps * dt_ms - interval_ms) > 1e-9:
        raise BrainmodelError(f"communication interval {interval_ms:g} ms must be a positive "
                              f"multiple of the time step {dt_ms:g} ms")
    if allowed is not None and steps > allowed:
        raise BrainmodelError(
            f"communication interval {interval_ms:g} ms is longer than the shortest delay "
            f"between cells on different ranks ({min_cross_delay_ms:g} ms); spikes would "
            f"arrive late. Use an interval of at most {allowed * dt_ms:g} ms")
    return steps
