"""EnergyPlus Weather (EPW) files for the ingest dispatcher (``twin ingest site.epw``).

The reader itself is :func:`twin.io.epw.read_epw` (re-exported here, with the
:class:`~twin.types.weather.Weather` and :class:`~twin.types.weather.Location` types it returns,
the same objects); see :mod:`twin.io.epw` for the format and the checks. It lives below the scene
and the engines so that they read a weather file without importing the ingest layer.
"""

from __future__ import annotations

import os

from twin.io.epw import MAX_EPW_BYTES, N_FIELDS, RANGES, REPORTED_MISSING, read_epw
from twin.types.weather import Location, Weather


def read_epw_result(path: str | os.PathLike[str], *, year: int | None = None, **_other):
    """EPW as an :class:`~twin.ingest.IngestResult` (the dispatcher's interface; options meant
    for other readers are ignored)."""
    from twin.ingest.result import IngestResult

    weather = read_epw(path, year=year)
    result = IngestResult(str(path), meta={"location": weather.location})
    result.layers["weather"] = weather
    return result


__all__ = ["MAX_EPW_BYTES", "N_FIELDS", "RANGES", "REPORTED_MISSING", "Location", "Weather", "read_epw", "read_epw_result"]
