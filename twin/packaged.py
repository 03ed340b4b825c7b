"""Tables packaged with twin (``twin/data``), read once per process.

The packaged CSV tables (energy factors, EPB classes, heat pumps, typology, ...) do not change
while a process runs, but the Monte Carlo samples ask for them once per sample and chunk: read
from disk each time, they cost about a tenth of the default run's energy samples. A caller gets
its own copy of the cached frame, so nothing it does to the table reaches the next caller.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

__all__ = ["packaged_csv"]


@cache
def _read_packaged_csv(name: str) -> pd.DataFrame:
    with resources.as_file(resources.files("twin") / "data" / name) as path:
        return pd.read_csv(path)


def packaged_csv(name: str) -> pd.DataFrame:
    """The packaged table ``twin/data/<name>`` as a new DataFrame (read from disk once per process)."""
    return _read_packaged_csv(name).copy()
