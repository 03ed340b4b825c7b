"""District run: rain on a soil grid, per-cell water balance, moisture theta(x, y, z, t).

:func:`run_district` takes a :class:`~twin.soil.grid.SoilGrid` and a rain series, runs every
column through the Richards kernel in parallel and adds the sealed surfaces:

* sealed surfaces shed the rain that falls on them; a share (``runoff_to_neighbours``) runs on to
  the open ground nearby (it raises those columns' rain), the rest is runoff to the sewer;
* a ground or paving column's runoff (rain it could not take) is runoff too;
* a green roof's runoff and its drainage go to the gutter, so both count as runoff.

Per cell (m3): ``rain`` (on the whole cell), ``runon`` (net lateral inflow of shed water:
received minus sent), ``runoff``, ``infiltration`` (net flux into the soil of ground and paving
columns), ``evaporation``, ``drainage`` (below the ground and paving columns), ``storage_change``
(soil water and ponds of every column, green roofs included) and ``balance_error`` =
rain + runon - runoff - evaporation - drainage - storage_change. Summed over the district the
run-on cancels and the balance closes to the kernel's round-off.

Identical columns
-----------------
Columns do not exchange water with each other (run-on is a rain factor fixed by the grid), and
every column starts from the same head. Two columns with the same profile and the same rain
factor therefore have the same solution. With ``unique_columns=True`` the kernel integrates
each distinct (profile, rain factor) pair once and the result is copied to every column that
shares it: the answer is the same, the cost is that of the distinct columns (a district without
run-on has a handful: ground, paving and green roof per texture).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import InputError
from twin.soil.grid import KIND_GREEN_ROOF, KIND_GROUND, SoilGrid
from twin.soil.rain import RainSeries
from twin.soil.solver import Forcing, RichardsResult, SolverOptions, run_richards

CELL_VARIABLES = ("rain", "runon", "runoff", "infiltration", "evaporation", "drainage", "storage_change", "balance_error")


@dataclass
class DistrictResult:
    """Per-cell water balance (m3, (ny, nx) arrays) and moisture of the ground columns.

    Attributes
    ----------
    grid : the :class:`SoilGrid`.
    cells : dict of (ny, nx) arrays, keys :data:`CELL_VARIABLES` (m3).
    times_s : (n_out,) output times of the moisture profiles, s from the start of the rain.
    start : time-zone-aware timestamp of ``times_s == 0`` when known.
    theta : (n_out, n_z, ny, nx) water content of the ground columns (NaN where a cell has none).
    z_m : (n_z,) node depths of the ground profile.
    columns : the kernel's :class:`RichardsResult` (one row per soil column of the grid).
    n_integrated : number of columns the kernel integrated (fewer than the grid's columns with
        ``unique_columns=True``).
    """

    grid: SoilGrid
    cells: dict[str, np.ndarray]
    times_s: np.ndarray
    start: object
    theta: np.ndarray | None
    z_m: np.ndarray
    columns: RichardsResult
    n_integrated: int

    def totals_m3(self) -> dict[str, float]:
        """District totals (m3) of every cell variable."""
        return {k: float(np.nansum(v)) for k, v in self.cells.items()}

    def relative_balance_error(self) -> float:
        """|total balance error| over the total rain."""
        t = self.totals_m3()
        return abs(t["balance_error"]) / t["rain"] if t["rain"] > 0 else abs(t["balance_error"])

    def to_xarray(self):
        """An ``xarray.Dataset``: per-cell variables on (y, x), ``theta`` on (time, z, y, x)."""
        import xarray as xr

        g = self.grid
        data = {f"{k}_m3": (("y", "x"), v) for k, v in self.cells.items()}
        for name in ("roof", "green_roof", "sealed", "paving", "ground"):
            data[f"{name}_fraction"] = (("y", "x"), getattr(g, name))
        coords = {"x": g.x, "y": g.y}
        if self.theta is not None:
            data["theta"] = (("time", "z", "y", "x"), self.theta)
            coords["time"] = self.times_s
            coords["z"] = self.z_m
        ds = xr.Dataset(data, coords=coords)
        ds["x"].attrs["units"] = "m"
        ds["y"].attrs["units"] = "m"
        if "z" in ds:
            ds["z"].attrs.update(units="m", positive="down")
            ds["time"].attrs["units"] = "s since start" if self.start is None else f"s since {self.start.isoformat()}"
        ds.attrs.update(crs=str(g.crs.to_string() if hasattr(g.crs, "to_string") else g.crs), cell_size_m=g.cell_size_m)
        return ds

    def to_geodataframe(self):
        """One row per cell with its water balance (m3) and cover fractions, cell squares as geometry."""
        import geopandas as gpd
        import shapely

        g = self.grid
        gx, gy = np.meshgrid(g.x, g.y)
        half = g.cell_size_m / 2
        cols = {f"{k}_m3": v.ravel() for k, v in self.cells.items()}
        for name in ("roof", "green_roof", "sealed", "paving", "ground"):
            cols[f"{name}_fraction"] = getattr(g, name).ravel()
        geom = shapely.box(gx.ravel() - half, gy.ravel() - half, gx.ravel() + half, gy.ravel() + half)
        return gpd.GeoDataFrame(cols, geometry=geom, crs=g.crs)


def run_district(
    grid: SoilGrid,
    rain: RainSeries,
    *,
    duration_s: float | None = None,
    evaporation_m_s: float = 0.0,
    output_times_s=None,
    options: SolverOptions | None = None,
    store_profiles: bool = True,
    threads: int | None = None,
    unique_columns: bool = False,
) -> DistrictResult:
    """Run the grid's columns under ``rain`` and assemble the per-cell water balance.

    Parameters
    ----------
    grid
        From :func:`twin.soil.grid.build_grid`.
    rain
        :class:`RainSeries` (weather file or design storm).
    duration_s
        Simulated period, s (default: the rain series; longer adds a dry spell).
    evaporation_m_s
        Constant potential evaporation of the columns, m/s.
    output_times_s
        Times of the stored moisture profiles (default: the end).
    options
        :class:`SolverOptions`.
    store_profiles
        Keep theta(x, y, z, t) (float32) of the ground columns.
    threads
        Numba threads (``None`` all).
    unique_columns
        Integrate each distinct (profile, rain factor) column once and copy its result to the
        columns that share it (exact; see the module docstring).
    """
    if not (np.isfinite(evaporation_m_s) and evaporation_m_s >= 0):
        raise InputError("potential evaporation must be >= 0", field="evaporation_m_s")
    series = rain.extended(duration_s) if duration_s is not None else rain
    if duration_s is not None and series.t_edges_s[-1] > duration_s + 1e-9:
        keep = series.t_edges_s < duration_s - 1e-9
        edges = np.append(series.t_edges_s[keep], duration_s)
        series = RainSeries(edges, series.rain_m_s[: len(edges) - 1], series.start, series.source)
    forcing = Forcing(series.t_edges_s, series.rain_m_s, np.full(len(series.rain_m_s), evaporation_m_s))
    times = np.array([series.t_edges_s[-1]] if output_times_s is None else output_times_s, dtype=float)
    opts = options or SolverOptions()
    h0 = grid.options.initial_head_m if grid.options is not None else -1.0
    col_profile, col_factor, inverse = grid.col_profile, grid.col_rain_factor, None
    if unique_columns and np.ndim(h0) == 0 and len(col_profile):
        keys = np.column_stack([col_profile.astype(float), col_factor])
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        col_profile, col_factor, inverse = col_profile[first], col_factor[first], np.asarray(inverse).reshape(-1)
    res = run_richards(
        grid.profiles, grid.materials, col_profile, h0, forcing, rain_factor=col_factor,
        output_times_s=times, options=opts, store_profiles=store_profiles, profile_dtype=np.float32, threads=threads,
    )
    n_integrated = len(col_profile)
    distinct_theta, col_of = res.theta, None  # the profiles the cells' theta is read from, and their row per column
    if inverse is not None:
        col_of = inverse
        res = _expand(res, inverse)
    ny, nx = grid.shape
    n = ny * nx
    area = grid.cell_area_m2
    depth = series.depth_mm / 1000.0
    cells = {k: np.zeros(n) for k in CELL_VARIABLES}
    cells["rain"][:] = depth * area
    shed = grid.shed.ravel() * area * depth
    sent = shed * grid.runon_out_share.ravel()
    received = grid.runon_in_m3_per_m.ravel() * depth
    cells["runon"][:] = received - sent
    cells["runoff"][:] = shed - sent
    a = grid.col_area_m2
    kind = grid.col_kind
    c = grid.col_cell
    soil = kind != KIND_GREEN_ROOF
    green = kind == KIND_GREEN_ROOF
    np.add.at(cells["runoff"], c, res.runoff_m * a)
    np.add.at(cells["runoff"], c[green], res.drainage_m[green] * a[green])
    np.add.at(cells["infiltration"], c[soil], res.infiltration_m[soil] * a[soil])
    np.add.at(cells["evaporation"], c, res.evaporation_m * a)
    np.add.at(cells["drainage"], c[soil], res.drainage_m[soil] * a[soil])
    np.add.at(cells["storage_change"], c, res.storage_change_m * a)
    cells["balance_error"] = (
        cells["rain"] + cells["runon"] - cells["runoff"] - cells["evaporation"] - cells["drainage"] - cells["storage_change"]
    )
    cells = {k: v.reshape(ny, nx) for k, v in cells.items()}
    theta = None
    ground = np.flatnonzero(kind == KIND_GROUND)
    prof_ids = np.unique(grid.col_profile[ground]) if len(ground) else np.array([], dtype=int)
    z = grid.profiles[int(prof_ids[0])].z_m if len(prof_ids) else np.zeros(0)
    if store_profiles and len(ground):
        nz = len(z)
        theta = np.full((len(times), nz, n), np.nan, dtype=np.float32)
        rows = ground if col_of is None else col_of[ground]
        theta[:, :, c[ground]] = np.transpose(distinct_theta[:, rows, :nz], (0, 2, 1))
        theta = theta.reshape(len(times), nz, ny, nx)
    return DistrictResult(grid, cells, times, series.start, theta, z, res, n_integrated)


def _expand(res: RichardsResult, inverse: np.ndarray) -> RichardsResult:
    """The result of the distinct columns copied to every column (``inverse``: column -> distinct).

    The fluxes are copied at once; the per-node arrays (``h_m``, ``theta``, ``h_final_m``: the
    bulk of the copy) when first read (:class:`_SharedColumns`): a storm run reads only the
    cells' moisture, which :func:`run_district` takes from the distinct columns.
    """
    out = _SharedColumns.__new__(_SharedColumns)
    out.__dict__.update(times_s=res.times_s, cumulative_m=res.cumulative_m[:, inverse], totals=res.totals[inverse],
                        group_series_m3=res.group_series_m3, top_mode=res.top_mode, _inverse=inverse,
                        _distinct={"h_m": res.h_m, "theta": res.theta, "h_final_m": res.h_final_m})  # fmt: skip
    return out


def _copied_per_column(name: str, axis: int) -> property:
    """A :class:`_SharedColumns` attribute: the distinct columns' ``name`` copied along ``axis``
    to every column on first read (then kept); a value set is kept as it is."""

    def get(self):
        d = self.__dict__
        if name not in d:
            src = d["_distinct"][name]
            d[name] = None if src is None else np.take(src, d["_inverse"], axis=axis)
        return d[name]

    def set(self, value) -> None:
        self.__dict__[name] = value

    return property(get, set, doc=f"``{name}`` of every column (copied from the distinct columns when first read).")


class _SharedColumns(RichardsResult):
    """A :class:`RichardsResult` of every column built from the distinct columns' (:func:`_expand`):
    the per-node arrays are copied to every column when first read, equal to an eager copy."""

    h_m = _copied_per_column("h_m", 1)
    theta = _copied_per_column("theta", 1)
    h_final_m = _copied_per_column("h_final_m", 0)
