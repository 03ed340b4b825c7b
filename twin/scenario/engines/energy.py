"""Energy engine adapter: the scene's building stock through :mod:`twin.energy.stock`.

Renovation measures come from the scene (``buildings.renovation_measures``, a comma list set
by the ``renovate`` modification); buildings with the same list are renovated together.
The prepared stock (envelope, urban shading from horizon profiles, drivers) is cached on the
scene until its buildings change, so Monte Carlo samples only re-run the kernel.

KPIs (whole stock): heating need (MWh), final and primary energy (MWh), CO2 (t), energy cost
(kEUR/yr), investment (kEUR), share of floor area in class D or worse, buildings simulated, and
final energy by carrier (MWh: gas, oil, electricity before the PV credit, district heat) with the
PV yield credited against the electricity (MWh). ``final_energy_mwh`` is the sum of the carriers;
primary energy, CO2 and cost are the carriers times their factors of
``twin/data/energy_factors.csv`` (electricity net of PV).

Options: ``heating_setpoint_c``, ``cooling_setpoint_c``, ``weather`` and ``dhw`` (hot-water need:
``typology``, TABULA's q_w_nd per m2, default; ``by_use``, litres per person and day,
:mod:`twin.energy.hot_water`), applied to the central run and to every Monte Carlo sample.

Monte Carlo (:func:`run_samples`): every sample of the stock's unknowns
(:mod:`twin.energy.stock_samples`) and of the engine options goes through the kernel as extra
building rows of one batch (:func:`twin.energy.sampled.simulate_samples`), on the prepared
stock of the scene (shading and drivers computed once).

Rooftop PV (a measure of kind ``pv``): its size and yield come from the solar cadastre of the
scene's roofs (:mod:`twin.solar.pv_measure`: the roofs of class excellent or good of each
selected building, with their orientation, shading by neighbours, module layout and DC/AC
chain), computed once per scene geometry. The what-if's energy result carries it as
``result.solar`` (:class:`SolarPV`) for the report (:mod:`twin.scenario.report_solar`); selected
buildings without a suitable roof get no modules and are named in a warning. Monte Carlo: the PV
of a building is the same in every sample (nothing about PV is sampled; the cadastre is that of
the scene's geometry, not of the sampled heights), so the PV part of a what-if's delta is paired.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from twin.caching import BoundedCache, weather_digest
from twin.energy.sampled import POOR_CLASSES  # classes D to G
from twin.errors import InputError
from twin.scenario.runner import EngineResult

#: Scene layers the energy model reads (the runner skips what-ifs that change none of them).
READS = frozenset({"buildings", "storeys", "spaces", "elements"})

#: The KPIs, in the order reported.
KPIS = ("heating_need_mwh", "final_energy_mwh", "primary_energy_mwh", "co2_t", "energy_cost_keur_yr", "investment_keur",
        "floor_area_class_d_or_worse_pct", "buildings_simulated", "final_gas_mwh", "final_oil_mwh", "final_electricity_mwh",
        "final_district_heat_mwh", "pv_yield_mwh")

#: Carrier KPIs -> account column (kWh).
CARRIER_KPIS = {"final_gas_mwh": "gas_kwh", "final_oil_mwh": "oil_kwh", "final_electricity_mwh": "electricity_kwh",
                "final_district_heat_mwh": "district_heat_kwh", "pv_yield_mwh": "pv_kwh"}


def _dhw_model(options) -> str:
    """The scenario's hot-water model (``energy.dhw``; ``typology`` when the option is absent)."""
    from twin.energy.hot_water import check_dhw_model

    return check_dhw_model(str(getattr(options, "dhw", None) or "typology"))

#: KPIs that are NaN when undefined (a share of no floor area); any other NaN is an error.
UNDEFINED_OK = frozenset({"floor_area_class_d_or_worse_pct"})

#: Sampled building attributes the engine reads (the runner samples it when the priors are on).
STOCK_ATTRIBUTES = frozenset({"use", "n_storeys", "height_m", "floor_area_m2", "construction_year", "envelope"})


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


