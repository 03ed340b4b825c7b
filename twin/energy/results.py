"""Per-building energy accounts, before/after comparison and plots of a stock run.

:func:`energy_accounts` turns the simulated heating need into what a planner asks for, per
building (units in the column names):

* need: ``q_heat_kwh`` (space heating, kernel), ``q_dhw_kwh`` (hot water, TABULA ``q_w_nd``);
* final energy per carrier: ``gas_kwh`` and ``oil_kwh`` (boilers: need / seasonal efficiency, or
  the part-load losses of :mod:`twin.energy.systems`), ``district_heat_kwh`` (district heating),
  ``electricity_kwh`` (heat pump: monthly need / COP at the month's mean outdoor temperature;
  fans of heat-recovery ventilation), ``pv_kwh`` (PV yield, credited: the solar cadastre's AC
  yield where the envelope carries it, ``pv_ac_kwh_year``, else the flat yield
  ``pv_kwp x horizontal irradiation x pv_performance_ratio``);
* ``primary_energy_kwh`` and ``primary_energy_kwh_m2`` (Brussels EPB factors), ``energy_class``
  (Brussels EPB scale, :mod:`twin.energy.classes`), ``co2_kg``, ``energy_cost_eur``
  (PV valued as the solar model values it, :func:`pv_credit_eur`), ``investment_eur``.

All factors come from ``twin/data/energy_factors.csv`` (each with its source), but for the two
values of PV without net metering, which come from :class:`twin.solar.pv.PVParameters`.

:func:`compare` lines up a baseline and a variant (``_before`` / ``_after`` columns, savings,
simple payback). :func:`plot_monthly_balance` and :func:`plot_class_distribution` draw with
matplotlib, imported only when called.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.energy.classes import class_order, energy_class, load_classes
from twin.energy.heat_pump import monthly_cop
from twin.energy.hot_water import active_dhw_model, dhw_need_by_use_kwh
from twin.energy.measures import heat_pump_cop
from twin.energy.model import load_factors
from twin.energy.systems import PARTLOAD_BOILERS, boiler_params, district_heat_kwh, partload_fuel_kwh
from twin.errors import InputError
from twin.solar.pv import PVParameters
from twin.types.heating_systems import OPT_IN_SYSTEMS, SYSTEMS

#: Share of a building's PV yield used in the building as it is produced (a default, not data:
#: a typical household without battery), from :class:`twin.solar.pv.PVParameters`, the one copy.
PV_SELF_CONSUMPTION_SHARE: float = PVParameters().self_consumption_share
#: Price of the PV electricity injected into the grid, EUR/kWh (an assumption), from
#: :class:`twin.solar.pv.PVParameters`, the one copy.
PV_INJECTION_EUR_KWH: float = PVParameters().injection_eur_per_kwh

#: Columns of :func:`energy_accounts` (besides ``building_id``).
ACCOUNT_COLUMNS: tuple[str, ...] = (
    "tabula_code",
    "system",
    "a_f_m2",
    "q_heat_kwh",
    "q_heat_kwh_m2",
    "q_dhw_kwh",
    "peak_heat_kw",
    "gas_kwh",
    "oil_kwh",
    "electricity_kwh",
    "district_heat_kwh",
    "pv_kwh",
    "final_energy_kwh",
    "primary_energy_kwh",
    "primary_energy_kwh_m2",
    "energy_class",
    "co2_kg",
    "energy_cost_eur",
    "investment_eur",
)


def monthly_mean_temperature(drivers) -> np.ndarray:
    """Mean outdoor temperature of each calendar month (12,), degC."""
    month = drivers.month_index()
    sums = np.bincount(month, weights=drivers.t_out_c, minlength=12)
    counts = np.bincount(month, minlength=12)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def horizontal_irradiation_kwh_m2(drivers, group: str = "roof") -> float:
    """Annual irradiation on the horizontal (the roof group's driver), kWh/m2."""
    if group not in drivers.groups:
        return float("nan")
    return float(drivers.irr_w_m2[drivers.groups.index(group)].sum() / 1000.0)


# SYSTEMS and OPT_IN_SYSTEMS (system -> carrier) live in twin.types.heating_systems, below ingest
# and the engines, and are re-exported here.

#: Heat pumps with an hourly COP (:mod:`twin.energy.heat_pump`): system -> (kind of
#: ``twin/data/heat_pumps.csv``, design supply temperature in degC).
HOURLY_HEAT_PUMPS: dict[str, tuple[str, float]] = {
    "heat_pump_air_35": ("air_water", 35.0),
    "heat_pump_air_55": ("air_water", 55.0),
    "heat_pump_ground_35": ("ground_water", 35.0),
    "heat_pump_ground_55": ("ground_water", 55.0),
}


def pv_self_consumed_kwh(pv_kwh, share: float = PV_SELF_CONSUMPTION_SHARE) -> np.ndarray:
    """The PV yield used in the building as it is produced, ``share x pv``, kWh/year.

    The solar model's rule (:func:`twin.solar.pv.economics`): the share is that of a typical
    household without battery, against its whole electricity use, appliances and lighting
    included. It is not capped by the electricity the energy accounts count (heating, hot water,
    fans): they leave the households' appliances out, so such a cap would sell nearly all the
    yield of a gas-heated building at the injection price.

    Parameters
    ----------
    pv_kwh : array_like
        PV yield per building, kWh/year.
    share : float
        Self-consumed share of the yield (:data:`PV_SELF_CONSUMPTION_SHARE`, a default).

    Returns
    -------
    numpy.ndarray
        kWh/year per building.
    """
    return share * np.asarray(pv_kwh, dtype=float)


def pv_credit_eur(pv_kwh, factors: dict[str, float]) -> np.ndarray:
    """What a building's PV yield saves and earns in a year, EUR: the self-consumed kWh
    (:func:`pv_self_consumed_kwh`) at the retail price ``price_electricity_eur_kwh`` of the factor
    table, the rest of the yield at the injection price :data:`PV_INJECTION_EUR_KWH`.

    The rule of the solar model (:func:`twin.solar.pv.economics`, same share and injection price).
    Brussels ended net metering (the whole yield at the retail price) for the network part of the
    bill on 1 January 2020 and for the energy part on 1 November 2021 (Brugel, "Fin du principe
    de la compensation"; Le Soir, 15 October 2021). Green certificates are not counted.

    Parameters
    ----------
    pv_kwh : array_like
        PV yield per building, kWh/year.
    factors : dict
        The factor table (``price_electricity_eur_kwh``, EUR/kWh).

    Returns
    -------
    numpy.ndarray
        EUR/year per building (0 without PV).
    """
    pv = np.asarray(pv_kwh, dtype=float)
    used = pv_self_consumed_kwh(pv)
    return used * factors["price_electricity_eur_kwh"] + (pv - used) * PV_INJECTION_EUR_KWH


def account_arrays(
    *,
    a_f_m2: np.ndarray,
    q_heat_kwh: np.ndarray,
    monthly_heat_kwh: np.ndarray,
    q_w_nd_kwh_m2: np.ndarray,
    system: np.ndarray,
    eta_hr: np.ndarray,
    n_air_use_1_h: np.ndarray,
    volume_m3: np.ndarray,
    pv_kwp: np.ndarray,
    drivers,
    factors: dict[str, float],
    pv_ac_kwh_year: np.ndarray | None = None,
    heat_pump_table: dict | None = None,
    peak_heat_kw: np.ndarray | None = None,
    use: np.ndarray | str = "residential",
) -> dict[str, np.ndarray]:
    """The per-building energy accounts as arrays (the arithmetic of :func:`energy_accounts`).

    Parameters are per building (n,) except ``monthly_heat_kwh`` (n, 12); ``factors`` is the
    full factor table. Final energy per carrier (:data:`SYSTEMS`): a gas boiler burns
    ``(q_heat + q_dhw) / efficiency`` of gas (``boiler_efficiency``, or
    ``condensing_boiler_efficiency``), an oil boiler the same of oil (``oil_boiler_efficiency``),
    direct electric heating ``(q_heat + q_dhw) / electric_direct_efficiency`` of electricity, a
    heat pump the monthly need over the month's COP plus hot water over the yearly COP at 55 C.
    The systems of :data:`HOURLY_HEAT_PUMPS` (``heat_pump_air_35`` ...) take the month's COP from
    the hourly model of :mod:`twin.energy.heat_pump` (heating curve, source temperature,
    backup heater; hours weighted by degree-hours, :func:`twin.energy.heat_pump.monthly_cop`)
    on ``drivers.t_out_c``; ``heat_pump_table`` replaces ``twin/data/heat_pumps.csv``. Their hot
    water keeps the yearly COP at 55 C of the plain ``heat_pump``.

    Opt-in systems of :mod:`twin.energy.systems`: ``district_heating`` buys
    ``(q_heat + q_dhw) / dh_substation_efficiency`` of district heat (``district_heat_kwh``,
    ``pef_district_heat``, ``co2_district_heat_kg_kwh``, ``price_district_heat_eur_kwh``); the
    part-load boilers (``gas_boiler_partload``, ``gas_boiler_condensing_partload``,
    ``oil_boiler_partload``) burn the monthly heat plus the EN 15316-4-1 losses at the month's
    mean load ratio, nominal power ``boiler_oversize_factor x peak_heat_kw`` (n,), kW (required
    for them). Hot water: with the factor ``dhw_by_use`` = 1 (or within
    :func:`twin.energy.hot_water.using_dhw_model` ``("by_use")``), the need by use
    (:func:`twin.energy.hot_water.dhw_need_by_use_kwh`, ``use`` per building, default
    residential) replaces TABULA's ``q_w_nd``.

    PV (``pv_kwh``): ``pv_ac_kwh_year`` (n,), the AC yield of each building's modules from the
    solar model (:mod:`twin.solar.cadastre`: orientation, shading, layout, DC/AC chain),
    kWh/year; where it is None or NaN, the flat yield ``pv_kwp x horizontal irradiation x
    pv_performance_ratio``. Cost: the yield is valued as the solar model values it, not by net
    metering, which Brussels ended (:func:`pv_credit_eur`): the self-consumed share
    (:data:`PV_SELF_CONSUMPTION_SHARE`, 35 %, of the household's whole use) at the
    retail price ``price_electricity_eur_kwh``, the rest at the injection price
    (:data:`PV_INJECTION_EUR_KWH`, 0.05 EUR/kWh). Primary energy and CO2 credit the whole yield
    at the grid's factors (``pef_electricity``, ``co2_electricity_kg_kwh``): the EPB convention,
    exported PV electricity displaces grid electricity.

    Returns
    -------
    dict
        ``q_dhw_kwh``, ``gas_kwh``, ``oil_kwh``, ``electricity_kwh``, ``pv_kwh``,
        ``final_energy_kwh``, ``primary_energy_kwh``, ``primary_energy_kwh_m2``, ``co2_kg``,
        ``energy_cost_eur`` (n,).
    """
    f = factors
    a_f = np.asarray(a_f_m2, dtype=float)
    q_heat = np.asarray(q_heat_kwh, dtype=float)
    system = np.asarray(system).astype(str)
    # the systems present, found once by hashing (np.unique sorts the n strings: twice as long,
    # paid in every Monte Carlo sample's accounts)
    systems = set(pd.unique(system.ravel().astype(object)))
    unknown = sorted(systems - set(SYSTEMS) - set(OPT_IN_SYSTEMS))
    if unknown:
        raise InputError(f"unknown heating system {unknown[0]!r}; known: {', '.join([*SYSTEMS, *OPT_IN_SYSTEMS])}", field="system")
    if f.get("dhw_by_use", 0.0) not in (0.0, 1.0):
        raise InputError(f"factor dhw_by_use must be 0 or 1, got {f['dhw_by_use']}", field="dhw_by_use")
    dhw_model = active_dhw_model() or ("by_use" if f.get("dhw_by_use", 0.0) == 1.0 else "typology")
    if dhw_model == "by_use":
        q_dhw = dhw_need_by_use_kwh(a_f, use, t_hot_c=f["dhw_t_hot_c"], t_cold_c=f["dhw_t_cold_c"])
    else:
        q_dhw = f["dhw_from_typology"] * np.asarray(q_w_nd_kwh_m2, dtype=float) * a_f
    t_month = monthly_mean_temperature(drivers)
    cop_space = heat_pump_cop(t_month, f["hp_sink_space_c"], f)
    t_year = float(np.mean(drivers.t_out_c))
    cop_dhw = float(heat_pump_cop(np.array([t_year]), f["hp_sink_dhw_c"], f)[0])
    served = q_heat + q_dhw
    hp = system == "heat_pump"
    gas_eff = np.where(system == "gas_boiler_condensing", f["condensing_boiler_efficiency"], f["boiler_efficiency"])
    gas = np.where(np.isin(system, ("gas_boiler", "gas_boiler_condensing")), served / gas_eff, 0.0)
    oil = np.where(system == "oil_boiler", served / f["oil_boiler_efficiency"], 0.0)
    with np.errstate(invalid="ignore"):
        hp_elec = np.nansum(np.asarray(monthly_heat_kwh, dtype=float) / cop_space[None, :], axis=1) + q_dhw / cop_dhw
    elec = np.where(hp, hp_elec, 0.0) + np.where(system == "electric_direct", served / f["electric_direct_efficiency"], 0.0)
    for name in sorted(systems & set(HOURLY_HEAT_PUMPS)):
        kind, design_c = HOURLY_HEAT_PUMPS[name]
        mcop = monthly_cop(drivers.t_out_c, drivers.month_index(), kind, design_c, table=heat_pump_table)
        with np.errstate(invalid="ignore"):
            e = np.nansum(np.asarray(monthly_heat_kwh, dtype=float) / mcop[None, :], axis=1) + q_dhw / cop_dhw
        elec = elec + np.where(system == name, e, 0.0)
    dh = np.zeros(a_f.shape)
    if (system == "district_heating").any():
        dh = np.where(system == "district_heating", district_heat_kwh(served, f), 0.0)
    present = systems & set(PARTLOAD_BOILERS)
    if present:
        month = drivers.month_index()
        hours = np.bincount(month, minlength=12).astype(float)
        if peak_heat_kw is None:
            raise InputError("part-load boilers need the peak heating power of each building", obj=sorted(present)[0], field="peak_heat_kw")
        p_n = f["boiler_oversize_factor"] * np.asarray(peak_heat_kw, dtype=float)
        # the month's heat: space heating of the month plus hot water spread by the hours of the month
        heat_m = np.nan_to_num(np.asarray(monthly_heat_kwh, dtype=float)) + q_dhw[:, None] * hours[None, :] / hours.sum()
        for name in sorted(present):
            sel = system == name
            fuel = np.zeros(a_f.shape)
            fuel[sel] = partload_fuel_kwh(heat_m[sel], hours, p_n[sel], *boiler_params(name, f))
            if PARTLOAD_BOILERS[name][0] == "gas":
                gas = gas + fuel
            else:
                oil = oil + fuel
    # fans of heat-recovery ventilation: SFP x air flow x hours of the year
    eta_hr = np.asarray(eta_hr, dtype=float)
    flow_m3_h = np.asarray(n_air_use_1_h, dtype=float) * np.asarray(volume_m3, dtype=float)
    elec = elec + np.where(eta_hr > 0, f["mvhr_sfp_wh_m3"] * flow_m3_h * drivers.n_hours / 1000.0, 0.0)
    pv = np.nan_to_num(np.asarray(pv_kwp, dtype=float) * horizontal_irradiation_kwh_m2(drivers) * f["pv_performance_ratio"])
    if pv_ac_kwh_year is not None:
        model = np.broadcast_to(np.asarray(pv_ac_kwh_year, dtype=float), pv.shape)
        pv = np.where(np.isfinite(model), model, pv)
    net_elec = elec - pv
    primary = gas * f["pef_gas"] + oil * f["pef_oil"] + net_elec * f["pef_electricity"]
    co2 = gas * f["co2_gas_kg_kwh"] + oil * f["co2_oil_kg_kwh"] + net_elec * f["co2_electricity_kg_kwh"]
    # PV on the bills: self-consumed share at the retail price, the rest at the injection price
    # (pv_credit_eur); 0 without PV, so the accounts of buildings without PV stay bit for bit
    cost = gas * f["price_gas_eur_kwh"] + oil * f["price_oil_eur_kwh"] + elec * f["price_electricity_eur_kwh"] - pv_credit_eur(pv, f)
    if dh.any():  # only then: the default accounts stay bit for bit
        primary = primary + dh * f["pef_district_heat"]
        co2 = co2 + dh * f["co2_district_heat_kg_kwh"]
        cost = cost + dh * f["price_district_heat_eur_kwh"]
    with np.errstate(invalid="ignore", divide="ignore"):
        primary_m2 = primary / a_f
    return {
        "q_dhw_kwh": q_dhw,
        "gas_kwh": gas,
        "oil_kwh": oil,
        "electricity_kwh": elec,
        "district_heat_kwh": dh,
        "pv_kwh": pv,
        "final_energy_kwh": gas + oil + elec + dh if dh.any() else gas + oil + elec,
        "primary_energy_kwh": primary,
        "primary_energy_kwh_m2": primary_m2,
        "co2_kg": co2,
        "energy_cost_eur": cost,
    }


def _positions(have: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Position in ``have`` (unique values) of each value of ``want``, -1 if absent
    (``Index.get_indexer``); the identity without hashing when both hold the same values in the
    same order (the usual case: the kernel's tables follow the envelope's rows)."""
    if len(have) == len(want) and np.array_equal(have, want):
        return np.arange(len(want), dtype=np.intp)
    return pd.Index(have).get_indexer(want)


def _arrow_strings(values):
    """The Arrow array of a pandas string column or index without missing values (one chunk), or
    None (not stored as Arrow strings, or with a missing value)."""
    arr = getattr(values, "array", values)
    if not hasattr(arr, "__arrow_array__") or not pd.api.types.is_string_dtype(arr.dtype):
        return None
    import pyarrow as pa

    data = _one_chunk(arr.__arrow_array__())
    return data if data.null_count == 0 and pa.types.is_large_string(data.type) else None


def _one_chunk(data):
    """An Arrow array from a ChunkedArray: its chunk when it has one (``combine_chunks`` copies
    even then: 12 ms for the 612k ids of the region's monthly table), else the chunks joined."""
    import pyarrow as pa

    if not isinstance(data, pa.ChunkedArray):
        return data
    return data.chunk(0) if data.num_chunks == 1 else data.combine_chunks()


def _same_strings(a, b) -> bool | None:
    """Whether two string columns (Series or Index) hold the same values in the same order,
    compared as Arrow strings (no Python string per value, as ``np.array_equal`` of their NumPy
    object arrays needs); None when either is not Arrow strings without missing values."""
    if len(a) != len(b):
        return False
    x, y = _arrow_strings(a), _arrow_strings(b)
    if x is None or y is None:
        return None
    return x.equals(y)


def _block_ids(col: pd.Series) -> pd.Series | None:
    """The id of each block of 12 rows of a monthly table's ``building_id`` column when every
    block holds one id (12 equal values), else None (also for a column that is not Arrow strings).

    Arrow's run-end encoding compares each value with the next instead of building the
    12-fold repeat of the blocks' ids to compare with (612k strings in fresh memory on the
    region). Two adjacent blocks of one id make one run: None, as for any other layout.
    """
    arr = col.array
    if len(col) % 12 or not hasattr(arr, "__arrow_array__"):
        return None
    import pyarrow.compute as pc

    data = _one_chunk(arr.__arrow_array__())
    runs = pc.run_end_encode(data)
    k = len(col) // 12
    if len(runs.run_ends) != k or not np.array_equal(runs.run_ends.to_numpy(), np.arange(12, 12 * k + 1, 12)):
        return None
    return col.iloc[::12].reset_index(drop=True)


def _monthly_heat(monthly: pd.DataFrame, ids: np.ndarray, known: tuple[pd.Index, np.ndarray] | None = None) -> np.ndarray:
    """Monthly heating need (n, 12), kWh, of the buildings ``ids`` from a tidy monthly table.

    What a pivot table (sum per building and month, rows in the order of ``ids``) gives: a
    missing value counts as 0 and a building absent from the table is NaN. The kernel's
    table (blocks of 12 rows, months 1-12, one building per block, each building once) is
    reshaped and its blocks picked by id instead: grouping 600k rows by an id string costs
    about a second on the region. ``known``: an index of string ids and the positions of
    ``ids`` in it (``Index.get_indexer``), used when the table's blocks hold that index's ids
    in its order (the kernel's tables: ``per_building``'s index), so the ids are not looked up again.
    """
    n_rows = len(monthly)
    if n_rows and n_rows % 12 == 0:
        k = n_rows // 12
        col = monthly["building_id"].reset_index(drop=True)
        if not np.array_equal(monthly["month"].to_numpy(), np.tile(np.arange(1, 13), k)):
            first = None
        else:
            first = _block_ids(col)
            if first is None:  # not Arrow strings, or not one id per block: compared the plain way
                first = col.iloc[::12].reset_index(drop=True)
                first = first if col.equals(first.repeat(12).reset_index(drop=True)) else None
        if first is not None and first.is_unique:
            v = monthly["q_heat_kwh"].to_numpy(dtype=float).reshape(k, 12)
            v = np.where(np.isnan(v), 0.0, v)
            same = _same_strings(first, known[0]) if known is not None else False
            if same is None:  # not both Arrow strings: their values compared as Python strings
                same = (pd.api.types.is_string_dtype(first) and pd.api.types.is_string_dtype(known[0])
                        and np.array_equal(first.astype(str).to_numpy(), known[0].to_numpy()))
            if same:
                pos = known[1]
            else:
                pos = _positions(first.astype(str).to_numpy(), np.asarray(ids).astype(str))
            out = np.full((len(pos), 12), np.nan)
            out[pos >= 0] = v[pos[pos >= 0]]
            return out
    mh = monthly.pivot_table(index="building_id", columns="month", values="q_heat_kwh", aggfunc="sum")
    return mh.reindex(index=ids, columns=range(1, 13)).to_numpy(dtype=float)


def _at(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``values`` (float) at positions ``pos``, NaN where ``pos`` is -1 (what ``reindex`` gives)."""
    out = np.full(len(pos), np.nan)
    hit = pos >= 0
    out[hit] = values[pos[hit]]
    return out


def energy_accounts(
    env: pd.DataFrame,
    per_building: pd.DataFrame,
    monthly: pd.DataFrame,
    drivers,
    *,
    costs: pd.DataFrame | None = None,
    factors: dict[str, float] | None = None,
    classes: pd.DataFrame | None = None,
    heat_pump_table: dict | None = None,
) -> pd.DataFrame:
    """Final and primary energy, class, CO2, running cost and investment of every building.

    Parameters
    ----------
    env
        Envelope table (``building_id``, ``a_f_m2``, ``system``, ``q_w_nd_kwh_m2``,
        ``n_air_use_1_h``, ``eta_hr``, ``volume_m3``, optional ``pv_kwp`` and
        ``pv_ac_kwh_year`` (the solar model's AC yield, set by the ``pv`` measure)).
    per_building, monthly
        ``StockResults.per_building`` (index ``building_id``) and ``StockResults.monthly``.
    drivers
        The :class:`~twin.energy.inputs.Drivers` of the run (monthly temperatures, irradiation).
    costs
        Measure costs (:func:`twin.energy.measures.apply_measures`), summed per building.
    factors, classes
        Factor and class tables (defaults: the packaged ones).
    heat_pump_table
        Heat-pump table of the hourly-COP systems (default ``twin/data/heat_pumps.csv``,
        :func:`twin.energy.heat_pump.load_heat_pumps`).

    Returns
    -------
    pandas.DataFrame
        One row per building of ``env``: ``building_id`` and :data:`ACCOUNT_COLUMNS`
        (arithmetic in :func:`account_arrays`).
    """
    f = {**load_factors(), **(factors or {})}
    id_col = env["building_id"].astype(str)
    ids = id_col.to_numpy()
    # the buildings' rows in the kernel's tables, looked up once (per_building.reindex(ids) and
    # the monthly table's blocks, which follow per_building's rows); the identity when both hold
    # the same ids in the same order, compared as Arrow strings when they are
    if _same_strings(per_building.index, id_col):
        pos = np.arange(len(ids), dtype=np.intp)
    else:
        pos = _positions(per_building.index.to_numpy(), ids)
    peak_heat_w = _at(per_building["peak_heat_w"].to_numpy(dtype=float), pos)
    a_f = env["a_f_m2"].to_numpy(dtype=float)
    q_heat = _at(per_building["q_heat_kwh"].to_numpy(dtype=float), pos)
    system = env["system"].astype(str).to_numpy() if "system" in env else np.full(len(env), "gas_boiler")
    # monthly need for the heat pump's COP
    mh = _monthly_heat(monthly, ids, (per_building.index, pos))
    n = len(env)
    acc = account_arrays(
        a_f_m2=a_f,
        q_heat_kwh=q_heat,
        monthly_heat_kwh=mh,
        q_w_nd_kwh_m2=env["q_w_nd_kwh_m2"].to_numpy(dtype=float),
        system=system,
        eta_hr=env["eta_hr"].to_numpy(dtype=float) if "eta_hr" in env else np.zeros(n),
        n_air_use_1_h=env["n_air_use_1_h"].to_numpy(dtype=float),
        volume_m3=env["volume_m3"].to_numpy(dtype=float),
        pv_kwp=env["pv_kwp"].to_numpy(dtype=float) if "pv_kwp" in env else np.zeros(n),
        drivers=drivers,
        factors=f,
        pv_ac_kwh_year=env["pv_ac_kwh_year"].to_numpy(dtype=float) if "pv_ac_kwh_year" in env else None,
        heat_pump_table=heat_pump_table,
        peak_heat_kw=peak_heat_w / 1000.0,
        use=env["use"].astype(str).to_numpy() if "use" in env else "residential",
    )
    inv = np.zeros(n)
    if costs is not None and len(costs):
        inv = costs.groupby("building_id")["investment_eur"].sum(min_count=1).reindex(ids).fillna(0.0).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        q_heat_m2 = q_heat / a_f
    out = pd.DataFrame(
        {
            "building_id": ids,
            "tabula_code": env["tabula_code"].to_numpy() if "tabula_code" in env else "",
            "system": system,
            "a_f_m2": a_f,
            "q_heat_kwh": q_heat,
            "q_heat_kwh_m2": q_heat_m2,
            "q_dhw_kwh": acc["q_dhw_kwh"],
            "peak_heat_kw": peak_heat_w / 1000.0,
            "gas_kwh": acc["gas_kwh"],
            "oil_kwh": acc["oil_kwh"],
            "electricity_kwh": acc["electricity_kwh"],
            "district_heat_kwh": acc["district_heat_kwh"],
            "pv_kwh": acc["pv_kwh"],
            "final_energy_kwh": acc["final_energy_kwh"],
            "primary_energy_kwh": acc["primary_energy_kwh"],
            "primary_energy_kwh_m2": acc["primary_energy_kwh_m2"],
            "energy_class": energy_class(acc["primary_energy_kwh_m2"], classes if classes is not None else load_classes()),
            "co2_kg": acc["co2_kg"],
            "energy_cost_eur": acc["energy_cost_eur"],
            "investment_eur": inv,
        }
    )
    return out


def compare(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Before/after table of two :func:`energy_accounts` tables (same buildings).

    Columns: ``building_id``, ``tabula_code``, ``<x>_before`` and ``<x>_after`` for heating need,
    primary energy, class, CO2 and running cost; ``investment_eur`` (of the variant),
    ``saving_eur_yr``, ``co2_saving_kg_yr``, ``simple_payback_yr`` (investment / yearly saving;
    ``inf`` when nothing is saved), ``affected`` (some measure applied).
    """
    keys = ["q_heat_kwh", "q_heat_kwh_m2", "primary_energy_kwh_m2", "energy_class", "co2_kg", "energy_cost_eur"]
    b = before.set_index("building_id")
    a = after.set_index("building_id").reindex(b.index)
    out = pd.DataFrame(index=b.index)
    out["tabula_code"] = b["tabula_code"]
    for k in keys:
        out[f"{k}_before"] = b[k]
        out[f"{k}_after"] = a[k]
    out["investment_eur"] = a["investment_eur"] - b["investment_eur"]
    out["saving_eur_yr"] = b["energy_cost_eur"] - a["energy_cost_eur"]
    out["co2_saving_kg_yr"] = b["co2_kg"] - a["co2_kg"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["simple_payback_yr"] = np.where(out["saving_eur_yr"] > 0, out["investment_eur"] / out["saving_eur_yr"], np.inf)
    out["affected"] = out["investment_eur"] > 0
    return out.reset_index()


def stock_summary(accounts: pd.DataFrame) -> dict[str, float]:
    """Totals of a stock: floor area, heating need, primary energy, CO2, cost, investment."""
    return {
        "buildings": int(len(accounts)),
        "a_f_m2": float(accounts["a_f_m2"].sum()),
        "q_heat_mwh": float(accounts["q_heat_kwh"].sum() / 1000.0),
        "primary_energy_mwh": float(accounts["primary_energy_kwh"].sum() / 1000.0),
        "co2_t": float(accounts["co2_kg"].sum() / 1000.0),
        "energy_cost_keur": float(accounts["energy_cost_eur"].sum() / 1000.0),
        "investment_keur": float(accounts["investment_eur"].sum() / 1000.0),
    }


def class_distribution(accounts: pd.DataFrame, classes: pd.DataFrame | None = None) -> pd.Series:
    """Number of buildings per energy class, best to worst (all classes listed)."""
    order = class_order(classes)
    return accounts["energy_class"].value_counts().reindex(order, fill_value=0)


def monthly_balance(monthly: pd.DataFrame) -> pd.DataFrame:
    """Stock totals per month: ``month``, ``q_heat_kwh``, ``q_cool_kwh``."""
    return monthly.groupby("month", as_index=False)[["q_heat_kwh", "q_cool_kwh"]].sum()


def plot_monthly_balance(monthly: pd.DataFrame, *, variant: pd.DataFrame | None = None, ax=None, labels=("baseline", "variant")):
    """Bar chart of the stock's monthly heating (and cooling) need, MWh; returns the axes."""
    import matplotlib

    if ax is None:
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4))
    base = monthly_balance(monthly)
    width = 0.4 if variant is not None else 0.8
    x = base["month"].to_numpy()
    ax.bar(x - (width / 2 if variant is not None else 0), base["q_heat_kwh"] / 1000.0, width, label=f"heating, {labels[0]}")
    if base["q_cool_kwh"].sum() > 0:
        ax.bar(x - (width / 2 if variant is not None else 0), -base["q_cool_kwh"] / 1000.0, width, label=f"cooling, {labels[0]}")
    if variant is not None:
        var = monthly_balance(variant)
        ax.bar(x + width / 2, var["q_heat_kwh"] / 1000.0, width, label=f"heating, {labels[1]}")
        if var["q_cool_kwh"].sum() > 0:
            ax.bar(x + width / 2, -var["q_cool_kwh"] / 1000.0, width, label=f"cooling, {labels[1]}")
    ax.set_xticks(range(1, 13))
    ax.set_xlabel("month")
    ax.set_ylabel("need, MWh (cooling negative)")
    ax.set_title("Monthly energy balance of the stock")
    ax.legend()
    return ax


def plot_class_distribution(before: pd.DataFrame, after: pd.DataFrame | None = None, *, ax=None, classes: pd.DataFrame | None = None):
    """Bar chart of the number of buildings per energy class, before (and after); returns the axes."""
    import matplotlib

    if ax is None:
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4))
    order = class_order(classes)
    x = np.arange(len(order))
    width = 0.4 if after is not None else 0.8
    ax.bar(x - (width / 2 if after is not None else 0), class_distribution(before, classes).to_numpy(), width, label="before")
    if after is not None:
        ax.bar(x + width / 2, class_distribution(after, classes).to_numpy(), width, label="after")
    ax.set_xticks(x)
    ax.set_xticklabels(order)
    ax.set_xlabel("Brussels EPB class")
    ax.set_ylabel("buildings")
    ax.set_title("Energy class distribution")
    ax.legend()
    return ax


__all__ = [
    "ACCOUNT_COLUMNS",
    "HOURLY_HEAT_PUMPS",
    "OPT_IN_SYSTEMS",
    "PV_INJECTION_EUR_KWH",
    "PV_SELF_CONSUMPTION_SHARE",
    "SYSTEMS",
    "account_arrays",
    "class_distribution",
    "compare",
    "energy_accounts",
    "horizontal_irradiation_kwh_m2",
    "monthly_balance",
    "monthly_mean_temperature",
    "pv_credit_eur",
    "pv_self_consumed_kwh",
    "plot_class_distribution",
    "plot_monthly_balance",
    "stock_summary",
]
