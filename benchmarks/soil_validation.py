"""Validation figures of the soil engine (docs/soil.md, "Validation (measured)"), computed, not typed.

    python benchmarks/soil_validation.py [--output FILE] [--only SECTION ...]

The cases of ``tests/test_soil_validation.py`` (Celia et al. 1990 on three grids, Green-Ampt after
Chow et al. 1988, the SCS Curve Number, heat conduction against Carslaw & Jaeger's periodic and erfc
solutions), each printed as the "twin" cell of the page's table and merged into
``benchmarks/figures/soil_validation.json`` (``sections``: per section its line, its figures, the date, the
commit and the load averages before and after; the versions), from which
``python scripts/update_figures.py`` writes docs/soil.md's ``soil_validation.*`` blocks.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from figures_sections import run_sections  # noqa: E402 - benchmarks/figures_sections.py

from tests.soil_validation_cases import CAP, CELIA, LAM  # noqa: E402 - the cases of tests/test_soil_validation.py
from tests.soil_validation_cases import celia_front as _celia  # noqa: E402
from tests.soil_validation_cases import heat_periodic as heat_periodic_case  # noqa: E402

OUT = REPO / "benchmarks" / "figures" / "soil_validation.json"
CM_H = 0.01 / 3600.0
"""1 cm/h in m/s."""
DZ_M = (0.01, 0.005, 0.0025)
"""The Celia grids."""


def celia_front() -> tuple[list[str], dict]:
    runs = {dz: _celia(dz) for dz in DZ_M}
    f = [runs[dz][0] for dz in DZ_M]
    p = math.log((f[0] - f[1]) / (f[1] - f[2])) / math.log(2)
    extrapolated = f[2] - (f[1] - f[2]) / (2**p - 1)
    fine, _ = _celia(DZ_M[-1], dt_max_s=60.0, tol_h_m=1e-4, tol_theta=1e-5)
    grids = "; ".join(f"{'dz ' if i == 0 else ''}{dz * 100:g} cm: {front * 100:.2f} cm" for i, (dz, front) in enumerate(zip(DZ_M, f, strict=True)))
    return ([f"{grids}; Richardson extrapolation {extrapolated * 100:.2f} cm (observed order {p:.2f}); at {DZ_M[-1] * 100:g} cm with "
             f"dt ≤ 60 s and tolerances 0.1 mm / 1e-5: {fine * 100:.2f} cm"],
            {"dz_cm": [dz * 100 for dz in DZ_M], "front_cm": [x * 100 for x in f], "extrapolated_cm": extrapolated * 100, "order": p,
             "fine_step_front_cm": fine * 100})


def celia_balance() -> tuple[list[str], dict]:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "twin.cli.main", "soil", "column", str(CELIA.relative_to(REPO)), "--json"], cwd=REPO, check=True,
                   capture_output=True)
    wall = time.perf_counter() - t0
    reps = {dz: _celia(dz)[1] for dz in DZ_M}
    r = reps[DZ_M[0]]
    rest = ", ".join(f"{reps[dz]['relative_water_balance_error']:.1e} ({dz * 100:g} cm)" for dz in DZ_M[1:])
    iters = f"{r['iterations']:,}".replace(",", " ")  # the page's thousands separator
    return [f"{r['relative_water_balance_error']:.1e} (dz {DZ_M[0] * 100:g} cm, `twin soil column tests/soil_data/celia1990.yaml --json`: "
            f"infiltration {r['totals_m']['infiltration'] * 100:.4f} cm, {r['steps']} steps, {iters} iterations, "
            f"{r['steps_failed']} failed; {wall:.1f} s wall for the whole command), {rest}"], \
        {"dz_cm": [dz * 100 for dz in DZ_M], "relative_error": [reps[dz]["relative_water_balance_error"] for dz in DZ_M],
         "command_wall_s": wall, "steps": r["steps"], "iterations": r["iterations"], "steps_failed": r["steps_failed"]}


def green_ampt_ponded() -> tuple[list[str], dict]:
    from twin.soil.screening import green_ampt_ponded as ponded

    f_cum, rate = ponded([3600.0], 0.65 * CM_H, 0.167, 0.340)
    return [f"{f_cum[0] * 100:.3f} cm, {rate[0] / CM_H:.3f} cm/h"], {"f_1h_cm": float(f_cum[0] * 100), "rate_1h_cm_h": float(rate[0] / CM_H)}


def green_ampt_rain() -> tuple[list[str], dict]:
    from twin.soil.screening import green_ampt_rain as rain

    edges = np.arange(0, 3 * 3600 + 1, 600.0)
    res = rain(edges, np.full(len(edges) - 1, 5.0 * CM_H), 0.65 * CM_H, 0.167, 0.340)
    return [f"{res.ponding_time_s / 3600:.3f} h"], {"ponding_time_h": res.ponding_time_s / 3600}


def scs() -> tuple[list[str], dict]:
    from twin.soil.screening import scs_runoff_mm

    q = float(scs_runoff_mm(50.0, 80.0))
    return [f"{q:.3f} mm"], {"runoff_mm": q}


def heat_periodic() -> tuple[list[str], dict]:
    _, _, res, exact = heat_periodic_case()
    err = float(np.abs(res.temperature_c[:, 0, :] - exact).max())
    return [f"max error {err:.2g} K"], {"max_error_k": err}


def heat_step() -> tuple[list[str], dict]:
    from twin.soil.heat import run_heat, step_solution

    z = np.linspace(0.0, 3.0, 301)
    days = (1, 3)
    res = run_heat(z, LAM, CAP, 5.0, [0.0, 3 * 86400.0], [20.0, 20.0], dt_s=60.0, output_times_s=[d * 86400.0 for d in days],
                   bottom="insulated")
    errs = [np.abs(res.temperature_c[o, 0] - step_solution(z, d * 86400.0, 5.0, 20.0, LAM / CAP)).max() for o, d in enumerate(days)]
    return (["max error " + ", ".join(f"{e:.1e} K ({d} day{'s' if d > 1 else ''})" for e, d in zip(errs, days, strict=True))],
            {"days": list(days), "max_error_k": [float(e) for e in errs]})


SECTIONS = {"celia_front": celia_front, "celia_balance": celia_balance, "green_ampt_ponded": green_ampt_ponded,
            "green_ampt_rain": green_ampt_rain, "scs": scs, "heat_periodic": heat_periodic, "heat_step": heat_step}  # fmt: skip
"""Section key -> function returning its line (the table cell) and its figures."""


def main(argv: list[str] | None = None) -> dict:
    """Compute the sections, print them and merge them into ``--output``; returns the file's content."""

    def compute(key: str) -> dict:
        lines, values = SECTIONS[key]()
        print(f"{key}: {' '.join(lines)}")
        return {"title": key, "lines": lines, "values": json.loads(json.dumps(values, default=float))}

    return run_sections(argv, description=__doc__.splitlines()[0], output=OUT, sections=SECTIONS, compute=compute,
                        command="python benchmarks/soil_validation.py")

if __name__ == "__main__":
    main()
