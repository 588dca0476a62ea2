"""Run configuration: typed, validated before any work, written resolved into every output folder."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path

from .devices import DEFAULT_COMPUTE_CAPABILITY
from .errors import BrainmodelError
from .stimulus import StimulusConfig


@dataclass(frozen=True)
class RunConfig:
    experiment: str = "m1-gamma"
    regions: tuple[str, ...] = ("MOp",)
    hemisphere: str = "left"
    density: float = 0.05                   # fraction of the biological cell density
    indegree: float | None = None           # fraction of the full in-degree; None: = density
    duration_ms: float = 2200.0
    dt_ms: float = 0.1
    seed: int = 1
    stimulus: StimulusConfig = field(default_factory=StimulusConfig)
    device: str = "cpp_standalone"
    threads: int = 0
    compute_capability: float = DEFAULT_COMPUTE_CAPABILITY  # cuda_standalone: GPU to compile for
    compile_only: bool = False              # stop after code generation and compilation
    output: Path | None = None
    data_dir: Path | None = None
    topography: bool = True                 # long-range projections with the flatmap kernel
    nuclei: tuple[str, ...] = ()            # non-cortical regions: thalamus, pons, cerebellum
    region_density: tuple = ()              # ((region, density fraction), ...) overrides
    members: int = 8                        # ensemble / assimilate: ensemble size
    workers: int = 2                        # members run at a time
    cycles: int = 10                        # assimilate: EnKF cycles
    ranks: int = 0                          # MPI ranks (0: one process, no MPI)
    comm_interval_ms: float | None = None   # MPI exchange interval (None: the delays' maximum)
    mjcf: Path | None = None                # cosim-forelimb: the body (None: cosim/forelimb.xml)
    column_radius_um: float = 300.0         # analysis: the stimulated column around the voxel
    analysis_start_ms: float = 300.0        # analysis window starts here (after onset transient)

    @property
    def indegree_fraction(self) -> float:
        return self.indegree if self.indegree is not None else self.density

    def validate(self) -> "RunConfig":
        def positive_finite(name, value):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise BrainmodelError(f"{name} must be a positive number, not {value!r}")

        if not 3.0 <= self.compute_capability < 20.0:
            raise BrainmodelError(f"compute capability must look like 8.0 or 9.0, not "
                                  f"{self.compute_capability!r}")
        if not 0.0 < self.density <= 1.0:
            raise BrainmodelError(f"--density must be in (0, 1], not {self.density}")
        if self.indegree is not None and not 0.0 < self.indegree <= 1.0:
            raise BrainmodelError(f"--indegree must be in (0, 1], not {self.indegree}")
        positive_finite("--duration (ms)", self.duration_ms)
        positive_finite("--dt (ms)", self.dt_ms)
        if not (math.isfinite(self.stimulus.radius_um) and self.stimulus.radius_um >= 0):
            raise BrainmodelError(f"--stim-radius must be >= 0 um, not {self.stimulus.radius_um}")
        if self.stimulus.amplitude_mv < 0:
            raise BrainmodelError("stimulus amplitude must be >= 0")
        if self.stimulus.onset_ms >= self.duration_ms:
            raise BrainmodelError(f"stimulus onset {self.stimulus.onset_ms} ms is not inside the "
                                  f"run of {self.duration_ms} ms")
        if self.analysis_start_ms >= self.duration_ms:
            raise BrainmodelError(f"the analysis window starts at {self.analysis_start_ms} ms, "
                                  f"after the end of the run ({self.duration_ms} ms)")
        if self.seed < 0:
            raise BrainmodelError(f"--seed must be >= 0, not {self.seed}")
        if not self.regions:
            raise BrainmodelError("--regions needs at least one acronym")
        for name, value, low in (("--members", self.members, 2), ("--workers", self.workers, 1),
                                 ("--cycles", self.cycles, 1)):
            if not isinstance(value, int) or value < low:
                raise BrainmodelError(f"{name} must be an integer >= {low}, not {value!r}")
        if not isinstance(self.ranks, int) or self.ranks < 0:
            raise BrainmodelError(f"--ranks must be an integer >= 0, not {self.ranks!r}")
        if self.ranks and self.device != "cpp_standalone":
            raise BrainmodelError(f"--ranks needs --device cpp_standalone (MPI ranks are "
                                  f"compiled C++), not {self.device}")
        if self.ranks and self.experiment in ("ensemble", "assimilate", "topography"):
            raise BrainmodelError(f"--ranks is not supported for the {self.experiment} "
                                  f"experiment (it runs one network several times)")
        if self.comm_interval_ms is not None:
            positive_finite("--comm-interval (ms)", self.comm_interval_ms)
        from .build_nuclei import REGION_MODULES
        unknown = [n for n in self.nuclei if n not in REGION_MODULES]
        if unknown:
            raise BrainmodelError(f"unknown region module {', '.join(unknown)}; available: "
                                  f"{', '.join(REGION_MODULES)}")
        for name, fraction in self.region_density:
            if name not in self.nuclei:
                raise BrainmodelError(f"--region-density names {name!r}, which is not among the "
                                      f"added regions ({', '.join(self.nuclei) or 'none'}; the "
                                      f"cortex uses --density)")
            if not 0.0 < fraction <= 1.0:
                raise BrainmodelError(f"--region-density {name} must be in (0, 1], not "
                                      f"{fraction}")
        return self

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["indegree_fraction"] = self.indegree_fraction
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in out.items()}


@dataclass(frozen=True)
class Experiment:
    description: str
    defaults: dict                      # RunConfig fields (stimulus fields under "stimulus")
    required_regions: tuple[str, ...] = ()


EXPERIMENTS = {
    "m1-gamma": Experiment("left MOp, DC stimulation of L2/3 in one voxel", {}),
    "motor-loop": Experiment(
        "left MOp + MOs + VAL thalamus + pons, right cerebellum (simple, ansiform, paramedian "
        "lobules, copula; dentate and interposed nuclei); DC in one MOp L2/3 voxel",
        {"regions": ("MOp", "MOs"), "nuclei": ("thalamus", "pons", "cerebellum"),
         "duration_ms": 3000.0}, required_regions=("MOp",)),
    "agranular-bg-cb": Experiment(
        "left agranular motor cortex (MOp + MOs), striatum (CP), pallidum (GPe) and pons, right "
        "cerebellum; DC in one MOp L2/3 voxel; voxel rate map",
        {"regions": ("MOp", "MOs"), "nuclei": ("striatum", "pallidum", "pons", "cerebellum"),
         "duration_ms": 1500.0}, required_regions=("MOp",)),
    "ensemble": Experiment(
        "members of one compiled bihemispheric cortex that differ by seed and per-area "
        "background; throughput",
        {"regions": ("Isocortex",), "hemisphere": "both", "density": 0.02, "duration_ms": 1000.0,
         "topography": False, "members": 4, "stimulus": {"region": "MOp"}}),
    "assimilate": Experiment(
        "EnKF: recover hidden per-area background factors of MOp + MOs from their rates",
        {"regions": ("MOp", "MOs"), "density": 0.02, "duration_ms": 400.0, "topography": False,
         "analysis_start_ms": 100.0, "members": 16, "cycles": 10}),
    "topography": Experiment(
        "left MOp + MOs + SSp + SSs, three DC sites along the rostro-caudal axis of MOp",
        {"regions": ("MOp", "MOs", "SSp", "SSs"), "duration_ms": 1000.0,
         "stimulus": {"radius_um": 300.0}},
        required_regions=("MOp",)),
    "cosim-forelimb": Experiment(
        "left MOp + SSp-ul with a MuJoCo forelimb on its own MPI rank: PT cells of the MOp "
        "forelimb area drive 8 muscles, spindle afferents feed back to SSp-ul L4; runs with the "
        "brain output cut and without feedback as controls",
        {"regions": ("MOp", "SSp-ul"), "duration_ms": 1000.0, "analysis_start_ms": 100.0,
         "stimulus": {"layer": "L5B", "radius_um": 300.0, "onset_ms": 400.0}},
        required_regions=("MOp",)),
    "bihemispheric-cortex": Experiment(
        "whole isocortex, both hemispheres, callosal projections, DC in left MOp L2/3",
        # homogeneous long-range pairs: the topographic kernel's voxel-block enumeration grows
        # with the square of the voxel count (about 1e10 blocks for the whole isocortex)
        {"regions": ("Isocortex",), "hemisphere": "both", "density": 0.02, "duration_ms": 1000.0,
         "topography": False, "stimulus": {"region": "MOp"}}),
}


def configure(experiment: str = "m1-gamma", stimulus: dict | None = None, **overrides):
    """The RunConfig of a named experiment: its defaults, then ``overrides`` (RunConfig fields)
    and ``stimulus`` (StimulusConfig fields)."""
    if experiment not in EXPERIMENTS:
        raise BrainmodelError(f"unknown experiment {experiment!r}; available: "
                              f"{', '.join(EXPERIMENTS)}")
    defaults = dict(EXPERIMENTS[experiment].defaults)
    stimulus_fields = {**defaults.pop("stimulus", {}), **(stimulus or {})}
    return RunConfig(**{**defaults, **overrides, "experiment": experiment,
                        "stimulus": StimulusConfig(**stimulus_fields)})
