"""District option: a 3-D block where a what-if needs lateral flow, 1-D columns elsewhere.

:func:`run_district_with_block` runs the district's 1-D columns (:func:`twin.soil.district.run_district`)
and, over a rectangle of grid cells (``region``, scene CRS), a 3-D Richards block
(:func:`twin.soil.block3d.run_block`) that replaces the columns of those cells, so that water
infiltrating a de-sealed square can spread under the sealed streets around it.

Exchange between the block and the columns
------------------------------------------
* Top: a grid cell's soil (open ground and permeable paving, share ``s`` of the cell) is the
  first ``round(s sub^2)`` of its ``sub x sub`` block columns in raster order (at least one where
  it has soil); they receive the water its 1-D soil columns receive, ``rain x sum(column area x
  rain factor)``, at the same intensity (the volume is kept exactly), as rain faces that flood at
  the block's pond head and run off above it (no pond storage, unlike the 1-D columns'
  depression storage). The other block columns (roofs, sealed surfaces) have a closed top: their
  soil only takes water laterally. With ``sub = 1`` a partly sealed cell's water is spread over
  the whole cell at a lower intensity (less infiltration-excess runoff than in 1-D).
* Lateral sides: the head of the 1-D ground column of the neighbouring cell outside the block,
  interpolated to each layer's centre depth at the end of every hour, held through the next
  hour (Dirichlet faces); where the neighbour has no ground column, or the block touches the
  edge of the grid, the face is closed. The coupling is one way: the water crossing the sides
  (``exchange_m3``, positive into the block) is reported, not taken from or given back to the
  1-D columns. Choose a region with a margin of unchanged cells around the what-if so that this
  exchange stays small against the infiltration (it is reported in the notes).
* Bottom: free drainage, as the 1-D columns; the block is as deep as the grid's soil profile.
* Soil: each cell's texture (with the grid's air-entry head) throughout the depth (a paving
  column's base layer is not layered in the block).
* Initial state: the grid's uniform initial head.

Results per block cell: infiltration (top inflow), storage change, drainage and runoff, m3;
the rain water gained under cells with a closed top (lateral redistribution under sealed
surfaces: storage change minus that of the same block run without rain and with closed sides);
the 1-D district's values for the same cells, for comparison (in 1-D the soil under a sealed
cell gains nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import InputError
from twin.soil.grid import KIND_GREEN_ROOF, KIND_GROUND, SoilGrid

MAX_REGION_CELLS = 1_000_000
"""Grid cells of a block region (the 3-D block has ``cells x sub^2 x layers`` cells, limited by
:data:`twin.soil.block3d.MAX_CELLS`)."""


@dataclass
class MixedResult:
    """Result of :func:`run_district_with_block`.

    Attributes
    ----------
    district : the 1-D :class:`~twin.soil.district.DistrictResult` of the whole grid.
    cells : (j0, j1, i0, i1) grid rows and columns of the block (inclusive).
    infiltration_m3, storage_change_m3, drainage_m3, runoff_m3 : (ny_b, nx_b) per grid cell of
        the block (sums over its block columns).
    sealed_top : (ny_b, nx_b) cells with a closed top.
    rain_gain_m3 : (ny_b, nx_b) storage change minus that of the same block without rain and
        with closed sides (the initial state's own drainage taken out), m3.
    exchange_m3 : water into the block through its lateral sides (one-way coupling).
    recharge_m3 : water that left the block through its bottom (free drainage), m3.
    cell_area_m2 : area of one grid cell, m2.
    balance_error_rel : |storage change - (top + sides + bottom inflow)| / top inflow of the block.
    notes : lines describing the run.
    """

    district: object
    cells: tuple[int, int, int, int]
    infiltration_m3: np.ndarray
    storage_change_m3: np.ndarray
    drainage_m3: np.ndarray
    runoff_m3: np.ndarray
    sealed_top: np.ndarray
    rain_gain_m3: np.ndarray
    exchange_m3: float
    balance_error_rel: float
    notes: list[str]
    recharge_m3: float = 0.0
    cell_area_m2: float = 0.0

    @property
    def gain_under_sealed_m3(self) -> float:
        """Rain water stored under closed-top cells at the end (lateral redistribution; the
        initial state's own drainage taken out), m3."""
        return float(self.rain_gain_m3[self.sealed_top].sum())

    def district_1d(self, name: str) -> np.ndarray:
        """The 1-D district's ``name`` (a :data:`twin.soil.district.CELL_VARIABLES` key) on the
        block's cells."""
        j0, j1, i0, i1 = self.cells
        return self.district.cells[name][j0:j1 + 1, i0:i1 + 1]


def _region_cells(grid: SoilGrid, region) -> tuple[int, int, int, int]:
    xmin, ymin, xmax, ymax = (float(v) for v in region)
    if not all(np.isfinite([xmin, ymin, xmax, ymax])) or xmin >= xmax or ymin >= ymax:
        raise InputError("the block region must be (xmin, ymin, xmax, ymax) with xmin < xmax and ymin < ymax", field="region")
    ix = np.flatnonzero((grid.x >= xmin) & (grid.x <= xmax))
    iy = np.flatnonzero((grid.y >= ymin) & (grid.y <= ymax))
    if ix.size == 0 or iy.size == 0:
        raise InputError("the block region holds no cell centre of the soil grid", field="region")
    if ix.size * iy.size > MAX_REGION_CELLS:
        raise InputError(f"the block region holds {ix.size * iy.size:,} grid cells, above the limit of {MAX_REGION_CELLS:,}",
                         field="region")
    return int(iy[0]), int(iy[-1]), int(ix[0]), int(ix[-1])


def run_district_with_block(
    grid: SoilGrid,
    rain,
    region,
    *,
    duration_s: float | None = None,
    dz_m: float = 0.05,
    sub: int = 1,
    block_options=None,
    threads: int | None = None,
    dt_restart_s: float | None = None,
) -> MixedResult:
    """Run ``grid`` under ``rain`` with 1-D columns and a 3-D block over ``region``.

    Parameters
    ----------
    grid
        From :func:`twin.soil.grid.build_grid` (no run-on is also fine).
    rain
        :class:`~twin.soil.rain.RainSeries`.
    region
        ``(xmin, ymin, xmax, ymax)`` in the grid's CRS: the grid cells whose centres lie inside
        form the block.
    duration_s
        Simulated period (default: the rain series).
    dz_m, sub
        Layer thickness of the block, m, and block columns per grid cell along x and y.
    block_options
        :class:`~twin.soil.block3d.BlockOptions`.
    dt_restart_s
        First step of an hourly interval whose rain is that of the previous interval, s (the
        block restarts at every hour to take the new lateral heads); default: the first step of
        ``block_options`` in every interval. A larger value saves the re-growth of the step
        after each restart (the water balance stays exact; the step control still shrinks it
        where needed).

    Raises
    ------
    InputError
        A region outside the grid, bad ``dz_m`` or ``sub``; the block's own checks (cell limit).
    """
    from twin.soil.block3d import Block, BlockOptions, Side, run_block
    from twin.soil.district import run_district
    from twin.soil.hydraulics import _norm, texture_material

    if not (np.isfinite(dz_m) and 0.001 <= dz_m <= 1.0):
        raise InputError(f"block layer thickness must lie in [0.001, 1] m, got {dz_m!r}", field="dz_m")
    if not (isinstance(sub, int) and 1 <= sub <= 100):
        raise InputError(f"block columns per grid cell must be a whole number in [1, 100], got {sub!r}", field="sub")
    j0, j1, i0, i1 = _region_cells(grid, region)
    from twin.errors import ResourceLimitError
    from twin.soil.block3d import MAX_CELLS

    depth0 = float(grid.options.depth_m) if grid.options is not None else 1.0
    n_block = (j1 - j0 + 1) * (i1 - i0 + 1) * sub * sub * max(1, int(round(depth0 / dz_m)))
    if n_block > MAX_CELLS:
        raise ResourceLimitError(f"the block would have {n_block:,} cells, above the limit of {MAX_CELLS:,}: use a smaller region, "
                                 "fewer columns per grid cell (sub) or thicker layers (dz_m)", field="region")
    series = rain.extended(duration_s) if duration_s is not None else rain
    t_end = float(series.t_edges_s[-1] if duration_s is None else duration_s)
    hours = np.unique(np.concatenate([np.arange(0.0, t_end, 3600.0), [t_end],
                                      series.t_edges_s[(series.t_edges_s > 0) & (series.t_edges_s < t_end)]]))
    district = run_district(grid, rain, duration_s=duration_s, output_times_s=hours[1:], threads=threads)
    res1 = district.columns
    ny, nx = grid.shape
    opts = grid.options
    depth = float(opts.depth_m) if opts is not None else 1.0
    nz = max(1, int(round(depth / dz_m)))
    dz = depth / nz
    zc = (np.arange(nz) + 0.5) * dz  # layer centres
    # water delivered to the soil of each cell, per m of rain (m3 per m): sum of column area x factor
    soil_col = grid.col_kind != KIND_GREEN_ROOF
    deliver = np.zeros(ny * nx)
    np.add.at(deliver, grid.col_cell[soil_col], grid.col_area_m2[soil_col] * grid.col_rain_factor[soil_col])
    deliver = deliver.reshape(ny, nx) / grid.cell_area_m2
    # the ground column of each cell (for the lateral heads)
    ground_col = np.full(ny * nx, -1)
    g = np.flatnonzero(grid.col_kind == KIND_GROUND)
    ground_col[grid.col_cell[g]] = g
    ground_col = ground_col.reshape(ny, nx)
    # materials: each cell's texture with the grid's air-entry head
    tex = grid.texture[j0:j1 + 1, i0:i1 + 1]
    names = sorted(set(tex.ravel().tolist()))
    air = float(opts.air_entry_m) if opts is not None else -0.02
    # the grid's own materials (so a grid with sampled hydraulics runs a block with the same)
    by_name = {_norm(m.name): m for m in grid.materials}
    materials = [by_name.get(_norm(n)) or texture_material(n).with_air_entry(air) for n in names]
    mat_cell = np.searchsorted(np.array(names), tex)
    mat = np.repeat(np.repeat(mat_cell, sub, axis=0), sub, axis=1)
    nyb, nxb = mat.shape
    material = np.broadcast_to(mat, (nz, nyb, nxb)).copy()
    size = grid.cell_size_m / sub
    # the soil (open ground and paving) of a grid cell is its first round(share x sub^2) block
    # columns in raster order (at least one where the cell has soil), which take the cell's
    # soil water at the 1-D intensity (volume kept exactly); the rest of the cell is a closed top
    soil_area = np.zeros(ny * nx)
    np.add.at(soil_area, grid.col_cell[soil_col], grid.col_area_m2[soil_col])
    soil_share = soil_area.reshape(ny, nx)[j0:j1 + 1, i0:i1 + 1] / grid.cell_area_m2
    d_reg = deliver[j0:j1 + 1, i0:i1 + 1]
    n_open = np.where(d_reg > 0, np.clip(np.rint(soil_share * sub * sub), 1, sub * sub), 0).astype(int)
    rank = np.arange(sub * sub).reshape(sub, sub)
    rank_b = np.tile(rank, (j1 - j0 + 1, i1 - i0 + 1))
    n_open_b = np.repeat(np.repeat(n_open, sub, axis=0), sub, axis=1)
    d_b = np.repeat(np.repeat(d_reg, sub, axis=0), sub, axis=1)
    closed_top = rank_b >= n_open_b
    rain_factor = np.where(closed_top, 0.0, d_b * sub * sub / np.maximum(n_open_b, 1))

    def neighbour_heads(o: int, jj: np.ndarray, ii: np.ndarray) -> np.ndarray:
        """(nz, len) heads of the ground columns at (jj, ii) after output ``o`` (NaN: closed)."""
        out = np.full((nz, len(jj)), np.nan)
        for n, (j, i) in enumerate(zip(jj, ii)):
            if not (0 <= j < ny and 0 <= i < nx):
                continue
            c = ground_col[j, i]
            if c < 0:
                continue
            z = grid.profiles[grid.col_profile[c]].z_m
            out[:, n] = np.interp(zc, z, res1.h_m[o, c, :len(z)].astype(float))
        return out

    rows = np.arange(j0, j1 + 1)
    cols = np.arange(i0, i1 + 1)

    def rep(a: np.ndarray) -> np.ndarray:  # one value per grid cell -> per block column along the side
        return np.repeat(a, sub, axis=1)

    h0 = float(opts.initial_head_m) if opts is not None else -1.0
    state = None
    bopts = block_options or BlockOptions()
    totals = {"exchange": 0.0, "top": 0.0, "bottom": 0.0, "runoff": 0.0}
    top_in = np.zeros((nyb, nxb))
    runoff = np.zeros((nyb, nxb))
    storage0 = None
    rain_edges, rain_rate = series.t_edges_s, series.rain_m_s
    if dt_restart_s is not None and not (np.isfinite(dt_restart_s) and bopts.dt_min_s <= dt_restart_s <= bopts.dt_max_s):
        raise InputError(f"dt_restart_s must lie between the block's dt_min_s and dt_max_s, got {dt_restart_s!r}", field="dt_restart_s")
    bopts_cont = bopts if dt_restart_s is None else bopts.model_copy(update={"dt_initial_s": float(dt_restart_s)})
    r_prev = None
    for k in range(len(hours) - 1):
        t0, t1 = float(hours[k]), float(hours[k + 1])
        r = float(rain_rate[min(np.searchsorted(rain_edges, t0, side="right") - 1, len(rain_rate) - 1)]) if t0 < rain_edges[-1] else 0.0
        step_opts = bopts_cont if r == r_prev else bopts
        r_prev = r
        # heads of the neighbours at the start of this interval (the initial head for the first)
        if k == 0:
            heads = {s: None for s in ("x_min", "x_max", "y_min", "y_max")}
        else:
            heads = {
                "x_min": neighbour_heads(k - 1, rows, np.full(len(rows), i0 - 1)),
                "x_max": neighbour_heads(k - 1, rows, np.full(len(rows), i1 + 1)),
                "y_min": neighbour_heads(k - 1, np.full(len(cols), j0 - 1), cols),
                "y_max": neighbour_heads(k - 1, np.full(len(cols), j1 + 1), cols),
            }
        sides = {"bottom": Side("free_drainage")}
        if r > 0:
            top = np.where(closed_top, np.nan, r * rain_factor)
            sides["top"] = Side("rain", top)
        for s, h in heads.items():
            if k == 0:
                first = {"x_min": (rows, i0 - 1), "x_max": (rows, i1 + 1), "y_min": (j0 - 1, cols), "y_max": (j1 + 1, cols)}[s]
                jj, ii = np.broadcast_arrays(*first)
                ok = np.array([0 <= j < ny and 0 <= i < nx and ground_col[j, i] >= 0 for j, i in zip(jj, ii)])
                h = np.where(ok[None, :], h0, np.nan) * np.ones((nz, 1))
            if np.any(np.isfinite(h)):
                sides[s] = Side("head", rep(h))
        block = Block(nx=nxb, ny=nyb, nz=nz, dx_m=size, dy_m=size, dz_m=dz, materials=materials, material=material, sides=sides)
        res = run_block(block, h0 if state is None else state, [t1], t_start_s=t0, options=step_opts, keep_fields=False)
        if storage0 is None:
            storage0 = res.totals["storage_start_m3"]
        state = res.state
        tot = res.totals
        totals["exchange"] += sum(tot[f"inflow_{s}_m3"] for s in ("x_min", "x_max", "y_min", "y_max"))
        totals["top"] += tot["inflow_top_m3"]
        totals["bottom"] += tot["inflow_bottom_m3"]
        totals["runoff"] += tot["runoff_m3"]
        if r > 0:
            supplied = r * rain_factor * size * size * (t1 - t0)
            # per-column split of the hour's top inflow: the runoff falls where the top flooded;
            # spread it over the open columns in proportion to their supply (a report detail)
            share = np.where(closed_top, 0.0, supplied)
            frac = share / share.sum() if share.sum() > 0 else share
            top_in += frac * tot["inflow_top_m3"]
            runoff += frac * tot["runoff_m3"]
    # the initial water content as the kernel computes it (the same tables as the block's start)
    from twin.kernels import richards3d as K3
    from twin.soil.block3d import build_tables

    params, tables = build_tables(materials)
    theta0 = np.empty(material.size)
    K3.water_contents(np.full(material.size, h0), np.ascontiguousarray(material.reshape(-1), dtype=np.int64), params, tables, theta0)
    theta0 = theta0.reshape(nz, nyb, nxb)
    theta1 = state.theta.reshape(nz, nyb, nxb)
    store_col = ((theta1 - theta0) * dz).sum(axis=0) * size * size
    # the same block without rain and with closed sides: what the initial state drains on its own
    dry = run_block(Block(nx=nxb, ny=nyb, nz=nz, dx_m=size, dy_m=size, dz_m=dz, materials=materials, material=material,
                          sides={"bottom": Side("free_drainage")}), h0, [t_end], options=bopts, keep_fields=False)
    store_dry = ((dry.state.theta.reshape(nz, nyb, nxb) - theta0) * dz).sum(axis=0) * size * size
    drain_col = top_in - store_col  # per column: what came in at the top and did not stay (drainage + lateral)

    def per_cell(a: np.ndarray) -> np.ndarray:
        return a.reshape(nyb // sub, sub, nxb // sub, sub).sum(axis=(1, 3))

    storage1 = float(np.sum(theta1 * dz) * size * size)
    inflow = totals["top"] + totals["exchange"] + totals["bottom"]
    err = abs((storage1 - storage0) - inflow) / max(abs(totals["top"]), 1e-12)
    sealed = per_cell(closed_top.astype(float)) >= sub * sub
    out = MixedResult(
        district=district, cells=(j0, j1, i0, i1), infiltration_m3=per_cell(top_in), storage_change_m3=per_cell(store_col),
        drainage_m3=per_cell(drain_col), runoff_m3=per_cell(runoff), sealed_top=sealed,
        rain_gain_m3=per_cell(store_col - store_dry), exchange_m3=float(totals["exchange"]),
        balance_error_rel=float(err), notes=[], recharge_m3=float(-totals["bottom"]), cell_area_m2=float(grid.cell_area_m2),
    )
    out.notes.append(
        f"3-D block over grid cells rows {j0}-{j1}, columns {i0}-{i1} ({nxb} x {nyb} x {nz} = {nxb * nyb * nz:,} cells of "
        f"{size:g} m x {size:g} m x {dz:g} m), hourly lateral heads from the 1-D ground columns around it (one-way); "
        f"top inflow {totals['top']:.2f} m3, lateral exchange {totals['exchange']:+.3f} m3, bottom {totals['bottom']:+.3f} m3, "
        f"gain under sealed cells {out.gain_under_sealed_m3:.3f} m3, balance error {err:.1e}"
    )
    return out
