"""The MuJoCo forelimb: loading and checking an MJCF, stepping it under muscle excitation, and
reading back what the spindles sense. Used by the body rank and, for replay and rendering, by the
experiment."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from brainmodel.errors import BrainmodelError

from .protocol import JOINTS, MUSCLES

DEFAULT_MJCF = Path(__file__).with_name("forelimb.xml")
MARKERS = ("scapula", "humerus", "forearm", "manus")     # bodies whose origins draw the limb
PAW_SITE = "paw_tip"


def import_mujoco():
    try:
        import mujoco
    except ImportError as error:
        raise BrainmodelError("the co-simulation needs MuJoCo: install the cosim extra "
                              "(pip install -e '.[cosim]'; setup.sh does)") from error
    return mujoco


def load_model(path: Path | str | None = None, muscles=MUSCLES, joints=JOINTS):
    """The compiled MjModel of ``path`` (default: cosim/forelimb.xml). Errors name the file: it
    is missing, MuJoCo cannot compile it, or its muscles or joints do not match the mapping."""
    mujoco = import_mujoco()
    path = Path(path) if path is not None else DEFAULT_MJCF
    if not path.is_file():
        raise BrainmodelError(f"MJCF file {path} not found (give --mjcf PATH, or leave it out "
                              f"for the built-in forelimb {DEFAULT_MJCF})")
    try:
        model = mujoco.MjModel.from_xml_path(str(path))
    except ValueError as error:
        raise BrainmodelError(f"MJCF file {path} is not a valid MuJoCo model: "
                              f"{str(error).strip()}") from None
    names = [model.actuator(i).name for i in range(model.nu)]
    not_muscle = [n for i, n in enumerate(names)
                  if model.actuator_dyntype[i] != mujoco.mjtDyn.mjDYN_MUSCLE]
    missing = [m for m in muscles if m not in names]
    extra = [n for n in names if n not in muscles]
    if missing or extra or not_muscle:
        raise BrainmodelError(
            f"the muscles of {path} do not match the spike-to-muscle mapping "
            f"({', '.join(muscles)}): "
            + "; ".join(part for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"not in the mapping: {', '.join(extra)}" if extra else "",
                f"not <muscle> actuators: {', '.join(not_muscle)}" if not_muscle else "")
                if part))
    joint_names = [model.joint(k).name for k in range(model.njnt)]
    missing_joints = [j for j in joints if j not in joint_names]
    if missing_joints:
        raise BrainmodelError(f"MJCF file {path} lacks the joints {', '.join(missing_joints)}")
    return model


class Forelimb:
    """One MuJoCo forelimb. ``step`` holds the excitation fixed over a number of physics steps;
    ``sense`` returns relative stretch and velocity per muscle (against the resting lengths
    recorded by ``settle``)."""

    def __init__(self, path: Path | str | None = None, muscles=MUSCLES):
        self.mujoco = import_mujoco()
        self.model = load_model(path, muscles)
        self.data = self.mujoco.MjData(self.model)
        self.actuator = np.array([self.model.actuator(m).id for m in muscles])
        self.joint_qpos = np.array([self.model.jnt_qposadr[self.model.joint(j).id]
                                    for j in JOINTS])
        self.marker_body = np.array([self.model.body(b).id for b in MARKERS])
        self.paw_site = self.model.site(PAW_SITE).id
        self.rest_length = None

    @property
    def timestep_ms(self) -> float:
        return float(self.model.opt.timestep) * 1000.0

    def settle(self, duration_ms: float) -> None:
        """Run without excitation to the resting posture; record the resting muscle lengths."""
        self.step(np.zeros(len(self.actuator)), int(round(duration_ms / self.timestep_ms)))
        self.rest_length = self.data.actuator_length[self.actuator].copy()

    def step(self, excitation: np.ndarray, n_steps: int) -> None:
        self.data.ctrl[self.actuator] = np.clip(excitation, 0.0, 1.0)
        for _ in range(n_steps):
            self.mujoco.mj_step(self.model, self.data)

    def sense(self) -> tuple[np.ndarray, np.ndarray]:
        length = self.data.actuator_length[self.actuator]
        velocity = self.data.actuator_velocity[self.actuator]
        return length / self.rest_length - 1.0, velocity / self.rest_length

    def joint_angles_deg(self) -> np.ndarray:
        return np.degrees(self.data.qpos[self.joint_qpos])

    def activation(self) -> np.ndarray:
        return self.data.act[self.model.actuator_actadr[self.actuator]].copy()

    def markers_mm(self) -> np.ndarray:
        """Positions (mm) of the shoulder, elbow, wrist and paw tip: the limb as a stick figure."""
        points = [self.data.xpos[b] for b in self.marker_body[1:]] + [
            self.data.site_xpos[self.paw_site]]
        return np.array(points) * 1000.0


def render_frames(path: Path | str | None, qpos_deg: np.ndarray, every: int,
                  out_dir: Path) -> tuple[list[Path], str]:
    """PNG frames of a recorded joint trajectory, rendered offscreen in a child process with
    MUJOCO_GL=egl, else osmesa (``cosim.render``; a child, because MuJoCo picks its OpenGL
    backend once per process). Returns (frames, what happened): no frames where neither backend
    can make a context (the plots still show the motion)."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        angles = Path(scratch) / "angles.npy"
        np.save(angles, np.asarray(qpos_deg)[::every])
        failures = []
        for backend in ("egl", "osmesa"):
            done = subprocess.run(
                [sys.executable, "-m", "cosim.render", str(path or DEFAULT_MJCF), str(angles),
                 str(out_dir)], capture_output=True, text=True,
                env={**os.environ, "MUJOCO_GL": backend,
                     "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
            if done.returncode == 0:
                return sorted(out_dir.glob("frame_*.png")), f"rendered with MUJOCO_GL={backend}"
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            failures.append(f"{backend}: {last[:160]}")
    return [], "no offscreen rendering (" + "; ".join(failures) + ")"
