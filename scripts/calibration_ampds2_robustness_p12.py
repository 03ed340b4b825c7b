"""How the AMPds2 verdict moves with the validation method's own settings (docs/calibration.md).

The method (``twin.calibration.validation.run``, default ``method="stack"`` since session p12c)
weights the twin's switch-over temperatures and the baseline's base temperatures by stacking
their held-out predictions of the blocked cross-validation on the training year
(``--method select``: keeps the best candidate, the p12 method). This script runs it with its
settings moved: blocks of 1, 2 or 3 calendar months, switch-over grid of 0.5 or 1 K, held-out
loss of days or of monthly sums; for every setting it prints the weights and the test-year
Guideline 14 scores of both models, and writes them with the date, commit, load and cost to
``benchmarks/figures/calibration_ampds2_p12.json`` (``--figures`` writes elsewhere, e.g. a run of
``--method select``); ``scripts/update_figures.py`` renders ``docs/calibration_ampds2_p12.md``
from it (block ``calibration_ampds2_p12``, renderer
``scripts/figure_renderers/calibration_ampds2_p12.py``). The held-out predictions of one block
length can be computed in a separate process first (``--cv-only``, cached in ``--cache``)::

    .venv/bin/python scripts/calibration_ampds2_robustness_p12.py [--months 1 2 3] [--method stack] [--cache DIR] [--cv-only]
    .venv/bin/python scripts/update_figures.py docs/calibration_ampds2_p12.md
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

from figure_renderers import calibration_ampds2_p12 as renderer  # noqa: E402
from figure_renderers.calibration_lcm_p12u import wins as _wins  # noqa: E402
from machine_load import measurement_stamp  # noqa: E402

FIGURES = ROOT / "benchmarks" / "figures" / renderer.FILE
STEPS_C = (0.5, 1.0)


def _cv(ex, months: int, cache: Path) -> np.ndarray:
    from twin.calibration.validation import switchover_grid, training_folds, twin_cv_predictions

    f = cache / f"ampds2_cv_m{months}.npy"
    if f.exists():
        return np.load(f)
    pred = twin_cv_predictions(ex, switchover_grid(STEPS_C[0]), training_folds(ex, months))
    np.save(f, pred)
    return pred


def main(argv=None) -> int:
    from twin.calibration.validation import LOSSES, METHODS, run, setup, switchover_grid
    from twin.errors import TwinWarning

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--method", choices=METHODS, default="stack")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/twin_ampds2_cv_p12c"))
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--figures", type=Path, default=FIGURES, help="the figures file to write")
    a = ap.parse_args(argv)
    a.cache.mkdir(parents=True, exist_ok=True)
    stamp = {**measurement_stamp(), "load_before": list(os.getloadavg()), "cpus": os.cpu_count()}
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
                wins = _wins(tw, b)
                rows.append({"months_per_fold": m, "grid_step_c": step, "loss": loss, "method": a.method,
                             "switchover_weights": r["switchover_weights"], "switchover_mean_c": r["switchover_mean_c"],
                             "tau_weights": r["tau_weights"], "tau_mean_c": r["tau_mean_c"], "ess_min": r["ess"],
                             "train_coverage_90": r["train_coverage_90"], "twin": tw, "baseline": b, "twin_matches_or_beats": wins})
                print(rows[-1], flush=True)
    data = {**stamp, "load_after": list(os.getloadavg()), "cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - t0,
            "method": a.method, "rows": rows,
            "case": f"{renderer.SCRIPT} --months {' '.join(map(str, a.months))} --method {a.method}: held-out predictions cached by an "
                    "earlier run are not counted in cpu_s / wall_s; load_before/after: 1, 5, 15-minute load averages"}
    a.figures.parent.mkdir(parents=True, exist_ok=True)
    a.figures.write_text(json.dumps(data, indent=1, default=float) + "\n", encoding="utf-8")
    print(renderer.table(data))
    print(f"wrote {a.figures}; run python scripts/update_figures.py docs/calibration_ampds2_p12.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
