"""Single-column spec: one soil profile studied in detail (``twin soil column SPEC.yaml``).

A YAML file (read with ``yaml.safe_load``) declares the materials, layers, grid, initial
condition, boundary conditions, output times and solver options. Unknown keys are errors that
name their key path (``top.rian``), as are invalid values. Units are SI and in the key names.

Example (the Celia et al. 1990 test, ``tests/soil_data/celia1990.yaml``)::

    name: Celia, Bouloutas & Zarba (1990) van Genuchten infiltration
    materials:
      celia: {model: van_genuchten, theta_r: 0.102, theta_s: 0.368, alpha_per_m: 3.35,
              n: 2.0, ks_m_s: 9.22e-5, l: 0.5}
    layers:
      - {top_m: 0.0, bottom_m: 1.0, material: celia}
    grid: {dz_m: 0.01}
    initial: {h_m: -10.0}
    top: {kind: head, h_m: -0.75}
    bottom: {kind: fixed_head, h_m: -10.0}
    duration_s: 86400
    output_times_s: [21600, 43200, 86400]

Materials take either the parameters of a model or ``texture: <name>`` from the Carsel &
Parrish (1988) table (or from ``soil_table``, a CSV in the layout of
``carsel_parrish_1988.csv``, relative to the spec). An atmospheric top takes rain as a measured
series (``rain: {step_s, mm: [...]}``), a block storm (``rain: {block: {depth_mm,
duration_s, start_s}}``) or a Chicago storm (``rain: {chicago: {a, b, c, duration_s, step_s,
peak_fraction, start_s}}``), and a constant potential evaporation ``evaporation_mm_day`` and
transpiration ``transpiration_mm_day`` (with ``roots`` and ``feddes``), or a weather file
(``top.weather: {file, vegetation}``: hourly FAO-56 reference ET split by a vegetation of the
district's table, and the file's rain). The bottom may be a ``water_table`` (``depth_m``: the
column ends on it, hydrostatic head 0), the grid graded (``dz_top_m``, ``dz_max_m``, ``growth``) as
the district's columns, and materials take every parameter the district uses (``texture`` with
the air-entry head ``h_e_m``, the ``gardner`` model).

Infiltration counting: ``totals_m.infiltration`` counts the fill of the top half-cell at t = 0
under a head top boundary (the Celia spec: 0.0452 cm of its 4.1346 cm); ``infiltration_hydrus``
leaves it out, as HYDRUS-1D does (see :func:`initial_top_fill_m`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from twin.errors import InputError, ResourceLimitError
from twin.io.input_limits import COLUMN_SPEC_MAX_BYTES
from twin.soil.hydraulics import SoilMaterial, read_texture_table, texture_material
from twin.soil.limits import (
    HEAD_RANGE_M,
    MAX_DEPTH_M,
    MAX_DURATION_S,
    MAX_EVAPORATION_MM_DAY,
    MAX_FORCING_INTERVALS,
    MAX_NODES_PER_COLUMN,
    MAX_OUTPUT_TIMES,
    check_work,
)
from twin.soil.roots import FeddesParameters, root_density
from twin.soil.solver import (
    Forcing,
    ForcingSet,
    LayerTilingError,
    Profile,
    RichardsResult,
    SolverOptions,
    _tiled_layers,
    graded_profile,
    layered_profile,
    run_richards,
)
from twin.soil.spec_errors import spec_input_error

SPEC_MAX_BYTES = COLUMN_SPEC_MAX_BYTES
"""Largest column spec read, bytes (a measured rain series of a year at 5 min is about 1 MB; :mod:`twin.io.input_limits`)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


_HEAD = {"ge": HEAD_RANGE_M[0], "le": HEAD_RANGE_M[1]}


class MaterialSpec(_Strict):
    """A material: a texture name, or a model with its parameters (SI units)."""

    texture: str | None = None
    model: Literal["van_genuchten", "brooks_corey", "haverkamp", "gardner"] | None = None
    theta_r: float | None = None
    theta_s: float | None = None
    ks_m_s: float | None = None
    alpha_per_m: float | None = None
    n: float | None = None
    l: float | None = None
    h_b_m: float | None = None
    lambda_: float | None = Field(None, alias="lambda")
    alpha_m_beta: float | None = None
    beta: float | None = None
    a_m_gamma: float | None = None
    gamma: float | None = None
    h_e_m: float | None = Field(None, le=0, ge=-10.0, description="van Genuchten air-entry head, m (HYDRUS: -0.02)")

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_kind(self):
        if self.texture is None and self.model is None:
            raise ValueError("give a texture or a model")
        if self.texture is not None:
            given = [k for k in ("model", "theta_r", "theta_s", "ks_m_s", "alpha_per_m", "n", "l", "h_b_m", "lambda_", "alpha_m_beta", "beta", "a_m_gamma", "gamma")
                     if getattr(self, k) is not None]  # fmt: skip
            if given:
                raise ValueError(f"a texture takes its parameters from the table; {given[0]!r} would be ignored (give a model instead)")
        return self


