"""Hourly weather and the site it belongs to.

Produced by :func:`twin.ingest.epw.read_epw` (EPW files), by
:mod:`twin.calibration.weather` (daily temperature tables) and by :func:`twin.scene.io.read_scene`
(the weather stored with a scene); read by the energy, soil and solar engines. Also importable
from :mod:`twin.ingest.epw` (the same classes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Location", "Weather"]


@dataclass(frozen=True)
class Location:
    """Site of a weather file."""

    name: str
    latitude_deg: float
    longitude_deg: float
    tz_offset_h: float
    elevation_m: float
    wmo: str = ""

    @property
    def tz(self) -> dt.timezone:
        """Fixed-offset local standard time zone of the file."""
        return dt.timezone(dt.timedelta(hours=self.tz_offset_h))


@dataclass(frozen=True)
class Weather:
    """Hourly weather: ``data`` (tz-aware index of interval-end times) and ``location``."""

    data: pd.DataFrame
    location: Location
    source: str = ""

    @property
    def n_hours(self) -> int:
        return len(self.data)