#: The weather file last read by :func:`_weather`, by path, size and modification time.
_WEATHER_CACHE: BoundedCache[tuple, object] = BoundedCache(1)


def _weather(scene, options, base_dir: Path):
    if options.weather:
        from twin.ingest.epw import read_epw
        from twin.io.weather_site import check_weather_site

        path = (base_dir / options.weather).resolve()
        stat = path.stat() if path.exists() else None
        key = (str(path), stat.st_size if stat else None, stat.st_mtime_ns if stat else None)
        weather = _WEATHER_CACHE.get(key)
        if weather is None:
            weather = _WEATHER_CACHE.put(key, read_epw(path))
        check_weather_site(weather, scene, path=path, field="energy.weather")
        return weather
    if scene.weather is None:
        raise InputError("the energy engine needs weather: add an EPW to inputs.weather or energy.weather", field="energy.weather")
    return scene.weather


#: Building columns set by what-if modifications that the prepared stock does not depend on
#: (measures are applied after preparation).
_PREP_IGNORES = ("renovation_measures",)

#: Prepared stocks by content (scene digest, weather, cooling): a what-if whose buildings differ
#: from the baseline only in :data:`_PREP_IGNORES` reuses the baseline's preparation (envelope,
#: urban shading, drivers), which is most of an energy run. The last four stored.
_PREP_CACHE: BoundedCache[tuple, object] = BoundedCache(4)


def _digest(scene) -> str:
    """A hash of what the prepared stock is made of: the buildings (without :data:`_PREP_IGNORES`),
    their footprints, and the storeys, spaces and elements layers."""
    import hashlib

    import shapely

    h = hashlib.sha256()
    b = scene.buildings
    attrs = b.drop(columns=[c for c in (*_PREP_IGNORES, "geometry") if c in b.columns])
    h.update(",".join(map(str, attrs.columns)).encode())
    h.update(pd.util.hash_pandas_object(attrs.astype(str), index=False).to_numpy().tobytes())
    h.update(b"".join(shapely.to_wkb(np.asarray(b.geometry.values), hex=False)))
    for name in ("storeys", "spaces", "elements"):
        layer = scene.layers.get(name)
        if layer is not None and len(layer):
            plain = layer.drop(columns=["geometry"], errors="ignore")
            h.update(name.encode() + pd.util.hash_pandas_object(plain.astype(str), index=False).to_numpy().tobytes())
    return h.hexdigest()


def _conventions(options):
    """The stock's modelling conventions of the scenario's energy options (the exterior surfaces of the finer model)."""
    from twin.energy.model import Conventions

    if options is None:
        return Conventions()
    default = Conventions()
    return Conventions(exterior_convection=getattr(options, "exterior_convection", None) or default.exterior_convection,
                       terrain=getattr(options, "terrain", None) or default.terrain, roughness=getattr(options, "roughness", None) or default.roughness,
                       control_temperature=getattr(options, "control_temperature", None) or default.control_temperature)


def _prepared(scene, weather, cooling_setpoint_c, model: str = "5r1c", options=None):
    from twin.energy.stock import prepare_stock

    conventions = _conventions(options)
    exterior = (conventions.exterior_convection, conventions.terrain, conventions.roughness, conventions.control_temperature)
    key = f"buildings:energy_prep:{weather.source}:{cooling_setpoint_c}:{model}:{':'.join(exterior)}"
    if key not in scene._cache:
        content = (_digest(scene), weather_digest(weather), cooling_setpoint_c, model, exterior)
        prep = _PREP_CACHE.get(content)
        if prep is None:
            prep = _PREP_CACHE.put(content, prepare_stock(scene, weather, cooling_setpoint_c=cooling_setpoint_c, model=model,
                                                          conventions=conventions))
        scene._cache[key] = prep
    return scene._cache[key]


