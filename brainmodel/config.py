"""Run configuration: typed, validated before any work, written resolved into every output folder.

The first stage: nothing here imports another stage. ``RunConfig.validate`` checks what holds for
every experiment; an experiment's own rules are its plug-in's ``check``
(``brainmodel.experiments``), and the public ``brainmodel.configure`` applies both."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path

from regions import NUCLEUS_REGIONS

from .errors import BrainmodelError

DEVICES = ("runtime", "cpp_standalone", "cuda_standalone", "genn")
# spike delivery: brainmodel.simulation.delivery (compact, one cpp_standalone process) or Brian2
# Synapses objects; auto: compact where it applies
DELIVERIES = ("auto", "compact", "synapses")
DEFAULT_COMPUTE_CAPABILITY = 9.0        # NVIDIA H100 / H200, the GPUs lent to this project


@dataclass(frozen=True)
class StimulusConfig:
    """The DC stimulus as the user asks for it (``brainmodel.model.stimulus`` resolves it on the
    atlas). Amplitude in the Izhikevich model's current units (mV/ms, written mV)."""
    layer: str = "L2/3"
    region: str | None = None               # area of the default voxel (None: first region)
    voxel: tuple[int, int, int] | None = None
    coordinate_um: tuple[float, float, float] | None = None
    onset_ms: float = 200.0
    offset_ms: float | None = None          # None: until the end of the run
    amplitude_mv: float = 35.0
    radius_um: float = 0.0                  # > 0: the layer's cells within this tangential
                                            # distance of the voxel (a site, not one voxel)


def check_device(name: str, threads: int) -> None:
    """Known device and thread count; genn is refused with the reason."""
    if name not in DEVICES:
        raise BrainmodelError(f"unknown device {name!r}; choose one of {', '.join(DEVICES)}")
    if name == "genn":
        raise BrainmodelError(
            "device genn (brian2genn) is not supported: GeNN is not installable from any package "
            "registry available here, and GeNN forbids heterogeneous synaptic delays, which this "
            "model uses (delays grow with distance). Use --device cpp_standalone")
    if threads < 0:
        raise BrainmodelError(f"threads must be >= 0, not {threads}")


@dataclass(frozen=True)
class RunConfig:
    experiment: str = "m1-gamma"
    regions: tuple[str, ...] = ("MOp",)
    hemisphere: str = "left"
    density: float = 0.2                    # fraction of the biological cell density
    indegree: float | None = None           # fraction of the full in-degree; None: = density
    duration_ms: float = 2200.0
    dt_ms: float = 0.1
    seed: int = 1
    stimulus: StimulusConfig = field(default_factory=StimulusConfig)
    device: str = "cpp_standalone"
    threads: int = 0
    delivery: str = "auto"                  # DELIVERIES
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
    def compact_delivery(self) -> bool:
        """Whether the run's synapses go through brainmodel.simulation.delivery."""
        return self.delivery != "synapses" and self.device == "cpp_standalone" and not self.ranks

    @property
    def indegree_fraction(self) -> float:
        return self.indegree if self.indegree is not None else self.density

    def validate(self) -> "RunConfig":
        """Checks that need no data and no experiment; returns self."""
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
        check_device(self.device, self.threads)
        if self.delivery not in DELIVERIES:
            raise BrainmodelError(f"--delivery must be one of {', '.join(DELIVERIES)}, not "
                                  f"{self.delivery!r}")
        if self.delivery == "compact" and not self.compact_delivery:
            raise BrainmodelError("--delivery compact needs --device cpp_standalone in one "
                                  "process (no --ranks); MPI ranks, runtime and CUDA builds use "
                                  "Brian2 Synapses (--delivery synapses)")
        if self.comm_interval_ms is not None:
            positive_finite("--comm-interval (ms)", self.comm_interval_ms)
        unknown = [n for n in self.nuclei if n not in NUCLEUS_REGIONS]
        if unknown:
            raise BrainmodelError(f"unknown region module {', '.join(unknown)}; available: "
                                  f"{', '.join(NUCLEUS_REGIONS)}")
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
