"""Traffic counts and OD-matrix estimation from them (generalised least squares, bi-level).

Counts file (tidy CSV, one row per count)
-----------------------------------------
=============  ======================================================================
column         meaning
=============  ======================================================================
``link_id``    network link id (TNTP link number, scene link id) or ``FROM-TO`` node ids;
               or, instead of it,
``osm_way_id`` OpenStreetMap way id: the count is the sum over every link of that way
               (both directions; the network must carry ``meta['osm_way_id']`` per link)
``period``     label of the counting period (e.g. ``am_peak``, ``2024-03-12T08``)
``vehicles``   vehicles counted in the period, a finite number >= 0 (same unit as the OD
               matrix: vehicles per period) and at most :data:`MAX_COUNT_PER_LINK` per link
               counted (a day of the widest road: a larger count is a unit slip or a typo)
``class``      vehicle class (``car``, ``truck``, ``all``...)
=============  ======================================================================

A run uses one period and one class (``period=``/``klass=``; required when the file holds
several). Bad rows are :class:`~twin.errors.InputError` naming the file, line and field: a
missing column, a count that is not a finite number >= 0 or is above the plausible bound, a link or way not in the network, the
same link, period and class counted twice (also under two spellings: a link id and its
``FROM-TO`` node ids), an empty period or class, no row left after the period/class filter.

Estimation
----------
Generalised least squares (Cascetta 1984) inside a bi-level loop (Yang, Sasaki, Iida & Asakura
1992; Spiess 1990 for the gradient variant): at the current matrix ``x`` the user equilibrium
gives, by select-link analysis (:mod:`twin.traffic.select_link`), the share ``p_a,od`` of each OD
flow that passes counted link (set) ``a``; then ::

    min_x>=0  sum_od (x_od - x0_od)^2 / (cv_od x0_od)^2  +  sum_a (v_a - sum_od p_a,od x_od)^2 / (cv_a v_a)^2

(``x0`` the prior matrix, ``v`` the counts; OD pairs with a zero prior stay zero) is solved with
bounded linear least squares, the equilibrium recomputed at the new matrix, and so on until the
matrix changes by less than ``tol`` (relative) or ``outer`` rounds are done; round ``k`` moves the
matrix by ``1/k`` of the way to the new solution (method of successive averages), which damps the
oscillation between proportions and matrix. ``method="structured"`` replaces the diagonal prior
covariance by a correlated one (common factor, origin and destination zones, cells); ``zonal``
adjusts log-linear zonal factors only. What the SiouxFalls experiment of issue 15 can and cannot
reach, next to an oracle estimator: docs/traffic.md and
``benchmarks/od_estimation_ceiling_siouxfalls.py``.

Fit is reported with the GEH statistic (Geoffrey E. Havers, 1970s; UK DMRB vol. 12):
``GEH = sqrt(2 (m - c)^2 / (m + c))`` for modelled ``m`` and counted ``c`` hourly flows; GEH < 5
on 85 % of the counts is the customary calibration target.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError, SchemaError
from twin.option_names import ESTIMATION_METHODS  # the ``method`` values of estimate_od (there for the command line, kept here)
from twin.traffic.estimate_rounds import MAX_OUTER_ROUNDS, check_outer  # noqa: F401 (kept here: estimate_od's bound)
from twin.traffic.flow_limits import MAX_LANE_FLOW_VEH_H, MAX_LANES, MAX_ROAD_FLOW_VEH_H
from twin.traffic.network import Network
from twin.traffic.tntp import Demand

COUNT_COLUMNS = ("period", "vehicles", "class")

#: Longest period a count of :func:`read_counts` may cover unless told (``period_h``), h: a
#: static assignment's period is an hour, a peak or a day.
MAX_COUNT_PERIOD_H = 24.0

#: Largest count on one link over :data:`MAX_COUNT_PERIOD_H` (921,600 vehicles): the widest road
#: (:data:`twin.street_limits.MAX_LANES` lanes in one direction) at :data:`MAX_LANE_FLOW_VEH_H`
#: all day. A count of an OSM way (both directions, every link of it) may reach this times the
#: number of its links. Above it a count is a unit slip or a typo (1e12 vehicles was accepted,
#: and the estimation scaled the OD matrix towards it).
MAX_COUNT_PER_LINK = MAX_ROAD_FLOW_VEH_H * MAX_COUNT_PERIOD_H


def geh(modelled: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """GEH statistic of modelled against counted hourly flows (0 where both are 0)."""
    m = np.asarray(modelled, dtype=np.float64)
    c = np.asarray(counted, dtype=np.float64)
    s = m + c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 0, np.sqrt(2.0 * (m - c) ** 2 / np.where(s > 0, s, 1.0)), 0.0)


@dataclass(eq=False)
class Counts:
    """Link counts of one period and class.

    Attributes
    ----------
    links : list of ndarray (int64)
        Stored link indices summed by each count (one link, or every link of an OSM way).
    vehicles : ndarray (n,)
        Counted vehicles.
    labels : list of str
        The link or way id of each count, as written in the file.
    period, klass : str
    path : str or None
    """

    links: list[np.ndarray]
    vehicles: np.ndarray
    labels: list[str]
    period: str
    klass: str
    path: str | None = None
    lines: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.links)

    def modelled(self, flow: np.ndarray) -> np.ndarray:
        """Modelled value of every count for link flows ``flow``."""
        return np.array([float(flow[k].sum()) for k in self.links])

    def subset(self, keep: np.ndarray) -> Counts:
        """The counts selected by a boolean mask or index array."""
        idx = np.arange(len(self))[keep]
        return Counts([self.links[i] for i in idx], self.vehicles[idx], [self.labels[i] for i in idx], self.period, self.klass, self.path,
                      None if self.lines is None else self.lines[idx])


def read_counts(path: str | Path, network: Network, *, period: str | None = None, klass: str | None = None, option: str = "--counts",
                choice_options: tuple[str, str] = ("--period", "--class"), period_h: float | None = None) -> Counts:
    """Read a counts CSV (format in the module docstring) for ``network``.

    ``period_h``: hours each count covers when known (``--count-period-h`` of design flows); the
    plausible bound of a count is then ``period_h`` hours of the widest road instead of
    :data:`MAX_COUNT_PER_LINK` (a day's).

    ``option``: the command-line option that names the file (in the error of a missing or
    unreadable file; ``--design-flows`` when the counts time signals,
    :func:`twin.traffic.dynamic_commands.read_design_flows`). ``choice_options``: the options
    that choose ``period`` and ``klass``, named as the field when the file has no count for the
    value given, or several values and none is given (with the values the file has).

    Raises
    ------
    InputError
        See the module docstring (file, line and field are named).
    """
    import pandas as pd

    from twin.io.paths import check_input_file
    from twin.traffic.select_link import link_indices

    path = Path(path)
    check_input_file(path, field=option, what="counts file")  # not found, a folder, too large
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV file: {exc}", path=path, field=option) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    has_link = "link_id" in frame.columns
    has_way = "osm_way_id" in frame.columns
    if has_link == has_way:
        raise SchemaError("the counts need exactly one of the columns link_id and osm_way_id", path=path, field="link_id")
    for col in COUNT_COLUMNS:
        if col not in frame.columns:
            raise SchemaError(f"missing column {col!r} (columns: {', '.join(frame.columns)})", path=path, field=col)
    if frame.empty:
        raise InputError("the counts file has no rows", path=path)
    lines = np.arange(len(frame)) + 2  # header is line 1
    for col in ("period", "class"):
        frame[col] = frame[col].str.strip()
        blank = np.flatnonzero((frame[col] == "").to_numpy())
        if blank.size:  # was read as a period (class) named '' and chosen when alone
            raise InputError(f"empty {col}: every count needs its {'counting period' if col == 'period' else 'vehicle class'} "
                             f"(e.g. {'am_peak' if col == 'period' else 'car, all'})", path=path, obj=f"line {lines[blank[0]]}", field=col)  # fmt: skip
    for name, plural, wanted, col, choice in (("period", "periods", period, "period", choice_options[0]),
                                              ("class", "classes", klass, "class", choice_options[1])):
        values = sorted(set(frame[col]))
        listed = ", ".join(values[:10]) + (", ..." if len(values) > 10 else "")
        if wanted is None:
            if len(values) > 1:
                raise InputError(f"the counts file holds {len(values)} {plural} ({listed}): choose one with {choice}", path=path, field=choice)
        else:
            keep = (frame[col] == wanted).to_numpy()
            if not keep.any():
                raise InputError(f"no count for {name} {wanted!r} in the counts file (its {plural}: {listed})", path=path, field=choice)
            frame = frame[keep]
            lines = lines[keep]
    period = str(frame["period"].iloc[0])
    klass = str(frame["class"].iloc[0])
    key_col = "link_id" if has_link else "osm_way_id"
    way_of_link = None
    if has_way:
        way_of_link = network.meta.get("osm_way_id")
        if way_of_link is None:
            raise InputError("counts by osm_way_id need a network built from OSM ways (meta['osm_way_id'])", path=path, field="osm_way_id")
        way_of_link = np.array([str(w).strip() for w in way_of_link])
    links: list[np.ndarray] = []
    labels: list[str] = []
    vehicles = np.empty(len(frame))
    seen: dict[tuple[int, ...], tuple[int, str]] = {}
    hours = MAX_COUNT_PERIOD_H if period_h is None else float(period_h)
    per_link = MAX_ROAD_FLOW_VEH_H * hours
    for i, (key, text, line) in enumerate(zip(frame[key_col].str.strip(), frame["vehicles"], lines)):
        try:
            v = float(text)
        except ValueError:
            v = np.nan
        if not (np.isfinite(v) and v >= 0):
            raise InputError(f"vehicles must be a finite number >= 0, got {text!r}", path=path, obj=f"line {line} ({key_col} {key})", field="vehicles")
        if has_way:
            idx = np.flatnonzero(way_of_link == key)
            if idx.size == 0:
                raise InputError(f"no link of OSM way {key} in network {network.name}", path=path, obj=f"line {line}", field="osm_way_id")
        else:
            try:
                idx = link_indices(network, [key])
            except InputError as exc:
                raise InputError(exc.message, path=path, obj=f"line {line}", field="link_id") from None
        if v > per_link * max(idx.size, 1):
            span = f"{idx.size} links" if idx.size > 1 else "one link"
            raise InputError(f"vehicles {text.strip()} on {span} is above the largest plausible count, {per_link * max(idx.size, 1):,.0f} "
                             f"({MAX_LANES} lanes at {MAX_LANE_FLOW_VEH_H:,.0f} veh/h each over {hours:g} h per link); a unit slip or a typo?",
                             path=path, obj=f"line {line} ({key_col} {key})", field="vehicles")  # fmt: skip
        counted = tuple(sorted(int(k) for k in idx))  # the links, whatever the spelling (a link id or its FROM-TO node ids)
        if counted in seen:
            first, first_key = seen[counted]
            same = "" if first_key == key else f" (as {key_col} {first_key}: the same link)"
            raise InputError(f"{key_col} {key} is counted twice for period {period!r} and class {klass!r} (first at line {first}{same})",
                             path=path, obj=f"line {line}", field=key_col)
        seen[counted] = (int(line), key)
        links.append(idx.astype(np.int64))
        labels.append(key)
        vehicles[i] = v
    return Counts(links, vehicles, labels, period, klass, str(path), lines)


@dataclass(eq=False)
class ODEstimate:
    """An OD matrix estimated from counts, with the fit before and after.

    Attributes
    ----------
    matrix : ndarray (z, z)
        Estimated OD matrix, vehicles per period.
    prior : ndarray (z, z)
    flow_prior, flow : ndarray (m,)
        Equilibrium link flows with the prior and with the estimated matrix.
    geh_prior, geh : ndarray (n_counts,)
        GEH of every count with the prior and with the estimate.
    rounds : list of dict
        Per outer round: relative change of the matrix, share of counts with GEH < 5.
    """

    matrix: np.ndarray
    prior: np.ndarray
    flow_prior: np.ndarray
    flow: np.ndarray
    counts: Counts
    geh_prior: np.ndarray
    geh: np.ndarray
    rounds: list[dict[str, float]]
    wall_s: float
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "counts": len(self.counts),
            "period": self.counts.period,
            "class": self.counts.klass,
            "geh_below_5_prior": float(np.mean(self.geh_prior < 5.0)),
            "geh_below_5": float(np.mean(self.geh < 5.0)),
            "mean_geh_prior": float(self.geh_prior.mean()),
            "mean_geh": float(self.geh.mean()),
            "total_prior": float(self.prior.sum()),
            "total_estimated": float(self.matrix.sum()),
            "rounds": len(self.rounds),
            "wall_s": self.wall_s,
        }


def _proportions(result, counts: Counts, matrix: np.ndarray, od_index: np.ndarray) -> np.ndarray:
    """``p[a, j]``: share of OD pair ``od_index[j]`` (flat) that passes count ``a``."""
    from twin.traffic.select_link import select_link

    network = result.network
    cache: dict[int, np.ndarray] = {}
    flat = matrix.ravel()
    p = np.zeros((len(counts), od_index.size))
    with np.errstate(divide="ignore", invalid="ignore"):
        for a, links in enumerate(counts.links):
            for k in links:
                if int(k) not in cache:
                    od = select_link(result, [str(network.link_ids[int(k)])], demand=matrix, whole_trips=False).od.ravel()[od_index]
                    cache[int(k)] = np.where(flat[od_index] > 0, od / flat[od_index], 0.0)
                p[a] += cache[int(k)]
    return p


def _zonal_step(base: np.ndarray, p: np.ndarray, od_index: np.ndarray, v: np.ndarray, sd_count: np.ndarray, zone_cv: float, z: int) -> np.ndarray:
    """Factors ``x = base exp(g + a_o + b_d)`` fitting ``p x`` to ``v`` (Gauss-Newton; ``a``, ``b`` regularised)."""
    from scipy.optimize import least_squares

    o_idx = od_index // z
    d_idx = od_index % z
    x0v = base.ravel()[od_index]

    def flows(theta: np.ndarray) -> np.ndarray:
        return x0v * np.exp(theta[0] + theta[1 + o_idx] + theta[1 + z + d_idx])

    def residual(theta: np.ndarray) -> np.ndarray:
        return np.concatenate([(p @ flows(theta) - v) / sd_count, theta[1:] / zone_cv])

    def jacobian(theta: np.ndarray) -> np.ndarray:
        px = p * flows(theta)[None, :]  # (n_counts, n_od)
        jo = np.zeros((p.shape[0], z))
        jd = np.zeros((p.shape[0], z))
        np.add.at(jo.T, o_idx, px.T)
        np.add.at(jd.T, d_idx, px.T)
        top = np.hstack([px.sum(axis=1)[:, None], jo, jd]) / sd_count[:, None]
        return np.vstack([top, np.hstack([np.zeros((2 * z, 1)), np.eye(2 * z) / zone_cv])])

    sol = least_squares(residual, np.zeros(2 * z + 1), jac=jacobian, method="trf", x_scale="jac")
    out = np.zeros(base.size)
    out[od_index] = flows(sol.x)
    return out.reshape(base.shape)


def _structured_step(base: np.ndarray, p: np.ndarray, od_index: np.ndarray, v: np.ndarray, sd_count: np.ndarray,
                     cvs: tuple[float, float, float], z: int) -> np.ndarray:
    """GLS with the correlated prior covariance of ``method="structured"``, closed form, clipped at 0."""
    global_cv, zone_cv, cell_cv = cvs
    o_idx = od_index // z
    d_idx = od_index % z
    x0v = base.ravel()[od_index]
    # W P' without forming W (n_od x n_od): W = X0 (g^2 11' + z^2 (A A' + B B') + c^2 I) X0,
    # A, B the origin / destination indicator matrices
    xp = x0v[:, None] * p.T  # (n_od, n_counts)
    by_o = np.zeros((z, p.shape[0]))
    by_d = np.zeros((z, p.shape[0]))
    np.add.at(by_o, o_idx, xp)
    np.add.at(by_d, d_idx, xp)
    wp = x0v[:, None] * (global_cv**2 * xp.sum(axis=0)[None, :] + zone_cv**2 * (by_o[o_idx] + by_d[d_idx]) + cell_cv**2 * xp)
    gain = np.linalg.solve(p @ wp + np.diag(sd_count**2), v - p @ x0v)
    out = np.zeros(base.size)
    out[od_index] = np.maximum(x0v + wp @ gain, 0.0)
    return out.reshape(base.shape)


def check_method(method: str) -> None:
    """Raise InputError (field ``method``) unless ``method`` is one of :data:`ESTIMATION_METHODS`."""
    if method not in ESTIMATION_METHODS:
        raise InputError(f"unknown method {method!r}; use {', '.join(ESTIMATION_METHODS[:-1])} or {ESTIMATION_METHODS[-1]}", field="method")


def estimate_od(
    network: Network,
    prior: Demand | np.ndarray,
    counts: Counts,
    *,
    prior_cv: float = 0.5,
    count_cv: float = 0.05,
    outer: int = 8,
    tol: float = 1e-3,
    gap: float = 1e-6,
    method: str = "zonal",
    zone_cv: float = 0.1,
    global_cv: float = 0.2,
) -> ODEstimate:
    """Adjust ``prior`` to ``counts`` (GLS in a bi-level loop; see the module docstring).

    Parameters
    ----------
    network
    prior
        Prior OD matrix, vehicles per period (zeros stay zero).
    counts
        :func:`read_counts` (or built directly), same period and unit as ``prior``.
    prior_cv
        Coefficient of variation of the prior OD entries (> 0).
    count_cv
        Coefficient of variation of the counts (> 0).
    outer
        Largest number of assignment / GLS rounds (1 to :data:`MAX_OUTER_ROUNDS`).
    tol
        Stop when the matrix changes by less than this (largest change / largest entry).
    gap
        Relative gap of each equilibrium (Algorithm B).
    method
        ``zonal``: a global factor and multiplicative factors per origin and destination zone,
        ``x_od = x0_od exp(g + a_o + b_d)``, ``g`` free (the prior's total is not trusted: a 3 %
        error in it fails a third of SiouxFalls's links at GEH 5) and a log-normal prior of
        spread ``zone_cv`` on each ``a_o``, ``b_d`` (few parameters: the correction carries over
        to links that are not counted);
        ``gls``: every OD entry adjusted (Cascetta's GLS, ``prior_cv``, independent entries);
        ``zonal+gls``: both, the GLS step starting from (and regularised towards) the zonal
        estimate; ``structured``: Cascetta's GLS with a correlated prior covariance,
        ``cov(x_od, x_o'd') = x0_od x0_o'd' (global_cv^2 + zone_cv^2 ([o = o'] + [d = d'])
        + prior_cv^2 [od = o'd'])`` (a prior wrong by a common factor, by origin and destination
        zone and by cell, linearised log-normal spreads), solved in closed form
        ``x0 + W P' (P W P' + V)^-1 (v - P x0)`` and clipped at 0 (negative entries are rare:
        the spreads are small next to 1).
    global_cv
        ``structured`` only: spread of the prior's common factor (> 0).
    zone_cv
        Spread (log scale) of the zonal factors' prior (> 0): how far the prior's zones may be
        off. Larger values let 48 factors chase count noise (SiouxFalls: 0.3 gave 45-75 % of the
        held-back links within GEH 5, 0.1 gave 58-79 %, see docs/traffic.md).

    Raises
    ------
    InputError
        Bad prior (see :func:`twin.traffic.assign.assign`), no counts, non-positive or
        non-finite ``prior_cv``/``count_cv``, ``outer`` outside [1, :data:`MAX_OUTER_ROUNDS`].
    """
    from scipy.optimize import lsq_linear

    from twin.traffic.assign import _check_inputs, assign

    started = time.perf_counter()
    check_method(method)  # before any work: the prior's assignment comes next
    for name, value in (("prior_cv", prior_cv), ("count_cv", count_cv), ("tol", tol)):
        if not (np.isfinite(value) and value > 0):
            raise InputError(f"{name} must be a finite number > 0, got {value}", field=name)
    check_outer(outer)
    if len(counts) == 0:
        raise InputError("no counts to estimate from", field="counts")
    x0, _ = _check_inputs(network, prior)
    od_index = np.flatnonzero(x0.ravel() > 0)
    sd_count = count_cv * np.maximum(counts.vehicles, 1.0)
    res = assign(network, x0, algorithm="b", gap=gap)
    flow_prior = res.flow.copy()
    for name, value in (("zone_cv", zone_cv), ("global_cv", global_cv)):
        if not (np.isfinite(value) and value > 0):
            raise InputError(f"{name} must be a finite number > 0, got {value}", field=name)
    z = x0.shape[0]
    x = x0.copy()
    rounds: list[dict[str, float]] = []
    stages = ["zonal", "gls"] if method == "zonal+gls" else [method]
    for stage in stages:
        base = x.copy()
        for k in range(outer):
            p = _proportions(res, counts, x, od_index)
            if stage == "zonal":
                new = _zonal_step(base, p, od_index, counts.vehicles, sd_count, zone_cv, z)
            elif stage == "structured":
                new = _structured_step(base, p, od_index, counts.vehicles, sd_count, (global_cv, zone_cv, prior_cv), z)
            else:
                bv = base.ravel()[od_index]
                sd = prior_cv * bv
                keep = sd > 0
                a = np.vstack([np.diag(1.0 / sd[keep]), p[:, keep] / sd_count[:, None]])
                b = np.concatenate([bv[keep] / sd[keep], counts.vehicles / sd_count])
                sol = lsq_linear(a, b, bounds=(0.0, np.inf), method="bvls" if od_index.size <= 2000 else "trf", lsmr_tol="auto")
                new = np.zeros(x0.size)
                new[od_index[keep]] = sol.x
                new = new.reshape(x0.shape)
            new = x + (new - x) / (k + 1.0)  # method of successive averages: damps the bi-level oscillation
            change = float(np.abs(new - x).max() / max(np.abs(x).max(), 1e-300))
            x = new
            res = assign(network, x, algorithm="b", gap=gap)
            g = geh(counts.modelled(res.flow), counts.vehicles)
            rounds.append({"stage": stage, "change": change, "geh_below_5": float(np.mean(g < 5.0)), "mean_geh": float(g.mean())})
            if change < tol:
                break
    return ODEstimate(
        matrix=x,
        prior=x0,
        flow_prior=flow_prior,
        flow=res.flow.copy(),
        counts=counts,
        geh_prior=geh(counts.modelled(flow_prior), counts.vehicles),
        geh=geh(counts.modelled(res.flow), counts.vehicles),
        rounds=rounds,
        wall_s=time.perf_counter() - started,
    )
