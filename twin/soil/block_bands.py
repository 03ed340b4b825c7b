"""Bands on the lateral water redistribution of a 3-D soil block (issue 18): paired Monte Carlo
samples of the soil hydraulics for a baseline and a what-if.

A de-sealing what-if changes the ground cover of some cells; the 3-D block of
:func:`twin.soil.district_block.run_district_with_block` over those cells and a margin carries the
rain that falls on the de-sealed ground under the sealed cells around it. Its figures depend on
the soil's hydraulics, which a district knows only as a texture class. This module

* draws the van Genuchten-Mualem parameters of every texture from the spreads Carsel & Parrish
  (1988) published for the 12 USDA classes (:data:`CP_SD`; :func:`draw_normals`,
  :func:`sampled_material`), the same draws for the baseline and the what-if (paired);
* runs the block for the baseline and the what-if with each sample's materials
  (:func:`run_pair`) and returns the KPIs of :data:`BLOCK_KPIS` per sample, from which the
  scenario runner takes its percentiles.

Priors (documented simplification)
----------------------------------
Carsel, R.F. & Parrish, R.S. (1988), Developing joint probability distributions of soil water
retention characteristics, Water Resour. Res. 24(5):755-769, doi:10.1029/WR024i005p00755, give for
each texture the mean and standard deviation of ``theta_r``, ``theta_s``, ``alpha``, ``n`` and
``Ks`` (the means are the table of :data:`twin.soil.hydraulics.CARSEL_PARRISH_1988`), with
Johnson-system transforms and correlations between the transformed variables. Here:

* ``Ks``, ``alpha`` and ``n - 1`` are lognormal with the published mean and standard deviation
  (moment-matched: ``sigma^2 = ln(1 + (s/m)^2)``, ``mu = ln m - sigma^2/2``), so they stay positive
  and ``n > 1``; ``theta_r`` and ``theta_s`` are normal with the published mean and standard
  deviation, cut at two standard deviations, with ``theta_r >= 0`` and
  ``theta_s >= theta_r + 0.05``;
* the five parameters are drawn independently (the paper's correlations, strong between ``Ks``,
  ``alpha`` and ``n`` for most textures, are not used: a simplification that mixes combinations
  the data rarely show, so the bands are if anything wider than the paper's joint distribution
  would give);
* one draw per texture and sample, the same throughout the block and the 1-D columns around it
  (no spatial variability within a texture: the band is the uncertainty of the district's soil,
  not of a point);
* ``prior_spread`` scales every standard deviation (1: the published spreads; 0: every sample is
  the central soil and the band collapses).

The central run uses the table's means; the sample median of a lognormal lies below its mean
(for ``Ks`` of silt loam, with a coefficient of variation of 2.7, about a third of it), so the
central KPI need not lie at the median of the band.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from twin.errors import InputError, ResourceLimitError
from twin.io.key_hints import error_to_report, hint_for_error
from twin.soil.hydraulics import CARSEL_PARRISH_1988, SoilMaterial, _norm

#: Standard deviations of Carsel & Parrish (1988), per texture: ``theta_r``, ``theta_s`` (m3/m3),
#: ``alpha`` (1/cm), ``n`` (-), ``Ks`` (cm/h, as the paper gives it). Typed from the paper's table
#: of descriptive statistics; the loam and clay-loam ``Ks`` values (1.82 and 0.70 cm/h) agree with
#: an independent transcription (a public hydrology script); the others are not cross-checked.
CP_SD: dict[str, tuple[float, float, float, float, float]] = {
    "Sand": (0.010, 0.06, 0.029, 0.29, 15.60),
    "Loamy Sand": (0.015, 0.09, 0.043, 0.27, 11.36),
    "Sandy Loam": (0.017, 0.09, 0.037, 0.17, 5.63),
    "Loam": (0.013, 0.10, 0.021, 0.11, 1.82),
    "Silt": (0.010, 0.11, 0.007, 0.05, 0.33),
    "Silt Loam": (0.015, 0.08, 0.012, 0.12, 1.23),
    "Sandy Clay Loam": (0.006, 0.07, 0.038, 0.13, 2.74),
    "Clay Loam": (0.010, 0.09, 0.015, 0.09, 0.70),
    "Silty Clay Loam": (0.009, 0.07, 0.006, 0.06, 0.19),
    "Sandy Clay": (0.013, 0.05, 0.017, 0.10, 0.28),
    "Silty Clay": (0.023, 0.07, 0.005, 0.06, 0.11),
    "Clay": (0.034, 0.09, 0.012, 0.09, 0.42),
}
TEXTURES = tuple(CARSEL_PARRISH_1988)
"""Draw order of the textures (every sample draws all of them, so the draws do not depend on
which textures a block holds)."""
_SD_BY_NORM = {_norm(k): v for k, v in CP_SD.items()}
_INDEX_BY_NORM = {_norm(k): i for i, k in enumerate(TEXTURES)}

#: KPIs of the block (what-if values; the baseline's on the same cells). The rain water under the
#: sealed cells (``_m3``, ``_mm``) is the edge-resolved measure of
#: :func:`twin.soil.soil_block_edge.sealed_edge_gain` (converged; docs/soil_block_p18.md);
#: ``block_sealed_rain_gain_grid_m3`` the block grid's own figure (not converged: it grows as the
#: block's columns shrink), ``block_sealed_edge_m`` the length of soil along the sealed cells.
BLOCK_KPIS = ("block_sealed_rain_gain_m3", "block_sealed_rain_gain_mm", "block_recharge_m3", "block_infiltration_m3",
              "block_sealed_rain_gain_grid_m3", "block_sealed_edge_m")

#: Most cells of one block run of the bands (each sample runs two blocks and their dry twin).
MAX_BAND_CELLS = 1_000_000


class BlockBandOptions(BaseModel):
    """The scenario's ``soil.block`` section (see docs/soil_3d.md, "Bands")."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    region: tuple[float, float, float, float] | None = Field(
        None, description="xmin, ymin, xmax, ymax of the block in the scene CRS (default: the cells whose cover changes, plus margin_m)")
    margin_m: float = Field(10.0, ge=0.0, le=500.0, description="margin around the changed cells, m")
    sub: int | None = Field(None, ge=1, le=20, description="block columns per soil-grid cell along x and y "
                            "(default: columns of about 1 m, round(cell size / 1 m))")
    dz_m: float = Field(0.1, ge=0.01, le=0.5, description="layer thickness of the block, m")
    hours: float | None = Field(None, gt=0.0, le=8760.0, description="simulated window, h (default: soil.hours)")
    samples: int = Field(10, ge=2, le=200, description="paired samples of the hydraulics (at most uncertainty.samples)")
    prior_spread: float = Field(1.0, ge=0.0, le=3.0, description="factor on the Carsel & Parrish standard deviations")
    max_cells: int = Field(300_000, ge=1, le=MAX_BAND_CELLS, description="refuse a block of more cells")
    dt_restart_s: float = Field(300.0, ge=0.01, le=3600.0,
                                description="first step of an hourly block interval with unchanged rain, s (see run_district_with_block)")


