"""Soil engine adapter: a design storm on the district's soil grid, per cell and in total.

Grid
----
The cells and their cover come from :func:`twin.soil.grid.build_grid` (roofs, street surfaces,
land cover, soil textures; see that module): cells of ``soil.cell_size_m`` over ``soil.bounds``
when given, else the scene's sites (else the bounding box of buildings and land cover), the bounds snapped outward to whole
cells so that a baseline and a what-if share their cells. Every other grid option keeps its
default (silt loam where the scene has no soil polygon, 1 m columns with nodes every 2 cm, no
run-on to neighbouring cells). At most :data:`MAX_SOIL_CELLS` cells (a
:class:`~twin.errors.ResourceLimitError` before any engine runs, :func:`check_scene`).

Green roofs (the ``green_roofs`` modification) are per building: a building's
``green_roof_share`` is the share of its roof that is a green roof. The grid samples each cell
on ``subsamples x subsamples`` points; a roof point takes the share of the building it falls on
(the largest if footprints overlap), and a cell's green-roof fraction is the mean over its
points, so it never exceeds its roof fraction. (:func:`twin.soil.grid.build_grid` itself knows
one district-wide share: the grid is built with share 1 and the green-roof fraction and
columns are then set per cell, :func:`with_building_green_roofs`.)

Design storm
------------
A block storm: ``soil.storm_mm`` falls at the constant intensity
``i = storm_mm / storm_hours`` (mm/h) during the first ``soil.storm_hours``, then it is dry up to
``soil.hours`` (:func:`twin.soil.rain.block_rain`). No evaporation is modelled.

Methods (``soil.method``)
-------------------------
``richards`` (default)
    :func:`twin.soil.district.run_district`: every column (open ground, permeable paving, green
    roof) is integrated with the Richards equation from a uniform initial head
    (``soil.initial_head_m``, default -1 m) to the end of the period; sealed surfaces shed all their
    rain. Columns that are the same (profile and rain factor) are integrated once
    (``unique_columns=True``, exact).
``scs_cn``
    SCS Curve Number screening (:mod:`twin.soil.curve_number`, TR-55) on the same cover
    fractions: the shedding part of a cell (roofs other than green roofs, sealed surfaces) has
    CN 98; open ground, permeable paving and green roofs have the CN of open space in good
    condition for the hydrologic soil group of their texture (the cell's soil, the paving and
    the green-roof substrate textures). Storm duration and period play no part.
``year``
    A year of soil water under the scenario's weather file (``inputs.weather``, hourly
    precipitation) with evapotranspiration, roots, a water table, sewers and green
    infrastructure: :mod:`twin.scenario.engines.soil_year` (options, KPIs, the Monte Carlo of the
    soil priors, paired between baseline and what-ifs). No design storm.

KPIs (units in the names)
-------------------------
``richards``: ``rain_m3``, ``runoff_m3`` (to the sewer: shed by sealed surfaces, rain the soil
could not take, green-roof outflow), ``infiltration_m3`` (net into ground and paving columns),
``storage_change_m3`` (soil water and ponds, green roofs included), ``drainage_m3`` (below the
ground and paving columns), ``mean_runoff_mm``, ``mean_theta_top_30cm_m3_m3`` (water content of
the top 30 cm of open ground at the end, weighted by open-ground area, rounded to 1e-6 as the
profiles are stored in float32), ``sealed_area_pct`` and
the diagnostic ``water_balance_error_rel`` (|rain - runoff - drainage - storage change| over
the rain, district total). ``scs_cn``: ``rain_m3``, ``runoff_m3``, ``retention_m3`` (P - Q:
initial abstraction and infiltration), ``mean_runoff_mm``, ``sealed_area_pct`` and
``water_balance_error_rel``.

Every method, on a what-if that changes the ground cover: the surface temperature on the hottest
days of the weather year (``hot_days_surface_temp_midday_c``, ``hot_days_surface_temp_max_c``,
``hot_days_district_surface_temp_midday_c``; baseline values on the what-if's own cells), with
bands from paired samples of the surface priors: :mod:`twin.scenario.engines.soil_heat`. The
engine is ``PAIRED`` for this (a what-if is run with the baseline scene) and always takes part
in the Monte Carlo (``SAMPLES_ITSELF``): the storm methods without a sampled ``soil.`` option
repeat their deterministic KPIs in every sample (no re-run) and add the hot-days samples.

The storm methods with ``soil.block`` (issue 18; :mod:`twin.soil.block_bands`), on a what-if that
changes the ground cover: a 3-D soil block over the changed cells and ``soil.block.margin_m``
(or ``soil.block.region``), run for the baseline and the what-if through the design storm
(:func:`twin.soil.district_block.run_district_with_block`, 1-D columns around it on a sub-grid one
cell wider), with the KPIs ``block_sealed_rain_gain_m3`` and ``block_sealed_rain_gain_mm`` (rain
water under the cells sealed in both, at the end: the lateral redistribution),
``block_recharge_m3`` (below the block) and ``block_infiltration_m3``; baseline values on the
what-if's own block. Monte Carlo: ``min(uncertainty.samples, soil.block.samples)`` paired samples
of the Carsel & Parrish (1988) hydraulics (:func:`block_samples`), added to the first samples as
the hot-days samples are. A block above ``soil.block.max_cells`` is a
:class:`~twin.errors.ResourceLimitError` naming ``soil.block`` before it runs. A ``soil.block``
that no what-if gets (no ``region`` and no what-if that changes the ground cover, or no what-if)
is a no-effect error before any engine runs (:func:`check_whatifs`, called by the runner once the
what-if scenes are built).

Objects: one row per cell (``cell_id`` from the centre coordinates, square geometry, cover
fractions, the cell's water balance in m3, runoff and infiltration in mm of cell area, and the
top-30-cm water content). A what-if with hot-days KPIs adds to its deltas the cell's ground
surface temperature at 11-16 h on the hot days (``surface_temp_midday_c_baseline``, ``_whatif``,
degC, and ``_delta``, K, 0 where the cover did not change:
:func:`twin.scenario.engines.soil_heat.cell_columns`, :attr:`~twin.scenario.runner.EngineResult.object_deltas`).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import ResourceLimitError
from twin.scenario.engines.soil_heat import HEAT_KPIS
from twin.scenario.engines.soil_year import YEAR_KPIS, YEAR_UNDEFINED_OK
from twin.scenario.runner import EngineResult
from twin.soil.block_bands import BLOCK_KPIS

#: Scene layers the soil grid reads (footprints and green-roof shares, street surfaces, land
#: cover and its sealing, soil textures, the district extent).
READS = frozenset({"buildings", "landcover", "links", "soil", "sites", "meta:soil_green_infrastructure"})

#: The most cells of a soil grid (1 km2 at 0.5 m; Saint-Gilles at 1 m is about 1.1 million).
MAX_SOIL_CELLS = 4_000_000

#: KPIs that are NaN when undefined (a mean over no open ground or no cell).
UNDEFINED_OK = frozenset({"mean_theta_top_30cm_m3_m3", "mean_runoff_mm"}) | YEAR_UNDEFINED_OK | frozenset(HEAT_KPIS) | frozenset(BLOCK_KPIS)

#: What-ifs are run with the baseline scene (the hot-days KPIs compare their cells with it).
PAIRED = True

#: The Monte Carlo asks this engine for samples even when none of its options is sampled (the
#: hot-days KPIs sample the surface priors themselves; :func:`run_samples_paired`).
SAMPLES_ITSELF = True

_KPIS = {
    "richards": ("storm_mm", "rain_m3", "runoff_m3", "infiltration_m3", "storage_change_m3", "drainage_m3", "mean_runoff_mm",
                 "mean_theta_top_30cm_m3_m3", "sealed_area_pct", "water_balance_error_rel"),
    "scs_cn": ("storm_mm", "rain_m3", "runoff_m3", "retention_m3", "mean_runoff_mm", "sealed_area_pct", "water_balance_error_rel"),
    "year": YEAR_KPIS,
}


def kpi_names(options) -> tuple[str, ...]:
    """The KPIs this engine reports with ``options`` (they depend on ``soil.method``)."""
    return _KPIS[getattr(options, "method", "richards")] + HEAT_KPIS + (BLOCK_KPIS if _block_options(options) is not None else ())


def _block_options(options):
    """The parsed ``soil.block`` section (:class:`twin.soil.block_bands.BlockBandOptions`), or None."""
    from twin.soil.block_bands import parse_block_options, resolved

    raw = getattr(options, "block", None)
    if raw is None or getattr(options, "method", "richards") == "year":
        return None
    return resolved(parse_block_options(raw), float(options.cell_size_m))

#: Depth over which the reported soil moisture is averaged, m.
TOP_LAYER_M = 0.30


def _snap(v: float, size: float, rounding) -> float:
    k = v / size
    return round(k) * size if abs(k - round(k)) < 1e-3 else rounding(k) * size


def grid_options(scene, options):
    """The :class:`~twin.soil.grid.GridOptions` of the scenario's soil section."""
    from twin.scenario.engines.soil_texture_prior import central_texture
    from twin.soil.grid import GridOptions, grid_extent

    size = float(options.cell_size_m)
    xmin, ymin, xmax, ymax = grid_extent(scene) if getattr(options, "bounds", None) is None else options.bounds
    bounds = (_snap(xmin, size, math.floor), _snap(ymin, size, math.floor), _snap(xmax, size, math.ceil), _snap(ymax, size, math.ceil))
    return GridOptions(cell_size_m=size, bounds=bounds, initial_head_m=float(getattr(options, "initial_head_m", -1.0)),
                       texture=central_texture(options))