@dataclass
class SolarPV:
    """The rooftop PV of a scene's ``pv`` measures (``EngineResult.solar`` of the energy engine).

    cadastre : the :class:`~twin.solar.cadastre.Cadastre` of the scene's roofs (shared: read only).
    suitable : per building (index ``building_id``): ``pv_kwp``, ``pv_ac_kwh_year``,
        ``n_suitable_roofs``, ``n_roofs`` (:func:`twin.solar.pv_measure.suitable_pv`).
    selected : building ids a ``pv`` measure was applied to (simulated buildings).
    equipped : per equipped building: ``building_id``, ``measure``, ``pv_kwp``, ``pv_ac_kwh_year``.
    without_suitable_roof : selected ids with no roof of class excellent or good (no modules).
    not_simulated : selected ids the energy model left out (no PV counted).
    """

    cadastre: object
    suitable: pd.DataFrame
    selected: list[str] = field(default_factory=list)
    equipped: pd.DataFrame | None = None
    without_suitable_roof: list[str] = field(default_factory=list)
    not_simulated: list[str] = field(default_factory=list)

    @property
    def kwp(self) -> float:
        """Peak power of the equipped buildings, kWp."""
        return float(self.equipped["pv_kwp"].sum()) if self.equipped is not None else 0.0

    @property
    def ac_kwh_year(self) -> float:
        """AC yield of the equipped buildings, kWh/year."""
        return float(self.equipped["pv_ac_kwh_year"].sum()) if self.equipped is not None else 0.0


def _pv_plan(plan: dict[str, set[str]]) -> dict[str, set[str]]:
    """The part of a renovation plan (measure list -> ids) whose lists hold a measure of kind ``pv``."""
    if not plan:
        return {}
    from twin.energy.measures import load_measures

    table = load_measures()
    pv = set(table.index[table["kind"] == "pv"])
    return {m: ids for m, ids in plan.items() if pv & set(m.split(","))}


def _with_solar(scene, weather, env: pd.DataFrame, plan: dict[str, set[str]]) -> tuple[pd.DataFrame, SolarPV | None]:
    """``env`` with the cadastre's PV columns when the plan has a ``pv`` measure, and the
    :class:`SolarPV` record (None without ``pv`` measures)."""
    pv_plan = _pv_plan(plan)
    if not pv_plan:
        return env, None
    from twin.energy.measures import attach_pv_yield
    from twin.solar.pv_measure import district_cadastre, suitable_pv

    cad = district_cadastre(scene, weather)
    suitable = suitable_pv(cad.surfaces)
    selected = sorted(set().union(*pv_plan.values()))
    simulated = set(env["building_id"].astype(str))
    solar = SolarPV(cad, suitable, [i for i in selected if i in simulated], not_simulated=[i for i in selected if i not in simulated])
    kwp = suitable["pv_kwp"].reindex(solar.selected).fillna(0.0)
    solar.without_suitable_roof = list(kwp.index[kwp.to_numpy() <= 0])
    return attach_pv_yield(env, suitable), solar


