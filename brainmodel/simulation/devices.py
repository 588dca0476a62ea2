"""Devices: ``runtime`` (tests, no compilation), ``cpp_standalone`` (default), ``cuda_standalone``
(brian2cuda; builds without a GPU, runs where one is present) and ``genn`` (refused, with the
reason).

cuda_standalone without a GPU needs (brian2cuda 1.0b1 with the CUDA 13 toolkit here): GPU
detection off with ``gpu_id`` 0 and an explicit compute capability, ``cuda_path`` set to the
toolkit root (its auto-detection picks the folder of an nvcc wrapper), ``-std=c++17`` for nvcc
and gcc (its makefile asks for c++11, which CUB rejects), and cuRAND headers and library from
the ``nvidia-curand`` wheel (the toolkit has none) with a ``libcurand.so`` link.

Brian2 keeps the active device, its preferences and the default clock as process-wide state.
This module is the one place that touches them: ``use_device`` sets the device for one build and
``release_device`` puts Brian2 back to ``runtime`` with default preferences, so builds in one
process do not leak into each other (``brainmodel.simulation`` always pairs the two in
``try``/``finally``). Seeds and dt are passed explicitly to every build
(``brainmodel.simulation.network``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import DEFAULT_COMPUTE_CAPABILITY, check_device
from ..errors import BrainmodelError


@dataclass
class DeviceRun:
    name: str
    build_dir: Path | None
    threads: int
    timings: dict = field(default_factory=dict)


def use_device(name: str, build_dir: Path | None, threads: int = 0,
               compute_capability: float = DEFAULT_COMPUTE_CAPABILITY) -> DeviceRun:
    """Activate a Brian2 device for one build. threads=0: no OpenMP (faster and deterministic on
    2-core machines); threads=N: OpenMP with N threads (cpp_standalone only)."""
    import brian2 as b2

    check_device(name, threads)
    b2.device.reinit()
    # Ctrl-C raises KeyboardInterrupt instead of asking the running network to stop early
    # (Brian2's default), so that an interrupted run is never taken for a finished one
    b2.prefs.core.stop_on_keyboard_interrupt = False
    if name == "runtime":
        b2.set_device("runtime")
        b2.prefs.codegen.target = "numpy"       # no compiler needed; small networks only
    elif name == "cuda_standalone":
        _configure_cuda(Path(build_dir), compute_capability)
        b2.set_device("cuda_standalone", directory=str(build_dir), build_on_run=False)
    else:
        b2.set_device("cpp_standalone", directory=str(build_dir), build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = int(threads)
    return DeviceRun(name, build_dir, threads)


def cuda_toolkit_root() -> Path:
    """CUDA toolkit root: $CUDA_PATH or $CUDA_HOME, else /usr/local/cuda (symlinks resolved)."""
    import os

    for candidate in (os.environ.get("CUDA_PATH"), os.environ.get("CUDA_HOME"), "/usr/local/cuda"):
        if candidate and (Path(candidate) / "bin" / "nvcc").exists() and (
                Path(candidate) / "include" / "cuda_runtime.h").exists():
            return Path(candidate).resolve()
    raise BrainmodelError("no CUDA toolkit found (looked at $CUDA_PATH, $CUDA_HOME and "
                          "/usr/local/cuda for bin/nvcc and include/cuda_runtime.h); install the "
                          "CUDA toolkit or set CUDA_PATH")


def curand_files() -> tuple[Path, Path]:
    """(include folder, shared library) of the nvidia-curand wheel."""
    try:
        import nvidia
    except ImportError:
        raise BrainmodelError("cuRAND not found: install the cuda extra "
                              "(pip install -e '.[cuda]', which brings nvidia-curand)") from None
    for root in map(Path, nvidia.__path__):
        for sub in sorted(root.glob("cu*")) + [root / "curand"]:
            libraries = sorted((sub / "lib").glob("libcurand.so*"))
            if (sub / "include" / "curand.h").exists() and libraries:
                return sub / "include", libraries[0]
    raise BrainmodelError("cuRAND headers/library not found in the nvidia-curand wheel")


def _configure_cuda(build_dir: Path, compute_capability: float) -> None:
    try:
        import brian2cuda  # noqa: F401  (registers the cuda_standalone device)
    except ImportError:
        raise BrainmodelError("device cuda_standalone needs brian2cuda: install the cuda extra "
                              "(pip install -e '.[cuda]')") from None
    import brian2 as b2

    include, library = curand_files()
    lib = library.parent
    link_dir = build_dir / "curand_link"
    link_dir.mkdir(parents=True, exist_ok=True)
    link = link_dir / "libcurand.so"
    if not link.exists():
        link.symlink_to(library)
    backend = b2.prefs.devices.cuda_standalone.cuda_backend
    backend.detect_gpus = False
    backend.gpu_id = 0
    backend.compute_capability = float(compute_capability)
    backend.cuda_path = str(cuda_toolkit_root())
    backend.extra_compile_args_nvcc = [a for a in backend.extra_compile_args_nvcc
                                       if not a.startswith("-std=")] + ["-std=c++17"]
    b2.prefs.codegen.cpp.extra_compile_args_gcc = [
        a for a in b2.prefs.codegen.cpp.extra_compile_args_gcc if not a.startswith("-std=")
    ] + ["-std=c++17"]
    b2.prefs.codegen.cpp.include_dirs = [str(include)]
    b2.prefs.codegen.cpp.library_dirs = [str(link_dir), str(lib)]
    b2.prefs.codegen.cpp.runtime_library_dirs = [str(lib)]


def gpu_present() -> bool:
    import shutil
    import subprocess

    if shutil.which("nvidia-smi") is None:
        return False
    return subprocess.run(["nvidia-smi", "-L"], capture_output=True).returncode == 0


def check_can_run(run: DeviceRun) -> None:
    """A compiled CUDA build needs a GPU to run: say so instead of letting the binary fail."""
    if run.name == "cuda_standalone" and not gpu_present():
        raise BrainmodelError("the CUDA build compiled, but this machine has no GPU "
                              "(nvidia-smi -L failed), so it cannot run; use --compile-only to "
                              "stop after compilation, or run on a GPU machine")


def run_network(run: DeviceRun, network, duration, report_period_s: float = 10.0,
                progress=print, compile_only: bool = False, variants=None,
                collect=lambda: None) -> list:
    """Run (runtime) or record, generate, compile and run (standalone devices); fills
    run.timings. compile_only stops after compilation (a GPU build on a machine without one).

    ``variants``: a list of {variable: values} (e.g. ``{group.stim_mask: mask}``), one run each
    of the same network from the same initial state: standalone devices compile once and pass
    the values as run_args; runtime restores the stored network. ``collect()`` is called after
    every run and its results are returned in order (one run, ``[collect()]``, without variants).
    """
    import brian2 as b2

    report = "text" if progress else None
    period = report_period_s * b2.second
    variants = variants if variants is not None else [{}]
    results, run_s, loop_s = [], 0.0, 0.0
    if run.name == "runtime":
        network.store("initial")
        for values in variants:
            network.restore("initial")
            for variable, value in values.items():
                variable[:] = value
            start = time.perf_counter()
            network.run(duration, report=report, report_period=period)
            run_s += time.perf_counter() - start
            results.append(collect())
        run.timings.update(run_s=run_s, loop_s=run_s, codegen_compile_s=0.0)
        return results
    network.run(duration, report=report, report_period=period)
    if progress:
        language = "CUDA" if run.name == "cuda_standalone" else "C++"
        progress(f"generating and compiling {language} in {run.build_dir} (about a minute)")
    start = time.perf_counter()
    b2.device.build(directory=str(run.build_dir), compile=False, run=False, with_output=False)
    compile_project(Path(run.build_dir))
    run.timings["codegen_compile_s"] = time.perf_counter() - start
    if compile_only:
        return []
    check_can_run(run)
    for n, values in enumerate(variants):
        if progress:
            progress("running the compiled simulation" + (
                f" ({n + 1} of {len(variants)})" if len(variants) > 1 else ""))
        start = time.perf_counter()
        try:
            b2.device.run(directory=str(run.build_dir), with_output=bool(progress),
                          run_args=dict(values))
        except RuntimeError as exc:           # the binary exited non-zero or was killed
            raise BrainmodelError(f"the compiled simulation failed ({exc}); its output is in "
                                  f"{run.build_dir}/results/stdout.txt") from None
        check_completed(getattr(b2.device, "_last_run_completed_fraction", 1.0),
                        "the compiled simulation")
        run_s += time.perf_counter() - start
        loop_s += float(getattr(b2.device, "_last_run_time", float("nan")))
        results.append(collect())
    # run_s: the binary's wall time (start, loading, loop, writing); loop_s: its simulation loop
    run.timings.update(run_s=run_s, loop_s=loop_s)
    return results


def compile_project(build_dir: Path) -> None:
    """``make`` in a generated project, as Brian2 would run it (its make command and
    arguments), but as a child process: Ctrl-C and SIGTERM reach Python as exceptions (Brian2's
    ``os.system`` would swallow them into a compile error), and a failed build shows the
    compiler's last lines."""
    import subprocess

    import brian2 as b2

    command = [b2.prefs.devices.cpp_standalone.make_cmd_unix,
               *b2.prefs.devices.cpp_standalone.extra_make_args_unix]
    log = build_dir / "make.log"
    with open(log, "w") as out:
        code = subprocess.call(command, cwd=build_dir, stdout=out, stderr=subprocess.STDOUT)
    if code:
        raise BrainmodelError(f"compiling the generated code failed ({' '.join(command)} exit "
                              f"{code}); the compiler's output ends with:\n"
                              f"{log.read_text()[-1500:]}")


