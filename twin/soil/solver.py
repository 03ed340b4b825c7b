"""Python side of the Richards kernel: profiles, forcing, options, and one call for many columns.

:func:`run_richards` checks its inputs, packs them into the flat arrays of
:func:`twin.kernels.soil_richards.richards_columns`, allocates the outputs and returns a
:class:`RichardsResult` (profiles at the output times, cumulated fluxes, per-column water
balance). Units: metres, seconds, m/s; the pressure head in metres of water.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from twin.errors import InputError, ResourceLimitError, SimulationError
from twin.soil.hydraulics import SoilMaterial
from twin.soil.limits import (
    MAX_DEPTH_M,
    MAX_FORCING_INTERVALS,
    MAX_NODES_PER_COLUMN,
    MAX_OUTPUT_TIMES,
    MAX_RAIN_M_S,
    check_work,
    step_budget,
)
from twin.soil.roots import FeddesParameters

TOP_KINDS = {"atmospheric": 0, "head": 1}
BOTTOM_KINDS = {"free_drainage": 0, "fixed_head": 1, "zero_flux": 2}


class SolverOptions(BaseModel):
    """Time stepping and iteration controls of the Richards solver.

    The defaults follow HYDRUS-1D's scheme and tolerances (0.001 in water content between
    iterates, 1 cm in head; grow the step by 1.3 after few iterations, shrink it by 0.7 after
    many, divide it by 3 on failure). The iteration thresholds differ: 5 and 8 here, 3 and 7 in
    HYDRUS-1D (with 3 and 7 the Celia case takes about twice as many steps for the same front
    position). Mass is conserved whatever the tolerances (the water
    content moves by flux divergence); the tolerances set how close the heads are to the
    implicit solution.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    dt_initial_s: float = Field(1.0, gt=0)
    dt_min_s: float = Field(1.0e-3, gt=0)
    dt_max_s: float = Field(3600.0, gt=0)
    tol_h_m: float = Field(1.0e-2, gt=0, description="absolute head tolerance of the Picard iteration, m")
    tol_h_rel: float = Field(1.0e-4, ge=0, description="relative head tolerance")
    tol_theta: float = Field(1.0e-3, gt=0, description="water-content tolerance between iterates")
    max_iter: int = Field(15, ge=2)
    iter_low: int = Field(5, ge=1, description="grow dt after at most this many iterations")
    iter_high: int = Field(8, ge=2, description="shrink dt after at least this many iterations")
    dt_increase: float = Field(1.3, ge=1.0)
    dt_decrease: float = Field(0.7, gt=0, le=1.0)
    h_surface_m: float = Field(0.002, ge=0, description="pond depth (depression storage) above which rain runs off, m")
    h_critical_m: float = Field(-100.0, lt=0, description="lowest surface head under evaporation, m")
    dtheta_max: float = Field(0.05, ge=0, description="largest water-content change per step (0: no limit)")
    h_floor_m: float = Field(-1.0e5, lt=0, description="lowest head a Picard iterate may take, m (guards very dry soil)")
    tables: bool = Field(True, description="use the Hermite lookup tables of the hydraulic functions")
    chunk: int = Field(64, ge=1, description="columns per parallel task")
    max_steps: int | None = Field(
        None, ge=1, description="step attempts per column before the run stops with an error (default: twin.soil.limits.step_budget)"
    )
    z_observed_m: float = Field(0.3, gt=0, le=MAX_DEPTH_M, description="depth of the top layer whose mean water content is output, m")
    tol_dry_theta: float = Field(
        1.0e-6, ge=0, description="a head increment changing the water content by less than this counts as converged (very dry soil)"
    )

    @model_validator(mode="after")
    def _consistent(self):
        if self.dt_min_s > self.dt_max_s:
            raise ValueError(f"dt_min_s ({self.dt_min_s:g} s) is above dt_max_s ({self.dt_max_s:g} s)")
        return self

    def to_array(self) -> np.ndarray:
        """The kernel's ``opts`` vector."""
        from twin.kernels import soil_richards as R

        opts = R.default_options()
        opts[R.O_DT_INIT] = self.dt_initial_s
        opts[R.O_DT_MIN] = self.dt_min_s
        opts[R.O_DT_MAX] = self.dt_max_s
        opts[R.O_TOL_H] = self.tol_h_m
        opts[R.O_TOL_H_REL] = self.tol_h_rel
        opts[R.O_TOL_THETA] = self.tol_theta
        opts[R.O_MAX_ITER] = self.max_iter
        opts[R.O_ITER_LOW] = self.iter_low
        opts[R.O_ITER_HIGH] = self.iter_high
        opts[R.O_DT_INC] = self.dt_increase
        opts[R.O_DT_DEC] = self.dt_decrease
        opts[R.O_H_SURF] = self.h_surface_m
        opts[R.O_H_CRIT] = self.h_critical_m
        opts[R.O_DTHETA_MAX] = self.dtheta_max
        opts[R.O_H_FLOOR] = self.h_floor_m
        opts[R.O_Z_OBS] = self.z_observed_m
        opts[R.O_TOL_DRY] = self.tol_dry_theta
        return opts


