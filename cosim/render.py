"""Offscreen frames of a recorded forelimb trajectory (run by ``cosim.body.render_frames`` in a
child process with MUJOCO_GL set):

    python -m cosim.render MJCF ANGLES.npy OUT_DIR

ANGLES.npy: (frames, joints) joint angles in degrees, in the order of ``cosim.protocol.JOINTS``.
"""
import sys
from pathlib import Path

import numpy as np

from .body import load_model
from .protocol import JOINTS


def main(argv=None) -> None:
    mjcf, angles_path, out_dir = (argv or sys.argv[1:])
    import mujoco       # after MUJOCO_GL is set in this child process's environment
    from matplotlib.image import imsave

    model = load_model(mjcf)
    data = mujoco.MjData(model)
    renderer = mujoco.Renderer(model, 240, 320)
    qpos_index = [model.jnt_qposadr[model.joint(j).id] for j in JOINTS]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for n, angles in enumerate(np.load(angles_path)):
        data.qpos[qpos_index] = np.radians(angles)
        mujoco.mj_forward(model, data)
        renderer.update_scene(data, camera="side")
        imsave(out / f"frame_{n:03d}.png", renderer.render())
    renderer.close()


if __name__ == "__main__":
    main()
