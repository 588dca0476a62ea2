"""Stage 3, simulation (Brian2): network objects from a Model (``network``), the per-cell Poisson
background (``background``), devices (``devices``, the one place that touches Brian2's
process-wide device state), one compilation and one binary run per stimulus run (``runner``),
ensembles of one compiled network (``ensemble``) and MPI ranks (``mpi``)."""
