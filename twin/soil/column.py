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
peak_fraction, start_s}}``), and a constant potential evaporation ``evaporation_mm_day``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from twin.errors import InputError
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
from twin.soil.solver import (
    Forcing,
    Profile,
    RichardsResult,
    SolverOptions,
    layered_profile,
    run_richards,
)


SPEC_MAX_BYTES = 10 * 1024**2
"""Largest column spec read, bytes (a measured rain series of a year at 5 min is about 1 MB)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


_HEAD = {"ge": HEAD_RANGE_M[0], "le": HEAD_RANGE_M[1]}


class MaterialSpec(_Strict):
    """A material: a texture name, or a model with its parameters (SI units)."""

    texture: str | None = None
    model: Literal["van_genuchten", "brooks_corey", "haverkamp"] | None = None
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
    dz_m: float | None = Field(None, gt=0, le=MAX_DEPTH_M)
    n_nodes: int | None = Field(None, ge=3, le=MAX_NODES_PER_COLUMN)

    @model_validator(mode="after")
    def _one(self):
        if self.dz_m is None and self.n_nodes is None:
            raise ValueError("give dz_m or n_nodes")
        return self


class InitialSpec(_Strict):
    """Initial head: uniform ``h_m`` or a profile of ``[depth_m, h_m]`` pairs (linear between)."""

    h_m: float | None = Field(None, **_HEAD)
    profile: list[tuple[float, float]] | None = Field(None, min_length=1, max_length=MAX_NODES_PER_COLUMN)

    @model_validator(mode="after")
    def _one(self):
        if (self.h_m is None) == (self.profile is None):
            raise ValueError("give exactly one of h_m and profile")
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


class TopSpec(_Strict):
    kind: Literal["atmospheric", "head"]
    h_m: float | None = Field(None, **_HEAD)
    rain: RainSpec | None = None
    evaporation_mm_day: float = Field(0.0, ge=0, le=MAX_EVAPORATION_MM_DAY)

    @model_validator(mode="after")
    def _check(self):
        if self.kind == "head" and self.h_m is None:
            raise ValueError("a head top boundary needs h_m")
        return self


class BottomSpec(_Strict):
    kind: Literal["free_drainage", "fixed_head", "zero_flux"]
    h_m: float | None = Field(None, **_HEAD)

    @model_validator(mode="after")
    def _check(self):
        if self.kind == "fixed_head" and self.h_m is None:
            raise ValueError("a fixed-head bottom needs h_m")
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
    duration_s: float = Field(gt=0, le=MAX_DURATION_S)
    output_times_s: list[float] | None = Field(None, min_length=1, max_length=MAX_OUTPUT_TIMES)
    solver: SolverOptions = SolverOptions()

    @model_validator(mode="after")
    def _times(self):
        for k, t in enumerate(self.output_times_s or []):
            if not 0.0 <= t <= self.duration_s:
                raise ColumnSpecError(f"output time {t:g} s outside [0, duration_s = {self.duration_s:g} s]", field=f"output_times_s.{k}")
        return self


class ColumnSpecError(InputError):
    """A check across keys of a column spec (raised inside validation, given the file after)."""


def _loc(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if p not in ("function-after",))


def load_column_spec(path: str | Path) -> ColumnSpec:
    """Read and validate a column spec.

    Raises
    ------
    InputError
        Unreadable YAML, an unknown key or an invalid value (``field`` is the key path).
    """
    from twin.io.yaml_file import read_yaml_mapping

    path = Path(path)
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
        err = exc.errors()[0]
        key = _loc(err["loc"])
        if err["type"] == "extra_forbidden":
            raise InputError(f"unknown key {key!r}", path=path, field=key) from None
        msg = err["msg"]
        value = err.get("input")
        if isinstance(value, (int, float, str, bool)):
            msg = f"{msg}, got {value!r}"
        raise InputError(msg, path=path, field=key or None) from None


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
    evap = spec.top.evaporation_mm_day / 1000.0 / 86400.0
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
    return Forcing(edges, rates, np.full(len(rates), evap), np.full(len(rates), head))


class ColumnRun:
    """A spec ready to run: materials, profile and forcing (see :func:`prepare_column`)."""

    def __init__(self, spec: ColumnSpec, materials: list[SoilMaterial], profile: Profile, forcing: Forcing, h0: np.ndarray, path=None):
        self.spec = spec
        self.materials = materials
        self.profile = profile
        self.forcing = forcing
        self.h0 = h0
        self.path = path

    def run(self) -> RichardsResult:
        """Run the column; an error of the solver names the spec file."""
        from twin.errors import TwinError

        s = self.spec
        times = s.output_times_s if s.output_times_s is not None else [s.duration_s]
        try:
            return run_richards(
                [self.profile], self.materials, np.zeros(1, dtype=np.int64), self.h0[None, :], self.forcing,
                top=s.top.kind, bottom=s.bottom.kind, bottom_head_m=s.bottom.h_m or 0.0,
                output_times_s=times, options=s.solver,
            )
        except TwinError as exc:
            if exc.path is not None or self.path is None:
                raise
            raise type(exc)(exc.message, path=self.path, obj=exc.obj, field=exc.field) from None


def prepare_column(spec: ColumnSpec, *, path=None) -> ColumnRun:
    """Resolve materials, build the grid, the initial heads and the forcing of a spec."""
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
    try:
        profile = layered_profile(layers, dz_m=spec.grid.dz_m, n_nodes=spec.grid.n_nodes)
    except InputError as exc:
        raise type(exc)(exc.message, path=path, obj=exc.obj, field=f"layers.{exc.field}" if exc.field in ("top_m", "bottom_m") else f"grid.{exc.field}") from None
    if spec.initial.h_m is not None:
        h0 = np.full(profile.n_nodes, spec.initial.h_m)
    else:
        pts = np.array(spec.initial.profile, dtype=float)
        if pts.ndim != 2 or np.any(np.diff(pts[:, 0]) <= 0):
            raise InputError("profile depths must increase", path=path, field="initial.profile")
        h0 = np.interp(profile.z_m, pts[:, 0], pts[:, 1])
    if spec.output_times_s is not None:
        bad = [t for t in spec.output_times_s if not 0 <= t <= spec.duration_s]
        if bad:
            raise InputError(f"output time {bad[0]} outside [0, duration_s]", path=path, field="output_times_s")
    try:
        forcing = build_forcing(spec, path=path)
    except InputError as exc:
        if exc.path is not None:
            raise
        key = {"rain_m_s": "top.rain", "t_edges_s": "top.rain"}.get(exc.field or "", f"top.rain.{exc.field}" if exc.field else "top.rain")
        raise type(exc)(exc.message, path=path, obj=exc.obj, field=key) from None
    n_out = len(spec.output_times_s) if spec.output_times_s is not None else 1
    check_work(profile.n_nodes, spec.duration_s, spec.solver.dt_max_s, len(forcing.t_edges_s) - 1, n_out, path=path, field="duration_s")
    return ColumnRun(spec, materials, profile, forcing, h0, path=path)


def column_report(run: ColumnRun, result: RichardsResult) -> dict:
    """Profiles at the output times, cumulated fluxes and the water balance, as plain data."""
    z = run.profile.z_m
    out = {
        "name": run.spec.name,
        "depth_m": z.tolist(),
        "times_s": result.times_s.tolist(),
        "h_m": result.h_m[:, 0, : len(z)].tolist(),
        "theta": result.theta[:, 0, : len(z)].tolist(),
        "cumulative_m": {
            key: result.cumulative_m[:, 0, i].tolist()
            for i, key in enumerate(["rain", "infiltration", "runoff", "evaporation", "drainage"])
        },
        "totals_m": {
            "rain": float(result.rain_m[0]),
            "infiltration": float(result.infiltration_m[0]),
            "runoff": float(result.runoff_m[0]),
            "evaporation": float(result.evaporation_m[0]),
            "drainage": float(result.drainage_m[0]),
            "storage_change": float(result.storage_change_m[0]),
            "pond_end": float(result.pond_m[0]),
        },
        "water_balance_error_m": float(result.balance_error_m[0]),
        "relative_water_balance_error": float(result.relative_balance_error[0]),
        "steps": int(result.totals[0, 7]),
        "iterations": int(result.totals[0, 8]),
        "steps_failed": int(result.failures[0]),
    }
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
