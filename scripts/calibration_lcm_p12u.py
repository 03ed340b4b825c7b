"""Score the frozen p12c method on the lcm building (issue 12, real measured data; session p12u).

The method and its settings were fixed, and committed in docs/calibration.md ("lcm: the method,
fixed before the test year was scored"), before this script was first run. It runs
``twin.calibration.validation.run`` on ``validation.LCM`` at the declared settings (two-month
blocks, 0.5 K grid, daily loss, stacking) and, for the record, at the eleven other settings of
the AMPds2 robustness table (blocks of 1, 2, 3 months; grid 0.5 or 1 K; daily or monthly loss);
prints every row, writes the full table to ``docs/calibration_lcm_p12u.md`` (and ``.json``) and
the declared settings' table between the markers ``<!-- written:calibration_lcm_p12u -->`` and
``<!-- /written:calibration_lcm_p12u -->`` of ``docs/calibration.md``. Nothing is typed by hand::

    .venv/bin/python scripts/calibration_lcm_p12u.py [--months 1 2 3] [--cache DIR] [--no-docs]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT_MD = ROOT / "docs" / "calibration_lcm_p12u.md"
DOC = ROOT / "docs" / "calibration.md"
MARK = "calibration_lcm_p12u"
STEPS_C = (0.5, 1.0)
DECLARED = {"months_per_fold": 2, "grid_step_c": 0.5, "loss": "daily"}


def wins(tw: dict, b: dict) -> dict:
    """Per resolution: the twin's |NMBE| and CV(RMSE) both no worse than the baseline's."""
    return {k: bool(abs(tw[f"nmbe_{k}_pct"]) <= abs(b[f"nmbe_{k}_pct"]) and tw[f"cv_{k}_pct"] <= b[f"cv_{k}_pct"]) for k in ("daily", "monthly")}


def _weights(d: dict) -> str:
    return ", ".join(f"{t:g}: {w:.2f}" for t, w in sorted(d.items()) if w >= 0.005) or "-"


def _row(name: str, s: dict) -> str:
    return (f"| {name} | {s['nmbe_daily_pct']:+.1f} % | {s['cv_daily_pct']:.1f} % | {s['nmbe_monthly_pct']:+.1f} % | "
            f"{s['cv_monthly_pct']:.1f} % |")


def declared_table(r: dict, load: float, cpu_s: float) -> str:
    """The declared settings' figures as Markdown (written into docs/calibration.md)."""
    tw, b, ls = r["twin"], r["baseline"], r["baseline_least_squares"]
    w_b, w_ls = wins(tw, b), wins(tw, ls)
    met = w_b["daily"] and w_b["monthly"]
    lines = [f"Declared settings (2-month blocks, 0.5 K grid, daily loss, stacking); test year {r['test_days']} periods, "
             f"{tw['months']} months; measured {r['measured_test_kwh']:,.0f} kWh, twin {r['twin_test_kwh']:,.0f} kWh, "
             f"stacked baseline {r['baseline_test_kwh']:,.0f} kWh. `T_sw` weights, C: {_weights(r['switchover_weights'])} "
             f"(mean {r['switchover_mean_c']:.1f} C); `tau` weights, C: {_weights(r['tau_weights'])} (mean {r['tau_mean_c']:.1f} C); "
             f"textbook fit `tau` {r['baseline_least_squares_model'].tau_c:.1f} C.", "",
             "| | daily NMBE | daily CV(RMSE) | monthly NMBE | monthly CV(RMSE) |", "|---|---|---|---|---|",
             _row("calibrated twin, `T_sw` grid stacked", tw), _row("change-point baseline, `tau` grid stacked (same rule)", b),
             _row("textbook change-point fit (`tau` by least squares), for reference", ls), "",
             f"Verdict at the declared settings: the twin {'matches or beats' if met else 'does not match or beat'} the stacked "
             f"baseline (days: {'wins' if w_b['daily'] else 'loses'}, months: {'wins' if w_b['monthly'] else 'loses'}); against the "
             f"textbook fit: days {'wins' if w_ls['daily'] else 'loses'}, months {'wins' if w_ls['monthly'] else 'loses'}. "
             f"Meters where the twin matches or beats the stacked baseline on both resolutions: {int(met)} of 1. "
             f"Training-year posteriors of the weighted candidates: smallest ESS {r['ess']:.0f}; the fitted 90 % interval covers "
             f"{100 * r['train_coverage_90']:.1f} % of the training periods. Run: {cpu_s:.0f} s CPU for all settings, load average "
             f"{load:.1f} at the end (`scripts/calibration_lcm_p12u.py`)."]
    return "\n".join(lines)


