"""Experiments as plug-ins: every module in this folder that defines ``EXPERIMENT`` (an instance
of ``brainmodel.experiments.base.Experiment``) is a named experiment. Adding an experiment is
adding one file; nothing else names it.
"""
from __future__ import annotations

import importlib
import pkgutil

from ..errors import BrainmodelError
from .base import Experiment


def registry() -> dict[str, Experiment]:
    """Every experiment found in this package, in listing order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        experiment = getattr(module, "EXPERIMENT", None)
        if isinstance(experiment, Experiment):
            found.append(experiment)
    return {e.name: e for e in sorted(found, key=lambda e: (e.order, e.name))}


def get(name: str) -> Experiment:
    experiments = registry()
    if name not in experiments:
        raise BrainmodelError(f"unknown experiment {name!r}; available: "
                              f"{', '.join(experiments)}")
    return experiments[name]
