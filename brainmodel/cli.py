"""Command line: ``python run.py [options]`` runs an experiment; ``python run.py fetch`` downloads
the Allen originals. A thin layer on the public API (``brainmodel.api``): options -> ``configure``
-> ``run``; errors are ``brainmodel: error: ...`` with exit status 2."""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from regions.cortex import GAIN_REFERENCE_INDEGREE

from .api import configure, run
from .config import DELIVERIES, RunConfig, StimulusConfig
from .errors import BrainmodelError
from .experiments import registry
from .inputs import data


def _triple(kind):
    def parse(text: str):
        parts = [p for p in text.replace(" ", "").split(",") if p]
        if len(parts) != 3:
            raise argparse.ArgumentTypeError(f"expected three comma-separated numbers, got {text!r}")
        try:
            return tuple(kind(p) for p in parts)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return parse


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="brainmodel", description="Data-driven spiking model of the mouse brain (Brian2). "
        "With no options: the m1-gamma experiment on cpp_standalone. `fetch` downloads the "
        "Allen atlas files.", formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    experiments = registry()
    p.add_argument("--experiment", default=RunConfig.experiment,
                   help="named experiment; it sets the defaults of --regions, --hemisphere, "
                        "--density, --duration and --stim-region: " + "; ".join(
                            f"{name}: {e.description}" for name, e in experiments.items()))
    p.add_argument("--device", default="cpp_standalone",
                   help="runtime | cpp_standalone | cuda_standalone | genn")
    p.add_argument("--threads", type=int, default=0,
                   help="OpenMP threads for cpp_standalone (0: none; fastest on 2 cores)")
    p.add_argument("--delivery", choices=DELIVERIES, default="auto",
                   help="spike delivery: compact (brainmodel's own, one cpp_standalone "
                        "process: about 6 bytes per synapse), synapses (Brian2 Synapses "
                        "objects), auto (compact where it applies; default)")
    p.add_argument("--cuda-cc", type=float, default=RunConfig.compute_capability,
                   help="cuda_standalone: compute capability to compile for (9.0: H100/H200)")
    p.add_argument("--compile-only", action="store_true",
                   help="stop after code generation and compilation (e.g. a GPU build on a "
                        "machine without a GPU); writes config, cells and timings only")
    p.add_argument("--regions", default=None,
                   help="comma-separated isocortical acronyms: areas (MOp) or larger structures "
                        "(SSp, Isocortex), which stand for their Knox 2019 areas (default: the "
                        "experiment's; m1-gamma: MOp)")
    p.add_argument("--nuclei", default=None,
                   help="comma-separated non-cortical regions to add: thalamus, pons, cerebellum, "
                        "striatum, pallidum (default: the experiment's; motor-loop: the first "
                        "three)")
    p.add_argument("--region-density", default=None, metavar="REGION=F,...",
                   help="density fraction per region, e.g. cerebellum=0.005,pons=0.1 (default: "
                        "--density; the cerebellum 0.01, it holds most of the cells)")
    p.add_argument("--hemisphere", default=None,
                   help="left | right | both (default: the experiment's; m1-gamma: left)")
    p.add_argument("--density", type=float, default=None,
                   help=f"fraction of the biological cell density, in (0, 1] (default: the "
                        f"experiment's; m1-gamma: {experiments['m1-gamma'].defaults['density']:g}; "
                        f"otherwise {RunConfig.density:g})")
    p.add_argument("--indegree", type=float, default=None,
                   help="fraction k of the full in-degree (default: = --density); weights "
                        "are multiplied by 1/sqrt(k) and the missing mean input is a constant "
                        "conductance; above the regime's reference in-degree "
                        f"({GAIN_REFERENCE_INDEGREE:g}) the coupling stays that of the "
                        "reference (docs/model.md, Scaling)")
    p.add_argument("--duration", type=float, default=None,
                   help=f"biological time in ms (default: the experiment's; "
                        f"{RunConfig.experiment}: "
                        f"{experiments[RunConfig.experiment].defaults['duration_ms']:g}, "
                        f"others without their own: {RunConfig.duration_ms:g})")
    p.add_argument("--dt", type=float, default=RunConfig.dt_ms, help="integration step (ms)")
    p.add_argument("--seed", type=int, default=RunConfig.seed, help="master seed (placement, connectivity, "
                   "initial state and simulation seeds derive from it)")
    p.add_argument("--no-topography", dest="topography", action="store_false", default=None,
                   help="long-range projections without the flatmap kernel (homogeneous pairs; "
                        "the default of bihemispheric-cortex)")
    p.add_argument("--members", type=int, default=None,
                   help="ensemble / assimilate: ensemble size (default: the experiment's)")
    p.add_argument("--workers", type=int, default=None,
                   help="ensemble / assimilate: members run at a time (default 2)")
    p.add_argument("--cycles", type=int, default=None,
                   help="assimilate: EnKF cycles (default 10)")
    p.add_argument("--ranks", type=int, default=0,
                   help="split the network over this many MPI ranks (cpp_standalone; started "
                        "with the venv's mpirun; 0: one process without MPI)")
    p.add_argument("--comm-interval", type=float, default=None,
                   help="MPI: exchange spikes every this many ms (default: the largest the "
                        "shortest cross-rank delay allows)")
    p.add_argument("--stim-layer", default=None,
                   help="layer whose cells get the DC (default: the experiment's; L2/3, L5B for "
                        "cosim-forelimb)")
    p.add_argument("--stim-radius", type=float, default=None,
                   help="stimulate the layer's cells within this tangential distance (um) of "
                        "the voxel instead of the voxel alone (default: the experiment's; 0 for "
                        "m1-gamma, 300 for topography)")
    p.add_argument("--stim-region", default=None,
                   help="area or region whose layer centre is the default stimulus voxel "
                        "(default: the experiment's, else the first of --regions)")
    p.add_argument("--stim-voxel", type=_triple(int), default=None, metavar="I,J,K",
                   help="stimulated voxel index (AP,DV,ML); default: centre of the layer")
    p.add_argument("--stim-coord", type=_triple(float), default=None, metavar="X,Y,Z",
                   help="stimulated point in um (AP,DV,ML), instead of --stim-voxel")
    p.add_argument("--stim-onset", type=float, default=None,
                   help="DC onset (ms; default: the experiment's, 200 for most)")
    p.add_argument("--stim-offset", type=float, default=None, help="DC offset (ms; default: end)")
    p.add_argument("--stim-amplitude", type=float, default=None,
                   help=f"DC amplitude in the Izhikevich model's units (mV/ms, written mV; "
                        f"default: the experiment's, else {StimulusConfig.amplitude_mv:g})")
    p.add_argument("--analysis-start", type=float, default=None,
                   help=f"analysis window start (ms), after the onset transient (default: the "
                        f"experiment's, else {RunConfig.analysis_start_ms:g})")
    p.add_argument("--mjcf", type=Path, default=None,
                   help="cosim-forelimb: the body's MJCF file (default: cosim/forelimb.xml; its "
                        "muscles must match cosim.protocol.MUSCLES)")
    p.add_argument("--output", type=Path, default=None,
                   help="output folder (default: output/<experiment>-seed<seed>)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data directory (default: $BRAINMODEL_DATA)")
    p.add_argument("--keep-build", action="store_true",
                   help="keep the generated C++ project in <output>/build")
    return p