def grid_cells(scene, options) -> int:
    """Number of cells of the scene's soil grid with the scenario's ``soil`` options."""
    xmin, ymin, xmax, ymax = grid_options(scene, options).bounds
    size = float(options.cell_size_m)
    nx = max(1, int(np.ceil((xmax - xmin) / size - 1e-9)))
    ny = max(1, int(np.ceil((ymax - ymin) / size - 1e-9)))
    return nx * ny


def check_scene(scene, options) -> None:
    """Refuse ``soil.bounds`` that hold nothing of the scene, a grid of more than
    :data:`MAX_SOIL_CELLS` cells, and a ``soil.block.region`` that holds no cell centre of the grid,
    before any engine runs (``twin scenario validate`` too).

    Raises
    ------
    ResourceLimitError
        Too many cells (field ``soil.cell_size_m``).
    InputError
        ``soil.bounds`` off the scene (field ``soil.bounds``); the block's region outside the soil
        grid (field ``soil.block.region``).
    """
    if getattr(options, "bounds", None) is not None:  # else the grid is the scene's extent
        from twin.soil.grid import check_bounds_hold_the_scene

        check_bounds_hold_the_scene(scene, options.bounds, field="soil.bounds")
    n = grid_cells(scene, options)
    if n > MAX_SOIL_CELLS:
        raise ResourceLimitError(f"the soil grid would have {n:,} cells of {options.cell_size_m:g} m, above the limit of "
                                 f"{MAX_SOIL_CELLS:,}; use larger cells", field="soil.cell_size_m")
    block = _block_options(options)
    if block is not None and block.region is not None:
        check_region_in_grid(block.region, grid_options(scene, options).bounds, float(options.cell_size_m))
    if getattr(options, "method", "richards") == "year":
        from twin.scenario.engines.soil_year import check_weather

        check_weather(scene)


