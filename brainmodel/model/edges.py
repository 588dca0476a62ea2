"""Edge tables: one per receptor, global cell ids, weights and delays; every projection of the
model (local, long-range, non-cortical, afferent) is one of these."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class EdgeTable:
    pre: np.ndarray             # global cell ids
    post: np.ndarray
    weight: np.ndarray          # dimensionless conductance increment
    delay_ms: np.ndarray
    receptor: str

    def __len__(self) -> int:
        return len(self.pre)


def delays_ms(pre: np.ndarray, post: np.ndarray, position_um: np.ndarray,
              synaptic_delay_ms: float, velocity_um_per_ms: float) -> np.ndarray:
    distance = np.linalg.norm(position_um[pre] - position_um[post], axis=1)
    return synaptic_delay_ms + distance / velocity_um_per_ms


def merge_by_receptor(parts: dict[str, list[EdgeTable]]) -> list[EdgeTable]:
    """One table per receptor (in the dict's order), each the concatenation of its parts in
    order; ids as int64."""
    out = []
    for receptor, tables in parts.items():
        out.append(EdgeTable(np.concatenate([t.pre for t in tables]).astype(np.int64),
                             np.concatenate([t.post for t in tables]).astype(np.int64),
                             np.concatenate([t.weight for t in tables]),
                             np.concatenate([t.delay_ms for t in tables]), receptor))
    return out


def add_edges(tables, extra) -> list[EdgeTable]:
    """``tables`` (one per receptor) with the ``extra`` tables appended to the table of their
    receptor (a new table for a new receptor)."""
    parts: dict[str, list[EdgeTable]] = {t.receptor: [t] for t in tables}
    for table in extra:
        parts.setdefault(table.receptor, []).append(table)
    return merge_by_receptor(parts)
