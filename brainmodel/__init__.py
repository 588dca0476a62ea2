"""brainmodel: a data-driven spiking network model of the mouse brain on Brian2.

The public API (``brainmodel.api``; the README documents it):

    import brainmodel as bm
    cfg = bm.configure(experiment="m1-gamma", seed=1)
    model = bm.build(cfg)              # numpy tables: model.cells, model.edges, model.stimulus
    result = bm.simulate(model, cfg)   # Result: spikes, cells, summary, timings, output folder
    result = bm.run(cfg)               # end to end

Stage packages, imports pointing upstream only: ``config`` -> ``inputs`` (data, atlas,
ontology, densities, connectome loaders) -> ``model`` (numpy cell and edge tables, placement,
connectivity, stimulus) -> ``analysis`` -> ``simulation`` (Brian2 network, devices,
background, ensembles, mpi) -> ``figures`` -> ``sonata``, ``outputs`` -> ``experiments``
(plug-ins) -> ``api`` -> ``cli``. The names below load on first use, so ``import brainmodel``
stays fast.
"""
from .errors import BrainmodelError

_API = ("Inputs", "Model", "Result", "RunConfig", "build", "configure", "experiment_names",
        "load_inputs", "run", "simulate",
        # stage functions and classes the notebooks teach with
        "Bounds", "Ensemble", "Member", "assimilate", "cerebellar_layers", "coherence",
        "gpu_present", "partition", "population_rate", "read_spikes", "region_cells")
__all__ = ["BrainmodelError", *_API]
__version__ = "0.1.0"


def __getattr__(name):
    if name in _API:
        from . import api
        return getattr(api, name)
    raise AttributeError(f"module 'brainmodel' has no attribute {name!r}")
