"""A year (or more) of soil water over a district: ET, roots, groundwater, sewers, green infrastructure.

:func:`run_district_year` is the one call a scenario engine makes:

.. code-block:: python

    from twin.soil.year import YearOptions, run_district_year

    res = run_district_year(scene, weather, YearOptions())   # weather: twin.ingest.epw.Weather
    res.kpis()          # annual KPIs (see KPI_UNITS)
    res.balance_m3()    # the district's annual water balance and its error
    res.events          # sewer overflow events (start, end, duration, volume)
    res.to_geodataframe()   # per cell: annual runoff, infiltration, recharge, ET, stress days

What it does
------------
1. The grid (:func:`twin.soil.grid.build_grid`): cover fractions per cell, open ground per
   land-cover class.
2. Vegetation (:mod:`twin.soil.vegetation`): each land-cover class's open ground is split into
   tree canopy and its ground vegetation; paving, green roofs and green infrastructure have their
   own. Every class of the scene must have a row (else an InputError naming the table).
3. Forcing: hourly FAO-56 reference ET from the weather file (:mod:`twin.soil.et`), rain from the
   weather file's ``precip_mm`` (or the ``rain`` given), per vegetation Kc, LAI, interception and
   the partition into potential soil evaporation and transpiration.
4. Columns (:mod:`twin.soil.groundwater`): graded grids down to the water table (hydrostatic
   head at the bottom node) or to ``max_column_depth_m`` (free drainage), roots from the
   vegetation; initial heads in equilibrium with the table (else ``initial_head_m``).
5. Spin-up: the last ``spinup_days`` of the weather (the antecedent weather of a typical year is
   its own end) run first; the year starts from their end state (heads, surface state, canopy
   store).
6. The year: the Richards kernel with root uptake, hourly sums of the runoff of each sewer
   catchment (:mod:`twin.soil.sewer`), daily transpiration and top-layer water content of every
   distinct column.
7. Sewer routing of the sealed runoff, the columns' runoff and the green roofs' outflow; overflow
   events.

Identical columns
-----------------
Columns that share their profile (soil, kind, roots, water-table depth), vegetation, run-on
factor and sewer catchment have the same solution: each distinct one is integrated once and its
fluxes counted for every cell it stands for (exact). Run-on factors (``runoff_to_neighbours``)
are floored to steps of ``runon_factor_step`` (relative) so that neighbouring cells share
columns; the part of the run-on the floor leaves out stays on the sealed surface and goes to the
sewer, so water is conserved exactly (0 keeps every factor: exact, slower).

KPIs
----
See :data:`KPI_UNITS`. Water volumes are over the year in m3 (and mm over the grid area);
``plant_stress_days`` is the mean, over the area of vegetated open ground, of the days on which
the actual transpiration fell below ``stress_ratio`` (0.8) of the potential while the potential
was at least ``stress_min_tp_mm_day`` (0.5 mm); ``theta_p10/p50/p90`` are percentiles of the
daily mean water content of the top ``moisture_depth_m`` (0.3 m) of vegetated open ground over
days and area.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from twin.errors import InputError
from twin.soil.green_infra import GreenInfrastructure, gravel
from twin.soil.grid import GridOptions, build_grid
from twin.soil.groundwater import WaterTableOptions, cell_water_table_depth, column_bottom, hydrostatic_heads
from twin.soil.hydraulics import texture_material
from twin.soil.roots import root_density
from twin.soil.sewer import SewerOptions, network_from_catchments, network_from_streets, route
from twin.soil.solver import Forcing, ForcingSet, Profile, SolverOptions, graded_profile, run_richards
from twin.soil.spec_errors import spec_input_error
from twin.soil.vegetation import read_landcover_vegetation, read_vegetation_table, vegetation_forcing

KIND_GROUND = "ground"
KIND_PAVING = "paving"
KIND_GREEN_ROOF = "green_roof"

KPI_UNITS: dict[str, str] = {
    "rain_m3": "rain on the grid",
    "runoff_m3": "water entering the sewer: sealed runoff, soil and infrastructure overflow, green-roof outflow",
    "runoff_mm": "runoff_m3 over the grid area",
    "infiltration_m3": "net flux into the soil of open ground, paving and green infrastructure",
    "recharge_m3": "net flux through the column bottoms (to the water table or below 5 m; capillary rise subtracted)",
    "capillary_rise_m3": "upward flux from the water table into the columns",
    "et_m3": "interception evaporation + soil evaporation + transpiration",
    "et_mm": "et_m3 over the grid area",
    "soil_evaporation_m3": "evaporation from the soil surface",
    "transpiration_m3": "root water uptake",
    "potential_transpiration_m3": "transpiration without water stress",
    "interception_evaporation_m3": "rain evaporated from the canopies",
    "storage_change_m3": "soil water, ponds and canopy stores at the end minus the start",
    "plant_stress_days": "days of plant water stress, mean over vegetated open ground",
    "theta_p10": "10th percentile of the daily top-layer water content of vegetated open ground, m3/m3",
    "theta_p50": "median of the same",
    "theta_p90": "90th percentile of the same",
    "sewer_overflow_m3": "flooding (catchments over capacity) + combined sewer overflow",
    "sewer_cso_m3": "combined sewer overflow at the outlet",
    "sewer_flooding_m3": "surcharge of catchments beyond their pipe capacity",
    "sewer_overflow_hours": "hours with overflow",
    "sewer_overflow_events": "overflow events (separated by inter_event_hours dry hours)",
    "sealed_area_pct": "roofs (not green) and sealed surfaces, % of the grid",
    "water_balance_error_rel": "|rain - ET - runoff - recharge - storage change| / rain (diagnostic)",
}


class YearOptions(BaseModel):
    """Options of :func:`run_district_year` (SI units; see the module docstring)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    grid: GridOptions = GridOptions(cell_size_m=2.0)
    dz_top_m: float = Field(0.01, gt=0, le=1.0, description="node spacing at the surface, m")
    dz_max_m: float = Field(0.10, gt=0, le=1.0, description="largest node spacing, m")
    growth: float = Field(1.2, ge=1.0, le=2.0, description="growth of the spacing from node to node")
    water_table: WaterTableOptions = WaterTableOptions()
    sewer: SewerOptions = SewerOptions()
    green_infrastructure: list[GreenInfrastructure] = Field(default_factory=list)
    vegetation_table: str | None = Field(None, description="CSV of vegetation coefficients (default twin/data/soil_vegetation.csv)")
    landcover_table: str | None = Field(None, description="CSV of land-cover vegetation (default twin/data/soil_landcover_vegetation.csv)")
    spinup_days: int = Field(365, ge=0, le=3650, description="days of antecedent weather run before the year")
    stress_ratio: float = Field(0.8, gt=0, le=1.0, description="a day is a stress day when Ta < stress_ratio Tp")
    stress_min_tp_mm_day: float = Field(0.5, ge=0, description="days with less potential transpiration never count")
    moisture_depth_m: float = Field(0.3, gt=0, le=5.0, description="top layer of the soil-moisture percentiles, m")
    runon_factor_step: float = Field(0.05, ge=0, le=1.0, description="relative step of the run-on factors (0: exact)")
    kc_scale: float = Field(1.0, gt=0, le=2.0, description="multiplies every crop coefficient (uncertainty sampling)")
    initial_head_m: float = Field(-1.0, lt=0, ge=-1000.0, description="initial head of columns without a water table, m")
    solver: SolverOptions = SolverOptions()
    unique_columns: bool = True

    @classmethod
    def parse(cls, raw: dict, *, path=None, key_prefix: str = "") -> YearOptions:
        """Validate options given as a dict; errors name the key path (after ``key_prefix``, the
        options' own key path in the file: ``"options."``) and the file."""
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            raise spec_input_error(exc, path=path, key_prefix=key_prefix) from None