@dataclass
class Profile:
    """Vertical grid of one column type: node depths (m, 0 at the surface, increasing), the
    material index of every node and, optionally, the root density of every node (1/m, see
    :func:`twin.soil.roots.root_density`; scaled here so that ``sum V_i b_i = 1``) and the
    column's own depression storage (pond depth before runoff, m; default: the solver's
    ``h_surface_m``)."""

    z_m: np.ndarray
    material: np.ndarray
    root_density_per_m: np.ndarray | None = None
    h_surface_m: float | None = None

    def __post_init__(self) -> None:
        self.z_m = np.asarray(self.z_m, dtype=float)
        self.material = np.asarray(self.material, dtype=np.int64)
        if self.z_m.ndim != 1 or len(self.z_m) < 3:
            raise InputError("a profile needs at least 3 nodes", field="z_m")
        if not np.all(np.isfinite(self.z_m)) or abs(self.z_m[0]) > 1e-12 or np.any(np.diff(self.z_m) <= 0):
            raise InputError("node depths must start at 0 and increase", field="z_m")
        if self.material.shape != self.z_m.shape:
            raise InputError("one material per node", field="material")
        if self.root_density_per_m is not None:
            b = np.asarray(self.root_density_per_m, dtype=float)
            if b.shape != self.z_m.shape or not np.all(np.isfinite(b)) or np.any(b < 0):
                raise InputError("one finite root density >= 0 per node", field="root_density_per_m")
            total = float(np.sum(self.node_volume_m * b))
            self.root_density_per_m = b / total if total > 0 else np.zeros_like(b)
        if self.h_surface_m is not None and not (np.isfinite(self.h_surface_m) and 0 <= self.h_surface_m <= 10.0):
            raise InputError(f"depression storage must lie in [0, 10] m, got {self.h_surface_m!r}", field="h_surface_m")

    @property
    def n_nodes(self) -> int:
        return len(self.z_m)

    @property
    def node_volume_m(self) -> np.ndarray:
        """Thickness represented by each node (half intervals at both ends), m."""
        dz = np.diff(self.z_m)
        v = np.zeros(self.n_nodes)
        v[:-1] += 0.5 * dz
        v[1:] += 0.5 * dz
        return v


class LayerTilingError(InputError):
    """Stacked layers that do not make a profile (a gap, an overlap, a bottom not below its top,
    a profile too deep, no layer).

    ``layer`` is the index of the faulty layer **as listed** by the caller (before any sorting
    by depth), or None when no single layer is at fault; ``obj`` reads ``layer <index>``.
    """

    def __init__(self, message: str, *, path=None, obj: object | None = None, field: str | None = None, layer: int | None = None) -> None:
        self.layer = layer
        super().__init__(message, path=path, obj=obj if obj is not None or layer is None else f"layer {layer}", field=field)


def _tiled_layers(layers: Sequence[tuple[float, float, int]]) -> tuple[list[tuple[float, float, int]], float]:
    """Stacked layers ``(top_m, bottom_m, material_index)`` sorted by top, and the profile depth, m.

    The layers may be listed in any order; a faulty layer is named by its index in ``layers``
    as given (the order of the user's spec), not by its place once sorted.

    Raises
    ------
    LayerTilingError
        No layer, layers that do not tile ``[0, depth]`` without gaps or overlaps (the layer
        named), a layer whose bottom is not below its top, a depth beyond
        :data:`~twin.soil.limits.MAX_DEPTH_M`.
    """
    if not layers:
        raise LayerTilingError("a profile needs at least one layer", field="layers")
    order = sorted(range(len(layers)), key=lambda k: layers[k][0])  # stable: equal tops keep their listed order
    top = 0.0
    for k in order:
        t, b, _ = layers[k]
        if abs(t - top) > 1e-9:
            raise LayerTilingError(f"layers must tile the profile from 0 without gaps (gap or overlap at {t} m)", layer=k, field="top_m")
        if b <= t:
            raise LayerTilingError("bottom_m must be below top_m", layer=k, field="bottom_m")
        top = b
    depth = top
    if not (np.isfinite(depth) and depth <= MAX_DEPTH_M):
        raise LayerTilingError(f"the profile is {depth:g} m deep, beyond the limit of {MAX_DEPTH_M:g} m", layer=order[-1], field="bottom_m")
    return [layers[k] for k in order], depth