def parse_block_options(value) -> BlockBandOptions:
    """Validate a ``soil.block`` mapping (``ValueError`` naming the key)."""
    if isinstance(value, BlockBandOptions):
        return value
    if not isinstance(value, dict):
        raise ValueError(f"block must be a mapping (region, margin_m, sub, dz_m, hours, samples, prior_spread, max_cells), not {value!r}")
    try:
        opts = BlockBandOptions.model_validate(value)
    except ValidationError as exc:
        err = error_to_report(exc.errors())
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            raise ValueError(f"block.{key}: unknown key{hint_for_error(BlockBandOptions, err['loc'])}") from None
        raise ValueError(f"block.{key}: {err['msg']}") from None
    if opts.region is not None and not (opts.region[0] < opts.region[2] and opts.region[1] < opts.region[3]):
        raise ValueError("block.region: give [xmin, ymin, xmax, ymax] with xmin < xmax and ymin < ymax")
    return opts


def draw_normals(n: int, seed: int) -> np.ndarray:
    """``(n, len(TEXTURES), 5)`` standard normals, seeded by ``seed`` alone (paired draws)."""
    rng = np.random.default_rng([int(seed), 0xB10C])
    return rng.standard_normal((int(n), len(TEXTURES), 5))


def _lognormal(mean: float, sd: float, z: float) -> float:
    s2 = math.log1p((sd / mean) ** 2)
    return math.exp(math.log(mean) - 0.5 * s2 + math.sqrt(s2) * z)