def check_region_in_grid(region, grid_bounds, cell_size_m: float) -> None:
    """Raise InputError (field ``soil.block.region``) when ``region`` [xmin, ymin, xmax, ymax]
    holds no cell centre of the soil grid over ``grid_bounds`` (the block would have no cell: the
    same inclusive test as :func:`twin.soil.block_bands.block_cells`, on the centres of the grid's
    cells; before, the run failed after the baseline's soil engine, without naming the key)."""
    from twin.errors import InputError

    x0, y0, x1, y1 = grid_bounds
    s = float(cell_size_m)

    def holds_centre(lo: float, hi: float, origin: float, end: float) -> bool:
        centres = origin + (np.arange(max(1, math.ceil((end - origin) / s - 1e-9))) + 0.5) * s
        return bool(np.any((centres >= lo) & (centres <= hi)))

    if not (holds_centre(region[0], region[2], x0, x1) and holds_centre(region[1], region[3], y0, y1)):
        raise InputError(f"the block's region {list(region)} holds no cell centre of the soil grid "
                         f"[{x0:g}, {y0:g}, {x1:g}, {y1:g}] (cells of {s:g} m, the scene's CRS): move it onto the district",
                         field="soil.block.region")


def _green_shares(scene) -> np.ndarray | None:
    b = scene.buildings
    if "green_roof_share" not in b or len(b) == 0:
        return None
    shares = pd.to_numeric(b["green_roof_share"], errors="coerce").fillna(0.0).clip(0.0, 1.0).to_numpy(dtype=float)
    return shares if (shares > 0).any() else None


def with_building_green_roofs(scene, grid, shares: np.ndarray):
    """``grid`` (built with a green-roof share of 1) with the green-roof fraction of each cell
    from the buildings' own shares, and green-roof columns only where there is green roof.

    The points are the grid's sample points (same order and offsets as
    :func:`twin.soil.grid.build_grid`); a point on a roof takes the share of its building.
    Exact because the adapter's grid has no run-on (``runoff_to_neighbours`` 0), so no other
    array depends on the green-roof fraction.
    """
    return _with_green_fraction(grid, building_green_fraction(scene, grid, shares))


def building_green_fraction(scene, grid, shares: np.ndarray) -> np.ndarray:
    """The green-roof fraction of each cell (ny, nx) from the buildings' ``shares``
    (:func:`with_building_green_roofs`; the geometry part, the same for every texture)."""
    import shapely

    if grid.options.runoff_to_neighbours != 0:  # pragma: no cover - the adapter never sets it
        raise ValueError("per-building green roofs need runoff_to_neighbours = 0")
    x, y, size, s = grid.x, grid.y, grid.cell_size_m, grid.options.subsamples
    off = (np.arange(s) + 0.5) / s * size - size / 2
    px = (x[None, :, None, None] + off[None, None, None, :]) + 0 * y[:, None, None, None]
    py = (y[:, None, None, None] + off[None, None, :, None]) + 0 * x[None, :, None, None]
    px, py = np.broadcast_arrays(px, py)
    points = shapely.points(px.ravel(), py.ravel())  # order: (iy, ix, sy, sx), as build_grid
    share_pt = np.zeros(len(points))
    tree = shapely.STRtree(np.asarray(scene.buildings.geometry.values))
    pi, bi = tree.query(points, predicate="intersects")
    np.maximum.at(share_pt, pi, shares[bi])
    ny, nx = grid.shape
    return np.minimum(share_pt.reshape(ny, nx, s * s).mean(axis=2), grid.roof)


def _with_green_fraction(grid, green: np.ndarray):
    """``grid`` (green-roof share 1) with the green-roof fraction ``green`` and its columns."""
    import dataclasses

    from twin.soil.grid import KIND_GREEN_ROOF

    flat = green.ravel()
    is_green = grid.col_kind == KIND_GREEN_ROOF
    keep = ~is_green | (flat[grid.col_cell] > 1e-12)
    area = np.where(is_green, flat[grid.col_cell] * grid.cell_area_m2, grid.col_area_m2)
    return dataclasses.replace(
        grid, green_roof=green, col_cell=grid.col_cell[keep], col_kind=grid.col_kind[keep], col_area_m2=area[keep],
        col_profile=grid.col_profile[keep], col_rain_factor=grid.col_rain_factor[keep],
    )


