"""Compact spike delivery for cpp_standalone: the synapses of a single-process run live in one
C++ structure instead of Brian2 ``Synapses`` objects, and the Poisson background costs per event.

Why: Brian2's ``Synapses`` keep, per synapse, pre and post ids, weight and delay as 8-byte values,
``N_incoming``/``N_outgoing``, the spike queue's own copies and the static arrays the synapses
were created from (about 60 bytes in the binary, plus Python's copies); every spike pushes each
of its synapses into the queue one by one (a division and a delay load per synapse), and the
background draws per cell and time step.

The structure (built in the binary from ``edges.bin``, which Python writes straight from the
edge tables, 12 bytes per synapse): per source cell, its synapses sorted by delay and grouped by
it; per synapse an int32 target and a uint16 index into the weights (each weight belongs to one
receptor), 6 bytes. A spike pushes one group per distinct delay into a ring of time slots; a
slot's groups are delivered into one accumulator per receptor, which is added to the
conductance at the start of the next step (``brainmodel.simulation.network``'s exact-sum
scheme: weights on the 2**-32 grid, so the sums do not depend on the order of arrival).

Facilitating synapses (``EdgeTable.facilitation``): their groups are kept apart from the
static ones, and each spike of a source updates its release probability u once per facilitating
kind (event by event: decay over the interval since its last spike, then the jump), at the step
it is emitted; the spike's groups carry u / U, and each of their synapses adds its weight x u / U
rounded to the weight grid. Brian2 ``Synapses`` do the same per synapse at each arrival (the
intervals between arrivals are those between emissions), so both engines give the same sums.

The background draws the same numbers as ``brainmodel.simulation.background`` (one splitmix64
stream per cell). Below ``background.EVENT_MODE_BELOW`` events per step (an exponential interval
per event) it keeps each cell in a calendar of time steps, so that a step costs its events, not
its cells; above, it inverts the Poisson distribution function per cell and step, in one loop
over the group's arrays. A step's events are added to g_ampa before that step's synaptic input,
as in the Brian2 objects.

Both run inside one Brian2 function, ``brainmodel_tick``, called once per step from the group's
scalar code at ``when="start"``: push the previous step's spikes (read from the group's
spikespace), add the previous step's background events, deliver the previous step's slot, add
the accumulators. So every spike reaches its targets at the same step, with the same sums, as
through ``Synapses``: the spikes are identical (``tests/test_delivery.py``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..model.parameters import WEIGHT_GRID, exact_sum_weights
from .background import STREAM_CPP
from .delivery_code import TICK_CPP

EDGES_FILE = "edges.bin"
MAGIC = 0x3253454744454D42          # "BMEDGES2", little endian
_CHUNK = 1 << 22


def write_edges(path: Path, tables, receptor_order: list[str], n_cells: int) -> int:
    """Write the edge tables as ``edges.bin`` (read by the C++ in ``delivery_code``); returns
    the number of synapses. Header: magic, cells, tables, weights (int64); weights (float64,
    on the exact-sum grid), their receptor index (int32) and their facilitation U and tau_F
    in s (float64; U 0: static); per table: synapses and its first weight (int64), then pre,
    post (int32), delay steps and weight index (uint16)."""
    values = [exact_sum_weights(t.weight_values) for t in tables]
    receptor = [np.full(len(v), receptor_order.index(t.receptor), np.int32)
                for v, t in zip(values, tables)]
    facilitation = [np.tile(np.array(t.facilitation or (0.0, 0.0)) / [1.0, 1000.0], (len(v), 1))
                    for v, t in zip(values, tables)]
    offsets = np.cumsum([0] + [len(v) for v in values])
    n_synapses = 0
    with open(path, "wb") as out:
        np.array([MAGIC, n_cells, len(tables), offsets[-1]], np.int64).tofile(out)
        np.concatenate(values or [np.empty(0)]).astype(np.float64).tofile(out)
        np.concatenate(receptor or [np.empty(0, np.int32)]).tofile(out)
        for column in (0, 1):
            np.concatenate([f[:, column] for f in facilitation] or [np.empty(0)]).tofile(out)
        for table, offset in zip(tables, offsets):
            np.array([len(table), offset], np.int64).tofile(out)
            for column, dtype in ((table.pre, np.int32), (table.post, np.int32),
                                  (table.delay_steps, np.uint16), (table.weight_code, np.uint16)):
                for start in range(0, len(column), _CHUNK):   # no full-size converted copy
                    np.ascontiguousarray(column[start:start + _CHUNK], dtype=dtype).tofile(out)
            n_synapses += len(table)
    return n_synapses


def load_code(background_rate_dt: float, background_seed: int) -> str:
    """C++ for main(), before the network runs (outside the loop's timer): build the structure
    from edges.bin and start the background streams."""
    return (f"void brainmodel_load_edges(double, int64_t);\n"
            f"brainmodel_load_edges({float(background_rate_dt)!r}, {int(background_seed)}LL);")


def tick_function(group_name: str, receptor_variables: list[str], n_cells: int,
                  event_background: bool, dt_s: float):
    """The Brian2 Function ``brainmodel_tick(step, background_rate_dt, background_seed)``; its
    support code also defines ``brainmodel_load_edges`` (``load_code``)."""
    import brian2 as b2
    from brian2.codegen.generators.cpp_generator import CPPCodeGenerator

    arrays = ", ".join(f"brian::_array_{group_name}_{v}" for v in receptor_variables)
    code = TICK_CPP % {
        "background": STREAM_CPP,
        "event_background": int(event_background),
        "n_receptors": len(receptor_variables), "n_cells": int(n_cells),
        "conductances": arrays,
        "spikespace": f"brian::_array_{group_name}__spikespace",
        "cell_id": f"brian::_array_{group_name}_cell_id",
        "w_background": f"brian::_array_{group_name}_w_background",
        "g_background": f"brian::_array_{group_name}_g_ampa",
        "edges_file": EDGES_FILE, "magic": MAGIC, "dt": repr(float(dt_s)),
        "grid": repr(float(1.0 / WEIGHT_GRID))}

    def _no_python(*args):
        raise NotImplementedError("brainmodel_tick runs in cpp_standalone only")
    function = b2.Function(_no_python, arg_units=[1, 1, 1], return_unit=1,
                           arg_types=["integer", "float", "integer"], return_type="integer",
                           stateless=False, auto_vectorise=False)
    function.implementations.add_implementation(
        CPPCodeGenerator, code=code, name="brainmodel_tick",
        compiler_kwds={"headers": ["<vector>", "<cstdio>", "<cstdlib>", "<algorithm>",
                                   "<cstdint>", "<cmath>"]})
    return function
