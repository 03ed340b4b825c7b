"""Renovation measures as data: what they change in the envelope table, and what they cost.

The measures live in ``twin/data/energy_measures.csv`` and, for the system switches that
replace only some generators, ``twin/data/energy_measures_heat_pumps.csv`` (the packaged table
is both; replaceable: pass ``table=`` or a path), one row per measure with the columns

``measure, kind, added_r_m2k_w, target_u_w_m2k, g_window, n_air_inf_1_h, eta_hr, system,
replaces, cost_eur, cost_unit, description, source, cost_source``

(``replaces`` optional).

=================  ==================================================================================
kind               effect on the envelope table (:mod:`twin.energy.model`)
=================  ==================================================================================
wall, roof, floor  ``added_r_m2k_w``: ``U' = 1 / (1/U + R)``; or ``target_u_w_m2k``: ``U' = U_target``
                   where ``U > U_target`` (only those buildings are affected)
window             ``U' = target_u_w_m2k`` where lower than U, and ``g' = g_window``
airtightness       ``n_air_inf_1_h`` where lower than the building's
ventilation        heat recovery efficiency ``eta_hr`` on the use air change (adds fan electricity)
system             heat generator, one of :data:`SYSTEMS` (``heat_pump``, ``gas_boiler_condensing``,
                   ``heat_pump_air_55`` and the other hourly-COP heat pumps of
                   :data:`twin.energy.results.HOURLY_HEAT_PUMPS`..., ``district_heating`` and the
                   part-load boilers ``*_partload`` of :mod:`twin.energy.systems`;
                   costed per kW of the simulated peak heating load); ``replaces`` (system
                   names separated by spaces, optional) limits it to the buildings whose current
                   system is one of them (e.g. gas boilers only), empty: every building
pv                 rooftop photovoltaics on the suitable roofs of the solar cadastre, when the envelope
                   table carries them (:data:`SOLAR_COLUMNS`, :func:`attach_pv_yield`): ``pv_kwp`` and
                   ``pv_ac_kwh_year`` of the building's roofs of class excellent or good
                   (:mod:`twin.solar.cadastre`: tilt, azimuth, shading by neighbours, usable area and
                   module layout, PVWatts DC/AC chain); a building without a suitable roof is not
                   affected. Without those columns (a stock run with no scene geometry at hand):
                   ``pv_kwp = a_roof x pv_roof_fraction x pv_module_kwp_m2`` and the flat yield of
                   :func:`twin.energy.results.account_arrays`
=================  ==================================================================================

``cost_unit``: ``m2_element`` (area of the changed element), ``m2_floor`` (heated floor area),
``kw_peak`` (peak heating power after the other measures, priced once the stock has been
simulated), ``kwp`` (PV peak power), ``building`` (lump sum).

Every changed parameter's ``<name>_source`` becomes ``measure <id>``; :func:`apply_measures`
also returns the quantity and cost per building and measure.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from twin.energy.model import ORIENTATIONS, load_factors
from twin.errors import InputError, SchemaError
from twin.packaged import packaged_csv

PACKAGED_TABLE = "energy_measures.csv"
#: Further packaged measure tables (same columns), appended to :data:`PACKAGED_TABLE`.
PACKAGED_EXTRA_TABLES = ("energy_measures_heat_pumps.csv",)
KINDS = ("wall", "roof", "floor", "window", "airtightness", "ventilation", "system", "pv")
COST_UNITS = ("m2_element", "m2_floor", "kw_peak", "kwp", "building")
SYSTEMS = ("gas_boiler", "gas_boiler_condensing", "oil_boiler", "electric_direct", "heat_pump", "heat_pump_air_35",
           "heat_pump_air_55", "heat_pump_ground_35", "heat_pump_ground_55", "district_heating", "gas_boiler_partload",
           "gas_boiler_condensing_partload", "oil_boiler_partload")  # = twin.energy.results.SYSTEMS + OPT_IN_SYSTEMS
_REQUIRED = ("measure", "kind", "cost_eur", "cost_unit")
_NUMERIC = ("added_r_m2k_w", "target_u_w_m2k", "g_window", "n_air_inf_1_h", "eta_hr", "cost_eur")

#: Envelope columns carrying the solar cadastre's PV of a building's suitable roofs (numbers, so
#: they follow the building into Monte Carlo sample rows): peak power, kWp, and AC yield, kWh/year.
SOLAR_COLUMNS = ("solar_pv_kwp", "solar_pv_ac_kwh_year")


def load_measures(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The measure table (packaged, or a user CSV/YAML with the same columns), indexed by ``measure``.

    Raises
    ------
    SchemaError
        Missing column, unknown kind/cost unit/system, a measure without an effect, or a number
        out of range; the message names the file, the measure and the column.
    """
    if path is None:
        parts = []
        for name in (PACKAGED_TABLE, *PACKAGED_EXTRA_TABLES):
            parts.append(packaged_csv(name))
        table = pd.concat(parts, ignore_index=True)
    else:
        table = _read_measure_file(path)
    return check_measures(table, path=path)


