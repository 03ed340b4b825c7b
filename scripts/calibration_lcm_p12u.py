"""Score the frozen p12c method on the lcm building (issue 12, real measured data; session p12u).

The method and its settings were fixed, and committed in docs/calibration.md ("lcm: the method,
fixed before the test year was scored"), before this script was first run. It runs
``twin.calibration.validation.run`` on ``validation.LCM`` at the declared settings (two-month
blocks, 0.5 K grid, daily loss, stacking) and, for the record, at the eleven other settings of
the AMPds2 robustness table (blocks of 1, 2, 3 months; grid 0.5 or 1 K; daily or monthly loss);
prints every row and writes them, with the declared run's test-year totals, the date, commit, load
and cost, to ``benchmarks/figures/calibration_lcm_p12u.json``. ``scripts/update_figures.py``
renders from it the full table of ``docs/calibration_lcm_p12u.md`` (block
``calibration_lcm_p12u.rows``) and the declared settings' figures in ``docs/calibration.md``
(block ``calibration_lcm_p12u.declared``; renderer ``scripts/figure_renderers/calibration_lcm_p12u.py``).
Nothing is typed by hand::

    .venv/bin/python scripts/calibration_lcm_p12u.py [--months 1 2 3] [--cache DIR] [--figures DIR] [--no-write]
    .venv/bin/python scripts/update_figures.py docs/calibration.md docs/calibration_lcm_p12u.md
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # machine_load: the date and commit stamp of the benchmarks
sys.path.insert(0, str(ROOT / "scripts"))  # figure_renderers/, which formats what is printed

from figure_renderers import calibration_lcm_p12u as renderer  # noqa: E402
from machine_load import measurement_stamp  # noqa: E402

FIGURES_DIR = ROOT / "benchmarks" / "figures"
STEPS_C = (0.5, 1.0)
DECLARED = {"months_per_fold": 2, "grid_step_c": 0.5, "loss": "daily"}
wins = renderer.wins


def main(argv=None) -> int:
    from twin.calibration.validation import LCM, LOSSES, run, setup, switchover_grid, training_folds, twin_cv_predictions
    from twin.errors import TwinWarning

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, nargs="+", default=[2, 1, 3])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/twin_lcm_cv_p12u"))
    ap.add_argument("--figures", type=Path, default=FIGURES_DIR, help="folder to write calibration_lcm_p12u.json into")
    ap.add_argument("--no-write", action="store_true", help="print only; write no figures file")
    a = ap.parse_args(argv)
    a.cache.mkdir(parents=True, exist_ok=True)
    stamp = {**measurement_stamp(), "load_before": list(os.getloadavg()), "cpus": os.cpu_count()}
    t0, c0 = time.perf_counter(), time.process_time()
    warnings.simplefilter("ignore", TwinWarning)
    ex = setup(dataset=LCM)
    full = switchover_grid(STEPS_C[0], LCM.switchover_range_c)
    rows, declared = [], None
    for m in a.months:
        f = a.cache / f"lcm_cv_m{m}.npy"
        cv = np.load(f) if f.exists() else twin_cv_predictions(ex, full, training_folds(ex, m))
        np.save(f, cv)
        for step in STEPS_C:
            sub = np.isin(full, switchover_grid(step, LCM.switchover_range_c))
            for loss in LOSSES:
                r = run(experiment=ex, grid_step_c=step, months_per_fold=m, loss=loss, twin_cv=cv[sub])
                row = {"months_per_fold": m, "grid_step_c": step, "loss": loss, "switchover_weights": r["switchover_weights"],
                       "switchover_mean_c": r["switchover_mean_c"], "tau_weights": r["tau_weights"], "tau_mean_c": r["tau_mean_c"],
                       "ess_min": r["ess"], "train_coverage_90": r["train_coverage_90"], "twin": r["twin"], "baseline": r["baseline"],
                       "baseline_least_squares": r["baseline_least_squares"], "twin_matches_or_beats": wins(r["twin"], r["baseline"])}
                rows.append(row)
                print(row, flush=True)
                if {k: row[k] for k in DECLARED} == DECLARED:
                    declared = r
    if declared is None:
        raise SystemExit(f"the declared settings {DECLARED} were not run (--months must include {DECLARED['months_per_fold']})")
    data = {**stamp, "load_after": list(os.getloadavg()), "cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - t0,
            "declared": DECLARED,
            "declared_run": {"test_days": int(declared["test_days"]), "measured_test_kwh": float(declared["measured_test_kwh"]),
                             "twin_test_kwh": float(declared["twin_test_kwh"]), "baseline_test_kwh": float(declared["baseline_test_kwh"]),
                             "baseline_least_squares_tau_c": float(declared["baseline_least_squares_model"].tau_c)},
            "rows": rows,
            "case": f"{renderer.SCRIPT}: twin.calibration.validation.run on validation.LCM at the declared settings and the others of "
                    "--months (grid 0.5 or 1 K; daily or monthly loss); held-out predictions cached by an earlier run are not counted in "
                    "cpu_s / wall_s; load_before/after: 1, 5, 15-minute load averages"}
    print(renderer.rows(data))
    print(renderer.declared(data))
    if not a.no_write:
        a.figures.mkdir(parents=True, exist_ok=True)
        path = a.figures / renderer.FILE
        path.write_text(json.dumps(data, indent=1, default=float) + "\n", encoding="utf-8")
        print(f"wrote {path}; run python scripts/update_figures.py docs/calibration.md docs/calibration_lcm_p12u.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
