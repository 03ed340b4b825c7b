"""The fixed point of the give-way capacities and the flows, solved to a tolerance and reported.

A yielding approach's capacity depends on the conflicting flows (:mod:`twin.traffic.priority`),
which depend on the equilibrium, which depends on the capacities: within one assignment the
capacities are fixed (the delay functions stay separable), so the model is solved by
*diagonalisation*, i.e. a sequence of assignments each at the capacities of given conflicting
flows ``v``, until the capacities of an assignment's own conflicting flows ``y`` agree with the
ones it used.

Method
------
Pass ``k`` assigns at the capacities ``C(v_k)``; its flows give the conflicting flows ``y_k``
and the residual

    r_k = max over yielding approaches of |C(y_k) - C(v_k)| / C(v_k),

the largest relative capacity change the last assignment would still need. The passes stop at
``r_k <= tolerance`` (*converged*: the reported flows belong to capacities within ``tolerance``
of those of their own conflicting flows) or after ``max_passes`` (*not converged*: the result
and ``r_k`` are reported, and the callers warn). Between passes the conflicting flows are
averaged, ``v_{k+1} = v_k + (y_k - v_k) / b_k``, with the self-regulated step of Liu, He & He
(2009): ``b_1 = 1`` (the first update takes ``y_1`` whole), then ``b_{k+1} = b_k +``
:data:`STEP_UP` when the residual did not fall and ``b_k +`` :data:`STEP_DOWN` when it fell. A
plain sequence (``b = 1`` throughout) converges when the map is a contraction and the flows
approach monotonically (the detour case of the tests: 40 passes to 1e-9), but it cycles when two
yielding streams trade traffic (each pass moves it back); the averaging then shrinks the step
where the residual grows and keeps it near 1 where it falls, as the method of successive
averages (``b_k = k``) would not (it slows every case down alike).

Default tolerance :data:`TOLERANCE` (1 %, the size of the capacity differences the HCM's
rounding of ``t_c`` and ``t_f`` to 0.1 s alone makes) and :data:`MAX_PASSES`.

References
----------
* Sheffi, Y. (1985). *Urban Transportation Networks*, section 8.3 (diagonalisation of
  asymmetric link interactions). Prentice-Hall.
* Liu, H. X., He, X., & He, B. (2009). Method of successive weighted averages (MSWA) and
  self-regulated averaging schemes for solving stochastic user equilibrium problem. *Networks and
  Spatial Economics*, 9(4), 485-503.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twin.errors import InputError

TOLERANCE = 0.01
"""Default largest relative capacity change at which the passes stop (converged)."""
MAX_PASSES = 20
"""Default most assignments of one fixed point."""
STEP_UP = 1.5
"""Added to the step's denominator when the residual did not fall (Liu, He & He 2009: above 1)."""
STEP_DOWN = 0.01
"""Added to the step's denominator when the residual fell (Liu, He & He 2009: below 1)."""


@dataclass(frozen=True)
class GiveWayConvergence:
    """How one give-way fixed point ended.

    ``residuals``: the residual ``r_k`` of every pass (the last is the reported one);
    ``conflicting_veh_h``: the conflicting flows ``v`` whose capacities the last assignment used
    (a warm start for a next fixed point, e.g. the next feedback iteration of a mobility run).
    """

    residuals: tuple[float, ...]
    tolerance: float
    max_passes: int
    conflicting_veh_h: np.ndarray = field(repr=False)

    @property
    def passes(self) -> int:
        """Assignments made."""
        return len(self.residuals)

    @property
    def residual(self) -> float:
        """The last pass's largest relative capacity change."""
        return self.residuals[-1] if self.residuals else 0.0

    @property
    def converged(self) -> bool:
        """Whether the last pass's residual is within the tolerance."""
        return self.residual <= self.tolerance

    def describe(self) -> str:
        """One line: passes, last change, tolerance; ``NOT converged`` when it is not."""
        head = "converged" if self.converged else "NOT converged"
        return (f"{head} after {self.passes} pass{'es' if self.passes != 1 else ''}: largest capacity change at the last pass "
                f"{100 * self.residual:.2g} % (tolerance {100 * self.tolerance:g} %)")  # fmt: skip

    def summary(self) -> dict[str, Any]:
        """Keys ``give_way_change``, ``give_way_passes``, ``give_way_converged``, ``give_way_tolerance``."""
        return {"give_way_change": self.residual, "give_way_passes": self.passes, "give_way_converged": self.converged,
                "give_way_tolerance": self.tolerance}  # fmt: skip


def check_fixed_point_options(tolerance: float, max_passes: int) -> None:
    """One :class:`~twin.errors.InputError` for a tolerance outside (0, 1) or passes outside 1..1000."""
    if not (isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and 0.0 < tolerance < 1.0):
        raise InputError(f"the give-way tolerance must be a number in (0, 1), got {tolerance!r}", field="give_way_tolerance")
    if isinstance(max_passes, bool) or not (isinstance(max_passes, int) and 1 <= max_passes <= 1000):
        raise InputError(f"the give-way passes must be a whole number in 1..1000, got {max_passes!r}", field="give_way_max_passes")


def solve_give_way(
    gw: Any,
    assign_once: Callable[[Any], Any],
    *,
    tolerance: float = TOLERANCE,
    max_passes: int = MAX_PASSES,
    start_veh_h: np.ndarray | None = None,
) -> tuple[Any, Any, GiveWayConvergence]:
    """Assign until the give-way capacities agree with their own conflicting flows (module docstring).

    Parameters
    ----------
    gw
        The :class:`~twin.traffic.priority.GiveWayNetwork` (its current capacities are not used:
        the first pass takes those of ``start_veh_h``).
    assign_once
        Assigns the demand on a :class:`~twin.traffic.network.Network` and returns the result
        (with ``flow`` per stored link).
    tolerance, max_passes
        Stop rule (:data:`TOLERANCE`, :data:`MAX_PASSES`).
    start_veh_h
        Conflicting flows of the first pass, one per yielding approach (default 0: the capacities
        of empty major streams).

    Returns
    -------
    tuple
        The give-way network of the last assignment (its capacities), that assignment's result,
        and the :class:`GiveWayConvergence`.

    Raises
    ------
    InputError
        A bad tolerance or number of passes; a start of the wrong length or with negative or
        non-finite flows.
    """
    check_fixed_point_options(tolerance, max_passes)
    n = gw.junctions.approach.size
    v = np.zeros(n) if start_veh_h is None else np.array(start_veh_h, dtype=np.float64)
    if v.shape != (n,) or not np.all(np.isfinite(v)) or np.any(v < 0):
        raise InputError(f"the start needs {n} finite conflicting flows >= 0 (veh/h), got shape {v.shape}", field="start_veh_h")
    graph = gw.at_conflicting(v)
    residuals: list[float] = []
    denominator = 1.0
    result = None
    for k in range(max_passes):
        result = assign_once(graph.network)
        y = graph.junctions.conflicting_flow(graph.link_flow(result.flow))
        residuals.append(graph.capacity_change(y))
        if residuals[-1] <= tolerance or k == max_passes - 1:
            break
        if k > 0:
            denominator += STEP_UP if residuals[-1] >= residuals[-2] else STEP_DOWN
        v = v + (y - v) / denominator
        graph = graph.at_conflicting(v)
    return graph, result, GiveWayConvergence(tuple(residuals), float(tolerance), int(max_passes), v)


__all__ = ["MAX_PASSES", "STEP_DOWN", "STEP_UP", "TOLERANCE", "GiveWayConvergence", "check_fixed_point_options", "solve_give_way"]
