"""Frank-Wolfe family: exact line search on the Beckmann objective and conjugate directions.

The driver (``twin.traffic.assign``) alternates an all-or-nothing target ``y`` with a move
``x <- x + lam (y - x)``, ``lam`` minimising the Beckmann objective on the segment.

* Frank-Wolfe (LeBlanc, Morlok & Pierskalla 1975): ``y`` = AON flows.
* Conjugate FW (CFW) and bi-conjugate FW (BFW) (Mitradjieva & Lindberg 2013, Transportation
  Science 47(2) 280-293): ``y`` is a convex combination of the AON flows and the previous one or
  two targets, chosen so that the direction ``y - x`` is conjugate, with respect to the diagonal
  Hessian ``diag(t'(x))`` of the objective, to the previous one or two directions. Here the
  conjugacy conditions are solved directly as a 1x1 (CFW) or 2x2 (BFW) linear system; when the
  solution is not a convex combination the method falls back to CFW, then to plain FW.
"""

from __future__ import annotations

from twin.kernels.config import jit
from twin.kernels.traffic_vdf import vdf_derivative, vdf_time


@jit
def _directional(x, d, lam, t0, cap, alpha, beta, code, fixed):
    """g(lam) = sum (cost(x + lam d)) d  and  g'(lam) = sum t'(x + lam d) d^2."""
    g = 0.0
    dg = 0.0
    for a in range(x.shape[0]):
        da = d[a]
        if da == 0.0:
            continue
        v = x[a] + lam * da
        v = max(v, 0.0)
        g += (vdf_time(v, t0[a], cap[a], alpha[a], beta[a], code[a]) + fixed[a]) * da
        dg += vdf_derivative(v, t0[a], cap[a], alpha[a], beta[a], code[a]) * da * da
    return g, dg


@jit
def line_search(x, y, t0, cap, alpha, beta, code, fixed, d, tol, max_iter):
    """Step ``lam`` in [0, 1] minimising the Beckmann objective on ``x + lam (y - x)``.

    Safeguarded Newton on the (increasing) directional derivative, bisection when Newton leaves
    the bracket. ``d`` (m,) is workspace (receives ``y - x``). Stops when the bracket is shorter
    than ``tol`` or after ``max_iter`` steps.
    """
    for a in range(x.shape[0]):
        d[a] = y[a] - x[a]
    g1, _ = _directional(x, d, 1.0, t0, cap, alpha, beta, code, fixed)
    if g1 <= 0.0:
        return 1.0
    g0, _ = _directional(x, d, 0.0, t0, cap, alpha, beta, code, fixed)
    if g0 >= 0.0:
        return 0.0
    lo = 0.0
    hi = 1.0
    lam = g0 / (g0 - g1)  # secant start
    for _ in range(max_iter):
        g, dg = _directional(x, d, lam, t0, cap, alpha, beta, code, fixed)
        if g > 0.0:
            hi = lam
        else:
            lo = lam
        if g == 0.0 or hi - lo < tol:
            break
        nxt = lam - g / dg if dg > 0.0 else -1.0
        if not (lo < nxt < hi):
            nxt = 0.5 * (lo + hi)
        lam = nxt
    return lam


@jit
def move(x, y, lam):
    """x <- x + lam (y - x), clipped at 0."""
    for a in range(x.shape[0]):
        v = x[a] + lam * (y[a] - x[a])
        x[a] = max(0.0, v)


@jit
def _hdot(u, v, h):
    s = 0.0
    for a in range(u.shape[0]):
        s += u[a] * h[a] * v[a]
    return s


@jit
def conjugate_target(x, y_aon, y1, d1, h, max_weight, out):
    """CFW target: ``out = (y_aon + w y1) / (1 + w)`` with ``(out - x)`` H-conjugate to ``d1``.

    ``y1``: previous target; ``d1``: previous direction; ``h``: Hessian diagonal at ``x``.
    Returns the weight ``w`` (0 means a plain FW target).
    """
    m = x.shape[0]
    u0 = 0.0
    u1 = 0.0
    for a in range(m):
        u0 += (y_aon[a] - x[a]) * h[a] * d1[a]
        u1 += (y1[a] - x[a]) * h[a] * d1[a]
    w = 0.0
    if u1 != 0.0:
        w = -u0 / u1
    if not (w > 0.0) or w > max_weight:
        w = 0.0 if not (w > 0.0) else max_weight
    for a in range(m):
        out[a] = (y_aon[a] + w * y1[a]) / (1.0 + w)
    return w


@jit
def biconjugate_target(x, y_aon, y1, y2, d1, d2, h, max_weight, out):
    """BFW target ``out = (y_aon + a y1 + b y2) / (1 + a + b)``, H-conjugate to ``d1`` and ``d2``.

    Solves ``(u0 + a u1 + b u2)^T H d_i = 0`` (i = 1, 2) with ``u_k = y_k - x``. Falls back to
    the CFW weight (b = 0), then to FW, when ``a`` or ``b`` is negative or above ``max_weight``.
    Returns ``(a, b)``.
    """
    m = x.shape[0]
    p01 = 0.0
    p11 = 0.0
    p21 = 0.0
    p02 = 0.0
    p12 = 0.0
    p22 = 0.0
    for a_ in range(m):
        u0 = y_aon[a_] - x[a_]
        u1 = y1[a_] - x[a_]
        u2 = y2[a_] - x[a_]
        hd1 = h[a_] * d1[a_]
        hd2 = h[a_] * d2[a_]
        p01 += u0 * hd1
        p11 += u1 * hd1
        p21 += u2 * hd1
        p02 += u0 * hd2
        p12 += u1 * hd2
        p22 += u2 * hd2
    det = p11 * p22 - p21 * p12
    wa = 0.0
    wb = 0.0
    ok = False
    if det != 0.0:
        wa = (-p01 * p22 + p21 * p02) / det
        wb = (-p11 * p02 + p01 * p12) / det
        ok = wa >= 0.0 and wb >= 0.0 and wa <= max_weight and wb <= max_weight
    if not ok:
        wb = 0.0
        wa = 0.0
        if p11 != 0.0:
            wa = -p01 / p11
        if not (wa > 0.0):
            wa = 0.0
        elif wa > max_weight:
            wa = max_weight
    s = 1.0 + wa + wb
    for a_ in range(m):
        out[a_] = (y_aon[a_] + wa * y1[a_] + wb * y2[a_]) / s
    return wa, wb
