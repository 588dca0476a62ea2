"""Output folder: written under a temporary name and renamed at the end, so a failed or bad run
leaves nothing behind and a folder with the final name is always complete.

Contents: config.json (resolved), cells.csv, nodes.h5 and node_types.csv, spikes*.h5 (SONATA,
``brainmodel.sonata``), timings.json, summary.json, figures/*.png.
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
    """The output folder can be written: it does not exist (or ``overwrite``), and its parent
    exists or can be made and is writable."""
    final = Path(final).resolve()
    if final.exists() and not overwrite:
        raise BrainmodelError(f"output folder {final} exists; pass --overwrite or choose --output")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BrainmodelError(f"cannot create the output folder's parent {final.parent}: "
                              f"{exc.strerror or exc}; choose another --output") from None
    if not os.access(final.parent, os.W_OK | os.X_OK):
        raise BrainmodelError(f"cannot write the output folder {final}: {final.parent} is not "
                              f"writable; choose another --output")


@contextmanager
def atomic_output_dir(final: Path, overwrite: bool = False, interrupted=None):
    """Yield a temporary folder next to ``final``; rename it to ``final`` only on success.
    ``interrupted()``: checked before the rename; True raises KeyboardInterrupt (a Ctrl-C whose
    KeyboardInterrupt Python dropped, ``brainmodel.cli.InterruptRecorder``)."""
    final = Path(final).resolve()
    check_output_free(final, overwrite)
    tmp = final.parent / f".{final.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
    except OSError as exc:
        raise BrainmodelError(f"cannot write in {final.parent}: {exc.strerror or exc}; choose "
                              f"another --output") from None
    try:
        yield tmp
        if interrupted is not None and interrupted():
            raise KeyboardInterrupt("the interrupt came while the run was ending")
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


def spike_digest(node_ids: np.ndarray, times_ms: np.ndarray) -> dict:
    """Count and sha256 (first 16 hex digits) of the node ids (int64) and times (float64, ms)
    in (time, id) order: two runs with the same digest have the same spikes, bit for bit."""
    ids, times = np.asarray(node_ids, np.int64), np.asarray(times_ms, np.float64)
    order = np.lexsort((ids, times))
    return {"n": int(len(ids)), "ids": hashlib.sha256(ids[order].tobytes()).hexdigest()[:16],
            "times": hashlib.sha256(times[order].tobytes()).hexdigest()[:16]}
