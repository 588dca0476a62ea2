"""Output folder: written under a temporary name and renamed at the end, so a failed or bad run
leaves nothing behind and a folder with the final name is always complete.

Contents: config.json (resolved), cells.csv, spikes.h5 (SONATA: /spikes/<population>/timestamps
in ms and node_ids, sorted by time), timings.json, summary.json, figures/*.png.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .errors import BrainmodelError


def check_output_free(final: Path, overwrite: bool = False) -> None:
    final = Path(final).resolve()
    if final.exists() and not overwrite:
        raise BrainmodelError(f"output folder {final} exists; pass --overwrite or choose --output")


@contextmanager
def atomic_output_dir(final: Path, overwrite: bool = False):
    """Yield a temporary folder next to ``final``; rename it to ``final`` only on success."""
    final = Path(final).resolve()
    check_output_free(final, overwrite)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{final.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if final.exists():
        shutil.rmtree(final)
    tmp.rename(final)


def write_run_files(out: Path, config, cells) -> None:
    """config.json (the resolved configuration) and cells.csv, in every output folder."""
    write_json(out / "config.json", config.to_dict())
    cells.write_csv(out / "cells.csv")


def write_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload, indent=2, default=_jsonable) + "\n")


def _jsonable(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value)}")


def write_sonata_spikes(path: Path, population: str, node_ids: np.ndarray,
                        times_ms: np.ndarray) -> None:
    """SONATA spike file (Dai et al. 2020, PLoS Comput Biol 16:e1007696), sorted by time."""
    import h5py

    order = np.lexsort((node_ids, times_ms))
    with h5py.File(path, "w") as handle:
        group = handle.create_group(f"spikes/{population}")
        group.attrs["sorting"] = "by_time"
        stamps = group.create_dataset("timestamps", data=np.asarray(times_ms, float)[order])
        stamps.attrs["units"] = "ms"
        group.create_dataset("node_ids", data=np.asarray(node_ids, np.uint64)[order])


def read_sonata_spikes(path: Path, population: str) -> tuple[np.ndarray, np.ndarray]:
    import h5py

    with h5py.File(path, "r") as handle:
        group = handle[f"spikes/{population}"]
        return group["node_ids"][:].astype(np.int64), group["timestamps"][:]


def spike_digest(node_ids: np.ndarray, times_ms: np.ndarray) -> dict:
    """Count and sha256 (first 16 hex digits) of the node ids (int64) and times (float64, ms)
    in (time, id) order: two runs with the same digest have the same spikes, bit for bit."""
    ids, times = np.asarray(node_ids, np.int64), np.asarray(times_ms, np.float64)
    order = np.lexsort((ids, times))
    return {"n": int(len(ids)), "ids": hashlib.sha256(ids[order].tobytes()).hexdigest()[:16],
            "times": hashlib.sha256(times[order].tobytes()).hexdigest()[:16]}
