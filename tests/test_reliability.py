"""Interrupts, faults and unwritable outputs, as a user meets them through the command line:
a clear message, the documented exit status, no output folder and no temporary files left."""
import os
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pytest

from brainmodel import cli, outputs

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--density", "0.01", "--analysis-start", "100"]
SMALL_LOOP = ["--experiment", "motor-loop", "--density", "0.01", "--region-density",
              "cerebellum=0.002", "--analysis-start", "100", "--no-topography"]


def _start(args, tmp_path, data_dir):
    """The CLI in its own session (so that a signal to its group is a terminal's Ctrl-C), with
    TMPDIR in the test folder so that leftovers can be seen."""
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env = dict(os.environ, BRAINMODEL_DATA=str(data_dir), TMPDIR=str(tmp_path / "tmp"))
    return subprocess.Popen([sys.executable, "-u", str(ROOT / "run.py"), *args, "--output",
                             str(tmp_path / "out")], stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)


def _wait_for(process, text, timeout=300.0):
    """Read the CLI's stderr until a line contains ``text``; returns everything read."""
    seen, start = [], time.monotonic()
    for line in process.stderr:
        seen.append(line)
        if text in line:
            return "".join(seen)
        if time.monotonic() - start > timeout:
            break
    process.kill()
    raise AssertionError(f"never printed {text!r}:\n{''.join(seen)[-2000:]}")


def _finish(process, seen, timeout=120):
    rest = process.communicate(timeout=timeout)[1]
    return process.returncode, seen + rest


def _leftovers(tmp_path):
    """Anything a run may leave: the output folder, its temporary twin, build folders, Brian2's
    debug log and script copies."""
    found = [p.name for p in tmp_path.iterdir() if p.name != "tmp"]
    found += [p.name for p in (tmp_path / "tmp").iterdir()]
    return found


def _processes_in(folder: Path) -> list[str]:
    """Processes whose working directory is inside ``folder`` (members, ranks, compilers)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(folder) in os.readlink(proc / "cwd"):
                found.append((proc / "cmdline").read_text().replace("\0", " "))
        except OSError:
            continue
    return found


ENSEMBLE = ["--experiment", "ensemble", "--regions", "MOp", "--hemisphere", "left", "--density",
            "0.01", "--duration", "20000", "--analysis-start", "100", "--members", "2"]
# (arguments, the progress line after which the signal comes, seconds after it, the signal and
# to whom: the process group as a terminal's Ctrl-C does, or Python alone as a scheduler does)
INTERRUPTS = {
    # 1 s after the message: a warm compiler cache compiles this network in 2.5 s, and 3 s
    # could land after both runs had ended
    "ctrl-c-during-compilation": (SMALL + ["--duration", "1000"], "generating and compiling",
                                  1.0, signal.SIGINT, "group"),
    "ctrl-c-during-the-compiled-run": (SMALL + ["--duration", "20000"],
                                       "running the compiled simulation", 2.0, signal.SIGINT,
                                       "group"),
    "sigterm-during-the-compiled-run": (SMALL + ["--duration", "20000"],
                                        "running the compiled simulation", 2.0, signal.SIGTERM,
                                        "python"),
    "ctrl-c-during-ensemble-members": (ENSEMBLE, "ensemble: 2 members", 3.0, signal.SIGINT,
                                       "group"),
    "ctrl-c-during-mpi-ranks": (SMALL_LOOP + ["--duration", "20000", "--ranks", "2"],
                                "mpi: running 2 ranks", 3.0, signal.SIGINT, "group"),
}
EXPECTED = {signal.SIGINT: (130, "brainmodel: interrupted"),
            signal.SIGTERM: (143, "brainmodel: terminated")}


@pytest.mark.standalone
@pytest.mark.parametrize("name", INTERRUPTS)
def test_an_interrupt_ends_the_run_and_leaves_nothing(tmp_path, data_dir, name):
    args, started, delay, signum, target = INTERRUPTS[name]
    process = _start(args, tmp_path, data_dir)
    seen = _wait_for(process, started)
    time.sleep(delay)
    if target == "group":
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    code, text = _finish(process, seen)
    status, message = EXPECTED[signum]
    assert code == status, text
    assert message in text and "Traceback" not in text and "please report" not in text, text
    assert _leftovers(tmp_path) == []
    assert _processes_in(tmp_path) == []               # no binary, member or rank still running


@pytest.mark.standalone
def test_an_externally_killed_rank_is_named(tmp_path, data_dir):
    process = _start(SMALL_LOOP + ["--duration", "3000", "--ranks", "2"], tmp_path, data_dir)
    seen = _wait_for(process, "mpi: running 2 ranks")
    pid_file = None
    for _ in range(600):
        found = list((tmp_path / "tmp").glob("brainmodel-build-*/rank1/results/main.pid"))
        if found and found[0].read_text().strip():
            pid_file = found[0]
            break
        time.sleep(0.1)
    assert pid_file is not None, seen
    time.sleep(1.0)
    killed_at = time.monotonic()
    os.kill(int(pid_file.read_text()), signal.SIGKILL)
    code, text = _finish(process, seen)
    assert time.monotonic() - killed_at < 60
    assert code == 2, text
    assert "mpi: rank 1 failed: killed by signal 9 (SIGKILL)" in text, text
    assert "Traceback" not in text
    assert _leftovers(tmp_path) == []


def test_unwritable_output_is_a_clear_error_before_building(tmp_path, data_dir):
    env = dict(os.environ, BRAINMODEL_DATA=str(data_dir))
    result = subprocess.run([sys.executable, str(ROOT / "run.py"), "--output",
                             "/proc/brainmodel-test/out"], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "brainmodel: error: cannot" in result.stderr and "Traceback" not in result.stderr
    assert "placement:" not in result.stderr                  # refused before the build


def test_too_many_ranks_are_refused_before_building(tmp_path, data_dir):
    env = dict(os.environ, BRAINMODEL_DATA=str(data_dir))
    result = subprocess.run([sys.executable, str(ROOT / "run.py"), *SMALL_LOOP, "--ranks", "99",
                             "--output", str(tmp_path / "out")], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "99 ranks but the model has only 5 partitions" in result.stderr
    assert "placement:" not in result.stderr                  # refused before the build
    assert not (tmp_path / "out").exists()


# the dropped KeyboardInterrupt is what this test makes happen; pytest reports it as a warning
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_interrupt_that_python_drops_still_leaves_no_output(tmp_path):
    """A KeyboardInterrupt raised inside a weakref callback is printed and dropped by Python;
    the CLI's SIGINT handler remembers it, and the output folder is then not renamed."""
    recorder = cli.InterruptRecorder()

    class Table:
        pass

    final = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt, match="while the run was ending"):
        with outputs.atomic_output_dir(final, interrupted=lambda: recorder.seen) as out:
            (out / "summary.json").write_text("{}")
            table = Table()
            reference = weakref.ref(table, lambda ref: recorder(signal.SIGINT, None))
            del table                               # the callback's KeyboardInterrupt is dropped
            assert reference() is None and recorder.seen
    assert list(tmp_path.iterdir()) == []


def test_without_an_interrupt_the_output_folder_is_renamed(tmp_path):
    with outputs.atomic_output_dir(tmp_path / "out", interrupted=lambda: False) as out:
        (out / "summary.json").write_text("{}")
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert (tmp_path / "out" / "summary.json").read_text() == "{}"
