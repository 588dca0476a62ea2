"""Region modules: declarative specs (cell types, equation strings, densities, local rules).

Region modules only declare; ``brainmodel.build`` builds. Edit the equation strings and
parameters here to change the model.
"""