def check_completed(fraction: float, what: str) -> None:
    """A compiled run that stopped before its end (its binary got SIGINT and stopped early, as
    Brian2's binaries do; ``fraction`` is the completed fraction of its last_run_info.txt) is
    an interruption, not a result."""
    if fraction < 1.0:
        raise KeyboardInterrupt(f"{what} stopped at {fraction:.0%} of its duration")


def release_device() -> None:
    """Back to the runtime device with default preferences (a CUDA build changes compiler ones)."""
    import brian2 as b2

    b2.device.reinit()
    b2.set_device("runtime")
    b2.prefs.reset_to_defaults()


def read_spike_files(results: Path, monitor: str) -> tuple:
    """(index, time ms) of a SpikeMonitor straight from a cpp_standalone results folder (no
    device state involved, so threads and MPI ranks can read their own folders)."""
    import numpy as np

    def one(variable, dtype):
        files = sorted(Path(results).glob(f"_dynamic_array_{monitor}_{variable}*"))
        if len(files) != 1:
            raise BrainmodelError(f"expected one spike file '{variable}' of {monitor} in "
                                  f"{results}, found {len(files)}")
        return np.fromfile(files[0], dtype=dtype)
    return one("i", np.int32).astype(np.int64), one("t", np.float64) / 0.001
