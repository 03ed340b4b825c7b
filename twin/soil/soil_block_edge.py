"""Water that crosses a sealed edge: the controlled 2-D case of issue 18 (part 2).

A de-sealed strip next to sealed ground is, seen across the edge, a 2-D problem in the
vertical plane (distance ``x`` across the edge, depth ``z``): rain ponds on the open side, the
sealed side has a closed top, and water reaches the soil under the sealed side only sideways.
:func:`edge_strip_gain` runs that section with the 3-D kernel (:func:`twin.soil.block3d.run_block`,
one cell along y) and returns the rain water stored under the sealed side at the end, per metre
of edge (m3/m), against the same section without rain (the initial state's own drainage taken
out, as :mod:`twin.soil.district_block` does).

Why it matters: the water that crosses the edge in a day penetrates a few centimetres to a few
decimetres (the sorptive length ``S sqrt(t) / (theta_s - theta_i)``); a grid whose columns are
metres wide cannot resolve that front, and the flux it computes across the first face is set by
the head drop over one column, ``K (h_open - h_sealed) / dx``: it grows as ``1 / dx`` until
``dx`` is below the front's width, then converges. :func:`sorptivity_parlange` gives the
independent yardstick: Parlange's (1975) sorptivity of the same soil, so the lateral uptake of
a face held wet for a time ``t`` is about ``S sqrt(t)`` (Philip 1957 horizontal absorption).

References
----------
Philip, J.R. (1957), The theory of infiltration: 4. Sorptivity and algebraic infiltration
equations, Soil Sci. 84(3):257-264.
Parlange, J.-Y. (1975), On solving the flow equation in unsaturated soils by optimization:
horizontal infiltration, Soil Sci. Soc. Am. Proc. 39:415-418.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import InputError
from twin.soil.hydraulics import SoilMaterial, conductivity, water_content


@dataclass
class EdgeGain:
    """Result of :func:`edge_strip_gain`.

    Attributes
    ----------
    gain_m3_per_m : rain water under the sealed side at the end, per metre of edge, m3/m.
    infiltration_m3_per_m : rain that entered the open side, per metre of edge (of the strip
        modelled: ``open_width_m`` wide), m3/m.
    runoff_m3_per_m : rain that ran off the flooded open side, m3/m.
    balance_error_rel : relative water-balance error of the rain run.
    cells : cells of the section.
    cpu_s : process CPU time of the two runs (rain and dry), s.
    failed_steps : steps accepted without convergence at the smallest step (rain runs).
    """

    gain_m3_per_m: float
    infiltration_m3_per_m: float
    runoff_m3_per_m: float
    balance_error_rel: float
    cells: int
    cpu_s: float
    failed_steps: int = 0


def edge_strip_gain(
    material: SoilMaterial,
    *,
    h_initial_m: float = -1.0,
    rain_m_s: float = 30e-3 / 3600.0,
    storm_s: float = 3600.0,
    duration_s: float = 86400.0,
    dx_m: float = 0.05,
    dz_m: float = 0.05,
    depth_m: float = 1.0,
    open_width_m: float = 1.0,
    sealed_width_m: float = 1.0,
    options=None,
    material_sealed: SoilMaterial | None = None,
    rain_edges_s: np.ndarray | None = None,
    rain_rates_m_s: np.ndarray | None = None,
) -> EdgeGain:
    """Rain water that reaches the soil under a sealed strip from the open strip beside it.

    The section is ``open_width_m + sealed_width_m`` wide (``x``), ``depth_m`` deep, one metre
    along the edge: open ground on ``0 <= x < open_width_m`` takes rain ``rain_m_s`` for
    ``storm_s`` (ponding and running off at the block's pond head when the soil cannot take it),
    the sealed ground beyond has a closed top; sides closed (mirror planes: an open strip twice
    as wide between sealed strips twice as wide), free drainage at the bottom, uniform initial
    head. Run until ``duration_s``.

    Parameters
    ----------
    material
        The soil (:class:`~twin.soil.hydraulics.SoilMaterial`).
    h_initial_m
        Initial head, m.
    rain_m_s, storm_s, duration_s
        Rain intensity on the open ground (m/s), its duration and the whole window (s).
    dx_m, dz_m
        Column width across the edge and layer thickness, m; ``open_width_m``,
        ``sealed_width_m`` and ``depth_m`` must be whole multiples of them.
    depth_m, open_width_m, sealed_width_m
        Extent of the section, m.
    options
        :class:`~twin.soil.block3d.BlockOptions`.
    material_sealed
        Soil under the sealed side (default: ``material``).
    rain_edges_s, rain_rates_m_s
        A piecewise-constant rain series instead of the single storm: interval edges (s, from
        0) and the rate of each interval (m/s); zero after the last edge.

    Raises
    ------
    InputError
        Widths or depth that are not whole multiples of the cell sizes, or a storm longer than
        the window.
    """
    import os

    from twin.soil.block3d import Block, BlockOptions, Side, run_block

    n_open = open_width_m / dx_m
    n_sealed = sealed_width_m / dx_m
    nz_f = depth_m / dz_m
    for name, v in (("open_width_m", n_open), ("sealed_width_m", n_sealed), ("depth_m", nz_f)):
        if not (v >= 1 and abs(v - round(v)) < 1e-6):
            raise InputError(f"must be a whole multiple of the cell size, got {v:g} cells", field=name)
    if rain_edges_s is None:
        if not (0 < storm_s <= duration_s):
            raise InputError(f"the storm must lie within the window, got {storm_s!r} s of {duration_s!r} s", field="storm_s")
        edges, rates = np.array([0.0, storm_s]), np.array([rain_m_s])
    else:
        edges, rates = np.asarray(rain_edges_s, dtype=float), np.asarray(rain_rates_m_s, dtype=float)
        if edges.ndim != 1 or rates.shape != (edges.size - 1,) or edges[0] != 0.0 or np.any(np.diff(edges) <= 0) or np.any(rates < 0):
            raise InputError("the rain series needs increasing edges from 0 and one rate >= 0 per interval", field="rain_edges_s")
    # intervals of constant rain up to the end of the window
    cut = np.unique(np.concatenate([edges[edges < duration_s], [duration_s]]))
    n_open, n_sealed, nz = int(round(n_open)), int(round(n_sealed)), int(round(nz_f))
    nx = n_open + n_sealed
    opts = options or BlockOptions()
    materials = [material] if material_sealed is None or material_sealed == material else [material, material_sealed]
    mat = np.zeros((nz, 1, nx), dtype=np.int64)
    mat[:, :, n_open:] = len(materials) - 1
    is_open = (np.arange(nx) < n_open).reshape(1, nx)

    def block(rate: float) -> Block:
        sides = {"bottom": Side("free_drainage")}
        if rate > 0:
            sides["top"] = Side("rain", np.where(is_open, rate, np.nan))
        return Block(nx=nx, ny=1, nz=nz, dx_m=float(dx_m), dy_m=1.0, dz_m=float(dz_m), materials=materials, material=mat,
                     sides=sides)

    t0 = os.times()
    state = h_initial_m
    storage_change = inflow = top = runoff = 0.0
    n_failed = 0
    for a, b in zip(cut[:-1], cut[1:]):
        k = np.searchsorted(edges, a, side="right") - 1
        rate = float(rates[k]) if 0 <= k < rates.size else 0.0
        r = run_block(block(rate), state, [float(b)], t_start_s=float(a), options=opts, keep_fields=False)
        state = r.state
        storage_change += r.storage_change_m3
        inflow += r.boundary_inflow_m3
        top += r.totals["inflow_top_m3"]
        runoff += r.totals["runoff_m3"]
        n_failed += int(r.totals["failed_steps"])
    wet = r
    dry = run_block(block(0.0), h_initial_m, [duration_s], options=opts, keep_fields=False)
    t1 = os.times()
    th_w = wet.state.theta.reshape(nz, nx)
    th_d = dry.state.theta.reshape(nz, nx)
    gain = float(((th_w - th_d)[:, n_open:] * dz_m).sum() * dx_m)
    return EdgeGain(
        gain_m3_per_m=gain, infiltration_m3_per_m=float(top), runoff_m3_per_m=float(runoff),
        balance_error_rel=float(abs(storage_change - inflow) / max(abs(top), 1e-300)), cells=nx * nz,
        cpu_s=float((t1.user + t1.system) - (t0.user + t0.system)), failed_steps=n_failed,
    )


def sorptivity_parlange(material: SoilMaterial, h_initial_m: float, h_surface_m: float = 0.0, n: int = 20001) -> float:
    """Sorptivity of ``material`` from ``h_initial_m`` to ``h_surface_m``, m/s^0.5 (Parlange 1975).

    ``S^2 = integral over theta from theta_i to theta_0 of (theta_0 + theta - 2 theta_i) D(theta)``,
    with the diffusivity ``D = K / C``; computed as an integral over the head,
    ``integral (theta_0 + theta(h) - 2 theta_i) K(h) dh`` (``D dtheta = K dh``), on a grid
    uniform in ``log(-h)`` (trapezoid rule), from the material's own retention and conductivity
    functions (:mod:`twin.soil.hydraulics`, not the kernel's tables). Parlange's formula is within
    a few per cent of the exact sorptivity for soils of this kind (Parlange 1975; Philip 1957).

    Cumulative horizontal absorption through a face held at ``h_surface_m`` for a time ``t``:
    ``I = S sqrt(t)`` (m3 per m2 of face).
    """
    if not (h_initial_m < h_surface_m <= 0.0):
        raise InputError(f"need h_initial_m < h_surface_m <= 0, got {h_initial_m!r} and {h_surface_m!r}", field="h_initial_m")
    lo = np.log(-h_initial_m)
    hi = np.log(max(-h_surface_m, 1e-6))
    u = np.linspace(hi, lo, n)
    h = -np.exp(u)  # from near h_surface down to h_initial
    h = np.concatenate([[h_surface_m], h]) if h_surface_m > h[0] else h
    th = water_content(h, material)
    k = conductivity(h, material)
    th0 = float(water_content(np.array([h_surface_m]), material)[0])
    thi = float(water_content(np.array([h_initial_m]), material)[0])
    f = (th0 + th - 2.0 * thi) * k
    s2 = float(np.sum(0.5 * (f[1:] + f[:-1]) * -np.diff(h)))
    return float(np.sqrt(max(s2, 0.0)))


#: Half-widths of the open strip of the sections, m (a soil patch ``w`` wide along the edge is a
#: strip of half-width ``w / 2`` between sealed ground; the gain is interpolated between these and
#: constant above the last: within 0.1 % from 0.5 m to 2 m for silt loam).
OPEN_HALF_WIDTHS_M = (0.05, 0.1, 0.2, 0.4, 1.0)
#: Width of the sealed side of the sections, m (the front reaches decimetres in a day; 0.5 m and
#: 2 m give the same gain to 1e-6 for silt loam).
SEALED_WIDTH_M = 0.5


@dataclass
class SealedEdgeResult:
    """Result of :func:`sealed_edge_gain`.

    Attributes
    ----------
    gain_m3 : rain water under the counted sealed cells at the end, m3 (edge length x the
        section's gain per metre, summed over the edges).
    edge_length_m : length of soil along the faces of the counted sealed cells, m.
    sections : the section gains used, m3/m, by (open material, sealed material, intensity
        factor, open half-width).
    cpu_s : process CPU time of the sections, s.
    coarsened : sections that stalled and were run on cells twice as large.
    unconverged : of those, sections that stalled again and were run with steps of at least
        0.1 s, accepting unconverged steps (a stall of the 3-D kernel not yet understood; the
        water balance stays exact, the accuracy is not known).
    failed_steps : steps of the sections accepted without convergence at their smallest step.
    """

    gain_m3: float
    edge_length_m: float
    sections: dict
    cpu_s: float
    coarsened: int = 0
    unconverged: int = 0
    failed_steps: int = 0


#: Step attempts of one section run before it is retried on columns and layers twice as thick.
SECTION_MAX_STEPS = 20_000
#: Picard iterations per step of the sections (default options).
SECTION_MAX_ITER = 50
#: Smallest step of the sections, s (default options): a step that does not converge at it is
#: accepted (the water balance stays exact; counted in ``SealedEdgeResult.failed_steps``). With
#: the kernel's 1 ms, the 5 cm sections of a sampled silt loam (theta_s 0.29) stalled after the
#: storm: the step shrank towards 1 ms, where the carried water content's small excess over
#: theta_s must leave within the step, and the iteration failed ever more.
SECTION_DT_MIN_S = 0.1


def sealed_edge_gain(grid, region, mask: np.ndarray, rain, duration_s: float, *, dx_m: float = 0.05, dz_m: float = 0.05,
                     options=None) -> SealedEdgeResult:
    """Rain water that reaches the soil under the sealed grid cells ``mask`` from the soil of
    their neighbours, with the edge resolved (the measure of docs/soil_block_p18.md).

    Every face between a counted sealed cell (``mask``, grid cells of the block over ``region``)
    and a neighbouring grid cell with soil (share ``s`` of its area, getting ``d`` m of water per
    m of rain) is an edge of length ``s x cell size`` (the expected length of soil along the face
    when the soil's place inside the cell is unknown: a convention in metres, independent of any
    block grid). Its gain per metre is that of the 2-D section of :func:`edge_strip_gain` with
    the neighbour's texture on the open side and the sealed cell's beyond, the rain on the soil at
    ``d / s`` times the series (as the block's and the 1-D columns' soil gets it), an open strip of
    half-width ``s x cell size / 2`` (interpolated over :data:`OPEN_HALF_WIDTHS_M`), the grid's
    depth and initial head, columns of ``dx_m`` and layers of ``dz_m`` (defaults 5 cm: within
    1 % of 2.5 cm and 2 % of 1.25 cm for the central Saint-Gilles soil, docs/soil_block_p18.md;
    finer sections of some sampled soils stalled, see ``coarsened``). A section that stops on
    :data:`SECTION_MAX_STEPS` is run again on cells twice as large (counted in ``coarsened``).

    Parameters
    ----------
    grid
        :class:`~twin.soil.grid.SoilGrid` (its materials: sampled ones give the sample's gain).
    region
        ``(xmin, ymin, xmax, ymax)`` of the block (:func:`twin.soil.district_block.run_district_with_block`).
    mask
        (ny_b, nx_b) booleans over the block's grid cells: the sealed cells to count (every
        counted cell must have its four neighbours inside the block: leave out the edge ring).
    rain
        :class:`~twin.soil.rain.RainSeries`.
    duration_s
        Window, s.
    """
    from twin.soil.district_block import _region_cells
    from twin.soil.grid import KIND_GREEN_ROOF
    from twin.soil.hydraulics import _norm, texture_material

    j0, j1, i0, i1 = _region_cells(grid, region)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (j1 - j0 + 1, i1 - i0 + 1):
        raise InputError(f"the mask must have the block's shape {(j1 - j0 + 1, i1 - i0 + 1)}, got {mask.shape}", field="mask")
    if mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any():
        raise InputError("the counted sealed cells must lie off the block's edge ring", field="mask")
    ny, nx = grid.shape
    soil_col = grid.col_kind != KIND_GREEN_ROOF
    deliver = np.zeros(ny * nx)
    np.add.at(deliver, grid.col_cell[soil_col], grid.col_area_m2[soil_col] * grid.col_rain_factor[soil_col])
    soil_area = np.zeros(ny * nx)
    np.add.at(soil_area, grid.col_cell[soil_col], grid.col_area_m2[soil_col])
    d = (deliver.reshape(ny, nx) / grid.cell_area_m2)[j0:j1 + 1, i0:i1 + 1]
    s = (soil_area.reshape(ny, nx) / grid.cell_area_m2)[j0:j1 + 1, i0:i1 + 1]
    tex = grid.texture[j0:j1 + 1, i0:i1 + 1]
    opts = grid.options
    air = float(opts.air_entry_m) if opts is not None else -0.02
    depth = float(opts.depth_m) if opts is not None else 1.0
    h0 = float(opts.initial_head_m) if opts is not None else -1.0
    by_name = {_norm(m.name): m for m in grid.materials}

    def material(name: str) -> SoilMaterial:
        return by_name.get(_norm(name)) or texture_material(name).with_air_entry(air)

    edges = np.asarray(rain.t_edges_s, dtype=float)
    rates = np.asarray(rain.rain_m_s, dtype=float)
    if edges[0] != 0.0:
        edges, rates = np.concatenate([[0.0], edges]), np.concatenate([[0.0], rates])
    size = float(grid.cell_size_m)
    sections: dict = {}
    cpu = 0.0

    from twin.errors import SimulationError
    from twin.soil.block3d import BlockOptions

    # default: up to 50 Picard iterations a step (a sampled silt loam, theta_s 0.29, stalled after
    # the storm with 15: the step shrank towards dt_min, where the carried water content's
    # excess over theta_s must leave within the step; with 50 it converges)
    base_opts = options or BlockOptions(max_iter=SECTION_MAX_ITER, dt_min_s=SECTION_DT_MIN_S)
    sec_opts = base_opts if base_opts.max_steps is not None else base_opts.model_copy(update={"max_steps": SECTION_MAX_STEPS})
    coarsened = 0

    nonlocal_unconverged = [0]
    failed = [0]

    def run_section(open_name: str, sealed_name: str, factor: float, half: float, dx: float, dz: float, opts=None):
        # widths in whole columns of the section (the levels are multiples of 2.5 cm)
        open_w = max(1, round(half / dx)) * dx
        sealed_w = max(1, round(SEALED_WIDTH_M / dx)) * dx
        nz = max(1, round(depth / dz))
        return edge_strip_gain(material(open_name), material_sealed=material(sealed_name), h_initial_m=h0, duration_s=duration_s,
                               dx_m=dx, dz_m=depth / nz, depth_m=depth, open_width_m=open_w, sealed_width_m=sealed_w,
                               options=opts or sec_opts, rain_edges_s=edges, rain_rates_m_s=rates * factor)

    def section(open_name: str, sealed_name: str, factor: float, half: float) -> float:
        nonlocal cpu, coarsened
        key = (open_name, sealed_name, round(factor, 9), half)
        if key not in sections:
            try:
                r = run_section(open_name, sealed_name, factor, half, dx_m, dz_m)
            except SimulationError:
                coarsened += 1
                try:
                    r = run_section(open_name, sealed_name, factor, half, 2.0 * dx_m, 2.0 * dz_m)
                except SimulationError:
                    # last resort (counted in unconverged): steps of at least 0.1 s, accepted
                    # unconverged where the iteration fails (the balance stays exact)
                    nonlocal_unconverged[0] += 1
                    r = run_section(open_name, sealed_name, factor, half, 2.0 * dx_m, 2.0 * dz_m,
                                    opts=sec_opts.model_copy(update={"dt_min_s": 0.1, "dt_initial_s": max(0.1, sec_opts.dt_initial_s)}))
            sections[key] = r.gain_m3_per_m
            cpu += r.cpu_s
            failed[0] += r.failed_steps
        return sections[key]

    levels = np.array(OPEN_HALF_WIDTHS_M)
    total = length = 0.0
    for j, i in zip(*np.nonzero(mask)):
        for jj, ii in ((j - 1, i), (j + 1, i), (j, i - 1), (j, i + 1)):
            share = float(s[jj, ii])
            if share <= 0.0 or d[jj, ii] <= 0.0:
                continue
            edge = share * size
            factor = float(d[jj, ii]) / share
            half = min(max(edge / 2.0, levels[0]), levels[-1])
            k = int(np.searchsorted(levels, half))
            if levels[min(k, levels.size - 1)] == half:
                g = section(str(tex[jj, ii]), str(tex[j, i]), factor, float(half))
            else:
                lo, hi = float(levels[k - 1]), float(levels[k])
                g_lo = section(str(tex[jj, ii]), str(tex[j, i]), factor, lo)
                g_hi = section(str(tex[jj, ii]), str(tex[j, i]), factor, hi)
                g = g_lo + (g_hi - g_lo) * (half - lo) / (hi - lo)
            total += edge * g
            length += edge
    return SealedEdgeResult(gain_m3=float(total), edge_length_m=float(length), sections=sections, cpu_s=cpu, coarsened=coarsened,
                            unconverged=nonlocal_unconverged[0], failed_steps=failed[0])
