"""Load a script of the repository (``scripts/``, ``benchmarks/``) as a module, for its tests.

The scripts are not a package: each test loads the file it tests by path. Every call executes
the file anew and returns a fresh module, so a test that patches a module's attributes does not
reach another test's copy.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def load_script(relative_path: str, name: str | None = None) -> ModuleType:
    """The script at ``REPO / relative_path`` as a module named ``name`` (default: its stem)."""
    path = REPO / relative_path
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
