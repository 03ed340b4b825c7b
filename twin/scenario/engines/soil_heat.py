"""The soil engine's surface temperature on the hottest days: KPIs of the what-ifs that change the
ground cover.

Every soil method (``richards``, ``scs_cn``, ``year``) adds, for a what-if that changes the
ground-level cover of at least one cell of the soil grid (de-sealing, a new or removed building,
a car park planted ...), three KPIs from :func:`twin.soil.deseal_heat.deseal_heat` (the surface
energy balance of each cover under ``inputs.weather`` on the :data:`N_DAYS` hottest days of the
weather year; 11-16 h = the hours ending 12 to 16; see that module and docs/soil_heat.md):

==========================================  =====================================================
KPI                                         baseline / what-if value
==========================================  =====================================================
``hot_days_surface_temp_midday_c``          mean surface temperature at 11-16 h of the ground
                                            whose cover changed (weighted by the changed area
                                            of each cell, not its whole area), degC
``hot_days_surface_temp_max_c``             mean daily maximum, same ground, degC
``hot_days_district_surface_temp_midday_c`` mean ground surface temperature at 11-16 h over every
                                            cell of the grid, degC
==========================================  =====================================================

The baseline value of each is the what-if's own (the cells depend on the what-if): the what-if's
result carries it in :attr:`twin.scenario.runner.EngineResult.baseline_kpis`, so the change in the
KPI table is what-if minus baseline on the same cells. Such a what-if's soil deltas also get the
surface temperature at 11-16 h of each grid cell (:func:`cell_columns`). What-ifs that change no ground cover (a
renovation, green roofs, a street closure) get none of these KPIs; nor does a scene without a
weather file (a note says so).

Monte Carlo (``uncertainty.samples`` > 0): :func:`heat_samples` draws the surface priors
(``twin/data/soil_surface_priors.yaml``: albedo and emissivity of each cover, a roughness factor,
a crop-coefficient factor) :data:`HEAT_SAMPLES` times at most (fewer when the scenario has fewer
samples) with the scenario's seed; the baseline and the what-if use the same draws (paired), so
the runner's bands of these KPIs (its percentiles of the samples) come from those samples.
About 0.06 s per sample and 1-2 s for the central run on Saint-Gilles at 5 m (one cover-changing
what-if), independent of the grid size for the energy balance (one column per cover).
"""

from __future__ import annotations

import pandas as pd

from twin.errors import InputError

#: Monte Carlo samples of the surface priors behind the bands of the hot-days KPIs (at most the
#: scenario's ``uncertainty.samples``): 50 samples cost about 3 s on Saint-Gilles in the default
#: ``twin run`` (20 took 1.1 s, one cover-changing what-if; the cost grows with the covers, not
#: the cells); an edge of the 5-95 % band then rests on the 2nd-3rd smallest (largest) sample (the
#: report gives its Monte Carlo error).
HEAT_SAMPLES = 50

#: The hottest days of the weather year averaged.
N_DAYS = 3

#: Engine KPI -> level of :data:`twin.soil.deseal_heat.LEVELS`.
KPI_LEVELS = {
    "hot_days_surface_temp_midday_c": "surface_temp_midday_c",
    "hot_days_surface_temp_max_c": "surface_temp_daily_max_c",
    "hot_days_district_surface_temp_midday_c": "district_surface_temp_midday_c",
}
HEAT_KPIS = tuple(KPI_LEVELS)

#: Every note of this module starts so (the report's soil-heat section picks them out).
NOTE_PREFIX = "hottest days: "

#: Soil grids of the last scenes (scene, grid options, grid): the baseline's grid is built once;
#: a what-if's grid is dropped when it changes no ground cover, all of them after the samples.
_GRIDS: list[tuple[object, object, object]] = []
#: Scenes found to change no ground cover, with their grid options (the samples skip them).
_NO_CHANGE: list[tuple[object, object]] = []