def sampled_material(mat: SoilMaterial, z: np.ndarray, spread: float = 1.0) -> SoilMaterial:
    """``mat`` with its van Genuchten parameters drawn from the texture's prior.

    Parameters
    ----------
    mat
        A Carsel & Parrish texture material (its name is the texture); other materials and other
        models are returned unchanged.
    z
        ``(len(TEXTURES), 5)`` standard normals of one sample (:func:`draw_normals`).
    spread
        Factor on the standard deviations (0: ``mat`` itself).
    """
    key = _norm(mat.name)
    if spread == 0.0 or mat.model != "van_genuchten" or key not in _SD_BY_NORM:
        return mat
    sd_r, sd_s, sd_a, sd_n, sd_k = (spread * v for v in _SD_BY_NORM[key])
    zz = np.clip(np.asarray(z, dtype=float)[_INDEX_BY_NORM[key]], -2.0, 2.0)  # two standard deviations
    theta_r = max(0.0, mat.theta_r + sd_r * zz[0])
    theta_s = max(mat.theta_s + sd_s * zz[1], theta_r + 0.05)
    alpha = _lognormal(mat.alpha_per_m, sd_a * 100.0, zz[2])
    n = 1.0 + _lognormal(mat.n - 1.0, sd_n, zz[3])
    ks = _lognormal(mat.ks_m_s, sd_k / 3.6e5, zz[4])  # cm/h -> m/s
    return dataclasses.replace(mat, theta_r=theta_r, theta_s=min(theta_s, 1.0), alpha_per_m=alpha, n=n, ks_m_s=ks)


def sampled_grid(grid, z: np.ndarray, spread: float = 1.0):
    """``grid`` with every texture material drawn (:func:`sampled_material`); the same columns,
    profiles and covers."""
    return dataclasses.replace(grid, materials=[sampled_material(m, z, spread) for m in grid.materials])


def changed_cells(base_grid, what_grid) -> np.ndarray:
    """Flat ``(n_cell,)`` mask of the cells whose ground cover differs between the two grids
    (:func:`twin.soil.deseal_heat.changed_cover_cells` of their cover fractions)."""
    from twin.soil.deseal_heat import changed_cover_cells, cover_fractions

    return changed_cover_cells(cover_fractions(base_grid), cover_fractions(what_grid))


def changed_region(base_grid, what_grid, margin_m: float):
    """``(xmin, ymin, xmax, ymax)`` around the cells whose ground cover differs between the two
    grids (:func:`changed_cells`; cell edges plus ``margin_m``), or None when none does."""
    changed = changed_cells(base_grid, what_grid)
    if not changed.any():
        return None
    jj, ii = np.divmod(np.flatnonzero(changed), base_grid.shape[1])
    half = base_grid.cell_size_m / 2.0
    x, y = base_grid.x, base_grid.y
    return (float(x[ii].min() - half - margin_m), float(y[jj].min() - half - margin_m),
            float(x[ii].max() + half + margin_m), float(y[jj].max() + half + margin_m))


def sub_bounds(grid_bounds, cell_size_m: float, region) -> tuple[float, float, float, float]:
    """Bounds of the soil sub-grid for a block over ``region``: the region snapped outward to the
    cells of the district grid (``grid_bounds``) and one cell more (the 1-D neighbours of the
    block's sides), within the district grid."""
    x0, y0, x1, y1 = grid_bounds
    s = float(cell_size_m)

    def lo(v, origin, low):
        return max(low, origin + (math.floor((v - origin) / s + 1e-9) - 1) * s)

    def hi(v, origin, high):
        return min(high, origin + (math.ceil((v - origin) / s - 1e-9) + 1) * s)

    return (lo(region[0], x0, x0), lo(region[1], y0, y0), hi(region[2], x0, x1), hi(region[3], y0, y1))


def resolved(opts: BlockBandOptions, cell_size_m: float) -> BlockBandOptions:
    """``opts`` with ``sub`` set (default: columns of about 1 m, at most 20 per cell)."""
    if opts.sub is not None:
        return opts
    return opts.model_copy(update={"sub": int(min(20, max(1, round(float(cell_size_m)))))})


def block_cells(grid, region, sub: int, dz_m: float) -> int:
    """Cells of the block over ``region`` of ``grid`` (0 when it holds no cell centre)."""
    ix = np.flatnonzero((grid.x >= region[0]) & (grid.x <= region[2]))
    iy = np.flatnonzero((grid.y >= region[1]) & (grid.y <= region[3]))
    depth = float(grid.options.depth_m) if grid.options is not None else 1.0
    return int(ix.size * iy.size * sub * sub * max(1, int(round(depth / dz_m))))


def check_block_size(grid, region, opts: BlockBandOptions) -> int:
    """Refuse a block above ``opts.max_cells`` before any work (``ResourceLimitError`` naming
    ``soil.block``); the number of cells."""
    opts = resolved(opts, grid.cell_size_m)
    n = block_cells(grid, region, opts.sub, opts.dz_m)
    if n == 0:
        raise InputError("the block region holds no cell centre of the soil grid", field="soil.block.region")
    if n > opts.max_cells:
        raise ResourceLimitError(
            f"the block for the bands would have {n:,} cells, above soil.block.max_cells = {opts.max_cells:,} (each sample runs it "
            "twice): give a smaller soil.block.region or margin_m, fewer columns per cell (sub) or thicker layers (dz_m)",
            field="soil.block")
    return n


