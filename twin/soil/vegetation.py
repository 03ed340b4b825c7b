"""Vegetation: crop coefficients, leaf area, interception, partition of the evaporative demand.

Two documented tables (CSV, one row per entry with its ``source``):

* ``twin/data/soil_vegetation.csv``: per vegetation (``lawn``, ``trees``, ``bare_soil``,
  ``permeable_paving``, ``green_roof``, ``bioretention``, ``infiltration_trench``) the single
  crop coefficient ``Kc`` and the leaf area index out of and in leaf (``kc_min``/``kc_max``,
  ``lai_min``/``lai_max``, leaf-on and leaf-off days with linear ramps), the light extinction
  coefficient, the canopy storage per unit LAI, the rooting depth and root distribution, and the
  Feddes parameters;
* ``twin/data/soil_landcover_vegetation.csv``: per land-cover class of the scene the share of
  its open ground under tree canopy and the vegetation of the rest (``_unmapped_`` for open ground
  outside every polygon).

Both can be replaced by the user's own files (same columns). A land-cover class of the scene
without a row, or a vegetation without a row, is an :class:`~twin.errors.InputError` naming the
file, the class and the field.

Forcing of a vegetation (hourly)
--------------------------------
With the reference evapotranspiration ET0 (FAO-56, :mod:`twin.soil.et`) and the rain of each
hour:

1. potential evapotranspiration ``ETp = Kc(t) max(ET0, 0)`` (night dew is not modelled);
2. interception (a canopy bucket of capacity ``S = interception_mm_per_lai LAI(t)``): the rain
   fills the store, what overflows is throughfall; the store then evaporates at up to ``ETp``
   (Rutter-type; the capacity per unit LAI of Braden 1985 as HYDRUS-1D);
3. the remaining demand is split by Beer's law (Ritchie 1972, as HYDRUS-1D): potential
   transpiration ``Tp = (ETp - Ei)(1 - exp(-k LAI))`` and potential soil evaporation
   ``Ep = (ETp - Ei) exp(-k LAI)``. A vegetation without roots transpires nothing: all of it is
   soil evaporation.

The soil then decides what actually leaves: the Richards column limits evaporation at the
surface (``h_critical``) and the Feddes response limits transpiration (root water uptake).

References
----------
Allen, R.G. et al. (1998), FAO Irrigation and Drainage Paper 56 (Tables 12 and 22, chapter 7).
Ritchie, J.T. (1972), Model for predicting evaporation from a row crop with incomplete cover,
Water Resour. Res. 8(5):1204-1213.
Braden, H. (1985), Ein Energiehaushalts- und Verdunstungsmodell für Wasser- und
Stoffhaushaltsuntersuchungen landwirtschaftlich genutzter Einzugsgebiete, Mitt. Dtsch.
Bodenkundl. Ges. 42:294-299.
Rutter, A.J., Kershaw, K.A., Robins, P.C. & Morton, A.J. (1971), A predictive model of rainfall
interception in forests, Agric. Meteorol. 9:367-384.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from twin.errors import InputError
from twin.soil.roots import FeddesParameters
from twin.soil.table_rows import cell_number, row_key

VEGETATION_TABLE = "soil_vegetation.csv"
LANDCOVER_TABLE = "soil_landcover_vegetation.csv"
UNMAPPED = "_unmapped_"
"""The land-cover row of open ground outside every land-cover polygon."""
TABLE_MAX_BYTES = 1024**2


class Vegetation(BaseModel):
    """One row of the vegetation table (see the module docstring); units in the names."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str
    kc_min: float = Field(ge=0, le=2.0)
    kc_max: float = Field(ge=0, le=2.0)
    lai_min: float = Field(ge=0, le=15.0)
    lai_max: float = Field(ge=0, le=15.0)
    leaf_on_doy: int = Field(ge=1, le=366)
    leaf_off_doy: int = Field(ge=1, le=366)
    ramp_days: int = Field(ge=1, le=180)
    extinction_k: float = Field(gt=0, le=2.0)
    interception_mm_per_lai: float = Field(ge=0, le=5.0)
    rooting_depth_m: float = Field(ge=0, le=20.0)
    root_shape: Literal["hoffman_van_genuchten", "uniform"] = "hoffman_van_genuchten"
    feddes: FeddesParameters = FeddesParameters()
    source: str = ""

    @model_validator(mode="after")
    def _ordered(self):
        if self.kc_min > self.kc_max:
            raise ValueError(f"kc_min ({self.kc_min:g}) is above kc_max ({self.kc_max:g})")
        if self.lai_min > self.lai_max:
            raise ValueError(f"lai_min ({self.lai_min:g}) is above lai_max ({self.lai_max:g})")
        if self.leaf_off_doy <= self.leaf_on_doy:
            raise ValueError(f"leaf_off_doy ({self.leaf_off_doy}) must come after leaf_on_doy ({self.leaf_on_doy})")
        return self

    @property
    def has_roots(self) -> bool:
        return self.rooting_depth_m > 0 and self.lai_max > 0

    def season(self, day_of_year) -> tuple[np.ndarray, np.ndarray]:
        """``(Kc, LAI)`` on each day of year: the minimum out of leaf, the maximum in leaf,
        linear ramps of ``ramp_days`` after ``leaf_on_doy`` and before ``leaf_off_doy``."""
        d = np.asarray(day_of_year, dtype=float)
        up = np.clip((d - self.leaf_on_doy) / self.ramp_days, 0.0, 1.0)
        down = np.clip((self.leaf_off_doy - d) / self.ramp_days, 0.0, 1.0)
        f = np.minimum(up, down)
        return self.kc_min + f * (self.kc_max - self.kc_min), self.lai_min + f * (self.lai_max - self.lai_min)


