"""Bad input: a clear message, exit status 2, and no output folder left behind."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_cli(args, tmp_path, env_data=True):
    env = dict(os.environ)
    if not env_data:
        env.pop("BRAINMODEL_DATA", None)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(ROOT / "run.py"), "--output", str(out), *args],
                          capture_output=True, text=True, env=env, timeout=300)
    leftovers = [p.name for p in tmp_path.iterdir()]
    return proc, leftovers


@pytest.mark.parametrize("args, message", [
    (["--regions", "MOq"], "unknown region acronym 'MOq'"),
    (["--regions", "CP"], "not an isocortical area"),
    (["--density", "0"], "--density must be in (0, 1]"),
    (["--density", "1.5"], "--density must be in (0, 1]"),
    (["--duration", "0"], "--duration (ms) must be a positive number"),
    (["--duration", "-5"], "--duration (ms) must be a positive number"),
    (["--stim-voxel", "10,10,100"], "outside the selected regions"),
    (["--stim-voxel", "40,12,45"], "outside the selected regions"),
    (["--experiment", "nope"], "unknown experiment 'nope'"),
    (["--experiment", "topography", "--regions", "MOs,MOp"], "needs MOp as the first"),
    (["--stim-radius", "-1"], "--stim-radius must be >= 0"),
    (["--nuclei", "hippocampus"], "unknown region module hippocampus"),
    (["--experiment", "motor-loop", "--region-density", "pons=x"], "expects REGION=FRACTION"),
    (["--experiment", "motor-loop", "--regions", "MOs"], "needs MOp as the first"),
    (["--regions", "MOp,SSp", "--stim-region", "VISp"], "stimulus region 'VISp' is not among"),
    (["--device", "genn"], "GeNN forbids heterogeneous synaptic delays"),
    (["--device", "cuda_standalone", "--cuda-cc", "1.0"], "compute capability"),
    (["--experiment", "cosim-forelimb", "--device", "runtime"], "needs --device cpp_standalone"),
    (["--experiment", "cosim-forelimb", "--compile-only"], "--compile-only is not supported"),
    (["--hemisphere", "middle"], "hemisphere must be one of"),
])
def test_bad_input(tmp_path, args, message):
    proc, leftovers = run_cli(args, tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert leftovers == []


def test_stimulus_voxel_in_wrong_layer(tmp_path, left_mop):
    row = int(list(left_mop.layer).index("L6a"))
    voxel = ",".join(str(v) for v in left_mop.ijk[row])
    proc, leftovers = run_cli(["--stim-voxel", voxel], tmp_path)
    assert proc.returncode == 2 and "not in the stimulated layer L2/3" in proc.stderr
    assert leftovers == []


def test_missing_data_directory(tmp_path):
    proc, leftovers = run_cli(["--data-dir", str(tmp_path / "nowhere")], tmp_path)
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    proc, _ = run_cli([], tmp_path, env_data=False)
    assert proc.returncode == 2 and "BRAINMODEL_DATA" in proc.stderr
    assert leftovers == []


def test_missing_data_file(tmp_path, data_dir):
    partial = tmp_path / "data"
    (partial / "allen_structure_ontology").mkdir(parents=True)
    os.symlink(data_dir / "allen_structure_ontology" / "structure_graph_1.json",
               partial / "allen_structure_ontology" / "structure_graph_1.json")
    proc, leftovers = run_cli(["--data-dir", str(partial)], tmp_path)
    assert proc.returncode == 2
    assert "missing data file" in proc.stderr and "annotation_100.nrrd" in proc.stderr
    assert "fetch" in proc.stderr
    assert sorted(leftovers) == ["data"]


def test_missing_connectome_file(tmp_path, data_dir):
    """A multi-area run needs the Knox 2019 matrix: without it, an error naming the file."""
    partial = tmp_path / "data"
    partial.mkdir()
    for folder in ("allen_ccf_2017_annotation", "allen_structure_ontology", "cell_densities",
                   "layer_thickness", "mcmodels_cortical_coordinates"):
        os.symlink(data_dir / folder, partial / folder)
    proc, leftovers = run_cli(["--data-dir", str(partial), "--regions", "MOp,MOs"], tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "homogeneous-standard-model.csv" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(leftovers) == ["data"]


def test_help_is_instant():
    proc = subprocess.run([sys.executable, str(ROOT / "run.py"), "--help"], capture_output=True,
                          text=True, timeout=20)
    assert proc.returncode == 0 and "--stim-voxel" in proc.stdout
