"""Renderer of the lcm building's score of the frozen p12c method (issue 12, session p12u):
benchmarks/figures/calibration_lcm_p12u.json, written by ``python scripts/calibration_lcm_p12u.py``.

* ``calibration_lcm_p12u.rows``: docs/calibration_lcm_p12u.md's table, one row per setting (blocks of 1, 2, 3
  months; grid 0.5 or 1 K; daily or monthly loss; the declared settings in bold) and the count of settings
  where the twin matches or beats the stacked baseline, with the run's cost, date and commit.
* ``calibration_lcm_p12u.declared``: the block of docs/calibration.md with the declared settings' figures and
  verdict.

*wins*: the twin's |NMBE| and CV(RMSE) both no worse than the baseline's, per resolution (computed here from
the metrics). A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py
adds the file and the script to run).
"""

from __future__ import annotations

from .common import Blocks, FiguresError, figure_at, one_minute, signed

SCRIPT = "python scripts/calibration_lcm_p12u.py"
FILE = "calibration_lcm_p12u.json"
SETTINGS = ("months_per_fold", "grid_step_c", "loss")


def wins(tw: dict, b: dict) -> dict[str, bool]:
    """Per resolution: the twin's |NMBE| and CV(RMSE) both no worse than the baseline's."""
    return {k: bool(abs(float(figure_at(tw, f"nmbe_{k}_pct"))) <= abs(float(figure_at(b, f"nmbe_{k}_pct")))
                    and float(figure_at(tw, f"cv_{k}_pct")) <= float(figure_at(b, f"cv_{k}_pct"))) for k in ("daily", "monthly")}


def weights_text(d: dict) -> str:
    """``-2: 0.02, 12: 0.82``: the candidates of weight >= 0.005, by value."""
    return ", ".join(f"{signed(float(t), 'g')}: {float(w):.2f}" for t, w in sorted(d.items(), key=lambda kv: float(kv[0])) if float(w) >= 0.005) or "-"