def _region_densities(text):
    if text is None:
        return None
    out = []
    for item in (i for i in text.split(",") if i):
        name, _, value = item.partition("=")
        try:
            out.append((name.strip(), float(value)))
        except ValueError:
            raise BrainmodelError(f"--region-density expects REGION=FRACTION, not {item!r}") \
                from None
    return tuple(out)


def config_from_args(args):
    """RunConfig from parsed arguments: the experiment's defaults, then every option given."""
    overrides = dict(
        regions=tuple(r for r in args.regions.split(",") if r) if args.regions else None,
        hemisphere=args.hemisphere, density=args.density, duration_ms=args.duration,
        topography=args.topography,
        nuclei=tuple(r for r in args.nuclei.split(",") if r) if args.nuclei is not None else None,
        region_density=_region_densities(args.region_density), members=args.members,
        workers=args.workers, cycles=args.cycles, analysis_start_ms=args.analysis_start,
        mjcf=args.mjcf)
    stimulus = dict(layer=args.stim_layer, voxel=args.stim_voxel, coordinate_um=args.stim_coord,
                    onset_ms=args.stim_onset, offset_ms=args.stim_offset,
                    amplitude_mv=args.stim_amplitude, region=args.stim_region,
                    radius_um=args.stim_radius)
    return configure(
        args.experiment, stimulus={k: v for k, v in stimulus.items() if v is not None},
        **{k: v for k, v in overrides.items() if v is not None},
        indegree=args.indegree, dt_ms=args.dt, seed=args.seed, device=args.device,
        threads=args.threads, delivery=args.delivery, compute_capability=args.cuda_cc,
        compile_only=args.compile_only,
        output=args.output, data_dir=args.data_dir, ranks=args.ranks,
        comm_interval_ms=args.comm_interval)


class Terminated(BaseException):
    """SIGTERM, raised where the process is, so that every ``finally`` and ``except
    BaseException`` cleans up (temporary output and build folders, child processes)."""


def _raise_terminated(signum, frame):
    raise Terminated()


class InterruptRecorder:
    """SIGINT handler: raises KeyboardInterrupt, as Python's own does, and remembers that it
    came. A KeyboardInterrupt raised while Python runs a weakref callback or a ``__del__`` is
    printed and dropped, and the run would go on to write complete outputs and exit 0 after a
    Ctrl-C; the output folder asks ``seen`` before its final rename."""

    def __init__(self):
        self.seen = False

    def __call__(self, signum, frame):
        self.seen = True
        raise KeyboardInterrupt()


def main(argv=None) -> int:
    """Exit status: 0 done, 2 bad input or a failed run (``brainmodel: error: ...``), 130
    interrupted (SIGINT), 143 terminated (SIGTERM); an interrupted run leaves no output folder
    and no temporary files."""
    argv = list(sys.argv[1:] if argv is None else argv)
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    interrupts = InterruptRecorder()
    previous_interrupt = signal.signal(signal.SIGINT, interrupts)
    try:
        if argv[:1] == ["fetch"]:
            fetch_parser = argparse.ArgumentParser(prog="brainmodel fetch",
                                                   description="download the Allen CCF v3 "
                                                   "annotation and structure graph into a cache")
            fetch_parser.add_argument("--cache", type=Path, default=None)
            data.fetch(fetch_parser.parse_args(argv[1:]).cache)
            return 0
        args = parser().parse_args(argv)
        config = config_from_args(args)
        run(config, keep_build=args.keep_build, overwrite=args.overwrite,
            interrupted=lambda: interrupts.seen)
        return 0
    except BrainmodelError as exc:
        print(f"brainmodel: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        detail = f" ({exc})" if str(exc) else ""
        print(f"brainmodel: interrupted{detail}; no output folder was written", file=sys.stderr)
        return 130
    except Terminated:
        print("brainmodel: terminated (SIGTERM); no output folder was written", file=sys.stderr)
        return 143
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_interrupt)


if __name__ == "__main__":
    sys.exit(main())
