"""Merge one case of a benchmark's measured figures into its file in ``benchmarks/figures/``.

The benchmark scripts that feed ``scripts/update_figures.py`` keep one JSON file each, with a
``case`` text saying what was run and ``cases``: one entry per case (e.g. a vehicle count), so
re-running one case keeps the others' figures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def merge_case(path: Path, key: str, entry: dict[str, Any], case: str) -> dict[str, Any]:
    """Set ``cases[key] = entry`` and ``case`` in the figures file ``path`` (created if missing),
    write it, and return its content."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data.setdefault("cases", {})[key] = entry
    data["case"] = case
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return data