def _solar_messages(solar: SolarPV | None, env: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Fill ``solar.equipped`` from the envelope after the measures; notes and warnings."""
    if solar is None:
        return [], []
    src = env["pv_kwp_source"].astype(str) if "pv_kwp_source" in env else pd.Series("", index=env.index)
    done = src.str.contains("solar cadastre", regex=False).to_numpy()
    eq = env.loc[done, ["building_id", "pv_kwp", "pv_ac_kwh_year"]].copy()
    eq.insert(1, "measure", src[done].str.extract(r"^measure (\S+)", expand=False).to_numpy())
    solar.equipped = eq.reset_index(drop=True)
    t = solar.cadastre.meta["totals"]
    notes = [f"rooftop PV from the solar cadastre: {len(eq):,} of {len(solar.selected):,} selected buildings equipped, "
             f"{solar.kwp:,.0f} kWp, {solar.ac_kwh_year / 1e3:,.0f} MWh/year AC (all suitable roofs of the scene: "
             f"{t['suitable_pv_kwp']:,.0f} kWp, {t['suitable_pv_ac_mwh_year']:,.0f} MWh/year)"]
    warns = []
    if solar.without_suitable_roof:
        n = len(solar.without_suitable_roof)
        warns.append(f"{n:,} of the {len(solar.selected):,} buildings selected for rooftop PV have no roof of class excellent or good "
                     f"in the solar cadastre and get no modules (e.g. {', '.join(solar.without_suitable_roof[:3])})")
    if solar.not_simulated:
        warns.append(f"{len(solar.not_simulated):,} buildings selected for rooftop PV are not simulated by the energy model "
                     f"(e.g. {', '.join(solar.not_simulated[:3])}): their PV is not counted")
    return notes, warns


#: The runner passes the Monte Carlo's stock priors to :func:`run` (``priors=``).
CENTRAL_PRIORS = True


def run(scene, options, *, base_dir: Path, priors=None) -> EngineResult:
    """The central run of ``scene`` (see the module docstring).

    ``priors``: the stock priors of the scenario's Monte Carlo. With a heating-system prior, the
    central figures of the buildings whose system the data does not give are the expected value
    over the prior's mix (:func:`twin.energy.sampled.simulate_central_mix`; docs/energy_systems.md);
    with a window prior, the buildings whose windows come from the typology have the expected window
    U and g over its glazing states (:mod:`twin.energy.central_windows`; docs/stock_attributes.md).
    """
    from twin.energy.hot_water import using_dhw_model
    from twin.energy.sampled import central_system_mix

    with using_dhw_model(_dhw_model(options)):
        return _run(scene, options, base_dir=base_dir, mix=central_system_mix(priors) if priors is not None else [],
                    windows=getattr(priors, "window", None))


def _central_windows(scene, base: pd.DataFrame | None, env: pd.DataFrame, windows) -> tuple[pd.DataFrame, list[str]]:
    """The central run's expected glazing over the window prior (:mod:`twin.energy.central_windows`)
    and its note; ``base``: the envelope without calibration (None: ``env`` has none); ``env``
    unchanged without a window prior."""
    if windows is None or not len(env):
        return env, []
    from twin.energy.calibrated import calibrated_kind
    from twin.energy.central_windows import with_expected_windows

    keep = calibrated_kind(scene.buildings, env["building_id"]) == "building"
    env, n = with_expected_windows(env, windows, base=base, keep=keep)
    if not n:
        return env, []
    return env, [f"central run: the {n:,} buildings whose windows come from the typology have the expected window U and g over the "
                 "window prior (the Monte Carlo samples draw their glazing state; docs/stock_attributes.md)"]


def _run(scene, options, *, base_dir: Path, mix=(), windows=None) -> EngineResult:
    from twin.energy.measures import apply_measures
    from twin.energy.stock import simulate_prepared

    weather = _weather(scene, options, base_dir)
    prep = _prepared(scene, weather, options.cooling_setpoint_c, getattr(options, "model", "5r1c"), options)
    plan = _renovation_plan(scene)
    env, solar = _with_solar(scene, weather, prep.envelope.copy(), plan)
    base_env = prep.base_envelope
    env["theta_i_c"] = float(options.heating_setpoint_c)
    if env["theta_i_c"].nunique() != prep.envelope["theta_i_c"].nunique() or not np.allclose(env["theta_i_c"], prep.envelope["theta_i_c"]):
        from twin.energy.stock import stock_drivers

        drivers, profile = stock_drivers(weather, env, cooling_setpoint_c=options.cooling_setpoint_c)
        prep = replace(prep, envelope=env, drivers=drivers, setpoint_profile=profile)  # keeps footprints and base_envelope
    env, window_note = _central_windows(scene, base_env, env, windows)

    def renovate(env):
        costs = []
        simulated = set(env["building_id"].astype(str))
        for measures, ids in plan.items():
            ids = sorted(ids & simulated)
            if ids:
                env, c = apply_measures(env, measures.split(","), buildings=ids, factors=prep.factors)
                costs.append(c)
        return env, pd.concat(costs, ignore_index=True) if costs else None

    mix_note = []
    if mix and len(mix) > 1:  # central = expected value over the heating-system prior (docs/energy_systems.md)
        from twin.energy.sampled import simulate_central_mix, system_variants

        variants = system_variants(env, mix, renovate)
        env = variants[0][1]
        stock, acc = simulate_central_mix(prep, variants)
        mix_note = ["central run: the buildings whose heating system the data does not give count with the expected value over the "
                    "heating-system prior (" + ", ".join(f"{name.replace('_', ' ')} {100 * share:.0f} %" for name, share in mix)
                    + "), their EPB class from that expected primary energy, the class-share KPI the expected share"]
    else:
        env, cost_table = renovate(env)
        stock = simulate_prepared(prep, env, cost_table)
        acc = stock.accounts
    geo = scene.buildings[["building_id", "geometry"]]
    objects = geo.merge(acc, on="building_id", how="inner")
    poor = acc["energy_class"].isin(POOR_CLASSES).to_numpy(dtype=float)
    if "class_d_or_worse_probability" in acc:  # mixed central run: the expected share over the system mix
        poor = acc["class_d_or_worse_probability"].to_numpy(dtype=float)
    area = acc["a_f_m2"].to_numpy(dtype=float)
    kpis = {
        "heating_need_mwh": float(acc["q_heat_kwh"].sum() / 1e3),
        "final_energy_mwh": float(acc["final_energy_kwh"].sum() / 1e3),
        "primary_energy_mwh": float(acc["primary_energy_kwh"].sum() / 1e3),
        "co2_t": float(acc["co2_kg"].sum() / 1e3),
        "energy_cost_keur_yr": float(acc["energy_cost_eur"].sum() / 1e3),
        "investment_keur": float(acc["investment_eur"].sum() / 1e3),
        "floor_area_class_d_or_worse_pct": float(100.0 * (area * poor).sum() / area.sum()) if area.sum() > 0 else float("nan"),
        "buildings_simulated": float(len(acc)),
        **{k: float(acc[c].sum() / 1e3) for k, c in CARRIER_KPIS.items()},
    }
    monthly = stock.results.monthly
    series = None
    if monthly is not None and len(monthly):
        series = monthly.groupby("month")[["q_heat_kwh"]].sum() / 1e3
        series.columns = ["heating_need_mwh"]
    notes = []
    if len(stock.excluded):
        notes.append(f"{len(stock.excluded)} buildings excluded (first: {stock.excluded.iloc[0].to_dict()})")
    pv_notes, pv_warnings = _solar_messages(solar, env)
    result = EngineResult(objects, "building_id", kpis, series, notes + window_note + mix_note + pv_notes, pv_warnings)
    if solar is not None:
        result.solar = solar  # read by twin.scenario.report_solar
    return result


def _renovation_plan(scene) -> dict[str, set[str]]:
    """Measures (comma list) -> building ids, from ``buildings.renovation_measures``."""
    if "renovation_measures" not in scene.buildings:
        return {}
    plan = scene.buildings.set_index("building_id")["renovation_measures"].fillna("")
    plan = plan[plan != ""]
    return {str(m): set(map(str, ids)) for m, ids in plan.groupby(plan).groups.items()}


def kpis_from_totals(totals: pd.Series) -> dict[str, float]:
    """The engine's KPIs from the stock totals of :func:`twin.energy.sampled.simulate_samples`."""
    area = float(totals["a_f_m2"])
    return {
        "heating_need_mwh": float(totals["q_heat_kwh"] / 1e3),
        "final_energy_mwh": float(totals["final_energy_kwh"] / 1e3),
        "primary_energy_mwh": float(totals["primary_energy_kwh"] / 1e3),
        "co2_t": float(totals["co2_kg"] / 1e3),
        "energy_cost_keur_yr": float(totals["energy_cost_eur"] / 1e3),
        "investment_keur": float(totals["investment_eur"] / 1e3),
        "floor_area_class_d_or_worse_pct": float(100.0 * totals["a_f_d_or_worse_m2"] / area) if area > 0 else float("nan"),
        "buildings_simulated": float(totals["buildings"]),
        **{k: float(totals[c] / 1e3) for k, c in CARRIER_KPIS.items()},
    }


def run_samples(scene, options: list, stock, *, base_dir: Path) -> tuple[list[dict[str, float]], list[str]]:
    """KPIs of every Monte Carlo sample on ``scene``: the options of each sample (a list, one per
    sample) and, when ``stock`` (:class:`~twin.energy.stock_samples.StockSamples`) is given, its
    sampled buildings. Returns the KPIs per sample and notes for the report."""
    from twin.energy.hot_water import using_dhw_model

    with using_dhw_model(_dhw_model(options[0])):
        return _run_samples(scene, options, stock, base_dir=base_dir)


def _run_samples(scene, options: list, stock, *, base_dir: Path) -> tuple[list[dict[str, float]], list[str]]:
    from twin.energy.sampled import simulate_samples
    from twin.energy.stock import simulate_prepared
    from twin.energy.stock_samples import draw_stock_samples

    weather = _weather(scene, options[0], base_dir)
    if getattr(options[0], "model", "5r1c") != "5r1c":
        raise InputError("Monte Carlo samples run the 5R1C model only: with energy.model iso52016 the bands would be another model's "
                         "(set samples: 0, or energy.model: 5r1c)", field="energy.model")
    prep = _prepared(scene, weather, options[0].cooling_setpoint_c)
    if stock is None:  # options only: the central stock in every sample
        from twin.energy.priors import parse_priors

        stock = draw_stock_samples(scene, parse_priors({}), len(options), 0)
    plan = _renovation_plan(scene)
    # the central run of this scene (its results stand in for a sampled building the model rejects)
    from twin.energy.measures import apply_measures

    env, solar = _with_solar(scene, weather, prep.envelope.copy(), plan)
    if solar is not None:  # the cadastre's PV columns follow every building into its sample rows
        base = getattr(prep, "base_envelope", None)
        prep = replace(prep, envelope=_with_solar(scene, weather, prep.envelope, plan)[0],
                       base_envelope=None if base is None else _with_solar(scene, weather, base, plan)[0])
    env["theta_i_c"] = float(options[0].heating_setpoint_c)
    simulated = set(env["building_id"])
    costs = []
    for measures, ids in plan.items():
        ids = [i for i in ids if i in simulated]
        if ids:
            env, c = apply_measures(env, measures.split(","), buildings=ids, factors=prep.factors)
            costs.append(c)
    central = simulate_prepared(prep, env, pd.concat(costs, ignore_index=True) if costs else None).accounts
    cooling = np.array([np.nan if o.cooling_setpoint_c is None else float(o.cooling_setpoint_c) for o in options])
    totals = simulate_samples(scene, prep, stock, setpoint_c=np.array([float(o.heating_setpoint_c) for o in options]),
                              cooling_c=cooling, measures=plan, fallback=central)
    from twin.energy.sampled import is_prior

    env0 = prep.envelope
    counts = {label: int(is_prior(env0, param).sum()) for label, param, entry in (
        ("window U and g", "u_window_w_m2k", "window"), ("heating system", "system", "heating_system"),
        ("setpoint", "theta_i_c", "heating_setpoint_c"), ("air change", "n_air_inf_1_h", "air_change"))
        if getattr(stock.priors, entry) is not None}
    notes = [f"priors applied to the {', '.join(f'{k} of {v:,}' for k, v in counts.items())} of {len(env0):,} simulated buildings "
             "(where the value comes from the typology or a default)"] if counts else []
    if stock.hp_cop_factor is not None and len(stock.hp_cop_factor):
        lo, hi = np.percentile(stock.hp_cop_factor, [5, 95])
        notes.append(f"heat-pump COP: the real-operation correction of every heat pump times a factor drawn per sample "
                     f"(prior heat_pump_cop; 5-95 %: {lo:.2f}-{hi:.2f})")
    if stock.pv_factor is not None and len(stock.pv_factor) and float(totals["pv_kwh"].abs().sum()) > 0:
        lo, hi = np.percentile(stock.pv_factor, [5, 95])
        notes.append(f"rooftop PV: the solar model's yield of every system times a factor drawn per sample "
                     f"(prior pv_yield; 5-95 %: {lo:.2f}-{hi:.2f})")
    sub = totals["substituted"].to_numpy()
    if sub.sum() > 0:
        notes.append(f"{int((sub > 0).sum())} of {len(sub)} Monte Carlo samples had sampled buildings the 5R1C model rejects "
                     f"(at most {int(sub.max())} per sample, e.g. a tall nave on a small floor); they count with their central result")
    return [kpis_from_totals(row) for _, row in totals.iterrows()], notes