class LayerSpec(_Strict):
    top_m: float = Field(ge=0, le=MAX_DEPTH_M)
    bottom_m: float = Field(gt=0, le=MAX_DEPTH_M)
    material: str


class GridSpec(_Strict):
    """A uniform grid (``dz_m`` or ``n_nodes``) or a graded one (``dz_top_m``, ``dz_max_m``,
    ``growth``: fine at the surface, coarser with depth, as the district's columns)."""

    dz_m: float | None = Field(None, gt=0, le=MAX_DEPTH_M)
    n_nodes: int | None = Field(None, ge=3, le=MAX_NODES_PER_COLUMN)
    dz_top_m: float | None = Field(None, gt=0, le=MAX_DEPTH_M)
    dz_max_m: float | None = Field(None, gt=0, le=MAX_DEPTH_M)
    growth: float = Field(1.2, ge=1.0, le=2.0)

    @model_validator(mode="after")
    def _one(self):
        graded = self.dz_top_m is not None or self.dz_max_m is not None
        if graded and (self.dz_m is not None or self.n_nodes is not None):
            raise ValueError("give a uniform grid (dz_m or n_nodes) or a graded one (dz_top_m, dz_max_m), not both")
        if graded and (self.dz_top_m is None or self.dz_max_m is None):
            raise ValueError("a graded grid needs dz_top_m and dz_max_m")
        if not graded and self.dz_m is None and self.n_nodes is None:
            raise ValueError("give dz_m or n_nodes (or dz_top_m and dz_max_m)")
        return self


class InitialSpec(_Strict):
    """Initial head: uniform ``h_m``, a profile of ``[depth_m, h_m]`` pairs (linear between), or
    ``hydrostatic: true`` (in equilibrium with a ``water_table`` bottom: ``h = z - depth``)."""

    h_m: float | None = Field(None, **_HEAD)
    profile: list[tuple[float, float]] | None = Field(None, min_length=1, max_length=MAX_NODES_PER_COLUMN)
    hydrostatic: bool = False

    @model_validator(mode="after")
    def _one(self):
        if (self.h_m is not None) + (self.profile is not None) + bool(self.hydrostatic) != 1:
            raise ValueError("give exactly one of h_m, profile and hydrostatic")
        for k, (depth, head) in enumerate(self.profile or []):
            if not 0.0 <= depth <= MAX_DEPTH_M:
                raise ValueError(f"profile point {k}: depth {depth} m outside [0, {MAX_DEPTH_M:g}] m")
            if not HEAD_RANGE_M[0] <= head <= HEAD_RANGE_M[1]:
                raise ValueError(f"profile point {k}: head {head} m outside [{HEAD_RANGE_M[0]:g}, {HEAD_RANGE_M[1]:g}] m")
        return self


class BlockSpec(_Strict):
    depth_mm: float = Field(ge=0)
    duration_s: float = Field(gt=0, le=MAX_DURATION_S)
    start_s: float = Field(0.0, ge=0, le=MAX_DURATION_S)


class ChicagoSpec(_Strict):
    a: float = Field(gt=0)
    b: float = Field(ge=0)
    c: float = Field(gt=0)
    duration_s: float = Field(gt=0, le=MAX_DURATION_S)
    step_s: float = Field(300.0, gt=0)
    peak_fraction: float = Field(0.4, gt=0, lt=1)
    start_s: float = Field(0.0, ge=0, le=MAX_DURATION_S)

    @model_validator(mode="after")
    def _steps(self):
        if self.duration_s / self.step_s > MAX_FORCING_INTERVALS:
            raise ValueError(f"duration_s / step_s = {self.duration_s / self.step_s:.3g} intervals, above the limit of {MAX_FORCING_INTERVALS:,}")
        return self


