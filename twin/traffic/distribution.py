"""Trip distribution: doubly-constrained gravity (Furness balancing, Hyman calibration) and
production-constrained destination choice.

Gravity model (Ortuzar & Willumsen 2011, ch. 5)::

    T_ij = A_i O_i B_j D_j f(c_ij),   sum_j T_ij = O_i,   sum_i T_ij = D_j

with the deterrence ``f(c) = exp(-beta c)`` (``power``: ``c^-beta``; ``combined``:
``c^n exp(-beta c)``). The balancing factors come from Furness iterations (biproportional
fitting) until both margins hold to ``tol`` (relative). ``beta`` is calibrated so that the mean
cost of the trips equals a target (Hyman 1969: secant iterations in ``beta`` starting from
``1 / c*``), bracketed and finished by Brent's method when the secant steps leave the positive
axis. Pairs without a path (infinite cost) get no trips.

Destination choice (singly constrained, a logit over destinations with a size term)::

    T_ij = O_i S_j exp(theta U_ij) / sum_k S_k exp(theta U_ik)

where ``U_ij`` is a utility (e.g. the mode-choice logsum) and ``S_j`` the attraction.

References
----------
* J. de D. Ortuzar, L. G. Willumsen (2011). Modelling Transport, 4th ed., Wiley, ch. 5 and 6.
* G. M. Hyman (1969). The calibration of trip distribution models. Environment and Planning 1,
  105-112.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twin.errors import InputError, SimulationError

DETERRENCE = ("exp", "power", "combined")
MAX_FURNESS_ITER = 100_000


@dataclass
class GravityResult:
    """A balanced trip matrix and how it was obtained."""

    trips: np.ndarray
    beta: float
    iterations: int
    row_error: float
    col_error: float
    mean_cost: float
    history: list[dict[str, float]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"beta": self.beta, "iterations": self.iterations, "row_error": self.row_error, "col_error": self.col_error, "mean_cost": self.mean_cost}


def deterrence(cost: np.ndarray, beta: float, function: str = "exp", n: float = 0.0) -> np.ndarray:
    """``f(c)`` elementwise; 0 where the cost is infinite (no path)."""
    c = np.asarray(cost, dtype=np.float64)
    finite = np.isfinite(c)
    cc = np.where(finite, c, 0.0)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        if function == "exp":
            f = np.exp(-beta * cc)
        elif function == "power":
            f = np.where(cc > 0, cc ** (-beta), 0.0)
        elif function == "combined":
            f = np.where(cc > 0, cc**n * np.exp(-beta * cc), 0.0)
        else:
            raise InputError(f"unknown deterrence function {function!r}; use one of {', '.join(DETERRENCE)}", field="function")
    return np.where(finite & np.isfinite(f), f, 0.0)


def _check_margins(productions: np.ndarray, attractions: np.ndarray, n_o: int, n_d: int) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(productions, dtype=np.float64)
    a = np.asarray(attractions, dtype=np.float64)
    if p.shape != (n_o,) or a.shape != (n_d,):
        raise InputError(f"margins of shape {p.shape} / {a.shape} do not fit a {n_o} x {n_d} cost matrix", field="productions")
    for name, v in (("productions", p), ("attractions", a)):
        bad = np.flatnonzero(~np.isfinite(v) | (v < 0))
        if bad.size:
            raise InputError(f"{name} must be finite and >= 0, got {v[bad[0]]} at zone {bad[0]}", field=name)
    tp, ta = p.sum(), a.sum()
    if tp > 0 and abs(tp - ta) > 1e-9 * tp:
        raise InputError(
            f"productions ({tp:.10g}) and attractions ({ta:.10g}) must have the same total for a doubly-constrained model; "
            "scale the attractions first",
            field="attractions",
        )
    return p, a


def furness(seed: np.ndarray, productions: np.ndarray, attractions: np.ndarray, *, tol: float = 1e-12, max_iter: int = 10_000) -> tuple[np.ndarray, int, float, float]:
    """Biproportional balancing of ``seed`` to the margins (Furness 1965).

    Returns the matrix, the iterations, and the largest relative row and column errors
    (``|sum - target| / max(target, 1)``).

    Raises
    ------
    InputError
        Margins of the wrong size, negative or of different totals; a zone with trips but no
        reachable partner (a row or column of zeros in ``seed``).
    SimulationError
        Not balanced within ``max_iter`` iterations.
    """
    t = np.array(seed, dtype=np.float64)
    n_o, n_d = t.shape
    p, a = _check_margins(productions, attractions, n_o, n_d)
    rows = t.sum(axis=1)
    cols = t.sum(axis=0)
    bad = np.flatnonzero((p > 0) & (rows <= 0))
    if bad.size:
        raise InputError(f"zone {bad[0]} produces {p[bad[0]]:g} trips but reaches no destination", obj=f"origin {bad[0]}", field="productions")
    bad = np.flatnonzero((a > 0) & (cols <= 0))
    if bad.size:
        raise InputError(f"zone {bad[0]} attracts {a[bad[0]]:g} trips but no origin reaches it", obj=f"destination {bad[0]}", field="attractions")
    p_scale = np.maximum(p, 1.0)
    a_scale = np.maximum(a, 1.0)
    err_r = err_c = np.inf
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (it, the iteration count, is returned)
        rows = t.sum(axis=1)
        t *= np.divide(p, rows, out=np.zeros_like(p), where=rows > 0)[:, None]
        cols = t.sum(axis=0)
        t *= np.divide(a, cols, out=np.zeros_like(a), where=cols > 0)[None, :]
        err_c = float(np.max(np.abs(t.sum(axis=0) - a) / a_scale)) if n_d else 0.0
        err_r = float(np.max(np.abs(t.sum(axis=1) - p) / p_scale)) if n_o else 0.0
        if err_r <= tol and err_c <= tol:
            break
    else:
        raise SimulationError(
            f"Furness balancing did not converge in {max_iter} iterations (row error {err_r:.2e}, column error {err_c:.2e}): "
            "the reachable pairs cannot carry the margins",
            field="attractions",
        )
    return t, it, err_r, err_c


def gravity(cost: np.ndarray, productions: np.ndarray, attractions: np.ndarray, beta: float, *, function: str = "exp", n: float = 0.0, tol: float = 1e-12) -> GravityResult:
    """Doubly-constrained gravity model at a given ``beta``."""
    c = np.asarray(cost, dtype=np.float64)
    if c.ndim != 2:
        raise InputError(f"the cost matrix must be 2-D, got shape {c.shape}", field="cost")
    if np.any(c[np.isfinite(c)] < 0):
        raise InputError("costs must be >= 0", field="cost")
    if not (np.isfinite(beta) and beta >= 0):
        raise InputError(f"beta must be a finite number >= 0, got {beta}", field="beta")
    f = deterrence(c, beta, function, n)
    t, it, er, ec = furness(f, productions, attractions, tol=tol)
    total = t.sum()
    mean = float((t * np.where(np.isfinite(c), c, 0.0)).sum() / total) if total > 0 else float("nan")
    return GravityResult(trips=t, beta=float(beta), iterations=it, row_error=er, col_error=ec, mean_cost=mean)


def calibrate_gravity(
    cost: np.ndarray,
    productions: np.ndarray,
    attractions: np.ndarray,
    target_mean_cost: float,
    *,
    function: str = "exp",
    rtol: float = 1e-6,
    max_iter: int = 100,
    tol: float = 1e-12,
) -> GravityResult:
    """Doubly-constrained gravity with ``beta`` such that the mean trip cost is the target.

    Hyman's (1969) secant method from ``beta_0 = 1 / c*`` (exp deterrence); the mean cost falls
    as ``beta`` rises, so a bracket is kept and Brent's method takes over if a secant step leaves
    it.

    Raises
    ------
    InputError
        A target outside the achievable range (between the mean at ``beta = 0`` and the smallest
        cost any trip can have).
    """
    from scipy.optimize import brentq

    c = np.asarray(cost, dtype=np.float64)
    if not (np.isfinite(target_mean_cost) and target_mean_cost > 0):
        raise InputError(f"the target mean cost must be a finite number > 0, got {target_mean_cost}", field="target_mean_cost")
    history: list[dict[str, float]] = []

    def run(beta: float) -> GravityResult:
        res = gravity(c, productions, attractions, beta, function=function, tol=tol)
        history.append({"beta": beta, "mean_cost": res.mean_cost})
        return res

    r0 = run(0.0)
    if target_mean_cost >= r0.mean_cost:
        raise InputError(
            f"the target mean cost {target_mean_cost:.6g} is not below the mean without deterrence ({r0.mean_cost:.6g}): no beta > 0 reaches it",
            field="target_mean_cost",
        )
    lo, hi = 0.0, None  # mean(lo) > target > mean(hi)
    b_prev, m_prev = 0.0, r0.mean_cost
    beta = 1.0 / target_mean_cost if function == "exp" else 1.0
    res = r0
    for _ in range(max_iter):
        res = run(beta)
        if abs(res.mean_cost - target_mean_cost) <= rtol * target_mean_cost:
            res.history = history
            return res
        if res.mean_cost > target_mean_cost:
            lo = max(lo, beta)
        else:
            hi = beta if hi is None else min(hi, beta)
        if res.mean_cost == m_prev:
            break
        nxt = beta + (target_mean_cost - res.mean_cost) * (beta - b_prev) / (res.mean_cost - m_prev)
        b_prev, m_prev = beta, res.mean_cost
        if not (lo < nxt and (hi is None or nxt < hi)) or not np.isfinite(nxt):
            break
        beta = nxt
    while hi is None:  # expand until the mean falls below the target
        beta = 2.0 * max(beta, lo, 1e-12)
        res = run(beta)
        if res.mean_cost < target_mean_cost:
            hi = beta
        else:
            lo = beta
        if beta > 1e6:
            raise InputError(f"the target mean cost {target_mean_cost:.6g} is below what any beta reaches ({res.mean_cost:.6g})", field="target_mean_cost")
    beta = brentq(lambda b: run(b).mean_cost - target_mean_cost, lo, hi, xtol=1e-14, rtol=1e-12, maxiter=200)
    res = run(beta)
    res.history = history
    return res


def destination_choice(productions: np.ndarray, size: np.ndarray, utility: np.ndarray, theta: float) -> tuple[np.ndarray, np.ndarray]:
    """Production-constrained logit destination choice.

    ``T_ij = O_i S_j exp(theta U_ij) / sum_k S_k exp(theta U_ik)``; pairs with ``U = -inf`` (no
    mode reaches the destination) get no trips. Returns the trips and, per origin, the
    destination logsum ``ln sum_k S_k exp(theta U_ik)`` (``-inf`` where nothing is reachable;
    those origins keep their trips unplaced: the caller reports them).
    """
    o = np.asarray(productions, dtype=np.float64)
    s = np.asarray(size, dtype=np.float64)
    u = np.asarray(utility, dtype=np.float64)
    if u.shape != (o.shape[0], s.shape[0]):
        raise InputError(f"utility of shape {u.shape} does not fit {o.shape[0]} origins x {s.shape[0]} destinations", field="utility")
    if not (np.isfinite(theta) and theta > 0):
        raise InputError(f"theta must be a finite number > 0, got {theta}", field="theta")
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where((s[None, :] > 0) & np.isfinite(u), np.log(np.where(s > 0, s, 1.0))[None, :] + theta * u, -np.inf)
    wmax = np.max(w, axis=1)
    ok = np.isfinite(wmax)
    e = np.exp(w - np.where(ok, wmax, 0.0)[:, None])
    total = e.sum(axis=1)
    share = np.where(ok[:, None], e / np.where(ok, total, 1.0)[:, None], 0.0)
    logsum = np.where(ok, np.where(ok, wmax, 0.0) + np.log(np.where(ok, total, 1.0)), -np.inf)
    return o[:, None] * share, logsum
