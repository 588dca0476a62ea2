"""Peak memory of the whole process tree: this Python process plus every descendant (the compiled
simulation, the compiler, mpirun and its ranks), their resident set sizes summed, sampled every
0.1 s by a background thread.

Why not ``ru_maxrss``: it is the peak of one process (or of the largest child), so Python's
tables and the binary's arrays, which coexist while the binary runs, are never added up. The
sampled sum is what the machine must hold. Before the sampler starts, the process tree is the
Python process alone (construction starts no child processes), so ``TreeMemory.peak_mb`` also
takes Python's own peak (``ru_maxrss``) into account.

Linux (``/proc``); elsewhere the sampler reports Python's and the children's ``ru_maxrss`` summed,
an upper bound.
"""
from __future__ import annotations

import os
import resource
import threading
from pathlib import Path

SAMPLE_PERIOD_S = 0.1
_PROC = Path("/proc")


def tree_rss_mb(root_pid: int) -> float:
    """Summed resident set size (MB) of ``root_pid`` and all its descendants, now."""
    children: dict[int, list[int]] = {}
    rss_kb: dict[int, int] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text().split()
        except OSError:                     # the process ended while we looked
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        pid = int(entry.name)
        children.setdefault(ppid, []).append(pid)
        rss_kb[pid] = int(statm[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss_kb.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total / 1024.0


def own_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class TreeMemory:
    """Context manager sampling the process tree's summed RSS; ``peak_mb`` afterwards (and while
    running)."""

    def __init__(self, period_s: float = SAMPLE_PERIOD_S):
        self.period_s = period_s
        self.sampled = _PROC.joinpath("self", "statm").exists()
        self._peak = 0.0
        self._stop = threading.Event()
        self._thread = None

    def _sample(self) -> None:
        pid = os.getpid()
        while True:
            self._peak = max(self._peak, tree_rss_mb(pid))
            if self._stop.wait(self.period_s):
                break

    def __enter__(self) -> TreeMemory:
        if self.sampled:
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def peak_mb(self) -> float:
        """The tree's peak: the sampled sum, or Python's own peak if that was higher (before the
        sampler started, the tree was Python alone; between samples, Python's own peak is a
        lower bound of the tree's)."""
        if not self.sampled:
            children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
            return own_peak_mb() + children
        return max(self._peak, own_peak_mb())
