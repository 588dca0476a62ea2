"""Stage 1, inputs: the data folder and everything read from it (CCF annotation and ontology,
cortical layers and depth fields, cerebellar layers, flatmap coordinates, Kim et al. 2017
densities), loaded once per run into an ``Inputs`` (``bundle.load_inputs``). The connectome
loaders live in ``projections.connectome``."""