@dataclass
class LandcoverVegetation:
    """A land-cover class: the share of its open ground under trees and the vegetation of the rest."""

    cover_class: str
    tree_share: float
    ground_vegetation: str


def _table_path(path, name: str) -> Path:
    if path is not None:
        return Path(path)
    return Path(str(resources.files("twin") / "data" / name))


def _read_rows(path: Path, what: str, required: tuple[str, ...]) -> list[tuple[int, dict]]:
    from twin.io.paths import check_input_file

    check_input_file(path, suffixes=(".csv",), max_bytes=TABLE_MAX_BYTES, what=what, refuse_empty=True)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        cols = set(reader.fieldnames or [])
        missing = [c for c in required if c not in cols]
        if missing:
            raise InputError(f"the {what} lacks a column", path=path, field=missing[0])
        rows = [(i, row) for i, row in enumerate(reader, start=2)]
    if not rows:
        raise InputError(f"the {what} has no rows", path=path)
    return rows


def read_vegetation_table(path=None) -> dict[str, Vegetation]:
    """The vegetation table (default ``twin/data/soil_vegetation.csv``), keyed by name.

    Raises
    ------
    InputError
        Unreadable file, missing column, a value missing, not a number or out of range (the line
        and the column named), a name given twice.
    """
    path = _table_path(path, VEGETATION_TABLE)
    numeric = ("kc_min", "kc_max", "lai_min", "lai_max", "leaf_on_doy", "leaf_off_doy", "ramp_days", "extinction_k",
               "interception_mm_per_lai", "rooting_depth_m")
    feddes = {"feddes_h1_m": "h1_m", "feddes_h2_m": "h2_m", "feddes_h3h_m": "h3h_m", "feddes_h3l_m": "h3l_m",
              "feddes_h4_m": "h4_m", "feddes_r2h_mm_day": "r2h_mm_day", "feddes_r2l_mm_day": "r2l_mm_day"}
    rows = _read_rows(path, "vegetation table", ("vegetation", *numeric, *feddes))
    out: dict[str, Vegetation] = {}
    for line, row in rows:
        name, obj = row_key(row, "vegetation", line, path=path, empty="empty vegetation name", noun="vegetation", seen=out)
        values: dict = {"name": name, "source": row.get("source") or ""}
        for col in (*numeric, *feddes):
            values[col] = cell_number(row, col, path=path, obj=obj)
        for col in ("leaf_on_doy", "leaf_off_doy", "ramp_days"):
            if not (np.isfinite(values[col]) and values[col] == int(values[col])):  # nan and inf are not whole numbers
                raise InputError(f"must be a whole number of days, got {values[col]!r}", path=path, obj=obj, field=col)
            values[col] = int(values[col])
        shape = (row.get("root_shape") or "hoffman_van_genuchten").strip()
        values["root_shape"] = shape
        try:
            values["feddes"] = FeddesParameters(**{feddes[c]: values.pop(c) for c in feddes})
            out[name] = Vegetation(**values)
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"]) or "feddes"
            col = {v: k for k, v in feddes.items()}.get(key, key)
            raise InputError(err["msg"], path=path, obj=obj, field=col) from None
    return out