class RainSpec(_Strict):
    step_s: float | None = Field(None, gt=0, le=MAX_DURATION_S)
    mm: list[float | None] | None = Field(None, max_length=MAX_FORCING_INTERVALS)
    block: BlockSpec | None = None
    chicago: ChicagoSpec | None = None

    @model_validator(mode="after")
    def _one(self):
        given = [self.mm is not None, self.block is not None, self.chicago is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of mm (with step_s), block and chicago")
        if self.mm is not None and self.step_s is None:
            raise ValueError("a measured series needs step_s")
        return self


class WeatherSpec(_Strict):
    """Hourly forcing from a weather file (EPW, relative to the spec): FAO-56 reference ET split
    by a vegetation into interception, potential soil evaporation and transpiration (as the
    district run does), and the file's rain unless the spec gives ``top.rain``."""

    file: str
    vegetation: str = Field("lawn", description="a row of the vegetation table")
    kc_scale: float = Field(1.0, gt=0, le=2.0, description="multiplies the crop coefficient (as the district's kc_scale)")
    vegetation_table: str | None = Field(None, description="CSV relative to the spec (default twin/data/soil_vegetation.csv)")


class TopSpec(_Strict):
    kind: Literal["atmospheric", "head"]
    h_m: float | None = Field(None, **_HEAD)
    rain: RainSpec | None = None
    evaporation_mm_day: float = Field(0.0, ge=0, le=MAX_EVAPORATION_MM_DAY)
    transpiration_mm_day: float = Field(0.0, ge=0, le=MAX_EVAPORATION_MM_DAY, description="constant potential transpiration")
    weather: WeatherSpec | None = None
    runon_factor: float = Field(1.0, ge=0, le=1000.0, description="run-on multiplier of the rain (the district's rain factor)")

    @model_validator(mode="after")
    def _check(self):
        if self.kind == "head" and self.h_m is None:
            raise ValueError("a head top boundary needs h_m")
        if self.weather is not None and (self.evaporation_mm_day or self.transpiration_mm_day):
            raise ValueError("give the evaporative demand as weather or as constant rates, not both")
        if self.kind == "head" and (self.weather is not None or self.transpiration_mm_day):
            raise ValueError("weather and transpiration need an atmospheric top")
        # a key the boundary kind never reads would change nothing (a storm under a head top,
        # a head on an atmospheric top): refused, as depth_m beside a bottom that is no table
        unused = ("h_m",) if self.kind == "atmospheric" else ("rain", "evaporation_mm_day", "runon_factor")
        for key in unused:
            if key in self.model_fields_set:
                raise ColumnSpecError(f"{key} is not read by a top boundary of kind {self.kind!r}: it would change nothing", field=f"top.{key}")
        return self


class RootSpec(_Strict):
    """Roots of the column: rooting depth and distribution (default: the vegetation's)."""

    depth_m: float = Field(ge=0, le=MAX_DEPTH_M)
    shape: Literal["hoffman_van_genuchten", "uniform"] = "hoffman_van_genuchten"


class BottomSpec(_Strict):
    """``water_table``: the column ends on a water table (hydrostatic head 0 at its bottom node);
    ``depth_m`` (> 0, below the surface) cuts or extends the layers to the table (default: the
    bottom of the layers)."""

    kind: Literal["free_drainage", "fixed_head", "zero_flux", "water_table"]
    h_m: float | None = Field(None, **_HEAD)
    depth_m: float | None = None

    @model_validator(mode="after")
    def _check(self):
        if self.kind == "fixed_head" and self.h_m is None:
            raise ValueError("a fixed-head bottom needs h_m")
        if self.depth_m is not None and self.kind != "water_table":
            raise ValueError("depth_m belongs to a water_table bottom")
        if self.h_m is not None and self.kind != "fixed_head":
            raise ColumnSpecError(f"h_m is not read by a bottom of kind {self.kind!r} (only by fixed_head): it would change nothing", field="bottom.h_m")
        if self.kind == "water_table" and self.depth_m is not None and not self.depth_m > 0:
            raise ColumnSpecError(
                f"the water table lies at or above the surface (depth {self.depth_m:g} m); give its depth below the surface (> 0 m)",
                field="bottom.depth_m",
            )
        if self.kind == "water_table" and self.depth_m is not None and self.depth_m > MAX_DEPTH_M:
            raise ColumnSpecError(
                f"the water table at {self.depth_m:g} m lies below the deepest column twin runs ({MAX_DEPTH_M:g} m); give a depth "
                f"<= {MAX_DEPTH_M:g} m, or a free_drainage bottom for a table out of reach of the column",
                field="bottom.depth_m",
            )
        return self


class ColumnSpec(_Strict):
    """The whole single-column spec (see the module docstring)."""

    name: str = "column"
    soil_table: str | None = None
    materials: dict[str, MaterialSpec]
    layers: list[LayerSpec] = Field(min_length=1)
    grid: GridSpec
    initial: InitialSpec
    top: TopSpec
    bottom: BottomSpec
    roots: RootSpec | None = None
    feddes: FeddesParameters | None = None
    duration_s: float = Field(gt=0, le=MAX_DURATION_S)
    output_times_s: list[float] | None = Field(None, min_length=1, max_length=MAX_OUTPUT_TIMES)
    solver: SolverOptions = SolverOptions()

    @model_validator(mode="after")
    def _times(self):
        for k, t in enumerate(self.output_times_s or []):
            if not 0.0 <= t <= self.duration_s:
                raise ColumnSpecError(f"output time {t:g} s outside [0, duration_s = {self.duration_s:g} s]", field=f"output_times_s.{k}")
        times = self.output_times_s or []
        for k in range(1, len(times)):  # a repeat or a time out of order is a slip (the profiles were sorted, a repeat printed twice)
            if times[k] <= times[k - 1]:
                said = "repeats" if times[k] == times[k - 1] else "is earlier than"
                raise ColumnSpecError(f"output time {times[k]:g} s {said} the one listed before it ({times[k - 1]:g} s): "
                                      "output times must increase", field=f"output_times_s.{k}")
        if self.initial.hydrostatic and self.bottom.kind != "water_table":
            raise ColumnSpecError("a hydrostatic initial state needs a water_table bottom", field="initial.hydrostatic")
        rain = self.top.rain
        storm = None if rain is None else (("block", rain.block) if rain.block is not None else ("chicago", rain.chicago) if rain.chicago is not None else None)
        if storm is not None and storm[1].start_s >= self.duration_s:  # the storm fell after the run: exit 0, the rain changed nothing
            raise ColumnSpecError(f"the {storm[0]} storm starts at {storm[1].start_s:g} s, at or after the end of the run "
                                  f"(duration_s = {self.duration_s:g} s): no rain would fall", field=f"top.rain.{storm[0]}.start_s")
        w = self.top.weather
        if w is not None and self.top.rain is not None and (self.top.rain.mm is None or self.top.rain.step_s != 3600):
            raise ColumnSpecError("with a weather file the rain comes from it, or from an hourly series (rain.mm with step_s 3600)",
                                  field="top.rain")
        return self


class ColumnSpecError(InputError):
    """A check across keys of a column spec (raised inside validation, given the file after)."""


def load_column_spec(path: str | Path) -> ColumnSpec:
    """Read and validate a column spec.

    Raises
    ------
    InputError
        Not a ``.yaml``/``.yml`` file of at most :data:`twin.io.input_limits.COLUMN_SPEC_MAX_BYTES`
        (the check ``twin soil column`` makes: the library refuses what the command refuses),
        unreadable YAML, an unknown key or an invalid value (``field`` is the key path).
    """
    from twin.io.input_limits import check_column_spec_path
    from twin.io.yaml_file import read_yaml_mapping

    path = check_column_spec_path(path)
    try:
        raw = read_yaml_mapping(path, "column spec")
    except RecursionError:
        raise InputError("YAML nested too deeply", path=path) from None
    return parse_column_spec(raw, path=path)


def parse_column_spec(raw: dict, *, path=None) -> ColumnSpec:
    """Validate a spec given as a dict (see :func:`load_column_spec`)."""
    try:
        return ColumnSpec.model_validate(raw)
    except ColumnSpecError as exc:
        raise InputError(exc.message, path=path, field=exc.field) from None
    except ValidationError as exc:
        raise spec_input_error(exc, path=path) from None


def _material(name: str, spec: MaterialSpec, table, path) -> SoilMaterial:
    field = f"materials.{name}"
    if spec.texture is not None:
        try:
            material = texture_material(spec.texture, table)
        except InputError as exc:
            raise InputError(exc.message, path=path, obj=name, field=f"{field}.texture") from None
        return material if spec.h_e_m is None else material.with_air_entry(spec.h_e_m)
    kw = {k: v for k, v in spec.model_dump(by_alias=False).items() if v is not None and k not in ("texture", "model")}
    try:
        return SoilMaterial(name, spec.model, **kw)
    except InputError as exc:
        raise InputError(exc.message, path=path, obj=name, field=f"{field}.{exc.field}") from None
    except TypeError as exc:
        raise InputError(str(exc), path=path, obj=name, field=field) from None


def _rain(spec: TopSpec, duration_s: float, path):
    from twin.soil.rain import block_rain, chicago_storm, from_depths

    if spec.rain is None:
        return None
    r = spec.rain
    if r.mm is not None:
        return from_depths(r.mm, r.step_s, field="top.rain.mm", path=path)
    if r.block is not None:
        return block_rain(r.block.depth_mm, r.block.duration_s, start_s=r.block.start_s)
    c = r.chicago
    return chicago_storm(c.a, c.b, c.c, duration_s=c.duration_s, step_s=c.step_s, peak_fraction=c.peak_fraction, start_s=c.start_s)


def build_forcing(spec: ColumnSpec, *, path=None) -> Forcing:
    """The piecewise-constant forcing of a spec over ``[0, duration_s]``."""
    if spec.top.weather is not None:
        return _weather_forcing(spec, path=path)[0]
    evap = spec.top.evaporation_mm_day / 1000.0 / 86400.0
    transp = spec.top.transpiration_mm_day / 1000.0 / 86400.0
    rain = _rain(spec.top, spec.duration_s, path) if spec.top.kind == "atmospheric" else None
    if rain is None:
        edges = np.array([0.0, spec.duration_s])
        rates = np.zeros(1)
    else:
        rain = rain.extended(spec.duration_s)
        edges = rain.t_edges_s
        rates = rain.rain_m_s
        if edges[-1] > spec.duration_s + 1e-9:  # cut at the end of the run
            keep = edges < spec.duration_s - 1e-9
            edges = np.append(edges[keep], spec.duration_s)
            rates = rates[: len(edges) - 1]
    head = spec.top.h_m if spec.top.kind == "head" else 0.0
    return Forcing(edges, rates, np.full(len(rates), evap), np.full(len(rates), head), transpiration_m_s=np.full(len(rates), transp))


def _weather_forcing(spec: ColumnSpec, *, path=None):
    """Hourly forcing from the spec's weather file and vegetation; returns (forcing, vegetation,
    interception evaporation m, canopy store change m, gross rain m)."""
    from twin.io.epw import read_epw
    from twin.io.paths import check_input_file
    from twin.soil.et import hourly_reference_et
    from twin.soil.rain import from_depths, from_weather
    from twin.soil.vegetation import read_vegetation_table, vegetation_forcing

    w = spec.top.weather
    base = Path(path).parent if path is not None else Path(".")
    epw = base / w.file
    try:
        check_input_file(epw, suffixes=(".epw",), what="weather file", refuse_empty=True)
    except InputError as exc:
        raise type(exc)(exc.message, path=exc.path or epw, obj=exc.obj, field="top.weather.file") from None
    weather = read_epw(epw)
    table = read_vegetation_table(base / w.vegetation_table if w.vegetation_table else None)
    if w.vegetation not in table:
        raise InputError(f"vegetation {w.vegetation!r} has no row in the vegetation table; known: {', '.join(table)}", path=path,
                         obj=w.vegetation, field="top.weather.vegetation")
    veg = table[w.vegetation]
    n_h = int(np.ceil(spec.duration_s / 3600.0 - 1e-9))
    if n_h > len(weather.data):
        raise InputError(f"duration_s {spec.duration_s:g} s is longer than the weather file ({len(weather.data)} hours)", path=path,
                         field="duration_s")
    et = hourly_reference_et(weather, path=epw)
    if spec.top.rain is not None:
        series = from_depths(spec.top.rain.mm, 3600.0, field="top.rain.mm", path=path)
        if len(series.rain_m_s) < n_h:
            raise InputError(f"the hourly rain series has {len(series.rain_m_s)} values, the run needs {n_h}", path=path, field="top.rain.mm")
    else:
        series = from_weather(weather, path=epw)
    rain_mm = series.rain_m_s[:n_h] * 3600.0 * 1000.0
    doy = (et.index[:n_h] - np.timedelta64(30, "m")).day_of_year.to_numpy()
    vf = vegetation_forcing(veg, w.kc_scale * et["et0_mm"].to_numpy()[:n_h], rain_mm, doy)
    edges = np.arange(n_h + 1) * 3600.0
    edges[-1] = spec.duration_s
    # the last hour may be cut: scale its interception to the part run
    frac = (edges[-1] - edges[-2]) / 3600.0
    e_int = vf.interception_evaporation_m.copy()
    e_int[-1] *= frac
    fs = ForcingSet(vf.throughfall_m_s, vf.evaporation_m_s, vf.transpiration_m_s, veg.name)
    forcing = Forcing(edges, rain_mm / 1000.0 / 3600.0, top_head_m=np.zeros(n_h), sets=[fs])
    return forcing, veg, float(e_int.sum()), vf.store_end_m - vf.store_start_m, float(np.sum(rain_mm[:-1]) / 1000.0 + rain_mm[-1] / 1000.0 * frac)


class ColumnRun:
    """A spec ready to run: materials, profile and forcing (see :func:`prepare_column`)."""

    def __init__(self, spec: ColumnSpec, materials: list[SoilMaterial], profile: Profile, forcing: Forcing, h0: np.ndarray, path=None,
                 *, bottom: str = "free_drainage", bottom_head_m: float = 0.0, feddes: FeddesParameters | None = None,
                 canopy: dict | None = None):
        self.spec = spec
        self.materials = materials
        self.profile = profile
        self.forcing = forcing
        self.h0 = h0
        self.path = path
        self.bottom = bottom
        self.bottom_head_m = bottom_head_m
        self.feddes = feddes
        self.canopy = canopy or {}

    def run(self) -> RichardsResult:
        """Run the column; an error of the solver names the spec file."""
        from twin.errors import TwinError

        s = self.spec
        times = s.output_times_s if s.output_times_s is not None else [s.duration_s]
        try:
            return run_richards(
                [self.profile], self.materials, np.zeros(1, dtype=np.int64), self.h0[None, :], self.forcing,
                top=s.top.kind, bottom=self.bottom, bottom_head_m=self.bottom_head_m, rain_factor=s.top.runon_factor,
                output_times_s=times, options=s.solver, feddes=self.feddes,
            )
        except TwinError as exc:
            if exc.path is not None or self.path is None:
                raise
            raise type(exc)(exc.message, path=self.path, obj=exc.obj, field=exc.field) from None


def _layer_error(exc: LayerTilingError, path) -> InputError:
    """A layer error of the profile builders, with the field ``layers.<k>.<field>`` of the spec
    (``k``: the layer's index as listed in the spec; ``layers`` when no single layer is at fault)."""
    field = f"layers.{exc.layer}.{exc.field}" if exc.layer is not None else "layers"
    return InputError(exc.message, path=path, field=field)


def _grid_profile(layers: list[tuple[float, float, int]], g: GridSpec) -> Profile:
    """The profile of ``layers`` on the grid ``g`` (graded or uniform)."""
    if g.dz_top_m is not None:
        return graded_profile(layers, dz_top_m=g.dz_top_m, dz_max_m=g.dz_max_m, growth=g.growth)
    return layered_profile(layers, dz_m=g.dz_m, n_nodes=g.n_nodes)


def _fits(layers: list[tuple[float, float, int]], g: GridSpec) -> bool:
    """Whether ``layers`` make a profile on the grid ``g`` within the node limit."""
    try:
        _grid_profile(layers, g)
    except ResourceLimitError:
        return False
    except InputError:
        return True  # another fault of the layers or the grid, reported where it lies
    return True


def _table_too_deep(exc: ResourceLimitError, wt_depth: float, layers: list[tuple[float, float, int]], g: GridSpec, path) -> ResourceLimitError:
    """The node limit passed because a water table below the layers deepened the column: the
    error names ``bottom.depth_m`` (the grid fits the layers as given)."""
    layers_bottom = max(b for _, b, _ in layers)
    spacing = f"dz_m = {g.dz_m:g} m" if g.dz_m is not None else f"dz_max_m = {g.dz_max_m:g} m"
    reach = (MAX_NODES_PER_COLUMN - 1) * (g.dz_m if g.dz_m is not None else g.dz_max_m)
    return ResourceLimitError(
        f"the water table at {wt_depth:g} m deepens the column from {layers_bottom:g} m (the layers) to {wt_depth:g} m, and "
        f"{spacing} over that depth passes the limit of {MAX_NODES_PER_COLUMN:,} nodes per column; give a shallower table "
        f"(this grid reaches at most {reach:g} m) or a coarser grid", path=path, field="bottom.depth_m",
    )


def prepare_column(spec: ColumnSpec, *, path=None) -> ColumnRun:
    """Resolve materials, build the grid, roots, the initial heads and the forcing of a spec."""
    base = Path(path).parent if path is not None else Path(".")
    table = None
    if spec.soil_table is not None:
        table = read_texture_table(base / spec.soil_table)
    names = list(spec.materials)
    materials = [_material(n, spec.materials[n], table, path) for n in names]
    layers = []
    for i, lay in enumerate(spec.layers):
        if lay.material not in spec.materials:
            raise InputError(f"unknown material {lay.material!r}; defined: {', '.join(names)}", path=path, field=f"layers.{i}.material")
        layers.append((lay.top_m, lay.bottom_m, names.index(lay.material)))
    unused = [n for n in names if n not in {lay.material for lay in spec.layers}]
    if unused:  # a material no layer uses would change nothing (a misspelt layer, or a layer left out)
        raise InputError(f"material {unused[0]!r} is used by no layer: it would change nothing", path=path, obj=unused[0], field=f"materials.{unused[0]}")
    bottom = spec.bottom.kind
    bottom_head = spec.bottom.h_m or 0.0
    wt_depth = None
    layers_above_table = None  # the layers as given, when a deeper water table extends them
    if bottom == "water_table":
        bottom, bottom_head = "fixed_head", 0.0
        try:  # the layers as listed tile the column (a bad layer named by its index in the spec)
            _tiled_layers(layers)
        except LayerTilingError as exc:
            raise _layer_error(exc, path) from None
        deepest = max(range(len(layers)), key=lambda k: layers[k][0])  # listed order kept: indices stay those of the spec
        wt_depth = spec.bottom.depth_m if spec.bottom.depth_m is not None else layers[deepest][1]
        if wt_depth > layers[deepest][1]:  # extend the deepest layer down to the table
            layers_above_table = list(layers)
            layers[deepest] = (layers[deepest][0], wt_depth, layers[deepest][2])
        else:  # cut the layers at the table
            layers = [(t, min(b, wt_depth), m) for t, b, m in layers if t < wt_depth - 1e-9]
    g = spec.grid
    try:
        profile = _grid_profile(layers, g)
    except LayerTilingError as exc:
        raise _layer_error(exc, path) from None
    except ResourceLimitError as exc:
        if layers_above_table is not None and _fits(layers_above_table, g):
            raise _table_too_deep(exc, wt_depth, layers_above_table, g, path) from None
        raise type(exc)(exc.message, path=path, obj=exc.obj, field=f"grid.{exc.field}") from None
    except InputError as exc:
        raise type(exc)(exc.message, path=path, obj=exc.obj, field=f"grid.{exc.field}") from None
    if spec.initial.h_m is not None:
        h0 = np.full(profile.n_nodes, spec.initial.h_m)
    elif spec.initial.hydrostatic:
        h0 = profile.z_m - wt_depth
    else:
        pts = np.array(spec.initial.profile, dtype=float)
        if pts.ndim != 2 or np.any(np.diff(pts[:, 0]) <= 0):
            raise InputError("profile depths must increase", path=path, field="initial.profile")
        h0 = np.interp(profile.z_m, pts[:, 0], pts[:, 1])
    if spec.output_times_s is not None:
        bad = [t for t in spec.output_times_s if not 0 <= t <= spec.duration_s]
        if bad:
            raise InputError(f"output time {bad[0]} outside [0, duration_s]", path=path, field="output_times_s")
    canopy = {}
    veg = None
    try:
        if spec.top.weather is not None:
            forcing, veg, e_int, d_store, gross = _weather_forcing(spec, path=path)
            canopy = {"interception_evaporation": e_int, "canopy_storage_change": d_store, "gross_rain": gross}
        else:
            forcing = build_forcing(spec, path=path)
    except InputError as exc:
        if exc.path is not None:
            raise
        key = {"rain_m_s": "top.rain", "t_edges_s": "top.rain"}.get(exc.field or "", f"top.rain.{exc.field}" if exc.field else "top.rain")
        raise type(exc)(exc.message, path=path, obj=exc.obj, field=key) from None
    # roots: the spec's, else the vegetation's; none without a demand
    rooting, shape = None, "hoffman_van_genuchten"
    if spec.roots is not None:
        rooting, shape = spec.roots.depth_m, spec.roots.shape
    elif veg is not None and veg.has_roots:
        rooting, shape = veg.rooting_depth_m, veg.root_shape
    elif spec.top.transpiration_mm_day > 0:
        raise InputError("a potential transpiration needs roots (roots.depth_m)", path=path, field="roots")
    if rooting is not None:
        profile = Profile(profile.z_m, profile.material, root_density(profile.z_m, rooting, shape=shape))
    feddes = spec.feddes if spec.feddes is not None else (veg.feddes if veg is not None else FeddesParameters())
    n_out = len(spec.output_times_s) if spec.output_times_s is not None else 1
    check_work(profile.n_nodes, spec.duration_s, spec.solver.dt_max_s, len(forcing.t_edges_s) - 1, n_out, path=path, field="duration_s")
    return ColumnRun(spec, materials, profile, forcing, h0, path=path, bottom=bottom, bottom_head_m=bottom_head, feddes=feddes,
                     canopy=canopy)


def initial_top_fill_m(run: ColumnRun) -> float:
    """Water that fills the top half-cell at t = 0 when a head top boundary replaces the initial
    head of the surface node: ``V_0 (theta(h_top(0)) - theta(h_0))``, m (0 for an atmospheric top).

    The column output counts it as infiltration (it crosses the surface in the first step);
    HYDRUS-1D sets the surface node to the boundary head in its initial condition and does not
    count it. ``infiltration_hydrus`` in :func:`column_report` is the infiltration without it.
    """
    if run.spec.top.kind != "head":
        return 0.0
    m = run.materials[int(run.profile.material[0])]
    v0 = float(run.profile.node_volume_m[0])
    return v0 * float(m.theta(run.forcing.top_head_m[0]) - m.theta(run.h0[0]))


def column_report(run: ColumnRun, result: RichardsResult) -> dict:
    """Profiles at the output times, cumulated fluxes and the water balance, as plain data."""
    from twin.kernels import soil_richards as R

    z = run.profile.z_m
    fill = initial_top_fill_m(run)
    out = {
        "name": run.spec.name,
        "depth_m": z.tolist(),
        "times_s": result.times_s.tolist(),
        "h_m": result.h_m[:, 0, : len(z)].tolist(),
        "theta": result.theta[:, 0, : len(z)].tolist(),
        "cumulative_m": {
            key: result.cumulative_m[:, 0, i].tolist()
            for key, i in [("rain", R.C_RAIN), ("infiltration", R.C_INFIL), ("runoff", R.C_RUNOFF), ("evaporation", R.C_EVAP),
                           ("drainage", R.C_DRAIN), ("transpiration", R.C_TRANSP)]
        },
        "totals_m": {
            "rain": float(result.rain_m[0]),
            "infiltration": float(result.infiltration_m[0]),
            "infiltration_hydrus": float(result.infiltration_m[0]) - fill,
            "runoff": float(result.runoff_m[0]),
            "evaporation": float(result.evaporation_m[0]),
            "transpiration": float(result.transpiration_m[0]),
            "potential_transpiration": float(result.potential_transpiration_m[0]),
            "drainage": float(result.drainage_m[0]),
            "capillary_rise": float(result.capillary_rise_m[0]),
            "storage_change": float(result.storage_change_m[0]),
            "pond_end": float(result.pond_m[0]),
        },
        "water_balance_error_m": float(result.balance_error_m[0]),
        "relative_water_balance_error": float(result.relative_balance_error[0]),
        "steps": int(result.totals[0, R.F_STEPS]),
        "iterations": int(result.totals[0, R.F_ITERS]),
        "steps_failed": int(result.failures[0]),
        "infiltration_convention": (
            "infiltration counts the water that crosses the surface, including the fill of the top half-cell at t = 0 when a head "
            f"top boundary replaces the initial head of the surface node ({fill:.6g} m here); infiltration_hydrus leaves it out, "
            "as HYDRUS-1D does (its initial condition holds the boundary head at the surface node)"
        ),
    }
    out["cumulative_m"]["infiltration_hydrus"] = [v - fill if t > 0 else v for v, t in
                                                  zip(out["cumulative_m"]["infiltration"], out["times_s"])]
    if run.canopy:
        out["totals_m"].update({k: float(v) for k, v in run.canopy.items()})
    return out


def front_depth_m(z_m, h_m, level_m: float) -> float:
    """Depth (m) where the head profile first falls below ``level_m`` (linear between nodes)."""
    z = np.asarray(z_m, dtype=float)
    h = np.asarray(h_m, dtype=float)
    below = np.flatnonzero(h < level_m)
    if len(below) == 0:
        return float("nan")
    i = int(below[0])
    if i == 0:
        return 0.0
    return float(z[i - 1] + (z[i] - z[i - 1]) * (level_m - h[i - 1]) / (h[i] - h[i - 1]))
