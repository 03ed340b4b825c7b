"""Hourly profiles by day type and ventilation flows with their units (single-zone spec).

A *day schedule* gives 24 hourly values (value ``k`` holds for the hour ``k:00-k+1:00`` local
time) for each day type. The keys, from the most general to the most specific:

* ``all_days``: every day;
* ``weekday`` (Monday-Friday), ``weekend`` (Saturday and Sunday);
* ``saturday``, ``sunday``;
* ``holiday``: the dates of the spec's ``calendar.holidays`` (``MM-DD`` every year or
  ``YYYY-MM-DD``), which otherwise run as Sundays.

A day takes the most specific profile given (a Saturday: ``saturday``, else ``weekend``, else
``all_days``; a Monday: ``weekday``, else ``all_days``; a holiday: ``holiday``, else the
Sunday profile), and every day type must be covered.
The older form ``{weekday: [...], weekend: [...]}`` (weekend optional, then equal to weekday)
keeps its meaning. ``null`` in a setpoint profile switches the setpoint off in that hour.

Ventilation flows (:class:`Flow`) carry their unit and the air conditions the volume refers to:

* ``ach``: air changes per hour of the zone volume at site conditions;
* ``m3/h site``, ``m3/s site``, ``l/s site``: volume flow at the site air density ``rho_site``;
* ``m3/h standard``, ``m3/s standard``, ``l/s standard``: volume flow of *standard air*
  (ASHRAE: dry air at 20 degC and 101.325 kPa, :data:`STANDARD_AIR_DENSITY_KG_M3` = 1.204
  kg/m3), i.e. the mass flow ``rho_std V_std``. At a site above sea level the same mass flow is a
  larger volume, ``V_site = V_std rho_std / rho_site`` (ASHRAE 140 gives the case 650 vent fan
  as 1703.16 standard m3/h, to be converted to the site density of Denver, 1,609 m).

The conductance of a flow is ``H = m_dot c_p (1 - eta_hr)`` with ``m_dot`` in kg/s.

Site density at altitude ``Z`` (when the spec gives ``ventilation.site_altitude_m``): the
standard-atmosphere pressure ``p = 101.325 (1 - 2.25577e-5 Z)^5.2559`` kPa (ASHRAE Handbook -
Fundamentals 2017, ch. 1, eq. 3) and the ideal gas at 20 degC, ``rho = p / (R_da T)`` with
``R_da = 287.05 J/(kg K)``. For 1,609 m: p = 83.4 kPa, rho = 0.991 kg/m3, ratio 0.823 to
standard air (the 0.822 of the ISO 52016 BESTEST encoding). Without ``site_altitude_m`` the
site density comes from the weather file's mean station pressure at 20 degC.

References
----------
ASHRAE (2017). *ASHRAE Handbook - Fundamentals*, chapter 1 (Psychrometrics), eq. 3 and
"standard air" (1.204 kg/m3 at 20 degC, 101.325 kPa).
ANSI/ASHRAE Standard 140-2020, case 650 (night ventilation fan).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

HOURS_PER_DAY = 24
R_DRY_AIR_J_KGK = 287.05
"""Gas constant of dry air, J/(kg K) (ASHRAE Fundamentals 2017, ch. 1)."""
STANDARD_PRESSURE_PA = 101325.0
STANDARD_TEMPERATURE_C = 20.0
STANDARD_AIR_DENSITY_KG_M3 = STANDARD_PRESSURE_PA / (R_DRY_AIR_J_KGK * (STANDARD_TEMPERATURE_C + 273.15))
"""Density of ASHRAE standard air (20 degC, 101.325 kPa), 1.2041 kg/m3."""
ALTITUDE_RANGE_M = (-500.0, 9000.0)
"""Site altitude, m (Dead Sea shore -430 m; the formula's standard atmosphere holds to 11 km)."""

#: Day types a day belongs to, most specific first (Monday = 0).
_LOOKUP: dict[str, tuple[str, ...]] = {
    "weekday": ("weekday", "all_days"),
    "saturday": ("saturday", "weekend", "all_days"),
    "sunday": ("sunday", "weekend", "all_days"),
    "holiday": ("holiday", "sunday", "weekend", "all_days"),
}
DAY_KEYS = ("all_days", "weekday", "weekend", "saturday", "sunday", "holiday")

#: Volume flow units: m3/s per unit.
_VOLUME_UNITS = {"m3/h": 1.0 / 3600.0, "m3/s": 1.0, "l/s": 1.0e-3}
FLOW_UNITS = ("ach", *(f"{u} {c}" for u in _VOLUME_UNITS for c in ("site", "standard")))
"""Units of :attr:`Flow.unit`."""


def pressure_at_altitude_pa(altitude_m: float) -> float:
    """Standard-atmosphere pressure, Pa (ASHRAE Fundamentals 2017, ch. 1, eq. 3)."""
    return 101325.0 * (1.0 - 2.25577e-5 * altitude_m) ** 5.2559


def air_density_at_altitude_kg_m3(altitude_m: float, temperature_c: float = 20.0) -> float:
    """Dry-air density at ``altitude_m`` (standard atmosphere) and ``temperature_c``, kg/m3."""
    return pressure_at_altitude_pa(altitude_m) / (R_DRY_AIR_J_KGK * (temperature_c + 273.15))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class DaySchedule(_Model):
    """24 hourly values per day type (see the module docstring); ``null`` = off (setpoints)."""

    all_days: list[float | None] | None = None
    weekday: list[float | None] | None = None
    weekend: list[float | None] | None = None
    saturday: list[float | None] | None = None
    sunday: list[float | None] | None = None
    holiday: list[float | None] | None = None

    @field_validator(*DAY_KEYS)
    @classmethod
    def _24_hours(cls, v: list[float | None] | None) -> list[float | None] | None:
        if v is not None and len(v) != HOURS_PER_DAY:
            raise ValueError(f"a day profile has {HOURS_PER_DAY} hourly values (00:00-01:00 ... 23:00-24:00), got {len(v)}")
        return v

    @model_validator(mode="after")
    def _covered(self) -> DaySchedule:
        for day, keys in _LOOKUP.items():
            if all(getattr(self, k) is None for k in keys):
                # the older form: weekday alone stands for every day
                if day != "weekday" and self.weekday is not None and all(getattr(self, k) is None for k in ("weekend", "saturday", "sunday", "holiday")):
                    continue
                raise ValueError(f"no profile for {day}s: give one of {', '.join(keys)}")
        return self

    def resolved(self) -> dict[str, tuple[str, list[float | None]]]:
        """Profile of each day type (``weekday``, ``saturday``, ``sunday``, ``holiday``) with the key it comes from."""
        out: dict[str, tuple[str, list[float | None]]] = {}
        for day, keys in _LOOKUP.items():
            key = next((k for k in keys if getattr(self, k) is not None), "weekday")
            out[day] = (key, list(getattr(self, key)))
        return out

    def given(self) -> list[tuple[str, list[float | None]]]:
        """The profiles present in the spec, by key."""
        return [(k, list(getattr(self, k))) for k in DAY_KEYS if getattr(self, k) is not None]


def holiday_mask(time, holidays: Sequence[str] = ()) -> np.ndarray:
    """True for the hours (interval END stamps) whose day is in ``holidays`` (``MM-DD`` or ``YYYY-MM-DD``)."""
    start = time - np.timedelta64(1, "h")
    mask = np.zeros(len(time), dtype=bool)
    if not holidays:
        return mask
    md = np.asarray(start.strftime("%m-%d"))
    ymd = np.asarray(start.strftime("%Y-%m-%d"))
    for day in holidays:
        mask |= (md == day) if len(day) == 5 else (ymd == day)
    return mask


def hourly_values(sched: DaySchedule, time, holidays: Sequence[str] = ()) -> np.ndarray:
    """Hourly series (n_h,) of a day schedule on ``time`` (interval END stamps, as EPW); None -> NaN."""
    start = time - np.timedelta64(1, "h")  # interval start
    hour = np.asarray(start.hour)
    dow = np.asarray(start.day_of_week)
    res = sched.resolved()
    prof = {d: np.array([np.nan if v is None else v for v in vals], dtype=float) for d, (_, vals) in res.items()}
    out = np.where(dow == 5, prof["saturday"][hour], np.where(dow == 6, prof["sunday"][hour], prof["weekday"][hour]))
    if holidays:
        out = np.where(holiday_mask(time, holidays), prof["holiday"][hour], out)
    return out


def check_holiday(day: str) -> str:
    """``MM-DD`` or ``YYYY-MM-DD``, a real date (29 February allowed in ``MM-DD``); raises ValueError."""
    import datetime as dt

    text = day.strip()
    try:
        if len(text) == 5:
            dt.date.fromisoformat(f"2000-{text}")
        elif len(text) == 10:
            dt.date.fromisoformat(text)
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"a holiday is a date MM-DD (every year) or YYYY-MM-DD, got {day!r}") from None
    return text


