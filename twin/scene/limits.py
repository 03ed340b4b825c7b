"""Physical bounds of building attributes: a rule of the scene schema, checked on every ``buildings`` table.

A value outside these bounds is not a building twin can model: it is a unit mix-up (a height in
millimetres), a typo (``1e9``), a column shifted by one or a placeholder. The readers of
:mod:`twin.ingest` drop such buildings (:func:`twin.ingest.limits.drop_bad_buildings`, each
listed with its reason); :func:`twin.scene.io.read_scene` refuses a stored scene holding one.
This module sits below both (it imports nothing of twin, and only NumPy), so the scene does
not import the ingest layer and the energy priors can share its bounds.

==========================  ====================  =============================================
attribute                   accepted              basis
==========================  ====================  =============================================
``height_m``                0 < h <= 1000 m       tallest building, Burj Khalifa: 828 m (CTBUH)
``n_storeys`` (given)       1 .. 250              Burj Khalifa: 163 floors above ground; 0
                                                  storeys (OSM ``building:levels=0``, roofs and
                                                  carports) means unknown
storey height (given both)  >= 1.5 m              below the lowest usable storey (a 2.1 m
                                                  minimum room height plus a slab) by margin
``construction_year``       1000 .. 2100          as :func:`twin.ingest.defaults.parse_year`;
                                                  a number outside is an error of the source
``footprint_area_m2``       0 < A <= 2 km2        largest buildings (Aalsmeer flower auction,
                                                  ~0.52 km2; Boeing Everett ~0.4 km2)
``ground_z_m``              -500 .. 9000 m        Dead Sea shore -430 m; Mount Everest 8,849 m
==========================  ====================  =============================================
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MAX_HEIGHT_M = 1000.0
"""Highest building height accepted, m (Burj Khalifa, the tallest building, is 828 m)."""

MAX_STOREYS = 250
"""Most storeys accepted as given by a source (Burj Khalifa has 163 above ground)."""

MIN_STOREY_HEIGHT_M = 1.5
"""Lowest storey height accepted when both height and storeys are given, m."""

MIN_YEAR, MAX_YEAR = 1000.0, 2100.0
"""Range of construction years accepted (as :func:`twin.ingest.defaults.parse_year`)."""

MAX_FOOTPRINT_M2 = 2.0e6
"""Largest footprint accepted, m2 (the largest buildings cover about 0.5 km2)."""

MIN_GROUND_Z_M, MAX_GROUND_Z_M = -500.0, 9000.0
"""Range of ground elevations accepted, m (Dead Sea shore -430 m, Everest 8,849 m)."""


def fmt_value(value: float) -> str:
    """A bound or a value as the messages show it (6 significant digits)."""
    return f"{value:.6g}"


def building_row_problems(frame: pd.DataFrame) -> dict[int, str]:
    """Rows of a finished ``buildings`` table (any reader) outside the bounds of this module."""
    out: dict[int, str] = {}
    n = len(frame)
    if n == 0:
        return out

    def col(name: str) -> np.ndarray | None:
        return frame[name].to_numpy(dtype=float, na_value=np.nan) if name in frame else None

    checks = (
        ("height_m", lambda v: np.isfinite(v) & (v > 0.0) & (v <= MAX_HEIGHT_M), f"0 < h <= {MAX_HEIGHT_M:g} m", False),
        ("n_storeys", lambda v: np.isfinite(v) & (v >= 1) & (v <= MAX_HEIGHT_M / MIN_STOREY_HEIGHT_M), f"1..{MAX_HEIGHT_M / MIN_STOREY_HEIGHT_M:.0f}", False),
        ("footprint_area_m2", lambda v: np.isfinite(v) & (v > 0.0) & (v <= MAX_FOOTPRINT_M2), f"0 < A <= {MAX_FOOTPRINT_M2:g} m2", False),
        ("ground_z_m", lambda v: np.isfinite(v) & (v >= MIN_GROUND_Z_M) & (v <= MAX_GROUND_Z_M), f"{MIN_GROUND_Z_M:g}..{MAX_GROUND_Z_M:g} m", False),
        ("construction_year", lambda v: np.isnan(v) | ((v >= MIN_YEAR) & (v <= MAX_YEAR)), f"{MIN_YEAR:.0f}..{MAX_YEAR:.0f}", True),
    )
    for name, ok, bound, _nan_ok in checks:
        values = col(name)
        if values is None:
            continue
        with np.errstate(invalid="ignore"):
            bad = ~ok(values)
        for i in np.flatnonzero(bad):
            v = values[i]
            shown = "not a finite number" if not math.isfinite(v) else f"{fmt_value(v)}, outside {bound}"
            out.setdefault(int(i), f"{name} {shown}" if math.isfinite(v) else f"{name} is {shown}")
    return out


__all__ = [
    "MAX_FOOTPRINT_M2",
    "MAX_GROUND_Z_M",
    "MAX_HEIGHT_M",
    "MAX_STOREYS",
    "MAX_YEAR",
    "MIN_GROUND_Z_M",
    "MIN_STOREY_HEIGHT_M",
    "MIN_YEAR",
    "building_row_problems",
    "fmt_value",
]
