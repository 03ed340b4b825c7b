"""Group calibration: where no building has its own meter, fit the group to an aggregate.

Two aggregates are supported:

* a **certificate class distribution** (:func:`calibrate_classes`): the share of a group's
  dwellings in a set of EPB classes (the Region's "about 85 % of dwellings in class D or
  worse", ``twin/data/epb_class_targets_brussels.csv``);
* a **zone total** (:func:`calibrate_zone_total`): the measured consumption of all buildings of
  a zone (a district's gas total).

The unknown is a common factor ``s`` on the U-values of every building of the group
(``calibration_priors.yaml``, ``group.h_tr_shift``: the renovations the stock priors do not
model), *on top of* the stock priors (:mod:`twin.energy.stock_samples`: period, glazing,
heating system, air change, geometry drawn per Monte Carlo sample). The forward model of
``log s`` is the whole sampled stock: ``S`` Monte Carlo samples of the district, each run
through the kernel with the shift applied, the EPB class of every building from its primary
energy (:func:`twin.energy.results.account_arrays`, :func:`twin.energy.classes.energy_class`).

Posterior (exact on a grid, the parameter being one-dimensional): the joint posterior of
``(log s, sample)`` is ``p(log s) x 1/S x prod_targets N(observed; share_sample(log s), sd)``;
the sampled city's other unknowns are averaged over the ``S`` samples (common random numbers:
the same samples at every ``s``). ``share(log s)`` is computed by the kernel at
:data:`NODES` values of ``log s`` spanning the prior's support and, between them, by
interpolating each building's log primary energy (monotone in ``s``); the interpolation error
is checked in the tests against direct runs.

Later runs (scenarios, what-ifs) draw new stock samples: each gets its shift from the posterior
given that sample (:func:`conditional_model`, written back as ``calib_group_*`` columns and
applied by :func:`twin.energy.sampled.condition_groups`), not from the marginal posterior of
``log s`` (which would ignore that a sample with older periods needs a stronger shift).

Certificates describe the building in standard conditions (the EPB method): the setpoint prior
is switched off for the class fit (every building at the run's setpoint, 20 C by TABULA's
convention); the heating system prior stays on (the certificate counts the system).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pandas as pd

from twin.errors import InputError, SchemaError

#: Values of log s at which the stock is simulated (spanning the prior's support).
NODES = 7
#: Points of the posterior grid of log s.
GRID = 161
#: Default Monte Carlo samples of the stock in a group fit.
DEFAULT_SAMPLES = 40

PACKAGED_TARGETS = "epb_class_targets_brussels.csv"


@dataclass(frozen=True)
class ClassTarget:
    """One published share of certificates: ``share`` of the ``population`` in ``classes``."""

    target: str
    classes: tuple[str, ...]
    share: float
    sd: float
    use: str  # "fit" or "check"
    relation: str  # "about" or "at_most"
    source: str


def load_class_targets(path=None) -> list[ClassTarget]:
    """The class-share targets (packaged Brussels table, or a CSV of the same columns).

    Raises
    ------
    SchemaError
        A missing column, a share outside [0, 1], an sd <= 0, an unknown class or use, no
        target to fit.
    """
    from twin.energy.classes import class_order

    if path is None:
        with resources.as_file(resources.files("twin") / "data" / PACKAGED_TARGETS) as p:
            table = pd.read_csv(p)
    else:
        from twin.io.paths import check_input_file

        check_input_file(path, suffixes=(".csv",), max_bytes=1024**2, what="class targets", field="--classes")
        try:
            table = pd.read_csv(path)
        except (ValueError, pd.errors.ParserError) as exc:
            raise SchemaError(f"not a readable CSV: {exc}", path=path) from None
    for col in ("target", "classes", "share", "sd", "use"):
        if col not in table:
            raise SchemaError("class targets lack a column", path=path, field=col)
    known = set(class_order())
    out = []
    for i, r in table.iterrows():
        classes = tuple(c.strip() for c in str(r["classes"]).split(",") if c.strip())
        bad = [c for c in classes if c not in known]
        if bad or not classes:
            raise SchemaError(f"unknown EPB class {bad[0] if bad else ''!r} (classes: {', '.join(class_order())})", path=path,
                              obj=f"row {i + 2}", field="classes")
        share, sd = float(r["share"]), float(r["sd"])
        if not (0.0 <= share <= 1.0) or not math.isfinite(share):
            raise SchemaError(f"share {share} must be within [0, 1]", path=path, obj=f"row {i + 2}", field="share")
        if not (sd > 0.0) or not math.isfinite(sd):
            raise SchemaError(f"sd {sd} must be > 0", path=path, obj=f"row {i + 2}", field="sd")
        use = str(r["use"]).strip()
        if use not in ("fit", "check"):
            raise SchemaError(f"use must be fit or check, not {use!r}", path=path, obj=f"row {i + 2}", field="use")
        relation = str(r.get("relation", "about")).strip() if "relation" in table else "about"
        if relation not in ("about", "at_most"):
            raise SchemaError(f"relation must be about or at_most, not {relation!r}", path=path, obj=f"row {i + 2}", field="relation")
        out.append(ClassTarget(str(r["target"]), classes, share, sd, use, relation, str(r.get("source", ""))))
    if not any(t.use == "fit" for t in out):
        raise SchemaError("no target with use = fit", path=path, field="use")
    return out


@dataclass
class GroupPosterior:
    """Posterior of a group's shift ``s`` (a factor on its U-values).

    Attributes
    ----------
    grid_log_s, weights : (GRID,)
        The grid of ``log s`` and its posterior probabilities.
    median, p5, p95 : float
        The factor ``s``.
    z_mean, z_sd : float
        Gaussian approximation in the prior's unconstrained coordinate (for write-back).
    bounds : (float, float)
        The prior's support (physical).
    ess : float
        Effective number of (grid point, sample) pairs carrying the posterior.
    """

    grid_log_s: np.ndarray
    weights: np.ndarray
    median: float
    p5: float
    p95: float
    z_mean: float
    z_sd: float
    bounds: tuple
    ess: float
    prior_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _posterior_from_grid(grid, like_s, prior) -> tuple[GroupPosterior, np.ndarray]:
    """Posterior over (grid point, sample) from the likelihood (GRID, S) and the group prior."""
    from twin.calibration.parameters import PriorSet

    ps = PriorSet((prior,))
    z = ps.z_from_t(grid[:, None])[:, 0]
    # prior density of log s (the truncated normal of t), on the grid
    lp = -0.5 * ((grid - prior.mu) / prior.sd) ** 2
    lp = np.where((grid >= prior.low) & (grid <= prior.high), lp, -np.inf)
    log_joint = lp[:, None] + like_s
    m = np.max(log_joint[np.isfinite(log_joint)]) if np.isfinite(log_joint).any() else 0.0
    joint = np.exp(log_joint - m)
    if joint.sum() <= 0 or not np.isfinite(joint.sum()):
        raise InputError("the targets are out of reach of the group's prior (zero likelihood everywhere): check them", field="--classes")
    joint /= joint.sum()
    wg = joint.sum(axis=1)
    cdf = _trapezoid_cdf(wg)
    q = [float(np.interp(x, cdf / cdf[-1], grid)) for x in (0.05, 0.5, 0.95)]
    zm = float(np.sum(wg * z))
    zs = float(np.sqrt(max(np.sum(wg * (z - zm) ** 2), 1e-12)))
    pw = np.exp(lp - np.max(lp[np.isfinite(lp)]))
    pw /= pw.sum()
    post = GroupPosterior(grid, wg, math.exp(q[1]), math.exp(q[0]), math.exp(q[2]), zm, zs, prior.value_bounds,
                          float(1.0 / np.sum(joint**2)), pw)
    return post, joint


class StockForward:
    """The sampled stock of a scene as a function of a group shift (module docstring)."""

    def __init__(self, scene, prep, stock_priors, n_samples: int, seed: int, group_ids, *, setpoint_prior: bool = False):
        from dataclasses import replace

        from twin.energy.sampled import SampledEnvelopes
        from twin.energy.stock_samples import draw_stock_samples

        if not setpoint_prior and stock_priors.heating_setpoint_c is not None:
            stock_priors = replace(stock_priors, heating_setpoint_c=None)
        self.prep = prep
        self.samples = draw_stock_samples(scene, stock_priors, n_samples, seed)
        self.builder = SampledEnvelopes(scene, prep, self.samples)
        env_ids = self.builder.env["building_id"].astype(str)
        self.group = env_ids.isin(set(map(str, group_ids))).to_numpy()
        self.n_samples = n_samples
        self.n_env = self.builder.n_env
        self._rows = None

    def rows(self):
        """Envelope rows of every sample (cached): (env, sample of each row)."""
        if self._rows is None:
            self._rows = self.builder.build(np.arange(self.n_samples), None)
        return self._rows

    def run(self, log_s: float) -> dict[str, np.ndarray]:
        """Per row of :meth:`rows`: ``a_f_m2``, ``primary_energy_kwh_m2``, ``final_energy_kwh``,
        ``q_heat_kwh``, ``monthly_heat_kwh`` (rows the kernel rejects: NaN)."""
        from twin.energy.calibrated import apply_parameters
        from twin.energy.model import to_stock_inputs
        from twin.energy.results import account_arrays
        from twin.energy.simulate import simulate_raw

        env, _ = self.rows()
        g = np.tile(self.group, self.n_samples)
        env = apply_parameters(env, {"h_tr_factor": np.where(g, math.exp(log_s), np.nan)})
        drv = self.prep.drivers
        theta = env["theta_i_c"].to_numpy(dtype=float)
        values, profile = np.unique(theta, return_inverse=True)
        from dataclasses import replace

        drivers = replace(drv, heat_setpoint_c=np.repeat(values[:, None], drv.n_hours, axis=1),
                          cool_setpoint_c=np.full((len(values), drv.n_hours), np.nan))
        shade = None if self.prep.shade_factor is None else np.tile(self.prep.shade_factor, (self.n_samples, 1, 1))
        inputs = to_stock_inputs(env, conventions=self.prep.conventions, factors=self.prep.factors, shade_factor=shade)
        inputs.setpoint_profile = profile.astype(np.int64)
        raw, ok, _ = simulate_raw(inputs, drivers, on_error="report", film_correction=True)
        n = len(env)
        q = np.full(n, np.nan)
        mh = np.full((n, 12), np.nan)
        q[ok] = raw["heat_wh"] / 1000.0
        mh[ok] = raw["monthly_heat_wh"] / 1000.0
        acc = account_arrays(
            a_f_m2=env["a_f_m2"].to_numpy(dtype=float), q_heat_kwh=q, monthly_heat_kwh=mh,
            q_w_nd_kwh_m2=env["q_w_nd_kwh_m2"].to_numpy(dtype=float), system=env["system"].astype(str).to_numpy(),
            eta_hr=env["eta_hr"].to_numpy(dtype=float), n_air_use_1_h=env["n_air_use_1_h"].to_numpy(dtype=float),
            volume_m3=env["volume_m3"].to_numpy(dtype=float),
            pv_kwp=env["pv_kwp"].to_numpy(dtype=float) if "pv_kwp" in env else np.zeros(n), drivers=drivers, factors=self.prep.factors)
        return {"a_f_m2": env["a_f_m2"].to_numpy(dtype=float), "primary_energy_kwh_m2": acc["primary_energy_kwh_m2"],
                "final_energy_kwh": acc["final_energy_kwh"], "q_heat_kwh": q, "group": g}


def class_shares(pe_kwh_m2: np.ndarray, a_f: np.ndarray, in_group: np.ndarray, sample: np.ndarray, n_samples: int, classes) -> np.ndarray:
    """Floor-area share of the group in ``classes`` per sample (n_samples,): :func:`grid_class_shares`
    of one grid point."""
    return grid_class_shares(np.asarray(pe_kwh_m2, dtype=float)[:, None], a_f, in_group, sample, n_samples, classes)[0]


def grid_class_shares(pe_grid: np.ndarray, a_f: np.ndarray, in_group: np.ndarray, sample: np.ndarray, n_samples: int,
                      classes) -> np.ndarray:
    """Floor-area share of the group in ``classes`` per grid point and sample, (grid points, n_samples).

    Column ``i`` of ``pe_grid`` gives row ``i`` of the result: each row's class by
    :func:`twin.energy.classes.class_index` (rows with a non-finite intensity or floor area, or
    outside ``in_group``, count nowhere), the floor areas summed in row order per (grid point,
    sample), in one pass over the grid.

    Parameters
    ----------
    pe_grid
        Primary energy of each row at each grid point (rows, grid points), kWh/(m2 a).
    a_f
        Floor area of each row, m2.
    in_group
        Rows that count (bool).
    sample
        Sample of each row, 0 to ``n_samples`` - 1.
    n_samples
        Number of samples.
    classes
        Class labels whose floor area is counted (e.g. ``("D", "E", "F", "G")``).

    Returns
    -------
    numpy.ndarray
        (grid points, n_samples); NaN for a sample without a counted row.
    """
    from twin.energy.classes import class_index, load_classes

    table = load_classes()
    in_set = np.isin(table["energy_class"].astype(str).to_numpy(), list(classes))
    pe = np.asarray(pe_grid, dtype=float).T  # grid points x rows: row order kept within each point
    a_f = np.asarray(a_f, dtype=float)
    ok = np.asarray(in_group, dtype=bool)[None, :] & np.isfinite(pe) & np.isfinite(a_f)[None, :]
    hit = ok & in_set[class_index(pe, table)]
    n_g, n_s = pe.shape[0], int(n_samples)
    key = np.arange(n_g, dtype=np.int64)[:, None] * n_s + np.asarray(sample, dtype=np.int64)[None, :]
    w = np.broadcast_to(a_f[None, :], pe.shape)
    den = np.bincount(key[ok], weights=w[ok], minlength=n_g * n_s).reshape(n_g, n_s)
    num = np.bincount(key[hit], weights=w[hit], minlength=n_g * n_s).reshape(n_g, n_s)
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / den


@dataclass
class ClassCalibration:
    """Result of :func:`calibrate_classes`."""

    posterior: GroupPosterior
    targets: list
    group_ids: list
    nodes_log_s: np.ndarray
    shares_at_nodes: dict  # target -> (NODES, S)
    prior_share: dict  # target -> (p5, p50, p95) over prior draws of (s, sample)
    posterior_share: dict  # target -> (p5, p50, p95) over the posterior of (s, sample)
    uncalibrated_share: dict  # target -> (p5, p50, p95) with s = 1 (the stock priors alone)
    n_samples: int
    seconds: float = 0.0
    #: What a later run needs to draw the shift given its own stock samples (:func:`conditional_model`).
    conditional: dict = field(default_factory=dict)


#: Kernel runs per stock sample in a later run's conditioning pass (values of ``log s`` spanning
#: the marginal posterior, :func:`conditional_model`). Three: on the Saint-Gilles dwellings over
#: the default scenario's node range (``log s`` -0.61 to 0.04), each building's log primary
#: energy interpolated from 3 nodes is within 0.017 of a direct run (99 % within 0.011) and the
#: floor-area share in D or worse within 0.33 points on a 25-point grid (4 nodes: 0.09 points;
#: 2 nodes: 0.68), against the target's 2.5-point sd; each node costs one standard-conditions
#: run of the group per sample.
COND_NODES = 3
#: Margin (in ``log s``) around the marginal posterior's 0.1-99.9 % range for those nodes.
COND_MARGIN = 0.1


def fit_log_likelihood(shares: dict, targets) -> np.ndarray:
    """Log likelihood of the fitted targets (``use = fit``) given class shares (target -> array of
    any shape): ``about``: normal with the target's sd; ``at_most``: flat below the share,
    the normal's tail above. A share that is not finite has zero likelihood."""
    like = None
    for t in targets:
        if t.use != "fit":
            continue
        sh = np.asarray(shares[t.target], dtype=float)
        term = -0.5 * ((sh - t.share) / t.sd) ** 2
        if t.relation == "at_most":
            term = np.where(sh <= t.share, 0.0, term)
        like = term if like is None else like + term
    return np.where(np.isfinite(like), like, -np.inf)


