"""m1-gamma side by side in one invocation: an earlier commit (``--base``, default 9e75d0a, the
commit before issue 19's memory and speed work, checked out as a git worktree) against this
tree with Brian2 ``Synapses`` (``--delivery synapses``) and with the compact delivery (the
default), runs interleaved, best of ``--repeat``.

    BRAINMODEL_DATA=../shared/data .venv/bin/python benchmarks/engine_comparison.py
    ... --sizes 0.05:0.05:2200,0.2:0.2:500 --repeat 2
    ... --variants compact --sizes 1.0:0.56:400 --name largest    # one large model alone

Per run: the whole process tree's peak memory, sampled from outside (``benchmarks/sampling.py``),
the connectivity stage's synapses per second, and the simulation loop's time from the binary's
own ``results/last_run_info.txt`` (the same definition for every variant; loading the synapses
is not part of it), synaptic events per second over that loop. Spike digests: this tree's two
deliveries must give the same spikes (the compact delivery is exact); the base commit draws
another network (the connectivity stage's candidate draw changed), so its digest is shown, not
compared. Writes ``benchmarks/results/engine_comparison.md``.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from brainmodel import outputs, sonata  # noqa: E402
from sampling import run_sampled  # noqa: E402

VARIANTS = ("base", "synapses", "compact")


def worktree(rev: str) -> Path:
    """A checkout of ``rev`` beside the build folders (made once, reused)."""
    path = Path(tempfile.gettempdir()) / f"brainmodel-base-{rev}"
    if not (path / "run.py").exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--force", "--detach",
                        str(path), rev], check=True, capture_output=True)
    return path


def one_run(variant: str, base: Path, density: float, indegree: float, duration: float):
    root = base if variant == "base" else ROOT
    folder = Path(tempfile.mkdtemp(prefix=f"engine-{variant}-")) / "out"
    argv = [sys.executable, str(root / "run.py"), "--density", str(density), "--indegree",
            str(indegree), "--duration", str(duration), "--seed", "1", "--keep-build",
            "--output", str(folder), "--analysis-start", str(min(300.0, duration / 2))]
    if variant != "base":
        argv += ["--delivery", variant]
    out, peak_mb, wall = run_sampled(argv, cwd=root)
    if out.returncode:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {"variant": variant, "error": f"exit {out.returncode}: {tail[:150]}"}
    timings = json.loads((folder / "timings.json").read_text())
    loop_s = float((folder / "build" / "results" / "last_run_info.txt").read_text().split()[0])
    digest = outputs.spike_digest(*sonata.read_spikes(folder / "spikes.h5"))
    subprocess.run(["rm", "-rf", str(folder.parent)])
    return {"variant": variant, "synapses": timings["n_synapses"], "spikes": digest["n"],
            "digest": f"{digest['ids']}/{digest['times']}", "peak_mb": peak_mb,
            "connectivity_s": timings["connectivity_s"], "loop_s": loop_s,
            "events": timings["synaptic_events"], "wall_s": wall}


def table(rows) -> str:
    lines = ["| density / in-degree | duration ms | variant | synapses | spikes | tree peak MB | "
             "B/syn | connectivity M syn/s | loop s | events/s | vs base | spike digest |",
             "|" + "---|" * 12]
    for row in rows:
        size = f"{row['density']} / {row['indegree']}"
        if "error" in row:
            lines.append(f"| {size} | {row['duration']:g} | {row['variant']} | failed: "
                         f"{row['error']} |" + " |" * 8)
            continue
        base = next((r for r in rows if r["variant"] == "base" and "error" not in r
                     and r["density"] == row["density"] and r["indegree"] == row["indegree"]),
                    None)
        eps = row["events"] / row["loop_s"]
        ratio = f"{eps / (base['events'] / base['loop_s']):.2f}" if base else "-"
        lines.append(
            f"| {size} | {row['duration']:g} | {row['variant']} | {row['synapses'] / 1e6:.1f} M | "
            f"{row['spikes']:,} | {row['peak_mb']:,.0f} | "
            f"{row['peak_mb'] * 2**20 / row['synapses']:.0f} | "
            f"{row['synapses'] / row['connectivity_s'] / 1e6:.2f} | {row['loop_s']:.2f} | "
            f"{eps:.2e} | {ratio} | {row['digest']} |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", default="9e75d0a", help="the earlier commit (default: %(default)s)")
    p.add_argument("--sizes", default="0.05:0.05:2200,0.2:0.2:500",
                   help="density:indegree:duration_ms, comma-separated")
    p.add_argument("--repeat", type=int, default=1, help="runs per variant; the best is kept")
    p.add_argument("--variants", default=",".join(VARIANTS),
                   help="comma-separated, of " + ", ".join(VARIANTS) + " (default: all)")
    p.add_argument("--name", default="engine_comparison", help="the table's file name")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = p.parse_args()
    variants = [v for v in VARIANTS if v in args.variants.split(",")]
    base = worktree(args.base) if "base" in variants else None
    rows = []
    for size in args.sizes.split(","):
        density, indegree, duration = (float(x) for x in size.split(":"))
        best = {}
        for repeat in range(args.repeat):
            for variant in variants:                     # interleaved
                print(f"{density}/{indegree} {duration:g} ms {variant} ({repeat + 1})",
                      flush=True)
                row = one_run(variant, base, density, indegree, duration)
                old = best.get(variant)
                if old is None or ("error" not in row and ("error" in old
                                                           or row["loop_s"] < old["loop_s"])):
                    best[variant] = row
        for variant in variants:
            rows.append(dict(best[variant], density=density, indegree=indegree,
                             duration=duration))
        if {"synapses", "compact"} <= set(variants):
            same = {best[v].get("digest") for v in ("synapses", "compact")}
            print(f"  compact and synapses deliveries: "
                  f"{'identical spikes' if len(same) == 1 else 'DIFFERENT spikes'}", flush=True)
    text = table(rows)
    print("\n" + text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.md").write_text(
        f"m1-gamma, seed 1, base {args.base}; benchmarks/engine_comparison.py\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
