"""The validation cases of the soil engine that ``tests/test_soil_validation.py`` checks and
``benchmarks/soil_validation.py`` measures for docs/soil.md: one definition of each run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from twin.soil.heat import HeatResult

CELIA = Path(__file__).resolve().parent / "soil_data" / "celia1990.yaml"
"""Celia, Bouloutas & Zarba (1990): the column spec."""
LAM, CAP = 1.2, 2.4e6
"""Conductivity W/(m K) and heat capacity J/(m3 K) of the heat cases."""


def celia_front(dz_m: float, **solver: float) -> tuple[float, dict]:
    """Front depth (h = -537.5 cm), m, and the column report of the Celia spec at node spacing ``dz_m``
    (``solver``: :class:`twin.soil.solver.SolverOptions` fields instead of the spec's)."""
    from twin.soil.column import column_report, front_depth_m, load_column_spec, prepare_column
    from twin.soil.solver import SolverOptions

    spec = load_column_spec(CELIA)
    spec = spec.model_copy(update={"grid": spec.grid.model_copy(update={"dz_m": dz_m}),
                                   "solver": SolverOptions(**solver) if solver else spec.solver})  # fmt: skip
    run = prepare_column(spec, path=CELIA)
    rep = column_report(run, run.run())
    return front_depth_m(rep["depth_m"], rep["h_m"][-1], -5.375), rep


def heat_periodic() -> tuple[np.ndarray, float, HeatResult, np.ndarray]:
    """Carslaw & Jaeger (1959) 2.6: a 10 +/- 5 C daily surface wave over ten damping depths, six days
    at 5-min steps from the exact profile, hourly outputs of the last day.

    Returns
    -------
    z, d, res, exact
        Node depths (m), the damping depth (m), the run, and the exact temperatures (C) at
        ``res``'s output times (outputs x nodes).
    """
    from twin.soil.heat import damping_depth_m, periodic_solution, run_heat

    period = 86400.0
    d = damping_depth_m(LAM, CAP, period)
    z = np.linspace(0.0, 10 * d, 121)
    t = np.arange(0.0, 6 * period + 1, 300.0)
    surf = 10.0 + 5.0 * np.sin(2 * np.pi * t / period)
    out = np.arange(5 * period + 3600, 6 * period + 1, 3600.0)
    res = run_heat(z, LAM, CAP, periodic_solution(z, 0.0, 10.0, 5.0, period, LAM / CAP), t, surf, dt_s=300.0, output_times_s=out,
                   bottom="fixed", bottom_c=10.0)  # fmt: skip
    exact = np.array([periodic_solution(z, tt, 10.0, 5.0, period, LAM / CAP) for tt in out])
    return z, d, res, exact
