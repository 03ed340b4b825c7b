"""1-D vertical Richards equation for many soil columns: mixed form, modified Picard, Numba.

Each column is solved on its own vertical grid of nodes (depth ``z`` positive downward, node 0
at the surface). The discretisation is a vertex-centred finite volume (equivalent to linear
finite elements with mass lumping, as in HYDRUS-1D): node ``i`` owns the control volume
``V_i = (dz_{i-1} + dz_i) / 2`` (half an interval at either end), internode conductivity is the
arithmetic mean, and the flux between nodes ``i`` and ``i+1`` (positive downward) is

    q_{i+1/2} = -K_{i+1/2} ((h_{i+1} - h_i) / dz_i - 1).

Time is backward Euler in the mixed (theta-h) form. The nonlinear system is solved with the
modified Picard iteration of Celia, Bouloutas & Zarba (1990): at iterate ``m`` the storage term
is linearised as ``theta^m + C^m (h^{m+1} - h^m)`` and conductivities are lagged, which gives a
tridiagonal system per column for the increment ``h^{m+1} - h^m`` (Thomas algorithm). Two
safeguards keep the iteration from cycling or blowing up; neither changes the converged
solution:

* each time a node's increment changes sign its relaxation factor is halved, and doubled back
  (up to 1) when it keeps its sign (lagged conductivities, a ponding surface node and sharply
  bending retention curves make plain Picard overshoot and cycle); increments below a hundredth
  of the tolerance are ignored for this (their sign is round-off);
* a wetting increment larger than half the suction of a dry node is applied to its water
  content instead (``theta^m + C^m dh``, the water the linear system stored there, with the head
  from the inverse retention curve): in dry soil ``C`` and ``K`` nearly vanish and the head
  increment alone overshoots by orders of magnitude (the idea behind primary-variable switching,
  e.g. Krabbenhoft 2007).

An iterate is converged when every head increment is below ``tol_h + tol_h_rel |h|`` and every
water-content change between iterates (pond included) below ``tol_theta``. In very dry soil,
where the capacity nearly vanishes and a millimetre of water spans metres of head, the head
increment of a node that is unsaturated and all but impermeable (``K < K_DRY``, 1e-12 m/s) counts
as converged whatever its size when its water-content change ``C |dh|`` is below ``tol_dry``
(1e-6): such a head moves neither water nor fluxes (HYDRUS-1D tests only the water content in
unsaturated nodes).

Mass conservation: the water content carried from step to step is the conserved quantity. At the
end of a step it is updated as the old value plus the divergence of the fluxes of the last
iterate (``theta_i += dt (q_{i-1/2} - q_{i+1/2}) / V_i``), so the water balance of every column
closes to round-off whatever the tolerances. It differs from ``theta(h)`` by the iteration error,
which the next step's first residual takes up; the largest difference, ``sum V |theta -
theta(h)|``, is reported per column (``F_MISMATCH``).

Time steps adapt to the iteration count (grow by ``dt_inc`` after at most ``iter_low``
iterations, shrink by ``dt_dec`` after ``iter_high`` or more, divide by 3 and retry on failure,
as in HYDRUS-1D), are limited by the largest water-content change per step, and are cut to land
on every forcing break and output time.

Boundary conditions
-------------------
Top, ``top_kind``:
  0 atmospheric: flux ``rain * rain_factor - evaporation`` into the surface node, which also
    stores ponded water (its storage is ``V_0 theta(h_0) + max(h_0, 0)``). When the pond would
    exceed ``h_surf`` (depression storage, m) the surface head is held at ``h_surf`` and the
    excess runs off; when evaporation would dry the surface below ``h_crit`` the head is held
    there. Each step switches back when the soil can take (or deliver) the potential flux.
  1 head: the surface head follows the series ``top_head`` (a prescribed head or pond depth; no
    pond storage is counted).
Bottom, ``bot_kind``: 0 free drainage (unit gradient, ``q = K``), 1 fixed head (a water table
at the bottom node with ``bot_head = 0``: drainage is recharge, a negative drainage capillary
rise), 2 zero flux.

Vegetation (forcing sets)
-------------------------
Each column belongs to a forcing set (``col_set``, a vegetation): the set gives the rain that
reaches the soil (throughfall after interception), the potential soil evaporation, the potential
transpiration ``Tp`` and the Feddes parameters. Run-on from sealed surfaces is a multiple of the
gross rain: a column receives ``throughfall + (rain_factor - 1) rain``. Root water uptake is the
sink ``S = alpha(h) b(z) Tp`` of :mod:`twin.kernels.soil_roots` with the profile's normalised root
density ``b`` (see :func:`_solve_step`); ``Tp - sum V S`` is not compensated elsewhere (plant
water stress).

Groups
------
Columns may carry a group (a sewer catchment) and a weight (their area, m2): the runoff,
drainage, evaporation and transpiration of every accepted step are added, times the weight, to
the group's sums for the forcing interval the step lies in, so hourly inflows to a sewer need no
per-column time series. The sums do not depend on the number of threads: the parallel tasks
are fixed by the columns (each runs columns of one group, in column order, into its own buffer)
and the buffers are added in task order after the parallel loop (see :func:`group_tasks`).

Accounting (per column, metres of water per unit column area, cumulated over the run): rain
supplied, infiltration (net flux into the column at the surface, positive down; for a head
boundary from the mass balance of the surface node), runoff, actual evaporation, drainage
(bottom flux out, positive down), actual and potential transpiration, storage (soil water plus
pond) at start and end. Both ``storage_end - storage_start = infiltration - drainage -
transpiration`` and ``rain - runoff - evaporation = infiltration`` hold to round-off.

Arrays in, arrays out: the caller allocates every output. Nothing here knows about files,
pandas or the scene.

References
----------
Celia, M.A., Bouloutas, E.T. & Zarba, R.L. (1990), A general mass-conservative numerical
solution for the unsaturated flow equation, Water Resour. Res. 26(7):1483-1496.
Krabbenhoft, K. (2007), An alternative to primary variable switching in saturated-unsaturated
flow computations, Adv. Water Resour. 30(3):483-492.
Simunek, J. et al. (2013), The HYDRUS-1D software package, version 4.17 (time-step control,
atmospheric boundary switching, surface ponding).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange
from twin.kernels.soil_hydraulics import head_from_theta, material_state_at, saturation_head
from twin.kernels.soil_roots import FD_H4, feddes_alpha, feddes_h3

# ---------------------------------------------------------------- solver options (opts[...])
O_DT_INIT = 0
O_DT_MIN = 1
O_DT_MAX = 2
O_TOL_H = 3  # absolute head tolerance, m
O_TOL_H_REL = 4  # relative head tolerance, -
O_TOL_THETA = 5  # water-content tolerance, -
O_MAX_ITER = 6
O_ITER_LOW = 7  # grow dt when converged in <= this many iterations
O_ITER_HIGH = 8  # shrink dt when it took >= this many
O_DT_INC = 9
O_DT_DEC = 10
O_H_SURF = 11  # largest pond depth before runoff (depression storage), m
O_H_CRIT = 12  # lowest surface head under evaporation, m
O_C_MIN = 13  # floor on the capacity in the iteration matrix, 1/m
O_DTHETA_MAX = 14  # largest water-content change per step (<= 0: no limit)
O_H_FLOOR = 15  # lowest head an iterate may take, m (guards the iteration in very dry soil)
O_MAX_STEPS = 16  # most step attempts (accepted + rejected) per column; <= 0: no limit
O_Z_OBS = 17  # depth of the observed top layer whose mean water content is output (C_THETA_OBS), m
O_TOL_DRY = 18  # a head increment changing theta by less than this counts as converged (very dry soil)
N_OPT = 19

# ---------------------------------------------------------------- per-column totals (flux[j, ...])
F_RAIN = 0  # water supplied at the top (rain x rain_factor), m
F_INFIL = 1  # net flux into the column at the surface, m
F_RUNOFF = 2  # m
F_EVAP = 3  # actual evaporation, m
F_DRAIN = 4  # flux out at the bottom (positive downward), m
F_STORAGE0 = 5  # water stored at the start (soil + pond), m
F_STORAGE1 = 6  # water stored at the end (soil + pond), m
F_STEPS = 7  # accepted time steps
F_ITERS = 8  # Picard iterations (accepted and rejected steps)
F_FAILS = 9  # steps accepted at dt_min without convergence
F_REJECTS = 10  # steps rejected and retried with a smaller dt
F_POND = 11  # pond depth at the end, m
F_MISMATCH = 12  # largest sum V |theta - theta(h)| after a step, m (conserved vs. retention-curve water)
F_STOPPED_S = 13  # time at which the column stopped on O_MAX_STEPS, s (-1: ran to the end)
F_TRANSP = 14  # actual transpiration (root water uptake), m
F_TRANSP_POT = 15  # potential transpiration, m
F_EVAP_POT = 16  # potential soil evaporation, m
F_CAPRISE = 17  # upward flux through the bottom (capillary rise from a water table), m, >= 0
N_FLUX = 18

# cumulated fluxes at output times (out_cum[o, j, ...])
C_RAIN = 0
C_INFIL = 1
C_RUNOFF = 2
C_EVAP = 3
C_DRAIN = 4
C_TRANSP = 5  # actual transpiration
C_TRANSP_POT = 6  # potential transpiration
C_THETA_OBS = 7  # a state: mean water content of the nodes down to O_Z_OBS (pond excluded), m3/m3
C_TRANSP_RATE = 8  # a state: actual transpiration rate of the last accepted step, m/s
N_CUM = 9

# per-interval sums over groups of columns (group_out[k, group, ...]), m3 (m x weight)
G_RUNOFF = 0
G_DRAIN = 1
G_EVAP = 2
G_TRANSP = 3
N_GSER = 4

TOP_ATMOSPHERIC = 0
TOP_HEAD = 1
BOT_FREE = 0
BOT_HEAD = 1
BOT_ZERO = 2

# top-boundary state of an atmospheric column (top_mode[j])
MODE_FLUX = 0
MODE_PONDED = 1
MODE_DRY = 2

THETA_UPDATE_MIN_SUCTION = 0.01
"""A wetting increment larger than half the suction, at a node drier than this (m), is applied to
theta instead of h (see ``_solve_step``)."""

OMEGA_MIN = 1.0 / 64.0
"""Smallest under-relaxation factor of an oscillating node."""

CHORD_MIN_DTHETA = 1.0e-5
"""The chord capacity replaces the tangent only when the iterate changed theta by more than this
(smaller differences are round-off)."""

OSC_MIN = 0.01
"""Sign changes of increments below this fraction of the head tolerance are noise, not
oscillation, and do not relax the node."""

PONDING_MARGIN_M = 1.0e-3
"""A flux step floods the surface (and switches to runoff) when the pond exceeds the depression
storage by more than this (m); the margin keeps an under-converged surface head from flipping
the boundary back and forth."""

K_DRY = 1.0e-12
"""Conductivity (m/s) below which an unsaturated node's head needs no convergence in itself
(0.1 micrometre a day: it carries no flux worth the name; see ``tol_dry`` in the module docstring)."""

SKIP_REL = 1.0e-13
"""Properties are not re-evaluated at a node whose head moved by less than this x (1 + |h|)."""

N_WORK = 24
"""Rows of scratch per column (see :func:`run_column`)."""


# ---------------------------------------------------------------- argument groups (NamedTuples)
# Numba passes a NamedTuple of arrays by value, like the arrays it holds; build them with Python
# int, float and bool scalars (or int64 / float64 array elements) so every call shares one
# compiled version.


class ColumnGrid(NamedTuple):
    """A column's grid and soil, for :func:`_solve_step`: ``nn`` nodes, control volumes ``vol``,
    intervals ``dz`` and their inverses ``inv_dz`` (m, 1/m), material row ``mat`` of each node
    in ``mat_params`` / ``tables``, and ``pond``: the surface node stores ponded water."""

    nn: int
    vol: np.ndarray
    dz: np.ndarray
    inv_dz: np.ndarray
    mat: np.ndarray
    mat_params: np.ndarray
    tables: np.ndarray
    pond: bool


class StepState(NamedTuple):
    """The state a step starts from and the one it ends with (see :func:`_solve_step`)."""

    h_old: np.ndarray
    theta_old: np.ndarray
    th_h_old: np.ndarray
    cap_old: np.ndarray
    k_old: np.ndarray
    h: np.ndarray
    theta: np.ndarray
    cap: np.ndarray
    kn: np.ndarray
    kf: np.ndarray
    theta_new: np.ndarray


class StepBoundary(NamedTuple):
    """A step's boundary conditions: ``top_dirichlet`` (the surface head is ``top_value``, m;
    otherwise ``top_value`` is the flux into the surface node, m/s, positive down), ``bot_kind``
    (``BOT_*``) and ``bot_head`` (m)."""

    top_dirichlet: bool
    top_value: float
    bot_kind: int
    bot_head: float


class StepRoots(NamedTuple):
    """Root water uptake of a step: normalised root density ``root`` (1/m), ``n_root`` rooted
    nodes, potential transpiration ``tp`` (m/s), Feddes parameters ``fed``, water content at
    wilting ``theta_wilt``; ``sink`` (out), ``dsink`` and ``cap_sink`` (scratch)."""

    root: np.ndarray
    n_root: int
    tp: float
    fed: np.ndarray
    theta_wilt: np.ndarray
    sink: np.ndarray
    dsink: np.ndarray
    cap_sink: np.ndarray


class StepScratch(NamedTuple):
    """Scratch rows of :func:`_solve_step` (face conductances, matrix, fluxes, right-hand side,
    elimination, previous increments, relaxation factors)."""

    gface: np.ndarray
    diag: np.ndarray
    qface: np.ndarray
    rhs: np.ndarray
    cprime: np.ndarray
    dprev: np.ndarray
    omega: np.ndarray


class ColumnSpec(NamedTuple):
    """One column for :func:`run_column`: node depths ``z`` (m) of ``nn`` nodes, material row
    ``mat`` and root density ``root`` (1/m) of each node, depression storage ``h_surf`` (m),
    ``top_kind`` and ``bot_kind`` (``TOP_*``, ``BOT_*``), ``bot_head`` (m), run-on multiplier
    ``rain_factor``, and the ``group`` (-1: none) and ``weight`` (m2) of its fluxes in
    ``group_out``."""

    z: np.ndarray
    nn: int
    mat: np.ndarray
    root: np.ndarray
    h_surf: float
    top_kind: int
    bot_kind: int
    bot_head: float
    rain_factor: float
    group: int
    weight: float


class ColumnForcing(NamedTuple):
    """One column's forcing for :func:`run_column`: interval edges ``t_edges`` ((n_t + 1,), s),
    gross rain ``rain_m_s``, rain reaching the soil ``top_rain_m_s``, potential soil
    evaporation ``evap_m_s``, potential transpiration ``transp_m_s`` ((n_t,), m/s), Feddes
    parameters ``fed`` ((N_FEDDES,)) and the surface head of a head top ``top_head_m`` ((n_t,),
    m)."""

    t_edges: np.ndarray
    rain_m_s: np.ndarray
    top_rain_m_s: np.ndarray
    evap_m_s: np.ndarray
    transp_m_s: np.ndarray
    fed: np.ndarray
    top_head_m: np.ndarray


class ColumnOutputs(NamedTuple):
    """What :func:`run_column` writes for one column (see its parameters)."""

    h: np.ndarray
    top_mode: np.ndarray
    out_h: np.ndarray
    out_theta: np.ndarray
    out_cum: np.ndarray
    flux: np.ndarray
    group_out: np.ndarray


class Profiles(NamedTuple):
    """Soil profiles for :func:`richards_columns`: ``z`` ((n_prof, max_nodes) node depths, m),
    ``n`` ((n_prof,) nodes), ``mat`` (material rows), ``root`` (normalised root density, 1/m)
    and ``h_surf`` ((n_prof,) depression storage, m)."""

    z: np.ndarray
    n: np.ndarray
    mat: np.ndarray
    root: np.ndarray
    h_surf: np.ndarray


class Columns(NamedTuple):
    """Columns for :func:`richards_columns`, (n_col,) each: profile ``prof``, ``top`` and
    ``bot`` kinds, ``bot_head`` (m), run-on multiplier ``rain_factor``, forcing ``set``,
    ``group`` (-1: none) and ``weight`` (m2)."""

    prof: np.ndarray
    top: np.ndarray
    bot: np.ndarray
    bot_head: np.ndarray
    rain_factor: np.ndarray
    set: np.ndarray
    group: np.ndarray
    weight: np.ndarray


class Forcings(NamedTuple):
    """Forcing for :func:`richards_columns`: ``t_edges`` ((n_t + 1,), s), gross rain
    ``rain_m_s`` ((n_t,)), per forcing set ``set_rain_m_s``, ``set_evap_m_s``,
    ``set_transp_m_s`` ((n_set, n_t), m/s) and ``set_feddes`` ((n_set, N_FEDDES)), and the
    surface head of head tops ``top_head_m`` ((n_t,), m)."""

    t_edges: np.ndarray
    rain_m_s: np.ndarray
    set_rain_m_s: np.ndarray
    set_evap_m_s: np.ndarray
    set_transp_m_s: np.ndarray
    set_feddes: np.ndarray
    top_head_m: np.ndarray


class Outputs(NamedTuple):
    """What :func:`richards_columns` writes (see its parameters)."""

    h: np.ndarray
    top_mode: np.ndarray
    out_h: np.ndarray
    out_theta: np.ndarray
    out_cum: np.ndarray
    flux: np.ndarray
    group_out: np.ndarray


def default_options() -> np.ndarray:
    """Solver options (see the ``O_*`` indices) with the defaults used by twin."""
    opts = np.zeros(N_OPT)
    opts[O_DT_INIT] = 1.0
    opts[O_DT_MIN] = 1.0e-3
    opts[O_DT_MAX] = 3600.0
    opts[O_TOL_H] = 1.0e-2
    opts[O_TOL_H_REL] = 1.0e-4
    opts[O_TOL_THETA] = 1.0e-3
    opts[O_MAX_ITER] = 15
    opts[O_ITER_LOW] = 5
    opts[O_ITER_HIGH] = 8
    opts[O_DT_INC] = 1.3
    opts[O_DT_DEC] = 0.7
    opts[O_H_SURF] = 0.002
    opts[O_H_CRIT] = -100.0
    opts[O_C_MIN] = 1.0e-6
    opts[O_DTHETA_MAX] = 0.05
    opts[O_H_FLOOR] = -1.0e5
    opts[O_MAX_STEPS] = 0.0
    opts[O_Z_OBS] = 0.3
    opts[O_TOL_DRY] = 1.0e-6
    return opts


@jit(inline="always")
def _node_properties(i, h_i, mat, mat_params, tables, pond, vol0):
    """Theta, capacity and K of node ``i`` at head ``h_i``, the surface node of an atmospheric
    column (``pond``) also storing ponded water (``h_i > 0``) over its volume ``vol0``.

    Inlined into its callers, so the solver's inner loop passes no arrays per node (see
    :func:`material_state_at`)."""
    th, c, k = material_state_at(h_i, mat_params, tables, mat[i])
    if pond and i == 0 and h_i > 0.0:
        th += h_i / vol0
        c += 1.0 / vol0
    return th, c, k


@jit
def _node_state(i, h, mat, mat_params, tables, pond, vol, theta, cap, kn):
    """Store theta, capacity and K of node ``i`` at head ``h[i]`` (plus the pond at node 0)."""
    th, c, k = _node_properties(i, h[i], mat, mat_params, tables, pond, vol[0])
    theta[i] = th
    cap[i] = c
    kn[i] = k


@jit
def _solve_tridiagonal(first, last, diag, g, rhs, cw):
    """Solve rows ``first..last`` of the symmetric tridiagonal system with diagonal ``diag`` and
    off-diagonal ``-g[i]`` between rows ``i`` and ``i+1`` (diagonally dominant); the solution
    replaces ``rhs``, ``cw`` is scratch.

    Twisted (two-sided) Thomas elimination: the upper half is eliminated downwards and the lower
    half upwards in the same loop, so the two division chains overlap, and the halves meet in
    the middle (a 2 x 2 solve), then both back-substitute outwards. Same operation count as the
    one-sided sweep, about half its latency.
    """
    n_u = last - first + 1
    if n_u == 1:
        rhs[first] = rhs[first] / diag[first]
        return
    n_top = n_u // 2
    m = first + n_top - 1  # last row of the upper half
    # first rows of either half: no coupling to the fixed (or absent) neighbour; the running
    # cw and rhs of the previous row are carried in registers (a store and reload would add
    # to the latency of the division chain)
    inv = 1.0 / diag[first]
    cu = g[first] * inv  # x_i = y_i + cw_i x_{i+1}
    ru = rhs[first] * inv
    cw[first] = cu
    rhs[first] = ru
    inv = 1.0 / diag[last]
    cl = g[last - 1] * inv  # x_j = z_j + cw_j x_{j-1}
    rl = rhs[last] * inv
    cw[last] = cl
    rhs[last] = rl
    for k in range(1, n_top):
        i = first + k
        gi = g[i - 1]
        inv = 1.0 / (diag[i] - gi * cu)
        cu = g[i] * inv
        ru = (rhs[i] + gi * ru) * inv
        cw[i] = cu
        rhs[i] = ru
        j = last - k
        gj = g[j]
        inv = 1.0 / (diag[j] - gj * cl)
        cl = g[j - 1] * inv
        rl = (rhs[j] + gj * rl) * inv
        cw[j] = cl
        rhs[j] = rl
    if n_u - n_top > n_top:  # odd count: the lower half has one row more
        j = m + 1
        gj = g[j]
        inv = 1.0 / (diag[j] - gj * cl)
        cl = g[j - 1] * inv
        rl = (rhs[j] + gj * rl) * inv
        cw[j] = cl
        rhs[j] = rl
    # meet: x_m = y_m + cw_m x_{m+1} and x_{m+1} = z_{m+1} + cw_{m+1} x_m
    xm = (ru + cu * rl) / (1.0 - cu * cl)
    x_up = xm
    x_lo = rl + cl * xm
    rhs[m] = x_up
    rhs[m + 1] = x_lo
    for i in range(m - 1, first - 1, -1):
        x_up = rhs[i] + cw[i] * x_up
        rhs[i] = x_up
    for j in range(m + 2, last + 1):
        x_lo = rhs[j] + cw[j] * x_lo
        rhs[j] = x_lo


@jit(inline="always")
def _update_sink(n_root, h, root, tp, h3, fed, cap_sink, sink, dsink):
    """``sink[i] = min(alpha(h_i) b_i Tp, cap_sink[i])`` (1/s) for the nodes with roots
    (``i < n_root``) and, in ``dsink``, its slope in ``h`` where uptake falls towards wilting
    (``h4 < h < h3`` and below the cap: ``b_i Tp / (h3 - h4)``, 1/(m s); zero elsewhere)."""
    h4 = fed[FD_H4]
    for i in range(n_root):
        if root[i] > 0.0:
            s_i = feddes_alpha(h[i], h3, fed) * root[i] * tp
            if s_i >= cap_sink[i]:
                sink[i] = cap_sink[i]
                dsink[i] = 0.0
            else:
                sink[i] = s_i
                if h4 < h[i] < h3:
                    dsink[i] = root[i] * tp / (h3 - h4)
                else:
                    dsink[i] = 0.0
        else:
            sink[i] = 0.0
            dsink[i] = 0.0


@jit
def _solve_step(grid, state, bnd, roots, dt, opts, scratch):
    """One backward-Euler step by modified Picard. Returns (converged, iterations, q_top, q_bot, ta).

    ``grid`` is a :class:`ColumnGrid`, ``state`` a :class:`StepState`, ``bnd`` a
    :class:`StepBoundary`, ``roots`` a :class:`StepRoots`, ``scratch`` a :class:`StepScratch`;
    ``dt`` the step, s, ``opts`` the solver options. In ``state``, ``theta_old`` is the conserved water content at the start of the step; ``th_h_old``,
    ``cap_old``, ``k_old`` the properties at ``h_old``. ``h``, ``theta``, ``cap``, ``kn`` come back
    at the last iterate and ``theta_new`` holds the conserved water content at the end of the step
    (the start value plus the divergence of the fluxes, minus the root uptake). ``top_dirichlet``
    fixes ``h[0] = top_value``; otherwise ``top_value`` is the flux into the surface node (m/s,
    positive down).

    Root water uptake (``tp > 0`` and ``n_root > 0``): the sink ``S_i = alpha(h_i) b_i Tp`` of
    :mod:`twin.kernels.soil_roots` is evaluated at the current iterate (as HYDRUS-1D does), and
    where uptake falls towards wilting its slope ``dS/dh`` joins the diagonal of the iteration
    matrix (a Newton term: in dry soil the capacity nearly vanishes and a lagged sink alone makes
    the heads swing across ``h4`` from iterate to iterate; the converged solution is the same).
    The conservative update and the returned actual transpiration ``ta = sum V_i S_i`` (m/s) use
    the sink at the final heads, so the water balance closes to round-off and ``ta`` is the
    uptake at the heads the step ends with. A node gives the roots in one step at most the water
    it held above the wilting point at the start of the step (``theta_old - theta(h4)``, the
    latter in ``theta_wilt``): in dry sand, where a millimetre of water spans tens of metres of
    head, the heads alone would let the roots overdraw a node and the iteration would chase it
    across ``h4``. ``sink`` holds the sink, ``dsink`` is scratch.
    """
    nn, vol, dz, inv_dz, mat, mat_params, tables, pond = grid
    h_old, theta_old, th_h_old, cap_old, k_old, h, theta, cap, kn, kf, theta_new = state
    top_dirichlet, top_value, bot_kind, bot_head = bnd
    root, n_root, tp, fed, theta_wilt, sink, dsink, cap_sink = roots
    gface, diag, qface, rhs, cprime, dprev, omega = scratch
    tol_h = opts[O_TOL_H]
    tol_h_rel = opts[O_TOL_H_REL]
    tol_theta = opts[O_TOL_THETA]
    tol_dry = opts[O_TOL_DRY]
    max_iter = int(opts[O_MAX_ITER])
    c_min = opts[O_C_MIN]
    h_floor = opts[O_H_FLOOR]
    for i in range(nn):
        h[i] = h_old[i]
        theta[i] = th_h_old[i]
        cap[i] = cap_old[i]
        kn[i] = k_old[i]
    first = 0
    last = nn - 1
    if top_dirichlet:
        first = 1
        h[0] = top_value
        _node_state(0, h, mat, mat_params, tables, pond, vol, theta, cap, kn)
    if bot_kind == 1:
        last = nn - 2
        h[nn - 1] = bot_head
        _node_state(nn - 1, h, mat, mat_params, tables, pond, vol, theta, cap, kn)
    uptake = tp > 0.0 and n_root > 0
    h3 = 0.0
    if uptake:
        h3 = feddes_h3(tp, fed)
        for i in range(n_root):
            # the water above the wilting point the node holds at the start of the step, per second
            cap_sink[i] = max(theta_old[i] - theta_wilt[i], 0.0) / dt
    else:
        for i in range(n_root):
            sink[i] = 0.0
    converged = False
    iterations = 0
    k_bottom = kn[nn - 1]
    inv_dt = 1.0 / dt
    for it in range(max_iter):
        iterations = it + 1
        # face conductance g = K_{i+1/2} / dz_i and flux q_{i+1/2} = g (h_i - h_{i+1}) + K_{i+1/2}
        # (positive down), each computed once per face
        for i in range(nn - 1):
            k_face = 0.5 * (kn[i] + kn[i + 1])
            kf[i] = k_face
            g = k_face * inv_dz[i]
            gface[i] = g
            qface[i] = g * (h[i] - h[i + 1]) + k_face
        k_bottom = kn[nn - 1]
        if uptake:
            _update_sink(n_root, h, root, tp, h3, fed, cap_sink, sink, dsink)
        # assemble the increment system for the unknown nodes first..last: storage plus
        # conductances on the diagonal, the flux divergence (and the lagged sink) as residual; the
        # off-diagonal of the row pair (i, i+1) is -g_i (zero towards a fixed node, which the sweep
        # never reads)
        for i in range(first, last + 1):
            w = vol[i] * inv_dt
            d = w * max(c_min, cap[i])
            r = w * (theta_old[i] - theta[i])
            if i > 0:
                d += gface[i - 1]
                r += qface[i - 1]
            else:
                r += top_value
            if i < nn - 1:
                d += gface[i]
                r -= qface[i]
            elif bot_kind == 0:
                r -= k_bottom
            if uptake and i < n_root:
                r -= vol[i] * sink[i]
                d += vol[i] * dsink[i]
            diag[i] = d
            rhs[i] = r
        _solve_tridiagonal(first, last, diag, gface, rhs, cprime)
        # update, refresh properties, test convergence on the head and water-content changes;
        # every node starts the step unrelaxed, with no previous increment (omega and dprev of
        # the fixed nodes are never read)
        done = True
        for i in range(first, last + 1):
            delta = rhs[i]
            hi = h[i]
            tol_i = tol_h + tol_h_rel * abs(hi)
            if it == 0:
                omega[i] = 1.0
            elif abs(delta) > OSC_MIN * tol_i:
                if delta * dprev[i] < 0.0:
                    if omega[i] > OMEGA_MIN:
                        omega[i] *= 0.5  # under-relax a node that oscillates (fixed point unchanged)
                elif omega[i] < 1.0:
                    omega[i] = min(1.0, 2.0 * omega[i])  # and relax it less once it moves one way
            dprev[i] = delta
            delta *= omega[i]
            if delta > -0.5 * hi and hi < -THETA_UPDATE_MIN_SUCTION:
                if hi < saturation_head(mat_params[mat[i]]):
                    # a dry node the linearisation wants to flood: step its water content instead,
                    # theta^m + C^m dh (what the linear system stored), and take the head from it
                    # (the saturation head if that water fills it)
                    target = theta[i] + cap[i] * delta
                    delta = head_from_theta(target, mat_params[mat[i]]) - hi
                    delta = max(delta, 0.0)
            if hi + delta < h_floor:
                delta = h_floor - hi
            hn = hi + delta
            h[i] = hn
            if abs(delta) > SKIP_REL * (1.0 + abs(hn)):
                th, c, k_i = _node_properties(i, hn, mat, mat_params, tables, pond, vol[0])
                dth = th - theta[i]
                theta[i] = th
                cap[i] = c
                kn[i] = k_i
                if abs(dth) > tol_theta:
                    done = False
                if abs(dth) > CHORD_MIN_DTHETA:
                    # secant (chord) capacity of the last increment for the next iterate
                    cap[i] = dth / delta
            if abs(delta) > tol_i:
                # a head increment counts, unless the node is unsaturated, all but impermeable and
                # the increment moves a negligible amount of water (very dry soil)
                if abs(delta) * cap[i] > tol_dry or hn >= saturation_head(mat_params[mat[i]]) or kn[i] > K_DRY:
                    done = False
        if done:
            converged = True
            break
    # the sink at the final heads: what the conservative update removes and what is reported
    ta = 0.0
    if uptake:
        _update_sink(n_root, h, root, tp, h3, fed, cap_sink, sink, dsink)
        for i in range(n_root):
            ta += vol[i] * sink[i]
    # conservative update with the fluxes of the last iterate (lagged conductivities kf): the
    # water content carried to the next step is the old one plus the divergence of the fluxes
    # minus the uptake, so the balance closes to round-off; it differs from theta(h) by the
    # iteration tolerance
    for i in range(nn):
        theta_new[i] = theta[i]
    q_prev = top_value
    if top_dirichlet:
        q_prev = kf[0] * (inv_dz[0] * (h[0] - h[1]) + 1.0)
    q_top = q_prev
    if top_dirichlet:
        q_top = q_prev + vol[0] * (theta[0] - theta_old[0]) / dt
        if uptake and n_root > 0:
            q_top += vol[0] * sink[0]
    for i in range(first, last + 1):
        if i < nn - 1:
            q_next = kf[i] * (inv_dz[i] * (h[i] - h[i + 1]) + 1.0)
        elif bot_kind == 0:
            q_next = k_bottom
        else:
            q_next = 0.0
        s_i = sink[i] if (uptake and i < n_root) else 0.0
        theta_new[i] = theta_old[i] + dt * ((q_prev - q_next) / vol[i] - s_i)
        q_prev = q_next
    if bot_kind == 1:
        q_bot = q_prev - vol[nn - 1] * (theta[nn - 1] - theta_old[nn - 1]) / dt
        if uptake and nn - 1 < n_root:
            q_bot -= vol[nn - 1] * sink[nn - 1]
    else:
        q_bot = q_prev
    return converged, iterations, q_top, q_bot, ta


@jit(inline="always")
def step_toward(t, dt, t_break):
    """The step to try from ``t`` with the step size ``dt`` before a break at ``t_break`` (an
    output time or a forcing edge): land on the break, or halve the remaining interval when one
    full step would leave a sliver shorter than ``dt``, s."""
    if t + dt >= t_break:
        return t_break - t
    if t + 2.0 * dt > t_break:
        return 0.5 * (t_break - t)
    return dt


@jit
def _write_output(o, nn, z, h, theta, vol, pond, cums, z_obs, ta_rate, out_h, out_theta, out_cum):
    if out_h.shape[0] > 0:
        for i in range(nn):
            out_h[o, i] = h[i]
            out_theta[o, i] = theta[i]
        if pond and h[0] > 0.0:
            out_theta[o, 0] = theta[0] - h[0] / vol[0]
    for c in range(C_THETA_OBS):
        out_cum[o, c] = cums[c]
    # mean water content of the nodes down to z_obs (each with its control volume), pond excluded
    wsum = 0.0
    vsum = 0.0
    for i in range(nn):
        if z[i] > z_obs + 1e-12 and i > 0:
            break
        th = theta[i]
        if i == 0 and pond and h[0] > 0.0:
            th -= h[0] / vol[0]
        wsum += vol[i] * th
        vsum += vol[i]
    out_cum[o, C_THETA_OBS] = wsum / vsum
    out_cum[o, C_TRANSP_RATE] = ta_rate


@jit
def run_column(col, mat_params, tables, forcing, out_times, opts, outputs, work):
    """Integrate one column from ``t_edges[0]`` to ``t_edges[-1]``.

    ``col`` is a :class:`ColumnSpec` (``z``, ``nn``, ``mat``, ``root``, ``h_surf``, ``top_kind``,
    ``bot_kind``, ``bot_head``, ``rain_factor``, ``group``, ``weight``), ``forcing`` a
    :class:`ColumnForcing` (``t_edges``, ``rain_m_s``, ``top_rain_m_s``, ``evap_m_s``,
    ``transp_m_s``, ``fed``, ``top_head_m``), ``outputs`` a :class:`ColumnOutputs` (``h``,
    ``top_mode``, ``out_h``, ``out_theta``, ``out_cum``, ``flux``, ``group_out``).

    Parameters
    ----------
    z : (nn,) node depths, m, increasing from 0 at the surface.
    nn : number of nodes (>= 3).
    mat : (nn,) material row of each node in ``mat_params``.
    tables : (n_mat, TABLE_N_SEG, TABLE_N_COEF) hydraulic tables (see ``richards_columns``).
    root : (nn,) normalised root density b_i, 1/m (``sum vol_i b_i = 1``; all zero: no roots).
    h_surf : depression storage of this column (pond depth before runoff), m.
    top_kind, bot_kind : boundary kinds (``TOP_*``, ``BOT_*``).
    bot_head : head of a fixed-head bottom, m.
    rain_factor : run-on multiplier: the column receives ``top_rain + (rain_factor - 1) rain``.
    t_edges : (n_t + 1,) forcing interval edges, s.
    rain_m_s : (n_t,) gross rain (the run-on share is a multiple of it), m/s.
    top_rain_m_s, evap_m_s, transp_m_s : (n_t,) this column's rain reaching the soil (throughfall),
        potential soil evaporation and potential transpiration, m/s.
    fed : (N_FEDDES,) Feddes parameters of the column's vegetation (``soil_roots``).
    top_head_m : (n_t,) surface head of a head top boundary, m.
    out_times : (n_out,) output times, s.
    opts : (N_OPT,) solver options.
    h : (nn,) head, m: the initial condition in, the final state out.
    top_mode : (1,) top-boundary state of an atmospheric column (``MODE_*``), in and out.
    out_h, out_theta : (n_out, nn) profiles at the output times (not written when
        ``out_h.shape[0] == 0``); theta excludes the pond.
    out_cum : (n_out, N_CUM) cumulated fluxes (and the states ``C_THETA_OBS``, ``C_TRANSP_RATE``)
        at the output times, m.
    flux : (N_FLUX,) totals, m (see ``F_*``).
    work : (N_WORK, nn) scratch.
    group_out : (n_t, n_group, N_GSER) per-interval sums of this task (``G_*``), m3; not written
        when ``group < 0`` or ``n_group == 0``.
    group, weight : the column's group and the weight (area, m2) of its fluxes in ``group_out``.
    """
    z, nn, mat, root, h_surf, top_kind, bot_kind, bot_head, rain_factor, group, weight = col
    t_edges, rain_m_s, top_rain_m_s, evap_m_s, transp_m_s, fed, top_head_m = forcing
    h, top_mode, out_h, out_theta, out_cum, flux, group_out = outputs
    vol = work[0]
    dz = work[1]
    h_old = work[2]
    theta_old = work[3]
    cap_old = work[4]
    k_old = work[5]
    theta = work[6]
    cap = work[7]
    kn = work[8]
    kf = work[9]
    gface = work[10]
    diag = work[11]
    qface = work[12]
    rhs = work[13]
    cprime = work[14]
    dprev = work[15]
    omega = work[16]
    th_h_old = work[17]
    theta_new = work[18]
    inv_dz = work[19]
    sink = work[20]
    dsink = work[21]
    cap_sink = work[22]
    theta_wilt = work[23]
    for i in range(nn - 1):
        dz[i] = z[i + 1] - z[i]
        inv_dz[i] = 1.0 / dz[i]
    for i in range(nn):
        v = 0.0
        if i > 0:
            v += 0.5 * dz[i - 1]
        if i < nn - 1:
            v += 0.5 * dz[i]
        vol[i] = v
        sink[i] = 0.0
    n_root = 0
    for i in range(nn):
        if root[i] > 0.0:
            n_root = i + 1
    for i in range(n_root):
        # water content at the wilting point (h4) of each rooted node, soil only
        theta_wilt[i] = material_state_at(fed[FD_H4], mat_params, tables, mat[i])[0]
    for f in range(N_FLUX):
        flux[f] = 0.0
    flux[F_STOPPED_S] = -1.0
    max_steps = opts[O_MAX_STEPS]
    pond = top_kind == 0
    n_t = rain_m_s.shape[0]
    n_out = out_times.shape[0]
    dt_min = opts[O_DT_MIN]
    dt_max = opts[O_DT_MAX]
    iter_low = opts[O_ITER_LOW]
    iter_high = opts[O_ITER_HIGH]
    dtheta_max = opts[O_DTHETA_MAX]
    h_crit = opts[O_H_CRIT]
    z_obs = opts[O_Z_OBS]
    grouped = group >= 0 and group_out.shape[1] > 0
    grid = ColumnGrid(nn, vol, dz, inv_dz, mat, mat_params, tables, pond)
    state = StepState(h_old, theta_old, th_h_old, cap_old, k_old, h, theta, cap, kn, kf, theta_new)
    scratch = StepScratch(gface, diag, qface, rhs, cprime, dprev, omega)

    for i in range(nn):
        _node_state(i, h, mat, mat_params, tables, pond, vol, th_h_old, cap_old, k_old)
        theta_old[i] = th_h_old[i]
    storage = 0.0
    for i in range(nn):
        storage += vol[i] * theta_old[i]
    flux[F_STORAGE0] = storage
    cums = np.zeros(N_CUM)
    ta_rate = 0.0

    t = t_edges[0]
    t_end = t_edges[n_t]
    k = 0
    o = 0
    while o < n_out and out_times[o] <= t:
        _write_output(o, nn, z, h, theta_old, vol, pond, cums, z_obs, ta_rate, out_h, out_theta, out_cum)
        o += 1
    dt = opts[O_DT_INIT]
    mode = top_mode[0]
    while t < t_end and k < n_t:
        if max_steps > 0.0 and flux[F_STEPS] + flux[F_REJECTS] >= max_steps:
            flux[F_STOPPED_S] = t
            break
        t_break = t_edges[k + 1]
        if o < n_out and out_times[o] < t_break:
            t_break = out_times[o]
        dt_try = step_toward(t, dt, t_break)
        r_in = top_rain_m_s[k] + (rain_factor - 1.0) * rain_m_s[k]
        r_in = max(r_in, 0.0)
        e_pot = evap_m_s[k]
        tp = transp_m_s[k]
        q_pot = r_in - e_pot
        for i in range(nn):
            h_old[i] = h[i]
        # solve, switching the top boundary until it is consistent (at most 3 tries)
        converged = False
        iters = 0
        q_top = 0.0
        q_bot = 0.0
        ta = 0.0
        for _attempt in range(3):
            if top_kind == 1:
                dirichlet = True
                value = top_head_m[k]
            elif mode == 0:
                dirichlet = False
                value = q_pot
            elif mode == 1:
                dirichlet = True
                value = h_surf
            else:
                dirichlet = True
                value = h_crit
            converged, iters, q_top, q_bot, ta = _solve_step(
                grid, state, StepBoundary(dirichlet, value, bot_kind, bot_head), StepRoots(root, n_root, tp, fed, theta_wilt, sink, dsink, cap_sink),
                dt_try, opts, scratch)
            flux[F_ITERS] += iters
            if top_kind == 1:
                break
            # a flux step that floods (or dries) the surface switches even when it did not
            # converge: the surface head is what stalls the iteration
            if mode == 0:
                if h[0] > h_surf + PONDING_MARGIN_M:
                    mode = 1
                elif h[0] < h_crit:
                    mode = 2
                else:
                    break
            elif mode == 1:
                if converged and q_top > q_pot:
                    mode = 0
                else:
                    break
            else:
                if converged and q_top < q_pot:
                    mode = 0
                else:
                    break
        if not converged and dt_try > dt_min:
            # reject: restore the state and retry with a third of the step
            for i in range(nn):
                h[i] = h_old[i]
            flux[F_REJECTS] += 1.0
            dt = dt_try / 3.0
            dt = max(dt, dt_min)
            continue
        if not converged:
            flux[F_FAILS] += 1.0
        # accept; the surface balance supplied - runoff - evaporation = q_top is exact
        if top_kind == 1:
            supplied = 0.0
            runoff = 0.0
            evap = 0.0
        elif mode == 0:
            supplied = r_in
            runoff = 0.0
            evap = e_pot
        elif mode == 1:
            supplied = r_in
            runoff = q_pot - q_top
            runoff = max(runoff, 0.0)
            evap = supplied - runoff - q_top
        else:
            supplied = r_in
            runoff = 0.0
            evap = r_in - q_top
        cums[C_RAIN] += supplied * dt_try
        cums[C_INFIL] += q_top * dt_try
        cums[C_RUNOFF] += runoff * dt_try
        cums[C_EVAP] += evap * dt_try
        cums[C_DRAIN] += q_bot * dt_try
        cums[C_TRANSP] += ta * dt_try
        cums[C_TRANSP_POT] += tp * dt_try
        ta_rate = ta
        if top_kind == 0:
            flux[F_EVAP_POT] += e_pot * dt_try
        if q_bot < 0.0:
            flux[F_CAPRISE] -= q_bot * dt_try
        if grouped:
            group_out[k, group, G_RUNOFF] += weight * runoff * dt_try
            group_out[k, group, G_DRAIN] += weight * q_bot * dt_try
            group_out[k, group, G_EVAP] += weight * evap * dt_try
            group_out[k, group, G_TRANSP] += weight * ta * dt_try
        flux[F_STEPS] += 1.0
        dtheta_step = 0.0
        mismatch = 0.0
        for i in range(nn):
            d = abs(theta_new[i] - theta_old[i])
            dtheta_step = max(dtheta_step, d)
            mismatch += vol[i] * abs(theta_new[i] - theta[i])
            theta_old[i] = theta_new[i]
            th_h_old[i] = theta[i]
            cap_old[i] = cap[i]
            k_old[i] = kn[i]
        flux[F_MISMATCH] = max(flux[F_MISMATCH], mismatch)
        # next step size, from the step actually taken
        dt_next = max(dt, dt_try)
        if not converged:
            dt_next = dt_min
        elif iters <= iter_low:
            dt_next = dt_next * opts[O_DT_INC]
        elif iters >= iter_high:
            dt_next = dt_next * opts[O_DT_DEC]
        if dtheta_max > 0.0 and dtheta_step > dtheta_max:
            limit = dt_try * dtheta_max / dtheta_step
            dt_next = min(dt_next, limit)
        dt_next = min(dt_next, dt_max)
        dt_next = max(dt_next, dt_min)
        dt = dt_next
        if t + dt_try >= t_break:
            t = t_break
        else:
            t = t + dt_try
        if t >= t_edges[k + 1]:
            k += 1
        while o < n_out and out_times[o] <= t:
            _write_output(o, nn, z, h, theta_old, vol, pond, cums, z_obs, ta_rate, out_h, out_theta, out_cum)
            o += 1
    storage = 0.0
    for i in range(nn):
        storage += vol[i] * theta_old[i]
    flux[F_STORAGE1] = storage
    flux[F_RAIN] = cums[C_RAIN]
    flux[F_INFIL] = cums[C_INFIL]
    flux[F_RUNOFF] = cums[C_RUNOFF]
    flux[F_EVAP] = cums[C_EVAP]
    flux[F_DRAIN] = cums[C_DRAIN]
    flux[F_TRANSP] = cums[C_TRANSP]
    flux[F_TRANSP_POT] = cums[C_TRANSP_POT]
    flux[F_POND] = h[0] if (pond and h[0] > 0.0) else 0.0
    top_mode[0] = mode


@jit
def group_tasks(col_group, n_group, chunk, max_tasks):
    """Tasks of :func:`richards_columns` when columns carry groups: each task runs columns of one
    group (or of none), in column order, and sums its group's series in its own buffer.

    Parameters
    ----------
    col_group : (n_col,) group of each column (-1: none; ``>= n_group`` is treated as none).
    n_group : number of groups.
    chunk : columns per task; grouped tasks take more when there would be more than about
        ``max_tasks`` of them (each holds an (n_t, N_GSER) buffer).
    max_tasks : the cap above on the tasks of grouped columns (a problem constant, never the
        number of threads).

    Returns
    -------
    order : (n_col,) columns by group (the columns of no group last), in column order within one.
    task_start, task_stop : (n_task,) range of each task in ``order``.
    task_group : (n_task,) the task's group (-1: none).
    task_buffer : (n_task,) the task's buffer row (-1: none); grouped tasks come first, in group
        order, so the buffers of one group are consecutive and in column order.
    """
    n_col = col_group.shape[0]
    slot = np.empty(n_col, dtype=np.int64)
    count = np.zeros(n_group + 1, dtype=np.int64)
    for j in range(n_col):
        g = col_group[j]
        slot[j] = g if 0 <= g < n_group else n_group
        count[slot[j]] += 1
    offset = np.zeros(n_group + 2, dtype=np.int64)
    for g in range(n_group + 1):
        offset[g + 1] = offset[g] + count[g]
    order = np.empty(n_col, dtype=np.int64)
    fill = offset[:n_group + 1].copy()
    for j in range(n_col):
        order[fill[slot[j]]] = j
        fill[slot[j]] += 1
    n_grouped = offset[n_group]
    piece = max(chunk, (n_grouped + max_tasks - 1) // max_tasks)
    n_task = 0
    for g in range(n_group + 1):
        size = piece if g < n_group else chunk
        n_task += (count[g] + size - 1) // size
    task_start = np.empty(n_task, dtype=np.int64)
    task_stop = np.empty(n_task, dtype=np.int64)
    task_group = np.empty(n_task, dtype=np.int64)
    task_buffer = np.empty(n_task, dtype=np.int64)
    t = 0
    for g in range(n_group + 1):
        size = piece if g < n_group else chunk
        for start in range(offset[g], offset[g + 1], size):
            task_start[t] = start
            task_stop[t] = min(start + size, offset[g + 1])
            task_group[t] = g if g < n_group else -1
            task_buffer[t] = t if g < n_group else -1
            t += 1
    return order, task_start, task_stop, task_group, task_buffer


GROUP_TASKS_MAX = 256
"""At most about this many tasks of grouped columns (plus one per group): the memory of their
series buffers, ``(GROUP_TASKS_MAX + n_group) x n_t x N_GSER`` floats, stays near that of one
``(n_t, n_group, N_GSER)`` series plus 256 columns' series."""


