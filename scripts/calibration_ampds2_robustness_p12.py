"""How the AMPds2 verdict moves with the validation method's own settings (docs/calibration.md).

The method (``twin.calibration.validation.run``, default ``method="stack"`` since session p12c)
weights the twin's switch-over temperatures and the baseline's base temperatures by stacking
their held-out predictions of the blocked cross-validation on the training year
(``--method select``: keeps the best candidate, the p12 method). This script runs it with its
settings moved: blocks of 1, 2 or 3 calendar months, switch-over grid of 0.5 or 1 K, held-out
loss of days or of monthly sums; for every setting it prints the weights and the test-year
Guideline 14 scores of both models, and writes the table as Markdown
(``docs/calibration_ampds2_p12.md``) and JSON. The held-out predictions of one block length can
be computed in a separate process first (``--cv-only``, cached in ``--cache``)::

    .venv/bin/python scripts/calibration_ampds2_robustness_p12.py [--months 1 2 3] [--method stack] [--cache DIR] [--cv-only]
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT_MD = ROOT / "docs" / "calibration_ampds2_p12.md"
STEPS_C = (0.5, 1.0)


def _cv(ex, months: int, cache: Path) -> np.ndarray:
    from twin.calibration.validation import switchover_grid, training_folds, twin_cv_predictions

    f = cache / f"ampds2_cv_m{months}.npy"
    if f.exists():
        return np.load(f)
    pred = twin_cv_predictions(ex, switchover_grid(STEPS_C[0]), training_folds(ex, months))
    np.save(f, pred)
    return pred


def _weights(d: dict) -> str:
    return ", ".join(f"{t:g}: {w:.2f}" for t, w in sorted(d.items()) if w >= 0.005) or "-"


def main(argv=None) -> int:
    from twin.calibration.validation import LOSSES, METHODS, run, setup, switchover_grid
    from twin.errors import TwinWarning

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--method", choices=METHODS, default="stack")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/twin_ampds2_cv_p12c"))
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("-o", "--out", type=Path, default=OUT_MD)
    a = ap.parse_args(argv)
    a.cache.mkdir(parents=True, exist_ok=True)
    t0, c0 = time.perf_counter(), time.process_time()
    warnings.simplefilter("ignore", TwinWarning)
    ex = setup()
    full = switchover_grid(STEPS_C[0])
    cvs = {m: _cv(ex, m, a.cache) for m in a.months}
    if a.cv_only:
        return 0
    rows = []
    for m in a.months:
        for step in STEPS_C:
            sub = np.isin(full, switchover_grid(step))
            for loss in LOSSES:
                r = run(experiment=ex, grid_step_c=step, months_per_fold=m, loss=loss, method=a.method, twin_cv=cvs[m][sub])
                tw, b = r["twin"], r["baseline"]
                wins = {k: abs(tw[f"nmbe_{k}_pct"]) <= abs(b[f"nmbe_{k}_pct"]) and tw[f"cv_{k}_pct"] <= b[f"cv_{k}_pct"] for k in ("daily", "monthly")}
                rows.append({"months_per_fold": m, "grid_step_c": step, "loss": loss, "method": a.method,
                             "switchover_weights": r["switchover_weights"], "switchover_mean_c": r["switchover_mean_c"],
                             "tau_weights": r["tau_weights"], "tau_mean_c": r["tau_mean_c"], "ess_min": r["ess"],
                             "train_coverage_90": r["train_coverage_90"], "twin": tw, "baseline": b, "twin_matches_or_beats": wins})
                print(rows[-1], flush=True)
    load = os.getloadavg()
    what = ("stacked (non-negative weights summing to one, fitted to the held-out loss)" if a.method == "stack"
            else "the single candidate of the smallest held-out loss")
    lines = ["<!-- written by scripts/calibration_ampds2_robustness_p12.py; do not edit by hand -->", "",
             f"AMPds2, test year 2013-04-01 to 2014-03-30, method `{a.method}`: both models' hyper-parameter grids {what}, by blocked "
             "cross-validation on the training year with the settings of each row (the method's defaults: 2-month blocks, 0.5 K, daily "
             "loss, in bold); `h_tr_factor` support down to 0.05. NMBE / CV(RMSE), %, Guideline 14, out of sample. *wins*: the twin's "
             "|NMBE| and CV(RMSE) both no worse than the baseline's. ESS: the smallest of the weighted candidates' training-year posteriors.", "",
             "| blocks, months | grid, K | loss | T_sw weights, C: w | tau mean, C | ESS | twin daily NMBE / CV | baseline daily NMBE / CV "
             "| twin monthly NMBE / CV | baseline monthly NMBE / CV | daily | monthly |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        tw, b = r["twin"], r["baseline"]
        default = r["months_per_fold"] == 2 and r["grid_step_c"] == 0.5 and r["loss"] == "daily"
        cells = [f"{r['months_per_fold']}", f"{r['grid_step_c']:g}", r["loss"], _weights(r["switchover_weights"]), f"{r['tau_mean_c']:.1f}",
                 f"{r['ess_min']:.0f}",
                 f"{tw['nmbe_daily_pct']:+.1f} / {tw['cv_daily_pct']:.1f}", f"{b['nmbe_daily_pct']:+.1f} / {b['cv_daily_pct']:.1f}",
                 f"{tw['nmbe_monthly_pct']:+.1f} / {tw['cv_monthly_pct']:.1f}", f"{b['nmbe_monthly_pct']:+.1f} / {b['cv_monthly_pct']:.1f}",
                 "wins" if r["twin_matches_or_beats"]["daily"] else "loses", "wins" if r["twin_matches_or_beats"]["monthly"] else "loses"]
        if default:
            cells = [f"**{c}**" for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    n_month = sum(r["twin_matches_or_beats"]["monthly"] for r in rows)
    n_day = sum(r["twin_matches_or_beats"]["daily"] for r in rows)
    lines += ["", f"The twin matches or beats the baseline in {n_day} of {len(rows)} settings on days and {n_month} of {len(rows)} on months. "
              f"Run: {time.process_time() - c0:.0f} s CPU, {time.perf_counter() - t0:.0f} s wall (held-out predictions cached in a previous run "
              f"are not counted), load average {load[0]:.1f} at the end.", ""]
    a.out.write_text("\n".join(lines))
    a.out.with_suffix(".json").write_text(json.dumps(rows, indent=1))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
