"""brainmodel: a data-driven spiking network model of the mouse brain on Brian2.

Stages (one module each, pure functions of their inputs and a seed):
data -> ontology/atlas -> placement -> connectivity -> build (Brian2 objects) -> devices -> run
-> outputs -> analysis -> plotting.  ``brainmodel.experiments`` ties them together.
"""
from .errors import BrainmodelError

__all__ = ["BrainmodelError"]
__version__ = "0.1.0"
