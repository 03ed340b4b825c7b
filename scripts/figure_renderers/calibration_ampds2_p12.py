"""Renderer of the AMPds2 robustness table (how the verdict moves with the validation method's own settings;
docs/calibration.md): benchmarks/figures/calibration_ampds2_p12.json, written by
``python scripts/calibration_ampds2_robustness_p12.py``.

* ``calibration_ampds2_p12``: docs/calibration_ampds2_p12.md's table, one row per setting (blocks of 1, 2, 3
  months; grid 0.5 or 1 K; daily or monthly loss; the method's defaults, 2-month blocks, 0.5 K, daily loss, in
  bold), the count of settings where the twin matches or beats the baseline, with the run's cost, date and commit.

*wins* is computed here from the metrics (:func:`calibration_lcm_p12u.wins`, the same rule). A key missing from
the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the file and the script to run).
"""

from __future__ import annotations

from .calibration_lcm_p12u import TABLE_HEAD, table_rows
from .common import Blocks, FiguresError, figure_at, one_minute

SCRIPT = "python scripts/calibration_ampds2_robustness_p12.py"
FILE = "calibration_ampds2_p12.json"
DEFAULTS = {"months_per_fold": 2, "grid_step_c": 0.5, "loss": "daily"}
"""The validation method's default settings (the bold row)."""

WHAT = {"stack": "stacked (non-negative weights summing to one, fitted to the held-out loss)",
        "select": "the single candidate of the smallest held-out loss"}


def table(data: dict) -> str:
    """The table of settings, its count and the run line."""
    method = str(figure_at(data, "method"))
    if method not in WHAT:
        raise FiguresError(f"unknown method {method!r} (known: {', '.join(WHAT)})")
    lines = ["", f"AMPds2, test year 2013-04-01 to 2014-03-30, method `{method}`: both models' hyper-parameter grids {WHAT[method]}, by blocked "
             "cross-validation on the training year with the settings of each row (the method's defaults: 2-month blocks, 0.5 K, daily "
             "loss, in bold); `h_tr_factor` support down to 0.05. NMBE / CV(RMSE), %, Guideline 14, out of sample. *wins*: the twin's "
             "|NMBE| and CV(RMSE) both no worse than the baseline's. ESS: the smallest of the weighted candidates' training-year posteriors.", "",
             *TABLE_HEAD]
    rows = figure_at(data, "rows")
    table, won = table_rows(rows, lambda r: all(r[k] == v for k, v in DEFAULTS.items()))
    lines += table
    n = len(rows)
    lines += ["", f"The twin matches or beats the baseline in {sum(w['daily'] for w in won)} of {n} settings on days and "
              f"{sum(w['monthly'] for w in won)} of {n} on months. Run: {float(figure_at(data, 'cpu_s')):.0f} s CPU, "
              f"{float(figure_at(data, 'wall_s')):.0f} s wall (held-out predictions cached in a previous run are not counted), load average "
              f"{one_minute(figure_at(data, 'load_after')):.1f} at the end ({figure_at(data, 'date')}, commit {figure_at(data, 'commit')}).", "", ""]
    return "\n".join(lines)


BLOCKS: Blocks = {"calibration_ampds2_p12": (FILE, table, SCRIPT)}
