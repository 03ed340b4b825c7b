"""3-D Richards equation on a block of soil: cell-centred finite volumes, mixed form, Numba.

The block is a structured grid of ``nx x ny x nz`` cells (uniform ``dx``, ``dy``; layer
thicknesses ``dz[k]``, layer 0 at the surface, depth positive downward as in the 1-D kernel
:mod:`twin.kernels.soil_richards`). Cell ``(i, j, k)`` is entry ``c = (k ny + j) nx + i`` of
every flat array. Every length is in metres, every time in seconds; the pressure head ``h`` in
metres of water, negative when unsaturated. The hydraulic functions are those of the 1-D kernel
(:func:`twin.kernels.soil_hydraulics.material_state_at`: van Genuchten-Mualem through the same
Hermite tables, Brooks-Corey, Haverkamp, and Gardner's exponential soil ``K = Ks exp(alpha h)``
with ``theta`` linear in ``K``).

Discretisation
--------------
Each cell is a control volume ``V = dx dy dz[k]`` with its head at the centre. The flux across
an interior face (positive from cell P to its neighbour N in +x, +y or below) is

    Q = K_f A ((h_P - h_N) / d + g),

``A`` the face area, ``d`` the distance between the centres, ``g = 1`` for a vertical face (the
elevation drop) and 0 for a lateral one, and ``K_f`` the arithmetic mean of the two cell
conductivities (as in the 1-D kernel and HYDRUS). Time is backward Euler in the mixed form,
``V (theta(h^{n+1}) - theta^n) / dt = sum of inflows``, solved with the modified Picard
iteration of Celia, Bouloutas & Zarba (1990): the storage is linearised as ``theta^m + C^m
(h^{m+1} - h^m)`` and the conductivities lagged, which gives for the increment a symmetric
positive definite 7-point system (capacity ``V max(C, c_min) / dt`` on the diagonal). It is
solved matrix-free by the conjugate gradient method with a Jacobi (diagonal) preconditioner,
written here in Numba (see "Linear solver"). As in the 1-D kernel, from the second iterate on a
cell's capacity is the chord of its last increment (``(theta^m - theta^{m-1}) / (h^m - h^{m-1})``,
when the water content moved by more than ``CHORD_MIN_DTHETA``), and a cell whose increment
changes sign is under-relaxed (factor halved, down to ``OMEGA_MIN``; doubled back once it moves
one way), and a dry cell the linearisation wants to flood (an increment above half its suction)
steps its water content by ``C dh`` and takes the head from it. Without them an iterate next to the air-entry kink (tangent capacity 0 above it,
about 0.08 1/m below it for a silt loam) jumped between the two sides, the step control shrank
the step to ``dt_min`` and accepted unconverged steps (issue 18: a 1 m block that never
finished; docs/soil_block_p18.md).

Boundary faces
--------------
A boundary face is one entry of the lists ``b_cell`` (the cell it bounds), ``b_side`` (0: x-,
1: x+, 2: y-, 3: y+, 4: top, 5: bottom), ``b_kind`` and ``b_value``:

* ``B_HEAD`` (0): Dirichlet, head ``b_value`` (m) on the face; the inflow is
  ``K_b A ((h_b - h_P) / (d / 2) + g_b)`` with ``K_b`` the mean of ``K(h_b)`` (the cell's
  material) and ``K_P``, ``d / 2`` the half cell, ``g_b = +1`` on the top, ``-1`` on the bottom.
* ``B_FLUX`` (1): Neumann, a flux ``b_value`` (m/s) into the block through the face.
* ``B_FREE`` (2): free drainage (unit gradient): an outflow ``K_P A`` through the face (bottom).
* ``B_RAIN`` (3): a rain flux ``b_value`` (m/s) into the block that ponds: while the soil can
  take it the face is a Neumann face; when the soil would take less than the rain with the face
  at ``h_pond`` (option ``O_H_POND``) plus a millimetre, it becomes a Dirichlet face at
  ``h_pond`` and the excess runs off; it returns to flux mode when the flooded face takes more
  than the rain. A flooded face never takes more than the rain (no water from an empty pond: if
  the switching has not settled after three tries, the excess is taken back from its cell's
  inflow, keeping the balance exact). The state is ``b_mode`` (in and out).

Faces on the outside of the block that are not listed are no-flow faces.

Mass conservation
-----------------
After the last iterate the fluxes are evaluated once more at the converged heads, and the water
content carried from step to step is updated as ``theta += dt sum(Q) / V``; every interior flux
is added to one cell and taken from the other, so the stored water changes by exactly the
boundary inflow, to round-off, whatever the iteration and linear-solver tolerances. ``theta``
differs from ``theta(h)`` by the iteration error, which the next step's residual takes up (as in
the 1-D kernel; the largest ``sum V |theta - theta(h)|`` is reported, ``T_MISMATCH``).

Time steps
----------
As in the 1-D kernel (HYDRUS-1D's rules): grow by ``dt_inc`` after at most ``iter_low``
iterations, shrink by ``dt_dec`` after ``iter_high`` or more, divide by 3 and retry when the
iteration does not converge within ``max_iter``, limit the largest water-content change per
step, and land on every output time.

Linear solver
-------------
The Picard matrix is symmetric positive definite (lagged conductivities, a positive capacity
term), so preconditioned conjugate gradients apply; matrix-free on the 7-point stencil it needs
seven arrays of the grid size and no assembly, and it stays inside the compiled loop (a SciPy
solver called from Python would cross the Python boundary at every Picard iterate of every
step). The Jacobi preconditioner is adequate while the capacity term dominates (the usual
case: steps of seconds to hours); for near-steady runs with large steps the iteration count
grows with the grid size (a limit documented in ``docs/soil_3d.md``). The iteration stops when
the largest residual is below ``lin_tol`` times the largest right-hand side entry.

Arrays in, arrays out: the caller allocates every output. Nothing here imports from ``twin``
outside the kernels or knows about files, pandas or the scene.

References
----------
Celia, M.A., Bouloutas, E.T. & Zarba, R.L. (1990), A general mass-conservative numerical
solution for the unsaturated flow equation, Water Resour. Res. 26(7):1483-1496.
Tracy, F.T. (2006), Clean two- and three-dimensional analytical solutions of Richards' equation
for testing numerical solvers, Water Resour. Res. 42, W08503, doi:10.1029/2005WR004638.
Simunek, J. et al. (2013), The HYDRUS-1D software package, version 4.17 (time-step control).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin.kernels import soil_richards as _R1
from twin.kernels.config import jit
from twin.kernels.soil_hydraulics import head_from_theta, material_state_at, saturation_head

# ---------------------------------------------------------------- solver options (opts[...])
O_DT_INIT = 0
O_DT_MIN = 1
O_DT_MAX = 2
O_TOL_H = 3  # absolute head tolerance, m
O_TOL_H_REL = 4  # relative head tolerance, -
O_TOL_THETA = 5  # water-content tolerance between iterates, -
O_MAX_ITER = 6
O_ITER_LOW = 7
O_ITER_HIGH = 8
O_DT_INC = 9
O_DT_DEC = 10
O_C_MIN = 11  # floor on the capacity in the iteration matrix, 1/m
O_DTHETA_MAX = 12  # largest water-content change per step (<= 0: no limit)
O_MAX_STEPS = 13  # most step attempts (accepted + rejected); <= 0: no limit
O_LIN_TOL = 14  # relative residual of the conjugate-gradient solve
O_LIN_MAX_ITER = 15  # most conjugate-gradient iterations per solve
O_H_POND = 16  # head of a flooded rain face (pond depth before runoff), m
N_OPT = 17

# ---------------------------------------------------------------- totals (totals[...])
T_STORAGE0 = 0  # water stored at the start, m3
T_STORAGE1 = 1  # water stored at the end, m3
T_STEPS = 2  # accepted time steps
T_ITERS = 3  # Picard iterations (accepted and rejected steps)
T_LIN_ITERS = 4  # conjugate-gradient iterations
T_REJECTS = 5  # steps rejected and retried with a smaller dt
T_FAILS = 6  # steps accepted at dt_min without convergence
T_MISMATCH = 7  # largest sum V |theta - theta(h)| after a step, m3
T_STOPPED_S = 8  # time at which the run stopped on O_MAX_STEPS, s (-1: ran to the end)
T_RAIN = 9  # water supplied by rain faces, m3
T_RUNOFF = 10  # rain that ran off flooded rain faces, m3
T_IN_SIDE = 11  # inflow through the faces of side s (0..5) at T_IN_SIDE + s, m3
N_TOT = T_IN_SIDE + 6

# cumulated inflow per side at the output times: out_cum[o, s] for s in 0..5, then rain, runoff
C_RAIN = 6
C_RUNOFF = 7
N_CUM = 8

SIDE_XLO = 0
SIDE_XHI = 1
SIDE_YLO = 2
SIDE_YHI = 3
SIDE_TOP = 4
SIDE_BOTTOM = 5

B_HEAD = 0
B_FLUX = 1
B_FREE = 2
B_RAIN = 3

N_WORK = 18
"""Rows of scratch of the grid size (see :func:`run_block`)."""

N_BWORK = 5
"""Rows of scratch per boundary face (see :func:`run_block`): area, half cell, elevation term,
Dirichlet coefficient, inflow."""


class Grid(NamedTuple):
    """The block's grid: ``nx x ny x nz`` cells of ``dx x dy`` (m) and layer thicknesses ``dz``
    ((nz,), m, layer 0 at the surface). Build it with Python ``int`` and ``float`` values and a
    float64 ``dz`` so every call shares one compiled version."""

    nx: int
    ny: int
    nz: int
    dx: float
    dy: float
    dz: np.ndarray


class Soil(NamedTuple):
    """The cells' materials: ``mat`` ((n,) int64, row of each cell in ``mat_params``),
    ``mat_params`` ((n_mat, N_PARAM)) and ``tables`` ((n_mat, TABLE_N_SEG, TABLE_N_COEF)) of
    :mod:`twin.kernels.soil_hydraulics`."""

    mat: np.ndarray
    mat_params: np.ndarray
    tables: np.ndarray


class Faces(NamedTuple):
    """The boundary faces, (nb,) each: ``cell`` (int64), ``side`` (``SIDE_*``), ``kind``
    (``B_*``), ``value`` (head, m, or flux into the block, m/s) and ``mode`` (rain faces: 0 flux,
    1 flooded; in and out)."""

    cell: np.ndarray
    side: np.ndarray
    kind: np.ndarray
    value: np.ndarray
    mode: np.ndarray


class Outputs(NamedTuple):
    """What :func:`run_block` writes: ``out_h``, ``out_theta`` ((n_out, n) heads and water
    contents at the output times; not written when ``out_h.shape[0] == 0``), ``out_cum``
    ((n_out, N_CUM) cumulated inflow per side, rain and runoff, m3) and ``totals`` ((N_TOT,))."""

    out_h: np.ndarray
    out_theta: np.ndarray
    out_cum: np.ndarray
    totals: np.ndarray


def default_options() -> np.ndarray:
    """Solver options with the 1-D kernel's defaults (:func:`soil_richards.default_options`)
    for the settings both share."""
    one_d = _R1.default_options()
    opts = np.zeros(N_OPT)
    opts[O_DT_INIT] = one_d[_R1.O_DT_INIT]
    opts[O_DT_MIN] = one_d[_R1.O_DT_MIN]
    opts[O_DT_MAX] = one_d[_R1.O_DT_MAX]
    opts[O_TOL_H] = one_d[_R1.O_TOL_H]
    opts[O_TOL_H_REL] = one_d[_R1.O_TOL_H_REL]
    opts[O_TOL_THETA] = one_d[_R1.O_TOL_THETA]
    opts[O_MAX_ITER] = one_d[_R1.O_MAX_ITER]
    opts[O_ITER_LOW] = one_d[_R1.O_ITER_LOW]
    opts[O_ITER_HIGH] = one_d[_R1.O_ITER_HIGH]
    opts[O_DT_INC] = one_d[_R1.O_DT_INC]
    opts[O_DT_DEC] = one_d[_R1.O_DT_DEC]
    opts[O_C_MIN] = one_d[_R1.O_C_MIN]
    opts[O_DTHETA_MAX] = one_d[_R1.O_DTHETA_MAX]
    opts[O_MAX_STEPS] = 0.0
    opts[O_LIN_TOL] = 1.0e-10
    opts[O_LIN_MAX_ITER] = 5000.0
    opts[O_H_POND] = one_d[_R1.O_H_SURF]
    return opts


@jit
def _properties(h, mat, mat_params, tables, theta_h, cap, kc):
    """theta(h), capacity and K of every cell."""
    for c in range(h.shape[0]):
        th, cc, k = material_state_at(h[c], mat_params, tables, mat[c])
        theta_h[c] = th
        cap[c] = cc
        kc[c] = k


@jit
def _boundary_geometry(grid, faces, bwork):
    """Area (m2), half cell (m) and elevation term (+1 top, -1 bottom, 0 lateral) of each face
    (rows 0, 1 and 2 of ``bwork``)."""
    nx = grid.nx
    dx = grid.dx
    dy = grid.dy
    dz = grid.dz
    b_area = bwork[0]
    b_half = bwork[1]
    b_grav = bwork[2]
    for b in range(faces.cell.shape[0]):
        c = faces.cell[b]
        k = c // (nx * grid.ny)
        s = faces.side[b]
        if s <= 1:
            b_area[b] = dy * dz[k]
            b_half[b] = 0.5 * dx
            b_grav[b] = 0.0
        elif s <= 3:
            b_area[b] = dx * dz[k]
            b_half[b] = 0.5 * dy
            b_grav[b] = 0.0
        else:
            b_area[b] = dx * dy
            b_half[b] = 0.5 * dz[k]
            b_grav[b] = 1.0 if s == SIDE_TOP else -1.0


@jit
def _fluxes(grid, soil, faces, bwork, h_pond, h, kc, inflow, tx, ty, tz):
    """Net inflow of every cell (m3/s) at heads ``h`` with conductivities ``kc``; the face
    coefficients ``K_f A / d`` (``tx``, ``ty``, ``tz`` to the +x, +y and lower neighbour, and in
    ``bwork[3]`` of Dirichlet boundary faces) for the Picard matrix; the inflow of each boundary
    face in ``bwork[4]``."""
    nx = grid.nx
    ny = grid.ny
    nz = grid.nz
    dx = grid.dx
    dy = grid.dy
    dz = grid.dz
    mat = soil.mat
    mat_params = soil.mat_params
    tables = soil.tables
    b_cell = faces.cell
    b_kind = faces.kind
    b_value = faces.value
    b_mode = faces.mode
    b_area = bwork[0]
    b_half = bwork[1]
    b_grav = bwork[2]
    b_t = bwork[3]
    b_q = bwork[4]
    n = h.shape[0]
    nxy = nx * ny
    for c in range(n):
        inflow[c] = 0.0
    for k in range(nz):
        ax = dy * dz[k]
        ay = dx * dz[k]
        az = dx * dy
        for j in range(ny):
            for i in range(nx):
                c = k * nxy + j * nx + i
                if i < nx - 1:
                    e = c + 1
                    t = 0.5 * (kc[c] + kc[e]) * ax / dx
                    q = t * (h[c] - h[e])
                    tx[c] = t
                    inflow[c] -= q
                    inflow[e] += q
                else:
                    tx[c] = 0.0
                if j < ny - 1:
                    e = c + nx
                    t = 0.5 * (kc[c] + kc[e]) * ay / dy
                    q = t * (h[c] - h[e])
                    ty[c] = t
                    inflow[c] -= q
                    inflow[e] += q
                else:
                    ty[c] = 0.0
                if k < nz - 1:
                    e = c + nxy
                    kf = 0.5 * (kc[c] + kc[e])
                    d = 0.5 * (dz[k] + dz[k + 1])
                    t = kf * az / d
                    q = t * (h[c] - h[e]) + kf * az
                    tz[c] = t
                    inflow[c] -= q
                    inflow[e] += q
                else:
                    tz[c] = 0.0
    for b in range(b_cell.shape[0]):
        c = b_cell[b]
        kind = b_kind[b]
        if kind == B_HEAD or (kind == B_RAIN and b_mode[b] == 1):
            hb = b_value[b] if kind == B_HEAD else h_pond
            kb = 0.5 * (material_state_at(hb, mat_params, tables, mat[c])[2] + kc[c])
            t = kb * b_area[b] / b_half[b]
            q = t * (hb - h[c]) + kb * b_area[b] * b_grav[b]
            b_t[b] = t
        elif kind == B_FREE:
            q = -kc[c] * b_area[b]
            b_t[b] = 0.0
        else:  # flux, or a rain face in flux mode
            q = b_value[b] * b_area[b]
            b_t[b] = 0.0
        b_q[b] = q
        inflow[c] += q


@jit
def _matvec(nx, ny, nz, diag, tx, ty, tz, x, y):
    """``y = A x`` for the Picard matrix (diagonal ``diag``, off-diagonals ``-t`` of each face)."""
    nxy = nx * ny
    n = x.shape[0]
    for c in range(n):
        y[c] = diag[c] * x[c]
    for k in range(nz):
        for j in range(ny):
            for i in range(nx):
                c = k * nxy + j * nx + i
                if i < nx - 1:
                    t = tx[c]
                    y[c] -= t * x[c + 1]
                    y[c + 1] -= t * x[c]
                if j < ny - 1:
                    t = ty[c]
                    y[c] -= t * x[c + nx]
                    y[c + nx] -= t * x[c]
                if k < nz - 1:
                    t = tz[c]
                    y[c] -= t * x[c + nxy]
                    y[c + nxy] -= t * x[c]


@jit
def pcg_solve(nx, ny, nz, diag, tx, ty, tz, b, x, r, z, p, ap, tol, max_iter):
    """Jacobi-preconditioned conjugate gradients for the Picard system, ``x`` from zero.

    Stops when ``max |r| <= tol max |b|``. Returns the number of iterations (``max_iter + 1``
    when it did not reach the tolerance).
    """
    n = b.shape[0]
    bmax = 0.0
    for c in range(n):
        x[c] = 0.0
        r[c] = b[c]
        bmax = max(bmax, abs(b[c]))
    if bmax == 0.0:
        return 0
    rz = 0.0
    for c in range(n):
        z[c] = r[c] / diag[c]
        p[c] = z[c]
        rz += r[c] * z[c]
    for it in range(1, max_iter + 1):
        _matvec(nx, ny, nz, diag, tx, ty, tz, p, ap)
        pap = 0.0
        for c in range(n):
            pap += p[c] * ap[c]
        if pap <= 0.0:
            return max_iter + 1
        a = rz / pap
        rmax = 0.0
        for c in range(n):
            x[c] += a * p[c]
            r[c] -= a * ap[c]
            rmax = max(rmax, abs(r[c]))
        if rmax <= tol * bmax:
            return it
        rz_new = 0.0
        for c in range(n):
            z[c] = r[c] / diag[c]
            rz_new += r[c] * z[c]
        beta = rz_new / rz
        rz = rz_new
        for c in range(n):
            p[c] = z[c] + beta * p[c]
    return max_iter + 1


@jit
def _solve_step(grid, soil, faces, bwork, vol, h, theta_old, dt, opts, work):
    """Picard iteration of one backward-Euler step from the carried water content ``theta_old``.

    ``h`` holds the starting iterate and receives the result. On return ``work[0]`` holds the
    net inflow of every cell at the final heads (m3/s), ``work[1]`` theta(h), and ``bwork[4]``
    the inflow of each boundary face. Returns (converged, iterations, linear iterations).
    """
    nx = grid.nx
    ny = grid.ny
    nz = grid.nz
    b_cell = faces.cell
    b_t = bwork[3]
    theta_h = work[1]
    cap = work[2]
    kc = work[3]
    tx = work[4]
    ty = work[5]
    tz = work[6]
    diag = work[7]
    rhs = work[8]
    dh = work[9]
    r = work[10]
    zz = work[11]
    p = work[12]
    ap = work[13]
    theta_prev = work[14]
    omega = work[16]
    dprev = work[17]
    inflow = work[0]
    n = h.shape[0]
    nxy = nx * ny
    tol_h = opts[O_TOL_H]
    tol_rel = opts[O_TOL_H_REL]
    tol_theta = opts[O_TOL_THETA]
    c_min = opts[O_C_MIN]
    max_iter = int(opts[O_MAX_ITER])
    h_pond = opts[O_H_POND]
    lin_iters = 0
    h_ok = False
    for it in range(max_iter + 1):
        _properties(h, soil.mat, soil.mat_params, soil.tables, theta_h, cap, kc)
        _fluxes(grid, soil, faces, bwork, h_pond, h, kc, inflow, tx, ty, tz)
        if it > 0 and h_ok:
            th_ok = True
            for c in range(n):
                if abs(theta_h[c] - theta_prev[c]) > tol_theta:
                    th_ok = False
                    break
            if th_ok:
                return True, it, lin_iters
        if it == max_iter:
            break
        for c in range(n):
            if it > 0:
                # chord (secant) capacity of the last increment, as in the 1-D kernel: across
                # the air-entry kink the tangent is 0 on one side and large on the other, and
                # the iterate would jump between them
                dth = theta_h[c] - theta_prev[c]
                step = dprev[c] * omega[c]
                if abs(dth) > _R1.CHORD_MIN_DTHETA and step != 0.0:
                    cap[c] = dth / step
            rhs[c] = inflow[c] - vol[c] * (theta_h[c] - theta_old[c]) / dt
            diag[c] = vol[c] * max(cap[c], c_min) / dt
            theta_prev[c] = theta_h[c]
        for k in range(nz):
            for j in range(ny):
                for i in range(nx):
                    c = k * nxy + j * nx + i
                    t = tx[c]
                    if t != 0.0:
                        diag[c] += t
                        diag[c + 1] += t
                    t = ty[c]
                    if t != 0.0:
                        diag[c] += t
                        diag[c + nx] += t
                    t = tz[c]
                    if t != 0.0:
                        diag[c] += t
                        diag[c + nxy] += t
        for b in range(b_cell.shape[0]):
            diag[b_cell[b]] += b_t[b]
        lin_iters += pcg_solve(nx, ny, nz, diag, tx, ty, tz, rhs, dh, r, zz, p, ap, opts[O_LIN_TOL], int(opts[O_LIN_MAX_ITER]))
        h_ok = True
        for c in range(n):
            d = dh[c]
            if not np.isfinite(d):
                return False, it + 1, lin_iters
            tol_c = tol_h + tol_rel * abs(h[c])
            # under-relax a cell whose increment changes sign (the 1-D kernel's rule; the fixed
            # point is unchanged), and relax it less once it moves one way
            if it == 0:
                omega[c] = 1.0
            elif abs(d) > _R1.OSC_MIN * tol_c:
                if d * dprev[c] < 0.0:
                    if omega[c] > _R1.OMEGA_MIN:
                        omega[c] *= 0.5
                elif omega[c] < 1.0:
                    omega[c] = min(1.0, 2.0 * omega[c])
            dprev[c] = d
            d *= omega[c]
            hc = h[c]
            if d > -0.5 * hc and hc < -_R1.THETA_UPDATE_MIN_SUCTION and hc < saturation_head(soil.mat_params[soil.mat[c]]):
                # a dry cell the linearisation wants to flood: step its water content instead
                # (theta^m + C^m dh, what the linear system stored) and take the head from it,
                # as the 1-D kernel does
                target = theta_h[c] + max(cap[c], c_min) * d
                d = max(head_from_theta(target, soil.mat_params[soil.mat[c]]) - hc, 0.0)
            if abs(d) > tol_c:
                h_ok = False
            h[c] += d
    return False, max_iter, lin_iters


@jit
def _write_output(o, n, h, theta, cum, out_h, out_theta, out_cum):
    if out_h.shape[0] > 0:
        for c in range(n):
            out_h[o, c] = h[c]
            out_theta[o, c] = theta[c]
    for s in range(N_CUM):
        out_cum[o, s] = cum[s]


@jit
def run_block(grid, soil, faces, t_start, t_end, out_times, opts, h, theta, outputs, work, bwork):
    """Integrate the block from ``t_start`` to ``t_end`` with constant boundary conditions.

    Parameters
    ----------
    grid : :class:`Grid`: cells along x, y and depth, cell sizes (m), layer thicknesses (m).
    soil : :class:`Soil`: material row of each cell (``n = nx ny nz`` cells in the flat order
        above), hydraulic parameters and tables (:mod:`twin.kernels.soil_hydraulics`).
    faces : :class:`Faces`: boundary faces (cell, side, kind, value; ``mode`` in and out).
    t_start, t_end : start and end time, s.
    out_times : (n_out,) output times, s, sorted, within ``[t_start, t_end]``.
    opts : (N_OPT,) solver options (:func:`default_options`).
    h : (n,) head, m: the initial condition in, the final state out.
    theta : (n,) conserved water content, m3/m3: in (``theta(h)`` at the start of a run, or the
        value returned by a previous call to continue it) and out.
    outputs : :class:`Outputs`: ``out_h``, ``out_theta`` (n_out, n) heads and water contents at
        the output times (not written when ``out_h.shape[0] == 0``); ``out_cum`` (n_out, N_CUM)
        cumulated inflow per side (m3) and rain and runoff (m3) at the output times (since
        ``t_start``); ``totals`` (N_TOT,) totals (``T_*``).
    work : (N_WORK, n) scratch; bwork : (N_BWORK, nb) scratch.
    """
    nx = grid.nx
    ny = grid.ny
    nz = grid.nz
    dx = grid.dx
    dy = grid.dy
    dz = grid.dz
    mat = soil.mat
    mat_params = soil.mat_params
    tables = soil.tables
    b_cell = faces.cell
    b_side = faces.side
    b_kind = faces.kind
    b_value = faces.value
    b_mode = faces.mode
    out_h = outputs.out_h
    out_theta = outputs.out_theta
    out_cum = outputs.out_cum
    totals = outputs.totals
    n = nx * ny * nz
    nb = b_cell.shape[0]
    vol = work[15]
    for k in range(nz):
        for c in range(k * nx * ny, (k + 1) * nx * ny):
            vol[c] = dx * dy * dz[k]
    b_area = bwork[0]
    b_half = bwork[1]
    b_grav = bwork[2]
    b_q = bwork[4]
    _boundary_geometry(grid, faces, bwork)
    for f in range(N_TOT):
        totals[f] = 0.0
    totals[T_STOPPED_S] = -1.0
    storage = 0.0
    for c in range(n):
        storage += vol[c] * theta[c]
    totals[T_STORAGE0] = storage
    h_old = np.empty(n)
    cum = np.zeros(N_CUM)
    n_out = out_times.shape[0]
    o = 0
    while o < n_out and out_times[o] <= t_start:
        _write_output(o, n, h, theta, cum, out_h, out_theta, out_cum)
        o += 1
    dt = opts[O_DT_INIT]
    dt_min = opts[O_DT_MIN]
    dt_max = opts[O_DT_MAX]
    max_steps = opts[O_MAX_STEPS]
    dtheta_max = opts[O_DTHETA_MAX]
    h_pond = opts[O_H_POND]
    t = t_start
    while t < t_end:
        if max_steps > 0.0 and totals[T_STEPS] + totals[T_REJECTS] >= max_steps:
            totals[T_STOPPED_S] = t
            break
        t_break = t_end
        if o < n_out and out_times[o] < t_break:
            t_break = out_times[o]
        dt_try = _R1.step_toward(t, dt, t_break)
        for c in range(n):
            h_old[c] = h[c]
        converged = False
        iters = 0
        for attempt in range(3):
            converged, iters, lin = _solve_step(grid, soil, faces, bwork, vol, h, theta, dt_try, opts, work)
            totals[T_ITERS] += iters
            totals[T_LIN_ITERS] += lin
            if attempt == 2:
                break
            # rain faces: flood where the soil, with the face at h_pond (plus a margin), would
            # take less than the rain; back to flux where the flooded face takes more than the
            # rain (the same test both ways, with the margin as hysteresis; at most three tries,
            # as in the 1-D kernel)
            switched = False
            for b in range(nb):
                if b_kind[b] != B_RAIN:
                    continue
                c = b_cell[b]
                rain_in = b_value[b] * b_area[b]
                if b_mode[b] == 0:
                    hb = h_pond + _R1.PONDING_MARGIN_M
                    kb = 0.5 * (material_state_at(hb, mat_params, tables, mat[c])[2] + work[3][c])
                    q_flooded = kb * b_area[b] * ((hb - h[c]) / b_half[b] + b_grav[b])
                    if q_flooded < rain_in:
                        b_mode[b] = 1
                        switched = True
                elif converged and b_q[b] > rain_in:
                    b_mode[b] = 0
                    switched = True
            if not switched:
                break
            for c in range(n):
                h[c] = h_old[c]
        if not converged and dt_try > dt_min:
            for c in range(n):
                h[c] = h_old[c]
            totals[T_REJECTS] += 1.0
            dt = max(dt_try / 3.0, dt_min)
            continue
        if not converged:
            totals[T_FAILS] += 1.0
        inflow = work[0]
        theta_h = work[1]
        # a flooded rain face never takes more than the rain (no water from an empty pond): when
        # the switching above ran out of tries, the excess is taken back from its cell's inflow,
        # so the stored water still changes by exactly the boundary inflow
        for b in range(nb):
            if b_kind[b] == B_RAIN and b_mode[b] == 1:
                rain_in = b_value[b] * b_area[b]
                if b_q[b] > rain_in:
                    inflow[b_cell[b]] -= b_q[b] - rain_in
                    b_q[b] = rain_in
        dtheta_step = 0.0
        mismatch = 0.0
        for c in range(n):
            new = theta[c] + dt_try * inflow[c] / vol[c]
            dtheta_step = max(dtheta_step, abs(new - theta[c]))
            theta[c] = new
            mismatch += vol[c] * abs(new - theta_h[c])
        totals[T_MISMATCH] = max(totals[T_MISMATCH], mismatch)
        for b in range(nb):
            q = b_q[b] * dt_try
            cum[b_side[b]] += q
            if b_kind[b] == B_RAIN:
                supplied = b_value[b] * b_area[b] * dt_try
                cum[C_RAIN] += supplied
                cum[C_RUNOFF] += supplied - q
        totals[T_STEPS] += 1.0
        dt_next = max(dt, dt_try)
        if not converged:
            dt_next = dt_min
        elif iters <= opts[O_ITER_LOW]:
            dt_next = dt_next * opts[O_DT_INC]
        elif iters >= opts[O_ITER_HIGH]:
            dt_next = dt_next * opts[O_DT_DEC]
        if dtheta_max > 0.0 and dtheta_step > dtheta_max:
            dt_next = min(dt_next, dt_try * dtheta_max / dtheta_step)
        dt = max(min(dt_next, dt_max), dt_min)
        t = t_break if t + dt_try >= t_break else t + dt_try
        while o < n_out and out_times[o] <= t:
            _write_output(o, n, h, theta, cum, out_h, out_theta, out_cum)
            o += 1
    storage = 0.0
    for c in range(n):
        storage += vol[c] * theta[c]
    totals[T_STORAGE1] = storage
    for s in range(6):
        totals[T_IN_SIDE + s] = cum[s]
    totals[T_RAIN] = cum[C_RAIN]
    totals[T_RUNOFF] = cum[C_RUNOFF]


@jit
def water_contents(h, mat, mat_params, tables, theta):
    """``theta[c] = theta(h[c])`` of every cell (the conserved water content at the start of a run)."""
    for c in range(h.shape[0]):
        theta[c] = material_state_at(h[c], mat_params, tables, mat[c])[0]
