"""Data directory: where the Allen and literature files live, their checksums, and ``fetch``.

The directory comes from ``--data-dir`` or the ``BRAINMODEL_DATA`` environment variable and has
one folder per dataset (the layout of the project's shared data folder). Files are read in place,
never copied. ``fetch`` downloads the Allen originals that the Allen servers publish (CCF v3 2017
annotation at 25 um, structure graph 1) into a cache for users who are online; the 100 um
annotation is derived from the 25 um file by exact subsampling ``[::4, ::4, ::4]`` (identical to
the 10 um file's ``[::10, ::10, ::10]``, Wang et al. 2020 CCF v3).

allensdk is not used: it pins numpy 1.23 and has no Python 3.12 wheels.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..errors import BrainmodelError

ENV_VAR = "BRAINMODEL_DATA"


@dataclass(frozen=True)
class DataFile:
    relpath: str
    sha256: str | None
    how_to_get: str


ANNOTATION = {
    100: DataFile("allen_ccf_2017_annotation/annotation_100.nrrd",
                  "292ee213748a36f3cb82b24272ad12a487517040028ae0d045939f8c08e09a1b",
                  "run `python run.py fetch` (derives it from Allen's annotation_25.nrrd)"),
    50: DataFile("allen_ccf_2017_annotation/annotation_50.nrrd",
                 "be4e200a169e7e1fc44de28e59d71a798b9bc48dbf120d28529fccfcb3f61689",
                 "run `python run.py fetch` (derives it from Allen's annotation_25.nrrd)"),
    25: DataFile("allen_ccf_2017_annotation/annotation_25.nrrd",
                 "c620cbcc562183e4dcd40250d440130501781f74b41de35b1c1bdabace290c42",
                 "run `python run.py fetch` (downloads it from the Allen Institute)"),
}
ONTOLOGY = DataFile("allen_structure_ontology/structure_graph_1.json",
                    "b5f0d024d1df09ee18aef15093f55240f4a70b3924ee9689add612dadff80386",
                    "run `python run.py fetch` (downloads Allen structure graph 1)")
KIM2017_DENSITIES = DataFile(
    "cell_densities/kim2017_mmc3_cell_densities_per_mm3.csv",
    "d72b6d8b10a4f4d8602d9516c9c3f5796adb88849b4ecaf88e40476c426f742a",
    "export sheet 1 of Kim et al. 2017 (Cell 171:456) supplementary table mmc3 as CSV "
    "(doi:10.1016/j.cell.2017.09.020); not served by the Allen Institute, so `fetch` cannot get it")

ALLEN_URLS = {
    "allen_ccf_2017_annotation/annotation_25.nrrd":
        "https://download.alleninstitute.org/informatics-archive/current-release/"
        "mouse_ccf/annotation/ccf_2017/annotation_25.nrrd",
    "allen_structure_ontology/structure_graph_1.json":
        "https://api.brain-map.org/api/v2/structure_graph_download/1.json",
}


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "brainmodel" / "data"


def resolve_data_dir(cli_value: str | os.PathLike | None = None) -> Path:
    """The data directory from the CLI flag, else ``BRAINMODEL_DATA``; a clear error otherwise."""
    value = cli_value if cli_value is not None else os.environ.get(ENV_VAR)
    if not value:
        raise BrainmodelError(
            f"no data directory: pass --data-dir DIR or set {ENV_VAR}=DIR "
            f"(in this repository's checkout: {ENV_VAR}=../shared/data; online users: "
            f"`python run.py fetch` then {ENV_VAR}={default_cache_dir()})")
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise BrainmodelError(f"data directory {path} does not exist (from "
                              f"{'--data-dir' if cli_value is not None else ENV_VAR})")
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def require(data_dir: Path, item: DataFile, verify: bool = True) -> Path:
    """Path of a needed file; stops with the missing file's name and how to get it."""
    path = Path(data_dir) / item.relpath
    if not path.is_file():
        raise BrainmodelError(f"missing data file {path}: {item.how_to_get}")
    if verify and item.sha256 is not None and sha256_of(path) != item.sha256:
        raise BrainmodelError(f"checksum mismatch for {path} (expected sha256 {item.sha256}); "
                              f"the file is damaged or a different version: {item.how_to_get}")
    return path


def _download(url: str, target: Path, expected_sha256: str | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        tmp_path = Path(tmp.name)
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                shutil.copyfileobj(response, tmp)
        except (urllib.error.URLError, OSError) as exc:
            tmp_path.unlink(missing_ok=True)
            raise BrainmodelError(f"could not download {url}: {exc}. `fetch` needs internet "
                                  f"access; offline, point {ENV_VAR} at a copy of the data") from exc
    if expected_sha256 is not None and sha256_of(tmp_path) != expected_sha256:
        tmp_path.unlink(missing_ok=True)
        raise BrainmodelError(f"downloaded {url} but its sha256 is not {expected_sha256}")
    tmp_path.replace(target)


def fetch(cache_dir: Path | None = None, progress=print) -> Path:
    """Download the Allen originals into ``cache_dir`` and derive the 50/100 um annotations."""
    import nrrd

    cache_dir = Path(cache_dir or default_cache_dir())
    for relpath, url in ALLEN_URLS.items():
        target = cache_dir / relpath
        known = {ANNOTATION[25].relpath: ANNOTATION[25].sha256}.get(relpath)
        if target.is_file():
            progress(f"have {target}")
            continue
        progress(f"downloading {url}")
        _download(url, target, known)
    volume, header = nrrd.read(str(cache_dir / ANNOTATION[25].relpath))
    for resolution, step in ((50, 2), (100, 4)):
        target = cache_dir / ANNOTATION[resolution].relpath
        if not target.is_file():
            progress(f"deriving {target} = annotation_25[::{step}, ::{step}, ::{step}]")
            sub = volume[::step, ::step, ::step]
            sub_header = {"space": header.get("space", "left-posterior-superior"),
                          "space directions": [[resolution, 0, 0], [0, resolution, 0],
                                               [0, 0, resolution]],
                          "encoding": "gzip"}
            nrrd.write(str(target), sub, sub_header)
    progress(f"Allen data in {cache_dir}; {KIM2017_DENSITIES.relpath}: {KIM2017_DENSITIES.how_to_get}")
    return cache_dir