@jit_parallel
def richards_columns(profiles, mat_params, tables, columns, forcings, out_times, opts, outputs, chunk):
    """Run every column over the whole forcing period, in parallel over chunks of columns.

    ``profiles`` is a :class:`Profiles` (``prof_z``, ``prof_n``, ``prof_mat``, ``prof_root``,
    ``prof_h_surf`` below), ``columns`` a :class:`Columns` (``col_prof``, ``col_top``, ``col_bot``,
    ``col_bot_head``, ``col_rain_factor``, ``col_set``, ``col_group``, ``col_weight``),
    ``forcings`` a :class:`Forcings` (``t_edges``, ``rain_m_s``, ``set_rain_m_s``,
    ``set_evap_m_s``, ``set_transp_m_s``, ``set_feddes``, ``top_head_m``), ``outputs`` an
    :class:`Outputs` (``h``, ``top_mode``, ``out_h``, ``out_theta``, ``out_cum``, ``flux``,
    ``group_out``).

    The group sums do not depend on the number of threads nor on which thread took which
    column: when there are groups, the tasks are :func:`group_tasks` (each runs columns of one
    group, in column order, into its own buffer; the tasks are fixed by the columns, ``chunk``
    and ``GROUP_TASKS_MAX``), and after the parallel loop the buffers are added into
    ``group_out`` one after the other in task order. Per-column outputs do not depend on the
    tasks either (a column runs on one thread).

    Parameters
    ----------
    prof_z : (n_prof, max_nodes) node depths of each profile, m (first ``prof_n[p]`` used).
    prof_n : (n_prof,) number of nodes of each profile.
    prof_mat : (n_prof, max_nodes) material row of each node.
    prof_root : (n_prof, max_nodes) normalised root density of each node, 1/m (zero: no roots).
    prof_h_surf : (n_prof,) depression storage (pond depth before runoff) of each profile, m.
    mat_params : (n_mat, N_PARAM) hydraulic parameters (see ``soil_hydraulics``).
    tables : (n_mat, TABLE_N_SEG, TABLE_N_COEF) hydraulic tables (``soil_hydraulics.build_tables``),
        used for rows with ``p[8] != 0``.
    col_prof, col_top, col_bot : (n_col,) profile, top kind and bottom kind of each column.
    col_bot_head : (n_col,) bottom head for ``bot_kind == 1``, m.
    col_rain_factor : (n_col,) run-on multiplier of the gross rain (>= 1 receives run-on).
    col_set : (n_col,) forcing set (vegetation) of each column: a row of the ``set_*`` arrays.
    col_group, col_weight : (n_col,) group (-1: none) and weight (m2) in ``group_out``.
    t_edges : (n_t + 1,) forcing interval edges, s.
    rain_m_s : (n_t,) gross rain, m/s.
    set_rain_m_s, set_evap_m_s, set_transp_m_s : (n_set, n_t) rain reaching the soil, potential
        soil evaporation and potential transpiration of each set, m/s.
    set_feddes : (n_set, N_FEDDES) Feddes parameters of each set.
    top_head_m : (n_t,) piecewise-constant surface head (head top boundary).
    out_times : (n_out,) output times, s, sorted, within ``t_edges``.
    opts : (N_OPT,) solver options (:func:`default_options`).
    h : (n_col, max_nodes) initial head in, final head out, m.
    top_mode : (n_col,) top-boundary state in and out (0 at the start).
    out_h, out_theta : (n_out, n_col, max_nodes), or a zero-length first axis to skip profiles.
    out_cum : (n_out, n_col, N_CUM) cumulated fluxes and states at the output times (float64 or
        float32).
    flux : (n_col, N_FLUX) totals per column.
    group_out : (n_t, n_group, N_GSER) sums over groups of columns, zeros on entry (the sums
        are added to it); none are summed when n_group or n_t is 0.
    chunk : columns per task (each task allocates its scratch once; threads take whole tasks;
        the caller sets Numba's parallel chunk size to 1 so that a thread takes the next task
        when it is free: the cost of a column varies by orders of magnitude).
    """
    prof_z, prof_n, prof_mat, prof_root, prof_h_surf = profiles
    col_prof, col_top, col_bot, col_bot_head, col_rain_factor, col_set, col_group, col_weight = columns
    t_edges, rain_m_s, set_rain_m_s, set_evap_m_s, set_transp_m_s, set_feddes, top_head_m = forcings
    h, top_mode, out_h, out_theta, out_cum, flux, group_out = outputs
    n_col = col_prof.shape[0]
    max_nodes = prof_z.shape[1]
    n_t_group = group_out.shape[0]
    n_group = group_out.shape[1] if n_t_group > 0 else 0
    if n_group == 0:
        n_chunks = (n_col + chunk - 1) // chunk
        for c in prange(n_chunks):
            work = np.zeros((N_WORK, max_nodes))
            start = c * chunk
            stop = min(start + chunk, n_col)
            for j in range(start, stop):
                p = col_prof[j]
                s = col_set[j]
                run_column(
                    ColumnSpec(prof_z[p], prof_n[p], prof_mat[p], prof_root[p], prof_h_surf[p], col_top[j], col_bot[j],
                               col_bot_head[j], col_rain_factor[j], -1, col_weight[j]),
                    mat_params, tables,
                    ColumnForcing(t_edges, rain_m_s, set_rain_m_s[s], set_evap_m_s[s], set_transp_m_s[s], set_feddes[s], top_head_m),
                    out_times, opts,
                    ColumnOutputs(h[j], top_mode[j:j + 1], out_h[:, j, :], out_theta[:, j, :], out_cum[:, j, :], flux[j], group_out),
                    work,
                )
        return
    order, task_start, task_stop, task_group, task_buffer = group_tasks(col_group, n_group, chunk, GROUP_TASKS_MAX)
    n_buffer = 0
    for t in range(task_buffer.shape[0]):
        n_buffer += task_buffer[t] >= 0
    buffers = np.zeros((max(n_buffer, 1), n_t_group, 1, N_GSER))
    for t in prange(task_start.shape[0]):
        work = np.zeros((N_WORK, max_nodes))
        in_group = 0 if task_group[t] >= 0 else -1
        b = max(task_buffer[t], 0)
        for i in range(task_start[t], task_stop[t]):
            j = order[i]
            p = col_prof[j]
            s = col_set[j]
            run_column(
                ColumnSpec(prof_z[p], prof_n[p], prof_mat[p], prof_root[p], prof_h_surf[p], col_top[j], col_bot[j],
                           col_bot_head[j], col_rain_factor[j], in_group, col_weight[j]),
                mat_params, tables,
                ColumnForcing(t_edges, rain_m_s, set_rain_m_s[s], set_evap_m_s[s], set_transp_m_s[s], set_feddes[s], top_head_m),
                out_times, opts,
                ColumnOutputs(h[j], top_mode[j:j + 1], out_h[:, j, :], out_theta[:, j, :], out_cum[:, j, :], flux[j], buffers[b]),
                work,
            )
    # the buffers in task order: per group, its columns' sums in column order
    for t in range(task_start.shape[0]):
        b = task_buffer[t]
        if b < 0:
            continue
        g = task_group[t]
        for k in range(n_t_group):
            for q in range(N_GSER):
                group_out[k, g, q] += buffers[b, k, 0, q]
