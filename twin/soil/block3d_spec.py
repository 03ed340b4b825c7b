"""Block spec: a 3-D soil block from a YAML file (``twin soil block SPEC.yaml``).

Example (a de-sealed square of 16 m in a sealed surface, 30 mm in one hour)::

    name: de-sealed square
    materials:
      loam: {texture: Loam}
      gravel: {model: van_genuchten, theta_r: 0.02, theta_s: 0.35, alpha_per_m: 10, n: 3, ks_m_s: 1e-4}
    layers:                                   # optional; default: the first material everywhere
      - {top_m: 0.0, bottom_m: 0.5, material: gravel}
      - {top_m: 0.5, bottom_m: 3.0, material: loam}
    grid: {nx: 40, ny: 40, nz: 60, dx_m: 1.0, dy_m: 1.0, dz_m: 0.05}
    initial: {h_m: -1.0}
    sides:
      top: {kind: rain, rain_mm_h: 30, open_x_m: [12, 28], open_y_m: [12, 28]}
      bottom: {kind: free_drainage}
    output_times_s: [1800, 3600]
    solver: {dt_max_s: 300}

Materials are those of the column spec (:class:`twin.soil.column.MaterialSpec`: a texture or a
model with its parameters). A side takes ``kind`` (``no_flow``, ``head`` with ``h_m``, ``flux``
with ``flux_m_s`` into the block, ``free_drainage``, ``rain`` with ``rain_mm_h``) and optionally
``open_x_m``, ``open_y_m``, ``open_depth_m`` ranges: faces whose centres lie outside are closed
(a sealed surface). Unknown keys and invalid values are errors naming their key path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from twin.errors import InputError
from twin.io.input_limits import BLOCK_SPEC_MAX_BYTES
from twin.soil.block3d import MAX_BLOCK_M, MAX_CELLS_PER_AXIS, MIN_CELL_M, SIDES, Block, BlockOptions, BlockResult, Side
from twin.soil.column import MaterialSpec, _material
from twin.soil.hydraulics import carsel_parrish
from twin.soil.limits import HEAD_RANGE_M, MAX_OUTPUT_TIMES, MAX_RAIN_M_S
from twin.soil.spec_errors import spec_input_error

SPEC_MAX_BYTES = BLOCK_SPEC_MAX_BYTES
"""Largest block spec read, bytes (:mod:`twin.io.input_limits`)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class GridSpec(_Strict):
    nx: int = Field(ge=1, le=MAX_CELLS_PER_AXIS)
    ny: int = Field(ge=1, le=MAX_CELLS_PER_AXIS)
    nz: int = Field(ge=1, le=MAX_CELLS_PER_AXIS)
    dx_m: float = Field(ge=MIN_CELL_M, le=MAX_BLOCK_M)
    dy_m: float = Field(ge=MIN_CELL_M, le=MAX_BLOCK_M)
    dz_m: float = Field(ge=MIN_CELL_M, le=MAX_BLOCK_M)


class LayerSpec(_Strict):
    top_m: float = Field(ge=0, le=MAX_BLOCK_M)
    bottom_m: float = Field(gt=0, le=MAX_BLOCK_M)
    material: str


class SideSpec(_Strict):
    kind: Literal["no_flow", "head", "flux", "free_drainage", "rain"]
    h_m: float | None = Field(None, ge=HEAD_RANGE_M[0], le=HEAD_RANGE_M[1])
    flux_m_s: float | None = Field(None, ge=-MAX_RAIN_M_S, le=MAX_RAIN_M_S)
    rain_mm_h: float | None = Field(None, ge=0, le=MAX_RAIN_M_S * 3.6e6)
    open_x_m: tuple[float, float] | None = None
    open_y_m: tuple[float, float] | None = None
    open_depth_m: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _value(self):
        need = {"head": "h_m", "flux": "flux_m_s", "rain": "rain_mm_h"}.get(self.kind)
        given = [k for k in ("h_m", "flux_m_s", "rain_mm_h") if getattr(self, k) is not None]
        if need is not None and given != [need]:
            raise ValueError(f"a {self.kind} side takes {need} (and no other value)")
        if need is None and given:
            raise ValueError(f"a {self.kind} side takes no value; {given[0]!r} would be ignored")
        for k in ("open_x_m", "open_y_m", "open_depth_m"):
            r = getattr(self, k)
            if r is not None and not r[0] < r[1]:
                raise ValueError(f"{k} must be an increasing range [from, to] in m")
        return self


