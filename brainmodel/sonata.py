"""SONATA files of a run (Dai et al. 2020, PLoS Comput Biol 16:e1007696; format as read by
libsonata): spikes and nodes, one population per region system.

Populations: ``cortex`` (every isocortical area and hemisphere), then one per non-cortical region
in the model (``thalamus``, ``pons``, ``cerebellum``, ``striatum``, ``pallidum``). A population's
node ids are 0..n-1 in the order of brainmodel's global cell ids (cells.csv ``id``); its cells
are a contiguous range of global ids starting at the group attribute ``brainmodel_first_id``.

- ``spikes*.h5``: ``/spikes/<population>/timestamps`` (ms, float64) and ``node_ids`` (uint64),
  sorted by time (then id), with the ``sorting`` attribute as the spec's HDF5 enum
  (none 0, by_id 1, by_time 2).
- ``nodes.h5``: ``/nodes/<population>/node_type_id``, ``node_group_id`` (0),
  ``node_group_index``, and group ``0`` with ``x``, ``y``, ``z`` (um, CCF: AP, DV, ML),
  ``region``, ``hemisphere``, ``layer``, ``cell_type`` and ``brainmodel_id``;
  ``node_types.csv`` (space separated): node_type_id, population, layer, cell_type,
  model_type (point_neuron), model_template (izhikevich_2003).
"""
from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from .errors import BrainmodelError

SORTING = h5py.enum_dtype({"none": 0, "by_id": 1, "by_time": 2}, basetype="u1")
BY_TIME = 2


def populations(system: np.ndarray) -> list[tuple[str, int, int]]:
    """(name, first global id, end) of each population: the contiguous runs of ``system``
    (``Model.system_of_cells()``)."""
    system = np.asarray(system)
    if len(system) == 0:
        return []
    starts = np.flatnonzero(np.r_[True, system[1:] != system[:-1]])
    ends = np.r_[starts[1:], len(system)]
    out = [(str(system[s]), int(s), int(e)) for s, e in zip(starts, ends)]
    names = [name for name, _, _ in out]
    if len(set(names)) != len(names):
        raise BrainmodelError(f"the cells of a region are not contiguous: {names}")
    return out


def write_spikes(path: Path, pops, node_ids: np.ndarray, times_ms: np.ndarray) -> None:
    """Spikes given by global id, written per population (every population gets a group,
    empty when it did not fire)."""
    node_ids, times_ms = np.asarray(node_ids, np.int64), np.asarray(times_ms, np.float64)
    order = np.lexsort((node_ids, times_ms))
    node_ids, times_ms = node_ids[order], times_ms[order]
    with h5py.File(path, "w") as handle:
        for name, first, end in pops:
            mine = (node_ids >= first) & (node_ids < end)
            group = handle.create_group(f"spikes/{name}")
            group.attrs.create("sorting", BY_TIME, dtype=SORTING)
            group.attrs["brainmodel_first_id"] = first
            stamps = group.create_dataset("timestamps", data=times_ms[mine])
            stamps.attrs["units"] = "ms"
            group.create_dataset("node_ids", data=(node_ids[mine] - first).astype(np.uint64))


def read_spikes(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(global ids, times ms) of every population of a spike file, sorted by time then id."""
    ids, times = [], []
    with h5py.File(path, "r") as handle:
        for name, group in handle["spikes"].items():
            ids.append(group["node_ids"][:].astype(np.int64)
                       + int(group.attrs.get("brainmodel_first_id", 0)))
            times.append(group["timestamps"][:])
    ids, times = np.concatenate(ids), np.concatenate(times)
    order = np.lexsort((ids, times))
    return ids[order], times[order]


def write_nodes(folder: Path, cells, pops) -> None:
    """nodes.h5 and node_types.csv for the cell table (see module docstring)."""
    types, rows = {}, []
    with h5py.File(folder / "nodes.h5", "w") as handle:
        for name, first, end in pops:
            ids = np.arange(first, end)
            keys = list(zip(cells.layer[ids], cells.type[ids]))
            for key in dict.fromkeys(keys):
                if (name, *key) not in types:
                    types[(name, *key)] = 100 + len(types)
                    rows.append((types[(name, *key)], name, *key))
            group = handle.create_group(f"nodes/{name}")
            group.create_dataset("node_type_id",
                                 data=np.array([types[(name, *k)] for k in keys], np.int64))
            group.create_dataset("node_group_id", data=np.zeros(len(ids), np.int64))
            group.create_dataset("node_group_index", data=np.arange(len(ids), dtype=np.int64))
            attributes = group.create_group("0")
            for axis, column in zip("xyz", cells.position_um[ids].T):
                attributes.create_dataset(axis, data=column.astype(np.float32))
            for key, values in (("region", cells.region), ("hemisphere", cells.hemisphere),
                                ("layer", cells.layer), ("cell_type", cells.type)):
                attributes.create_dataset(key, data=np.asarray(values[ids], dtype=str).astype(
                    h5py.string_dtype()))
            attributes.create_dataset("brainmodel_id", data=ids)
    lines = ["node_type_id population layer cell_type model_type model_template"]
    lines += [f"{t} {p} {layer.replace(' ', '_')} {c} point_neuron izhikevich_2003"
              for t, p, layer, c in rows]
    (folder / "node_types.csv").write_text("\n".join(lines) + "\n")
