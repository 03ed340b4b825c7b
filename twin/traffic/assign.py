"""Static user-equilibrium assignment: Frank-Wolfe, conjugate and bi-conjugate FW, Algorithm B.

Problem (Beckmann, McGuire & Winsten 1956): minimise ``sum_a integral_0^{x_a} t_a(v) dv +
f_a x_a`` over link flows ``x`` that route the OD demand, where ``t_a`` is the link's delay
function and ``f_a`` its fixed (toll, distance) cost. At the optimum every used path of an OD
pair has the least generalized cost (Wardrop's first principle).

Convergence is measured by the relative gap::

    relative_gap = (TSTT - SPTT) / TSTT,
    TSTT = sum_a x_a c_a(x),     SPTT = sum_od demand_od * (shortest-path cost_od at c(x)),

with ``c_a = t_a + f_a`` the generalized cost. Every iteration records the relative gap and the
Beckmann objective (:class:`~twin.traffic.results.IterationRecord`).

Algorithms
----------
``fw``   Frank-Wolfe (LeBlanc, Morlok & Pierskalla 1975) with exact line search.
``cfw``  Conjugate Frank-Wolfe (Mitradjieva & Lindberg 2013).
``bfw``  Bi-conjugate Frank-Wolfe (Mitradjieva & Lindberg 2013).
``b``    Algorithm B, origin-based on acyclic bushes (Dial 2006); reaches gaps of 1e-10 and below.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from twin.caching import BoundedCache, content_digest
from twin.errors import InputError, SimulationError
from twin.option_names import ALGORITHMS as ALGORITHMS  # the algorithms and their reader: there for the command line, re-exported here
from twin.option_names import algorithm_name
from twin.traffic.kernel_threads import THREADS_MIN_WORK
from twin.traffic.network import Network
from twin.traffic.results import AssignmentResult, IterationRecord
from twin.traffic.tntp import Demand

PARALLEL_MIN_WORK = THREADS_MIN_WORK
"""Zones x links from which the all-or-nothing loading is split into :data:`AON_CHUNKS` chunks
of origins (and run on Numba's threads); below, one chunk on one thread. The same bound as
:data:`twin.traffic.kernel_threads.THREADS_MIN_WORK`: smaller calls run on one thread anyway."""
AON_CHUNKS = 16
"""Chunks of origins (dealt round-robin) whose link flows the all-or-nothing loading sums
separately, then adds in chunk order, from :data:`PARALLEL_MIN_WORK` (fewer when there are
fewer origins). Fixed by the problem, not by the machine: the order of the floating-point
additions, hence the link flows to the last bit, is the same on any number of threads (the
threads only decide how many chunks run at once; up to 16 share the work)."""
DEFAULT_MAX_ITER = {"fw": 10_000, "cfw": 10_000, "bfw": 10_000, "b": 1_000}
MAX_TOTAL_DEMAND = 1.0e12
"""Largest total OD demand accepted (vehicles per period): a thousand times the daily car trips
of the whole world (about 1e9). Larger values are unit slips or overflow in the making (link
costs grow as flow**power, and 1e100 vehicles overflowed Algorithm B's labels)."""
MAX_ITER_LIMIT = 10_000_000
"""Largest iteration limit accepted (a run of this many iterations would take days)."""


class _Arrays:
    """The network arrays, contiguous, and the AON workspace."""

    def __init__(self, net: Network, demand: np.ndarray) -> None:
        self.net = net
        self.demand = np.ascontiguousarray(demand, dtype=np.float64)
        self.demand_total = float(self.demand.sum())
        self.out_start = np.ascontiguousarray(net.out_start, dtype=np.int64)
        self.in_start = np.ascontiguousarray(net.in_start, dtype=np.int64)
        self.in_link = np.ascontiguousarray(net.in_link, dtype=np.int64)
        self.from_node = np.ascontiguousarray(net.from_node, dtype=np.int64)
        self.to_node = np.ascontiguousarray(net.to_node, dtype=np.int64)
        self.t0 = np.ascontiguousarray(net.free_flow_time, dtype=np.float64)
        self.cap = np.ascontiguousarray(net.capacity, dtype=np.float64)
        self.alpha = np.ascontiguousarray(net.alpha, dtype=np.float64)
        self.beta = np.ascontiguousarray(net.beta, dtype=np.float64)
        self.code = np.ascontiguousarray(net.vdf, dtype=np.int64)
        self.fixed = np.ascontiguousarray(net.fixed_cost, dtype=np.float64)
        self.first_thru = int(net.first_thru_node)
        m = net.n_links
        # threads only pay off on networks of some size (and cost latency on a busy machine); the
        # chunks depend on the problem alone, so the flows are the same on any number of threads
        work_size = self.demand.shape[0] * max(1, net.n_links)
        self.parallel = work_size >= PARALLEL_MIN_WORK
        self.n_chunks = max(1, min(AON_CHUNKS, self.demand.shape[0])) if self.parallel else 1
        self.work_size = work_size
        self.work = np.empty((self.n_chunks, m))
        self.sptt = np.empty(self.n_chunks)
        self.unreachable = np.empty((self.n_chunks, 2), dtype=np.int64)

    def vdf(self) -> tuple[np.ndarray, ...]:
        return self.t0, self.cap, self.alpha, self.beta, self.code

    def costs(self, flow: np.ndarray, out: np.ndarray) -> np.ndarray:
        from twin.kernels.traffic_vdf import link_costs

        link_costs(flow, *self.vdf(), self.fixed, out)
        return out

    def derivatives(self, flow: np.ndarray, out: np.ndarray) -> np.ndarray:
        from twin.kernels.traffic_vdf import link_derivatives

        link_derivatives(flow, *self.vdf(), out)
        return out

    def beckmann(self, flow: np.ndarray) -> float:
        from twin.kernels.traffic_vdf import beckmann_objective

        return float(beckmann_objective(flow, *self.vdf(), self.fixed))

    def aon(self, cost: np.ndarray, out: np.ndarray) -> tuple[float, tuple[int, int] | None]:
        """AON flows into ``out``; returns SPTT and one unreachable OD pair (or None)."""
        from twin.kernels.traffic_aon import aon_assign, aon_assign_serial
        from twin.traffic.kernel_threads import kernel_threads

        kernel = aon_assign if self.parallel else aon_assign_serial
        with kernel_threads(self.work_size):
            kernel(self.demand, self.out_start, self.from_node, self.to_node, cost, self.first_thru, self.work, self.sptt, self.unreachable, out)
        bad = np.flatnonzero(self.unreachable[:, 0] >= 0)
        pair = (int(self.unreachable[bad[0], 0]), int(self.unreachable[bad[0], 1])) if bad.size else None
        return float(self.sptt.sum()), pair


def _check_inputs(net: Network, demand: Demand | np.ndarray) -> tuple[np.ndarray, Demand | None]:
    dem = demand if isinstance(demand, Demand) else None
    matrix = np.asarray(demand.matrix if dem is not None else demand, dtype=np.float64)
    path = dem.path if dem is not None else None
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise InputError(f"demand must be a square matrix, got shape {matrix.shape}", path=path, field="demand")
    if matrix.shape[0] != net.n_zones:
        raise InputError(f"demand has {matrix.shape[0]} zones, the network {net.n_zones}", path=path, field="demand")
    bad = np.argwhere(~(matrix >= 0) | ~np.isfinite(matrix))
    if bad.size:
        o, d = (int(v) for v in bad[0])
        where = dem.where(o, d) if dem is not None else f"origin {o + 1}, destination {d + 1}"
        raise InputError(f"demand must be finite and >= 0, got {matrix[o, d]}", path=path, obj=where, field="demand")
    if net.n_links == 0:
        raise InputError("the network has no links", field="links")
    total = float(matrix.sum())
    if not total <= MAX_TOTAL_DEMAND:
        o, d = (int(v) for v in np.unravel_index(int(np.argmax(matrix)), matrix.shape))
        where = dem.where(o, d) if dem is not None else f"origin {o + 1}, destination {d + 1}"
        raise InputError(
            f"total demand {total:.4g} exceeds the limit of {MAX_TOTAL_DEMAND:.0e} vehicles (largest entry {matrix[o, d]:.4g}); a unit slip?",
            path=path,
            obj=where,
            field="demand",
        )
    _check_cost_range(net, total, net.meta.get("path"))
    return matrix, dem


def _check_cost_range(net: Network, total_demand: float, path: str | None) -> None:
    """Refuse a network whose link costs would overflow at the largest flow a link can carry.

    No link carries more than the total demand, so the cost at that flow bounds every cost,
    total travel time and Beckmann term the algorithms compute; it must stay finite (float64).
    """
    from twin.kernels.traffic_vdf import beckmann_objective, link_costs

    arrays = [np.ascontiguousarray(a, dtype=t) for a, t in (
        (net.free_flow_time, np.float64), (net.capacity, np.float64), (net.alpha, np.float64), (net.beta, np.float64),
        (net.vdf, np.int64),
    )]  # fmt: skip
    fixed = np.ascontiguousarray(net.fixed_cost, dtype=np.float64)
    for name, values in (("free_flow_time", arrays[0]), ("fixed_cost", fixed), ("alpha", arrays[2]), ("beta", arrays[3])):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise InputError(f"{name} must be finite, got {values[bad[0]]}", path=path, obj=_link_label(net, int(bad[0])), field=name)
    flow = np.full(net.n_links, float(total_demand))
    cost = np.empty(net.n_links)
    with np.errstate(all="ignore"):
        link_costs(flow, *arrays, fixed, cost)
        bad = np.flatnonzero(~np.isfinite(cost))
        worst = float(np.max(np.abs(cost))) * float(total_demand) * net.n_links if not bad.size else np.inf
        integral = float(beckmann_objective(flow, *arrays, fixed)) if not bad.size else np.inf
    if bad.size or not (np.isfinite(worst) and np.isfinite(integral)):
        k = int(bad[0]) if bad.size else int(np.argmax(np.abs(cost)))
        raise InputError(
            f"the link cost overflows at the total demand {total_demand:.4g} (capacity {net.capacity[k]:.4g}, "
            f"power {net.beta[k]:.4g}): reduce the demand or check the link's capacity and power",
            path=path,
            obj=_link_label(net, k),
            field="capacity",
        )


def _link_label(net: Network, k: int) -> str:
    """``link <id>`` (with the source line of a TNTP file when known) of stored link ``k``."""
    lines = net.meta.get("line")
    if lines is not None and len(lines) == net.n_links:
        return f"line {int(lines[k])} (link {net.link_ids[k]})"
    return f"link {net.link_ids[k]}"


def _no_path_error(pair: tuple[int, int], net: Network, dem: Demand | None) -> InputError:
    o, d = pair
    path = dem.path if dem is not None else None
    where = dem.where(o, d) if dem is not None else f"origin {net.node_ids[o]}, destination {net.node_ids[d]}"
    return InputError(
        f"no path from zone {net.node_ids[o]} to zone {net.node_ids[d]} (demand {float((dem.matrix if dem is not None else np.nan)[o, d]) if dem is not None else ''}) in network {net.name}",
        path=path,
        obj=where,
        field="demand",
    )


def _check_run_options(algo: str, gap: float, max_iter: int | None, time_limit_s: float | None) -> int:
    """Check the stopping options of an assignment (:func:`assign`, :func:`twin.traffic.multiclass.assign_multiclass`).

    Returns the iteration limit: ``max_iter``, or the default of algorithm ``algo`` when None.
    Raises :class:`InputError` naming the option: a ``gap`` that is not a finite number >= 0, a
    ``max_iter`` that is not a whole number in ``[0, MAX_ITER_LIMIT]``, a ``time_limit_s`` <= 0.
    """
    if not (np.isfinite(gap) and gap >= 0):
        raise InputError(f"gap must be a finite number >= 0, got {gap}", field="gap")
    if max_iter is not None and not (isinstance(max_iter, (int, np.integer)) and 0 <= max_iter <= MAX_ITER_LIMIT):
        raise InputError(f"max_iter must be a whole number in [0, {MAX_ITER_LIMIT:,}], got {max_iter}", field="max_iter")
    if time_limit_s is not None and not time_limit_s > 0:
        raise InputError(f"time_limit_s must be > 0, got {time_limit_s}", field="time_limit_s")
    return DEFAULT_MAX_ITER[algo] if max_iter is None else int(max_iter)


def assign(
    network: Network,
    demand: Demand | np.ndarray,
    *,
    algorithm: str = "b",
    gap: float = 1e-6,
    max_iter: int | None = None,
    time_limit_s: float | None = None,
    callback: Callable[[IterationRecord], Any] | None = None,
    inner: int = 1,
    extra_sweeps: int = 4,
) -> AssignmentResult:
    """Solve the static user equilibrium of ``demand`` on ``network``.

    Parameters
    ----------
    network
        The network (:func:`twin.traffic.tntp.read_network` or :meth:`Network.from_scene`).
    demand
        OD matrix over the network's zones (a :class:`~twin.traffic.tntp.Demand`, whose file
        and line numbers then appear in error messages, or a square array).
    algorithm
        ``fw``, ``cfw``, ``bfw`` or ``b`` (Algorithm B).
    gap
        Stop when the relative gap ``(TSTT - SPTT) / TSTT`` is at or below this value.
    max_iter
        Iteration limit (default 10,000 for the FW family, 1,000 sweeps for ``b``).
    time_limit_s
        Optional wall-time limit, s; the run stops after the iteration that exceeds it.
    callback
        Called with each :class:`~twin.traffic.results.IterationRecord` as it is made.
    inner
        Algorithm B: equilibration passes per origin and sweep.
    extra_sweeps
        Algorithm B: equilibration-only sweeps over all origins (bushes kept) after each
        bush-update sweep. One iteration = one update sweep + ``extra_sweeps`` sweeps + the gap.
        On ChicagoSketch 4 extra sweeps took 0.7x the CPU time of none to reach 1e-8.

    Returns
    -------
    AssignmentResult

    Raises
    ------
    InputError
        Demand of the wrong shape, negative, non-finite or above :data:`MAX_TOTAL_DEMAND` in
        total, link costs that would overflow at that demand, an OD pair with demand but no path
        (naming the trips file and line when ``demand`` is a :class:`Demand`), a negative or
        non-finite ``gap``, a ``max_iter`` outside ``0..MAX_ITER_LIMIT``.
    SimulationError
        A flow, cost, TSTT or Beckmann value became non-finite during the run, or a positive
        demand costs nothing (TSTT 0): never reported as "converged".
    """
    algo = algorithm_name(algorithm)
    max_iter = _check_run_options(algo, gap, max_iter, time_limit_s)
    matrix, dem = _check_inputs(network, demand)
    arrays = _Arrays(network, matrix)
    start = time.perf_counter()
    runner = _run_bush if algo == "b" else _run_frank_wolfe
    flow, history, origin_flows, *_ = runner(arrays, algo, gap, max_iter, time_limit_s, callback, start, dem, (inner, extra_sweeps))
    cost = arrays.costs(flow, np.empty_like(flow))
    travel_time = cost - arrays.fixed
    wall = time.perf_counter() - start
    return AssignmentResult(
        network=network,
        algorithm=algo,
        flow=flow,
        cost=cost,
        time=travel_time,
        history=history,
        converged=bool(history[-1].relative_gap <= gap),
        wall_s=wall,
        target_gap=gap,
        origin_flows=origin_flows,
        meta={"demand_total": float(matrix.sum())},
    )


def _record(arrays: _Arrays, it: int, flow: np.ndarray, cost: np.ndarray, sptt: float, start: float, step: float = float("nan")) -> IterationRecord:
    """The iteration's record; raises SimulationError on a non-finite or meaningless gap.

    A positive demand that costs nothing (TSTT 0: every used link has zero free-flow time and
    fixed cost) has no relative gap; it is an error, never "converged".
    """
    with np.errstate(all="ignore"):
        tstt = float(np.dot(flow, cost))
        beckmann = arrays.beckmann(flow)
    name = arrays.net.name
    for label, value in (("total system travel cost (TSTT)", tstt), ("shortest-path travel cost (SPTT)", sptt), ("Beckmann objective", beckmann)):
        if not np.isfinite(value):
            bad = np.flatnonzero(~np.isfinite(flow) | ~np.isfinite(cost))
            where = f"; first at {_link_label(arrays.net, int(bad[0]))} (flow {flow[bad[0]]:.4g}, cost {cost[bad[0]]:.4g})" if bad.size else ""
            raise SimulationError(f"the {label} overflowed to {value} at iteration {it}{where}", obj=name, field="flow")
    if tstt <= 0.0:
        if arrays.demand_total > 0.0:
            raise SimulationError(
                f"total system travel cost is {tstt:g} for a positive demand ({arrays.demand_total:.6g}): every used link costs "
                "nothing (zero free-flow time and fixed cost), so the equilibrium and its gap are undefined",
                obj=name,
                field="free_flow_time",
            )
        rel = 0.0
    else:
        rel = (tstt - sptt) / tstt
    return IterationRecord(it, rel, beckmann, tstt, sptt, time.perf_counter() - start, step)


def _recorded_and_done(rec: IterationRecord, history: list[IterationRecord], callback, target: float, it: int, max_iter: int,
                       time_limit_s: float | None) -> bool:
    """Append ``rec`` to ``history`` and pass it to ``callback``; whether the run stops after it
    (gap at or below ``target``, ``max_iter`` iterations, or past ``time_limit_s``)."""
    history.append(rec)
    if callback is not None:
        callback(rec)
    return rec.relative_gap <= target or it >= max_iter or (time_limit_s is not None and rec.elapsed_s > time_limit_s)


def _run_frank_wolfe(arrays, algo, target, max_iter, time_limit_s, callback, start, dem, passes):
    from twin.kernels.traffic_fw import (
        biconjugate_target,
        conjugate_target,
        line_search,
        move,
    )

    m = arrays.net.n_links
    cost = np.empty(m)
    flow = np.empty(m)
    y_aon = np.empty(m)
    arrays.costs(np.zeros(m), cost)
    _, pair = arrays.aon(cost, flow)
    if pair is not None:
        raise _no_path_error(pair, arrays.net, dem)
    hess = np.empty(m)
    work = np.empty(m)
    y = np.empty(m)
    y1 = np.empty(m)
    y2 = np.empty(m)
    d1 = np.empty(m)
    d2 = np.empty(m)
    history: list[IterationRecord] = []
    n_prev = 0  # how many previous conjugate directions are usable
    max_weight = 1e6
    it = 0
    while True:
        arrays.costs(flow, cost)
        sptt, _ = arrays.aon(cost, y_aon)
        rec = _record(arrays, it, flow, cost, sptt, start)
        if _recorded_and_done(rec, history, callback, target, it, max_iter, time_limit_s):
            break
        if algo == "fw" or n_prev == 0:
            y[:] = y_aon
        else:
            arrays.derivatives(flow, hess)
            if algo == "cfw" or n_prev == 1:
                conjugate_target(flow, y_aon, y1, d1, hess, max_weight, y)
            else:
                biconjugate_target(flow, y_aon, y1, y2, d1, d2, hess, max_weight, y)
        lam = line_search(flow, y, *arrays.vdf(), arrays.fixed, work, 1e-12, 60)
        # remember the targets and directions for the next conjugate step
        y2, y1, d2, d1 = y1, y2, d1, d2
        y1[:] = y
        np.subtract(y, flow, out=d1)
        if not np.isfinite(lam):
            raise SimulationError(f"line search step is {lam} at iteration {it}", obj=arrays.net.name, field="step")
        move(flow, y, lam)
        _check_flow(arrays, flow, it, algo)
        if algo != "fw":
            n_prev = 0 if lam >= 1.0 - 1e-12 or lam <= 0.0 else min(n_prev + 1, 2)
        it += 1
        history[-1] = replace(history[-1], step=float(lam))
    return flow, history, None


#: Keys (:func:`_reachability_key`) of the networks and demand patterns whose every OD pair with
#: demand was found to have a path by :func:`_run_bush`'s check before the bushes: a repeated
#: assignment of the same pattern (the feedback iterations and give-way passes of a mobility run,
#: its Monte Carlo samples) skips that all-or-nothing search. The last 16 stored.
_REACHABLE: BoundedCache[bytes, bool] = BoundedCache(16)


def _reachability_key(arrays: _Arrays, classes: list | None) -> bytes:
    """What decides whether every OD pair with demand has a path in :func:`_run_bush`'s check.

    :func:`_check_cost_range` makes every link cost finite at every flow up to the total demand,
    so whether a destination is reached (a finite shortest-path cost) does not depend on the
    costs: only on the forward star, the first through node, each class's allowed links and
    which OD pairs carry demand (> 0).
    """
    parts: list[Any] = [int(arrays.first_thru), arrays.out_start, arrays.to_node, arrays.from_node]
    if classes is None:
        parts.append(arrays.demand > 0.0)
    else:
        for _, arrays_c, allowed_c in classes:
            parts += [np.asarray(allowed_c, dtype=np.uint8), arrays_c.demand > 0.0]
    return content_digest(*parts)


def _run_bush(arrays, algo, target, max_iter, time_limit_s, callback, start, dem, passes, classes=None):
    """Algorithm B. ``classes``: None (one class, every link) or a list of ``(name, arrays_c,
    allowed_c)``, ``arrays_c`` an :class:`_Arrays` holding the class's demand in PCE and
    ``allowed_c`` uint8 (m,) its links; ``arrays`` then holds the total PCE demand.

    Returns the total link flows, the history, the row flows (R, m) and the rows (origin, class).
    """
    from twin.kernels.traffic_bush import BushGraph, BushRows, LinkState, LinkVdf, bush_init, bush_sweep, sum_rows
    from twin.traffic.kernel_threads import kernel_threads

    inner, extra_sweeps = passes
    m = arrays.net.n_links
    z = arrays.demand.shape[0]
    if classes is None:
        classes = [(None, arrays, np.ones(m, dtype=np.uint8))]
        demand_rows = arrays.demand
        row_origin = np.arange(z, dtype=np.int64)
        row_class = np.zeros(z, dtype=np.int64)
    else:
        demand_rows = np.concatenate([c[1].demand for c in classes], axis=0)
        row_origin = np.tile(np.arange(z, dtype=np.int64), len(classes))
        row_class = np.repeat(np.arange(len(classes), dtype=np.int64), z)
    rows = BushRows(row_origin, row_class, np.ascontiguousarray(np.stack([c[2] for c in classes]), dtype=np.uint8))
    cost = np.empty(m)
    dcost = np.empty(m)
    flow = np.empty(m)
    y = np.empty(m)
    cost_c = np.empty(m)

    def sptt_all() -> float:
        total = 0.0
        for name, arrays_c, allowed_c in classes:
            np.copyto(cost_c, np.where(allowed_c > 0, cost, np.inf))
            sptt_c, pair = arrays_c.aon(cost_c, y)
            if pair is not None:
                if name is None:
                    raise _no_path_error(pair, arrays.net, dem)
                o, d = (arrays.net.node_ids[i] for i in pair)
                raise InputError(
                    f"no path from zone {o} to zone {d} on the links vehicle class {name!r} may use "
                    f"(demand {arrays_c.demand[pair]:.6g} PCE) in network {arrays.net.name}",
                    obj=f"class {name}, OD pair ({o}, {d})",
                    field="allowed",
                )
            total += sptt_c
        return total

    arrays.costs(np.zeros(m), cost)  # the free-flow costs the bushes start from
    reach_key = _reachability_key(arrays, classes)
    if reach_key not in _REACHABLE:
        sptt_all()  # every OD pair with demand has a path for its class
        _REACHABLE.put(reach_key, True)
    bush = np.zeros((demand_rows.shape[0], m), dtype=np.uint8)
    bflow = np.zeros((demand_rows.shape[0], m))
    with kernel_threads(demand_rows.shape[0] * m):  # one thread for a district's few thousand links (the same bushes)
        bush_init(demand_rows, rows, arrays.out_start, arrays.from_node, arrays.to_node, cost, arrays.first_thru, bush, bflow)
    sum_rows(bflow, flow)
    _check_flow(arrays, flow, 0, "Algorithm B")
    graph = BushGraph(arrays.out_start, arrays.in_start, arrays.in_link, arrays.from_node, arrays.to_node)
    vdf = LinkVdf(*arrays.vdf(), arrays.fixed)
    state = LinkState(flow, cost, dcost)
    history: list[IterationRecord] = []
    it = 0
    while True:
        arrays.costs(flow, cost)
        sptt = sptt_all()
        rec = _record(arrays, it, flow, cost, sptt, start)
        if _recorded_and_done(rec, history, callback, target, it, max_iter, time_limit_s):
            break
        arrays.derivatives(flow, dcost)
        rel_tol = max(1e-15, 0.01 * min(rec.relative_gap, 1e-2))
        status = bush_sweep(demand_rows, rows, arrays.first_thru, graph, vdf, state, bush, bflow, True, inner, rel_tol)
        if status < 0:
            raise SimulationError(f"Algorithm B: the bush of row {-status} became cyclic", obj=arrays.net.name, field="bush")
        for _ in range(extra_sweeps):  # equilibrate the fixed bushes again: cheap, no gap computation
            bush_sweep(demand_rows, rows, arrays.first_thru, graph, vdf, state, bush, bflow, False, inner, rel_tol)
        sum_rows(bflow, flow)  # re-sync the global flows with the origin flows (no drift)
        _check_flow(arrays, flow, it, "Algorithm B")
        it += 1
    return flow, history, bflow, rows


def _check_flow(arrays: _Arrays, flow: np.ndarray, it: int, algo: str) -> None:
    """Raise SimulationError when a link flow left the finite, non-negative range."""
    bad = np.flatnonzero(~np.isfinite(flow))
    if bad.size:
        k = int(bad[0])
        raise SimulationError(
            f"{algo}: link flow became {flow[k]} at iteration {it} ({bad.size} links)", obj=f"{arrays.net.name}, {_link_label(arrays.net, k)}", field="flow"
        )