class BlockSpecFile(_Strict):
    name: str = ""
    materials: dict[str, MaterialSpec] = Field(min_length=1, max_length=100)
    layers: list[LayerSpec] | None = Field(None, min_length=1, max_length=1000)
    grid: GridSpec
    initial: dict[Literal["h_m"], float]
    sides: dict[Literal["x_min", "x_max", "y_min", "y_max", "top", "bottom"], SideSpec] = Field(default_factory=dict)
    output_times_s: list[float] = Field(min_length=1, max_length=MAX_OUTPUT_TIMES)
    solver: BlockOptions = Field(default_factory=BlockOptions)

    @model_validator(mode="after")
    def _check(self):
        # InputError, not ValueError: the key path of the offending value is named (a ValueError of
        # this validator was reported against the whole spec, naming no key)
        if "h_m" not in self.initial:
            raise InputError("initial needs h_m", field="initial")
        h = self.initial["h_m"]
        if not HEAD_RANGE_M[0] <= h <= HEAD_RANGE_M[1]:
            raise InputError(f"initial h_m {h} m outside [{HEAD_RANGE_M[0]:g}, {HEAD_RANGE_M[1]:g}] m", field="initial.h_m")
        for k, layer in enumerate(self.layers or []):
            if layer.material not in self.materials:
                raise InputError(f"layer material {layer.material!r} is not among the materials ({', '.join(self.materials)})",
                                 field=f"layers.{k}.material")
            if layer.bottom_m <= layer.top_m:
                raise InputError(f"layer from {layer.top_m} m must end below it, not at {layer.bottom_m} m (a layer of zero or "
                                 "negative thickness)", field=f"layers.{k}.bottom_m")
        # a material no cell gets would change nothing (without layers every cell is the first material's)
        used = {layer.material for layer in self.layers} if self.layers else {next(iter(self.materials))}
        unused = [name for name in self.materials if name not in used]
        if unused:
            raise InputError(f"material {unused[0]!r} is used by no layer (without layers, every cell is the first material's): "
                             "it would change nothing", field=f"materials.{unused[0]}")
        return self


def load_block_spec(path: str | Path) -> BlockSpecFile:
    """Read and validate a block spec (``InputError`` naming the file and the key path); the file
    is checked as ``twin soil block`` checks it (:func:`twin.io.input_limits.check_block_spec_path`:
    YAML, at most :data:`~twin.io.input_limits.BLOCK_SPEC_MAX_BYTES`)."""
    from twin.io.input_limits import check_block_spec_path
    from twin.io.yaml_file import read_yaml_mapping

    path = check_block_spec_path(path)
    try:
        raw = read_yaml_mapping(path, "block spec")
    except RecursionError:
        raise InputError("YAML nested too deeply", path=path) from None
    try:
        return BlockSpecFile.model_validate(raw)
    except ValidationError as exc:
        raise spec_input_error(exc, path=path) from None
    except InputError as exc:  # a check across keys, raised inside validation
        raise InputError(exc.message, path=path, field=exc.field) from None


def _check_layers(layers: list[LayerSpec], depth_m: float, path) -> None:
    """The layers tile the block from the surface down, as a column's do (the rule of
    :func:`twin.soil.solver._tiled_layers`: an overlap gave the cells to the later layer without a
    word), and none starts at or below the block's bottom (it would change nothing)."""
    from twin.soil.solver import LayerTilingError, _tiled_layers

    try:
        _tiled_layers([(layer.top_m, layer.bottom_m, k) for k, layer in enumerate(layers)])
    except LayerTilingError as exc:  # exc.layer: the index as listed in the spec
        raise InputError(exc.message, path=path, field=f"layers.{exc.layer}.{exc.field}" if exc.layer is not None else "layers") from None
    for k, layer in enumerate(layers):
        if layer.top_m >= depth_m - 1e-9:
            raise InputError(f"the layer starts at {layer.top_m:g} m, at or below the bottom of the block ({depth_m:g} m = nz x dz_m): "
                             "it would change nothing", path=path, field=f"layers.{k}.top_m")


