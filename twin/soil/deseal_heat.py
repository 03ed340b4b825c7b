"""Surface temperature change of a de-sealing what-if on the hottest days, with bands.

The soil grid of the scenario's soil engine (:func:`twin.soil.grid.build_grid`, the same
:class:`~twin.soil.grid.GridOptions`) gives every cell its ground-level cover fractions: sealed
(not roof), permeable paving and open ground (by land-cover class). Each cover has one surface
temperature series from its energy balance (:func:`twin.soil.surface_energy.run_surface_energy`)
under the weather file:

* sealed ground: ``asphalt``;
* permeable paving: ``concrete_pavers``;
* open ground: the ground vegetation of its land-cover class
  (``twin/data/soil_landcover_vegetation.csv``: ``lawn`` or ``bare_soil``; unmapped open ground
  ``lawn``). Tree canopies are not modelled (their shade would cool the ground further: the
  change reported is a lower bound of the cooling for planted woods).

A cell's ground surface temperature is the area-weighted mean of its covers (roofs excluded),
hour by hour. The KPIs compare a what-if's grid with the baseline's on the ``n_days`` hottest
days of the weather year (highest daily maximum air temperature), after a spin-up of the soil
water and heat:

* ``surface_temp_change_midday_c``: change of the mean ground surface temperature between 11:00
  and 16:00 (hours ending 12-16), over the ground whose cover changed (weighted by the changed
  area of each cell, not its whole area: a cell changed on a fifth of its ground would otherwise
  dilute the change five-fold);
* ``surface_temp_change_daily_max_c``: change of the daily maximum of that ground's mean surface
  temperature, mean over the days;
* ``district_surface_temp_change_midday_c``: as the first, over the ground of every cell of the
  grid (weighted by its ground-level area);
* ``changed_area_m2``: ground-level area whose cover changed (:func:`changed_area_m2_per_cell`:
  per cell, the share of its ground whose cover changed times the cell area). A de-sealing of
  car parks from a sealed fraction of 0.95 to 0.1 changes 85 % of their ground outside streets
  and roofs (the soil grid lays streets over land cover).

Per cell (central run): the ground surface temperature at 11–16 h of each cell in the baseline and
the what-if (:attr:`DesealHeatResult.cell_midday_c`) and its change
(:attr:`DesealHeatResult.cell_change_midday_c`, 0 where the cover did not change); summed over the
changed cells, each cell's change times its ground-level area, divided by ``changed_area_m2``,
gives ``surface_temp_change_midday_c``.

Bands: the unknown albedo and emissivity of each cover, a roughness factor and a crop-coefficient
factor are drawn from ``twin/data/soil_surface_priors.yaml`` (documented ranges), ``samples``
times with the seed; baseline and what-if use the same draws (paired). The band is the 5th-95th
percentile of the samples' changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from twin.errors import InputError, NoEffectError
from twin.soil.surface_energy import SurfaceCover, hottest_days, read_surface_covers, run_surface_energy

DEFAULT_PRIORS = Path(__file__).resolve().parents[1] / "data" / "soil_surface_priors.yaml"
MIDDAY_HOURS = (12, 13, 14, 15, 16)
"""Hours (ending at) of the hot-days surface temperature "at 11–16 h" (11:00-16:00 local standard time)."""
#: Levels behind the changes (baseline and what-if values; :attr:`DesealHeatResult.levels`).
LEVELS = ("surface_temp_midday_c", "surface_temp_daily_max_c", "district_surface_temp_midday_c")
KPIS = ("surface_temp_change_midday_c", "surface_temp_change_daily_max_c", "district_surface_temp_change_midday_c", "changed_area_m2")
MAX_SAMPLES = 200


def load_surface_priors(path=None) -> dict:
    """The priors table (default ``twin/data/soil_surface_priors.yaml``), checked.

    Raises
    ------
    InputError
        A missing entry or a distribution that is not uniform (low < high) or triangular
        (low <= mode <= high), naming the file and the entry.
    """
    import yaml

    p = Path(path) if path is not None else DEFAULT_PRIORS
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the surface priors ({exc.strerror})", path=str(p)) from None
    if not isinstance(data, dict) or not isinstance(data.get("covers"), dict):
        raise InputError("the surface priors need a 'covers' mapping", path=str(p), field="covers")
    entries = [(f"covers.{c}.{k}", v) for c, d in data["covers"].items() for k, v in (d or {}).items()]
    entries += [(k, data.get(k)) for k in ("z0_factor", "kc_scale_factor")]
    for key, d in entries:
        if not isinstance(d, dict) or d.get("dist") not in ("uniform", "triangular"):
            raise InputError("a prior needs dist: uniform or triangular", path=str(p), field=key)
        lo, hi = d.get("low"), d.get("high")
        mode = d.get("mode", lo)
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lo, hi, mode)) or not lo <= mode <= hi or lo >= hi:
            raise InputError("a prior needs finite low < high (and low <= mode <= high)", path=str(p), field=key)
    return data


def _draw(d: dict, rng) -> float:
    if d["dist"] == "uniform":
        return float(rng.uniform(d["low"], d["high"]))
    return float(rng.triangular(d["low"], d.get("mode", d["low"]), d["high"]))


def draw_samples(covers: dict[str, SurfaceCover], priors: dict, n: int, seed: int) -> list[tuple[dict[str, SurfaceCover], float]]:
    """``n`` draws of (covers with their albedo, emissivity and roughness drawn, crop-coefficient
    scale)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        z0f = _draw(priors["z0_factor"], rng)
        kc = _draw(priors["kc_scale_factor"], rng)
        drawn = {}
        for name, c in covers.items():
            d = priors["covers"].get(name, {})
            albedo = _draw(d["albedo"], rng) if "albedo" in d else c.albedo
            emissivity = _draw(d["emissivity"], rng) if "emissivity" in d else c.emissivity
            drawn[name] = replace(c, albedo=albedo, emissivity=emissivity, z0_m=c.z0_m * z0f).check()
        out.append((drawn, kc))
    return out


