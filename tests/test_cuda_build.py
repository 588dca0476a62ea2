"""cuda_standalone without a GPU: code generation and nvcc compilation of a small real model."""
import json

import pytest

from brainmodel.config import RunConfig
import brainmodel as bm

pytestmark = pytest.mark.standalone


def test_small_model_compiles_for_cuda(tmp_path, data_dir):
    config = RunConfig(density=0.01, duration_ms=500.0, device="cuda_standalone",
                       compile_only=True, output=tmp_path / "cuda", data_dir=data_dir)
    folder = bm.run(config, progress=lambda m: None, keep_build=True).output
    binary = folder / "build" / "main"
    assert binary.is_file(), "nvcc produced no executable"
    assert (folder / "build" / "code_objects").is_dir()
    timings = json.loads((folder / "timings.json").read_text())
    assert timings["codegen_compile_s"] > 0 and timings["n_synapses"] > 10_000
    assert not (folder / "spikes.h5").exists()      # compiled, not run
    assert json.loads((folder / "config.json").read_text())["compute_capability"] == 9.0
