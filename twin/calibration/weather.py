"""Weather for a metered period when only temperatures are known (daily station data, forecasts).

Meter data come with the weather of their own years, often only as daily mean, maximum and
minimum temperatures (a national weather service's daily table) or as an hourly temperature
forecast. :func:`weather_from_temperature` makes an hourly
:class:`twin.ingest.epw.Weather` the energy model can run on:

* **hourly temperature** from a daily table: ``T(h) = T_mean + (T_max - T_min) / 2 *
  cos(2 pi (h - 15) / 24)`` (maximum at 15:00, minimum at 03:00 local time; the daily mean is
  kept); a day whose maximum and minimum are missing is flat at its mean; days missing from the
  table are interpolated linearly between their neighbours (and reported);
* **irradiance**, when none is given: the clear-sky global horizontal irradiance of Haurwitz
  (1945), ``GHI = 1098 cos z exp(-0.057 / cos z)``, times a constant clearness ``k``
  (:data:`DEFAULT_CLEARNESS`, an assumption for a cloudy maritime climate), split into beam and
  diffuse by the Erbs et al. (1982) correlation; the sky long-wave radiation is left missing
  (the solar model then uses ISO 13790's 11 K sky temperature difference).

The irradiance of such a file is a rough climatology, not the day's sky: the calibration absorbs
its mean error into the parameters, day-to-day solar variation is lost (a limit stated in
``docs/calibration.md``).

References
----------
Haurwitz B. (1945) Insolation in relation to cloudiness and cloud density. J. Meteorol. 2.
Erbs D.G., Klein S.A., Duffie J.A. (1982) Estimation of the diffuse radiation fraction for
hourly, daily and monthly-average global radiation. Solar Energy 28(4).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import InputError, SchemaError

#: Clearness of the synthetic irradiance: global irradiance / clear-sky global irradiance.
DEFAULT_CLEARNESS = 0.45

#: Plausible outdoor temperatures, degC.
T_BOUNDS_C = (-60.0, 60.0)


def clear_sky_ghi_w_m2(cos_zenith: np.ndarray) -> np.ndarray:
    """Haurwitz (1945) clear-sky global horizontal irradiance, W/m2."""
    c = np.asarray(cos_zenith, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = 1098.0 * c * np.exp(-0.057 / c)
    return np.where(c > 0.0, out, 0.0)


def erbs_diffuse_fraction(kt: np.ndarray) -> np.ndarray:
    """Erbs et al. (1982) diffuse fraction of the global irradiance for clearness index ``kt``."""
    kt = np.asarray(kt, dtype=float)
    mid = 0.9511 - 0.1604 * kt + 4.388 * kt**2 - 16.638 * kt**3 + 12.336 * kt**4
    return np.where(kt <= 0.22, 1.0 - 0.09 * kt, np.where(kt <= 0.80, mid, 0.165))


def hourly_from_daily(dates: pd.DatetimeIndex, t_mean, t_max, t_min) -> np.ndarray:
    """Hourly temperatures (24 per day, hour ending 01:00 ... 24:00) from daily mean, max, min."""
    t_mean, t_max, t_min = (np.asarray(x, dtype=float) for x in (t_mean, t_max, t_min))
    amp = np.where(np.isfinite(t_max) & np.isfinite(t_min), 0.5 * (t_max - t_min), 0.0)
    mid_hour = np.arange(24) + 0.5  # interval midpoints 00:30 ... 23:30
    shape = np.cos(2 * np.pi * (mid_hour - 15.0) / 24.0)
    shape -= shape.mean()
    return (t_mean[:, None] + amp[:, None] * shape[None, :]).ravel()


def weather_from_temperature(
    time: pd.DatetimeIndex,
    t_out_c: np.ndarray,
    *,
    latitude_deg: float,
    longitude_deg: float,
    ghi_w_m2: np.ndarray | None = None,
    clearness: float = DEFAULT_CLEARNESS,
    name: str = "temperature-only weather",
):
    """A :class:`twin.ingest.epw.Weather` from hourly temperatures (and optionally GHI).

    Parameters
    ----------
    time : tz-aware DatetimeIndex
        Hourly interval ends in a fixed-offset time zone (the EPW convention).
    t_out_c
        Outdoor temperature of each hour, degC.
    latitude_deg, longitude_deg
        Site, for the sun's position.
    ghi_w_m2
        Global horizontal irradiance of each hour (W/m2); None: clear-sky times ``clearness``.
    clearness
        Global / clear-sky irradiance when ``ghi_w_m2`` is None.

    Raises
    ------
    InputError
        Times without a fixed UTC offset or not hourly, temperatures missing or outside
        :data:`T_BOUNDS_C`, a site outside the globe.
    """
    from twin.energy.solar import sun_position
    from twin.types.weather import Location, Weather

    time = pd.DatetimeIndex(time)
    if time.tz is None:
        raise InputError("weather times need a time zone", field="time")
    offsets = {time[i].utcoffset() for i in range(0, len(time), max(1, len(time) // 50))}
    if len(offsets) != 1:
        raise InputError("weather times must be in one fixed-offset (standard) time zone, not one with daylight saving", field="time")
    if len(time) < 2 or np.any(np.diff(time.as_unit("ns").asi8) != 3_600_000_000_000):
        raise InputError("weather must be hourly without gaps", field="time")
    t = np.asarray(t_out_c, dtype=float)
    if t.shape != (len(time),):
        raise InputError("one temperature per hour is needed", field="t_out_c")
    bad = ~np.isfinite(t) | (t < T_BOUNDS_C[0]) | (t > T_BOUNDS_C[1])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"temperature {t[i]} outside {T_BOUNDS_C} degC or missing", obj=f"hour {time[i]}", field="t_out_c")
    if not (-90 <= latitude_deg <= 90 and -180 <= longitude_deg <= 180):
        raise InputError("latitude / longitude outside the globe", field="latitude_deg")
    sun = sun_position(time, latitude_deg, longitude_deg)
    cosz = np.cos(np.radians(sun.zenith_deg))
    if ghi_w_m2 is None:
        ghi = clearness * clear_sky_ghi_w_m2(cosz)
    else:
        ghi = np.asarray(ghi_w_m2, dtype=float)
        if ghi.shape != (len(time),) or np.any(~np.isfinite(ghi)) or np.any(ghi < 0) or np.any(ghi > 1500):
            raise InputError("global irradiance must be finite, within 0-1500 W/m2, one value per hour", field="ghi_w_m2")
    with np.errstate(divide="ignore", invalid="ignore"):
        kt = np.where(cosz > 0.05, ghi / (sun.dni_extra_w_m2 * cosz), 0.0)
    kt = np.clip(np.nan_to_num(kt), 0.0, 1.0)
    dhi = np.where(cosz > 0.0, ghi * erbs_diffuse_fraction(kt), ghi)
    dni = np.where(cosz > 0.05, (ghi - dhi) / np.maximum(cosz, 0.05), 0.0)
    data = pd.DataFrame({"dry_bulb_c": t, "ghi_w_m2": ghi, "dni_w_m2": np.maximum(dni, 0.0), "dhi_w_m2": dhi,
                         "horizontal_ir_w_m2": np.nan}, index=time)
    data.index.name = "time"
    off = time[0].utcoffset().total_seconds() / 3600.0
    return Weather(data, Location(name, float(latitude_deg), float(longitude_deg), off, 0.0), name)


def check_daily_temperatures(table: pd.DataFrame, dates: pd.DatetimeIndex, path: Path) -> pd.DataFrame:
    """The temperatures of a daily table as numbers, each checked; an empty cell is missing (NaN).

    Parameters
    ----------
    table
        The table as read (``t_mean_c`` and optionally ``t_max_c``, ``t_min_c``).
    dates
        Its ``date`` column, parsed.
    path
        The file, named in errors.

    Returns
    -------
    pandas.DataFrame
        Columns ``t_mean_c``, ``t_max_c``, ``t_min_c`` (all-NaN when absent), degC, in table order.

    Raises
    ------
    SchemaError
        A cell that is not a number, a temperature outside :data:`T_BOUNDS_C` (Kelvin or
        Fahrenheit, an infinite value), or a day whose ``t_max_c`` is below its ``t_min_c`` or
        whose ``t_mean_c`` lies outside them: each names the file, the row and its date, and the
        column. Such values were read as missing (interpolated) or turned the day's curve upside
        down without a word.
    """
    out = pd.DataFrame(index=table.index)
    for col in ("t_mean_c", "t_max_c", "t_min_c"):
        if col not in table:
            out[col] = np.nan
            continue
        raw = table[col]
        num = pd.to_numeric(raw, errors="coerce")
        not_number = num.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        out_of_range = num.notna() & ~num.between(*T_BOUNDS_C)
        if not_number.any():
            i = int(np.flatnonzero(not_number.to_numpy())[0])
            raise SchemaError(f"not a number: {raw.iloc[i]!r}", path=path, obj=f"row {i + 2} ({dates[i]:%Y-%m-%d})", field=col)
        if out_of_range.any():
            i = int(np.flatnonzero(out_of_range.to_numpy())[0])
            raise SchemaError(f"temperature {num.iloc[i]:g} degC outside {T_BOUNDS_C} degC (Kelvin or Fahrenheit?)", path=path,
                              obj=f"row {i + 2} ({dates[i]:%Y-%m-%d})", field=col)
        out[col] = num.astype(float)
    tm, tx, tn = (out[c].to_numpy() for c in ("t_mean_c", "t_max_c", "t_min_c"))
    for bad, col, what in ((tx < tn, "t_max_c", "below t_min_c"), (tm < tn, "t_mean_c", "below t_min_c"),
                           (tm > tx, "t_mean_c", "above t_max_c")):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise SchemaError(f"{col} {out[col].iloc[i]:g} degC {what} {out[what.split()[1]].iloc[i]:g} degC", path=path,
                              obj=f"row {i + 2} ({dates[i]:%Y-%m-%d})", field=col)
    return out


def read_daily_temperatures(path: str | os.PathLike[str], *, utc_offset_h: float, latitude_deg: float, longitude_deg: float,
                            clearness: float = DEFAULT_CLEARNESS, report: list | None = None):
    """Hourly weather from a daily table (CSV: ``date``, ``t_mean_c``, ``t_max_c``, ``t_min_c``).

    Days missing from the table, or with no mean, are interpolated linearly from their
    neighbours (reported in ``report``); more than :data:`MAX_MISSING_DAYS` in a row is an error.
    Times are local standard time at ``utc_offset_h``.
    """
    from twin.io.paths import check_input_file

    path = Path(path)
    check_input_file(path, suffixes=(".csv",), max_bytes=64 * 1024**2, what="daily weather table", field="--daily-weather")
    try:
        table = pd.read_csv(path)
    except (ValueError, pd.errors.ParserError) as exc:
        raise SchemaError(f"not a readable CSV: {exc}", path=path) from None
    for col in ("date", "t_mean_c"):
        if col not in table:
            raise SchemaError("daily weather lacks a column", path=path, field=col)
    try:
        dates = pd.DatetimeIndex(pd.to_datetime(table["date"], format="%Y-%m-%d"))
    except ValueError as exc:
        raise SchemaError(f"dates must be YYYY-MM-DD: {exc}", path=path, field="date") from None
    if dates.has_duplicates or not dates.is_monotonic_increasing:
        raise SchemaError("dates must be increasing and unique", path=path, field="date")
    values = check_daily_temperatures(table, dates, path)
    full = pd.date_range(dates[0], dates[-1], freq="D")
    t = values.set_index(dates).reindex(full)
    tm = t["t_mean_c"]
    tx = t["t_max_c"]
    tn = t["t_min_c"]
    tm = tm.fillna((tx + tn) / 2.0)
    gap = tm.isna()
    if gap.any():
        run = (gap != gap.shift()).cumsum()[gap].value_counts().max()
        if run > MAX_MISSING_DAYS:
            raise InputError(f"{run} days in a row without a temperature (at most {MAX_MISSING_DAYS} are interpolated)", path=path, field="t_mean_c")
        tm = tm.interpolate(limit_direction="both")
        if report is not None:
            report.append({"step": "weather", "rows": int(gap.sum()), "detail": f"{int(gap.sum())} days without a daily mean temperature interpolated"})
    hourly = hourly_from_daily(full, tm.to_numpy(), tx.to_numpy(), tn.to_numpy())
    tz = dt.timezone(dt.timedelta(hours=utc_offset_h))
    start = pd.Timestamp(full[0]).tz_localize(tz) + pd.Timedelta(hours=1)
    time = pd.date_range(start, periods=len(hourly), freq="h")
    return weather_from_temperature(time, hourly, latitude_deg=latitude_deg, longitude_deg=longitude_deg, clearness=clearness, name=path.name)


#: Longest run of missing days interpolated.
MAX_MISSING_DAYS = 7

__all__ = ["DEFAULT_CLEARNESS", "check_daily_temperatures", "clear_sky_ghi_w_m2", "erbs_diffuse_fraction", "hourly_from_daily", "read_daily_temperatures",
           "weather_from_temperature"]