def design_storm(options):
    """The block design storm of the scenario's soil section (see the module docstring)."""
    from twin.soil.rain import block_rain

    return block_rain(float(options.storm_mm), float(options.storm_hours) * 3600.0, end_s=float(options.hours) * 3600.0)


def _coord(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def cell_ids(grid) -> list[str]:
    """``cell_id`` of every cell of a soil grid (from its centre), flat in row-major ``(ny, nx)`` order."""
    gx, gy = np.meshgrid(grid.x, grid.y)
    return [f"cell:{_coord(x)}:{_coord(y)}" for x, y in zip(gx.ravel(), gy.ravel())]


def _cells_frame(grid) -> pd.DataFrame:
    return pd.DataFrame({
        "cell_id": cell_ids(grid),
        "sealed_fraction": grid.shed.ravel(),
        "roof_fraction": grid.roof.ravel(),
        "green_roof_fraction": grid.green_roof.ravel(),
        "open_ground_fraction": grid.ground.ravel(),
    })


def _objects(grid, frame: pd.DataFrame, crs):
    import geopandas as gpd
    import shapely

    gx, gy = np.meshgrid(grid.x, grid.y)
    half = grid.cell_size_m / 2.0
    geometry = shapely.box(gx.ravel() - half, gy.ravel() - half, gx.ravel() + half, gy.ravel() + half)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)


def top_layer_weights(z_m: np.ndarray, depth_m: float = TOP_LAYER_M) -> np.ndarray:
    """Weights of the nodes ``z_m`` (m, increasing from 0) in the mean over ``[0, depth_m]``.

    Each node stands for the interval between the midpoints to its neighbours; its weight is the
    share of ``[0, depth_m]`` that interval covers (the weights sum to 1).
    """
    z = np.asarray(z_m, dtype=float)
    mid = 0.5 * (z[1:] + z[:-1])
    lo = np.concatenate([[z[0]], mid])
    hi = np.concatenate([mid, [z[-1]]])
    w = np.clip(np.minimum(hi, depth_m) - lo, 0.0, None)
    return w / w.sum()


def richards_run(options, grid):
    """The design storm on every soil column of ``grid`` (:func:`twin.soil.district.run_district`,
    identical columns integrated once): the district result, its per-cell totals (flat) and the
    water content of the top :data:`TOP_LAYER_M` of each cell at the end (NaN without a column)."""
    from twin.soil.district import run_district

    res = run_district(grid, design_storm(options), duration_s=float(options.hours) * 3600.0, unique_columns=True)
    cells = {k: v.ravel() for k, v in res.cells.items()}
    theta_top = np.full(grid.shape[0] * grid.shape[1], np.nan)
    if res.theta is not None and len(res.z_m):
        w = top_layer_weights(res.z_m)
        theta_top = np.tensordot(w, res.theta[-1].astype(float), axes=(0, 0)).ravel()
    return res, cells, theta_top


def richards_kpis(options, grid, res, cells, theta_top) -> dict[str, float]:
    """The ``richards`` KPIs (module docstring) of a :func:`richards_run`."""
    area = grid.cell_area_m2
    tot = res.totals_m3()
    ground_m2 = grid.ground.ravel() * area
    has = np.isfinite(theta_top) & (ground_m2 > 0)
    n_cells = len(theta_top)
    return {
        "storm_mm": float(options.storm_mm),
        "rain_m3": tot["rain"],
        "runoff_m3": tot["runoff"],
        "infiltration_m3": tot["infiltration"],
        "storage_change_m3": tot["storage_change"],
        "drainage_m3": tot["drainage"],
        "mean_runoff_mm": float(cells["runoff"].sum() / (area * n_cells) * 1000.0) if n_cells else float("nan"),
        # profiles are stored as float32: the mean is rounded to 1e-6 so round-off is no change
        "mean_theta_top_30cm_m3_m3": round(float(np.average(theta_top[has], weights=ground_m2[has])), 6) if has.any() else float("nan"),
        "sealed_area_pct": float(100.0 * grid.shed.mean()),
        "water_balance_error_rel": res.relative_balance_error(),
    }


def _richards(scene, options, grid, notes) -> tuple[pd.DataFrame, dict[str, float]]:
    res, c, theta_top = richards_run(options, grid)
    area = grid.cell_area_m2
    frame = _cells_frame(grid)
    for k in ("rain", "runon", "runoff", "infiltration", "storage_change", "drainage"):
        frame[f"{k}_m3"] = c[k]
    frame["runoff_mm"] = c["runoff"] / area * 1000.0
    frame["infiltration_mm"] = c["infiltration"] / area * 1000.0
    frame["theta_top_30cm_m3_m3"] = theta_top
    kpis = richards_kpis(options, grid, res, c, theta_top)
    failures = int(res.columns.failures.sum())
    notes.append(
        f"Richards equation on {len(frame):,} cells of {grid.cell_size_m:g} m ({len(grid.col_cell):,} soil columns, "
        f"{res.n_integrated:,} distinct, each integrated once); block storm {options.storm_mm:g} mm in {options.storm_hours:g} h, "
        f"{options.hours:g} h simulated, no evaporation; relative water-balance error {kpis['water_balance_error_rel']:.1e}"
        + (f"; {failures} column steps failed to converge" if failures else "")
    )
    return frame, kpis


