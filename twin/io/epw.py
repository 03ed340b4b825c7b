"""EnergyPlus Weather (EPW) files into a time-zone-aware hourly frame with its location.

Format: EnergyPlus "Auxiliary Programs", chapter *Weather Converter Program*, section *EnergyPlus
Weather File (EPW) Data Dictionary*: 8 header lines (LOCATION first), then one line per hour
with 35 comma-separated fields. Hour ``h`` (1..24) is the interval ending at ``h``:00 local
standard time; the index we build holds those interval-end times in a fixed-offset time zone
(no daylight saving, as in the file). Missing-value codes of the data dictionary become NaN.

The reader is strict, because a shifted column does not fail, it gives wrong weather (0 C all
year): every data line must have exactly 35 fields; there must be 8760 hourly rows (8784 in a
leap year) with consecutive hours; every field read must be its missing-value code or inside
:data:`RANGES` (the data dictionary's minimum and maximum, physical bounds where it gives
none); a dry-bulb temperature that never changes over the year is refused. Missing values in
the fields the energy model needs (:data:`REPORTED_MISSING`) give a
:class:`~twin.errors.TwinWarning` with their count. Every error names the file, the line and
the field.

Typical-year files (TMY, IWEC) mix years from different months; their index uses one
non-leap year whose 1 January falls on the weekday given in ``DATA PERIODS`` (so weekday
schedules follow the file), unless the caller passes ``year=``.

This reader sits below the scene and the engines (it imports only :mod:`twin.errors`,
:mod:`twin.io.paths` and :mod:`twin.types.weather`): a command that takes ``--weather FILE.epw``
reads it without the ingest layer. :mod:`twin.ingest.epw` re-exports it for the ingest
dispatcher (``twin ingest site.epw``) and for ``twin.read_epw``.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import ParseError, TwinWarning
from twin.types.weather import Location, Weather  # defined there (shared by the scene and the engines)

# field index -> (column name, missing-value code); see the EPW data dictionary
_FIELDS: dict[int, tuple[str, float | None]] = {
    6: ("dry_bulb_c", 99.9),
    7: ("dew_point_c", 99.9),
    8: ("rel_humidity_pct", 999.0),
    9: ("pressure_pa", 999999.0),
    12: ("horizontal_ir_w_m2", 9999.0),
    13: ("ghi_w_m2", 9999.0),
    14: ("dni_w_m2", 9999.0),
    15: ("dhi_w_m2", 9999.0),
    20: ("wind_dir_deg", 999.0),
    21: ("wind_speed_m_s", 999.0),
    22: ("total_sky_cover_tenths", 99.0),
    30: ("snow_depth_cm", 999.0),
    32: ("albedo", 999.0),
    33: ("precip_mm", 999.0),
}

RANGES: dict[str, tuple[float, float]] = {
    # EnergyPlus data dictionary (minimum / maximum of the field)
    "dry_bulb_c": (-70.0, 70.0),
    "dew_point_c": (-70.0, 70.0),
    "rel_humidity_pct": (0.0, 110.0),
    "pressure_pa": (31000.0, 120000.0),
    "wind_dir_deg": (0.0, 360.0),
    "wind_speed_m_s": (0.0, 40.0),
    "total_sky_cover_tenths": (0.0, 10.0),
    # the dictionary gives only the minimum 0 of these; the maxima are physical bounds:
    "ghi_w_m2": (0.0, 1500.0),  # solar constant at perihelion, 1,414 W/m2, bounds beam and global
    "dni_w_m2": (0.0, 1500.0),
    "dhi_w_m2": (0.0, 1500.0),
    "horizontal_ir_w_m2": (0.0, 1000.0),  # black-body emission at 70 C is 785 W/m2
    "snow_depth_cm": (0.0, 1500.0),  # record snow depth 11.8 m (Tamakura, Japan, 1927)
    "albedo": (0.0, 1.0),
    "precip_mm": (0.0, 400.0),  # record one-hour rainfall 305 mm (Holt, Missouri, 1947)
}
"""Accepted range of each field read, inclusive (a value outside that is not its missing-value
code is an error: a shifted column or a corrupt file, not weather)."""

REPORTED_MISSING = ("dry_bulb_c", "ghi_w_m2", "dni_w_m2", "dhi_w_m2")
"""Fields whose missing hours give a :class:`~twin.errors.TwinWarning` (the energy model needs them)."""

MAX_EPW_BYTES = 64 * 1024**2
"""Size limit of an EPW file, bytes: an hourly year is about 1.6 MB."""

N_FIELDS = 35
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _parse_location(line: str, path: str) -> Location:
    parts = [p.strip() for p in line.split(",")]
    if len(parts) < 10 or parts[0].upper() != "LOCATION":
        raise ParseError("first line must be 'LOCATION,city,state,country,source,WMO,lat,lon,tz,elevation'", path=path, obj="line 1")
    names = ("latitude", "longitude", "time zone", "elevation")
    values = []
    for i, name in zip(range(6, 10), names):
        try:
            values.append(float(parts[i]))
        except ValueError:
            raise ParseError(f"cannot read {name} {parts[i]!r}", path=path, obj="line 1", field=name) from None
    lat, lon, tz, elev = values
    if not (-90 <= lat <= 90) or not (-180 <= lon <= 180) or not (-12 <= tz <= 14):
        raise ParseError(f"location out of range (lat {lat}, lon {lon}, tz {tz})", path=path, obj="line 1", field="location")
    return Location(parts[1], lat, lon, tz, elev, parts[5])


def _start_weekday(header: list[str]) -> int | None:
    for line in header:
        if line.upper().startswith("DATA PERIODS"):
            parts = [p.strip().lower() for p in line.split(",")]
            for p in parts:
                if p in _WEEKDAYS:
                    return _WEEKDAYS.index(p)
    return None


def _typical_year(weekday: int | None, leap: bool) -> int:
    for year in range(2023, 1970, -1):
        if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) != leap:
            continue
        if weekday is None or dt.date(year, 1, 1).weekday() == weekday:
            return year
    return 2023  # pragma: no cover


def _parse_rows(rows: list[str], numeric_cols: list[int], path: str) -> np.ndarray:
    """The date columns and the fields of ``numeric_cols`` of the hourly rows, ``(n, 5 + n_fields)``.

    Rows with the right number of fields go through NumPy's text reader in one call; any row it
    cannot read (a missing or extra field, a value that is not a number) makes the row-by-row
    reader below run instead, which names the line and field of the first problem. Both give
    ``float(text)`` of every field.
    """
    if all(line.count(",") == N_FIELDS - 1 for line in rows):
        try:
            table = np.loadtxt(rows, delimiter=",", usecols=[0, 1, 2, 3, 4, *numeric_cols], dtype=np.float64, ndmin=2, comments=None)
        except ValueError:
            pass
        else:
            if table.shape == (len(rows), 5 + len(numeric_cols)):
                return table
    return _parse_rows_one_by_one(rows, numeric_cols, path)


def _parse_rows_one_by_one(rows: list[str], numeric_cols: list[int], path: str) -> np.ndarray:
    """:func:`_parse_rows` a row at a time, raising :class:`ParseError` at the first bad field."""
    n = len(rows)
    table = np.empty((n, 5 + len(numeric_cols)))
    for r, line in enumerate(rows):
        parts = line.rstrip().split(",")
        lineno = r + 9
        if len(parts) != N_FIELDS:
            what = "a column is missing" if len(parts) < N_FIELDS else "an extra column"
            raise ParseError(f"{len(parts)} fields, {N_FIELDS} expected ({what})", path=path, obj=f"line {lineno}")
        for k in range(5):
            try:
                table[r, k] = float(parts[k])
            except ValueError:
                raise ParseError(f"not a number: {parts[k]!r}", path=path, obj=f"line {lineno}", field=("year", "month", "day", "hour", "minute")[k]) from None
        for j, col in enumerate(numeric_cols):
            try:
                table[r, 5 + j] = float(parts[col])
            except ValueError:
                raise ParseError(f"not a number: {parts[col]!r}", path=path, obj=f"line {lineno}", field=_FIELDS[col][0]) from None
    return table


def read_epw(path: str | os.PathLike[str], *, year: int | None = None) -> Weather:
    """Read an EPW file.

    Parameters
    ----------
    path
        The ``.epw`` file.
    year
        Year to stamp on the index; default: the file's own year if all rows share one, else
        a non-leap year starting on the weekday of ``DATA PERIODS``.

    Returns
    -------
    Weather
        ``data`` columns: dry_bulb_c, dew_point_c, rel_humidity_pct, pressure_pa,
        horizontal_ir_w_m2, ghi_w_m2, dni_w_m2, dhi_w_m2, wind_dir_deg, wind_speed_m_s,
        total_sky_cover_tenths, snow_depth_cm, albedo, precip_mm (NaN where the file gives a
        missing-value code). Radiation is the energy of the hour ending at the index time,
        W/m2 (= Wh/m2 over the hour).

    Raises
    ------
    ParseError
        Naming the file, the line and the field: short lines, non-numeric values, wrong hour
        count, a bad LOCATION line.
    """
    from twin.io.paths import check_input_file

    path = str(path)
    check_input_file(path, max_bytes=MAX_EPW_BYTES, what="weather file")
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror}", path=path) from None
    if b"\x00" in raw[:65536]:
        raise ParseError("binary data, not an EPW text file", path=path)
    text = raw.decode("utf-8-sig", errors="replace")  # only the LOCATION name may be non-ASCII; a leading BOM is dropped
    lines = text.splitlines()
    if len(lines) < 9:
        raise ParseError(f"too short for an EPW file ({len(lines)} lines; 8 header lines and 8760 hours expected)", path=path)
    location = _parse_location(lines[0], path)
    header = lines[:8]
    rows = [ln for ln in lines[8:] if ln.strip()]
    n = len(rows)
    if n not in (8760, 8784):
        raise ParseError(f"{n} hourly rows; 8760 (or 8784 in a leap year) expected", path=path, obj="data")
    numeric_cols = sorted(_FIELDS)
    table = _parse_rows(rows, numeric_cols, path)
    if not np.isfinite(table).all():
        r, c = np.argwhere(~np.isfinite(table))[0]
        name = ("year", "month", "day", "hour", "minute")[c] if c < 5 else _FIELDS[numeric_cols[c - 5]][0]
        raise ParseError("value is not finite", path=path, obj=f"line {r + 9}", field=name)
    month = table[:, 1].astype(int)
    day = table[:, 2].astype(int)
    hour = table[:, 3].astype(int)
    if ((month < 1) | (month > 12) | (day < 1) | (day > 31) | (hour < 1) | (hour > 24)).any():
        r = int(np.flatnonzero((month < 1) | (month > 12) | (day < 1) | (day > 31) | (hour < 1) | (hour > 24))[0])
        raise ParseError(f"date out of range ({month[r]}/{day[r]} hour {hour[r]})", path=path, obj=f"line {r + 9}", field="date")
    years = table[:, 0].astype(int)
    if year is None:
        year = int(years[0]) if (years == years[0]).all() else _typical_year(_start_weekday(header), n == 8784)
    try:
        days = pd.to_datetime(dict(year=np.full(n, year), month=month, day=day), errors="raise")
    except (ValueError, OverflowError) as exc:
        raise ParseError(f"invalid calendar date: {exc}", path=path, field="date") from None
    stamps = days + pd.to_timedelta(hour, unit="h")
    index = pd.DatetimeIndex(stamps).tz_localize(location.tz)
    index.name = "time"
    expected = pd.date_range(index[0], periods=n, freq="h")
    if not (index == expected).all():
        r = int(np.flatnonzero(index != expected)[0])
        raise ParseError("hours are not consecutive", path=path, obj=f"line {r + 9}", field="date")
    data = {}
    for j, col in enumerate(numeric_cols):
        name, missing = _FIELDS[col]
        values = table[:, 5 + j]
        values = np.where(values == missing, np.nan, values)
        _check_range(values, name, path)
        data[name] = values
    _check_not_constant(data["dry_bulb_c"], path)
    gaps = {name: int(np.isnan(data[name]).sum()) for name in REPORTED_MISSING if np.isnan(data[name]).any()}
    if gaps:
        warnings.warn(
            f"file {path}: missing values (EPW missing-value codes) in "
            + ", ".join(f"{k} {v} hours" for k, v in gaps.items()),
            TwinWarning,
            stacklevel=2,
        )
    frame = pd.DataFrame(data, index=index)
    return Weather(frame, location, path)


def out_of_range(values: np.ndarray, name: str) -> tuple[int, int] | None:
    """The first hour and the number of hours whose value of field ``name`` lies outside
    :data:`RANGES` (an infinity included, every bound being finite; NaN, a missing value, is not
    counted); None when every value is inside. Used by the EPW reader and by the scene reader's
    check of a saved weather layer."""
    lo, hi = RANGES[name]
    with np.errstate(invalid="ignore"):
        bad = (values < lo) | (values > hi)
    if not bad.any():
        return None
    return int(np.flatnonzero(bad)[0]), int(bad.sum())


def _check_range(values: np.ndarray, name: str, path: str) -> None:
    """Raise ParseError naming the first line whose value of ``name`` is outside :data:`RANGES`."""
    found = out_of_range(values, name)
    if found is not None:
        (r, n), (lo, hi) = found, RANGES[name]
        raise ParseError(
            f"value {values[r]:g} outside the range {lo:g}..{hi:g} of the field (in {n} hour{'s' if n > 1 else ''}); "
            "a column may be shifted, or the file is not an hourly EPW",
            path=path, obj=f"line {r + 9}", field=name,
        )


def _check_not_constant(dry_bulb_c: np.ndarray, path: str) -> None:
    """A year of weather whose air temperature never changes is a placeholder or a shifted column."""
    known = dry_bulb_c[np.isfinite(dry_bulb_c)]
    if len(known) > 24 and np.all(known == known[0]):
        raise ParseError(
            f"the dry-bulb temperature is {known[0]:g} C in every hour of the year: a column is shifted or the data is a placeholder",
            path=path, field="dry_bulb_c",
        )


__all__ = ["MAX_EPW_BYTES", "N_FIELDS", "RANGES", "REPORTED_MISSING", "Location", "Weather", "out_of_range", "read_epw"]
