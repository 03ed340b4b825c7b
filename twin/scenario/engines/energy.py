"""Energy engine adapter: the scene's building stock through :mod:`twin.energy.stock`.

Renovation measures come from the scene (``buildings.renovation_measures``, a comma list set
by the ``renovate`` modification); buildings with the same list are renovated together.
The prepared stock (envelope, urban shading from horizon profiles, drivers) is cached on the
scene until its buildings change, so Monte Carlo samples only re-run the kernel.

KPIs (whole stock): heating need (MWh), final and primary energy (MWh), CO2 (t), energy cost
(kEUR/yr), investment (kEUR), share of floor area in class D or worse, buildings simulated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import InputError
from twin.scenario.runner import EngineResult

POOR_CLASSES = ("D", "E", "F", "G")

#: Scene layers the energy model reads (the runner skips what-ifs that change none of them).
READS = frozenset({"buildings", "storeys", "spaces", "elements"})

#: The KPIs, in the order reported.
KPIS = ("heating_need_mwh", "final_energy_mwh", "primary_energy_mwh", "co2_t", "energy_cost_keur_yr", "investment_keur",
        "floor_area_class_d_or_worse_pct", "buildings_simulated")

#: KPIs that are NaN when undefined (a share of no floor area); any other NaN is an error.
UNDEFINED_OK = frozenset({"floor_area_class_d_or_worse_pct"})


def kpi_names(options) -> tuple[str, ...]:
    """The KPIs this engine reports."""
    return KPIS


def check_scene(scene, options) -> None:
    """What the engine needs, checked before any engine runs: buildings and weather.

    Raises
    ------
    InputError
        No building in the scene, or no weather (``inputs.weather`` or ``energy.weather``).
    """
    if len(scene.buildings) == 0:
        raise InputError("the energy engine needs buildings: no input of the scenario provides any", field="inputs.files")
    if not options.weather and scene.weather is None:
        raise InputError("the energy engine needs weather: add an EPW to inputs.weather or energy.weather", field="energy.weather")


_WEATHER_CACHE: dict[tuple, object] = {}


def _weather(scene, options, base_dir: Path):
    if options.weather:
        from twin.ingest.epw import read_epw

        path = (base_dir / options.weather).resolve()
        stat = path.stat() if path.exists() else None
        key = (str(path), stat.st_size if stat else None, stat.st_mtime_ns if stat else None)
        if key not in _WEATHER_CACHE:
            _WEATHER_CACHE.clear()
            _WEATHER_CACHE[key] = read_epw(path)
        return _WEATHER_CACHE[key]
    if scene.weather is None:
        raise InputError("the energy engine needs weather: add an EPW to inputs.weather or energy.weather", field="energy.weather")
    return scene.weather


def _prepared(scene, weather, cooling_setpoint_c):
    from twin.energy.stock import prepare_stock

    key = f"buildings:energy_prep:{weather.source}:{cooling_setpoint_c}"
    if key not in scene._cache:
        scene._cache[key] = prepare_stock(scene, weather, cooling_setpoint_c=cooling_setpoint_c)
    return scene._cache[key]


def run(scene, options, *, base_dir: Path) -> EngineResult:
    from twin.energy.measures import apply_measures
    from twin.energy.stock import simulate_prepared

    weather = _weather(scene, options, base_dir)
    prep = _prepared(scene, weather, options.cooling_setpoint_c)
    env = prep.envelope.copy()
    env["theta_i_c"] = float(options.heating_setpoint_c)
    if env["theta_i_c"].nunique() != prep.envelope["theta_i_c"].nunique() or not np.allclose(env["theta_i_c"], prep.envelope["theta_i_c"]):
        from twin.energy.stock import stock_drivers

        drivers, profile = stock_drivers(weather, env, cooling_setpoint_c=options.cooling_setpoint_c)
        prep = type(prep)(env, prep.excluded, prep.shade_factor, drivers, profile, prep.conventions, prep.factors)
    costs = []
    if "renovation_measures" in scene.buildings:
        plan = scene.buildings.set_index("building_id")["renovation_measures"].fillna("")
        plan = plan[plan != ""]
        simulated = set(env["building_id"])
        for measures, ids in plan.groupby(plan).groups.items():
            ids = [i for i in ids if i in simulated]
            if ids:
                env, c = apply_measures(env, measures.split(","), buildings=ids, factors=prep.factors)
                costs.append(c)
    cost_table = pd.concat(costs, ignore_index=True) if costs else None
    stock = simulate_prepared(prep, env, cost_table)
    acc = stock.accounts
    geo = scene.buildings[["building_id", "geometry"]]
    objects = geo.merge(acc, on="building_id", how="inner")
    poor = acc["energy_class"].isin(POOR_CLASSES).to_numpy()
    area = acc["a_f_m2"].to_numpy(dtype=float)
    kpis = {
        "heating_need_mwh": float(acc["q_heat_kwh"].sum() / 1e3),
        "final_energy_mwh": float(acc["final_energy_kwh"].sum() / 1e3),
        "primary_energy_mwh": float(acc["primary_energy_kwh"].sum() / 1e3),
        "co2_t": float(acc["co2_kg"].sum() / 1e3),
        "energy_cost_keur_yr": float(acc["energy_cost_eur"].sum() / 1e3),
        "investment_keur": float(acc["investment_eur"].sum() / 1e3),
        "floor_area_class_d_or_worse_pct": float(100.0 * area[poor].sum() / area.sum()) if area.sum() > 0 else float("nan"),
        "buildings_simulated": float(len(acc)),
    }
    monthly = stock.results.monthly
    series = None
    if monthly is not None and len(monthly):
        series = monthly.groupby("month")[["q_heat_kwh"]].sum() / 1e3
        series.columns = ["heating_need_mwh"]
    notes = []
    if len(stock.excluded):
        notes.append(f"{len(stock.excluded)} buildings excluded (first: {stock.excluded.iloc[0].to_dict()})")
    return EngineResult(objects, "building_id", kpis, series, notes)
