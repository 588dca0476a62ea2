"""Figures (matplotlib Figure objects saved to files; pyplot is never touched, so a notebook's
backend is left alone): one module per kind of run."""