def layered_profile(
    layers: Sequence[tuple[float, float, int]], *, dz_m: float | None = None, n_nodes: int | None = None
) -> Profile:
    """Uniform grid over stacked layers ``(top_m, bottom_m, material_index)``.

    The layers must tile ``[0, depth]`` without gaps. A node on an interface takes the material of
    the layer below it. Give ``dz_m`` (rounded to fit the depth) or ``n_nodes``.
    """
    layers, depth = _tiled_layers(layers)
    if n_nodes is None:
        if dz_m is None or not (np.isfinite(dz_m) and dz_m > 0):
            raise InputError("give a positive dz_m or n_nodes", field="dz_m")
        wanted = depth / dz_m + 1
        if wanted > MAX_NODES_PER_COLUMN:
            raise ResourceLimitError(
                f"dz_m = {dz_m:g} m over {depth:g} m gives {wanted:.3g} nodes, above the limit of {MAX_NODES_PER_COLUMN:,}", field="dz_m"
            )
        n_nodes = int(round(depth / dz_m)) + 1
    if n_nodes > MAX_NODES_PER_COLUMN:
        raise ResourceLimitError(f"{n_nodes:,} nodes, above the limit of {MAX_NODES_PER_COLUMN:,}", field="n_nodes")
    if n_nodes < 3:
        raise InputError("a profile needs at least 3 nodes", field="n_nodes")
    z = np.linspace(0.0, depth, n_nodes)
    mat = np.full(n_nodes, layers[0][2], dtype=np.int64)
    for t, _, m in layers:  # sorted by top: a node on an interface ends with the layer below
        mat[z >= t - 1e-9] = m
    return Profile(z, mat)


def graded_profile(
    layers: Sequence[tuple[float, float, int]],
    *,
    dz_top_m: float = 0.01,
    dz_max_m: float = 0.10,
    growth: float = 1.2,
) -> Profile:
    """A grid fine at the surface and coarser with depth over stacked layers ``(top_m, bottom_m,
    material_index)`` (tiling ``[0, depth]``): node spacing ``dz_top_m`` at the surface, growing by
    ``growth`` per node up to ``dz_max_m`` (as HYDRUS-1D's graded grids), with a node on every
    layer interface (a node on an interface takes the material of the layer below).

    Raises
    ------
    InputError
        Layers with gaps, spacings not positive or ``dz_top_m > dz_max_m``, a growth below 1 or
        above 2.
    ResourceLimitError
        More nodes than :data:`~twin.soil.limits.MAX_NODES_PER_COLUMN`.
    """
    layers, depth = _tiled_layers(layers)
    for name, v in (("dz_top_m", dz_top_m), ("dz_max_m", dz_max_m)):
        if not (np.isfinite(v) and v > 0):
            raise InputError(f"must be a positive spacing, got {v!r}", field=name)
    if dz_top_m > dz_max_m:
        raise InputError(f"dz_top_m ({dz_top_m:g} m) is above dz_max_m ({dz_max_m:g} m)", field="dz_top_m")
    if not (np.isfinite(growth) and 1.0 <= growth <= 2.0):
        raise InputError(f"growth must lie in [1, 2], got {growth!r}", field="growth")
    if depth / dz_max_m + 1 > MAX_NODES_PER_COLUMN:
        raise ResourceLimitError(f"{depth / dz_max_m:.3g} nodes or more, above the limit of {MAX_NODES_PER_COLUMN:,}", field="dz_max_m")
    z = [0.0]
    dz = dz_top_m
    while z[-1] < depth - 1e-12:
        z.append(z[-1] + dz)
        dz = min(dz * growth, dz_max_m)
        if len(z) > MAX_NODES_PER_COLUMN:
            raise ResourceLimitError(f"more than {MAX_NODES_PER_COLUMN:,} nodes", field="dz_top_m")
    z = np.array(z)
    z[-1] = depth
    if len(z) > 3 and z[-1] - z[-2] < 0.3 * (z[-2] - z[-3]):
        z = np.delete(z, len(z) - 2)  # no sliver of an interval at the bottom
    # nodes on every interface, dropping grid nodes closer than a third of the local spacing
    interfaces = np.array([b for _, b, _ in layers[:-1]])
    if len(interfaces):
        keep = np.ones(len(z), dtype=bool)
        for zi in interfaces:
            j = int(np.argmin(np.abs(z - zi)))
            local = z[min(j + 1, len(z) - 1)] - z[max(j - 1, 0)]
            keep &= ~((np.abs(z - zi) < local / 6.0) & (z > 0) & (z < depth))
        z = np.union1d(z[keep], interfaces)
    if len(z) < 3:
        z = np.linspace(0.0, depth, 3)
    mat = np.full(len(z), layers[0][2], dtype=np.int64)
    for t, _, m in layers:  # sorted by top: a node on an interface ends with the layer below
        mat[z >= t - 1e-9] = m
    return Profile(z, mat)