@dataclass
class YearResult:
    """The outcome of :func:`run_district_year` (see the module docstring)."""

    grid: object
    totals_m3: dict[str, float]
    cells: dict[str, np.ndarray]
    sewer: object
    events: object
    daily: object
    theta_percentiles: dict[str, float]
    plant_stress_days: float
    n_columns: int
    n_integrated: int
    timings_s: dict[str, float] = field(default_factory=dict)
    options: YearOptions | None = None

    def balance_m3(self) -> dict[str, float]:
        """The annual water balance of the grid, m3: rain = ET + runoff + recharge + storage change."""
        t = self.totals_m3
        out = {k: t[k] for k in ("rain", "interception_evaporation", "soil_evaporation", "transpiration", "runoff", "recharge",
                                 "storage_change")}
        out["balance_error"] = (t["rain"] - t["interception_evaporation"] - t["soil_evaporation"] - t["transpiration"]
                                - t["runoff"] - t["recharge"] - t["storage_change"])
        out["relative_error"] = abs(out["balance_error"]) / t["rain"] if t["rain"] > 0 else abs(out["balance_error"])
        return out

    def kpis(self) -> dict[str, float]:
        """The annual KPIs (units in the names; :data:`KPI_UNITS`)."""
        t = self.totals_m3
        area = self.grid.cell_area_m2 * self.grid.shape[0] * self.grid.shape[1]
        ev = self.events
        b = self.balance_m3()
        et = t["interception_evaporation"] + t["soil_evaporation"] + t["transpiration"]
        shed = (self.grid.roof - self.grid.green_roof + self.grid.sealed).mean()
        return {
            "rain_m3": t["rain"],
            "runoff_m3": t["runoff"],
            "runoff_mm": t["runoff"] / area * 1000.0,
            "infiltration_m3": t["infiltration"],
            "recharge_m3": t["recharge"],
            "capillary_rise_m3": t["capillary_rise"],
            "et_m3": et,
            "et_mm": et / area * 1000.0,
            "soil_evaporation_m3": t["soil_evaporation"],
            "transpiration_m3": t["transpiration"],
            "potential_transpiration_m3": t["potential_transpiration"],
            "interception_evaporation_m3": t["interception_evaporation"],
            "storage_change_m3": t["storage_change"],
            "plant_stress_days": self.plant_stress_days,
            "theta_p10": self.theta_percentiles["p10"],
            "theta_p50": self.theta_percentiles["p50"],
            "theta_p90": self.theta_percentiles["p90"],
            "sewer_overflow_m3": float(self.sewer.overflow_m3.sum()),
            "sewer_cso_m3": float(self.sewer.cso_m3.sum()),
            "sewer_flooding_m3": float(self.sewer.flooding_m3.sum()),
            "sewer_overflow_hours": float(np.count_nonzero(self.sewer.overflow_m3 > 0)),
            "sewer_overflow_events": float(len(ev)),
            "sealed_area_pct": 100.0 * shed,
            "water_balance_error_rel": b["relative_error"],
        }

    def to_geodataframe(self):
        """One row per cell: cover fractions and the annual fluxes (m3) and stress days, cell squares."""
        import geopandas as gpd
        import shapely

        g = self.grid
        gx, gy = np.meshgrid(g.x, g.y)
        half = g.cell_size_m / 2
        cols = {k: v.ravel() for k, v in self.cells.items()}
        for name in ("roof", "green_roof", "sealed", "paving", "ground"):
            cols[f"{name}_fraction"] = getattr(g, name).ravel()
        geom = shapely.box(gx.ravel() - half, gy.ravel() - half, gx.ravel() + half, gy.ravel() + half)
        return gpd.GeoDataFrame(cols, geometry=geom, crs=g.crs)


