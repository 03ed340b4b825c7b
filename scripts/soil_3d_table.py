"""Measure the validation tables of docs/soil_3d.md from the 3-D Richards tests.

Runs the same functions as ``tests/test_richards3d_tracy.py`` (Tracy's sample problem at four
times, the refinement studies) and ``tests/test_richards3d.py`` (kernel vs NumPy reference), and
writes what they give to ``benchmarks/figures/soil_3d_validation.json`` (with the date, commit,
load before and after and cores); ``scripts/update_figures.py`` renders the tables of
docs/soil_3d.md (block ``soil_3d_validation``, renderer
``scripts/figure_renderers/soil_3d_validation.py``) from it. ``--print`` prints the rendered
tables too. Run from the repository root:

    TWIN_NUMBA_THREADS=1 .venv/bin/python scripts/soil_3d_table.py
    .venv/bin/python scripts/update_figures.py docs/soil_3d.md
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))  # machine_load: the date and commit stamp the benchmarks use
sys.path.insert(0, str(REPO / "scripts"))  # figure_renderers/, which formats the tables

from figure_renderers import soil_3d_validation  # noqa: E402
from machine_load import measurement_stamp  # noqa: E402

from tests import test_richards3d as ref  # noqa: E402
from tests import test_richards3d_tracy as tr  # noqa: E402

FIGURES_DIR = REPO / "benchmarks" / "figures"


def sample() -> list[dict[str, Any]]:
    """Tracy's sample problem on two grids in 2-D and 3-D at four times."""
    times = [tr.T0 + 2.5e4, 1.0e5, 2.0e5, 4.0e5]
    out = []
    for dim, sizes in ((2, (8, 16)), (3, (6, 12))):
        for n in sizes:
            dt_max = 2000.0 * (8.0 / n) ** 2 if dim == 2 else 2000.0
            res, exact = tr.run_tracy(n, dim, tr.HR_SAMPLE, times, dt_initial_s=100.0, dt_max_s=dt_max)
            jy = n // 2 if dim == 3 else 0
            for o, t in enumerate(times):
                points = [float(res.h_m[o, k, jy, n // 2] - exact[o, k, jy, n // 2]) for k in (n // 4, n // 2, 3 * n // 4)]
                out.append({"dim": dim, "n": n, "t_s": t, "rms_h_m": tr.rms(res.h_m[o] - exact[o]), "point_errors_m": points,
                            "balance_error_rel": float(res.relative_balance_error)})
    return out


def refinement() -> list[dict[str, Any]]:
    """The refinement studies (mild solution): RMS error and balance per grid, wall time of each study."""
    out = []
    for label, dim, sizes, steady in (
        ("2-D steady", 2, (8, 16, 32), True),
        ("2-D transient, dt ~ h^2", 2, (8, 16, 32), False),
        ("3-D steady", 3, (6, 12, 24), True),
    ):
        t0 = time.perf_counter()
        rows = tr.refinement(dim, sizes, steady=steady)
        wall = time.perf_counter() - t0
        out.append({"label": label, "dim": dim, "steady": steady, "wall_s": wall,
                    "grids": [{"n": int(n), "rms_h_m": float(err), "balance_error_rel": float(bal)} for n, err, bal in rows]})
    return out


def reference() -> dict[str, float]:
    """The kernel against the NumPy reference on a small two-soil block."""
    block, h0 = ref.small_block()
    dt, n_steps, tol = 600.0, 6, 1e-11
    h_ref, theta_ref, _ = ref.ref_run(block, h0, dt, n_steps, tol)
    opts = ref.BlockOptions(dt_initial_s=dt, dt_min_s=dt, dt_max_s=dt, tol_h_m=tol, tol_h_rel=0.0, tol_theta=tol, lin_tol=1e-14,
                            max_iter=60, iter_low=40, iter_high=55, dtheta_max=0.0)
    res = ref.run_block(block, h0, [dt * n_steps], options=opts)
    return {"max_head_difference_m": float(np.abs(res.h_m[-1].reshape(-1) - h_ref).max()),
            "max_theta_difference": float(np.abs(res.theta[-1].reshape(-1) - theta_ref).max()),
            "balance_error_rel": float(res.relative_balance_error)}


def measure() -> dict[str, Any]:
    """All the figures of the validation tables, stamped with date, commit, load and cores."""
    stamp = {**measurement_stamp(), "load_before": list(os.getloadavg()), "cpus": os.cpu_count()}
    figures = {"t0_s": tr.T0, "hr_sample_m": tr.HR_SAMPLE, "hr_mild_m": tr.HR_MILD, "sample": sample(), "refinement": refinement(),
               "reference": reference()}
    return {**stamp, "load_after": list(os.getloadavg()), **figures,
            "case": f"{soil_3d_validation.SCRIPT}: the functions of tests/test_richards3d_tracy.py and tests/test_richards3d.py; "
                    "load_before/after: 1, 5, 15-minute load averages; wall_s: each refinement study, all its grids"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="also print the rendered tables")
    parser.add_argument("--figures", type=Path, default=FIGURES_DIR, help="folder to write soil_3d_validation.json into")
    args = parser.parse_args()
    data = measure()
    args.figures.mkdir(parents=True, exist_ok=True)
    path = args.figures / soil_3d_validation.FILE
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    if args.print:
        print("\n".join(soil_3d_validation.lines(data)))
    print(f"wrote {path}; run python scripts/update_figures.py docs/soil_3d.md")


if __name__ == "__main__":
    main()