@dataclass
class ForcingSet:
    """What one vegetation receives and demands on each forcing interval (m/s): the rain that
    reaches its soil (throughfall), its potential soil evaporation and potential transpiration."""

    throughfall_m_s: np.ndarray
    evaporation_m_s: np.ndarray
    transpiration_m_s: np.ndarray
    name: str = ""


@dataclass
class Forcing:
    """Piecewise-constant forcing on intervals ``[t_edges_s[k], t_edges_s[k+1])``.

    ``rain_m_s``, ``evaporation_m_s`` and ``transpiration_m_s`` (potential) drive atmospheric
    columns; ``top_head_m`` drives columns with a head top boundary. ``sets`` (optional) gives
    several vegetations their own throughfall, evaporation and transpiration (a column picks one
    with ``column_set`` in :func:`run_richards`); without it there is one set made of
    ``rain_m_s``, ``evaporation_m_s`` and ``transpiration_m_s``.
    """

    t_edges_s: np.ndarray
    rain_m_s: np.ndarray
    evaporation_m_s: np.ndarray | None = None
    top_head_m: np.ndarray | None = None
    transpiration_m_s: np.ndarray | None = None
    sets: list[ForcingSet] | None = None

    def __post_init__(self) -> None:
        self.t_edges_s = np.asarray(self.t_edges_s, dtype=float)
        n = len(self.t_edges_s) - 1
        if n > MAX_FORCING_INTERVALS:
            raise ResourceLimitError(f"{n:,} forcing intervals, above the limit of {MAX_FORCING_INTERVALS:,}", field="t_edges_s")
        if n < 1 or np.any(np.diff(self.t_edges_s) <= 0) or not np.all(np.isfinite(self.t_edges_s)):
            raise InputError("forcing time edges must be finite and increasing", field="t_edges_s")
        self.rain_m_s = self._series(self.rain_m_s, n, "rain_m_s", nonneg=True)
        too_wet = np.flatnonzero(self.rain_m_s > MAX_RAIN_M_S)
        if too_wet.size:
            k = int(too_wet[0])
            raise InputError(
                f"rain of {self.rain_m_s[k] * 3.6e6:.4g} mm/h, above the plausible {MAX_RAIN_M_S * 3.6e6:g} mm/h (a unit slip?)",
                obj=f"interval {k}",
                field="rain_m_s",
            )
        self.evaporation_m_s = self._series(self.evaporation_m_s, n, "evaporation_m_s", nonneg=True)
        self.top_head_m = self._series(self.top_head_m, n, "top_head_m", nonneg=False)
        self.transpiration_m_s = self._series(self.transpiration_m_s, n, "transpiration_m_s", nonneg=True)
        if self.sets is not None:
            if len(self.sets) == 0:
                raise InputError("give at least one forcing set", field="sets")
            for i, fs in enumerate(self.sets):
                for name in ("throughfall_m_s", "evaporation_m_s", "transpiration_m_s"):
                    try:
                        setattr(fs, name, self._series(getattr(fs, name), n, name, nonneg=True))
                    except InputError as exc:
                        raise InputError(exc.message, obj=f"set {fs.name or i}, {exc.obj}", field=f"sets.{name}") from None

    def set_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(n_set, n_t) throughfall, potential evaporation and potential transpiration, m/s."""
        if self.sets is None:
            return self.rain_m_s[None, :], self.evaporation_m_s[None, :], self.transpiration_m_s[None, :]
        return (np.array([fs.throughfall_m_s for fs in self.sets]), np.array([fs.evaporation_m_s for fs in self.sets]),
                np.array([fs.transpiration_m_s for fs in self.sets]))

    @property
    def n_sets(self) -> int:
        return 1 if self.sets is None else len(self.sets)

    @staticmethod
    def _series(values, n: int, name: str, *, nonneg: bool) -> np.ndarray:
        if values is None:
            return np.zeros(n)
        arr = np.broadcast_to(np.asarray(values, dtype=float), (n,)).copy()
        bad = ~np.isfinite(arr)
        if bad.any():
            raise InputError("missing or non-finite value in the forcing series", obj=f"interval {int(np.flatnonzero(bad)[0])}", field=name)
        if nonneg and (arr < 0).any():
            raise InputError("negative value in the forcing series", obj=f"interval {int(np.flatnonzero(arr < 0)[0])}", field=name)
        return arr

    @property
    def duration_s(self) -> float:
        return float(self.t_edges_s[-1] - self.t_edges_s[0])


@dataclass
class RichardsResult:
    """Outputs of :func:`run_richards` (SI units; water depths per unit column area, m).

    Attributes
    ----------
    times_s : (n_out,) output times.
    h_m, theta : (n_out, n_col, max_nodes) profiles (NaN below a column's last node), or None.
    cumulative_m : (n_out, n_col, N_CUM) rain, infiltration, runoff, evaporation, drainage,
        transpiration, potential transpiration (cumulated, m), and two states: the mean water
        content of the top ``z_observed_m`` and the actual transpiration rate of the last step
        (m/s) (``twin.kernels.soil_richards.C_*``).
    totals : (n_col, N_FLUX) the kernel's totals (see ``twin.kernels.soil_richards.F_*``).
    h_final_m : (n_col, max_nodes) final heads.
    group_series_m3 : (n_t, n_group, N_GSER) runoff, drainage, evaporation and transpiration of
        each group of columns on each forcing interval, times the columns' weights (m3 for
        weights in m2), or None.
    top_mode : (n_col,) top-boundary state at the end (to continue a run).
    """

    times_s: np.ndarray
    h_m: np.ndarray | None
    theta: np.ndarray | None
    cumulative_m: np.ndarray
    totals: np.ndarray
    h_final_m: np.ndarray
    group_series_m3: np.ndarray | None = None
    top_mode: np.ndarray | None = None

    def _col(self, name: str) -> np.ndarray:
        from twin.kernels import soil_richards as R

        return self.totals[:, getattr(R, name)]

    @property
    def rain_m(self) -> np.ndarray:
        return self._col("F_RAIN")

    @property
    def infiltration_m(self) -> np.ndarray:
        return self._col("F_INFIL")

    @property
    def runoff_m(self) -> np.ndarray:
        return self._col("F_RUNOFF")

    @property
    def evaporation_m(self) -> np.ndarray:
        return self._col("F_EVAP")

    @property
    def drainage_m(self) -> np.ndarray:
        return self._col("F_DRAIN")

    @property
    def transpiration_m(self) -> np.ndarray:
        """Actual transpiration (root water uptake), m."""
        return self._col("F_TRANSP")

    @property
    def potential_transpiration_m(self) -> np.ndarray:
        return self._col("F_TRANSP_POT")

    @property
    def potential_evaporation_m(self) -> np.ndarray:
        return self._col("F_EVAP_POT")

    @property
    def capillary_rise_m(self) -> np.ndarray:
        """Upward flux through the bottom (from a water table), m (>= 0; part of ``-drainage``)."""
        return self._col("F_CAPRISE")

    @property
    def storage_change_m(self) -> np.ndarray:
        return self._col("F_STORAGE1") - self._col("F_STORAGE0")

    @property
    def balance_error_m(self) -> np.ndarray:
        """Storage change minus (infiltration - drainage - transpiration), per column, m."""
        return self.storage_change_m - (self.infiltration_m - self.drainage_m - self.transpiration_m)

    @property
    def relative_balance_error(self) -> np.ndarray:
        """``balance_error_m`` over the largest of |infiltration|, |drainage|, transpiration,
        |storage change|."""
        scale = np.maximum.reduce([np.abs(self.infiltration_m), np.abs(self.drainage_m), self.transpiration_m,
                                   np.abs(self.storage_change_m)])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(scale > 0, np.abs(self.balance_error_m) / scale, 0.0)

    @property
    def pond_m(self) -> np.ndarray:
        """Pond depth left on the surface at the end, m (part of the storage)."""
        return self._col("F_POND")

    @property
    def mismatch_m(self) -> np.ndarray:
        """Largest difference between conserved water and theta(h) after a step, m per column."""
        return self._col("F_MISMATCH")

    @property
    def failures(self) -> np.ndarray:
        return self._col("F_FAILS")


def build_tables(materials: Sequence[SoilMaterial]) -> tuple[np.ndarray, np.ndarray]:
    """Parameter rows and Hermite tables of ``materials`` for the kernel."""
    from twin.kernels import soil_hydraulics as H

    params = np.array([m.row() for m in materials], dtype=float)
    n_seg = H.TABLE_N_SEG if np.any(params[:, 8] > 0) else 1
    tables = np.zeros((len(materials), n_seg, H.TABLE_N_COEF))
    if n_seg > 1:
        H.build_tables(params, tables)
    return params, tables


def _check_finished(totals: np.ndarray, h: np.ndarray, nodes: np.ndarray, duration_s: float, budget: float) -> None:
    """Raise SimulationError for a column stopped on its step budget or with non-finite results."""
    from twin.kernels import soil_richards as R

    stopped = np.flatnonzero(totals[:, R.F_STOPPED_S] >= 0)
    if stopped.size:
        j = int(stopped[0])
        more = f" ({stopped.size} columns)" if stopped.size > 1 else ""
        raise SimulationError(
            f"the Richards solver stopped after {budget:.0f} step attempts at t = {totals[j, R.F_STOPPED_S]:.6g} s of {duration_s:.6g} s{more}: "
            "its step kept shrinking (check the soil parameters, the boundary heads and the solver tolerances; solver.max_steps raises the budget)",
            obj=f"column {j}",
            field="solver.max_steps",
        )
    rows = np.flatnonzero(~np.all(np.isfinite(totals), axis=1))
    if rows.size == 0:
        mask = np.arange(h.shape[1])[None, :] < nodes[:, None]
        rows = np.flatnonzero(~np.all(np.isfinite(h) | ~mask, axis=1))
    if rows.size:
        raise SimulationError(f"the Richards solver gave non-finite heads or fluxes ({rows.size} columns; an overflow)", obj=f"column {int(rows[0])}", field="h_m")


def run_richards(
    profiles: Sequence[Profile],
    materials: Sequence[SoilMaterial],
    column_profile: np.ndarray,
    h_initial_m: np.ndarray,
    forcing: Forcing,
    *,
    top: str | np.ndarray = "atmospheric",
    bottom: str | np.ndarray = "free_drainage",
    bottom_head_m: float | np.ndarray = 0.0,
    rain_factor: float | np.ndarray = 1.0,
    output_times_s: Sequence[float] | None = None,
    options: SolverOptions | None = None,
    store_profiles: bool = True,
    profile_dtype: type = np.float64,
    threads: int | None = None,
    column_set: np.ndarray | None = None,
    feddes: FeddesParameters | Sequence[FeddesParameters] | None = None,
    column_group: np.ndarray | None = None,
    column_weight: float | np.ndarray = 1.0,
    n_groups: int = 0,
    cumulative_dtype: type = np.float64,
    top_mode: np.ndarray | None = None,
) -> RichardsResult:
    """Integrate the Richards equation for many columns over the forcing period.

    Parameters
    ----------
    profiles
        Vertical grids; column ``j`` uses ``profiles[column_profile[j]]`` (with its roots and its
        depression storage, if any).
    materials
        Soil materials indexed by ``Profile.material``.
    column_profile
        (n_col,) profile index of each column.
    h_initial_m
        Initial head, m: a scalar, one value per column, or (n_col, max_nodes).
    forcing
        Rain, evaporation, transpiration and surface head series, and the vegetation sets.
    top, bottom
        Boundary kinds (``'atmospheric'``/``'head'``; ``'free_drainage'``/``'fixed_head'``/
        ``'zero_flux'``), for all columns or per column.
    bottom_head_m
        Head at a fixed-head bottom, m (0: a water table at the bottom node).
    rain_factor
        Run-on multiplier of the gross rain on each column (> 1 receives run-on from sealed
        surfaces: the column gets its set's throughfall plus ``(rain_factor - 1)`` times the rain).
    output_times_s
        Times of the stored profiles and cumulated fluxes (default: the end).
    options
        :class:`SolverOptions`.
    store_profiles
        Keep h and theta at the output times (large for city grids).
    profile_dtype
        dtype of the stored profiles (float32 halves the memory).
    threads
        Numba threads (``None`` all, ``-k`` all but k).
    column_set
        (n_col,) forcing set of each column (default 0).
    feddes
        Root water uptake parameters, one for all sets or one per set; needed when a profile has
        roots and its set a potential transpiration.
    column_group, column_weight, n_groups
        Group (0..n_groups-1, -1 for none) and weight (m2) of each column: the result's
        ``group_series_m3`` sums their fluxes per forcing interval.
    cumulative_dtype
        dtype of the cumulated fluxes at the output times (float32 for daily outputs of a city).
    top_mode
        (n_col,) top-boundary states to start from (the ``top_mode`` of a previous run).

    Returns
    -------
    RichardsResult

    Raises
    ------
    InputError
        Bad profiles, materials, heads, boundary kinds, sets or output times; roots and
        transpiration without Feddes parameters.
    ResourceLimitError
        More output times than :data:`~twin.soil.limits.MAX_OUTPUT_TIMES`, a duration beyond
        :data:`~twin.soil.limits.MAX_DURATION_S` or estimated work beyond
        :func:`~twin.soil.limits.max_node_steps` (checked before the kernel runs).
    SimulationError
        A column used up its step budget (:func:`~twin.soil.limits.step_budget`) or gave
        non-finite results.
    """
    import numba

    from twin.kernels import soil_richards as R
    from twin.kernels import soil_roots as RK
    from twin.kernels.config import set_threads

    options = options or SolverOptions()
    column_profile = np.asarray(column_profile, dtype=np.int64)
    n_col = len(column_profile)
    if n_col and (column_profile.min() < 0 or column_profile.max() >= len(profiles)):
        raise InputError("column profile index out of range", field="column_profile")
    max_nodes = max(p.n_nodes for p in profiles)
    prof_z = np.zeros((len(profiles), max_nodes))
    prof_mat = np.zeros((len(profiles), max_nodes), dtype=np.int64)
    prof_root = np.zeros((len(profiles), max_nodes))
    prof_n = np.array([p.n_nodes for p in profiles], dtype=np.int64)
    prof_h_surf = np.array([options.h_surface_m if p.h_surface_m is None else p.h_surface_m for p in profiles], dtype=float)
    for i, p in enumerate(profiles):
        if p.material.min() < 0 or p.material.max() >= len(materials):
            raise InputError("material index out of range", obj=f"profile {i}", field="material")
        prof_z[i, : p.n_nodes] = p.z_m
        prof_z[i, p.n_nodes :] = p.z_m[-1]
        prof_mat[i, : p.n_nodes] = p.material
        if p.root_density_per_m is not None:
            prof_root[i, : p.n_nodes] = p.root_density_per_m
    params, tables = build_tables(materials)
    if not options.tables:
        params[:, 8] = 0.0

    h0 = np.asarray(h_initial_m, dtype=float)
    if h0.ndim == 0:
        h = np.full((n_col, max_nodes), float(h0))
    elif h0.ndim == 1:
        if len(h0) != n_col:
            raise InputError("one initial head per column expected", field="h_initial_m")
        h = np.repeat(h0[:, None], max_nodes, axis=1)
    else:
        if h0.shape != (n_col, max_nodes):
            raise InputError(f"initial heads must have shape {(n_col, max_nodes)}", field="h_initial_m")
        h = h0.copy()
    if not np.all(np.isfinite(h)):
        raise InputError("non-finite initial head", field="h_initial_m")

    def per_col(value, kinds: dict[str, int] | None, name: str, dtype) -> np.ndarray:
        if isinstance(value, str):
            if kinds is None or value not in kinds:
                raise InputError(f"unknown kind {value!r}; use one of {', '.join(kinds or {})}", field=name)
            return np.full(n_col, kinds[value], dtype=dtype)
        arr = np.asarray(value)
        if arr.dtype.kind in "US":
            bad = [v for v in np.unique(arr) if v not in (kinds or {})]
            if bad:
                raise InputError(f"unknown kind {bad[0]!r}", field=name)
            arr = np.array([kinds[v] for v in arr])
        arr = np.broadcast_to(arr.astype(dtype), (n_col,)).copy()
        return arr

    col_top = per_col(top, TOP_KINDS, "top", np.int64)
    col_bot = per_col(bottom, BOTTOM_KINDS, "bottom", np.int64)
    col_bot_head = per_col(bottom_head_m, None, "bottom_head_m", np.float64)
    col_rain = per_col(rain_factor, None, "rain_factor", np.float64)
    if np.any(col_rain < 0) or not np.all(np.isfinite(col_rain)):
        raise InputError("rain factors must be finite and non-negative", field="rain_factor")
    n_sets = forcing.n_sets
    col_set = per_col(0 if column_set is None else column_set, None, "column_set", np.int64)
    if n_col and (col_set.min() < 0 or col_set.max() >= n_sets):
        raise InputError(f"forcing set index out of range (the forcing has {n_sets})", field="column_set")
    set_rain, set_evap, set_transp = forcing.set_arrays()
    if feddes is None:
        has_roots = prof_root[column_profile].any(axis=1) if n_col else np.zeros(0, bool)
        demand = set_transp.max(axis=1) > 0
        if np.any(has_roots & demand[col_set]):
            raise InputError("columns with roots under a potential transpiration need Feddes parameters", field="feddes")
        set_feddes = np.tile(FeddesParameters().row(), (n_sets, 1))
    elif isinstance(feddes, FeddesParameters):
        set_feddes = np.tile(feddes.row(), (n_sets, 1))
    else:
        if len(feddes) != n_sets:
            raise InputError(f"one set of Feddes parameters per forcing set expected ({n_sets}), got {len(feddes)}", field="feddes")
        set_feddes = np.array([f.row() for f in feddes]).reshape(n_sets, RK.N_FEDDES)
    col_group = per_col(-1 if column_group is None else column_group, None, "column_group", np.int64)
    if n_col and (col_group.max() >= n_groups or col_group.min() < -1):
        raise InputError(f"column group out of range (n_groups = {n_groups})", field="column_group")
    col_weight = per_col(column_weight, None, "column_weight", np.float64)
    if not np.all(np.isfinite(col_weight)):
        raise InputError("column weights must be finite", field="column_weight")

    t_edges = forcing.t_edges_s
    times = np.array([t_edges[-1]] if output_times_s is None else sorted(output_times_s), dtype=float)
    if len(times) > MAX_OUTPUT_TIMES:
        raise ResourceLimitError(f"{len(times):,} output times, above the limit of {MAX_OUTPUT_TIMES:,}", field="output_times_s")
    if not np.all(np.isfinite(times)):
        raise InputError("output times must be finite", field="output_times_s")
    if len(times) and (times[0] < t_edges[0] - 1e-9 or times[-1] > t_edges[-1] + 1e-9):
        raise InputError("output times must lie within the forcing period", field="output_times_s")
    n_out = len(times)
    n_t = len(t_edges) - 1
    total_nodes = int(prof_n[column_profile].sum()) if n_col else 0
    steps_lb = check_work(total_nodes, forcing.duration_s, options.dt_max_s, n_t, n_out)
    opts = options.to_array()
    opts[R.O_MAX_STEPS] = float(options.max_steps) if options.max_steps is not None else step_budget(steps_lb)
    shape = (n_out if store_profiles else 0, n_col, max_nodes)
    out_h = np.zeros(shape, dtype=profile_dtype)
    out_theta = np.zeros(shape, dtype=profile_dtype)
    out_cum = np.zeros((n_out, n_col, R.N_CUM), dtype=cumulative_dtype)
    totals = np.zeros((n_col, R.N_FLUX))
    mode = np.zeros(n_col, dtype=np.int64) if top_mode is None else np.asarray(top_mode, dtype=np.int64).copy()
    if mode.shape != (n_col,):
        raise InputError("one top-boundary state per column expected", field="top_mode")
    group_out = np.zeros((n_t if n_groups else 0, n_groups, R.N_GSER))  # the kernel adds its task buffers into it in order
    if threads is not None:
        set_threads(threads)
    if n_col:
        # dynamic scheduling: threads take one chunk of columns at a time (a column's cost varies
        # by orders of magnitude with its soil, wetness and run-on; equal static shares of a
        # spatially ordered grid leave a thread idle)
        with numba.parallel_chunksize(1):
            R.richards_columns(
                R.Profiles(prof_z, prof_n, prof_mat, prof_root, prof_h_surf), params, tables,
                R.Columns(column_profile, col_top, col_bot, col_bot_head, col_rain, col_set, col_group, col_weight),
                R.Forcings(t_edges, forcing.rain_m_s, set_rain, set_evap, set_transp, set_feddes, forcing.top_head_m),
                times, opts, R.Outputs(h, mode, out_h, out_theta, out_cum, totals, group_out), int(options.chunk),
            )
    _check_finished(totals, h, prof_n[column_profile], forcing.duration_s, opts[R.O_MAX_STEPS])
    h_prof = theta_prof = None
    if store_profiles:
        h_prof, theta_prof = out_h, out_theta
        for i, p in enumerate(profiles):
            cols = column_profile == i
            if p.n_nodes < max_nodes and cols.any():
                h_prof[:, cols, p.n_nodes :] = np.nan
                theta_prof[:, cols, p.n_nodes :] = np.nan
    series = group_out if n_groups else None
    return RichardsResult(times, h_prof, theta_prof, out_cum, totals, h, series, mode)
