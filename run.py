#!/usr/bin/env python
"""Thin wrapper: python run.py --device cpp_standalone [options]  (see --help)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from brainmodel.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