def cover_fractions(grid) -> dict[str, np.ndarray]:
    """Ground-level fraction of every cell (flat, (n_cell,)) per surface cover (see the module
    docstring)."""
    from twin.soil.vegetation import read_landcover_vegetation

    table = read_landcover_vegetation()
    out = {"asphalt": grid.sealed.ravel().astype(float), "concrete_pavers": grid.paving.ravel().astype(float)}
    ground = grid.ground.ravel().astype(float)
    rest = ground.copy()
    for cls, frac in (grid.ground_by_class or {}).items():
        row = table.get(cls) or table.get("_unmapped_")
        veg = row.ground_vegetation if row is not None else "lawn"
        f = frac.ravel().astype(float)
        out[veg] = out.get(veg, 0.0) + f
        rest -= f
    out["lawn"] = out.get("lawn", 0.0) + np.clip(rest, 0.0, None)
    return out


#: Largest difference of a cell's share of a surface cover that is rounding, not a change (the
#: shares are absolute fractions of the cell in [0, 1]: no relative tolerance).
COVER_ATOL = 1e-9


def changed_cover_cells(frac_base: dict[str, np.ndarray], frac_what: dict[str, np.ndarray]) -> np.ndarray:
    """Flat ``(n_cell,)`` mask of the cells whose ground cover differs between two grids.

    The one rule of "did the what-if change the ground cover": a cell changes when its share of
    any surface cover (:func:`cover_fractions` of each grid) moves by more than
    :data:`COVER_ATOL`. Used by :func:`deseal_heat`, :func:`deseal_heat_scenes`, the 3-D block
    (:func:`twin.soil.block_bands.changed_region`) and the scenario's hot-days engine.
    """
    n_cell = len(frac_base["asphalt"])
    changed = np.zeros(n_cell, dtype=bool)
    for c in set(frac_base) | set(frac_what):
        changed |= np.abs(np.asarray(frac_what.get(c, 0.0)) - np.asarray(frac_base.get(c, 0.0))) > COVER_ATOL
    return changed