def _scs_cn(scene, options, grid, notes) -> tuple[pd.DataFrame, dict[str, float]]:
    from twin.soil.curve_number import CN_IMPERVIOUS, CN_OPEN_SPACE_GOOD, hydrologic_group, runoff_mm

    p = float(options.storm_mm)
    g = grid.options

    def cn_open(texture: str) -> float:
        return CN_OPEN_SPACE_GOOD[hydrologic_group(texture)]

    cn_ground = np.array([cn_open(t) for t in grid.texture.ravel()])
    q_ground = runoff_mm(p, cn_ground)
    q_paving = float(runoff_mm(p, cn_open(g.paving_texture)))
    q_green = float(runoff_mm(p, cn_open(g.green_roof_texture)))
    q = (grid.shed.ravel() * float(runoff_mm(p, CN_IMPERVIOUS)) + grid.ground.ravel() * q_ground
         + grid.paving.ravel() * q_paving + grid.green_roof.ravel() * q_green)
    area = grid.cell_area_m2
    frame = _cells_frame(grid)
    frame["rain_m3"] = p / 1000.0 * area
    frame["runoff_m3"] = q / 1000.0 * area
    frame["retention_m3"] = (p - q) / 1000.0 * area
    frame["runoff_mm"] = q
    frame["retention_mm"] = p - q
    rain = float(frame["rain_m3"].sum())
    runoff = float(frame["runoff_m3"].sum())
    retention = float(frame["retention_m3"].sum())
    kpis = {
        "storm_mm": p,
        "rain_m3": rain,
        "runoff_m3": runoff,
        "retention_m3": retention,
        "mean_runoff_mm": float(q.mean()) if len(q) else float("nan"),
        "sealed_area_pct": float(100.0 * grid.shed.mean()),
        "water_balance_error_rel": abs(rain - runoff - retention) / rain if rain > 0 else 0.0,
    }
    notes.append(f"screening: SCS Curve Number (TR-55, Ia = 0.2 S) on {len(frame):,} cells of {grid.cell_size_m:g} m, storm {p:g} mm")
    return frame, kpis


#: Deterministic KPIs and soil grid of the last scenes (scene, options, KPIs, grid or None): the Monte
#: Carlo of the storm methods repeats the KPIs when nothing of the soil is sampled, and samples the
#: hydraulics on the grids (kept only until then, when the Monte Carlo draws the soil: :func:`samples_hydraulics`).
_DETERMINISTIC: list[tuple[object, object, dict[str, float], object]] = []


def run(scene, options, *, base_dir: Path | None, baseline_scene=None) -> EngineResult:
    """Run the soil engine on ``scene`` with the scenario's ``soil`` section ``options``;
    ``baseline_scene`` (a what-if's run): add the hot-days KPIs when the what-if changes the
    ground cover (:mod:`twin.scenario.engines.soil_heat`)."""
    from twin.scenario.engines.soil_heat import cell_columns, ground_grid, whatif_heat

    grid = None
    if getattr(options, "method", "richards") == "year":
        from twin.scenario.engines.soil_year import run_year

        check_scene(scene, options)
        result = run_year(scene, options, base_dir=base_dir)
    else:
        result, grid = _run_storm(scene, options)
    # the grid is kept only for the hydraulics' samples (dropped once they are drawn, run_samples_paired)
    keep = grid if samples_hydraulics(options) else None
    _DETERMINISTIC[:] = [e for e in _DETERMINISTIC if e[0] is not scene][-7:] + [(scene, options, dict(result.kpis), keep)]
    if baseline_scene is None:
        if grid is not None and _green_shares(scene) is None:
            ground_grid(scene, options, grid)  # remembered for the what-ifs' comparison
        return result
    what, base, notes, heat = whatif_heat(baseline_scene, scene, options, grid=grid if _green_shares(scene) is None else None)
    result.kpis.update(what)
    result.baseline_kpis.update(base)
    result.notes.extend(notes)
    if heat is not None:  # the cells of the grid the hot days were computed on: the baseline's
        result.object_deltas = cell_columns(heat, cell_ids(ground_grid(baseline_scene, options)))
    if _block_options(options) is not None:
        what, base, notes = whatif_block(baseline_scene, scene, options)
        result.kpis.update(what)
        result.baseline_kpis.update(base)
        result.notes.extend(notes)
    return result


#: Block set-ups of the last what-ifs (baseline scene, what-if scene, set-up): the samples reuse
#: the sub-grids and region of the central run; cleared after the samples.
_BLOCKS: list[tuple[object, object, object]] = []
#: Every note of the block option starts so.
BLOCK_NOTE = "3-D block: "
#: The note of a what-if without a block (the report shows it beside the what-ifs that have one).
NO_BLOCK_NOTE = BLOCK_NOTE + "the what-if changes no ground cover and soil.block.region is not given: no block"


