"""MPI: the model split over ranks that exchange spikes every communication interval.

- ``partition``: cells to ranks (whole regions or pieces of one, balanced by cost) and the
  interval the shortest cross-rank delay allows;
- ``ranks``: one cpp_standalone project per rank with proxies for remote cells and the C++
  exchange hook (``mpi_hook.cpp``), compiled in parallel;
- ``launch``: the MPMD ``mpirun`` of the rank binaries and the merge of their spikes.
"""