def check_range(sched: DaySchedule, lo: float, hi: float, *, allow_null: bool) -> tuple[str, int, float | None] | None:
    """First (key, hour, value) outside [lo, hi] (or null when not allowed), else None."""
    for key, values in sched.given():
        for h, v in enumerate(values):
            if v is None:
                if not allow_null:
                    return key, h, None
            elif not (math.isfinite(v) and lo <= v <= hi):
                return key, h, v
    return None


class Flow(_Model):
    """One ventilation or infiltration air flow with its unit, heat recovery and schedule."""

    name: str = ""
    value: float = Field(ge=0)
    unit: str = Field(description=f"one of {', '.join(FLOW_UNITS)}")
    heat_recovery: float = Field(default=0.0, ge=0, le=1)
    schedule: DaySchedule | None = Field(default=None, description="multiplier of value by hour and day type, in [0, 1]")

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, v: str) -> str:
        norm = " ".join(v.split()).lower()
        if norm not in FLOW_UNITS:
            hint = " (say whether the volume is at site or standard conditions)" if norm in _VOLUME_UNITS else ""
            raise ValueError(f"unknown flow unit {v!r}{hint}; known units: {', '.join(FLOW_UNITS)}")
        return norm

    def mass_flow_kg_s(self, volume_m3: float, rho_site_kg_m3: float) -> float:
        """Mass flow at schedule value 1, kg/s."""
        if self.unit == "ach":
            return rho_site_kg_m3 * volume_m3 * self.value / 3600.0
        vol, cond = self.unit.split(" ")
        rho = rho_site_kg_m3 if cond == "site" else STANDARD_AIR_DENSITY_KG_M3
        return rho * self.value * _VOLUME_UNITS[vol]
