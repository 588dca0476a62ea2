"""Region modules: declarative specs (cell types, equation strings, densities, local rules).

Region modules only declare; ``brainmodel.model`` builds. Edit the equation strings and
parameters here to change the model. ``neurons`` is the one cited table of neuron models and
``cells`` the one cell-type schema that every region uses.
"""

# the non-cortical region modules that --nuclei can add (appended in the order given)
NUCLEUS_REGIONS = ("thalamus", "pons", "cerebellum", "striatum", "pallidum")