def check_whatifs(baseline_scene, scenes: dict, options, *, no_effect: str = "error", path=None) -> None:
    """Refuse a ``soil.block`` that no what-if reaches, once the what-if scenes are built and
    before any engine runs (the runner's step 3; :func:`twin.scenario.checks.report_no_effect`).

    Without ``soil.block.region`` a what-if gets a block only when it changes the ground cover of
    a cell (:func:`twin.soil.block_bands.changed_region`); the block is per what-if, so one
    what-if without a block beside another with one is fine (its report says so). The ground
    grids are those of :func:`twin.scenario.engines.soil_heat.ground_grid` (cached per scene and
    grid options: the engine runs reuse them); the scan stops at the first what-if with a block,
    and a what-if without one is remembered (:func:`~twin.scenario.engines.soil_heat.forget_unchanged`)
    so that neither its grid nor its comparison is made again.

    Raises
    ------
    NoEffectError
        No what-if gets a block (``no_effect="error"``; a warning with ``"warn"``), field
        ``soil.block``.
    """
    from twin.scenario.checks import report_no_effect
    from twin.scenario.engines.soil_heat import cover_unchanged, forget_unchanged, ground_grid
    from twin.soil.block_bands import changed_region

    bo = _block_options(options)
    if bo is None:
        return
    todo = "give soil.block.region, or a what-if that changes the ground cover (deseal, insert_building), or drop soil.block"
    if not scenes:
        report_no_effect(f"the 3-D block runs for the what-ifs and this scenario has none: {todo}", field="soil.block",
                         no_effect=no_effect, path=path)
        return
    if bo.region is not None:
        return
    for sc in scenes.values():
        if not sc.changed & READS or cover_unchanged(sc, options):  # the soil engine does not re-run it / known
            continue
        check_scene(sc, options)
        if changed_region(ground_grid(baseline_scene, options), ground_grid(sc, options), bo.margin_m) is not None:
            return
        forget_unchanged(sc, options)
    names = ", ".join(repr(n) for n in scenes)
    report_no_effect(f"no what-if of this scenario ({names}) changes the ground cover of a cell of the soil grid and "
                     f"soil.block.region is not given, so no 3-D block would run: {todo}", field="soil.block",
                     no_effect=no_effect, path=path)


def _block_setup(baseline_scene, scene, options):
    """(baseline sub-grid, what-if sub-grid, design storm, region, duration_s, cells) of the block
    of a what-if, or None when it changes no ground cover and no region is given."""
    from twin.scenario.engines.soil_heat import cover_unchanged, ground_grid
    from twin.soil.block_bands import changed_region, check_block_size, sub_bounds
    from twin.soil.grid import build_grid

    for b, w, setup in _BLOCKS:
        if b is baseline_scene and w is scene:
            return setup
    bo = _block_options(options)
    region = bo.region
    if region is None and not cover_unchanged(scene, options):
        region = changed_region(ground_grid(baseline_scene, options), ground_grid(scene, options), bo.margin_m)
    if region is None:
        setup = None
    else:
        gopts = grid_options(scene, options)
        sub_opts = gopts.model_copy(update={"bounds": sub_bounds(gopts.bounds, float(options.cell_size_m), region)})
        bg, wg = build_grid(baseline_scene, sub_opts), build_grid(scene, sub_opts)
        n = check_block_size(bg, region, bo)
        setup = (bg, wg, design_storm(options), tuple(region), float(bo.hours or options.hours) * 3600.0, n)
    _BLOCKS[:] = _BLOCKS[-3:] + [(baseline_scene, scene, setup)]
    return setup


def whatif_block(baseline_scene, scene, options) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """Central KPIs of the 3-D block of one what-if (:mod:`twin.soil.block_bands`): (what-if
    values, baseline values on the same cells, notes); empty when it changes no ground cover."""
    import time

    from twin.soil.block_bands import run_pair

    bo = _block_options(options)
    setup = _block_setup(baseline_scene, scene, options)
    if setup is None:
        return {}, {}, [NO_BLOCK_NOTE]
    bg, wg, storm, region, duration, n = setup
    t = time.perf_counter()
    what, base, (rb, rw) = run_pair(bg, wg, storm, region, bo, duration_s=duration)
    sealed = (rb.sealed_top & rw.sealed_top)[1:-1, 1:-1]  # the KPIs' cells: off the block's edge ring
    j0, j1, i0, i1 = rb.cells
    notes = [BLOCK_NOTE + f"region x {region[0]:.1f}-{region[2]:.1f}, y {region[1]:.1f}-{region[3]:.1f} ({i1 - i0 + 1} x {j1 - j0 + 1} soil "
             f"cells of {options.cell_size_m:g} m, {n:,} block cells of {options.cell_size_m / bo.sub:g} m x "
             f"{options.cell_size_m / bo.sub:g} m x {bo.dz_m:g} m), design storm {options.storm_mm:g} mm in {options.storm_hours:g} h, "
             f"{duration / 3600:g} h; {int(sealed.sum())} soil cells sealed in both off the edge ring ({sealed.sum() * rb.cell_area_m2:,.0f} m2); "
             f"balance error {max(rb.balance_error_rel, rw.balance_error_rel):.1e}; lateral exchange with the 1-D columns "
             f"{rb.exchange_m3:+.3f} / {rw.exchange_m3:+.3f} m3 (baseline / what-if); {time.perf_counter() - t:.1f} s"]
    return what, base, notes


