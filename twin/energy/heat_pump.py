"""Hourly COP and seasonal performance factor of air-to-water and ground-source heat pumps.

Method (parameters per heat-pump kind in ``twin/data/heat_pumps.csv``, replaceable):

* **Supply temperature** from a linear heating curve:
  ``T_supply = T_room + (T_supply,design - T_room) (T_room - T_out) / (T_room - T_out,design)``,
  clipped to ``[t_supply_min_c, T_supply,design]`` (35 C for floor heating, 55 C for radiators).
* **Source temperature**: outdoor air (``air``); the undisturbed ground at ``ground_depth_m``
  (first annual harmonic of the weather file's air temperature damped and delayed with depth,
  Kusuda & Achenbach 1965) minus a constant ``brine_offset_k`` (``ground``); or (``borehole``) the
  mean brine temperature of a vertical borehole sized by the design specific extraction of
  VDI 4640-2 for the weather's full-load hours (``borehole_extraction_1800h_w_m``,
  ``borehole_extraction_2400h_w_m``, interpolated): that ground minus the line-source drawdown of the
  hourly extraction of ``borehole_years`` years and minus ``q'_run R_b``
  (:mod:`twin.energy.borehole`, :func:`borehole_source_temperature_c`).
* **COP**: a fixed fraction of the Carnot COP,
  ``COP = field_factor x eta_carnot x (T_supply + 273.15) / (T_supply - T_source)``, the lift
  floored at MIN_LIFT_K = 15 K. ``eta_carnot`` is the least-squares fit to the published COP fits of
  Staffell et al. (2012); ``field_factor`` 0.85 is the real-operation correction of when2heat
  (Ruhnau et al. 2019).
* **Source pump** (``source_pump_fraction``, optional): the brine pump's electric power as a
  fraction of the heating capacity, running with the compressor; it adds
  ``source_pump_fraction x heat`` to the electricity (effective COP ``1 / (1/COP + f)``), as the
  field SPF it is compared with counts it (empty: none beyond what the COP includes).
* **Backup**: below the bivalent point ``t_bivalent_c`` (air only) an electric resistance
  heater (``backup_efficiency`` 1) takes the whole load (bivalent-alternative operation).
* **SPF** = heat / electricity over the heating season, the hourly heat weighted by the
  degree-hours ``max(0, t_heating_limit_c - T_out)`` (or by a given hourly load).

A COP below 1 where the heat pump runs, non-finite temperatures, an unknown kind or a
parameter out of range raise :class:`twin.errors.InputError` naming the kind and field.

**User table** (``twin energy run --heat-pumps FILE.csv``): :func:`load_user_heat_pumps` reads a
CSV in the format of ``heat_pumps.csv``; its rows replace the packaged rows of the same kind
(``air_water``, ``ground_water``: the kinds the systems ``heat_pump_air_*`` / ``heat_pump_ground_*``
use). Besides the checks of :func:`check_params` it rejects infinite numbers, unknown or repeated
kinds, an empty table, and a COP below 1 at the design point (:func:`design_cop`). The columns of
``_OPTIONAL_NUM`` (source pump, borehole) may be left out: tables of the former format still load;
``source_model`` ``borehole`` needs them. The packaged ``ground_water`` row keeps the constant
brine offset (the borehole as sized by VDI 4640 gives brine 8-10 K colder than measured in the
field, docs/energy.md) and holds the borehole's documented values.
:func:`using_heat_pumps` makes a table the default of the accounts for the duration of a
``with`` block (the stock run then uses it without any other change).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from twin.errors import InputError, SchemaError
from twin.packaged import packaged_csv

PACKAGED_TABLE = "heat_pumps.csv"
SOURCE_MODELS = ("air", "ground", "borehole")
KELVIN = 273.15
#: Smallest temperature lift used in the Carnot COP, K: the lower end of the lifts the Staffell et al.
#: (2012) fits cover (the Carnot form overestimates the COP at smaller lifts; heat-exchanger approaches).
MIN_LIFT_K = 15.0
SECONDS_PER_YEAR = 8760 * 3600.0
#: Highest design supply temperature of the systems (``heat_pump_*_55``), degC: the design-point COP check.
MAX_DESIGN_SUPPLY_C = 55.0
#: Brine temperature of the borehole sizing point, degC: the EN 14511 rating point B0 (brine 0 C)
#: at which the evaporator capacity sized by ``borehole_extraction_w_m`` is taken.
BOREHOLE_SIZING_BRINE_C = 0.0
#: Convergence of the brine temperature <-> COP fixed point of the borehole model, K.
BOREHOLE_TOLERANCE_K = 1e-9
BOREHOLE_MAX_ITERATIONS = 100
_ACTIVE_TABLE: ContextVar[dict | None] = ContextVar("twin_heat_pump_table", default=None)


@dataclass(frozen=True)
class HeatPumpParams:
    """One row of the heat-pump table (temperatures in degC, see the module docstring)."""

    kind: str
    source_model: str
    eta_carnot: float
    field_factor: float
    t_bivalent_c: float
    backup_efficiency: float
    ground_depth_m: float
    ground_diffusivity_m2_s: float
    brine_offset_k: float
    t_out_design_c: float
    t_room_c: float
    t_supply_min_c: float
    t_heating_limit_c: float
    source_pump_fraction: float = float("nan")
    ground_conductivity_w_m_k: float = float("nan")
    borehole_radius_m: float = float("nan")
    borehole_resistance_m_k_w: float = float("nan")
    borehole_extraction_1800h_w_m: float = float("nan")
    borehole_extraction_2400h_w_m: float = float("nan")
    borehole_years: float = float("nan")


_NUM = ("eta_carnot", "field_factor", "t_bivalent_c", "backup_efficiency", "ground_depth_m", "ground_diffusivity_m2_s",
        "brine_offset_k", "t_out_design_c", "t_room_c", "t_supply_min_c", "t_heating_limit_c")
#: Columns a table may leave out (older tables): empty for the rows that do not use them.
_OPTIONAL_NUM = ("source_pump_fraction", "ground_conductivity_w_m_k", "borehole_radius_m", "borehole_resistance_m_k_w",
                 "borehole_extraction_1800h_w_m", "borehole_extraction_2400h_w_m", "borehole_years")


def load_heat_pumps(path: str | os.PathLike[str] | None = None) -> dict[str, HeatPumpParams]:
    """The heat-pump table (packaged ``twin/data/heat_pumps.csv`` or a CSV with the same columns).

    Raises
    ------
    SchemaError
        Missing column, unknown source model, a number missing or out of range (message names
        the file, the kind and the column).
    """
    if path is None:
        return dict(_packaged_heat_pumps())
    return _parse_heat_pumps(pd.read_csv(path), path)


@lru_cache(maxsize=1)
def _packaged_heat_pumps() -> dict[str, HeatPumpParams]:
    """The packaged table, parsed once per process (the Monte Carlo asks for it per sample)."""
    return _parse_heat_pumps(packaged_csv(PACKAGED_TABLE), None)


def _parse_heat_pumps(table: pd.DataFrame, path: str | os.PathLike[str] | None) -> dict[str, HeatPumpParams]:
    """Checked :class:`HeatPumpParams` by kind from the table read from ``path`` (None: packaged)."""
    out: dict[str, HeatPumpParams] = {}
    for col in ("kind", "source_model", *_NUM):
        if col not in table:
            raise SchemaError("heat-pump table lacks a column", path=path, field=col)
    for _, row in table.iterrows():
        kind = str(row["kind"])
        vals = {}
        for col in (*_NUM, *(c for c in _OPTIONAL_NUM if c in table)):
            v = pd.to_numeric(pd.Series([row[col]]), errors="coerce").iloc[0]
            if pd.isna(v) and str(row[col]).strip() not in ("", "nan"):
                raise SchemaError("not a number", path=path, obj=kind, field=col)
            vals[col] = float(v)
        p = HeatPumpParams(kind=kind, source_model=str(row["source_model"]), **vals)
        check_params(p, path=path)
        out[kind] = p
    return out


def design_cop(p: HeatPumpParams, t_supply_c: float = MAX_DESIGN_SUPPLY_C) -> float:
    """COP at the coldest hour the heat pump runs without backup, at supply ``t_supply_c``.

    Source temperature: ``max(t_out_design_c, t_bivalent_c)`` for air; for ground,
    ``t_out_design_c - brine_offset_k`` (a lower bound: the ground at depth is never colder than
    the design outdoor temperature); for borehole, ``t_out_design_c`` (the brine of a borehole
    sized by VDI 4640 stays near 0 C, above the design outdoor temperature).
    """
    if p.source_model == "air":
        t_src = p.t_out_design_c if not np.isfinite(p.t_bivalent_c) else max(p.t_out_design_c, p.t_bivalent_c)
    elif p.source_model == "ground":
        t_src = p.t_out_design_c - p.brine_offset_k
    else:
        t_src = p.t_out_design_c
    return float(carnot_cop(np.array([t_src]), t_supply_c, p.eta_carnot, p.field_factor)[0])


def load_user_heat_pumps(path: str | os.PathLike[str]) -> dict[str, HeatPumpParams]:
    """A user heat-pump table merged onto the packaged one (see the module docstring).

    Raises
    ------
    SchemaError
        Unreadable or empty file, missing column, unknown or repeated kind, a value not a number,
        not finite or out of range, or a COP below 1 at the design point; the message names the
        file, the row (CSV line and kind) and the column.
    """
    if not os.path.isfile(path):
        raise SchemaError("heat-pump table not found", path=path, field="--heat-pumps")
    from twin.io.csv_separator import check_separator

    check_separator(path, what="heat-pump table", field="--heat-pumps")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise SchemaError(f"heat-pump table is not a readable CSV ({exc.__class__.__name__})", path=path) from None
    for col in ("kind", "source_model", *_NUM):
        if col not in table:
            raise SchemaError("heat-pump table lacks a column", path=path, field=col)
    if table.empty:
        raise SchemaError("heat-pump table has no rows", path=path, field="kind")
    packaged = load_heat_pumps()
    out = dict(packaged)
    seen: set[str] = set()
    for i, row in table.iterrows():
        kind = str(row["kind"]).strip()
        obj = f"line {i + 2} ({kind or 'no kind'})"
        if kind not in packaged:
            raise SchemaError(f"unknown heat-pump kind {kind!r}; one of {', '.join(packaged)}", path=path, obj=obj, field="kind")
        if kind in seen:
            raise SchemaError("heat-pump kind listed twice", path=path, obj=obj, field="kind")
        seen.add(kind)
        vals = {}
        for col in (*_NUM, *(c for c in _OPTIONAL_NUM if c in table)):
            text = str(row[col]).strip()
            v = pd.to_numeric(pd.Series([text]), errors="coerce").iloc[0] if text else np.nan
            if text and pd.isna(v) and text.lower() != "nan":
                raise SchemaError(f"not a number: {text!r}", path=path, obj=obj, field=col)
            if np.isinf(v):
                raise SchemaError(f"not finite: {text!r}", path=path, obj=obj, field=col)
            vals[col] = float(v)
        p = HeatPumpParams(kind=kind, source_model=str(row["source_model"]).strip(), **vals)
        try:
            check_params(p)
        except SchemaError as exc:
            raise SchemaError(exc.message, path=path, obj=obj, field=exc.field) from None
        cop = design_cop(p)
        if not cop >= 1.0:
            raise SchemaError(f"COP {cop:.3f} below 1 at the design point (source {p.t_out_design_c} C, supply "
                              f"{MAX_DESIGN_SUPPLY_C:.0f} C); check eta_carnot / field_factor", path=path, obj=obj, field="eta_carnot")
        out[kind] = p
    return out


@contextmanager
def using_heat_pumps(table: dict[str, HeatPumpParams] | None) -> Iterator[None]:
    """Within the block, the heat-pump table of every call without ``table=`` is ``table``."""
    token = _ACTIVE_TABLE.set(table)
    try:
        yield
    finally:
        _ACTIVE_TABLE.reset(token)


def active_table() -> dict[str, HeatPumpParams]:
    """The heat-pump table calls without ``table=`` use: the one of :func:`using_heat_pumps`, or
    the packaged one."""
    return _ACTIVE_TABLE.get() or load_heat_pumps()


def scaled_table(table: dict[str, HeatPumpParams] | None, factor: float) -> dict[str, HeatPumpParams]:
    """``table`` (None: :func:`active_table`) with every row's ``field_factor`` times ``factor``.

    The Monte Carlo draw of the real-operation correction (prior ``heat_pump_cop`` of
    :mod:`twin.energy.priors`): the COP of every hour the heat pump runs scales by ``factor``,
    the backup heater's efficiency does not.

    Raises
    ------
    InputError
        ``factor`` not finite and > 0, or a scaled ``field_factor`` above 1.
    """
    from dataclasses import replace

    base = active_table() if table is None else table
    f = float(factor)
    if not (np.isfinite(f) and f > 0):
        raise InputError(f"COP factor {factor} must be a finite number > 0", field="heat_pump_cop")
    out = {}
    for kind, p in base.items():
        ff = p.field_factor * f
        if ff > 1.0 + 1e-12:
            raise InputError(f"field_factor {p.field_factor:g} x COP factor {f:g} = {ff:.3f} above 1", obj=kind, field="heat_pump_cop")
        out[kind] = replace(p, field_factor=min(ff, 1.0))
    return out


def check_params(p: HeatPumpParams, *, path=None) -> None:
    """Range checks of one parameter row (:class:`SchemaError` naming kind and field)."""
    if p.source_model not in SOURCE_MODELS:
        raise SchemaError(f"unknown source model {p.source_model!r}; one of {SOURCE_MODELS}", path=path, obj=p.kind, field="source_model")
    checks = {
        "eta_carnot": 0 < p.eta_carnot < 1,
        "field_factor": 0 < p.field_factor <= 1,
        "backup_efficiency": 0 < p.backup_efficiency <= 1,
        "t_room_c": np.isfinite(p.t_room_c),
        "t_out_design_c": np.isfinite(p.t_out_design_c) and p.t_out_design_c < p.t_room_c,
        "t_supply_min_c": np.isfinite(p.t_supply_min_c),
        "t_heating_limit_c": np.isfinite(p.t_heating_limit_c),
        "t_bivalent_c": np.isnan(p.t_bivalent_c) or -60 < p.t_bivalent_c < 30,
    }
    checks["source_pump_fraction"] = np.isnan(p.source_pump_fraction) or 0 <= p.source_pump_fraction < 1
    if p.source_model in ("ground", "borehole"):
        checks["ground_depth_m"] = np.isfinite(p.ground_depth_m) and p.ground_depth_m >= 0
        checks["ground_diffusivity_m2_s"] = np.isfinite(p.ground_diffusivity_m2_s) and p.ground_diffusivity_m2_s > 0
    if p.source_model == "ground":
        checks["brine_offset_k"] = np.isfinite(p.brine_offset_k) and p.brine_offset_k >= 0
    if p.source_model == "borehole":
        checks["ground_conductivity_w_m_k"] = np.isfinite(p.ground_conductivity_w_m_k) and p.ground_conductivity_w_m_k > 0
        checks["borehole_radius_m"] = np.isfinite(p.borehole_radius_m) and p.borehole_radius_m > 0
        checks["borehole_resistance_m_k_w"] = np.isfinite(p.borehole_resistance_m_k_w) and p.borehole_resistance_m_k_w >= 0
        checks["borehole_extraction_1800h_w_m"] = np.isfinite(p.borehole_extraction_1800h_w_m) and p.borehole_extraction_1800h_w_m > 0
        checks["borehole_extraction_2400h_w_m"] = np.isfinite(p.borehole_extraction_2400h_w_m) and p.borehole_extraction_2400h_w_m > 0
        checks["borehole_years"] = (np.isfinite(p.borehole_years) and p.borehole_years >= 1
                                    and float(p.borehole_years) == int(p.borehole_years))
    for field, ok in checks.items():
        if not ok:
            raise SchemaError(f"{field} = {getattr(p, field)} is missing or out of range", path=path, obj=p.kind, field=field)


def _params(kind: str | HeatPumpParams, table: dict[str, HeatPumpParams] | None) -> HeatPumpParams:
    if isinstance(kind, HeatPumpParams):
        check_params(kind)
        return kind
    if table is None:
        table = _ACTIVE_TABLE.get() or load_heat_pumps()
    if kind not in table:
        raise InputError(f"unknown heat-pump kind {kind!r}; known: {', '.join(table)}", field="heat_pump")
    return table[kind]


def _finite(t: np.ndarray, field: str, obj: str | None = None) -> np.ndarray:
    t = np.asarray(t, dtype=float)
    bad = ~np.isfinite(t)
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise InputError(f"temperature is not finite (value {t.ravel()[i]} at hour index {i})", obj=obj, field=field)
    return t


def carnot_cop(t_source_c, t_supply_c, eta_carnot: float, field_factor: float = 1.0) -> np.ndarray:
    """``field_factor x eta_carnot x (T_supply + 273.15) / max(T_supply - T_source, MIN_LIFT_K)``.

    Parameters
    ----------
    t_source_c, t_supply_c
        Source and supply temperatures, degC (broadcast).
    eta_carnot, field_factor
        Fraction of the Carnot COP and real-operation correction, dimensionless.
    """
    t_source = _finite(t_source_c, "t_source_c")
    t_supply = _finite(t_supply_c, "t_supply_c")
    lift = np.maximum(t_supply - t_source, MIN_LIFT_K)
    return field_factor * eta_carnot * (t_supply + KELVIN) / lift


def supply_temperature_c(t_out_c, t_supply_design_c: float, params: HeatPumpParams) -> np.ndarray:
    """Supply temperature of the linear heating curve, degC (see the module docstring)."""
    t_out = _finite(t_out_c, "t_out_c", params.kind)
    if not (np.isfinite(t_supply_design_c) and params.t_supply_min_c <= t_supply_design_c <= 80.0):
        raise InputError(f"design supply temperature {t_supply_design_c} C outside [{params.t_supply_min_c}, 80]",
                         obj=params.kind, field="t_supply_design_c")
    frac = (params.t_room_c - t_out) / (params.t_room_c - params.t_out_design_c)
    t = params.t_room_c + (t_supply_design_c - params.t_room_c) * frac
    return np.clip(t, params.t_supply_min_c, t_supply_design_c)


def ground_temperature_c(t_out_c, depth_m: float, diffusivity_m2_s: float) -> np.ndarray:
    """Undisturbed ground temperature at ``depth_m`` for each hour of a periodic year, degC.

    The air temperature's mean and first annual harmonic (``a cos wt + b sin wt``, t = hour
    of the series) are propagated into a semi-infinite solid: amplitude times ``exp(-z/d)``,
    phase delayed by ``z/d``, damping depth ``d = sqrt(2 alpha / w)`` (Kusuda & Achenbach 1965).
    """
    t_out = _finite(t_out_c, "t_out_c")
    n = t_out.size
    w = 2 * np.pi / n  # per hour: one period = the series (a year)
    h = np.arange(n)
    a = 2.0 / n * np.sum(t_out * np.cos(w * h))
    b = 2.0 / n * np.sum(t_out * np.sin(w * h))
    omega_s = 2 * np.pi / SECONDS_PER_YEAR
    d = np.sqrt(2.0 * diffusivity_m2_s / omega_s)
    damp = np.exp(-depth_m / d)
    lag = depth_m / d
    return t_out.mean() + damp * (a * np.cos(w * h - lag) + b * np.sin(w * h - lag))


def source_temperature_c(t_out_c, params: HeatPumpParams, t_supply_design_c: float | None = None, *,
                         heat_kwh=None) -> np.ndarray:
    """Hourly source temperature, degC: outdoor air, ground at depth minus the brine offset, or
    the borehole's brine (:func:`borehole_source_temperature_c`, which needs ``t_supply_design_c``
    and takes the hourly heat ``heat_kwh``, default :func:`heating_weights`)."""
    t_out = _finite(t_out_c, "t_out_c", params.kind)
    if params.source_model == "air":
        return t_out.copy()
    if params.source_model == "ground":
        return ground_temperature_c(t_out, params.ground_depth_m, params.ground_diffusivity_m2_s) - params.brine_offset_k
    if t_supply_design_c is None:
        raise InputError("the borehole source needs the design supply temperature", obj=params.kind, field="t_supply_design_c")
    return borehole_source_temperature_c(t_out, params, t_supply_design_c, heat_kwh=heat_kwh)


def design_load_fraction(t_out_c, params: HeatPumpParams, heat_kwh=None) -> np.ndarray:
    """Hourly heat as a fraction of the design heat load (dimensionless, (n_h,)).

    Degree-hours ``w = max(0, t_heating_limit_c - T_out)`` over their value at the design outdoor
    temperature, ``t_heating_limit_c - t_out_design_c``. A given hourly heat ``heat_kwh`` is
    scaled to the degree-hours' annual total first: the design load is that of a building with
    the same annual heat and a load proportional to the degree-hours.
    """
    t_out = _finite(t_out_c, "t_out_c", params.kind)
    w = heating_weights(t_out, params)
    w_design = params.t_heating_limit_c - params.t_out_design_c
    if w_design <= 0:
        raise SchemaError(f"t_heating_limit_c {params.t_heating_limit_c} must be above t_out_design_c {params.t_out_design_c}",
                          obj=params.kind, field="t_heating_limit_c")
    if heat_kwh is None:
        return w / w_design
    q = _finite(heat_kwh, "heat_kwh", params.kind)
    if q.shape != t_out.shape or (q < 0).any() or q.sum() <= 0 or w.sum() <= 0:
        raise InputError("hourly heat must be >= 0, not all zero, one value per hour of the weather", obj=params.kind, field="heat_kwh")
    return q * (w.sum() / q.sum()) / w_design


def borehole_source_temperature_c(t_out_c, params: HeatPumpParams, t_supply_design_c: float, *, heat_kwh=None) -> np.ndarray:
    """Mean brine temperature of the borehole while the heat pump runs, each hour, degC.

    The borehole is sized so that the evaporator capacity at the design load and the rating point
    B0 (:data:`BOREHOLE_SIZING_BRINE_C`) at the design supply extracts ``q'_design`` per metre
    (VDI 4640-2 sizing): :func:`borehole_design_extraction_w_m`. Each hour the evaporator takes ``heat x (1 - 1/COP)``: per metre
    the mean extraction is ``q'_design x load x (1 - 1/COP) / (1 - 1/COP_B0)`` (load:
    :func:`design_load_fraction`), and while the unit runs (on/off at its design capacity, or
    continuously above it) ``q'_design x max(load, 1) x (1 - 1/COP) / (1 - 1/COP_B0)`` (0 in hours
    without heat). The brine temperature (:func:`twin.energy.borehole.mean_fluid_temperature_c`)
    below the undisturbed ground (:func:`ground_temperature_c`) sets the COP, which sets the
    extraction: fixed point to :data:`BOREHOLE_TOLERANCE_K`.

    Raises
    ------
    InputError
        The fixed point does not converge in :data:`BOREHOLE_MAX_ITERATIONS`.
    """
    from twin.energy.borehole import mean_fluid_temperature_c

    p = params
    t_out = _finite(t_out_c, "t_out_c", p.kind)
    t_ground = ground_temperature_c(t_out, p.ground_depth_m, p.ground_diffusivity_m2_s)
    t_sup = supply_temperature_c(t_out, t_supply_design_c, p)
    load = design_load_fraction(t_out, p, heat_kwh)
    cop_sizing = float(carnot_cop(np.array([BOREHOLE_SIZING_BRINE_C]), t_supply_design_c, p.eta_carnot, p.field_factor)[0])
    if cop_sizing <= 1.0:
        raise InputError(f"COP {cop_sizing:.3f} at the sizing point B0 / W{t_supply_design_c:g} is not above 1; "
                         "check eta_carnot / field_factor", obj=p.kind, field="eta_carnot")
    q_design = borehole_design_extraction_w_m(float(load.sum()), p)
    per_evap = q_design / (1.0 - 1.0 / cop_sizing)  # W/m per unit of design heat load and evaporator share
    running = np.where(load > 0, np.maximum(load, 1.0), 0.0)
    t_src = t_ground
    for _ in range(BOREHOLE_MAX_ITERATIONS):
        evap = 1.0 - 1.0 / carnot_cop(t_src, t_sup, p.eta_carnot, p.field_factor)
        new = mean_fluid_temperature_c(t_ground, per_evap * load * evap, per_evap * running * evap, years=int(p.borehole_years),
                                       radius_m=p.borehole_radius_m, conductivity_w_m_k=p.ground_conductivity_w_m_k,
                                       diffusivity_m2_s=p.ground_diffusivity_m2_s, resistance_m_k_w=p.borehole_resistance_m_k_w)
        if np.max(np.abs(new - t_src)) <= BOREHOLE_TOLERANCE_K:
            return new
        t_src = new
    raise InputError(f"brine temperature did not converge in {BOREHOLE_MAX_ITERATIONS} iterations (last change "
                     f"{np.max(np.abs(new - t_src)):.2e} K); check borehole_extraction_2400h_w_m / ground_conductivity_w_m_k",
                     obj=p.kind, field="borehole_extraction_2400h_w_m")


def borehole_design_extraction_w_m(full_load_hours_h: float, params: HeatPumpParams) -> float:
    """Design specific extraction of the borehole, W/m, for the year's full-load hours.

    VDI 4640-2 gives it for 1800 and 2400 full-load hours of the heat pump
    (``borehole_extraction_1800h_w_m``, ``borehole_extraction_2400h_w_m``); linear in between,
    the nearer value outside (the table gives no other).
    """
    return float(np.interp(full_load_hours_h, [1800.0, 2400.0],
                           [params.borehole_extraction_1800h_w_m, params.borehole_extraction_2400h_w_m]))


def hourly_cop(t_out_c, kind: str | HeatPumpParams, t_supply_design_c: float, *, table=None, heat_kwh=None) -> np.ndarray:
    """Effective COP of every hour (heat / electricity), backup heater below the bivalent point.

    The electricity includes the source pump (``source_pump_fraction``): ``1 / (1/COP + f)``.

    Parameters
    ----------
    t_out_c
        Hourly outdoor air temperature, degC (a whole periodic year for ground sources).
    kind
        Row of the heat-pump table (``air_water``, ``ground_water``) or a :class:`HeatPumpParams`.
    t_supply_design_c
        Supply temperature at the design outdoor temperature, degC (35 floor heating, 55 radiators).
    table
        Heat-pump table (default :func:`load_heat_pumps`).
    heat_kwh
        Hourly heat delivered (n_h,), the extraction profile of a borehole source (default
        :func:`heating_weights`); other sources ignore it.

    Raises
    ------
    InputError
        Non-finite temperature, unknown kind, or a heat-pump COP below 1 in an hour where the
        heat pump runs (message gives the COP, the hour and the temperatures).
    """
    p = _params(kind, table)
    t_out = _finite(t_out_c, "t_out_c", p.kind)
    t_sup = supply_temperature_c(t_out, t_supply_design_c, p)
    t_src = source_temperature_c(t_out, p, t_supply_design_c, heat_kwh=heat_kwh)
    cop = carnot_cop(t_src, t_sup, p.eta_carnot, p.field_factor)
    backup = t_out < p.t_bivalent_c if np.isfinite(p.t_bivalent_c) else np.zeros(t_out.shape, bool)
    low = (cop < 1.0) & ~backup
    if low.any():
        i = int(np.flatnonzero(low)[0])
        raise InputError(f"heat-pump COP {cop[i]:.3f} below 1 at hour index {i} (source {t_src[i]:.1f} C, supply "
                         f"{t_sup[i]:.1f} C); check eta_carnot / field_factor", obj=p.kind, field="eta_carnot")
    if np.isfinite(p.source_pump_fraction) and p.source_pump_fraction > 0:
        cop = 1.0 / (1.0 / cop + p.source_pump_fraction)
    return np.where(backup, p.backup_efficiency, cop)


def heating_weights(t_out_c, params: HeatPumpParams) -> np.ndarray:
    """Degree-hours ``max(0, t_heating_limit_c - T_out)``, the default hourly heat profile, K h."""
    return np.maximum(params.t_heating_limit_c - _finite(t_out_c, "t_out_c", params.kind), 0.0)


def seasonal_performance_factor(t_out_c, kind: str | HeatPumpParams, t_supply_design_c: float, *,
                                heat_kwh=None, table=None) -> float:
    """SPF = sum(heat) / sum(heat / COP) over the year (dimensionless).

    ``heat_kwh`` (n_h,) is the hourly heat delivered (default: :func:`heating_weights`).
    """
    p = _params(kind, table)
    cop = hourly_cop(t_out_c, p, t_supply_design_c, heat_kwh=heat_kwh)
    q = heating_weights(t_out_c, p) if heat_kwh is None else _finite(heat_kwh, "heat_kwh", p.kind)
    if q.shape != cop.shape or (q < 0).any() or q.sum() <= 0:
        raise InputError("hourly heat must be >= 0, not all zero, one value per hour of the weather", obj=p.kind, field="heat_kwh")
    return float(q.sum() / np.sum(q / cop))


def monthly_cop(t_out_c, month_index, kind: str | HeatPumpParams, t_supply_design_c: float, *, table=None) -> np.ndarray:
    """Degree-hour-weighted COP of each calendar month (12,): a month's heat / its electricity.

    A month without degree-hours gets the plain mean COP of its hours (no heat is served then).
    """
    p = _params(kind, table)
    cop = hourly_cop(t_out_c, p, t_supply_design_c)
    q = heating_weights(t_out_c, p)
    m = np.asarray(month_index, dtype=np.int64)
    heat = np.bincount(m, weights=q, minlength=12)
    elec = np.bincount(m, weights=q / cop, minlength=12)
    mean = np.bincount(m, weights=cop, minlength=12) / np.maximum(np.bincount(m, minlength=12), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(elec > 0, heat / np.where(elec > 0, elec, 1.0), mean)


__all__ = [
    "HeatPumpParams",
    "MIN_LIFT_K",
    "active_table",
    "borehole_design_extraction_w_m",
    "borehole_source_temperature_c",
    "carnot_cop",
    "check_params",
    "design_cop",
    "design_load_fraction",
    "ground_temperature_c",
    "heating_weights",
    "hourly_cop",
    "load_heat_pumps",
    "load_user_heat_pumps",
    "monthly_cop",
    "scaled_table",
    "seasonal_performance_factor",
    "source_temperature_c",
    "supply_temperature_c",
    "using_heat_pumps",
]
