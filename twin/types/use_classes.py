"""The packaged defaults table and the building use classes it declares.

``twin/data/ingest_defaults.yaml`` says how :mod:`twin.ingest` fills what source files leave
out; its ``buildings.use_classes`` list is also the vocabulary of the scene's ``use`` column,
which the energy priors (:mod:`twin.energy.priors`) check their use mixes against. Read here,
below both layers (nothing of twin is imported), so the engines need not import the ingest
layer for it; :func:`twin.ingest.defaults.load_defaults` merges user overrides onto the same
table.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULTS_FILE = "ingest_defaults.yaml"


@lru_cache(maxsize=1)
def packaged_defaults() -> dict[str, Any]:
    """The packaged defaults table as read (cached: callers copy it before changing it)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(DATA_DIR.joinpath(DEFAULTS_FILE).read_text(encoding="utf-8"), Loader=loader)  # a safe loader


def use_classes() -> tuple[str, ...]:
    """The building use classes of the packaged table (``residential``, ``office``, ...), in its order."""
    return tuple(str(c) for c in packaged_defaults()["buildings"]["use_classes"])


__all__ = ["DATA_DIR", "DEFAULTS_FILE", "packaged_defaults", "use_classes"]