def _read_measure_file(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The rows of a user measure table (CSV, or YAML: a list or a mapping by measure id).

    Raises
    ------
    SchemaError
        A path that is no readable file, a file that cannot be parsed, or a table without rows,
        naming the file and ``--measures``.
    """
    import yaml

    from twin.io.paths import check_input_file
    from twin.io.yaml_file import unique_key_loader

    check_input_file(path, field="--measures", what="measure table")
    try:
        if str(path).lower().endswith((".yaml", ".yml")):
            with open(path, encoding="utf-8") as fh:
                data = yaml.load(fh, Loader=unique_key_loader())  # a safe loader that refuses a key given twice
            rows = data.get("measures", data) if isinstance(data, dict) else data
            if isinstance(rows, dict):
                rows = [{"measure": k, **v} for k, v in rows.items()]
            _check_yaml_numbers(rows, path)
            table = pd.DataFrame(rows)
        else:
            from twin.io.csv_separator import check_separator

            check_separator(path, what="measure table", field="--measures")
            table = pd.read_csv(path, keep_default_na=False, na_values=[""])  # a written 'nan' stays text: refused below
    except (OSError, ValueError, TypeError, AttributeError, yaml.YAMLError) as exc:
        raise SchemaError(f"cannot read the measure table: {' '.join(str(exc).split())}", path=path, field="--measures") from None
    if table.empty:
        raise SchemaError("the measure table has no rows", path=path, field="measure")
    return table


def _check_yaml_numbers(rows, path) -> None:
    """Refuse a ``.nan``/``.inf`` in a YAML measure table (a NaN would read as a value left out)."""
    if not isinstance(rows, list):
        return
    for row in rows:
        if not isinstance(row, dict):
            continue
        for key, value in row.items():
            if isinstance(value, float) and not np.isfinite(value):
                raise SchemaError(f"not a finite number: {value!r}", path=path, obj=row.get("measure"), field=str(key))


def check_measures(table: pd.DataFrame, *, path=None) -> pd.DataFrame:
    """Validate a measure table and index it by ``measure`` (see :func:`load_measures`)."""
    for col in _REQUIRED:
        if col not in table:
            raise SchemaError("measure table lacks a column", path=path, field=col)
    table = table.copy()
    for col in (*_NUMERIC, "system", "replaces", "description", "source", "cost_source"):
        if col not in table:
            table[col] = np.nan if col in _NUMERIC else ""
    for col in _NUMERIC:
        values = pd.to_numeric(table[col], errors="coerce")
        written = table[col].notna() & (table[col].astype(str).str.strip() != "")
        bad = ~np.isfinite(values.astype(float)) & written
        if bad.any():
            raise SchemaError(f"not a finite number: {str(table[col][bad].iloc[0]).strip()!r}", path=path,
                              obj=table["measure"][bad].iloc[0], field=col)
        table[col] = values
    for _i, row in table.iterrows():
        m = row["measure"]
        if row["kind"] not in KINDS:
            raise SchemaError(f"unknown kind {row['kind']!r}; one of {KINDS}", path=path, obj=m, field="kind")
        if row["cost_unit"] not in COST_UNITS:
            raise SchemaError(f"unknown cost unit {row['cost_unit']!r}; one of {COST_UNITS}", path=path, obj=m, field="cost_unit")
        if not np.isfinite(row["cost_eur"]) or row["cost_eur"] < 0:
            raise SchemaError("cost must be a number >= 0", path=path, obj=m, field="cost_eur")
        k = row["kind"]
        if k in ("wall", "roof", "floor"):
            r, u = row["added_r_m2k_w"], row["target_u_w_m2k"]
            if np.isfinite(r) == np.isfinite(u):
                raise SchemaError("give exactly one of added_r_m2k_w and target_u_w_m2k", path=path, obj=m, field="added_r_m2k_w")
            if (np.isfinite(r) and r <= 0) or (np.isfinite(u) and u <= 0):
                raise SchemaError("added resistance / target U must be > 0", path=path, obj=m, field="added_r_m2k_w" if np.isfinite(r) else "target_u_w_m2k")
        if k == "window":
            if not (np.isfinite(row["target_u_w_m2k"]) and row["target_u_w_m2k"] > 0):
                raise SchemaError("window measure needs target_u_w_m2k > 0", path=path, obj=m, field="target_u_w_m2k")
            if np.isfinite(row["g_window"]) and not 0 <= row["g_window"] <= 1:
                raise SchemaError("g_window must be within [0, 1]", path=path, obj=m, field="g_window")
        if k == "airtightness" and not (np.isfinite(row["n_air_inf_1_h"]) and row["n_air_inf_1_h"] >= 0):
            raise SchemaError("airtightness measure needs n_air_inf_1_h >= 0", path=path, obj=m, field="n_air_inf_1_h")
        if k == "ventilation" and not (np.isfinite(row["eta_hr"]) and 0 <= row["eta_hr"] < 1):
            raise SchemaError("ventilation measure needs 0 <= eta_hr < 1", path=path, obj=m, field="eta_hr")
        if k == "system" and row["system"] not in SYSTEMS:
            raise SchemaError(f"unknown system {row['system']!r}; one of {SYSTEMS}", path=path, obj=m, field="system")
        repl = replaced_systems(row.get("replaces"))
        if repl and k != "system":
            raise SchemaError("replaces is for measures of kind system", path=path, obj=m, field="replaces")
        bad = [x for x in repl if x not in SYSTEMS]
        if bad:
            raise SchemaError(f"unknown system {bad[0]!r} in replaces; one of {SYSTEMS}", path=path, obj=m, field="replaces")
        if k == "system" and row["system"] in repl:
            raise SchemaError(f"replaces lists the measure's own system {row['system']!r}", path=path, obj=m, field="replaces")
    if table["measure"].duplicated().any():
        raise SchemaError("measure listed twice", path=path, obj=table["measure"][table["measure"].duplicated()].iloc[0], field="measure")
    return table.set_index("measure", drop=False)


def replaced_systems(value) -> tuple[str, ...]:
    """The system names of a measure's ``replaces`` cell (spaces or commas between them; empty:
    none, i.e. the measure replaces any system)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ()
    return tuple(x for x in str(value).replace(",", " ").split() if x)