def ground_grid(scene, options, grid=None):
    """The soil grid of ``scene`` with the scenario's soil ``options`` (cached per scene object;
    ``grid``: one already built with the same options, remembered)."""
    from twin.scenario.engines.soil import grid_options
    from twin.soil.grid import build_grid

    gopts = grid_options(scene, options)
    held = _held_grid(scene, gopts)
    if held is not None:
        return held
    if grid is None:
        grid = build_grid(scene, gopts)
    _GRIDS[:] = [e for e in _GRIDS if e[0] is not scene][-3:] + [(scene, gopts, grid)]
    return grid


def _held_grid(scene, gopts):
    """The grid held in :data:`_GRIDS` for ``scene`` and grid options ``gopts``, or None."""
    return next((g for sc, go, g in _GRIDS if sc is scene and go == gopts), None)


def cached_ground_grid(scene, options):
    """The grid :func:`ground_grid` holds for ``scene`` and these options, or None (nothing built)."""
    from twin.scenario.engines.soil import grid_options

    return _held_grid(scene, grid_options(scene, options))


def cover_unchanged(scene, options) -> bool:
    """Whether ``scene`` was found to change no ground cover with these options
    (:func:`forget_unchanged`); its grid is then not built again."""
    from twin.scenario.engines.soil import grid_options

    gopts = grid_options(scene, options)
    return any(x is scene and go == gopts for x, go in _NO_CHANGE)


def forget_unchanged(scene, options) -> None:
    """Record that ``scene`` changes no ground cover and drop its grid (not needed again)."""
    from twin.scenario.engines.soil import grid_options

    _GRIDS[:] = [e for e in _GRIDS if e[0] is not scene]
    _NO_CHANGE[:] = _NO_CHANGE[-15:] + [(scene, grid_options(scene, options))]


def _heat(baseline_scene, scenes: dict, options, samples: int, seed: int, *, grid=None):
    """:func:`twin.soil.deseal_heat.deseal_heat` on the what-ifs of ``scenes`` that change the
    ground cover (None when none does or there is no weather; then a note)."""
    from twin.soil.block_bands import changed_cells
    from twin.soil.deseal_heat import deseal_heat

    weather = getattr(baseline_scene, "weather", None)
    if weather is None:
        return None, [NOTE_PREFIX + "no surface temperature: the scene has no weather file (inputs.weather)"]
    base = ground_grid(baseline_scene, options)
    grids = {}
    for name, sc in scenes.items():
        if cover_unchanged(sc, options):
            continue
        g = ground_grid(sc, options, grid if len(scenes) == 1 else None)
        if changed_cells(base, g).any():  # the rule of the 3-D block too (changed_region)
            grids[name] = g
        else:  # its grid is not needed again (the samples skip this scene): let it go
            forget_unchanged(sc, options)
    if not grids:
        return None, []
    try:
        res = deseal_heat(base, grids, weather, n_days=N_DAYS, samples=samples, seed=seed)
    except InputError as exc:  # e.g. hot days too early in the file for the spin-up
        return None, [NOTE_PREFIX + f"no surface temperature: {exc.message}"]
    return res, []


def whatif_heat(baseline_scene, scene, options, *, grid=None) -> tuple[dict[str, float], dict[str, float], list[str], object]:
    """Central hot-days KPIs of one what-if: (what-if values, baseline values, notes, result);
    empty dicts and no result (None) when the what-if changes no ground cover. The result (a
    :class:`~twin.soil.deseal_heat.DesealHeatResult`) gives the per-cell columns
    (:func:`cell_columns`)."""
    from twin.soil.deseal_heat import MIDDAY_HOURS

    res, notes = _heat(baseline_scene, {"w": scene}, options, 0, 0, grid=grid)
    if res is None:
        return {}, {}, notes, None
    lv = res.levels["w"]
    what = {k: lv[level][1] for k, level in KPI_LEVELS.items()}
    base = {k: lv[level][0] for k, level in KPI_LEVELS.items()}
    area = res.kpis["w"]["changed_area_m2"]
    cover = ", ".join(f"{c} {t:.1f} degC" for c, t in sorted(res.cover_midday_c.items()))
    notes = [NOTE_PREFIX + f"{', '.join(d[:10] for d in res.days)}; surface cover replaced on {area:,.0f} m2 of ground (the "
             "changed polygons outside roofs and streets, times the change of their sealed share); surface "
             f"temperature at {min(MIDDAY_HOURS) - 1}-{max(MIDDAY_HOURS)} h per cover (central): {cover}",
             NOTE_PREFIX + "surface energy balance per cover (twin/soil/deseal_heat.py), 45-day spin-up of soil water and heat; "
             "roofs excluded, tree shade not modelled (woods count as their ground vegetation)"]
    return what, base, notes, res