def conditional_model(grid: np.ndarray, joint: np.ndarray, shares_grid: dict, targets, prior) -> dict:
    """What a later run needs to draw a group's shift given *its own* stock samples, and what it
    should then reproduce.

    Why: the joint posterior of ``(log s, sample)`` couples the shift with the sample's other
    district-level unknowns (a sample with older periods needs a stronger shift to reach the
    published share). A later run (scenario, what-if) draws new stock samples; drawing their
    shift from the marginal posterior of ``log s``, independently of the sample, breaks the
    coupling: the run's class share then spreads over tens of points and its bands widen
    instead of narrowing. So a run draws the shift of each of its samples from the posterior
    given that sample, ``p(log s | sample, data) ~ p(log s) L(share_sample(log s))``: the same
    prior and likelihood as here, on the sample's own shares (:func:`conditional_log_shift`,
    :func:`twin.energy.sampled.condition_groups`).

    The stock samples keep their prior weights (the class data update the shift, not the stock
    priors: a *cut* of the joint posterior, Plummer 2015). ``sample_ess``, the effective number
    of stock samples under the joint posterior, says how much the full posterior would have
    re-weighted them (the number of samples: not at all); ``cut_share`` is the calibrated share
    under the cut (samples equally weighted, each with its conditional shift): what a run
    reproduces, to be compared with the joint posterior's share.

    Returns
    -------
    dict
        ``targets`` (the fitted targets: classes, share, sd, relation), ``prior_mu``,
        ``prior_sd`` (log s), ``node_low``, ``node_high`` (log s: the range a run simulates,
        the marginal posterior's 0.1-99.9 % range widened by :data:`COND_MARGIN`, within the
        support), ``sample_ess``, ``samples``, ``cut_share`` (target -> p5, p50, p95).
    """
    tot = joint.sum(axis=0)
    ok = tot > 0
    wg = joint.sum(axis=1)
    cdf = _trapezoid_cdf(wg)
    cdf = cdf / cdf[-1]
    q_lo, q_hi = float(np.interp(1e-3, cdf, grid)), float(np.interp(1 - 1e-3, cdf, grid))
    node_low, node_high = max(float(prior.low), q_lo - COND_MARGIN), min(float(prior.high), q_hi + COND_MARGIN)
    cut = np.where(ok[None, :], joint / np.where(ok, tot, 1.0)[None, :], 0.0) / max(int(ok.sum()), 1)
    cut_share = {}
    for name, sh in shares_grid.items():
        flat_w, flat_s = cut.ravel(), sh.ravel()
        keep = np.isfinite(flat_s) & (flat_w > 0)
        order = np.argsort(flat_s[keep])
        c = np.cumsum(flat_w[keep][order])
        cut_share[name] = tuple(float(np.interp(q, c / c[-1], flat_s[keep][order])) for q in (0.05, 0.5, 0.95))
    pw = tot / tot.sum()
    fit = [{"target": t.target, "classes": list(t.classes), "share": t.share, "sd": t.sd, "relation": t.relation} for t in targets if t.use == "fit"]
    return {"targets": fit, "prior_mu": float(prior.mu), "prior_sd": float(prior.sd), "node_low": node_low, "node_high": node_high,
            "sample_ess": float(1.0 / np.sum(pw**2)), "samples": int(len(tot)), "cut_share": cut_share}