def _areas(env: pd.DataFrame, kind: str) -> np.ndarray:
    if kind == "wall":
        return sum(env[f"a_wall_{o}_m2"].to_numpy(dtype=float) for o in ORIENTATIONS)
    if kind == "window":
        return sum(env[f"a_win_{o}_m2"].to_numpy(dtype=float) for o in (*ORIENTATIONS, "h"))
    return env[f"a_{kind}_m2"].to_numpy(dtype=float)


def apply_measures(
    env: pd.DataFrame,
    measures: str | Sequence[str],
    *,
    table: pd.DataFrame | None = None,
    buildings: Iterable[str] | None = None,
    factors: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply renovation measures to an envelope table.

    Parameters
    ----------
    env
        Envelope table (:mod:`twin.energy.model`).
    measures
        Measure id(s) of the measure table, applied in order.
    table
        Measure table (default :func:`load_measures`).
    buildings
        Building ids the measures apply to (default: all).
    factors
        Factor table (PV sizing).

    Returns
    -------
    env : pandas.DataFrame
        A changed copy; each changed ``<name>_source`` reads ``measure <id>``.
    costs : pandas.DataFrame
        One row per affected building and measure: ``building_id``, ``measure``, ``quantity``,
        ``cost_unit``, ``unit_cost_eur``, ``investment_eur`` (NaN for ``kw_peak`` measures until
        :func:`price_peak_measures` has the simulated peak).

    Raises
    ------
    InputError
        Unknown measure id or building id.
    """
    if table is None:
        table = load_measures()
    f = {**load_factors(), **(factors or {})}
    if isinstance(measures, str):
        measures = [measures]
    env = env.copy()
    if "pv_kwp" not in env:
        env["pv_kwp"] = 0.0
        env["pv_kwp_source"] = "default: no PV"
    ids = env["building_id"].astype(str).to_numpy()
    scope = np.ones(len(env), dtype=bool)
    if buildings is not None:
        wanted = set(map(str, buildings))
        unknown = wanted - set(ids)
        if unknown:
            raise InputError("measure scope names a building that is not in the stock", obj=sorted(unknown)[0], field="buildings")
        # hashed (np.isin sorts object arrays); an object index, not pandas' string dtype, whose isin goes through a Python loop
        scope = pd.Index(ids, dtype=object).isin(list(wanted))
    records = []
    for mid in measures:
        if mid not in table.index:
            raise InputError(f"unknown measure; known: {', '.join(table.index)}", obj=mid, field="measure")
        m = table.loc[mid]
        kind = m["kind"]
        label = f"measure {mid}"
        qty = np.zeros(len(env))
        affected = scope.copy()
        if kind in ("wall", "roof", "floor", "window"):
            col = f"u_{kind}_w_m2k"
            u = env[col].to_numpy(dtype=float)
            area = _areas(env, kind)
            affected &= area > 0
            if np.isfinite(m["added_r_m2k_w"]):
                with np.errstate(divide="ignore"):
                    new_u = 1.0 / (1.0 / u + m["added_r_m2k_w"])
            else:
                affected &= u > m["target_u_w_m2k"]
                new_u = np.full(len(env), m["target_u_w_m2k"])
            env.loc[affected, col] = new_u[affected]
            env.loc[affected, f"{col}_source"] = label
            if kind == "window" and np.isfinite(m["g_window"]):
                env.loc[affected, "g_window"] = m["g_window"]
                env.loc[affected, "g_window_source"] = label
            qty = area
        elif kind == "airtightness":
            affected &= env["n_air_inf_1_h"].to_numpy(dtype=float) > m["n_air_inf_1_h"]
            env.loc[affected, "n_air_inf_1_h"] = m["n_air_inf_1_h"]
            env.loc[affected, "n_air_inf_1_h_source"] = label
            qty = env["a_f_m2"].to_numpy(dtype=float)
        elif kind == "ventilation":
            affected &= env["eta_hr"].to_numpy(dtype=float) < m["eta_hr"]
            env.loc[affected, "eta_hr"] = m["eta_hr"]
            env.loc[affected, "eta_hr_source"] = label
            qty = env["a_f_m2"].to_numpy(dtype=float)
        elif kind == "system":
            current = env["system"].astype(str).to_numpy()
            affected &= current != m["system"]
            repl = replaced_systems(m.get("replaces"))
            if repl:
                affected &= np.isin(current, repl)
            env.loc[affected, "system"] = m["system"]
            env.loc[affected, "system_source"] = label
            qty = np.full(len(env), np.nan)  # peak load known after simulation
        elif kind == "pv":
            if all(c in env for c in SOLAR_COLUMNS):  # the solar cadastre's suitable roofs
                kwp = np.nan_to_num(env["solar_pv_kwp"].to_numpy(dtype=float))
                ac = np.nan_to_num(env["solar_pv_ac_kwh_year"].to_numpy(dtype=float))
                affected &= kwp > 0
                if "pv_ac_kwh_year" not in env:
                    env["pv_ac_kwh_year"] = np.nan
                env.loc[affected, "pv_kwp"] = kwp[affected]
                env.loc[affected, "pv_ac_kwh_year"] = ac[affected]
                env.loc[affected, "pv_kwp_source"] = label + " (solar cadastre: roofs of class excellent or good)"
            else:
                kwp = env["a_roof_m2"].to_numpy(dtype=float) * f["pv_roof_fraction"] * f["pv_module_kwp_m2"]
                affected &= kwp > 0
                env.loc[affected, "pv_kwp"] = kwp[affected]
                env.loc[affected, "pv_kwp_source"] = label + " (a_roof x pv_roof_fraction x pv_module_kwp_m2)"
                if "pv_ac_kwh_year" in env:  # the flat yield of the accounts
                    env.loc[affected, "pv_ac_kwh_year"] = np.nan
            qty = kwp
        if m["cost_unit"] == "m2_floor":
            qty = env["a_f_m2"].to_numpy(dtype=float)
        elif m["cost_unit"] == "building":
            qty = np.ones(len(env))
        if kind in ("wall", "roof", "floor", "window", "airtightness", "ventilation") and "f_red_temp" in env:
            # TABULA's temperature reduction factor depends on the heat loss: recompute it
            env.loc[affected, "f_red_temp"] = np.nan
        rows = np.flatnonzero(affected)
        records.append(pd.DataFrame({"building_id": ids[rows], "measure": mid, "quantity": np.asarray(qty, dtype=float)[rows],
                                     "cost_unit": m["cost_unit"], "unit_cost_eur": float(m["cost_eur"])}))
    columns = ["building_id", "measure", "quantity", "cost_unit", "unit_cost_eur"]
    records = [r for r in records if len(r)]
    if records:
        costs = pd.concat(records, ignore_index=True)[columns]
    else:  # typed, so sums over it stay numbers (a measure that affects no building)
        costs = pd.DataFrame({c: pd.Series(dtype=float if c in ("quantity", "unit_cost_eur") else object) for c in columns})
    costs["investment_eur"] = costs["quantity"] * costs["unit_cost_eur"]
    return env, costs


def attach_pv_yield(env: pd.DataFrame, pv: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``env`` with the solar cadastre's PV of every building (:data:`SOLAR_COLUMNS`).

    Parameters
    ----------
    env
        Envelope table (``building_id``).
    pv
        Per building (index or column ``building_id``): ``pv_kwp`` (kWp) and ``pv_ac_kwh_year``
        (kWh/year) of its suitable roofs (:func:`twin.solar.pv_measure.suitable_pv`); buildings
        absent from it get 0 (no suitable roof).

    Returns
    -------
    pandas.DataFrame
        ``env`` with ``solar_pv_kwp`` and ``solar_pv_ac_kwh_year``; the ``pv`` measure then
        takes its size and yield from them.
    """
    table = pv.set_index("building_id") if "building_id" in pv.columns else pv
    table = table[~table.index.duplicated()]
    ids = env["building_id"].astype(str).to_numpy()
    out = env.copy()
    out["solar_pv_kwp"] = table["pv_kwp"].reindex(ids).fillna(0.0).to_numpy(dtype=float)
    out["solar_pv_ac_kwh_year"] = table["pv_ac_kwh_year"].reindex(ids).fillna(0.0).to_numpy(dtype=float)
    return out


def price_peak_measures(costs: pd.DataFrame, peak_heat_w: pd.Series) -> pd.DataFrame:
    """Fill quantity and investment of ``kw_peak`` measures from the simulated peak heating power (W, by building id)."""
    costs = costs.copy()
    mask = costs["cost_unit"] == "kw_peak"
    if mask.any():
        kw = peak_heat_w.reindex(costs.loc[mask, "building_id"].to_numpy()).to_numpy(dtype=float) / 1000.0
        costs.loc[mask, "quantity"] = kw
        costs.loc[mask, "investment_eur"] = kw * costs.loc[mask, "unit_cost_eur"].to_numpy(dtype=float)
    return costs


def heat_pump_cop(t_source_c: np.ndarray, t_sink_c: float, factors: dict[str, float] | None = None) -> np.ndarray:
    """COP of an air-source heat pump (Staffell et al. 2012 fit, times the real-operation correction).

    ``COP = (a + b dT + c dT^2) x correction`` with ``dT = T_sink - T_source`` (K), floored at 1
    (resistive backup) .

    Parameters
    ----------
    t_source_c
        Outdoor (source) temperature, degC.
    t_sink_c
        Supply (sink) temperature, degC.
    factors
        ``hp_cop_a``, ``hp_cop_b``, ``hp_cop_c``, ``hp_cop_correction`` (default: the factor table).

    References
    ----------
    Staffell I. et al. (2012), Energy Environ. Sci. 5, 9291. Ruhnau O. et al. (2019), Sci. Data 6:189.
    """
    keys = ("hp_cop_a", "hp_cop_b", "hp_cop_c", "hp_cop_correction")
    # a full factor table (the accounts pass one per call) needs no default table read
    f = factors if factors is not None and all(k in factors for k in keys) else {**load_factors(), **(factors or {})}
    dt = np.clip(t_sink_c - np.asarray(t_source_c, dtype=float), 15.0, None)  # the fit holds for dT >= ~15 K
    cop = (f["hp_cop_a"] + f["hp_cop_b"] * dt + f["hp_cop_c"] * dt * dt) * f["hp_cop_correction"]
    return np.maximum(cop, 1.0)


__all__ = [
    "COST_UNITS",
    "KINDS",
    "SOLAR_COLUMNS",
    "SYSTEMS",
    "apply_measures",
    "attach_pv_yield",
    "check_measures",
    "heat_pump_cop",
    "load_measures",
    "price_peak_measures",
    "replaced_systems",
]
