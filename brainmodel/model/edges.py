"""Edge tables: one per receptor, global cell ids, weights and delays; every projection of the
model (local, long-range, non-cortical, afferent) is one of these.

Stored compactly, 12 bytes per synapse: int32 pre and post ids, a uint16 index into the table's
distinct weights (a pathway's weight is one number, so a table holds a few dozen), and the delay
in whole time steps (uint16). ``weight`` and ``delay_ms`` give the float64 values on demand.
Delays are rounded to steps once, here (the simulation delivers spikes at whole steps anyway).
A model holds any number of tables per receptor (one per pathway); ``by_receptor`` joins them.

A table may facilitate (``facilitation`` = (U, tau_F in ms), short-term facilitation after
Tsodyks, Pawelzik & Markram 1998, Neural Comput 10:821): each presynaptic spike then carries its
weight x u / U, where u is the release probability after the spike (u decays to 0 with tau_F
and jumps by U (1 - u) at each spike, so an isolated spike carries the weight itself).
``brainmodel.simulation`` delivers it (``facilitation_factor`` is the same rule in numpy).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BrainmodelError

ID_DTYPE = np.int32
CODE_DTYPE = np.uint16
STEP_DTYPE = np.uint16


@dataclass(frozen=True)
class EdgeTable:
    pre: np.ndarray             # global cell ids (int32)
    post: np.ndarray
    weight_code: np.ndarray     # uint16 index into weight_values
    weight_values: np.ndarray   # float64: dimensionless conductance increments
    delay_steps: np.ndarray     # uint16: delay in time steps of dt_ms
    dt_ms: float
    receptor: str
    facilitation: tuple[float, float] | None = None     # (U, tau_F ms), or static

    def __len__(self) -> int:
        return len(self.pre)

    @property
    def weight(self) -> np.ndarray:
        """float64 weight per synapse (a new array)."""
        return self.weight_values[self.weight_code]

    @property
    def delay_ms(self) -> np.ndarray:
        return self.delay_steps * self.dt_ms

    def select(self, keep) -> EdgeTable:
        """The synapses where ``keep`` (a mask or index array)."""
        return EdgeTable(self.pre[keep], self.post[keep], self.weight_code[keep],
                         self.weight_values, self.delay_steps[keep], self.dt_ms, self.receptor,
                         self.facilitation)


def edge_table(pre, post, weight, delay_ms, receptor: str, dt_ms: float,
               facilitation: tuple[float, float] | None = None) -> EdgeTable:
    """An EdgeTable from ids, weights (one number for all, or one per synapse) and delays in ms
    (rounded to whole steps of dt_ms); ``facilitation``: (U, tau_F ms) or None (static)."""
    pre = np.asarray(pre).astype(ID_DTYPE, copy=False)
    post = np.asarray(post).astype(ID_DTYPE, copy=False)
    if np.ndim(weight) == 0:
        values = np.array([float(weight)])
        code = np.zeros(len(pre), CODE_DTYPE)
    else:
        values, code = np.unique(np.asarray(weight, dtype=np.float64), return_inverse=True)
        if len(values) > np.iinfo(CODE_DTYPE).max + 1:
            raise BrainmodelError(f"{len(values)} distinct weights in one edge table; at most "
                                  f"{np.iinfo(CODE_DTYPE).max + 1} are supported: split the "
                                  f"projection into several tables or round its weights")
        code = code.astype(CODE_DTYPE)
    if facilitation is not None:
        use, tau = facilitation
        if not (0.0 < use <= 1.0 and tau > 0.0):
            raise BrainmodelError(f"facilitation needs 0 < U <= 1 and tau_F > 0, not "
                                  f"{facilitation}")
        facilitation = (float(use), float(tau))
    return EdgeTable(pre, post, code, values, delay_steps(delay_ms, dt_ms), float(dt_ms),
                     receptor, facilitation)


def empty_table(receptor: str, dt_ms: float) -> EdgeTable:
    return edge_table(np.empty(0, ID_DTYPE), np.empty(0, ID_DTYPE), 0.0, np.empty(0),
                      receptor, dt_ms)


def delay_steps(delay_ms, dt_ms: float) -> np.ndarray:
    steps = np.rint(np.asarray(delay_ms, dtype=np.float64) / dt_ms)
    if len(steps) and steps.max() > np.iinfo(STEP_DTYPE).max:
        raise BrainmodelError(f"a delay of {steps.max() * dt_ms:g} ms is longer than "
                              f"{np.iinfo(STEP_DTYPE).max} steps of {dt_ms} ms: use a larger "
                              f"--dt or check the pathway's conduction velocity")
    return steps.astype(STEP_DTYPE)


def distances(points, pre: np.ndarray, post: np.ndarray, squared: bool = False) -> np.ndarray:
    """Euclidean distance between ``points[pre]`` and ``points[post]`` (points: an (n, d) array,
    or a list of its d columns as contiguous arrays, which is faster when called often).

    Column by column: the same numbers as ``np.linalg.norm(points[pre] - points[post],
    axis=1)``, bit for bit, at a tenth of the time (numpy's row gathers of a 2-D array are slow).
    ``squared``: the squared distances (no square root)."""
    columns = coordinate_columns(points) if isinstance(points, np.ndarray) else points
    total = None
    for column in columns:
        d = column.take(pre)
        d -= column.take(post)
        d *= d
        total = d if total is None else np.add(total, d, out=total)
    return total if squared else np.sqrt(total, out=total)


def coordinate_columns(points: np.ndarray) -> list[np.ndarray]:
    return [np.ascontiguousarray(points[:, k], dtype=np.float64) for k in range(points.shape[1])]


def delays_ms(pre: np.ndarray, post: np.ndarray, position_um,
              synaptic_delay_ms: float, velocity_um_per_ms: float) -> np.ndarray:
    distance = distances(position_um, pre, post)
    distance /= velocity_um_per_ms
    distance += synaptic_delay_ms
    return distance


def concatenate(tables: list[EdgeTable], receptor: str) -> EdgeTable:
    """The tables one after another (one receptor and facilitation), their weight lists
    joined."""
    dt = {t.dt_ms for t in tables}
    if len(dt) > 1:
        raise BrainmodelError(f"edge tables with different time steps: {sorted(dt)}")
    if len({t.facilitation for t in tables}) > 1:
        raise BrainmodelError("static and facilitating edge tables cannot be joined")
    offsets = np.cumsum([0] + [len(t.weight_values) for t in tables])
    if offsets[-1] > np.iinfo(CODE_DTYPE).max + 1:
        raise BrainmodelError(f"{offsets[-1]} weights in one receptor's tables; at most "
                              f"{np.iinfo(CODE_DTYPE).max + 1} are supported: round the "
                              f"projections' weights")
    code = np.empty(sum(len(t) for t in tables), CODE_DTYPE)
    position = 0
    for table, offset in zip(tables, offsets):
        np.add(table.weight_code, offset, out=code[position:position + len(table)],
               casting="unsafe")
        position += len(table)
    return EdgeTable(np.concatenate([t.pre for t in tables]).astype(ID_DTYPE, copy=False),
                     np.concatenate([t.post for t in tables]).astype(ID_DTYPE, copy=False),
                     code, np.concatenate([t.weight_values for t in tables]),
                     np.concatenate([t.delay_steps for t in tables]),
                     tables[0].dt_ms, receptor, tables[0].facilitation)


def by_receptor(tables) -> list[EdgeTable]:
    """One table per receptor and facilitation, in the order of their first tables, each the
    concatenation of those tables in order (what Brian2 ``Synapses`` objects are made from:
    one per receptor, and one per facilitating kind). A model keeps its tables apart (one per
    pathway or projection), so that building it never holds two copies of its synapses."""
    parts: dict[tuple, list[EdgeTable]] = {}
    for table in tables:
        parts.setdefault((table.receptor, table.facilitation), []).append(table)
    return [group[0] if len(group) == 1 else concatenate(group, key[0])
            for key, group in parts.items()]


def facilitation_factor(spike_steps: np.ndarray, dt_ms: float,
                        facilitation: tuple[float, float]) -> np.ndarray:
    """Per spike of one presynaptic train (steps, ascending), the factor u / U on the weight
    that the simulation applies (the reference for ``brainmodel.simulation``'s code)."""
    use, tau = facilitation
    out = np.empty(len(spike_steps))
    u, last = 0.0, None
    for n, step in enumerate(np.asarray(spike_steps, dtype=np.int64)):
        if last is not None:
            u *= np.exp(-(step - last) * dt_ms / tau)
        u += use * (1.0 - u)
        out[n], last = u / use, step
    return out


def mean_facilitation(rate_hz, facilitation: tuple[float, float] | None):
    """Expected factor u / U per spike of a Poisson train of ``rate_hz`` (1 for a static
    table): E[u] after a spike is U / (1 - (1 - U) r tau / (1 + r tau)), since the decay
    over an exponential interval averages r tau / (1 + r tau) and u is independent of it."""
    rate = np.asarray(rate_hz, dtype=np.float64)
    if facilitation is None:
        return np.ones_like(rate)
    use, tau = facilitation
    decay = rate * tau / 1000.0 / (1.0 + rate * tau / 1000.0)
    return 1.0 / (1.0 - (1.0 - use) * decay)
