"""Shared fixtures. Tests that need the real data FAIL (never skip) when it is missing."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    from brainmodel.inputs.data import resolve_data_dir
    value = os.environ.get("BRAINMODEL_DATA")
    assert value, "BRAINMODEL_DATA must point at the data folder (CI: ../shared/data)"
    return resolve_data_dir(value)


@pytest.fixture(scope="session")
def ontology(data_dir):
    from brainmodel.inputs.ontology import Ontology
    return Ontology.load(data_dir)


@pytest.fixture(scope="session")
def annotation(data_dir):
    from brainmodel.inputs.atlas import load_annotation
    return load_annotation(data_dir, 100)


@pytest.fixture(scope="session")
def kim(data_dir):
    from brainmodel.inputs.densities import load_kim2017
    return load_kim2017(data_dir)


@pytest.fixture(scope="session")
def left_mop(annotation, ontology):
    from brainmodel.inputs.atlas import select_regions
    return select_regions(annotation, ontology, ["MOp"], "left")
