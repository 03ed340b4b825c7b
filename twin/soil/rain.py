"""Rain for the soil engine: from a weather file, a measured series, or a design storm.

Every function returns a :class:`RainSeries` (piecewise-constant intensity on intervals, SI
units). Missing values are errors, never zeros: a gap in a measured series raises
:class:`~twin.errors.InputError` naming the field and the first bad interval.

Design storms
-------------
* Block rain: ``depth_mm`` spread evenly over ``duration_s``.
* Chicago hyetograph (Keifer & Chu 1957) from an IDF curve in Sherman form
  ``i(D) = a / (D + b)^c`` (i in mm/h, D in minutes). The storm is built so that, for every
  duration D, its most intense D minutes hold the IDF depth ``P(D) = D i(D) / 60``, a fraction
  ``r`` of it before the peak: the cumulative depth ``t`` minutes before the peak is
  ``r P(t / r)`` and ``t`` minutes after it ``(1 - r) P(t / (1 - r))``. Each interval gets the
  difference of the cumulative depths at its edges, so the total is exactly ``P(duration)``.
  No IDF coefficients are shipped: take ``a, b, c`` for the return period wanted from the
  KMI/IRM IDF tables for Uccle (or a fit to them) and cite them in the scenario.

References
----------
Keifer, C.J. & Chu, H.H. (1957), Synthetic storm pattern for drainage design, J. Hydraul. Div.
ASCE 83(HY4):1332.1-1332.25.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import InputError


@dataclass
class RainSeries:
    """Rain intensity (m/s) on intervals ``[t_edges_s[k], t_edges_s[k+1])`` (s from the start).

    ``start`` is the time-zone-aware timestamp of ``t_edges_s[0]`` when known.
    """

    t_edges_s: np.ndarray
    rain_m_s: np.ndarray
    start: object = None
    source: str = ""

    @property
    def depth_mm(self) -> float:
        """Total depth, mm."""
        return float(np.sum(self.rain_m_s * np.diff(self.t_edges_s)) * 1000.0)

    @property
    def duration_s(self) -> float:
        return float(self.t_edges_s[-1] - self.t_edges_s[0])

    def extended(self, until_s: float) -> RainSeries:
        """The same rain followed by a dry spell up to ``until_s`` (s)."""
        if until_s <= self.t_edges_s[-1]:
            return self
        return RainSeries(np.append(self.t_edges_s, until_s), np.append(self.rain_m_s, 0.0), self.start, self.source)


def from_depths(depths_mm, step_s: float, *, field: str = "rain_mm", path=None, start=None) -> RainSeries:
    """A measured series of depths per step (mm); ``None``/NaN entries are gaps and raise."""
    if not step_s or step_s <= 0:
        raise InputError("the rain time step must be positive", path=path, field=f"{field}.step_s" if "." not in field else field)
    values = np.array([np.nan if v is None else v for v in depths_mm], dtype=float)
    if values.size == 0:
        raise InputError("empty rain series", path=path, field=field)
    gaps = ~np.isfinite(values)
    if gaps.any():
        k = int(np.flatnonzero(gaps)[0])
        raise InputError(f"gap in the rain series ({int(gaps.sum())} missing values)", path=path, obj=f"index {k}", field=field)
    if np.any(values < 0):
        k = int(np.flatnonzero(values < 0)[0])
        raise InputError("negative rain depth", path=path, obj=f"index {k}", field=field)
    edges = np.arange(len(values) + 1) * float(step_s)
    return RainSeries(edges, values / 1000.0 / step_s, start, "series")


def block_rain(depth_mm: float, duration_s: float, *, start_s: float = 0.0, end_s: float | None = None) -> RainSeries:
    """Constant intensity ``depth_mm / duration_s`` from ``start_s``, dry until ``end_s``."""
    if not (np.isfinite(depth_mm) and depth_mm >= 0):
        raise InputError(f"storm depth must be >= 0, got {depth_mm}", field="depth_mm")
    if not (np.isfinite(duration_s) and duration_s > 0):
        raise InputError(f"storm duration must be positive, got {duration_s}", field="duration_s")
    edges = [0.0] if start_s <= 0 else [0.0, float(start_s)]
    rates = [] if start_s <= 0 else [0.0]
    edges.append(float(start_s) + duration_s)
    rates.append(depth_mm / 1000.0 / duration_s)
    series = RainSeries(np.array(edges), np.array(rates), None, f"block {depth_mm} mm in {duration_s} s")
    return series.extended(end_s) if end_s is not None else series


def chicago_storm(
    a: float, b: float, c: float, *, duration_s: float, step_s: float = 300.0, peak_fraction: float = 0.4,
    start_s: float = 0.0, end_s: float | None = None,
) -> RainSeries:
    """Chicago (Keifer & Chu) hyetograph of an IDF curve ``i = a / (D + b)^c`` (mm/h, D minutes).

    Parameters
    ----------
    a, b, c
        IDF coefficients (``b`` in minutes).
    duration_s
        Storm duration, s (a whole number of steps).
    step_s
        Time step of the hyetograph, s.
    peak_fraction
        Position of the peak as a fraction of the duration (``r``, 0 < r < 1).
    """
    if not (a > 0 and b >= 0 and 0 < c < 1.5):
        raise InputError(f"implausible IDF coefficients a={a}, b={b}, c={c}", field="idf")
    if not 0 < peak_fraction < 1:
        raise InputError("peak_fraction must lie in (0, 1)", field="peak_fraction")
    n = int(round(duration_s / step_s))
    if n < 1 or abs(n * step_s - duration_s) > 1e-6 * step_s:
        raise InputError("the duration must be a whole number of steps", field="duration_s")

    def depth_mm(minutes):
        minutes = np.asarray(minutes, dtype=float)
        return a * minutes / (minutes + b) ** c / 60.0

    r = peak_fraction
    t_peak = r * duration_s
    edges = np.arange(n + 1) * step_s

    def cumulative(t):  # depth fallen from the start of the storm to time t (s)
        before = r * depth_mm(t_peak / 60.0 / r)
        if t <= t_peak:
            return before - r * depth_mm((t_peak - t) / 60.0 / r)
        return before + (1.0 - r) * depth_mm((t - t_peak) / 60.0 / (1.0 - r))

    cum = np.array([cumulative(t) for t in edges])
    rates = np.diff(cum) / 1000.0 / step_s
    series = RainSeries(edges + start_s, rates, None, f"Chicago a={a} b={b} c={c} r={r}")
    if start_s > 0:
        series = RainSeries(np.concatenate([[0.0], series.t_edges_s]), np.concatenate([[0.0], rates]), None, series.source)
    return series.extended(end_s) if end_s is not None else series


def from_weather(weather, *, start=None, end=None, path=None) -> RainSeries:
    """Hourly rain from a weather file's ``precip_mm`` (depth of the hour ending at each stamp).

    Parameters
    ----------
    weather
        A :class:`twin.ingest.epw.Weather` (or its ``data`` frame).
    start, end
        Optional time-zone-aware bounds (inclusive) of the interval ends to use.

    Raises
    ------
    InputError
        No ``precip_mm`` column, missing values, an irregular index (a gap in time), or a file
        whose precipitation is all zero (EPW files without rain data write zeros).
    """
    import pandas as pd

    data = weather.data if hasattr(weather, "data") else weather
    if "precip_mm" not in data:
        raise InputError("the weather has no precipitation column", path=path, field="precip_mm")
    frame = data
    if start is not None:
        frame = frame[frame.index >= pd.Timestamp(start)]
    if end is not None:
        frame = frame[frame.index <= pd.Timestamp(end)]
    if len(frame) == 0:
        raise InputError("no weather rows in the requested period", path=path, field="precip_mm")
    values = frame["precip_mm"].to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(f"missing precipitation ({int(bad.sum())} hours)", path=path, obj=str(frame.index[k]), field="precip_mm")
    if len(frame) > 1:
        steps = (frame.index[1:] - frame.index[:-1]).total_seconds().to_numpy()
        if np.any(np.abs(steps - 3600.0) > 1e-6):
            k = int(np.flatnonzero(np.abs(steps - 3600.0) > 1e-6)[0])
            raise InputError("gap or irregular step in the hourly rain series", path=path, obj=str(frame.index[k + 1]), field="precip_mm")
    if np.all(values == 0) and len(values) >= 24 * 30:
        raise InputError("the weather file holds no precipitation (all zero); use a design storm", path=path, field="precip_mm")
    start_stamp = frame.index[0] - pd.Timedelta(hours=1)
    edges = np.arange(len(values) + 1) * 3600.0
    return RainSeries(edges, values / 1000.0 / 3600.0, start_stamp, "weather precip_mm")
