"""A 3-D block of soil: build the arrays of :mod:`twin.kernels.richards3d` from a block spec.

A :class:`Block` is a box of ``nx x ny x nz`` cells (``dx_m`` by ``dy_m``, layers ``dz_m`` from
the surface down), a material per cell (rows of ``materials``, the same
:class:`~twin.soil.hydraulics.SoilMaterial` as the 1-D columns, so the same van Genuchten tables
and Gardner soil) and a boundary condition per side. :func:`run_block` checks everything,
integrates the block and returns a :class:`BlockResult` (heads and water contents at the output
times, the water that crossed each side, the water balance).

Sides are ``x_min``, ``x_max``, ``y_min``, ``y_max``, ``top`` and ``bottom``. A side's
condition (:class:`Side`) is one of ``no_flow`` (default), ``head`` (m), ``flux`` (m/s into the
block), ``free_drainage`` (unit gradient, bottom only) or ``rain`` (m/s; floods and runs off
when the soil cannot take it, top only). Its value is a number or one value per face: an array
``(ny, nx)`` on the top and bottom, ``(nz, ny)`` on the x sides, ``(nz, nx)`` on the y sides;
NaN (or the kind ``no_flow`` in the ``kind_per_face`` array) leaves a face closed, so a sealed
street next to a de-sealed square is a top with rain on some faces and no flow on others.

Units: metres, seconds, m/s, m3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from twin.errors import InputError, ResourceLimitError, SimulationError
from twin.soil.hydraulics import SoilMaterial
from twin.soil.limits import HEAD_RANGE_M, MAX_DURATION_S, MAX_OUTPUT_TIMES, MAX_RAIN_M_S

SIDES = ("x_min", "x_max", "y_min", "y_max", "top", "bottom")
KINDS = {"head": 0, "flux": 1, "free_drainage": 2, "rain": 3}
"""Boundary kinds and their kernel codes (``no_flow`` faces are simply not listed)."""

MAX_CELLS = 4_000_000
"""Cells of one block. The solver keeps 18 arrays of the grid size (144 bytes a cell, 0.58 GB at
the limit) plus the requested outputs; 200 m x 200 m x 3 m at 1 m x 1 m x 5 cm is 2.4 million."""
MAX_CELLS_PER_AXIS = 10_000
MIN_CELL_M = 1.0e-3
"""Smallest cell size, m (a millimetre)."""
MAX_BLOCK_M = 10_000.0
"""Largest extent along any axis, m."""
MAX_OUTPUT_VALUES = 50_000_000
"""Cells x output times stored (heads and water contents: 0.8 GB at the limit)."""


class BlockOptions(BaseModel):
    """Time stepping and iteration controls (defaults: those of the 1-D solver,
    :class:`twin.soil.solver.SolverOptions`, for the settings both share)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    dt_initial_s: float = Field(1.0, gt=0)
    dt_min_s: float = Field(1.0e-3, gt=0)
    dt_max_s: float = Field(3600.0, gt=0)
    tol_h_m: float = Field(1.0e-2, gt=0, description="absolute head tolerance of the Picard iteration, m")
    tol_h_rel: float = Field(1.0e-4, ge=0)
    tol_theta: float = Field(1.0e-3, gt=0)
    max_iter: int = Field(15, ge=2, le=1000)
    iter_low: int = Field(5, ge=1)
    iter_high: int = Field(8, ge=2)
    dt_increase: float = Field(1.3, ge=1.0, le=10.0)
    dt_decrease: float = Field(0.7, gt=0, le=1.0)
    dtheta_max: float = Field(0.05, ge=0)
    lin_tol: float = Field(1.0e-10, gt=0, lt=1, description="relative residual of the conjugate-gradient solve")
    lin_max_iter: int = Field(5000, ge=1)
    h_pond_m: float = Field(0.002, ge=0, le=10.0, description="pond depth on a rain face before runoff, m")
    max_steps: int | None = Field(None, ge=1, description="step attempts before the run stops with an error (default 100,000)")

    @model_validator(mode="after")
    def _consistent(self):
        if self.dt_min_s > self.dt_max_s:
            raise ValueError(f"dt_min_s ({self.dt_min_s:g} s) is above dt_max_s ({self.dt_max_s:g} s)")
        if self.iter_low >= self.iter_high:
            raise ValueError(f"iter_low ({self.iter_low}) must be below iter_high ({self.iter_high})")
        return self

    def to_array(self) -> np.ndarray:
        """The kernel's ``opts`` vector."""
        from twin.kernels import richards3d as K

        opts = K.default_options()
        opts[K.O_DT_INIT] = self.dt_initial_s
        opts[K.O_DT_MIN] = self.dt_min_s
        opts[K.O_DT_MAX] = self.dt_max_s
        opts[K.O_TOL_H] = self.tol_h_m
        opts[K.O_TOL_H_REL] = self.tol_h_rel
        opts[K.O_TOL_THETA] = self.tol_theta
        opts[K.O_MAX_ITER] = self.max_iter
        opts[K.O_ITER_LOW] = self.iter_low
        opts[K.O_ITER_HIGH] = self.iter_high
        opts[K.O_DT_INC] = self.dt_increase
        opts[K.O_DT_DEC] = self.dt_decrease
        opts[K.O_DTHETA_MAX] = self.dtheta_max
        opts[K.O_LIN_TOL] = self.lin_tol
        opts[K.O_LIN_MAX_ITER] = self.lin_max_iter
        opts[K.O_H_POND] = self.h_pond_m
        opts[K.O_MAX_STEPS] = float(self.max_steps if self.max_steps is not None else 100_000)
        return opts