@dataclass
class DesealHeatResult:
    """KPIs (central value), their samples, the per-cell central changes and notes.

    Attributes
    ----------
    kpis : {what-if: {kpi: central value}}.
    samples : {what-if: {kpi: (n_samples,) values}}.
    bands : {what-if: {kpi: (p5, p95)}}.
    cell_change_midday_c : {what-if: (ny, nx) central change of the ground surface temperature at
        11–16 h of each cell, K}: 0 where the cell's cover did not change
        (:func:`changed_cover_cells`), NaN where it changed and the cell has no ground-level area
        outside roofs in the baseline or the what-if (a new or removed building over all of it).
    cell_midday_c : {what-if: ((ny, nx) baseline, (ny, nx) what-if)} central ground surface
        temperature at 11–16 h of each cell, degC: the mean of its covers' (:attr:`cover_midday_c`)
        weighted by their shares of its ground (roofs excluded); NaN where the cell has no ground;
        the what-if's is the baseline's where the cover did not change.
    cover_midday_c : {cover: central mean surface temperature at 11–16 h on the hot days, degC}.
    days : the timestamps of the hot days' first hours.
    notes : lines for the report.
    levels : {what-if: {level: (baseline, what-if)}}, central; a level of :data:`LEVELS` is the
        mean surface temperature behind the change of the same name (``surface_temp_midday_c``
        behind ``surface_temp_change_midday_c`` ...; same cells, same weights, so what-if minus
        baseline is the change).
    level_samples : {what-if: {level: (n_samples, 2) baseline and what-if values}}.
    n_samples, seed : the Monte Carlo behind the bands.
    """

    kpis: dict[str, dict[str, float]]
    samples: dict[str, dict[str, np.ndarray]]
    bands: dict[str, dict[str, tuple[float, float]]]
    cell_change_midday_c: dict[str, np.ndarray]
    cover_midday_c: dict[str, float]
    days: list[str]
    notes: list[str] = field(default_factory=list)
    levels: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    level_samples: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    n_samples: int = 0
    seed: int = 0
    cell_midday_c: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def _cover_series(weather, covers, kc_scale: float, rows: list[int], spin_up_hours: int, needed: set[str]) -> dict[str, np.ndarray]:
    """Hourly mean surface temperature (n_days, 24) of each needed cover on the hot days."""
    start = min(rows)
    n_hours = max(rows) + 24 - start
    out = {}
    for name in sorted(needed):
        r = run_surface_energy(weather, covers[name], start_row=start, n_hours=n_hours, spin_up_hours=spin_up_hours, kc_scale=kc_scale)
        out[name] = np.stack([r.t_surface_mean_c[d - start:d - start + 24] for d in rows])
    return out


def _cell_midday_c(frac: dict[str, np.ndarray], covers: list[str], cover_mid: dict[str, float]) -> np.ndarray:
    """Flat ``(n_cell,)`` ground surface temperature of each cell from its cover fractions and the
    covers' temperatures ``cover_mid`` (degC): their mean weighted by the covers' shares of its
    ground (roofs excluded; the ground is the sum over ``covers``); NaN where the cell has no ground."""
    total = sum(np.asarray(frac.get(c, 0.0), dtype=float) for c in covers)
    t = sum(np.asarray(frac[c], dtype=float) * cover_mid[c] for c in frac if c in cover_mid)
    with np.errstate(invalid="ignore", divide="ignore"):
        return t / total


