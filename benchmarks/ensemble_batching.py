"""Members as separate runs of one compiled network (``brainmodel.simulation.ensemble.Ensemble``) against
members batched as copies inside one network (``run_batched``), on this machine, in one run.

    BRAINMODEL_DATA=../shared/data .venv/bin/python benchmarks/ensemble_batching.py [--members 8]

Network: MOp + MOs (left), density 0.02, --duration ms per member. Prints wall times of
compilation and runs, and members x biological seconds per wall second for both.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main():
    import brainmodel as bm
    from brainmodel import configure
    from brainmodel.simulation import ensemble
    from regions.cortex import default_spec

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=8)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--duration", type=float, default=400.0)
    args = p.parse_args()
    config = configure(regions=("MOp", "MOs"), density=0.02, duration_ms=args.duration,
                       analysis_start_ms=0.0, topography=False).validate()
    model = bm.build(config, spec=default_spec(), progress=lambda m: None)
    members = [ensemble.Member({"background:MOp": 1.0 + 0.05 * k}, seed=k)
               for k in range(args.members)]
    bio_s = args.members * args.duration / 1000.0

    start = time.perf_counter()
    separate = ensemble.Ensemble(model, config, Path(tempfile.mkdtemp()), progress=None)
    compile_separate = time.perf_counter() - start
    start = time.perf_counter()
    separate.run_members(members, args.workers, progress=None)
    run_separate = time.perf_counter() - start
    separate.close()

    start = time.perf_counter()
    _, timings = ensemble.run_batched(model, config, members, Path(tempfile.mkdtemp()),
                                      progress=None)
    total_batched = time.perf_counter() - start

    print(f"{len(model.cells)} cells per member, {args.members} members x {args.duration:g} ms")
    print(f"{'mode':>34} {'build+compile s':>15} {'run s':>7} {'member bio s / wall s':>22}")
    print(f"{'separate runs, ' + str(args.workers) + ' workers':>34} {compile_separate:15.1f} "
          f"{run_separate:7.1f} {bio_s / run_separate:22.3f}")
    print(f"{'copies in one network, 1 process':>34} {total_batched - timings['run_s']:15.1f} "
          f"{timings['run_s']:7.1f} {bio_s / timings['run_s']:22.3f}")


if __name__ == "__main__":
    main()
