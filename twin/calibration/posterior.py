"""The posterior of every building's parameters: Laplace approximation, corrected by importance sampling.

For each building, independently and all at once (every model evaluation of every building goes
through the kernel as one batch of building rows):

1. **Mode** (maximum a posteriori) in the unconstrained coordinates ``z``
   (:mod:`twin.calibration.parameters`) by Fisher scoring with Levenberg-Marquardt damping: the
   derivatives of the readings with respect to ``z`` by forward differences (``k + 1`` model
   runs per iteration), the Fisher information of the Gaussian likelihood
   ``y ~ N(m, v(m, sigma))`` (mean and variance both depend on the parameters), the analytic
   gradient and curvature of the prior.
2. **Laplace**: a Gaussian at the mode with the inverse of (Fisher information + prior
   curvature) as covariance.
3. **Importance sampling**: ``n_proposal`` draws from a defensive mixture (85 % multivariate
   Student-t with 5 degrees of freedom around the mode with the Laplace covariance inflated
   by 1.5^2, 15 % the prior itself; Hesterberg 1995), weighted by the exact posterior density
   over the proposal density. When the effective sample size falls below ``min_ess``, the
   proposal is refitted to the weighted draws (population Monte Carlo; Cappé et al. 2004) and
   drawn again, at most ``adapt_rounds`` times.
4. **Draws**: ``n_draws`` equally weighted draws by systematic resampling; posterior
   predictive readings of every period (weighted mean and 5th-95th percentiles over the
   importance draws).

Why this method: the parameters are few (4, 5 with the noise) and the kernel is fast, so the
posterior of every building can be computed exactly up to Monte Carlo error, with no Markov
chain to tune or check for convergence; the Laplace step puts the draws where the posterior
is (a few hundred model runs per building instead of tens of thousands for a random-walk
MCMC), and the importance weights correct what the Gaussian gets wrong (bounded supports,
ridges of parameters the data cannot tell apart, such as ``h_tr_factor`` and
``air_change_factor``). The effective sample size of each building is reported: a low one says
where the posterior is poorly represented.

References
----------
Kennedy M.C., O'Hagan A. (2001) Bayesian calibration of computer models. JRSS B 63(3).
Hesterberg T. (1995) Weighted average importance sampling and defensive mixture distributions.
Technometrics 37(2).
Cappé O., Guillin A., Marin J.-M., Robert C.P. (2004) Population Monte Carlo. JCGS 13(4).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from twin.calibration.parameters import PriorSet

#: Degrees of freedom of the Student-t proposal.
T_DOF = 5.0
#: Share of the prior in the defensive mixture.
DEFENSIVE_SHARE = 0.15
#: Inflation of the Laplace covariance in the proposal.
PROPOSAL_SCALE = 1.5
#: Step of the forward differences in z.
FD_STEP = 1e-3
#: Largest number of model runs for which a Fisher-scoring trial step also runs the forward
#: differences at the trial point (used when the step is accepted; else discarded): one block of
#: the kernel's lanes (:data:`twin.kernels.energy_5r1c_periods.BLOCK`), which costs as much as
#: one run, so a few buildings need one kernel call per iteration instead of two. Results do
#: not depend on it (every run of the forward model depends on its own row only).
SPECULATIVE_ROWS = 64


@dataclass
class Noise:
    """Meter noise: ``var = (relative * m)^2 + absolute_kwh^2 + rounding_kwh^2 / 12``; with
    ``estimate`` the relative part is a parameter (the last column of z)."""

    relative: float = 0.05
    absolute_kwh: float = 0.0
    rounding_kwh: float = 1.0
    estimate: bool = False

    @property
    def floor(self) -> float:
        return self.absolute_kwh**2 + self.rounding_kwh**2 / 12.0


@dataclass
class Posterior:
    """Posterior of the parameters of every building.

    Attributes
    ----------
    names : tuple of str
        Parameter names (columns of the arrays; the noise last when estimated).
    z_map, cov : (n_b, k), (n_b, k, k)
        Mode and Laplace covariance in z.
    draws_z : (n_b, n_draws, k)
        Equally weighted posterior draws in z.
    draws : (n_b, n_draws, k)
        The same draws in physical units.
    ess : (n_b,)
        Effective sample size of the final importance sample.
    iterations, converged : (n_b,)
        Mode search.
    pred_mean, pred_p5, pred_p95 : (n_b, n_p)
        Posterior predictive readings of every period (kWh), model only (no meter noise).
    log_post_map : (n_b,)
        Log posterior density at the mode (unnormalised).
    param_q : (3, n_b, k)
        5th, 50th and 95th percentiles of every parameter (physical units), weighted over the
        importance draws (more precise than percentiles of the resampled ``draws``).
    """

    names: tuple
    z_map: np.ndarray
    cov: np.ndarray
    draws_z: np.ndarray
    draws: np.ndarray
    ess: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    pred_mean: np.ndarray
    pred_p5: np.ndarray
    pred_p95: np.ndarray
    log_post_map: np.ndarray
    param_q: np.ndarray
    acceptance: np.ndarray | None = None

    def quantiles(self, q=(5.0, 50.0, 95.0)) -> np.ndarray:
        """Quantiles of every parameter over the resampled draws (len(q), n_b, k), physical units."""
        return np.percentile(self.draws, q, axis=1)


def loglik(y: np.ndarray, m: np.ndarray, mask: np.ndarray, noise: Noise, sigma_rel: np.ndarray | None = None) -> np.ndarray:
    """Gaussian log-likelihood of readings ``y`` given model readings ``m`` (n, n_p), over the
    periods in ``mask``; -inf where the model has no value (rejected parameters)."""
    rel = noise.relative if sigma_rel is None else np.asarray(sigma_rel, dtype=float)[:, None]
    m = np.asarray(m, dtype=float)
    mask = np.broadcast_to(np.asarray(mask, dtype=bool), m.shape)
    # the terms of the periods some row uses only (the others stay 0 and are summed in the same order)
    cols = np.flatnonzero(mask.any(axis=0))
    mc, kc = m[:, cols], mask[:, cols]
    v = (rel * mc) ** 2 + noise.floor
    r2 = np.zeros(m.shape)
    r2[:, cols] = np.where(kc, (np.broadcast_to(np.asarray(y, dtype=float), m.shape)[:, cols] - mc) ** 2 / v + np.log(2 * math.pi * v), 0.0)
    bad = np.any(mask & ~np.isfinite(m), axis=1)
    out = -0.5 * np.nansum(r2, axis=1)
    out[bad] = -np.inf
    return out


def _t_logpdf(z, loc, chol, dof):
    """Log density of a multivariate Student-t (n, m, k) with per-building loc (n, k) and Cholesky (n, k, k)."""
    k = z.shape[-1]
    d = z - loc[:, None, :]
    sol = np.linalg.solve(chol[:, None, :, :], d[..., None])[..., 0]
    maha = np.sum(sol**2, axis=-1)
    logdet = np.sum(np.log(np.abs(np.diagonal(chol, axis1=-2, axis2=-1))), axis=-1)
    return (gammaln((dof + k) / 2) - gammaln(dof / 2) - 0.5 * k * math.log(dof * math.pi) - logdet[:, None]
            - 0.5 * (dof + k) * np.log1p(maha / dof))


def _t_draws(rng, loc, chol, dof, m):
    n, k = loc.shape
    e = rng.standard_normal((n, m, k))
    w = np.sqrt(dof / rng.chisquare(dof, (n, m, 1)))
    return loc[:, None, :] + np.einsum("nij,nmj->nmi", chol, e) * w


def _safe_chol(cov):
    k = cov.shape[-1]
    cov = 0.5 * (cov + np.swapaxes(cov, -1, -2))
    jitter = 1e-9
    for _ in range(8):
        try:
            return np.linalg.cholesky(cov + jitter * np.eye(k))
        except np.linalg.LinAlgError:
            jitter *= 100.0
    w, v = np.linalg.eigh(cov)
    w = np.clip(w, 1e-6, None)
    return np.linalg.cholesky(np.einsum("nij,nj,nkj->nik", v, w, v))


class ProposalSpace:
    """Coordinates ``u = T(z)`` in which the importance proposal is drawn (here: ``u = z``)."""

    def to_u(self, z: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return z

    def to_z(self, u: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """``z`` of ``u``; NaN rows where ``u`` maps outside the support."""
        return u

    def logdet_du_dz(self, z: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.zeros(len(z))


class LossRidge(ProposalSpace):
    """Straightens the ridge of two conductance factors the data cannot tell apart.

    Heating data pin down the total heat-loss coefficient ``H = f_a a + f_b b + c`` (``f_a``,
    ``f_b`` two factors, e.g. ``h_tr_factor`` on the transmission ``a`` and
    ``air_change_factor`` on the infiltration ``b``; ``c`` the rest), not how it splits: in
    the prior's coordinates the posterior is a thin *curved* ridge that a Gaussian proposal
    covers badly. In ``u = (log H, log f_a - log f_b, other z)`` the ridge is straight.

    Parameters
    ----------
    priors
        The prior set (for the z <-> t maps of the two factors).
    ia, ib
        Columns of the two factors (log-transformed priors).
    a, b, c
        (n_b,) coefficients of every building, W/K.
    """

    def __init__(self, priors: PriorSet, ia: int, ib: int, a, b, c) -> None:
        self.p, self.ia, self.ib = priors, ia, ib
        self.a, self.b, self.c = (np.asarray(x, dtype=float) for x in (a, b, c))

    def to_u(self, z, rows):
        t = self.p.t_from_z(z)
        fa, fb = np.exp(t[:, self.ia]), np.exp(t[:, self.ib])
        u = np.array(z, dtype=float, copy=True)
        u[:, self.ia] = np.log(fa * self.a[rows] + fb * self.b[rows] + self.c[rows])
        u[:, self.ib] = t[:, self.ia] - t[:, self.ib]
        return u

    def to_z(self, u, rows):
        z = np.array(u, dtype=float, copy=True)
        a, b, c = self.a[rows], self.b[rows], self.c[rows]
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            tb = np.log(np.exp(u[:, self.ia]) - c) - np.log(a * np.exp(u[:, self.ib]) + b)
            ta = u[:, self.ib] + tb
        ok = np.isfinite(ta) & np.isfinite(tb)
        for i, t in ((self.ia, ta), (self.ib, tb)):
            ok &= (t > self.p.low[i]) & (t < self.p.high[i])
        tt = np.tile(self.p.mu, (len(z), 1))
        tt[:, self.ia], tt[:, self.ib] = np.where(ok, ta, self.p.mu[self.ia]), np.where(ok, tb, self.p.mu[self.ib])
        zz = self.p.z_from_t(tt)
        z[:, self.ia], z[:, self.ib] = zz[:, self.ia], zz[:, self.ib]
        z[~ok] = np.nan
        return z

    def logdet_du_dz(self, z, rows):
        t = self.p.t_from_z(z)
        fa, fb = np.exp(t[:, self.ia]), np.exp(t[:, self.ib])
        s = fa * self.a[rows] + fb * self.b[rows]
        h = s + self.c[rows]
        out = np.log(s) - np.log(h)
        for i in (self.ia, self.ib):
            u = 0.5 * (1.0 + np.tanh(0.5 * z[:, i]))
            out += np.log((self.p.high[i] - self.p.low[i]) * u * (1.0 - u))
        return out


def _jacobian_u(space: ProposalSpace, z: np.ndarray, rows: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """du/dz (n, k, k) by central differences."""
    n, k = z.shape
    jac = np.empty((n, k, k))
    for j in range(k):
        dz = np.zeros(k)
        dz[j] = eps
        jac[:, :, j] = (space.to_u(z + dz, rows) - space.to_u(z - dz, rows)) / (2 * eps)
    return jac


def systematic_resample(rng, weights: np.ndarray, n: int) -> np.ndarray:
    """Indices (n_b, n) of systematic resampling of each row of ``weights`` (n_b, m)."""
    w = weights / weights.sum(axis=1, keepdims=True)
    c = np.cumsum(w, axis=1)
    c[:, -1] = 1.0
    u = (rng.random((w.shape[0], 1)) + np.arange(n)[None, :]) / n
    return np.stack([np.searchsorted(c[i], u[i], side="right") for i in range(w.shape[0])]).clip(0, w.shape[1] - 1)


def weighted_quantiles(x: np.ndarray, w: np.ndarray, q) -> np.ndarray:
    """Weighted quantiles over axis 1 of ``x`` (n, m, p) with weights (n, m) -> (len(q), n, p)."""
    order = np.argsort(x, axis=1)
    xs = np.take_along_axis(x, order, axis=1)
    ws = np.take_along_axis(np.broadcast_to(w[:, :, None], x.shape), order, axis=1)
    cw = np.cumsum(ws, axis=1) - 0.5 * ws
    cw /= ws.sum(axis=1, keepdims=True)
    out = np.empty((len(q), x.shape[0], x.shape[2]))
    for i, qq in enumerate(np.asarray(q, dtype=float) / 100.0):
        idx = np.clip((cw < qq).sum(axis=1), 1, x.shape[1] - 1)
        lo = np.take_along_axis(xs, (idx - 1)[:, None, :], axis=1)[:, 0]
        hi = np.take_along_axis(xs, idx[:, None, :], axis=1)[:, 0]
        clo = np.take_along_axis(cw, (idx - 1)[:, None, :], axis=1)[:, 0]
        chi = np.take_along_axis(cw, idx[:, None, :], axis=1)[:, 0]
        f = np.clip((qq - clo) / np.where(chi > clo, chi - clo, 1.0), 0.0, 1.0)
        out[i] = lo + f * (hi - lo)
    return out


def calibrate_posterior(
    forward: Callable[[np.ndarray, np.ndarray], np.ndarray],
    y: np.ndarray,
    mask: np.ndarray,
    priors: PriorSet,
    noise: Noise,
    *,
    n_model: int = 4,
    n_proposal: int = 384,
    n_draws: int = 100,
    min_ess: float = 100.0,
    adapt_rounds: int = 2,
    max_iter: int = 25,
    n_moves: int = 0,
    n_particles: int = 200,
    space: ProposalSpace | None = None,
    seed: int = 0,
    forward_until: Callable[[np.ndarray, np.ndarray, int], np.ndarray] | None = None,
    predict_last: int | None = None,
) -> Posterior:
    """Posterior of every building's parameters (module docstring).

    Parameters
    ----------
    forward
        ``forward(rows, values)`` -> model readings (n_rows, n_p) for buildings ``rows`` with
        physical parameter values (n_rows, n_model); NaN rows for rejected values.
    y, mask
        Readings (n_b, n_p), kWh, and the periods used by the likelihood (n_b, n_p) bool (the
        other periods are only predicted).
    priors
        Priors of the ``n_model`` model parameters, plus the relative noise last when
        ``noise.estimate``.
    noise
        The meter noise model.
    space
        Coordinates of the importance proposal (:class:`LossRidge` for buildings: the total
        heat-loss coefficient and the split of the losses); default ``u = z``.
    n_moves, n_particles
        Random-walk Metropolis steps applied to ``n_particles`` resampled particles after the
        importance sampling (0: none).
    forward_until
        ``forward_until(rows, values, last)``: as ``forward`` but only the periods up to
        ``last`` need be computed (e.g. a simulation stopped there), the others may be NaN.
        Used by the mode search, which needs only the periods of ``mask`` (the later ones carry
        no weight there); None: ``forward``.
    predict_last
        The last period whose predictions are wanted (None: all). With ``forward_until``, the
        importance sampling (and any move step) also runs the model only up to this period (at
        least up to the last period of ``mask``): the likelihood, the weights, the draws and the
        predictions of the periods up to it are the same bit for bit as without it; the
        predictions of the later periods (``pred_mean``, ``pred_p5``, ``pred_p95``) are NaN. For
        fits whose later periods nobody reads (the blocks of a cross-validation).
    """
    rng = np.random.default_rng([int(seed), 0xCA1B])
    y = np.asarray(y, dtype=float)
    mask = np.asarray(mask, dtype=bool) & np.isfinite(y)
    n_b, n_p = y.shape
    k = priors.k
    est = noise.estimate

    used = np.flatnonzero(mask.any(axis=0))
    last = int(used[-1]) if len(used) else n_p - 1
    # the importance sampling's runs stop after period ``stop`` (predict_last, never before the likelihood's last period)
    stop = n_p - 1 if (predict_last is None or forward_until is None) else min(n_p - 1, max(int(predict_last), last))

    def forward_to(upto: int, fill: float):
        """``forward``, or where ``forward_until`` can stop before the last period, the runs
        stopped after period ``upto`` with ``fill`` in the later periods."""
        if forward_until is None or upto == n_p - 1:
            return forward

        def run(rows, values):
            out = np.array(forward_until(rows, values, upto), dtype=float)
            out[:, upto + 1:] = fill
            return out

        return run

    # the mode search: the periods after the last one of ``mask`` are not simulated and set to a
    # placeholder of 1 kWh, finite and positive, so that their terms, of zero weight, stay exact
    # zeros in the sums; the importance sampling when ``predict_last`` cuts it: NaN after ``stop``
    mode_forward = forward_to(last, 1.0)
    sample_forward = forward_to(stop, np.nan)

    def evaluate(rows, z, with_fd: bool = False, mode: bool = False):
        """Log posterior and readings at ``z`` of buildings ``rows``; with ``with_fd`` also the
        readings at the forward-difference points of each (n_rows, n_model, n_p), same call;
        ``mode``: for the mode search (:func:`mode_forward`)."""
        run = mode_forward if mode else sample_forward
        x = priors.values_from_z(z)
        if with_fd:
            zz = np.repeat(z, n_model, axis=0) + FD_STEP * np.tile(np.eye(k)[:n_model], (len(rows), 1))
            xx = priors.values_from_z(zz)[:, :n_model]
            both = run(np.concatenate([rows, np.repeat(rows, n_model)]), np.concatenate([x[:, :n_model], xx]))
            m, mm = both[:len(rows)], both[len(rows):].reshape(len(rows), n_model, n_p)
        else:
            m, mm = run(rows, x[:, :n_model]), None
        sig = x[:, n_model] if est else None
        ll = loglik(y[rows], m, mask[rows], noise, sig)
        return ll + priors.logpdf_z(z), m, mm

    def speculate(n_rows: int) -> bool:
        return n_rows * (1 + n_model) <= SPECULATIVE_ROWS

    # ---------------------------------------------------------------- 1. mode
    z = np.tile(priors.z_from_t(priors.mu), (n_b, 1))
    allb = np.arange(n_b)
    lam = np.full(n_b, 1e-2)
    its = np.zeros(n_b, dtype=np.int64)
    conv = np.zeros(n_b, dtype=bool)
    info = np.zeros((n_b, k, k))
    need_j = np.ones(n_b, dtype=bool)
    jac = np.zeros((n_b, n_p, n_model))
    grad = np.zeros((n_b, k))
    lp, m, mm = evaluate(allb, z, speculate(n_b), mode=True)
    if mm is not None:
        jac[:] = np.transpose((mm - m[:, None, :]) / FD_STEP, (0, 2, 1))
        need_j[:] = False
    for _ in range(max_iter):
        act = np.flatnonzero(~conv)
        if len(act) == 0:
            break
        its[act] += 1
        jrows = act[need_j[act]]
        if len(jrows):
            zz = np.repeat(z[jrows], n_model, axis=0) + FD_STEP * np.tile(np.eye(k)[:n_model], (len(jrows), 1))
            mm = mode_forward(np.repeat(jrows, n_model), priors.values_from_z(zz)[:, :n_model]).reshape(len(jrows), n_model, n_p)
            jac[jrows] = np.transpose((mm - m[jrows][:, None, :]) / FD_STEP, (0, 2, 1))
            need_j[jrows] = False
        x = priors.values_from_z(z[act])
        rel = x[:, n_model] if est else np.full(len(act), noise.relative)
        ma, ya, ka = m[act], y[act], mask[act]
        ja = np.nan_to_num(jac[act])
        v = (rel[:, None] * ma) ** 2 + noise.floor
        v_m = 2.0 * rel[:, None] ** 2 * ma
        res = np.where(ka, ya - ma, 0.0)
        w1 = np.where(ka, 1.0 / v, 0.0)
        w2 = np.where(ka, 1.0 / (2.0 * v**2), 0.0)
        dv = np.zeros((len(act), n_p, k))
        dm = np.zeros((len(act), n_p, k))
        dm[:, :, :n_model] = ja
        dv[:, :, :n_model] = v_m[:, :, None] * ja
        if est:
            u = 0.5 * (1.0 + np.tanh(0.5 * z[act, n_model]))
            ds_dz = rel * (priors.high[n_model] - priors.low[n_model]) * u * (1 - u)
            dv[:, :, n_model] = (2.0 * rel[:, None] * ma**2) * ds_dz[:, None]
        fisher = np.einsum("npi,np,npj->nij", dm, w1, dm) + np.einsum("npi,np,npj->nij", dv, w2, dv)
        g = np.einsum("npi,np->ni", dm, res * w1) + np.einsum("npi,np->ni", dv, (res**2 - v) * w2)
        gp, hp = priors.grad_hess_z(z[act])
        h = fisher + np.einsum("ni,ij->nij", np.clip(-hp, 1e-6, None), np.eye(k))
        info[act] = h
        grad[act] = g + gp
        damp = h + lam[act, None, None] * np.einsum("nii,ij->nij", h, np.eye(k))
        step = np.linalg.solve(damp, grad[act][..., None])[..., 0]
        step = np.clip(step, -2.0, 2.0)
        z_new = z[act] + step
        lp_new, m_new, mm_new = evaluate(act, z_new, speculate(len(act)), mode=True)
        better = lp_new > lp[act] + 1e-10
        a_ok, a_no = act[better], act[~better]
        small = np.max(np.abs(step), axis=1) < 1e-3
        z[a_ok], lp[a_ok], m[a_ok] = z_new[better], lp_new[better], m_new[better]
        lam[a_ok] = np.maximum(lam[a_ok] / 3.0, 1e-7)
        if mm_new is None:
            need_j[a_ok] = True
        else:  # the forward differences at the accepted points ran with the trial step
            jac[a_ok] = np.transpose((mm_new[better] - m[a_ok][:, None, :]) / FD_STEP, (0, 2, 1))
        lam[a_no] *= 4.0
        conv[act[small & better]] = True
        conv[act[~better & ((lam[act] > 1e6) | small)]] = True
    # final curvature at the mode
    cov = np.linalg.inv(info + 1e-9 * np.eye(k))
    # ---------------------------------------------------------------- 2.-3. importance sampling
    # the proposal lives in the coordinates u of ``space`` (default: u = z): the Laplace Gaussian
    # is carried there by the Jacobian at the mode, the draws are mapped back to z and weighted
    # with the proposal density in z (times |det du/dz|)
    space = space if space is not None else ProposalSpace()
    allb = np.arange(n_b)
    loc = space.to_u(z, allb)
    jac_u = _jacobian_u(space, z, allb)
    cov_u = np.einsum("nij,njk,nlk->nil", jac_u, cov, jac_u)
    chol = _safe_chol(cov_u * PROPOSAL_SCALE**2)
    ess = np.zeros(n_b)
    final_w = final_z = final_m = None
    todo = np.arange(n_b)
    for rnd in range(adapt_rounds + 1):
        us = _t_draws(rng, loc[todo], chol[todo], T_DOF, n_proposal)
        rows = np.repeat(todo, n_proposal)
        zs = space.to_z(us.reshape(-1, k), rows).reshape(len(todo), n_proposal, k)
        n_def = int(round(DEFENSIVE_SHARE * n_proposal))
        zs[:, :n_def] = priors.sample_z(rng, len(todo) * n_def).reshape(len(todo), n_def, k)
        outside = ~np.all(np.isfinite(zs), axis=2)
        zs = np.where(outside[..., None], z[todo][:, None, :], zs)  # evaluated but weighted 0
        flat = zs.reshape(-1, k)
        lp_s, m_s, _ = evaluate(rows, flat)
        lp_s = np.where(outside.ravel(), -np.inf, lp_s).reshape(len(todo), n_proposal)
        u_all = space.to_u(flat, rows).reshape(len(todo), n_proposal, k)
        lq_t = _t_logpdf(u_all, loc[todo], chol[todo], T_DOF) + space.logdet_du_dz(flat, rows).reshape(len(todo), n_proposal)
        lq_p = priors.logpdf_z(flat).reshape(len(todo), n_proposal)
        lq = np.logaddexp(math.log(1 - DEFENSIVE_SHARE) + lq_t, math.log(DEFENSIVE_SHARE) + lq_p)
        lw = lp_s - lq
        lw = np.where(np.isfinite(lw), lw, -np.inf)
        mx = np.max(lw, axis=1, keepdims=True)
        mx = np.where(np.isfinite(mx), mx, 0.0)
        w = np.exp(lw - mx)
        w_sum = w.sum(axis=1)
        e = np.where(w_sum > 0, w_sum**2 / np.maximum((w**2).sum(axis=1), 1e-300), 0.0)
        if final_w is None:
            final_w = np.zeros((n_b, n_proposal))
            final_z = np.zeros((n_b, n_proposal, k))
            final_m = np.zeros((n_b, n_proposal, n_p))
            final_lp = np.full((n_b, n_proposal), -np.inf)
        better = e >= ess[todo]
        upd = todo[better]
        final_w[upd], final_z[upd], final_m[upd] = w[better], zs[better], m_s.reshape(len(todo), n_proposal, n_p)[better]
        final_lp[upd] = lp_s[better]
        ess[upd] = e[better]
        low = todo[ess[todo] < min_ess]
        if rnd == adapt_rounds or len(low) == 0:
            break
        # refit the proposal of poorly sampled buildings to their weighted draws (in u)
        wl = final_w[low] / np.maximum(final_w[low].sum(axis=1, keepdims=True), 1e-300)
        ul = space.to_u(final_z[low].reshape(-1, k), np.repeat(low, n_proposal)).reshape(len(low), n_proposal, k)
        mu = np.einsum("nm,nmk->nk", wl, ul)
        d = ul - mu[:, None, :]
        c = np.einsum("nm,nmi,nmj->nij", wl, d, d)
        c = 0.5 * c + 0.5 * cov_u[low]
        loc[low] = mu
        chol[low] = _safe_chol(c * PROPOSAL_SCALE**2)
        todo = low
    w = np.where(np.isfinite(final_w), final_w, 0.0)
    dead = w.sum(axis=1) <= 0
    w[dead] = 1.0  # no finite weight: keep the draws equally (reported by an ESS of 0)
    accept = np.full(n_b, np.nan)
    if n_moves > 0:
        # ---------------------------------------------------------------- 3b. resample-move
        # the weighted sample is resampled into n_particles equally weighted particles, then
        # moved by random-walk Metropolis steps that leave the posterior invariant (the proposal
        # scaled from the particles' own covariance, 2.38^2 / k; Gelman et al. 1996): what the
        # Gaussian proposal missed (curved ridges of parameters the data cannot separate) is
        # explored, at n_particles model runs per building and step
        n_part = max(int(n_particles), n_draws)
        idx = systematic_resample(rng, w, n_part)
        zp = np.take_along_axis(final_z, idx[:, :, None], axis=1)
        lpp = np.take_along_axis(final_lp, idx, axis=1)
        mp = np.take_along_axis(final_m, idx[:, :, None], axis=1)
        n_acc = np.zeros(n_b)
        rows = np.repeat(np.arange(n_b), n_part)
        for _step in range(int(n_moves)):
            mu = zp.mean(axis=1, keepdims=True)
            d = zp - mu
            c = np.einsum("nmi,nmj->nij", d, d) / max(n_part - 1, 1) + 0.05 * cov
            lc = _safe_chol(c * (2.38**2 / k))
            prop = zp + np.einsum("nij,nmj->nmi", lc, rng.standard_normal((n_b, n_part, k)))
            lp_new, m_new, _ = evaluate(rows, prop.reshape(-1, k))
            lp_new = lp_new.reshape(n_b, n_part)
            acc = np.log(rng.random((n_b, n_part))) < (lp_new - lpp)
            acc &= np.isfinite(lp_new)
            zp = np.where(acc[..., None], prop, zp)
            lpp = np.where(acc, lp_new, lpp)
            mp = np.where(acc[..., None], m_new.reshape(n_b, n_part, n_p), mp)
            n_acc += acc.mean(axis=1)
        accept = n_acc / int(n_moves)
        final_z, final_m = zp, mp
        w = np.ones((n_b, n_part))
    idx = systematic_resample(rng, w, n_draws)
    draws_z = np.take_along_axis(final_z, idx[:, :, None], axis=1)
    wn = w / w.sum(axis=1, keepdims=True)
    mf = np.where(np.isfinite(final_m), final_m, np.nan)
    pred_mean = np.einsum("nm,nmp->np", wn, np.nan_to_num(mf))
    # quantiles column by column (each period's own sort): the periods not simulated are left out, no prediction there
    q = np.full((2, n_b, n_p), np.nan)
    q[:, :, :stop + 1] = weighted_quantiles(np.nan_to_num(mf[:, :, :stop + 1]), wn, (5.0, 95.0))
    pred_mean[:, stop + 1:] = np.nan
    xs = priors.values_from_z(final_z.reshape(-1, k)).reshape(n_b, -1, k)
    pq = weighted_quantiles(xs, wn, (5.0, 50.0, 95.0))
    return Posterior(
        names=priors.names,
        z_map=z,
        cov=cov,
        draws_z=draws_z,
        draws=priors.values_from_z(draws_z.reshape(-1, k)).reshape(n_b, n_draws, k),
        ess=ess,
        iterations=its,
        converged=conv,
        pred_mean=pred_mean,
        pred_p5=q[0],
        pred_p95=q[1],
        log_post_map=lp,
        param_q=pq,
        acceptance=accept,
    )


__all__ = ["LossRidge", "Noise", "Posterior", "ProposalSpace", "calibrate_posterior", "loglik", "systematic_resample", "weighted_quantiles"]