def build_block(spec: BlockSpecFile, *, path=None) -> Block:
    """The :class:`Block` a spec describes (materials, layers, sides with their open ranges)."""
    table = carsel_parrish()
    names = list(spec.materials)
    materials = [_material(name, spec.materials[name], table, path) for name in names]
    g = spec.grid
    try:
        block = Block(nx=g.nx, ny=g.ny, nz=g.nz, dx_m=g.dx_m, dy_m=g.dy_m, dz_m=g.dz_m, materials=materials)
    except InputError as exc:
        raise type(exc)(exc.message, path=path, field=f"grid.{exc.field}" if exc.field else "grid") from None
    if spec.layers:
        _check_layers(spec.layers, g.nz * g.dz_m, path)
        depth_c = (np.arange(g.nz) + 0.5) * g.dz_m
        mat = np.full(g.nz, -1, dtype=np.int64)
        for layer in spec.layers:
            mat[(depth_c >= layer.top_m) & (depth_c < layer.bottom_m)] = names.index(layer.material)
        if np.any(mat < 0):
            k = int(np.argmax(mat < 0))
            raise InputError(f"no layer covers the cell centre at {depth_c[k]:g} m depth", path=path, field="layers")
        block.material = np.broadcast_to(mat[:, None, None], (g.nz, g.ny, g.nx)).copy()
    sides = {}
    for name, s in spec.sides.items():
        if s.kind == "no_flow":
            continue
        if s.kind == "free_drainage" and name != "bottom":
            raise InputError("free drainage applies to the bottom only", path=path, field=f"sides.{name}.kind")
        if s.kind == "rain" and name != "top":
            raise InputError("rain applies to the top only", path=path, field=f"sides.{name}.kind")
        value = {"head": s.h_m, "flux": s.flux_m_s, "rain": (s.rain_mm_h or 0.0) / 3.6e6, "free_drainage": 0.0}[s.kind]
        x, y, z = block.face_centres(name)
        closed = np.zeros(x.shape, dtype=bool)
        for key, rng, coord in (("open_x_m", s.open_x_m, x), ("open_y_m", s.open_y_m, y), ("open_depth_m", s.open_depth_m, z)):
            if rng is not None:
                outside = (coord < rng[0]) | (coord > rng[1])
                if not outside.any():
                    raise InputError(f"{key} [{rng[0]:g}, {rng[1]:g}] holds every face of this side: it closes none and "
                                     "changes nothing; leave it out, or narrow it", path=path, field=f"sides.{name}.{key}")
                closed |= outside
        if np.all(closed):
            raise InputError("the open ranges leave no face of this side open", path=path, field=f"sides.{name}")
        sides[name] = Side(s.kind, np.where(closed, np.nan, value))
    block.sides = sides
    return block


def block_report(spec: BlockSpecFile, block: Block, result: BlockResult) -> dict:
    """The result as plain data: per output time the water that entered through each side (m3),
    rain and runoff (m3) and the mean water content of each layer; totals and the balance."""
    times = []
    for o, t in enumerate(result.times_s):
        times.append({
            "time_s": float(t),
            "inflow_m3": {s: float(result.inflow_m3[o, i]) for i, s in enumerate(SIDES)},
            "rain_m3": float(result.rain_m3[o]),
            "runoff_m3": float(result.runoff_m3[o]),
            "theta_mean_by_layer": [float(v) for v in result.theta[o].mean(axis=(1, 2))],
        })
    return {
        "name": spec.name,
        "cells": block.n_cells,
        "grid": spec.grid.model_dump(),
        "outputs": times,
        "totals": result.summary(),
    }


def block_command(path: str | Path, *, as_json: bool = False) -> str:
    """``twin soil block SPEC.yaml``: check the spec and its file, run the block, return the
    report as text or strict JSON."""
    from twin.io.input_limits import check_block_spec_path
    from twin.io.json_out import to_json_text
    from twin.soil.block3d import run_block

    check_block_spec_path(path)
    spec = load_block_spec(path)
    try:
        block = build_block(spec, path=path)
    except InputError as exc:
        if exc.path is not None:
            raise
        raise type(exc)(exc.message, path=path, obj=exc.obj, field=exc.field) from None
    try:
        result = run_block(block, spec.initial["h_m"], spec.output_times_s, options=spec.solver)
    except InputError as exc:
        if exc.path is not None:
            raise
        field = {"h_initial_m": "initial.h_m"}.get(exc.field or "", exc.field)
        raise type(exc)(exc.message, path=path, obj=exc.obj, field=field) from None
    report = block_report(spec, block, result)
    if as_json:
        return to_json_text(report, indent=1)
    lines = [spec.name or str(path), f"{block.nx} x {block.ny} x {block.nz} cells of {block.dx_m:g} x {block.dy_m:g} x {spec.grid.dz_m:g} m", ""]
    lines.append("time_s      " + " ".join(f"{'in_' + s + '_m3':>14s}" for s in SIDES) + f" {'rain_m3':>12s} {'runoff_m3':>12s}")
    for row in report["outputs"]:
        lines.append(f"{row['time_s']:<11g} " + " ".join(f"{row['inflow_m3'][s]:14.6g}" for s in SIDES)
                     + f" {row['rain_m3']:12.6g} {row['runoff_m3']:12.6g}")
    t = report["totals"]
    lines.append("")
    lines.append(f"storage {t['storage_start_m3']:.6g} -> {t['storage_end_m3']:.6g} m3; relative water balance error "
                 f"{t['relative_balance_error']:.2e}; steps {t['steps']:.0f}, Picard iterations {t['picard_iterations']:.0f}, "
                 f"CG iterations {t['cg_iterations']:.0f}")
    return "\n".join(lines)