# ----------------------------------------------------------------------------- forcing
def _weather_arrays(weather, rain, *, path=None):
    """Hourly ET0 (mm), rain (mm) and day of year from the weather (and a rain series)."""
    from twin.soil.et import hourly_reference_et
    from twin.soil.rain import from_weather

    where = getattr(weather, "source", "") or path
    et = hourly_reference_et(weather, path=where)
    n = len(et)
    if rain is None:
        try:
            series = from_weather(weather, path=where)
        except InputError as exc:
            msg = exc.message.replace("; use a design storm", "; give an hourly rain series (the rain argument)")
            raise InputError(msg, path=exc.path, obj=exc.obj, field=exc.field) from None
    else:
        series = rain
    steps = np.diff(series.t_edges_s)
    if len(steps) != n or np.any(np.abs(steps - 3600.0) > 1e-6):
        raise InputError(f"the rain series must be hourly with one value per weather hour ({n}), got {len(steps)} intervals",
                         path=path, field="rain")
    rain_mm = series.rain_m_s * steps * 1000.0
    doy = (et.index - np.timedelta64(30, "m")).day_of_year.to_numpy()
    return et["et0_mm"].to_numpy(), rain_mm, doy, et.index


def run_district_year(
    scene,
    weather,
    options: YearOptions | None = None,
    *,
    rain=None,
    water_table_map=None,
    catchments=None,
    threads: int | None = None,
    path=None,
) -> YearResult:
    """A year of soil water over ``scene`` under ``weather`` (see the module docstring).

    Parameters
    ----------
    scene
        A :class:`twin.scene.Scene` (buildings, links, land cover, optionally soil and sites).
    weather
        A :class:`twin.ingest.epw.Weather` (hourly; a year or more).
    options
        :class:`YearOptions`.
    rain
        A :class:`twin.soil.rain.RainSeries` with one hourly value per weather hour, when the
        weather file's precipitation is missing or another series is wanted.
    water_table_map
        Polygons with ``water_table_depth_m`` (GeoDataFrame or file), else the default depth.
    catchments
        Sewer catchment polygons with ``capacity_m3_s`` (GeoDataFrame or file), else the streets.
    threads
        Numba threads (``None`` all).
    path
        File the options came from (named in errors).

    Raises
    ------
    InputError
        A land-cover class or street class without coefficients, a vegetation without a row, a
        water table at or above the surface, a sewer capacity of zero, a weather file without
        precipitation (and no ``rain``), bad options.
    """
    import time

    options = options or YearOptions()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    sewer_opts = options.sewer.checked(path=path)
    wt_opts = options.water_table.checked(path=path)
    veg_table = read_vegetation_table(options.vegetation_table)
    lc_table = read_landcover_vegetation(options.landcover_table)
    et0_mm, rain_mm, doy, stamps = _weather_arrays(weather, rain, path=path)
    grid = build_grid(scene, options.grid)
    timings["grid_s"] = time.perf_counter() - t0

    # vegetation of every land-cover class present
    lc_path = options.landcover_table or "twin/data/soil_landcover_vegetation.csv"
    veg_path = options.vegetation_table or "twin/data/soil_vegetation.csv"
    for cls in list(grid.ground_by_class) + list(grid.sealed_by_class) + list(grid.paving_by_class):
        if cls not in lc_table:
            raise InputError(f"land-cover class {cls!r} has no row in the land-cover vegetation table ({lc_path}); add it",
                             path=options.landcover_table, obj=cls, field="cover_class")
    needed = {"trees", "permeable_paving", "green_roof"} | {g.vegetation for g in options.green_infrastructure}
    needed |= {lc_table[c].ground_vegetation for c in grid.ground_by_class}
    for name in sorted(needed):
        if name not in veg_table:
            raise InputError(f"vegetation {name!r} has no row in the vegetation table ({veg_path}); add it",
                             path=options.vegetation_table, obj=name, field="vegetation")
    for gi in options.green_infrastructure:
        for cls in gi.landcover_classes:
            if cls not in lc_table:
                raise InputError(f"green infrastructure on land-cover class {cls!r}, which has no row in {lc_path}",
                                 path=path, obj=gi.kind, field="green_infrastructure.landcover_classes")
    veg_names = sorted(needed)
    veg_index = {n: i for i, n in enumerate(veg_names)}

    # sewer network and water table
    t1 = time.perf_counter()
    network = network_from_catchments(catchments, grid, sewer_opts) if catchments is not None else network_from_streets(scene, grid, sewer_opts)
    depth_wt = cell_water_table_depth(grid, wt_opts, water_table_map)
    timings["network_s"] = time.perf_counter() - t1

    ny, nx = grid.shape
    n_cells = ny * nx
    cell_area = grid.cell_area_m2
    shed = ((grid.roof - grid.green_roof) + grid.sealed).ravel() * cell_area  # m2 shedding rain (roofs, sealed)

    # ------------------------------------------------------------------ column entries per cell
    entries = {"cell": [], "kind": [], "veg": [], "area": [], "gi": []}

    def add(cells, kind: str, veg: str, area, gi: int = -1):
        keep = area > 1e-12
        if keep.any():
            entries["cell"].append(cells[keep])
            entries["kind"].append(np.full(int(keep.sum()), kind, dtype=object))
            entries["veg"].append(np.full(int(keep.sum()), veg_index[veg]))
            entries["area"].append(area[keep])
            entries["gi"].append(np.full(int(keep.sum()), gi))

    all_cells = np.arange(n_cells)
    for cls, frac in grid.ground_by_class.items():
        lv = lc_table[cls]
        a = frac.ravel() * cell_area
        add(all_cells, KIND_GROUND, "trees", a * lv.tree_share)
        add(all_cells, KIND_GROUND, lv.ground_vegetation, a * (1.0 - lv.tree_share))
    for _cls, frac in grid.paving_by_class.items():
        add(all_cells, KIND_PAVING, "permeable_paving", frac.ravel() * cell_area)
    add(all_cells, KIND_GREEN_ROOF, "green_roof", grid.green_roof.ravel() * cell_area)
    # green infrastructure on the sealed part of chosen classes, draining nearby sealed area; it
    # takes its surface and its catchment from the shed area that is not sent to the neighbours
    sent = shed * grid.runon_out_share.ravel()  # m2 whose rain run-on sends to the neighbours (build_grid)
    available = shed - sent
    for k, gi in enumerate(options.green_infrastructure):
        a_gi = np.zeros(n_cells)
        for cls in gi.landcover_classes:
            if cls in grid.sealed_by_class:
                a_gi += gi.area_share * grid.sealed_by_class[cls].ravel() * cell_area
        a_gi = np.minimum(a_gi, available)
        available -= a_gi  # the infrastructure's own surface no longer sheds
        drained = np.minimum(gi.loading_ratio * a_gi, available)
        available -= drained
        n_before = len(entries["cell"])
        add(all_cells, f"gi{k}", gi.vegetation, a_gi, gi=k)
        if len(entries["cell"]) > n_before:
            sel = a_gi > 1e-12
            entries.setdefault("gi_factor", []).append(1.0 + drained[sel] / a_gi[sel])
    def cat(key, dt):
        return np.concatenate(entries[key]).astype(dt) if entries[key] else np.zeros(0, dt)

    e_cell = cat("cell", np.int64)
    e_kind = cat("kind", object)
    e_veg = cat("veg", np.int64)
    e_area = cat("area", float)
    e_gi = cat("gi", np.int64)

    # run-on factors: ground columns from build_grid's spreading of shed water; GI from loading
    factor = np.ones(len(e_cell))
    ground_all = grid.ground.ravel() * cell_area
    recv = grid.runon_in_m3_per_m.ravel()
    is_ground = e_kind == KIND_GROUND
    with np.errstate(divide="ignore", invalid="ignore"):
        f_ground = np.where(ground_all > 0, 1.0 + recv / ground_all, 1.0)
    factor[is_ground] = f_ground[e_cell[is_ground]]
    if entries.get("gi_factor"):
        factor[e_gi >= 0] = np.concatenate(entries["gi_factor"])
    # floor factors to steps; what the floor leaves out goes to the sewer (sealed runoff)
    step = options.runon_factor_step
    binned = factor.copy()
    if step > 0:
        lg = np.log1p(step)
        binned = np.where(factor > 1.0, np.exp(np.floor(np.log(factor) / lg + 1e-12) * lg), factor)
        binned = np.minimum(binned, factor)
    leftover = (factor - binned) * e_area  # m2 whose rain each entry leaves to the sewer
    to_sewer_area = np.maximum(available, 0.0)  # m2 of each cell's shed area draining straight to the sewer
    np.add.at(to_sewer_area, e_cell, leftover)

    # ------------------------------------------------------------------ profiles
    t2 = time.perf_counter()
    materials = []
    mat_index: dict[str, int] = {}

    def mat(name: str, field_name: str) -> int:
        if name not in mat_index:
            try:
                m = gravel() if name == "gravel" else texture_material(name).with_air_entry(options.grid.air_entry_m)
            except InputError as exc:
                raise InputError(exc.message, path=path, obj=name, field=field_name) from None
            materials.append(m)
            mat_index[name] = len(materials) - 1
        return mat_index[name]

    texture = np.asarray(grid.texture, dtype=object).ravel()
    e_tex = texture[e_cell]
    d_wt = depth_wt.ravel()[e_cell]
    d_wt = np.where(e_kind == KIND_GREEN_ROOF, np.inf, d_wt)
    d_wt = np.where(np.isfinite(d_wt), d_wt, 1e9)
    col_depth, bot_kind, bot_head = column_bottom(d_wt, wt_opts)
    # green infrastructure needs its build-up and 0.2 m of native soil above the column bottom
    for k, gi in enumerate(options.green_infrastructure):
        sel = e_gi == k
        deeper = sel & (col_depth < gi.media_depth_m + 0.2)
        col_depth = np.where(deeper, gi.media_depth_m + 0.2, col_depth)
        bot_head = np.where(deeper & (bot_kind == 1), col_depth - d_wt, bot_head)
    profiles: list[Profile] = []
    prof_key: dict[tuple, int] = {}
    prof_h0: list[np.ndarray] = []
    e_prof = np.empty(len(e_cell), dtype=np.int64)
    go = options.grid
    keys = list(zip(e_kind, e_tex, np.round(col_depth, 6), bot_kind, e_veg))
    for i, key in enumerate(keys):
        p = prof_key.get(key)
        if p is None:
            kind, tex, depth, bk, v = key
            veg = veg_table[veg_names[v]]
            h_surf = None
            if kind == KIND_GREEN_ROOF:
                layers = [(0.0, go.green_roof_depth_m, mat(go.green_roof_texture, "grid.green_roof_texture"))]
                depth = go.green_roof_depth_m
                dz_top, dz_max = min(options.dz_top_m, depth / 10), min(options.dz_max_m, depth / 5)
            else:
                dz_top, dz_max = options.dz_top_m, options.dz_max_m
                top_layer = None
                if kind == KIND_PAVING:
                    top_layer = (min(go.paving_depth_m, 0.5 * depth), go.paving_texture, "grid.paving_texture")
                elif kind.startswith("gi"):
                    gi = options.green_infrastructure[int(kind[2:])]
                    top_layer = (gi.media_depth_m, gi.media_texture, "green_infrastructure.media_texture")
                    h_surf = gi.ponding_depth_m
                if top_layer is None:
                    layers = [(0.0, depth, mat(str(tex), "grid.texture"))]
                else:
                    layers = [(0.0, top_layer[0], mat(top_layer[1], top_layer[2])), (top_layer[0], depth, mat(str(tex), "grid.texture"))]
            prof = graded_profile(layers, dz_top_m=dz_top, dz_max_m=dz_max, growth=options.growth)
            roots = root_density(prof.z_m, veg.rooting_depth_m, shape=veg.root_shape) if veg.has_roots else None
            profiles.append(Profile(prof.z_m, prof.material, roots, h_surf))
            p = len(profiles) - 1
            prof_key[key] = p
            if bk == 1:
                prof_h0.append(hydrostatic_heads(prof.z_m, float(depth) - float(bot_head[i])))
            else:
                prof_h0.append(np.full(prof.n_nodes, options.initial_head_m))
        e_prof[i] = p
    e_bot_kind = np.where(e_kind == KIND_GREEN_ROOF, 0, bot_kind)
    e_bot_head = np.where(e_kind == KIND_GREEN_ROOF, 0.0, bot_head)

    # sewer groups: soil columns of catchment c -> c; green roofs -> n + c (their drainage is runoff)
    n_catch = network.n
    e_catch = network.cell_catchment[e_cell]
    e_group = np.where(e_kind == KIND_GREEN_ROOF, n_catch + e_catch, e_catch)

    # distinct columns
    if options.unique_columns:
        key_arr = np.column_stack([e_prof, e_veg, binned, e_group, e_bot_kind, e_bot_head])
        _, first, inverse = np.unique(key_arr, axis=0, return_index=True, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
    else:
        first = np.arange(len(e_cell))
        inverse = np.arange(len(e_cell))
    n_u = len(first)
    u_weight = np.zeros(n_u)
    np.add.at(u_weight, inverse, e_area)
    u_prof = e_prof[first]
    max_nodes = max(p.n_nodes for p in profiles)
    h0 = np.zeros((n_u, max_nodes))
    for j in range(n_u):
        hp = prof_h0[u_prof[j]]
        h0[j, : len(hp)] = hp
        h0[j, len(hp):] = hp[-1]
    timings["columns_s"] = time.perf_counter() - t2

    # ------------------------------------------------------------------ forcing per vegetation
    n_t = len(et0_mm)
    n_spin = min(options.spinup_days * 24, n_t)

    def sets_for(sl: slice, stores: list[float] | None):
        fs, stores_end, e_int = [], [], []
        for i, name in enumerate(veg_names):
            vf = vegetation_forcing(veg_table[name], options.kc_scale * et0_mm[sl], rain_mm[sl], doy[sl],
                                    store_start_m=0.0 if stores is None else stores[i])
            fs.append(ForcingSet(vf.throughfall_m_s, vf.evaporation_m_s, vf.transpiration_m_s, name))
            stores_end.append(vf.store_end_m)
            e_int.append(vf)
        return fs, stores_end, e_int

    common = dict(column_set=e_veg[first], feddes=[veg_table[n].feddes for n in veg_names], options=options.solver, threads=threads,
                  bottom=e_bot_kind[first], bottom_head_m=e_bot_head[first], rain_factor=binned[first], store_profiles=False)
    t3 = time.perf_counter()
    stores = None
    mode = None
    if n_spin > 0:
        sl = slice(n_t - n_spin, n_t)
        fs, stores, _ = sets_for(sl, None)
        edges = np.arange(n_spin + 1) * 3600.0
        f_spin = Forcing(edges, rain_mm[sl] / 1000.0 / 3600.0, sets=fs)
        spin = run_richards(profiles, materials, u_prof, h0, f_spin, **common)
        h0 = spin.h_final_m
        mode = spin.top_mode
    timings["spinup_s"] = time.perf_counter() - t3

    # ------------------------------------------------------------------ the year
    t4 = time.perf_counter()
    fs, stores_end, vfs = sets_for(slice(0, n_t), stores)
    edges = np.arange(n_t + 1) * 3600.0
    forcing = Forcing(edges, rain_mm / 1000.0 / 3600.0, sets=fs)
    n_days = n_t // 24
    day_ends = np.arange(1, n_days + 1) * 86400.0
    res = run_richards(profiles, materials, u_prof, h0, forcing, output_times_s=day_ends, column_group=e_group[first],
                       column_weight=u_weight, n_groups=2 * n_catch, cumulative_dtype=np.float32, top_mode=mode, **common)
    timings["year_s"] = time.perf_counter() - t4

    # ------------------------------------------------------------------ accounting
    t5 = time.perf_counter()
    tot = res.totals
    from twin.kernels import soil_richards as R

    def per_entry(col: int) -> np.ndarray:
        return tot[inverse, col] * e_area

    gross = rain_mm / 1000.0
    depth_year = float(gross.sum())
    rain_total = depth_year * cell_area * n_cells
    is_green = e_kind == KIND_GREEN_ROOF
    soil = ~is_green
    # interception: per vegetation, per unit area, times the area of each entry (green roofs too)
    e_int_total = np.array([float(v.interception_evaporation_m.sum()) for v in vfs])
    d_store = np.array([v.store_end_m - v.store_start_m for v in vfs])
    area_by_veg = np.bincount(e_veg, weights=e_area, minlength=len(veg_names))
    interception = float(np.sum(e_int_total * area_by_veg))
    canopy_change = float(np.sum(d_store * area_by_veg))
    soil_evap = float(per_entry(R.F_EVAP).sum())
    transp = float(per_entry(R.F_TRANSP).sum())
    transp_pot = float(per_entry(R.F_TRANSP_POT).sum())
    drain = per_entry(R.F_DRAIN)
    col_runoff = float(per_entry(R.F_RUNOFF).sum())
    green_out = float(drain[is_green].sum())
    recharge = float(drain[soil].sum())
    caprise = float(per_entry(R.F_CAPRISE)[soil].sum())
    infil = float(per_entry(R.F_INFIL)[soil].sum())
    storage_soil = float((per_entry(R.F_STORAGE1) - per_entry(R.F_STORAGE0)).sum())
    sealed_runoff = float(to_sewer_area.sum()) * depth_year
    runoff = sealed_runoff + col_runoff + green_out

    # sewer inflow per catchment and hour: sealed runoff + the groups' runoff (+ green-roof drainage)
    area_to_sewer_c = np.bincount(network.cell_catchment, weights=to_sewer_area, minlength=n_catch)
    gs = res.group_series_m3
    inflow = gross[:, None] * area_to_sewer_c[None, :]
    inflow += gs[:, :n_catch, R.G_RUNOFF] + gs[:, n_catch:, R.G_RUNOFF] + gs[:, n_catch:, R.G_DRAIN]
    sewer = route(inflow, network, times=stamps, inter_event_hours=sewer_opts.inter_event_hours)
    events = sewer.events()

    totals = {
        "rain": rain_total, "runoff": runoff, "sealed_runoff": sealed_runoff, "column_runoff": col_runoff, "green_roof_outflow": green_out,
        "infiltration": infil, "recharge": recharge, "capillary_rise": caprise, "soil_evaporation": soil_evap, "transpiration": transp,
        "potential_transpiration": transp_pot, "interception_evaporation": interception,
        "storage_change": storage_soil + canopy_change, "soil_storage_change": storage_soil, "canopy_storage_change": canopy_change,
        "sewer_inflow": float(inflow.sum()),
    }

    # daily transpiration, stress days and top-layer water content of vegetated open ground
    cum = res.cumulative_m  # (days, n_u, N_CUM), float32: take the three series needed, in float64
    ta_day = np.diff(np.concatenate([np.zeros((1, n_u)), cum[:, :, R.C_TRANSP].astype(np.float64)]), axis=0)
    tp_day = np.diff(np.concatenate([np.zeros((1, n_u)), cum[:, :, R.C_TRANSP_POT].astype(np.float64)]), axis=0)
    stress = (tp_day >= options.stress_min_tp_mm_day / 1000.0) & (ta_day < options.stress_ratio * tp_day)
    u_stress_days = stress.sum(axis=0).astype(float)
    vegetated = np.array([veg_table[n].has_roots for n in veg_names])
    u_veg_ground = (e_kind[first] == KIND_GROUND) & vegetated[e_veg[first]]
    # areas of the distinct columns over vegetated open ground (their weights already sum the areas)
    w = np.where(u_veg_ground, u_weight, 0.0)
    stress_days = float(np.sum(w * u_stress_days) / w.sum()) if w.sum() > 0 else float("nan")
    theta_daily = cum[:, :, R.C_THETA_OBS].astype(np.float64)
    del res, cum
    pct = _weighted_percentiles(theta_daily[:, w > 0], np.broadcast_to(w[w > 0], (n_days, int((w > 0).sum()))), (10, 50, 90))
    theta_pct = {"p10": pct[0], "p50": pct[1], "p90": pct[2]}

    cells = {k: np.zeros(n_cells) for k in ("rain_m3", "runoff_m3", "infiltration_m3", "recharge_m3", "et_m3", "transpiration_m3",
                                           "soil_evaporation_m3", "plant_stress_days")}
    cells["rain_m3"][:] = depth_year * cell_area
    cells["runoff_m3"][:] = to_sewer_area * depth_year
    np.add.at(cells["runoff_m3"], e_cell, per_entry(R.F_RUNOFF) + np.where(is_green, drain, 0.0))
    np.add.at(cells["infiltration_m3"], e_cell[soil], per_entry(R.F_INFIL)[soil])
    np.add.at(cells["recharge_m3"], e_cell[soil], drain[soil])
    np.add.at(cells["transpiration_m3"], e_cell, per_entry(R.F_TRANSP))
    np.add.at(cells["soil_evaporation_m3"], e_cell, per_entry(R.F_EVAP))
    np.add.at(cells["et_m3"], e_cell, per_entry(R.F_EVAP) + per_entry(R.F_TRANSP) + e_int_total[e_veg] * e_area)
    veg_ground_entry = (e_kind == KIND_GROUND) & vegetated[e_veg]
    a_cell = np.zeros(n_cells)
    np.add.at(a_cell, e_cell[veg_ground_entry], e_area[veg_ground_entry])
    np.add.at(cells["plant_stress_days"], e_cell[veg_ground_entry], (u_stress_days[inverse] * e_area)[veg_ground_entry])
    with np.errstate(invalid="ignore", divide="ignore"):
        cells["plant_stress_days"] = np.where(a_cell > 0, cells["plant_stress_days"] / a_cell, np.nan)
    cells = {k: v.reshape(ny, nx) for k, v in cells.items()}

    import pandas as pd

    day_index = pd.DatetimeIndex(stamps[23::24][:n_days])
    gs_day = gs[: n_days * 24].reshape(n_days, 24, 2 * n_catch, R.N_GSER).sum(axis=(1, 2))
    daily = pd.DataFrame({
        "rain_m3": gross[: n_days * 24].reshape(n_days, 24).sum(axis=1) * cell_area * n_cells,
        "soil_evaporation_m3": gs_day[:, R.G_EVAP], "transpiration_m3": gs_day[:, R.G_TRANSP],
        "drainage_m3": gs_day[:, R.G_DRAIN], "sewer_inflow_m3": sewer.inflow_m3[: n_days * 24].reshape(n_days, 24).sum(axis=1),
        "sewer_overflow_m3": sewer.overflow_m3[: n_days * 24].reshape(n_days, 24).sum(axis=1),
    }, index=day_index)
    timings["accounting_s"] = time.perf_counter() - t5
    timings["total_s"] = time.perf_counter() - t0
    return YearResult(grid, totals, cells, sewer, events, daily, theta_pct, stress_days, len(e_cell), n_u, timings, options)


def _weighted_percentiles(values: np.ndarray, weights: np.ndarray, qs) -> list[float]:
    """Percentiles ``qs`` (0-100) of ``values`` with ``weights`` (the inverted weighted CDF)."""
    v = np.asarray(values, dtype=float).ravel()
    w = np.asarray(weights, dtype=float).ravel()
    keep = np.isfinite(v) & (w > 0)
    v, w = v[keep], w[keep]
    if len(v) == 0:
        return [float("nan")] * len(qs)
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    cdf = np.cumsum(w) / w.sum()
    return [float(v[min(np.searchsorted(cdf, q / 100.0, side="left"), len(v) - 1)]) for q in qs]
