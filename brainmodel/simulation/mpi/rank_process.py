"""One MPI rank's process under mpirun: runs the rank binary as a child and records how it
ended, so that a failed job names the rank that failed first (``launch.failed_rank``).

    python rank_process.py ./main --results_dir results/

Writes ``results/main.pid`` when the binary starts and ``results/exit.json`` when it ends:
its return code (negative: killed by that signal), whether this process was asked to stop
(SIGTERM/SIGINT from mpirun, passed on to the binary) and the time. Standard library only: it
runs before anything else is imported.
"""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path


def main(argv) -> int:
    results = Path(argv[argv.index("--results_dir") + 1])
    results.mkdir(parents=True, exist_ok=True)
    child = subprocess.Popen(argv)
    (results / "main.pid").write_text(f"{child.pid}\n")
    stopped_by = []

    def forward(signum, frame):
        stopped_by.append(signal.Signals(signum).name)
        child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, forward)
    code = child.wait()
    (results / "exit.json").write_text(json.dumps(
        {"returncode": code, "stopped_by": stopped_by, "time": time.time()}))
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
