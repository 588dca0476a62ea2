"""Analysis of spike trains (numpy/scipy): rates in windows (``rates``), spectra, coherence and
gamma phases (``spectra``), the stimulated cortex (``cortex``), multi-region runs
(``regions``), topography responses (``topography``), the EnKF (``assimilation``) and
performance numbers (``performance``)."""
