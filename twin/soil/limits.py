"""Documented limits of the soil engine, checked before any work.

A soil run costs about ``nodes x time steps x Picard iterations``: the Celia column (101 nodes,
one day) takes 188 steps and 1.4 ms, about 70 ns per node and step. A duration of 1e12 s or a
grid step of 1e-7 m would run for days or exhaust memory; these limits turn such inputs into a
:class:`~twin.errors.ResourceLimitError` that names the key at fault, up front.

The work estimate is a *lower bound* on the node-steps: a step never exceeds the solver's
``dt_max_s`` and never spans a forcing interval or an output time, so at least
``max(duration / dt_max, forcing intervals, output times)`` steps are taken by each column.

While running, each column also has a step budget (:func:`step_budget`): when the solver keeps
shrinking its step (a non-physical spec, tolerances too tight) it stops at the budget and the run
ends in a :class:`~twin.errors.SimulationError` naming the column and the time reached, instead
of running for hours.
"""

from __future__ import annotations

import math
import os

from twin.errors import InputError, ResourceLimitError

MAX_NODES_PER_COLUMN = 100_000
"""Nodes of one column (1 mm over 100 m; the Celia reference converges at 1 cm over 1 m)."""
MAX_DEPTH_M = 1000.0
"""Depth of a column, m (the unsaturated zone is rarely deeper than a few hundred metres)."""
MAX_DURATION_S = 100 * 365.25 * 86400.0
"""Simulated time, s (100 years)."""
MAX_FORCING_INTERVALS = 1_000_000
"""Intervals of a rain / forcing series (hourly for 114 years, or one minute for 1.9 years)."""
MAX_OUTPUT_TIMES = 10_000
"""Output times of one run (each stores a whole profile per column)."""
MAX_NODE_STEPS = 2.0e10
"""Estimated node-steps of one run (all columns; the lower bound above). At about 70 ns per
node-step that is at least 20 minutes; Saint-Gilles at 2 m through a rainy day is 1.8e8.
Set ``TWIN_SOIL_MAX_NODE_STEPS`` to raise it for long district runs."""
STEP_BUDGET_MIN = 100_000
"""Smallest step budget of a column (step attempts, accepted and rejected)."""
STEP_BUDGET_FACTOR = 1000
"""A column may take this many times its lower-bound number of steps (a wet-dry year with
hourly rain takes about 50 times)."""
HEAD_RANGE_M = (-1.0e6, 1.0e3)
"""Pressure heads of a spec (initial, boundary), m: from oven-dry soil (about -1e4 m) with a
margin, to a 1 km water column above the surface."""
MAX_RAIN_M_S = 1.0e-3
"""Rain intensity, m/s (3,600 mm/h; the record is about 1,800 mm/h over one minute)."""
MAX_EVAPORATION_MM_DAY = 100.0
"""Potential evaporation, mm/day (the highest observed daily values are about 20)."""


def max_node_steps() -> float:
    """The node-step limit: ``TWIN_SOIL_MAX_NODE_STEPS`` if set, else :data:`MAX_NODE_STEPS`."""
    raw = os.environ.get("TWIN_SOIL_MAX_NODE_STEPS", "").strip()
    if not raw:
        return MAX_NODE_STEPS
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"must be a number of node-steps, not {raw!r}", field="TWIN_SOIL_MAX_NODE_STEPS") from None
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"must be a finite number > 0, not {raw!r}", field="TWIN_SOIL_MAX_NODE_STEPS")
    return value


def min_steps(duration_s: float, dt_max_s: float, n_intervals: int, n_outputs: int) -> float:
    """Lower bound on the time steps of one column (see the module docstring)."""
    return max(duration_s / dt_max_s, float(n_intervals), float(n_outputs), 1.0)


def step_budget(steps_lower_bound: float) -> float:
    """Step attempts a column may take before it is stopped (see the module docstring)."""
    return float(max(STEP_BUDGET_MIN, STEP_BUDGET_FACTOR * math.ceil(steps_lower_bound)))


def check_work(
    total_nodes: int,
    duration_s: float,
    dt_max_s: float,
    n_intervals: int,
    n_outputs: int,
    *,
    path=None,
    field: str = "duration_s",
) -> float:
    """Raise ResourceLimitError when the estimated node-steps exceed :func:`max_node_steps`.

    Parameters
    ----------
    total_nodes
        Nodes summed over all columns of the run.
    duration_s, dt_max_s, n_intervals, n_outputs
        Simulated time, largest step, forcing intervals and output times.

    Returns
    -------
    float
        The lower bound on the steps of one column (:func:`min_steps`).
    """
    if not (math.isfinite(duration_s) and 0 < duration_s <= MAX_DURATION_S):
        raise ResourceLimitError(
            f"duration {duration_s:g} s is not a finite number in (0, {MAX_DURATION_S:.4g}] s (100 years)", path=path, field=field
        )
    steps = min_steps(duration_s, dt_max_s, n_intervals, n_outputs)
    work = float(total_nodes) * steps
    limit = max_node_steps()
    if work > limit:
        raise ResourceLimitError(
            f"the run needs at least {work:.3g} node-steps ({total_nodes:,} nodes x {steps:.3g} steps of at most {dt_max_s:g} s), "
            f"above the limit of {limit:.3g} (about {work * 70e-9 / 60:.0f} min or more): shorten the duration, coarsen the grid "
            "or raise solver.dt_max_s (or TWIN_SOIL_MAX_NODE_STEPS)",
            path=path,
            field=field,
        )
    return steps
