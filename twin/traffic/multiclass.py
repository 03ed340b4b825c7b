"""Multi-class static user equilibrium: cars and trucks with passenger-car equivalents (PCE).

Every vehicle class ``c`` has its own OD matrix (vehicles), a PCE factor ``e_c`` (a truck takes
the road space of ``e_c`` cars) and the links it may use. Link travel times depend on the total
flow in PCE, ``v_a = sum_c e_c x_ac``; every class pays the same generalized cost ``c_a(v_a)``
on a link it may use (delay function + fixed cost). The equilibrium is Wardrop's first principle
per class: every used path of a class costs the least among the paths *that class* may use.

Written in PCE flows ``y_ac = e_c x_ac`` the problem is the Beckmann program
``min sum_a integral_0^{v_a} c_a(u) du`` over flows that route ``e_c D_c`` on the class's
sub-network: convex, with a unique total flow ``v``. Algorithm B solves it with one bush per
(origin, class) (:mod:`twin.kernels.traffic_bush`); the relative gap is
``(TSTT - SPTT) / TSTT`` with ``TSTT = sum_a v_a c_a`` and ``SPTT = sum_c sum_od e_c D_c,od
* (least cost of class c)``.

References
----------
Dafermos, S. C. (1972). The traffic assignment problem for multiclass-user transportation
networks. Transportation Science 6(1), 73-87.
Dial, R. B. (2006). A path-based user-equilibrium traffic assignment algorithm that obviates
path storage and enumeration. Transportation Research Part B 40(10), 917-936.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twin.errors import InputError
from twin.traffic.assign import (
    _Arrays,
    _check_cost_range,
    _check_inputs,
    _check_run_options,
    _run_bush,
)
from twin.traffic.network import Network
from twin.traffic.results import IterationRecord
from twin.traffic.tntp import Demand

MAX_PCE = 20.0
"""Largest passenger-car equivalent accepted (an articulated bus or a 44 t lorry is 2.5-4)."""


@dataclass(frozen=True)
class VehicleClass:
    """One vehicle class of a multi-class assignment.

    Attributes
    ----------
    name : str
        Class name (``car``, ``truck``...), unique.
    demand : Demand or ndarray (z, z)
        OD matrix of the class, vehicles per period.
    pce : float
        Passenger-car equivalent of one vehicle (> 0, at most :data:`MAX_PCE`).
    allowed : ndarray of bool (m,) or None
        Links the class may use (network stored order); None: all.
    """

    name: str
    demand: Demand | np.ndarray
    pce: float = 1.0
    allowed: np.ndarray | None = None


@dataclass(eq=False)
class MultiClassResult:
    """Link flows per class at a multi-class equilibrium.

    Attributes
    ----------
    network : Network
    classes : list of str
        Class names, in the order of ``class_flow``.
    pce : ndarray (n_classes,)
    class_flow : ndarray (n_classes, m)
        Link flows of each class, vehicles per period.
    flow_pce : ndarray (m,)
        Total link flow in PCE (what the delay functions see).
    cost, time : ndarray (m,)
        Generalized cost and delay-function time at ``flow_pce``.
    history : list of IterationRecord
        Gap and Beckmann objective (PCE units) per iteration.
    row_flows : ndarray (n_classes * z, m)
        Flows (PCE) of each (class, origin) row: row ``c * z + o``.
    allowed : ndarray of bool (n_classes, m)
        Links each class may use.
    class_demand : ndarray (n_classes, z, z)
        OD matrix of each class, vehicles.
    """

    network: Network
    classes: list[str]
    pce: np.ndarray
    class_flow: np.ndarray
    flow_pce: np.ndarray
    cost: np.ndarray
    time: np.ndarray
    history: list[IterationRecord]
    converged: bool
    wall_s: float
    target_gap: float
    row_flows: np.ndarray
    allowed: np.ndarray
    class_demand: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def relative_gap(self) -> float:
        return self.history[-1].relative_gap

    @property
    def iterations(self) -> int:
        return self.history[-1].iteration

    @property
    def beckmann(self) -> float:
        return self.history[-1].beckmann

    def origin_flows(self, klass: str) -> np.ndarray:
        """Flows (vehicles) of each origin of one class, (z, m)."""
        c = self.classes.index(klass)
        z = self.network.n_zones
        return self.row_flows[c * z : (c + 1) * z] / self.pce[c]

    def summary(self) -> dict[str, Any]:
        return {
            "network": self.network.name,
            "classes": {n: {"pce": float(p), "vehicle_hours": float(np.dot(f, self.time))} for n, p, f in zip(self.classes, self.pce, self.class_flow)},
            "iterations": self.iterations,
            "relative_gap": self.relative_gap,
            "converged": self.converged,
            "beckmann_objective_pce": self.beckmann,
            "wall_s": self.wall_s,
        }


def _check_classes(network: Network, classes: Sequence[VehicleClass]) -> list[tuple[str, np.ndarray, float, np.ndarray, Demand | None]]:
    if len(classes) == 0:
        raise InputError("a multi-class assignment needs at least one vehicle class", field="classes")
    seen: set[str] = set()
    out = []
    m = network.n_links
    for vc in classes:
        name = str(vc.name)
        if not name or name in seen:
            raise InputError(f"vehicle class names must be unique and non-empty, got {name!r} twice or empty", obj=name, field="name")
        seen.add(name)
        pce = vc.pce
        if not (isinstance(pce, (int, float, np.integer, np.floating)) and np.isfinite(pce) and 0.0 < float(pce) <= MAX_PCE):
            raise InputError(f"PCE must be a finite number in (0, {MAX_PCE:g}], got {pce!r}", obj=f"class {name}", field="pce")
        matrix, dem = _check_inputs(network, vc.demand)
        if vc.allowed is None:
            allowed = np.ones(m, dtype=bool)
        else:
            allowed = np.asarray(vc.allowed)
            if allowed.shape != (m,) or allowed.dtype != bool:
                raise InputError(f"allowed links must be a boolean array of {m} links, got {allowed.dtype} {allowed.shape}", obj=f"class {name}", field="allowed")
            if not allowed.any() and matrix.sum() > 0:
                raise InputError("the class may use no link but has demand", obj=f"class {name}", field="allowed")
        out.append((name, matrix, float(pce), allowed, dem))
    return out


def assign_multiclass(
    network: Network,
    classes: Sequence[VehicleClass],
    *,
    gap: float = 1e-6,
    max_iter: int | None = None,
    time_limit_s: float | None = None,
    callback: Callable[[IterationRecord], Any] | None = None,
    inner: int = 1,
    extra_sweeps: int = 4,
) -> MultiClassResult:
    """Multi-class static user equilibrium with PCE and class link permissions (Algorithm B).

    Parameters
    ----------
    network
        The network.
    classes
        The vehicle classes (:class:`VehicleClass`).
    gap
        Target relative gap (PCE-weighted, see the module docstring).
    max_iter, time_limit_s, callback, inner, extra_sweeps
        As in :func:`twin.traffic.assign.assign` (Algorithm B).

    Returns
    -------
    MultiClassResult

    Raises
    ------
    InputError
        No class, duplicate names, a PCE that is not a finite number in (0, 20], an ``allowed``
        array of the wrong shape or type, a demand rejected by :func:`assign`, an OD pair with
        demand but no path on its class's links.
    SimulationError
        As :func:`assign`.
    """
    max_iter = _check_run_options("b", gap, max_iter, time_limit_s)
    checked = _check_classes(network, classes)
    total_pce = sum(p * mat for _, mat, p, _, _ in checked)
    _check_cost_range(network, float(total_pce.sum()), network.meta.get("path"))
    arrays = _Arrays(network, total_pce)
    per_class = [(name, _Arrays(network, p * mat), allowed.astype(np.uint8)) for name, mat, p, allowed, _ in checked]
    start = time.perf_counter()
    flow, history, row_flows, _rows = _run_bush(arrays, "b", gap, max_iter, time_limit_s, callback, start, None, (inner, extra_sweeps), classes=per_class)
    z = network.n_zones
    pce = np.array([p for _, _, p, _, _ in checked])
    class_flow = np.stack([row_flows[c * z : (c + 1) * z].sum(axis=0) / pce[c] for c in range(len(checked))])
    cost = arrays.costs(flow, np.empty_like(flow))
    return MultiClassResult(
        network=network,
        classes=[c[0] for c in checked],
        pce=pce,
        class_flow=class_flow,
        flow_pce=flow,
        cost=cost,
        time=cost - arrays.fixed,
        history=history,
        converged=bool(history[-1].relative_gap <= gap),
        wall_s=time.perf_counter() - start,
        target_gap=gap,
        row_flows=row_flows,
        allowed=np.stack([c[3] for c in checked]),
        class_demand=np.stack([c[1] for c in checked]),
        meta={"demand_total_pce": float(total_pce.sum())},
    )
