"""Stage 2, model (numpy only, no I/O, no Brian2): cell tables (``cells``, ``placement``), edge
tables (``edges``, ``connectivity``, ``long_range``, ``nuclei``, ``loop``), the stimulus
(``stimulus``), per-cell parameters (``parameters``); ``build.build_model`` -> ``Model``."""
