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
    """

    gain_m3_per_m: float
    infiltration_m3_per_m: float
    runoff_m3_per_m: float
    balance_error_rel: float
    cells: int
    cpu_s: float


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
    if not (0 < storm_s <= duration_s):
        raise InputError(f"the storm must lie within the window, got {storm_s!r} s of {duration_s!r} s", field="storm_s")
    n_open, n_sealed, nz = int(round(n_open)), int(round(n_sealed)), int(round(nz_f))
    nx = n_open + n_sealed
    opts = options or BlockOptions()
    mat = np.zeros((nz, 1, nx), dtype=np.int64)
    rain = np.where(np.arange(nx) < n_open, rain_m_s, np.nan).reshape(1, nx)

    def block(with_rain: bool) -> Block:
        sides = {"bottom": Side("free_drainage")}
        if with_rain:
            sides["top"] = Side("rain", rain)
        return Block(nx=nx, ny=1, nz=nz, dx_m=float(dx_m), dy_m=1.0, dz_m=float(dz_m), materials=[material], material=mat,
                     sides=sides)

    t0 = os.times()
    wet1 = run_block(block(True), h_initial_m, [storm_s], options=opts, keep_fields=False)
    if duration_s > storm_s:
        wet = run_block(block(False), wet1.state, [duration_s], t_start_s=storm_s, options=opts, keep_fields=False)
    else:
        wet = wet1
    dry = run_block(block(False), h_initial_m, [duration_s], options=opts, keep_fields=False)
    t1 = os.times()
    th_w = wet.state.theta.reshape(nz, nx)
    th_d = dry.state.theta.reshape(nz, nx)
    gain = float(((th_w - th_d)[:, n_open:] * dz_m).sum() * dx_m)
    storage_change = (wet1.storage_change_m3 + (wet.storage_change_m3 if wet is not wet1 else 0.0))
    inflow = wet1.boundary_inflow_m3 + (wet.boundary_inflow_m3 if wet is not wet1 else 0.0)
    top = wet1.totals["inflow_top_m3"]
    return EdgeGain(
        gain_m3_per_m=gain, infiltration_m3_per_m=float(top), runoff_m3_per_m=float(wet1.totals["runoff_m3"]),
        balance_error_rel=float(abs(storage_change - inflow) / max(abs(top), 1e-300)), cells=nx * nz,
        cpu_s=float((t1.user + t1.system) - (t0.user + t0.system)),
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
