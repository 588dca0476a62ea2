"""MPI-partitioned runs: partition rules, rank invariance of the spikes, faults, bad input."""
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import brainmodel as bm
from brainmodel import configure
from brainmodel import sonata
from brainmodel.errors import BrainmodelError
from brainmodel.simulation.mpi import launch as mpi_launch
from brainmodel.simulation.mpi import partition
from brainmodel.simulation.mpi import ranks as mpi_ranks

ROOT = Path(__file__).resolve().parents[1]
# motor-loop, small: 38,082 cells, 0.56 M synapses, 5 partitions (MOp, MOs, thalamus, pons,
# cerebellum); 300 ms
SMALL_LOOP = dict(density=0.01, region_density=(("cerebellum", 0.002),), duration_ms=300.0,
                  analysis_start_ms=100.0)


def _toy_model(delays_ms):
    """Four cortical units of 10 cells (A/left, B/left, C/left, D/left) and one edge table."""
    cells = SimpleNamespace(region=np.repeat(list("ABCD"), 10), hemisphere=np.full(40, "left"))
    pre = np.array([0, 10, 20, 30, 5])
    post = np.array([10, 20, 30, 0, 6])
    table = SimpleNamespace(pre=pre, post=post, delay_ms=np.asarray(delays_ms, float))
    return SimpleNamespace(cells=cells, edges=(table,), n_cortex=None)


def test_partition_assigns_whole_units_and_takes_the_interval_from_cross_delays():
    model = _toy_model([2.0, 1.5, 3.0, 2.5, 0.2])      # the 0.2 ms edge stays inside unit A
    part = partition.partition(model, 2, dt_ms=0.1)
    assert part.n_ranks == 2 and sorted(set(part.units.values())) == [0, 1]
    for unit, rank in part.units.items():
        members = np.flatnonzero(model.cells.region == unit.split("/")[0])
        assert set(part.rank_of_cell[members]) == {rank}
    crossing = part.rank_of_cell[model.edges[0].pre] != part.rank_of_cell[model.edges[0].post]
    assert part.min_cross_delay_ms == model.edges[0].delay_ms[crossing].min()
    assert part.interval_steps == int(np.floor(part.min_cross_delay_ms / 0.1 + 1e-9))
    assert sorted(np.bincount(part.rank_of_cell)) == [20, 20]     # equal units: balanced


def test_partition_errors():
    with pytest.raises(BrainmodelError, match="only 4 partitions"):
        partition.partition(_toy_model([2.0] * 5), 5, dt_ms=0.1)
    with pytest.raises(BrainmodelError, match="shorter than one time step"):
        partition.partition(_toy_model([0.05, 2, 2, 2, 2]), 4, dt_ms=0.1)
    with pytest.raises(BrainmodelError, match="longer than the shortest delay"):
        partition.partition(_toy_model([1.0, 2, 2, 2, 2]), 4, dt_ms=0.1, interval_ms=1.5)
    with pytest.raises(BrainmodelError, match="multiple of the time step"):
        partition.partition(_toy_model([1.0, 2, 2, 2, 2]), 4, dt_ms=0.1, interval_ms=0.25)


def test_a_failing_rank_build_is_named(tmp_path):
    builds = []
    for rank, rule in enumerate(("\\ttrue", "\\tfalse")):
        folder = tmp_path / f"rank{rank}"
        folder.mkdir()
        (folder / "makefile").write_text(f"all:\n{rule}\n".replace("\\t", "\t"))
        builds.append(mpi_ranks.RankBuild(rank, folder, np.arange(3), 0, 0))
    with pytest.raises(BrainmodelError, match="build of rank 1 failed"):
        mpi_ranks.compile_ranks(builds, Path("mpicxx"), progress=lambda m: None)


def test_missing_mpirun_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BrainmodelError, match="mpirun not found.*mpi extra"):
        mpi_ranks.mpi_tool("mpirun")


def _spikes(folder):
    return sonata.read_spikes(folder / "spikes.h5")


@pytest.mark.standalone
def test_motor_loop_spikes_do_not_depend_on_the_number_of_ranks(tmp_path):
    single = bm.run(configure("motor-loop", output=tmp_path / "single", **SMALL_LOOP),
                    progress=lambda m: None).output
    ids, times = _spikes(single)
    assert len(ids) > 10000
    assert len(np.unique(ids)) > 1000
    for ranks in (2, 3):
        folder = bm.run(configure("motor-loop", output=tmp_path / f"ranks{ranks}",
                                  ranks=ranks, **SMALL_LOOP), progress=lambda m: None).output
        mpi_ids, mpi_times = _spikes(folder)
        np.testing.assert_array_equal(mpi_ids, ids, err_msg=f"{ranks} ranks")
        np.testing.assert_array_equal(mpi_times, times, err_msg=f"{ranks} ranks")
        timings = __import__("json").loads((folder / "timings.json").read_text())
        assert timings["mpi_ranks"] == ranks and len(timings["mpi_per_rank"]) == ranks


@pytest.mark.standalone
def test_a_killed_rank_ends_the_job_with_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv("BRAINMODEL_MPI_FAULT", "1:500")
    out = tmp_path / "killed"
    start = time.perf_counter()
    with pytest.raises(BrainmodelError, match="rank 1") as error:
        bm.run(configure("motor-loop", output=out, ranks=2, **SMALL_LOOP),
               progress=lambda m: None)
    assert "mpirun exit" in str(error.value)
    assert not out.exists() and not list(tmp_path.glob(".killed*"))
    assert time.perf_counter() - start < 300


def test_cli_refuses_more_ranks_than_partitions_and_leaves_no_folder(tmp_path, data_dir):
    out = tmp_path / "too-many"
    result = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "--experiment", "motor-loop", "--density", "0.01",
         "--region-density", "cerebellum=0.002", "--duration", "300", "--analysis-start", "100", "--ranks", "6",
         "--output", str(out)], capture_output=True, text=True,
        env=dict(os.environ, BRAINMODEL_DATA=str(data_dir)))
    assert result.returncode != 0
    assert "6 ranks but the model has only 5 partitions" in result.stderr
    assert not out.exists() and not list(tmp_path.glob(".too-many*"))


def test_failed_rank_message_names_the_rank():
    text = ("prterun noticed that process rank 2 with PID 123 on node x exited on signal 9 "
            "(Killed).\n")
    assert mpi_launch.failed_rank_message(text).startswith("rank 2 failed")
