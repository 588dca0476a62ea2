"""Re-runs the runs recorded in tests/spike_hashes.json (m1-gamma default and 1 s, short
motor-loop, topography and cosim-forelimb runs, one ensemble member) and compares their spike
digests with the recorded ones. Prints one line per spike file and exits 1 on any difference.

    BRAINMODEL_DATA=../shared/data .venv/bin/python benchmarks/spike_hashes.py [--only NAME ...]
    ... benchmarks/spike_hashes.py --record "why"     # a change that alters the spikes on purpose

About 10 minutes on 2 cores. A change that alters the dynamics on purpose records new digests
with ``--record`` (which keeps the commands and writes the reason into the file) and says so in
its commit.
"""
import argparse
import json
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import brainmodel as bm  # noqa: E402
from brainmodel import outputs, sonata  # noqa: E402


def ensemble_member() -> dict:
    config = bm.configure("ensemble", regions=("MOp", "MOs"), duration_ms=300.0, members=2,
                          analysis_start_ms=100.0)
    model = bm.build(config, progress=lambda m: None)
    with tempfile.TemporaryDirectory() as folder:
        members = bm.Ensemble(model, config, Path(folder), None)
        try:
            member = bm.Member({"background:MOp": 1.1, "background:MOs": 0.9}, seed=7)
            spikes = members.run_members([member], 1, None)[0]
        finally:
            members.close()
    return {"member": outputs.spike_digest(*spikes)}


def cli_run(command: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        argv = shlex.split(command)[2:]
        subprocess.run([sys.executable, str(ROOT / "run.py"), *argv, "--output", str(out)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return {f.name: outputs.spike_digest(*sonata.read_spikes(f))
                for f in sorted(out.glob("spikes*.h5"))}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="*", default=None, help="names of runs to check")
    p.add_argument("--record", metavar="REASON", default=None,
                   help="write the digests found into tests/spike_hashes.json, with this reason")
    args = p.parse_args()
    path = ROOT / "tests" / "spike_hashes.json"
    stored = json.loads(path.read_text())
    recorded = stored["runs"]
    failed = 0
    for name, run in recorded.items():
        if args.only and name not in args.only:
            continue
        found = ensemble_member() if name == "ensemble-member" else cli_run(run["command"])
        for file, digest in run["files"].items():
            same = found.get(file) == digest
            failed += not same
            print(f"{name:16s} {file:24s} {digest['n']:8d} spikes  "
                  f"{'identical' if same else 'DIFFERENT: ' + str(found.get(file))}", flush=True)
        if args.record:
            run["files"] = found            # every spike file the run writes now
    if args.record:
        stored["about"] = stored["about"].split(" Recorded again:")[0] + (
            f" Recorded again: {args.record}")
        path.write_text(json.dumps(stored, indent=1) + "\n")
        print(f"recorded in {path}")
        return 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