def read_landcover_vegetation(path=None) -> dict[str, LandcoverVegetation]:
    """The land-cover table (default ``twin/data/soil_landcover_vegetation.csv``), keyed by class.

    Raises
    ------
    InputError
        Unreadable file, missing column, a share outside [0, 1], an empty vegetation, a class
        given twice.
    """
    path = _table_path(path, LANDCOVER_TABLE)
    rows = _read_rows(path, "land-cover vegetation table", ("cover_class", "tree_share", "ground_vegetation"))
    out: dict[str, LandcoverVegetation] = {}
    for line, row in rows:
        cls, obj = row_key(row, "cover_class", line, path=path, empty="empty land-cover class", noun="land-cover class", seen=out)
        share = cell_number(row, "tree_share", path=path, obj=obj)
        if not 0.0 <= share <= 1.0:
            raise InputError(f"tree share {share:g} outside [0, 1]", path=path, obj=obj, field="tree_share")
        veg = (row.get("ground_vegetation") or "").strip()
        if not veg:
            raise InputError("empty vegetation", path=path, obj=obj, field="ground_vegetation")
        out[cls] = LandcoverVegetation(cls, share, veg)
    return out


@dataclass
class VegetationForcing:
    """Hourly forcing of one vegetation (per unit area of it).

    Attributes
    ----------
    throughfall_m_s, evaporation_m_s, transpiration_m_s : (n_t,) rain reaching the soil,
        potential soil evaporation and potential transpiration, m/s.
    interception_evaporation_m : (n_t,) water evaporated from the canopy store on each interval, m.
    store_start_m, store_end_m : canopy store at the start and the end, m.
    kc, lai : (n_t,) the seasonal crop coefficient and leaf area index.
    """

    throughfall_m_s: np.ndarray
    evaporation_m_s: np.ndarray
    transpiration_m_s: np.ndarray
    interception_evaporation_m: np.ndarray
    store_start_m: float
    store_end_m: float
    kc: np.ndarray
    lai: np.ndarray

    def canopy_balance_error_m(self, rain_m_per_interval: np.ndarray, dt_s: float = 3600.0) -> float:
        """rain - throughfall - interception evaporation - store change over the period, m."""
        out = np.sum(self.throughfall_m_s) * dt_s + np.sum(self.interception_evaporation_m)
        return float(np.sum(rain_m_per_interval) - out - (self.store_end_m - self.store_start_m))


def vegetation_forcing(veg: Vegetation, et0_mm: np.ndarray, rain_mm: np.ndarray, day_of_year: np.ndarray, *,
                       dt_s: float = 3600.0, store_start_m: float = 0.0) -> VegetationForcing:
    """The hourly forcing of ``veg`` from the reference ET and the rain of each interval.

    Parameters
    ----------
    veg
        A :class:`Vegetation`.
    et0_mm, rain_mm
        (n_t,) reference evapotranspiration and rain depth of each interval, mm.
    day_of_year
        (n_t,) day of year of each interval (for the season).
    dt_s
        Interval length, s.
    store_start_m
        Canopy store at the start, m (a spin-up passes its end store on).
    """
    et0 = np.maximum(np.asarray(et0_mm, dtype=float), 0.0) / 1000.0
    rain = np.asarray(rain_mm, dtype=float) / 1000.0
    kc, lai = veg.season(day_of_year)
    etp = kc * et0
    cap = veg.interception_mm_per_lai * lai / 1000.0
    n = len(et0)
    through = np.empty(n)
    e_int = np.empty(n)
    store = float(store_start_m)
    for i in range(n):  # the bucket is sequential; a year of hours takes a few milliseconds
        s = store + rain[i]
        through[i] = max(s - cap[i], 0.0)
        s -= through[i]
        e = min(s, etp[i])
        e_int[i] = e
        store = s - e
    rest = etp - e_int
    if veg.has_roots:
        cover = 1.0 - np.exp(-veg.extinction_k * lai)
        tp = rest * cover
        ep = rest - tp
    else:
        tp = np.zeros(n)
        ep = rest
    return VegetationForcing(through / dt_s, ep / dt_s, tp / dt_s, e_int, float(store_start_m), store, kc, lai)