#: The per-cell column of the soil deltas table (``<column>_baseline``, ``_whatif``, ``_delta``).
CELL_COLUMN = "surface_temp_midday_c"


def cell_columns(result, cell_ids) -> pd.DataFrame:
    """The per-cell surface temperature at 11-16 h on the hot days of the what-if of
    :func:`whatif_heat`'s ``result``, as columns of the soil deltas table.

    Parameters
    ----------
    result
        :func:`whatif_heat`'s result (a :class:`~twin.soil.deseal_heat.DesealHeatResult`).
    cell_ids
        The ``cell_id`` of each cell of the soil grid the result was computed on, in the flat
        (row-major, ``(ny, nx)``) order of its arrays (the engine's objects' order).

    Returns
    -------
    pandas.DataFrame
        ``cell_id``, ``surface_temp_midday_c_baseline`` and ``_whatif`` (central ground surface
        temperature of the cell, degC; NaN where the cell has no ground outside roofs) and
        ``_delta`` (what-if minus baseline, K; 0 where the cell's cover did not change;
        :attr:`~twin.soil.deseal_heat.DesealHeatResult.cell_midday_c`).
    """
    base, what = result.cell_midday_c["w"]
    return pd.DataFrame({"cell_id": list(cell_ids), f"{CELL_COLUMN}_baseline": base.ravel(), f"{CELL_COLUMN}_whatif": what.ravel(),
                         f"{CELL_COLUMN}_delta": result.cell_change_midday_c["w"].ravel()})


def heat_samples(baseline_scene, rerun: dict, options, n: int, seed: int) -> tuple[dict[str, list[dict]], dict[str, list[dict]], list[str]]:
    """Monte Carlo of the hot-days KPIs: ``min(n, HEAT_SAMPLES)`` paired samples of the surface
    priors for each what-if of ``rerun`` that changes the ground cover.

    Returns
    -------
    ({what-if: [what-if KPIs per sample]}, {what-if: [baseline KPIs per sample]}, notes)
    """
    m = min(int(n), HEAT_SAMPLES)
    if m <= 0 or not rerun:
        return {}, {}, []
    res, notes = _heat(baseline_scene, rerun, options, m, seed)
    if res is None:
        return {}, {}, []
    what, base = {}, {}
    for name in res.kpis:
        smp = res.level_samples[name]
        what[name] = [{k: float(smp[level][s, 1]) for k, level in KPI_LEVELS.items()} for s in range(m)]
        base[name] = [{k: float(smp[level][s, 0]) for k, level in KPI_LEVELS.items()} for s in range(m)]
    _GRIDS.clear()  # the last use of the grids in a run
    _NO_CHANGE.clear()
    notes.append(f"surface temperature on the hottest days: {m} paired samples of the surface priors (albedo, emissivity, roughness, "
                 f"crop coefficient; twin/data/soil_surface_priors.yaml), seed {seed}")
    return what, base, notes


def merge_samples(base_k: list[dict], what_k: dict[str, list[dict]], rerun_base: dict[str, list[dict]],
                  heat: tuple[dict, dict, list[str]]) -> None:
    """Add the hot-days samples (:func:`heat_samples`) to an engine's per-sample KPIs in place:
    the what-if values to its first samples' KPIs, the baseline values to ``rerun_base``."""
    h_what, h_base, _ = heat
    n = len(base_k)
    for name, rows in h_what.items():
        ks = what_k.setdefault(name, [dict(k) for k in base_k])
        bs = rerun_base.setdefault(name, [{} for _ in range(n)])
        for s, row in enumerate(rows[:n]):
            ks[s] = {**ks[s], **row}
            bs[s] = {**bs[s], **h_base[name][s]}

