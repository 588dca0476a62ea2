"""Devices: ``runtime`` (tests, no compilation), ``cpp_standalone`` (default), and the ones not yet
supported here with the reason.

Brian2 keeps the active device as process-wide state; ``use_device`` sets it for one build and
``release_device`` puts Brian2 back to ``runtime`` so builds in one process do not leak into each
other.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BrainmodelError

DEVICES = ("runtime", "cpp_standalone", "cuda_standalone", "genn")


@dataclass
class DeviceRun:
    name: str
    build_dir: Path | None
    threads: int
    timings: dict = field(default_factory=dict)


def check_device(name: str, threads: int) -> None:
    if name not in DEVICES:
        raise BrainmodelError(f"unknown device {name!r}; choose one of {', '.join(DEVICES)}")
    if name == "cuda_standalone":
        raise BrainmodelError(
            "device cuda_standalone (brian2cuda) is recognised but not supported yet: GPU builds "
            "are a separate capability; use --device cpp_standalone")
    if name == "genn":
        raise BrainmodelError(
            "device genn (brian2genn) is not supported: GeNN is not installable from any package "
            "registry available here, and GeNN forbids heterogeneous synaptic delays, which this "
            "model uses (delays grow with distance). Use --device cpp_standalone")
    if threads < 0:
        raise BrainmodelError(f"threads must be >= 0, not {threads}")


def use_device(name: str, build_dir: Path | None, threads: int = 0) -> DeviceRun:
    """Activate a Brian2 device for one build. threads=0: no OpenMP (faster and deterministic on
    2-core machines); threads=N: OpenMP with N threads (cpp_standalone only)."""
    import brian2 as b2

    check_device(name, threads)
    b2.device.reinit()
    if name == "runtime":
        b2.set_device("runtime")
        b2.prefs.codegen.target = "numpy"       # no compiler needed; small networks only
    else:
        b2.set_device("cpp_standalone", directory=str(build_dir), build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = int(threads)
    return DeviceRun(name, build_dir, threads)


def run_network(run: DeviceRun, network, duration, report_period_s: float = 10.0,
                progress=print) -> None:
    """Run (runtime) or record, generate, compile and run (cpp_standalone); fills run.timings."""
    import brian2 as b2

    report = "text" if progress else None
    if run.name == "runtime":
        start = time.perf_counter()
        network.run(duration, report=report, report_period=report_period_s * b2.second)
        run.timings["run_s"] = time.perf_counter() - start
        run.timings["codegen_compile_s"] = 0.0
        return
    network.run(duration, report=report, report_period=report_period_s * b2.second)
    if progress:
        progress(f"generating and compiling C++ in {run.build_dir} (about a minute)")
    start = time.perf_counter()
    b2.device.build(directory=str(run.build_dir), compile=True, run=False, with_output=False)
    run.timings["codegen_compile_s"] = time.perf_counter() - start
    if progress:
        progress("running the compiled simulation")
    start = time.perf_counter()
    b2.device.run(directory=str(run.build_dir), with_output=bool(progress))
    run.timings["run_s"] = time.perf_counter() - start


def release_device() -> None:
    import brian2 as b2

    b2.device.reinit()
    b2.set_device("runtime")