def _kpis(frac_base, frac_what, series, area_m2, hours) -> tuple[dict[str, float], np.ndarray, dict[str, tuple[float, float]]]:
    """KPIs of one what-if, the per-cell change at 11–16 h (:attr:`DesealHeatResult.cell_change_midday_c`)
    and the levels (baseline, what-if).

    The changed ground is the area whose cover changed (:func:`changed_area_m2_per_cell`), not
    the whole of the cells it touches: a cell de-sealed on a fifth of its ground adds a fifth of
    its area. Its baseline surface temperature series is the area-weighted mean of the covers it
    lost (the covers it gained when it lost none: ground freed from under a roof); the what-if's
    is that plus the area-integral of the ground's temperature change over the changed cells
    divided by the changed area (exact, as the covers' temperatures do not depend on the cell).
    The levels are the mean at 11–16 h and the mean daily maximum of these two series; the district
    level is the mean over every cell's ground-level area.
    """
    mid = np.isin(hours, MIDDAY_HOURS)
    covers = sorted(set(frac_base) | set(frac_what))
    total_b = sum(np.asarray(frac_base.get(c, 0.0), dtype=float) for c in covers)
    total_w = sum(np.asarray(frac_what.get(c, 0.0), dtype=float) for c in covers)
    cover_mid = {c: float(series[c][:, mid].mean()) for c in covers if c in series}

    changed = changed_cover_cells(frac_base, frac_what)
    tb_mid, tw_mid = _cell_midday_c(frac_base, covers, cover_mid), _cell_midday_c(frac_what, covers, cover_mid)
    d_mid = tw_mid - tb_mid
    w = total_b * area_m2
    ok = np.isfinite(d_mid) & (w > 0)
    ch = ok & changed
    idx = np.flatnonzero(ch)

    nan = float("nan")
    levels = {"surface_temp_midday_c": (nan, nan), "surface_temp_daily_max_c": (nan, nan), "district_surface_temp_midday_c": (nan, nan)}
    kpis = {k: nan for k in KPIS}
    changed_m2 = float(changed_area_m2_per_cell(frac_base, frac_what, area_m2)[idx].sum())
    kpis["changed_area_m2"] = changed_m2
    if len(idx) and changed_m2 > 0:
        fb = {c: np.asarray(frac_base.get(c, 0.0), dtype=float) * np.ones(len(total_b)) for c in covers}
        fw = {c: np.asarray(frac_what.get(c, 0.0), dtype=float) * np.ones(len(total_b)) for c in covers}
        scale = total_b[idx] / total_w[idx]  # the what-if's ground temperature over the baseline's ground area
        lost = {c: float(np.clip(fb[c][idx] - fw[c][idx], 0.0, None).sum()) for c in covers}
        if sum(lost.values()) <= 0.0:
            lost = {c: float(np.clip(fw[c][idx] - fb[c][idx], 0.0, None).sum()) for c in covers}
        gain = {c: area_m2 * float((fw[c][idx] * scale - fb[c][idx]).sum()) for c in covers}
        total_lost = sum(lost.values())
        base_t = sum(lost[c] * series[c] for c in covers if lost[c]) / total_lost  # (n_days, 24)
        what_t = base_t + sum(gain[c] * series[c] for c in covers if gain[c]) / changed_m2
        lb, lw = float(base_t[:, mid].mean()), float(what_t[:, mid].mean())
        xb, xw = float(base_t.max(axis=1).mean()), float(what_t.max(axis=1).mean())
        levels["surface_temp_midday_c"] = (lb, lw)
        levels["surface_temp_daily_max_c"] = (xb, xw)
        kpis["surface_temp_change_midday_c"] = lw - lb
        kpis["surface_temp_change_daily_max_c"] = xw - xb
    if ok.any():
        wo = np.where(ok, w, 0.0)
        levels["district_surface_temp_midday_c"] = (float(np.average(np.where(ok, tb_mid, 0.0), weights=wo)),
                                                     float(np.average(np.where(ok, tw_mid, 0.0), weights=wo)))
        kpis["district_surface_temp_change_midday_c"] = float(np.average(np.where(ok, d_mid, 0.0), weights=wo))
    return kpis, np.where(changed, d_mid, 0.0), levels