def block_samples(baseline_scene, rerun: dict, options, n: int, seed: int) -> tuple[dict[str, list[dict]], dict[str, list[dict]], list[str]]:
    """Monte Carlo of the block KPIs: ``min(n, soil.block.samples)`` paired samples of the soil
    hydraulics (:func:`twin.soil.block_bands.paired_samples`) for each what-if of ``rerun`` that
    has a block. Returns ({what-if: [KPIs per sample]}, {what-if: [baseline KPIs per sample]}, notes)."""
    import time

    from twin.io import progress as _progress
    from twin.soil.block_bands import paired_samples

    bo = _block_options(options)
    m = min(int(n), bo.samples) if bo is not None else 0
    if m <= 0 or not rerun:
        return {}, {}, []
    what, base, notes = {}, {}, []
    for name, sc in rerun.items():
        setup = _block_setup(baseline_scene, sc, options)
        if setup is None:
            continue
        bg, wg, storm, region, duration, _ = setup
        t = time.perf_counter()
        with _progress.step(f"3-D block of {name!r}: paired samples of the soil hydraulics", m, unit="samples") as step:
            ps = paired_samples(bg, wg, storm, region, bo, m, seed, duration_s=duration, on_sample=step.advance)
        what[name], base[name] = ps.what, ps.base
        notes.append(BLOCK_NOTE + f"{name}: {m} paired samples of the Carsel & Parrish (1988) hydraulics (spread x {bo.prior_spread:g}, "
                     f"seed {seed}), largest balance error {max(ps.balance_error_rel):.1e}, {time.perf_counter() - t:.1f} s")
    _BLOCKS.clear()
    return what, base, notes


def storm_grid(scene, options):
    """The soil grid of the storm methods on ``scene`` (:func:`twin.soil.grid.build_grid` with the
    scenario's cells and the buildings' own green-roof shares), checked against the cell limit."""
    from twin.scenario.engines.soil_heat import cached_ground_grid
    from twin.soil.grid import build_grid

    check_scene(scene, options)
    shares = _green_shares(scene)
    gopts = grid_options(scene, options)
    if shares is None:  # the grid the checks before the engines built (check_whatifs), if any
        cached = cached_ground_grid(scene, options)
        return cached if cached is not None else build_grid(scene, gopts)
    return with_building_green_roofs(scene, build_grid(scene, gopts.model_copy(update={"green_roof_share": 1.0})), shares)


def sample_grids():
    """A ``grid_of(scene, options)`` for the Monte Carlo of the storm methods: the sample's
    :func:`storm_grid`, the central run's when the options are the central ones, else derived.

    The texture of the unmapped ground (drawn per sample, :mod:`twin.scenario.engines.soil_texture_prior`)
    and the starting head change no cover fraction: the scene is rasterised once per layout (the
    grid options but those two; the central run's grid when it has that layout and no per-building
    green roofs), and each texture's grid derived from it
    (:func:`twin.soil.grid.with_unmapped_texture`, then the buildings' green roofs): equal, field by
    field, to :func:`storm_grid` with the sample's options (tests/test_soil_texture_grid_reuse.py).
    Only the last scene's grids are kept (the samples run scene by scene).
    """
    import dataclasses

    from twin.soil.grid import build_grid, with_unmapped_texture

    kept: dict[str, tuple] = {}  # layout -> (scene, grid with green-roof share 1, green-roof fraction or None)

    def grid_of(scene, options):
        for sc, opts, _, grid in _DETERMINISTIC:
            if sc is scene and opts == options and grid is not None:
                return grid
        gopts = grid_options(scene, options)
        layout = gopts.model_dump_json(exclude={"texture", "initial_head_m"})
        if layout not in kept or kept[layout][0] is not scene:
            if any(sc is not scene for sc, _, _ in kept.values()):
                kept.clear()
            check_scene(scene, options)
            shares = _green_shares(scene)
            base = None
            if shares is None:
                base = next((g for sc, _, _, g in _DETERMINISTIC if sc is scene and g is not None
                             and g.options.model_dump_json(exclude={"texture", "initial_head_m"}) == layout), None)
            if base is None:
                base = build_grid(scene, gopts if shares is None else gopts.model_copy(update={"green_roof_share": 1.0}))
            kept[layout] = (scene, base, None if shares is None else building_green_fraction(scene, base, shares))
        _, base, green = kept[layout]
        grid = base if base.options.texture == gopts.texture else with_unmapped_texture(base, gopts.texture, scene)
        if green is not None:
            grid = _with_green_fraction(grid, green)
        return dataclasses.replace(grid, options=gopts.model_copy(update={"green_roof_share": grid.options.green_roof_share}))

    return grid_of