def kpi_mask(base, what) -> np.ndarray:
    """The sealed cells the KPIs count: closed top in both runs, off the block's outermost ring of
    grid cells (the one-way side exchange with the 1-D columns around the block enters there, a
    coupling artefact of the same size as the rain water that reaches the sealed cells from
    inside, growing as the block's cells shrink, as a Dirichlet face's flux does)."""
    inner = np.zeros_like(base.sealed_top)
    inner[1:-1, 1:-1] = True
    return base.sealed_top & what.sealed_top & inner


def pair_kpis(base, what, edges) -> tuple[dict[str, float], dict[str, float]]:
    """KPIs of :data:`BLOCK_KPIS` from the baseline and what-if :class:`MixedResult` of the same
    region and the :class:`~twin.soil.soil_block_edge.SealedEdgeResult` of each on the cells of
    :func:`kpi_mask` (``edges = (baseline, what-if)``): (what-if values, baseline values). The
    sealed cells are those with a closed top in both (the neighbours of the de-sealed cells; the
    de-sealed ones are left out of both), off the block's edge ring."""
    mask = kpi_mask(base, what)
    area = float(mask.sum()) * base.cell_area_m2

    def k(r, e) -> dict[str, float]:
        return {
            "block_sealed_rain_gain_m3": float(e.gain_m3),
            "block_sealed_rain_gain_mm": float(e.gain_m3) / area * 1000.0 if area > 0 else float("nan"),
            "block_recharge_m3": float(r.recharge_m3),
            "block_infiltration_m3": float(r.infiltration_m3.sum()),
            "block_sealed_rain_gain_grid_m3": float(r.rain_gain_m3[mask].sum()),
            "block_sealed_edge_m": float(e.edge_length_m),
        }

    return k(what, edges[1]), k(base, edges[0])


def run_pair(base_grid, what_grid, rain, region, opts: BlockBandOptions, *, duration_s: float, block_options=None):
    """The block over ``region`` for the baseline and the what-if grids (same materials), and the
    edge-resolved rain water under their sealed cells (:func:`twin.soil.soil_block_edge.sealed_edge_gain`).

    Returns
    -------
    (what-if KPIs, baseline KPIs, (baseline result, what-if result))
    """
    from twin.soil.district_block import run_district_with_block
    from twin.soil.soil_block_edge import sealed_edge_gain

    opts = resolved(opts, base_grid.cell_size_m)
    res = []
    for g in (base_grid, what_grid):
        res.append(run_district_with_block(g, rain, region, duration_s=duration_s, dz_m=opts.dz_m, sub=opts.sub,
                                           block_options=block_options, threads=1, dt_restart_s=opts.dt_restart_s))
    mask = kpi_mask(res[0], res[1])
    edges = tuple(sealed_edge_gain(g, region, mask, rain, duration_s, options=block_options) for g in (base_grid, what_grid))
    what, base = pair_kpis(res[0], res[1], edges)
    return what, base, (res[0], res[1])


@dataclasses.dataclass
class PairedSamples:
    """Result of :func:`paired_samples`: per sample the what-if and baseline KPIs and the larger of
    the two blocks' relative balance errors."""

    what: list[dict[str, float]]
    base: list[dict[str, float]]
    balance_error_rel: list[float]


def paired_samples(base_grid, what_grid, rain, region, opts: BlockBandOptions, n: int, seed: int, *,
                   duration_s: float, block_options=None, on_sample=None) -> PairedSamples:
    """``n`` paired samples: each draws the hydraulics once (:func:`draw_normals`, seeded) and runs
    the baseline and the what-if with them (:func:`run_pair`); ``on_sample()`` is called after
    each (progress)."""
    z = draw_normals(n, seed)
    out = PairedSamples([], [], [])
    for s in range(n):
        w, b, (rb, rw) = run_pair(sampled_grid(base_grid, z[s], opts.prior_spread), sampled_grid(what_grid, z[s], opts.prior_spread),
                                  rain, region, opts, duration_s=duration_s, block_options=block_options)
        out.what.append(w)
        out.base.append(b)
        out.balance_error_rel.append(max(rb.balance_error_rel, rw.balance_error_rel))
        if on_sample is not None:
            on_sample()
    return out
