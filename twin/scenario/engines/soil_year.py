"""The soil engine's ``year`` method: a year of soil water under the scenario's weather file.

:func:`run_year` calls :func:`twin.soil.year.run_district_year` with the
:class:`~twin.soil.year.YearOptions` of the scenario's soil section (:func:`year_options`):

=================================  ==============================================================
scenario (``soil.``)               YearOptions
=================================  ==============================================================
``cell_size_m``, ``bounds``        ``grid = GridOptions(cell_size_m, bounds)``; ``bounds`` (scene
                                   CRS) default to the scene's sites, else its buildings and land
                                   cover; snapped outward to whole cells
``texture``                        ``grid.texture`` (left out: the prior's mode, silt loam; not
                                   sampled by this method)
``spinup_days``                    ``spinup_days`` (the end of the weather year run first)
``water_table_depth_m``            ``water_table.default_depth_m``
``max_column_depth_m``             ``water_table.max_column_depth_m``
``sewer_outlet_capacity_mm_h``     ``sewer.outlet_capacity_mm_h``
``sewer_storage_share``            ``sewer.network_storage_share``
``sewer_tank_m3``                  ``sewer.outlet_tank_m3``
``inter_event_hours``              ``sewer.inter_event_hours``
``kc_scale``                       ``kc_scale``
``green_infrastructure``           ``green_infrastructure``, plus the what-if's
                                   ``green_infrastructure`` modifications (``scene.meta``)
=================================  ==============================================================

Everything else keeps the defaults of :class:`~twin.soil.year.YearOptions` (the shipped
vegetation and land-cover tables, the street-class sewers, no water-table map). The weather is
the scene's (``inputs.weather``, an EPW with hourly precipitation).

KPIs
----
:data:`YEAR_KPIS` (the annual totals of :meth:`twin.soil.year.YearResult.kpis`, the soil-moisture
percentiles renamed ``soil_moisture_p10_m3_m3`` ...); ``water_balance_error_rel`` is a diagnostic.

Monte Carlo (``uncertainty.samples`` > 0)
-----------------------------------------
The soil unknowns of ``twin/data/soil_priors.yaml`` (factors on the crop-coefficient scale, the
water-table depth and the sewer outlet capacity; ``soil.priors`` replaces entries) are drawn once
per sample with the scenario seed (:func:`twin.scenario.engines.soil_priors.draw_factors`) and
the baseline and every what-if the soil engine re-runs are run with the same draws: the deltas
are paired. At most ``soil.samples`` samples (default: all of ``uncertainty.samples``), since a
sample is a year of every distinct soil column (about as long as the central run). The samples
may run on cheaper settings (``soil.sample_cell_size_m``, ``soil.sample_spinup_days``); then the
engine also runs the central values on those settings and every sample's KPI is
``central run + (sample - central on the sample settings)``: the level comes from the central
settings and the spread from the cheaper ones (a control variate; exact when the settings are
the same, and then no extra run is made). The balance diagnostic of a sample is its own.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import InputError

#: KPIs of the year method (units in the names; see twin.soil.year.KPI_UNITS).
YEAR_KPIS = (
    "rain_m3", "runoff_m3", "runoff_mm", "infiltration_m3", "recharge_m3", "capillary_rise_m3", "et_m3", "et_mm",
    "transpiration_m3", "soil_evaporation_m3", "interception_evaporation_m3", "potential_transpiration_m3", "storage_change_m3",
    "plant_stress_days", "soil_moisture_p10_m3_m3", "soil_moisture_p50_m3_m3", "soil_moisture_p90_m3_m3",
    "sewer_overflow_m3", "sewer_cso_m3", "sewer_flooding_m3", "sewer_overflow_hours", "sewer_overflow_events",
    "sealed_area_pct", "water_balance_error_rel",
)
#: KPIs that are NaN when the grid has no vegetated open ground.
YEAR_UNDEFINED_OK = frozenset({"plant_stress_days", "soil_moisture_p10_m3_m3", "soil_moisture_p50_m3_m3", "soil_moisture_p90_m3_m3"})
_RENAME = {"theta_p10": "soil_moisture_p10_m3_m3", "theta_p50": "soil_moisture_p50_m3_m3", "theta_p90": "soil_moisture_p90_m3_m3"}
#: Diagnostic KPIs: a sample reports its own value (no control-variate shift).
_DIAGNOSTIC = ("water_balance_error_rel",)


def _snap(v: float, size: float, rounding) -> float:
    k = v / size
    return round(k) * size if abs(k - round(k)) < 1e-3 else rounding(k) * size


def grid_bounds(scene, options, cell_size_m: float) -> tuple[float, float, float, float]:
    """``soil.bounds`` (else the scene's extent, :func:`twin.soil.grid.grid_extent`) snapped
    outward to whole cells of ``cell_size_m``."""
    from twin.soil.grid import grid_extent

    xmin, ymin, xmax, ymax = options.bounds if options.bounds is not None else grid_extent(scene)
    s = float(cell_size_m)
    return (_snap(xmin, s, math.floor), _snap(ymin, s, math.floor), _snap(xmax, s, math.ceil), _snap(ymax, s, math.ceil))


def year_options(scene, options, *, cell_size_m: float | None = None, spinup_days: int | None = None,
                 factors: tuple[float, float, float] = (1.0, 1.0, 1.0)):
    """The :class:`~twin.soil.year.YearOptions` of the scenario's soil section on ``scene`` (the
    module docstring's table); ``factors`` multiply the crop-coefficient scale, the water-table
    depth and the sewer outlet capacity (a Monte Carlo sample)."""
    from twin.scenario.engines.soil_texture_prior import central_texture
    from twin.scenario.modifications import GI_META_KEY
    from twin.soil.green_infra import GreenInfrastructure
    from twin.soil.grid import GridOptions
    from twin.soil.groundwater import WaterTableOptions
    from twin.soil.sewer import SewerOptions
    from twin.soil.year import YearOptions

    size = float(options.cell_size_m if cell_size_m is None else cell_size_m)
    f_kc, f_wt, f_cap = (float(f) for f in factors)
    gi = [g.model_dump() for g in options.green_infrastructure] + [dict(g) for g in scene.meta.get(GI_META_KEY, ())]
    return YearOptions(
        grid=GridOptions(cell_size_m=size, bounds=grid_bounds(scene, options, size), texture=central_texture(options)),
        spinup_days=int(options.spinup_days if spinup_days is None else spinup_days),
        water_table=WaterTableOptions(default_depth_m=options.water_table_depth_m * f_wt, max_column_depth_m=options.max_column_depth_m),
        sewer=SewerOptions(outlet_capacity_mm_h=options.sewer_outlet_capacity_mm_h * f_cap, network_storage_share=options.sewer_storage_share,
                           outlet_tank_m3=options.sewer_tank_m3, inter_event_hours=options.inter_event_hours),
        green_infrastructure=[GreenInfrastructure(**{k: v for k, v in g.items() if v is not None}) for g in gi],
        kc_scale=min(options.kc_scale * f_kc, 2.0),
    )


def check_weather(scene) -> None:
    """The year method needs the scene's weather with hourly precipitation (checked before any engine runs)."""
    if scene.weather is None:
        raise InputError("the soil engine's year method needs a weather file with hourly precipitation: add an EPW to inputs.weather",
                         field="inputs.weather")
    from twin.soil.rain import from_weather

    where = getattr(scene.weather, "source", None)
    try:
        from_weather(scene.weather, path=where)
    except InputError as exc:
        raise InputError(f"{exc.message} (the soil engine's year method takes its rain from inputs.weather)", path=exc.path,
                         obj=exc.obj, field="inputs.weather") from None


def _kpis(res) -> dict[str, float]:
    k = res.kpis()
    return {_RENAME.get(name, name): float(v) for name, v in k.items() if _RENAME.get(name, name) in YEAR_KPIS}


def _coord(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _objects(res) -> pd.DataFrame:
    g = res.grid
    cells = res.to_geodataframe()
    gx, gy = np.meshgrid(g.x, g.y)
    cells.insert(0, "cell_id", [f"cell:{_coord(x)}:{_coord(y)}" for x, y in zip(gx.ravel(), gy.ravel())])
    area = g.cell_area_m2
    for k in ("runoff", "infiltration", "recharge", "et"):
        cells[f"{k}_mm"] = cells[f"{k}_m3"] / area * 1000.0
    return cells


def _monthly(res) -> pd.DataFrame:
    d = res.daily
    m = pd.DataFrame({
        "runoff_m3": d["sewer_inflow_m3"],
        "soil_et_m3": d["soil_evaporation_m3"] + d["transpiration_m3"],
        "sewer_overflow_m3": d["sewer_overflow_m3"],
        "rain_m3": d["rain_m3"],
    })
    out = m.groupby(d.index.month).sum()
    out.index.name = "month"
    return out


#: The central KPIs of the last deterministic runs (scene, options, KPIs): the samples' control
#: variate needs them and the runner runs them first.
_CENTRAL: list[tuple[object, object, dict[str, float]]] = []


def _remember(scene, options, kpis) -> None:
    _CENTRAL[:] = [e for e in _CENTRAL if e[0] is not scene][-15:] + [(scene, options, kpis)]


def _central(scene) -> tuple[object, dict[str, float]] | None:
    for sc, opts, kpis in _CENTRAL:
        if sc is scene:
            return opts, kpis
    return None


def run_year(scene, options, *, base_dir: Path | None = None):
    """The year method on ``scene`` (the engine's ``run`` for ``soil.method: year``)."""
    from twin.scenario.runner import EngineResult
    from twin.soil.year import run_district_year

    check_weather(scene)
    yopts = year_options(scene, options)
    res = run_district_year(scene, scene.weather, yopts)
    kpis = _kpis(res)
    _remember(scene, options, dict(kpis))  # a copy: the engine adds the hot-days KPIs to its result's dict
    b = res.balance_m3()
    ny, nx = res.grid.shape
    n_gi = len(yopts.green_infrastructure)
    notes = [
        f"a year of soil water ({len(res.daily)} days, hourly FAO-56 ET from the weather file, {yopts.spinup_days} days of spin-up) on "
        f"{ny * nx:,} cells of {yopts.grid.cell_size_m:g} m ({res.n_columns:,} soil columns, {res.n_integrated:,} distinct); water table "
        f"{yopts.water_table.default_depth_m:g} m, sewer outlet {yopts.sewer.outlet_capacity_mm_h:g} mm/h"
        + (f", {n_gi} green infrastructure{'' if n_gi == 1 else 's'}" if n_gi else "")
        + f"; annual water balance error {b['relative_error']:.1e} of the rain"
    ]
    return EngineResult(_objects(res), "cell_id", kpis, _monthly(res), notes)


def _sample_settings(options) -> tuple[float, int, bool]:
    cell = float(options.sample_cell_size_m if options.sample_cell_size_m is not None else options.cell_size_m)
    spin = int(options.sample_spinup_days if options.sample_spinup_days is not None else options.spinup_days)
    return cell, spin, (cell != float(options.cell_size_m) or spin != int(options.spinup_days))


def _run_kpis(scene, options, **kw) -> dict[str, float]:
    from twin.soil.year import run_district_year

    return _kpis(run_district_year(scene, scene.weather, year_options(scene, options, **kw)))


def run_samples_paired(baseline_scene, rerun: dict, opts: list, stock=None, *, base_dir: Path | None = None, seed: int = 0):
    """Monte Carlo of the year method (the module docstring): per sample, the baseline and every
    what-if of ``rerun`` with the same draws of the soil priors.

    Returns
    -------
    (baseline KPIs per sample, {what-if: KPIs per sample}, {}, notes)
    """
    from twin.scenario.engines.soil_priors import ENTRIES, draw_factors, load_soil_priors

    central_opts = opts[0]
    n = len(opts) if central_opts.samples is None else min(len(opts), central_opts.samples)
    priors = load_soil_priors(central_opts.priors)
    factors = draw_factors(priors, n, seed)
    cell, spin, shifted = _sample_settings(central_opts)

    def scene_samples(scene) -> list[dict[str, float]]:
        shift = None
        if shifted:
            known = _central(scene)  # the deterministic run of this scene (the runner makes it first)
            c_opts, fine = known if known is not None else (central_opts, _run_kpis(scene, central_opts))
            coarse = _run_kpis(scene, c_opts, cell_size_m=cell, spinup_days=spin)
            shift = {k: fine[k] - coarse[k] for k in fine}
        out = []
        for s in range(n):
            k = _run_kpis(scene, opts[s], cell_size_m=cell, spinup_days=spin, factors=tuple(factors[s]))
            if shift is not None:
                k = {name: (v if name in _DIAGNOSTIC else v + shift[name]) for name, v in k.items()}
            out.append(k)
        return out

    base = scene_samples(baseline_scene)
    what = {name: scene_samples(sc) for name, sc in rerun.items()}
    desc = "; ".join(f"{k} {priors[k].dist} [{priors[k].low:g}, {priors[k].high:g}]" for k in ENTRIES)
    notes = [f"{n} samples of the year (each a year of every distinct soil column) drawing the soil priors as factors on the central "
             f"values ({desc}; twin/data/soil_priors.yaml), the same draws for the baseline and every what-if"
             + (f"; samples on {cell:g} m cells with {spin} spin-up days, shifted onto the central run (central + sample - central on "
                "the sample settings)" if shifted else "")]
    return base, what, {}, notes