#: The head of the table of settings (this page and docs/calibration_ampds2_p12.md).
TABLE_HEAD = ["| blocks, months | grid, K | loss | T_sw weights, °C: w | tau mean, °C | ESS | twin daily NMBE / CV | baseline daily NMBE / CV "
              "| twin monthly NMBE / CV | baseline monthly NMBE / CV | daily | monthly |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]


def row_cells(r: dict) -> tuple[list[str], dict[str, bool]]:
    """The cells of one row of the table of settings (:data:`TABLE_HEAD`) and its :func:`wins`."""
    tw, b = figure_at(r, "twin"), figure_at(r, "baseline")
    w = wins(tw, b)
    cells = [f"{int(figure_at(r, 'months_per_fold'))}", f"{float(figure_at(r, 'grid_step_c')):g}", str(figure_at(r, "loss")),
             weights_text(figure_at(r, "switchover_weights")), f"{float(figure_at(r, 'tau_mean_c')):.1f}", f"{float(figure_at(r, 'ess_min')):.0f}",
             f"{signed(tw['nmbe_daily_pct'], '+.1f')} / {tw['cv_daily_pct']:.1f}", f"{signed(b['nmbe_daily_pct'], '+.1f')} / {b['cv_daily_pct']:.1f}",
             f"{signed(tw['nmbe_monthly_pct'], '+.1f')} / {tw['cv_monthly_pct']:.1f}", f"{signed(b['nmbe_monthly_pct'], '+.1f')} / {b['cv_monthly_pct']:.1f}",
             "wins" if w["daily"] else "loses", "wins" if w["monthly"] else "loses"]  # fmt: skip
    return cells, w


def table_rows(rows: list[dict], bold) -> tuple[list[str], list[dict[str, bool]]]:
    """The lines of the table of settings (:func:`row_cells`, the rows for which ``bold(row)`` holds
    in bold) and each row's :func:`wins`."""
    lines, won = [], []
    for r in rows:
        cells, w = row_cells(r)
        won.append(w)
        if bold(r):
            cells = [f"**{c}**" for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return lines, won


def _declared_row(data: dict) -> dict:
    declared = figure_at(data, "declared")
    found = [r for r in figure_at(data, "rows") if all(figure_at(r, k) == figure_at(declared, k) for k in SETTINGS)]
    if len(found) != 1:
        raise FiguresError(f"{len(found)} rows at the declared settings {declared} (expected 1)")
    return found[0]


def _stamp(data: dict) -> str:
    return f"{figure_at(data, 'date')}, commit {figure_at(data, 'commit')}"


def rows(data: dict) -> str:
    """docs/calibration_lcm_p12u.md's table and its count."""
    declared = _declared_row(data)
    lines = ["", "lcm building (docs/calibration.md, session p12u), test year 2019-04-01 to 2020-03-31, the p12c method frozen: both "
             "models' hyper-parameter grids stacked by blocked cross-validation on the training year with the settings of each row "
             "(the declared settings in bold: only they give the verdict; the other rows are for the record). NMBE / CV(RMSE), %, "
             "Guideline 14, out of sample. *wins*: the twin's |NMBE| and CV(RMSE) both no worse than the stacked baseline's.", "",
             *TABLE_HEAD]
    all_rows = figure_at(data, "rows")
    table, won = table_rows(all_rows, lambda r: r is declared)
    lines += table
    n = len(all_rows)
    n_day, n_month = sum(w["daily"] for w in won), sum(w["monthly"] for w in won)
    n_both = sum(w["daily"] and w["monthly"] for w in won)
    lines += ["", f"The twin matches or beats the stacked baseline in {n_day} of {n} settings on days, {n_month} of {n} "
              f"on months, {n_both} of {n} on both. Run: {float(figure_at(data, 'cpu_s')):.0f} s CPU, {float(figure_at(data, 'wall_s')):.0f} s wall "
              f"(held-out predictions cached by an earlier run are not counted), load average {one_minute(figure_at(data, 'load_after')):.1f} "
              f"at the end ({_stamp(data)}).", "", ""]
    return "\n".join(lines)


def _metrics_row(name: str, s: dict) -> str:
    return (f"| {name} | {signed(float(figure_at(s, 'nmbe_daily_pct')), '+.1f')} % | {float(figure_at(s, 'cv_daily_pct')):.1f} % | "
            f"{signed(float(figure_at(s, 'nmbe_monthly_pct')), '+.1f')} % | {float(figure_at(s, 'cv_monthly_pct')):.1f} % |")


def declared(data: dict) -> str:
    """The declared settings' figures and verdict (docs/calibration.md)."""
    r, run = _declared_row(data), figure_at(data, "declared_run")
    tw, b, ls = figure_at(r, "twin"), figure_at(r, "baseline"), figure_at(r, "baseline_least_squares")
    w_b, w_ls = wins(tw, b), wins(tw, ls)
    met = w_b["daily"] and w_b["monthly"]
    lines = [f"Declared settings (2-month blocks, 0.5 K grid, daily loss, stacking); test year {int(figure_at(run, 'test_days'))} periods, "
             f"{int(figure_at(tw, 'months'))} months; measured {float(figure_at(run, 'measured_test_kwh')):,.0f} kWh, twin "
             f"{float(figure_at(run, 'twin_test_kwh')):,.0f} kWh, stacked baseline {float(figure_at(run, 'baseline_test_kwh')):,.0f} kWh. "
             f"`T_sw` weights, °C: {weights_text(figure_at(r, 'switchover_weights'))} (mean {float(figure_at(r, 'switchover_mean_c')):.1f} °C); "
             f"`tau` weights, °C: {weights_text(figure_at(r, 'tau_weights'))} (mean {float(figure_at(r, 'tau_mean_c')):.1f} °C); "
             f"textbook fit `tau` {float(figure_at(run, 'baseline_least_squares_tau_c')):.1f} °C.", "",
             "| | daily NMBE | daily CV(RMSE) | monthly NMBE | monthly CV(RMSE) |", "|---|---|---|---|---|",
             _metrics_row("calibrated twin, `T_sw` grid stacked", tw), _metrics_row("change-point baseline, `tau` grid stacked (same rule)", b),
             _metrics_row("textbook change-point fit (`tau` by least squares), for reference", ls), "",
             f"Verdict at the declared settings: the twin {'matches or beats' if met else 'does not match or beat'} the stacked "
             f"baseline (days: {'wins' if w_b['daily'] else 'loses'}, months: {'wins' if w_b['monthly'] else 'loses'}); against the "
             f"textbook fit: days {'wins' if w_ls['daily'] else 'loses'}, months {'wins' if w_ls['monthly'] else 'loses'}. "
             f"Meters where the twin matches or beats the stacked baseline on both resolutions: {int(met)} of 1. "
             f"Training-year posteriors of the weighted candidates: smallest ESS {float(figure_at(r, 'ess_min')):.0f}; the fitted 90 % interval covers "
             f"{100 * float(figure_at(r, 'train_coverage_90')):.1f} % of the training periods. Run: {float(figure_at(data, 'cpu_s')):.0f} s CPU for all "
             f"settings, load average {one_minute(figure_at(data, 'load_after')):.1f} at the end (`{SCRIPT}`, {_stamp(data)})."]
    return "\n" + "\n".join(lines) + "\n"


BLOCKS: Blocks = {"calibration_lcm_p12u.rows": (FILE, rows, SCRIPT), "calibration_lcm_p12u.declared": (FILE, declared, SCRIPT)}