def changed_area_m2_per_cell(frac_base: dict[str, np.ndarray], frac_what: dict[str, np.ndarray], area_m2: float) -> np.ndarray:
    """Flat ``(n_cell,)`` ground-level area whose surface cover changed in each cell, m2.

    The larger of the shares the covers lost and gained (:func:`cover_fractions` of each grid)
    times the cell area: a car park de-sealed from a sealed fraction of 0.95 to 0.1 changes the
    cover of 85 % of its ground; a cell it covers by a fifth adds a fifth of that. Ground covered
    by a new roof (or freed from under one) counts too. Grid-independent up to the rasterisation
    of :func:`twin.soil.grid.build_grid` (its sample points: within half a sample spacing times a
    polygon's perimeter of its area).
    """
    covers = set(frac_base) | set(frac_what)
    d = [np.asarray(frac_what.get(c, 0.0), dtype=float) - np.asarray(frac_base.get(c, 0.0), dtype=float) for c in covers]
    gained = sum(np.clip(x, 0.0, None) for x in d)
    lost = sum(np.clip(-x, 0.0, None) for x in d)
    return np.maximum(gained, lost) * area_m2


def deseal_heat(base_grid, whatif_grids: dict, weather, *, n_days: int = 3, samples: int = 20, seed: int = 0,
                spin_up_days: int = 45, priors_path=None, covers_path=None) -> DesealHeatResult:
    """The KPIs of the module docstring for every what-if grid against the baseline grid.

    Parameters
    ----------
    base_grid, whatif_grids
        The baseline's :class:`~twin.soil.grid.SoilGrid` and ``{what-if name: grid}`` (the same
        grid options, so the cells match).
    weather
        The scenario's weather (:class:`twin.types.weather.Weather`, hourly EPW rows).
    n_days, samples, seed, spin_up_days
        Hot days, Monte Carlo samples (0: central only), seed, spin-up of soil water and heat.

    Raises
    ------
    InputError
        Grids that do not match, bad priors, too many samples.
    NoEffectError
        A what-if that changes no cell's ground cover.
    """
    if not 0 <= samples <= MAX_SAMPLES:
        raise InputError(f"samples must lie in [0, {MAX_SAMPLES}], got {samples}", field="samples")
    if not 1 <= n_days <= 30:
        raise InputError(f"hot days must lie in [1, 30], got {n_days}", field="n_days")
    covers = read_surface_covers(covers_path)
    priors = load_surface_priors(priors_path)
    frac_base = cover_fractions(base_grid)
    fracs = {}
    for name, g in whatif_grids.items():
        if g.shape != base_grid.shape or not np.allclose(g.x, base_grid.x) or not np.allclose(g.y, base_grid.y):
            raise InputError("the what-if's soil grid does not match the baseline's (use the same grid options)", obj=name, field="grid")
        fracs[name] = cover_fractions(g)
        if not changed_cover_cells(frac_base, fracs[name]).any():
            raise NoEffectError("the what-if changes no cell's ground cover: no surface temperature change to report", obj=name,
                                field="modifications")
    needed = {c for f in [frac_base, *fracs.values()] for c, v in f.items() if np.any(np.asarray(v) > 0)}
    missing = needed - set(covers)
    if missing:
        raise InputError(f"no surface cover row for {sorted(missing)}", path=str(covers_path or ""), field="cover")
    data = weather.data if hasattr(weather, "data") else weather
    rows = sorted(hottest_days(weather, n_days))
    if min(rows) - 24 * spin_up_days < 1:
        raise InputError(f"the hot days come too early in the weather year for a {spin_up_days}-day spin-up", field="spin_up_days")
    hours = np.arange(1, 25)
    area = base_grid.cell_area_m2
    central = _cover_series(weather, covers, 1.0, rows, 24 * spin_up_days, needed)
    mid = np.isin(hours, MIDDAY_HOURS)
    cover_mid = {c: float(v[:, mid].mean()) for c, v in central.items()}
    kpis, cells, cell_levels = {}, {}, {}
    levels, level_smp = {}, {}
    for name, f in fracs.items():
        kpis[name], d, levels[name] = _kpis(frac_base, f, central, area, hours)
        cells[name] = d.reshape(base_grid.shape)
        covers_bw = sorted(set(frac_base) | set(f))
        tb = _cell_midday_c(frac_base, covers_bw, cover_mid)
        tw = np.where(changed_cover_cells(frac_base, f), _cell_midday_c(f, covers_bw, cover_mid), tb)
        cell_levels[name] = (tb.reshape(base_grid.shape), tw.reshape(base_grid.shape))
    draws = draw_samples(covers, priors, samples, seed)
    smp = {name: {k: np.empty(samples) for k in KPIS} for name in fracs}
    level_smp = {name: {k: np.empty((samples, 2)) for k in LEVELS} for name in fracs}
    for s, (drawn, kc) in enumerate(draws):
        series = _cover_series(weather, drawn, kc, rows, 24 * spin_up_days, needed)
        for name, f in fracs.items():
            k, _, lv = _kpis(frac_base, f, series, area, hours)
            for key in KPIS:
                smp[name][key][s] = k[key]
            for key in LEVELS:
                level_smp[name][key][s] = lv[key]
    bands = {name: {k: (float(np.percentile(v, 5)), float(np.percentile(v, 95))) if samples else (math.nan, math.nan)
                    for k, v in smp[name].items()} for name in fracs}
    days = [str(data.index[r]) for r in rows]
    hot_hours = f"{MIDDAY_HOURS[0] - 1}-{MIDDAY_HOURS[-1]} h"  # as the report says them (its "Midday" is 11-12 h)
    notes = [
        f"surface energy balance of {', '.join(sorted(needed))} on the {n_days} hottest days of the weather year "
        f"({', '.join(d[:10] for d in days)}), {spin_up_days}-day spin-up of soil water and heat; surface temperatures at {hot_hours}",
        f"mean surface temperature at {hot_hours} (central): " + ", ".join(f"{c} {t:.1f} degC" for c, t in sorted(cover_mid.items())),
        f"bands: 5-95 % of {samples} paired samples of albedo, emissivity, roughness and crop coefficient "
        "(twin/data/soil_surface_priors.yaml); tree shade not modelled (woods count as their ground vegetation)",
    ]
    return DesealHeatResult(kpis, smp, bands, cells, cover_mid, days, notes, levels, level_smp, samples, seed, cell_levels)


def deseal_heat_scenes(baseline_scene, whatif_scenes: dict, weather, grid_options, **kwargs) -> DesealHeatResult:
    """:func:`deseal_heat` on the soil grids of scenes: the baseline scene and ``{what-if name:
    scene}`` with the soil engine's :class:`~twin.soil.grid.GridOptions` (the scenario soil
    engine's ``grid_options(scene, soil_options)``, whose bounds are snapped to whole cells so that
    the grids match). What-ifs that change no ground cover are left out (roof-only what-ifs, for
    instance); if none is left, :class:`NoEffectError`. ``kwargs`` go to :func:`deseal_heat`."""
    from twin.soil.grid import build_grid

    base = build_grid(baseline_scene, grid_options)
    base_frac = cover_fractions(base)
    grids = {}
    for name, scene in whatif_scenes.items():
        g = build_grid(scene, grid_options)
        f = cover_fractions(g)
        if changed_cover_cells(base_frac, f).any():
            grids[name] = g
    if not grids:
        raise NoEffectError("no what-if changes a cell's ground cover: no surface temperature change to report", field="whatifs")
    return deseal_heat(base, grids, weather, **kwargs)