def conditional_log_shift(shares_grid: dict, model: dict, u: np.ndarray) -> np.ndarray:
    """Draw the shift (log) of each stock sample from its posterior given the sample.

    Parameters
    ----------
    shares_grid
        Target name -> (GRID, S): each sample's share in the target's classes at the ``GRID``
        points of ``linspace(model['node_low'], model['node_high'], GRID)``.
    model
        :func:`conditional_model`.
    u : (S,)
        Uniforms in [0, 1): the draw inverts each sample's posterior distribution function.

    A sample whose share cannot reach the target on the range gets its posterior piled at the
    point of largest likelihood (the range's edge); a sample without a share (none of its
    buildings ran) gets the middle of the range.
    """
    grid = np.linspace(model["node_low"], model["node_high"], GRID)
    targets = [ClassTarget(t["target"], tuple(t["classes"]), t["share"], t["sd"], "fit", t["relation"], "") for t in model["targets"]]
    like = fit_log_likelihood(shares_grid, targets)
    lp = -0.5 * ((grid - model["prior_mu"]) / model["prior_sd"]) ** 2
    lj = lp[:, None] + like
    top = np.max(np.where(np.isfinite(lj), lj, -np.inf), axis=0)
    dead = ~np.isfinite(top)
    w = np.exp(lj - np.where(dead, 0.0, top)[None, :])
    w = np.where(np.isfinite(w), w, 0.0)
    cdf = _trapezoid_cdf(w)
    out = np.empty(w.shape[1])
    for j in range(w.shape[1]):
        if dead[j] or cdf[-1, j] <= 0:
            out[j] = grid[int(np.argmax(like[:, j]))] if np.isfinite(like[:, j]).any() else grid[len(grid) // 2]
            continue
        out[j] = float(np.interp(u[j], cdf[:, j] / cdf[-1, j], grid))
    return out


def _trapezoid_cdf(w: np.ndarray) -> np.ndarray:
    """Distribution function on a uniform grid of a density given at the grid points (axis 0),
    piecewise linear between them (trapezoids; unnormalised, 0 at the first point)."""
    w = np.asarray(w, dtype=float)
    c = np.zeros_like(w)
    c[1:] = np.cumsum(0.5 * (w[1:] + w[:-1]), axis=0)
    return c


def _interp_pe(nodes, pe_nodes, grid):
    """Per row, log primary energy interpolated linearly in log s (rows x nodes -> rows x grid) one grid point at a time."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lpe = np.log(np.maximum(pe_nodes, 1e-9))
    j = np.clip(np.searchsorted(nodes, grid) - 1, 0, len(nodes) - 2)
    f = (grid - nodes[j]) / (nodes[j + 1] - nodes[j])
    return np.exp(lpe[:, j] * (1 - f) + lpe[:, j + 1] * f)


def calibrate_classes(scene, prep=None, *, targets=None, group_ids=None, stock_priors=None, shift_prior=None, n_samples: int = DEFAULT_SAMPLES,
                      seed: int = 0, nodes: int = NODES) -> ClassCalibration:
    """Fit the group's envelope shift to certificate class shares (module docstring).

    Parameters
    ----------
    scene
        The scene; ``prep`` its prepared stock (made here when None).
    targets
        :class:`ClassTarget` list (default: the packaged Brussels table).
    group_ids
        The group's buildings (default: every building whose use is ``residential``).
    stock_priors
        The stock prior table (default: the packaged one).
    shift_prior
        Prior of the shift (default: ``calibration_priors.yaml``, ``group.h_tr_shift``).
    n_samples, seed
        Monte Carlo samples of the stock and their seed.
    """
    import time

    from twin.calibration.parameters import load_calibration_priors
    from twin.energy.priors import load_priors
    from twin.energy.stock import prepare_stock

    t0 = time.perf_counter()
    targets = targets if targets is not None else load_class_targets()
    if shift_prior is None:
        _, shift_prior, _ = load_calibration_priors()
    stock_priors = stock_priors if stock_priors is not None else load_priors()
    prep = prep if prep is not None else prepare_stock(scene)
    b = scene.buildings
    if group_ids is None:
        group_ids = b.loc[b["use"].astype(str) == "residential", "building_id"].astype(str).tolist()
    group_ids = [g for g in group_ids if g in set(prep.envelope["building_id"].astype(str))]
    if not group_ids:
        raise InputError("the group has no building the energy model can simulate (no residential building?)", field="group")
    fwd = StockForward(scene, prep, stock_priors, n_samples, seed, group_ids)
    _, s_of_row = fwd.rows()
    node_x = np.linspace(shift_prior.low, shift_prior.high, int(nodes))
    pe_nodes, a_f, in_group = [], None, None
    for x in node_x:
        r = fwd.run(float(x))
        pe_nodes.append(r["primary_energy_kwh_m2"])
        a_f, in_group = r["a_f_m2"], r["group"]
    pe_nodes = np.column_stack(pe_nodes)
    # rows the kernel rejected at some node are left out of the shares at every node
    good = np.all(np.isfinite(pe_nodes), axis=1)
    in_group = in_group & good
    grid = np.linspace(shift_prior.low, shift_prior.high, GRID)
    pe_grid = _interp_pe(node_x, pe_nodes, grid)
    shares_grid = {t.target: grid_class_shares(pe_grid, a_f, in_group, s_of_row, n_samples, t.classes) for t in targets}
    like = fit_log_likelihood(shares_grid, targets)
    post, joint = _posterior_from_grid(grid, like, shift_prior)

    def band(w2d, sh):
        flat_w = w2d.ravel()
        flat_s = sh.ravel()
        order = np.argsort(flat_s)
        c = np.cumsum(flat_w[order])
        c /= c[-1]
        return tuple(float(np.interp(q, c, flat_s[order])) for q in (0.05, 0.5, 0.95))

    prior_joint = np.repeat(post.prior_weights[:, None], n_samples, axis=1) / n_samples
    unit = np.argmin(np.abs(grid))
    out_prior, out_post, out_unc = {}, {}, {}
    for t in targets:
        sh = shares_grid[t.target]
        out_prior[t.target] = band(prior_joint, sh)
        out_post[t.target] = band(joint, sh)
        out_unc[t.target] = tuple(float(np.percentile(sh[unit], q)) for q in (5, 50, 95))
    cond = conditional_model(grid, joint, shares_grid, targets, shift_prior)
    return ClassCalibration(post, targets, list(group_ids), node_x, {t.target: grid_class_shares(pe_nodes, a_f, in_group, s_of_row, n_samples, t.classes)
                                                                     for t in targets},
                            out_prior, out_post, out_unc, n_samples, time.perf_counter() - t0, cond)


__all__ = ["ClassCalibration", "ClassTarget", "GroupPosterior", "StockForward", "calibrate_classes", "class_shares", "conditional_log_shift", "grid_class_shares",
           "conditional_model", "fit_log_likelihood", "load_class_targets"]