def _run_storm(scene, options):
    grid = storm_grid(scene, options)
    notes: list[str] = []
    method = getattr(options, "method", "richards")
    frame, kpis = (_scs_cn if method == "scs_cn" else _richards)(scene, options, grid, notes)
    return EngineResult(_objects(grid, frame, scene.crs), "cell_id", kpis, None, notes), grid


def hydraulics_spread(options) -> float:
    """``soil.hydraulics_spread`` (factor on the Carsel & Parrish standard deviations of the storm
    methods' Monte Carlo; 0: the hydraulics are not sampled)."""
    return float(getattr(options, "hydraulics_spread", 0.0) or 0.0)


def samples_hydraulics(options) -> bool:
    """Whether the Monte Carlo of these soil options draws the soil (method ``richards`` with
    ``hydraulics_spread`` > 0, or the unmapped ground's texture from a prior:
    :mod:`twin.scenario.engines.soil_storm_samples`, :mod:`twin.scenario.engines.soil_texture_prior`)."""
    from twin.scenario.engines.soil_texture_prior import texture_prior

    if getattr(options, "method", "richards") != "richards":
        return False
    return hydraulics_spread(options) > 0.0 or texture_prior(options) is not None


def _deterministic(scene, options) -> dict[str, float] | None:
    for sc, opts, kpis, _ in _DETERMINISTIC:
        if sc is scene and opts == options:
            return kpis
    return None


def run_samples_paired(baseline_scene, rerun: dict, opts: list, stock=None, *, base_dir: Path | None = None, seed: int = 0):
    """Monte Carlo samples of the soil engine, the baseline and the what-ifs it re-runs with the
    same draws: the year method draws its soil priors
    (:func:`twin.scenario.engines.soil_year.run_samples_paired`); ``richards`` draws the soil
    hydraulics and the unmapped texture (:mod:`twin.scenario.engines.soil_storm_samples`); ``scs_cn``
    runs each sample's options (``uncertainty.parameters`` and the drawn texture,
    :mod:`twin.scenario.engines.soil_texture_prior`) on every scene, once per distinct options, or
    repeats the deterministic KPIs when nothing of the soil is sampled. Every method adds the hot-days samples of the what-ifs
    that change the ground cover (:func:`twin.scenario.engines.soil_heat.heat_samples`, seeded by
    ``seed``) to their first samples."""
    from twin.scenario.engines.soil_heat import HEAT_KPIS, heat_samples, merge_samples

    central = opts[0]
    if getattr(central, "method", "richards") == "year":
        from twin.scenario.engines.soil_year import run_samples_paired as year_samples

        base, what, what_base, notes = year_samples(baseline_scene, rerun, opts, stock, base_dir=base_dir, seed=seed)
        what_base = dict(what_base)
    elif samples_hydraulics(central):
        from twin.scenario.engines.soil_storm_samples import hydraulics_samples
        from twin.scenario.engines.soil_texture_prior import texture_prior

        scenes = {None: baseline_scene, **rerun}  # None: the baseline (no what-if has that name)
        ks, notes = hydraulics_samples(scenes, opts, seed=seed, spread=hydraulics_spread(central), grid_of=sample_grids(),
                                       textures=texture_prior(central))
        _DETERMINISTIC[:] = [(sc, o, k, None) for sc, o, k, _ in _DETERMINISTIC]  # the grids' memory back
        base, what, what_base = ks.pop(None), ks, {}
    else:
        from twin.scenario.engines.soil_texture_prior import describe, sample_options, texture_prior

        notes = []
        prior = texture_prior(central)  # scs_cn: the open ground's curve number follows the drawn texture
        if prior is not None:
            opts, drawn = sample_options(opts, prior, seed)
            notes.append(f"{len(opts)} paired samples of the texture of the ground without a soil polygon, from {describe(prior, drawn)}; "
                         "its hydrologic soil group sets the open ground's curve number")

        grid_of = sample_grids()  # each scene rasterised once, the drawn textures derived from it

        def samples(scene) -> list[dict[str, float]]:
            if all(o is central or o == central for o in opts):
                k = _deterministic(scene, central)
                if k is None:
                    k = run(scene, central, base_dir=base_dir).kpis
                k = {name: v for name, v in k.items() if name not in HEAT_KPIS and name not in BLOCK_KPIS}
                return [dict(k) for _ in opts]
            runs: dict[str, dict[str, float]] = {}  # equal options (e.g. the same drawn texture): one screening
            for o in opts:
                key = o.model_dump_json()
                if key not in runs:
                    method = _scs_cn if getattr(o, "method", "richards") == "scs_cn" else _richards
                    runs[key] = method(scene, o, grid_of(scene, o), [])[1]  # = run(scene, o).kpis, the grid not rebuilt
            return [dict(runs[o.model_dump_json()]) for o in opts]

        base = samples(baseline_scene)
        what = {name: samples(sc) for name, sc in rerun.items()}
        what_base = {}
    heat = heat_samples(baseline_scene, rerun, central, len(base), seed)
    merge_samples(base, what, what_base, heat)
    blk = block_samples(baseline_scene, rerun, central, len(base), seed)
    merge_samples(base, what, what_base, blk)
    return base, what, what_base, list(notes) + heat[2] + blk[2]