def write_into_doc(text: str, doc: Path = DOC) -> None:
    s = doc.read_text()
    pat = re.compile(rf"(<!-- written:{MARK} -->\n).*?(\n<!-- /written:{MARK} -->)", re.S)
    if not pat.search(s):
        raise SystemExit(f"markers <!-- written:{MARK} --> ... <!-- /written:{MARK} --> not found in {doc}")
    doc.write_text(pat.sub(lambda m: m.group(1) + text + m.group(2), s))


def main(argv=None) -> int:
    from twin.calibration.validation import LCM, LOSSES, run, setup, switchover_grid, training_folds, twin_cv_predictions
    from twin.errors import TwinWarning

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, nargs="+", default=[2, 1, 3])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/twin_lcm_cv_p12u"))
    ap.add_argument("--no-docs", action="store_true", help="print only; write neither docs file")
    a = ap.parse_args(argv)
    a.cache.mkdir(parents=True, exist_ok=True)
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
    load, cpu = os.getloadavg()[0], time.process_time() - c0
    lines = ["<!-- written by scripts/calibration_lcm_p12u.py; do not edit by hand -->", "",
             "lcm building (docs/calibration.md, session p12u), test year 2019-04-01 to 2020-03-31, the p12c method frozen: both "
             "models' hyper-parameter grids stacked by blocked cross-validation on the training year with the settings of each row "
             "(the declared settings in bold: only they give the verdict; the other rows are for the record). NMBE / CV(RMSE), %, "
             "Guideline 14, out of sample. *wins*: the twin's |NMBE| and CV(RMSE) both no worse than the stacked baseline's.", "",
             "| blocks, months | grid, K | loss | T_sw weights, C: w | tau mean, C | ESS | twin daily NMBE / CV | baseline daily NMBE / CV "
             "| twin monthly NMBE / CV | baseline monthly NMBE / CV | daily | monthly |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        tw, b = r["twin"], r["baseline"]
        cells = [f"{r['months_per_fold']}", f"{r['grid_step_c']:g}", r["loss"], _weights(r["switchover_weights"]), f"{r['tau_mean_c']:.1f}",
                 f"{r['ess_min']:.0f}", f"{tw['nmbe_daily_pct']:+.1f} / {tw['cv_daily_pct']:.1f}", f"{b['nmbe_daily_pct']:+.1f} / {b['cv_daily_pct']:.1f}",
                 f"{tw['nmbe_monthly_pct']:+.1f} / {tw['cv_monthly_pct']:.1f}", f"{b['nmbe_monthly_pct']:+.1f} / {b['cv_monthly_pct']:.1f}",
                 "wins" if r["twin_matches_or_beats"]["daily"] else "loses", "wins" if r["twin_matches_or_beats"]["monthly"] else "loses"]
        if {k: r[k] for k in DECLARED} == DECLARED:
            cells = [f"**{c}**" for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    n_day = sum(r["twin_matches_or_beats"]["daily"] for r in rows)
    n_month = sum(r["twin_matches_or_beats"]["monthly"] for r in rows)
    n_both = sum(r["twin_matches_or_beats"]["daily"] and r["twin_matches_or_beats"]["monthly"] for r in rows)
    lines += ["", f"The twin matches or beats the stacked baseline in {n_day} of {len(rows)} settings on days, {n_month} of {len(rows)} "
              f"on months, {n_both} of {len(rows)} on both. Run: {cpu:.0f} s CPU, {time.perf_counter() - t0:.0f} s wall (held-out "
              f"predictions cached by an earlier run are not counted), load average {load:.1f} at the end.", ""]
    print("\n".join(lines))
    if declared is not None:
        table = declared_table(declared, load, cpu)
        print(table)
    if not a.no_docs:
        OUT_MD.write_text("\n".join(lines))
        OUT_MD.with_suffix(".json").write_text(json.dumps(rows, indent=1))
        if declared is not None:
            write_into_doc(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