@dataclass
class Side:
    """Boundary condition of one side: ``kind`` and a value (number or one per face, see the
    module docstring). NaN values close their faces."""

    kind: str = "no_flow"
    value: float | np.ndarray = 0.0


@dataclass
class Block:
    """The grid, materials and boundary conditions of a block (see the module docstring).

    Parameters
    ----------
    nx, ny, nz
        Cells along x, y and depth.
    dx_m, dy_m
        Cell sizes, m.
    dz_m
        Layer thickness (one number) or thicknesses from the surface down, m.
    materials
        Soil materials; ``material`` indexes them.
    material
        Material of every cell, ``(nz, ny, nx)`` integers (default: all 0).
    sides
        Boundary condition per side name (missing sides: no flow).
    """

    nx: int
    ny: int
    nz: int
    dx_m: float
    dy_m: float
    dz_m: float | Sequence[float] | np.ndarray
    materials: Sequence[SoilMaterial]
    material: np.ndarray | None = None
    sides: dict[str, Side] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("nx", "ny", "nz"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= MAX_CELLS_PER_AXIS:
                raise InputError(f"must be a whole number of cells in [1, {MAX_CELLS_PER_AXIS}], got {v!r}", field=name)
        n = self.nx * self.ny * self.nz
        if n > MAX_CELLS:
            raise ResourceLimitError(
                f"the block has {n:,} cells ({self.nx} x {self.ny} x {self.nz}), above the limit of {MAX_CELLS:,}: "
                "coarsen the grid or split the block", field="nx, ny, nz")
        for name in ("dx_m", "dy_m"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and MIN_CELL_M <= v <= MAX_BLOCK_M):
                raise InputError(f"cell size must be a number in [{MIN_CELL_M}, {MAX_BLOCK_M}] m, got {v!r}", field=name)
        dz = np.atleast_1d(np.asarray(self.dz_m, dtype=float))
        if dz.size == 1:
            dz = np.full(self.nz, float(dz[0]))
        if dz.shape != (self.nz,) or not np.all(np.isfinite(dz)) or np.any(dz < MIN_CELL_M) or np.any(dz > MAX_BLOCK_M):
            raise InputError(f"need one layer thickness or nz = {self.nz} of them, each in [{MIN_CELL_M}, {MAX_BLOCK_M}] m", field="dz_m")
        self.dz_m = dz
        for name, extent in (("nx", self.nx * self.dx_m), ("ny", self.ny * self.dy_m), ("nz", float(dz.sum()))):
            if extent > MAX_BLOCK_M:
                raise ResourceLimitError(f"the block extends {extent:g} m along {name[1]}, above {MAX_BLOCK_M:g} m", field=name)
        if not self.materials:
            raise InputError("a block needs at least one soil material", field="materials")
        for m in self.materials:
            if not isinstance(m, SoilMaterial):
                raise InputError(f"materials must be SoilMaterial objects, got {type(m).__name__}", field="materials")
        if self.material is None:
            self.material = np.zeros((self.nz, self.ny, self.nx), dtype=np.int64)
        mat = np.asarray(self.material)
        if mat.shape != (self.nz, self.ny, self.nx) or not np.issubdtype(mat.dtype, np.integer):
            raise InputError(f"need integer material indices of shape (nz, ny, nx) = {(self.nz, self.ny, self.nx)}", field="material")
        if mat.min() < 0 or mat.max() >= len(self.materials):
            raise InputError(f"material indices must lie in [0, {len(self.materials) - 1}]", field="material")
        self.material = mat.astype(np.int64)
        for name, side in self.sides.items():
            if name not in SIDES:
                raise InputError(f"unknown side {name!r}; use one of {', '.join(SIDES)}", field="sides")
            if side.kind != "no_flow" and side.kind not in KINDS:
                raise InputError(f"unknown boundary kind {side.kind!r}; use no_flow, {', '.join(KINDS)}", obj=name, field="kind")
            if side.kind == "free_drainage" and name != "bottom":
                raise InputError("free drainage applies to the bottom only", obj=name, field="kind")
            if side.kind == "rain" and name != "top":
                raise InputError("rain applies to the top only", obj=name, field="kind")

    @property
    def n_cells(self) -> int:
        return self.nx * self.ny * self.nz

    def face_shape(self, side: str) -> tuple[int, int]:
        """Shape of the per-face values of ``side``."""
        if side in ("top", "bottom"):
            return (self.ny, self.nx)
        if side in ("x_min", "x_max"):
            return (self.nz, self.ny)
        return (self.nz, self.nx)

    def face_centres(self, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x, y and depth (m) of the face centres of ``side``, arrays of :meth:`face_shape`."""
        dz = np.asarray(self.dz_m)
        xc = (np.arange(self.nx) + 0.5) * self.dx_m
        yc = (np.arange(self.ny) + 0.5) * self.dy_m
        zc = np.cumsum(dz) - 0.5 * dz
        if side in ("top", "bottom"):
            y, x = np.meshgrid(yc, xc, indexing="ij")
            return x, y, np.full(x.shape, 0.0 if side == "top" else float(dz.sum()))
        if side in ("x_min", "x_max"):
            z, y = np.meshgrid(zc, yc, indexing="ij")
            return np.full(z.shape, 0.0 if side == "x_min" else self.nx * self.dx_m), y, z
        z, x = np.meshgrid(zc, xc, indexing="ij")
        return x, np.full(z.shape, 0.0 if side == "y_min" else self.ny * self.dy_m), z

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x, y and depth (m) of every cell centre, arrays ``(nz, ny, nx)``."""
        dz = np.asarray(self.dz_m)
        zc = np.cumsum(dz) - 0.5 * dz
        z, y, x = np.meshgrid(zc, (np.arange(self.ny) + 0.5) * self.dy_m, (np.arange(self.nx) + 0.5) * self.dx_m, indexing="ij")
        return x, y, z

    def boundary_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The kernel's face lists ``b_cell, b_side, b_kind, b_value`` (closed faces left out)."""
        cells, sides, kinds, values = [], [], [], []
        k_idx, j_idx, i_idx = np.meshgrid(np.arange(self.nz), np.arange(self.ny), np.arange(self.nx), indexing="ij")
        flat = (k_idx * self.ny + j_idx) * self.nx + i_idx
        face_cells = {
            "x_min": flat[:, :, 0], "x_max": flat[:, :, -1], "y_min": flat[:, 0, :], "y_max": flat[:, -1, :],
            "top": flat[0], "bottom": flat[-1],
        }
        for s, name in enumerate(SIDES):
            side = self.sides.get(name)
            if side is None or side.kind == "no_flow":
                continue
            shape = self.face_shape(name)
            try:
                value = np.broadcast_to(np.asarray(side.value, dtype=float), shape)
            except (ValueError, TypeError):
                raise InputError(f"need one number or an array of shape {shape}", obj=name, field="value") from None
            if np.any(np.isinf(value)):
                raise InputError("values must be finite (NaN closes a face)", obj=name, field="value")
            open_ = ~np.isnan(value)
            v = value[open_]
            if side.kind == "head" and v.size and (v.min() < HEAD_RANGE_M[0] or v.max() > HEAD_RANGE_M[1]):
                raise InputError(f"heads must lie in [{HEAD_RANGE_M[0]:g}, {HEAD_RANGE_M[1]:g}] m", obj=name, field="value")
            if side.kind in ("flux", "rain") and v.size and np.abs(v).max() > MAX_RAIN_M_S:
                raise InputError(f"fluxes must lie within +-{MAX_RAIN_M_S:g} m/s", obj=name, field="value")
            if side.kind == "rain" and v.size and v.min() < 0:
                raise InputError("rain must be >= 0 m/s", obj=name, field="value")
            cells.append(face_cells[name][open_])
            sides.append(np.full(v.size, s, dtype=np.int64))
            kinds.append(np.full(v.size, KINDS[side.kind], dtype=np.int64))
            values.append(v.astype(float))
        if not cells:
            z = np.zeros(0, dtype=np.int64)
            return z, z.copy(), z.copy(), np.zeros(0)
        return (np.concatenate(cells).astype(np.int64), np.concatenate(sides), np.concatenate(kinds), np.concatenate(values))


@dataclass
class BlockState:
    """The state a run ends in, to continue it with other boundary conditions (a storm, then a
    dry spell): heads (m) and the conserved water content (m3/m3), flat in the kernel's order.
    The water content is carried as is (not recomputed from the heads), so the water balance
    over consecutive runs closes as over one."""

    h_m: np.ndarray
    theta: np.ndarray


@dataclass
class BlockResult:
    """Result of :func:`run_block`.

    ``h_m`` and ``theta`` are ``(n_out, nz, ny, nx)``; ``inflow_m3`` is ``(n_out, 6)``, the water
    that entered through each side (order of :data:`SIDES`) since the start; ``rain_m3`` and
    ``runoff_m3`` ``(n_out,)``; ``totals`` the kernel's totals by name.
    """

    times_s: np.ndarray
    h_m: np.ndarray
    theta: np.ndarray
    inflow_m3: np.ndarray
    rain_m3: np.ndarray
    runoff_m3: np.ndarray
    totals: dict[str, float]
    state: BlockState | None = None

    @property
    def storage_change_m3(self) -> float:
        return self.totals["storage_end_m3"] - self.totals["storage_start_m3"]

    @property
    def boundary_inflow_m3(self) -> float:
        return float(sum(self.totals[f"inflow_{s}_m3"] for s in SIDES))

    @property
    def relative_balance_error(self) -> float:
        """``|storage change - boundary inflow| / max(|storage change|, sum |inflow per side|)``."""
        scale = max(abs(self.storage_change_m3), sum(abs(self.totals[f"inflow_{s}_m3"]) for s in SIDES), 1e-300)
        return abs(self.storage_change_m3 - self.boundary_inflow_m3) / scale

    def summary(self) -> dict[str, float]:
        """Totals and the balance, for a report or ``--json``."""
        return {**self.totals, "relative_balance_error": self.relative_balance_error}


def build_tables(materials: Sequence[SoilMaterial]) -> tuple[np.ndarray, np.ndarray]:
    """Parameter rows and Hermite tables (as for the 1-D solver, :func:`twin.soil.solver.build_tables`)."""
    from twin.soil.solver import build_tables as _build

    return _build(materials)


def run_block(
    block: Block,
    h_initial_m: float | np.ndarray | BlockState,
    output_times_s: Sequence[float],
    *,
    t_start_s: float = 0.0,
    options: BlockOptions | None = None,
    keep_fields: bool = True,
) -> BlockResult:
    """Integrate ``block`` from ``t_start_s`` to the last output time.

    Parameters
    ----------
    block
        The block (:class:`Block`).
    h_initial_m
        Initial head, m: one number or ``(nz, ny, nx)``; or the :class:`BlockState` a previous
        run of the same block ended in (``result.state``), to continue it.
    output_times_s
        Output times, s, increasing, after ``t_start_s``; the run ends at the last.
    options
        Solver options (:class:`BlockOptions`).
    keep_fields
        Store heads and water contents at every output time (else only the final ones).

    Raises
    ------
    InputError, ResourceLimitError
        Bad or oversized input (checked before any work).
    SimulationError
        The run stopped on its step budget or produced non-finite heads.
    """
    from twin.kernels import richards3d as K

    opts = (options or BlockOptions()).to_array()
    times = np.atleast_1d(np.asarray(output_times_s, dtype=float))
    if times.ndim != 1 or times.size == 0 or not np.all(np.isfinite(times)):
        raise InputError("need at least one finite output time", field="output_times_s")
    if times.size > MAX_OUTPUT_TIMES:
        raise ResourceLimitError(f"{times.size} output times, above the limit of {MAX_OUTPUT_TIMES}", field="output_times_s")
    if not math.isfinite(t_start_s) or np.any(np.diff(times) <= 0) or times[0] <= t_start_s:
        raise InputError("output times must increase and follow t_start_s", field="output_times_s")
    if times[-1] - t_start_s > MAX_DURATION_S:
        raise ResourceLimitError(f"duration above {MAX_DURATION_S:.4g} s (100 years)", field="output_times_s")
    n = block.n_cells
    n_keep = times.size if keep_fields else 1
    if n * n_keep > MAX_OUTPUT_VALUES:
        raise ResourceLimitError(
            f"{n:,} cells x {n_keep} output times is above the limit of {MAX_OUTPUT_VALUES:,} stored values: "
            "ask for fewer output times or keep_fields=False", field="output_times_s")
    state = h_initial_m if isinstance(h_initial_m, BlockState) else None
    if state is not None:
        if state.h_m.shape != (n,) or state.theta.shape != (n,):
            raise InputError(f"the state is of another block ({state.h_m.size:,} cells, not {n:,})", field="h_initial_m")
        h0 = state.h_m.reshape(block.nz, block.ny, block.nx)
    elif np.ndim(h_initial_m) in (0, 3):
        try:
            h0 = np.broadcast_to(np.asarray(h_initial_m, dtype=float), (block.nz, block.ny, block.nx))
        except ValueError:
            raise InputError("initial head: one number or an array (nz, ny, nx)", field="h_initial_m") from None
    else:
        raise InputError("initial head: one number or an array (nz, ny, nx)", field="h_initial_m")
    if not np.all(np.isfinite(h0)) or h0.min() < HEAD_RANGE_M[0] or h0.max() > HEAD_RANGE_M[1]:
        raise InputError(f"initial heads must be finite and in [{HEAD_RANGE_M[0]:g}, {HEAD_RANGE_M[1]:g}] m", field="h_initial_m")
    b_cell, b_side, b_kind, b_value = block.boundary_arrays()
    params, tables = build_tables(block.materials)
    mat = np.ascontiguousarray(block.material.reshape(-1))
    h = np.ascontiguousarray(h0.reshape(-1), dtype=float).copy()
    if state is not None:
        theta = np.array(state.theta, dtype=float)
    else:
        theta = np.empty(n)
        K.water_contents(h, mat, params, tables, theta)
    b_mode = np.zeros(b_cell.size, dtype=np.int64)
    out_h = np.zeros((times.size if keep_fields else 0, n))
    out_theta = np.zeros_like(out_h)
    out_cum = np.zeros((times.size, K.N_CUM))
    totals = np.zeros(K.N_TOT)
    work = np.zeros((K.N_WORK, n))
    bwork = np.zeros((K.N_BWORK, b_cell.size))
    dz = np.asarray(block.dz_m, dtype=float)
    K.run_block(
        K.Grid(int(block.nx), int(block.ny), int(block.nz), float(block.dx_m), float(block.dy_m), dz),
        K.Soil(mat, params, tables),
        K.Faces(b_cell, b_side, b_kind, b_value, b_mode),
        float(t_start_s), float(times[-1]), times, opts, h, theta, K.Outputs(out_h, out_theta, out_cum, totals), work, bwork,
    )
    if totals[K.T_STOPPED_S] >= 0:
        raise SimulationError(
            f"the block stopped at t = {totals[K.T_STOPPED_S]:g} s after {int(totals[K.T_STEPS] + totals[K.T_REJECTS])} step attempts "
            "(the solver kept shrinking its step): check the boundary values, or loosen tol_h_m / raise max_steps",
            field="max_steps")
    if not np.all(np.isfinite(h)):
        raise SimulationError("the block produced non-finite heads", field="h_m")
    shape = (block.nz, block.ny, block.nx)
    if keep_fields:
        h_out = out_h.reshape((times.size,) + shape)
        th_out = out_theta.reshape((times.size,) + shape)
    else:
        h_out = h.reshape((1,) + shape).copy()
        th_out = theta.reshape((1,) + shape).copy()
    names = {
        "storage_start_m3": K.T_STORAGE0, "storage_end_m3": K.T_STORAGE1, "steps": K.T_STEPS, "picard_iterations": K.T_ITERS,
        "cg_iterations": K.T_LIN_ITERS, "rejected_steps": K.T_REJECTS, "failed_steps": K.T_FAILS, "mismatch_m3": K.T_MISMATCH,
        "rain_m3": K.T_RAIN, "runoff_m3": K.T_RUNOFF,
    }
    tot = {k: float(totals[i]) for k, i in names.items()}
    for s, name in enumerate(SIDES):
        tot[f"inflow_{name}_m3"] = float(totals[K.T_IN_SIDE + s])
    return BlockResult(
        times_s=times, h_m=h_out, theta=th_out, inflow_m3=out_cum[:, :6].copy(), rain_m3=out_cum[:, K.C_RAIN].copy(),
        runoff_m3=out_cum[:, K.C_RUNOFF].copy(), totals=tot, state=BlockState(h_m=h, theta=theta),
    )
