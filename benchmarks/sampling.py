"""Running a benchmark command as a child process while sampling the whole process tree's
memory from outside it (the child, its compiled binary and every other descendant, resident
sizes summed every 0.1 s: ``brainmodel.simulation.memory.tree_rss_mb``); the same measurement
for every simulator and row."""
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from brainmodel.simulation.memory import SAMPLE_PERIOD_S, tree_rss_mb  # noqa: E402


def run_sampled(argv: list, **kwargs) -> tuple[subprocess.CompletedProcess, float, float]:
    """(completed process with its captured output, peak tree memory in MB, wall s)."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             **kwargs)
    peak = 0.0
    # read the pipes in threads so that a chatty child never blocks on a full pipe
    out = {}
    readers = [threading.Thread(target=lambda k=k, f=f: out.__setitem__(k, f.read()))
               for k, f in (("stdout", child.stdout), ("stderr", child.stderr))]
    for reader in readers:
        reader.start()
    while child.poll() is None:
        peak = max(peak, tree_rss_mb(child.pid))
        time.sleep(SAMPLE_PERIOD_S)
    for reader in readers:
        reader.join()
    wall = time.perf_counter() - start
    return (subprocess.CompletedProcess(argv, child.returncode, out.get("stdout", ""),
                                        out.get("stderr", "")), peak, wall)
