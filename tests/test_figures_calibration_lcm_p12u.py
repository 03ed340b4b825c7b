"""docs/calibration_lcm_p12u.md's table and docs/calibration.md's declared-settings block of the lcm score,
rendered by scripts/update_figures.py from benchmarks/figures/calibration_lcm_p12u.json (written by
``scripts/calibration_lcm_p12u.py``).

Checked: both renderings on hand-made figures (weights, metrics, wins computed from the metrics, the declared row
in bold, the counts, the stamp), a missing key is an error naming the key, the file and the script to re-run
(nothing written), figures with no row at the declared settings are an error, and both pages quote their block
and agree with the repository's figures file, whose rows are the run's record docs/calibration_lcm_p12u.json.
"""

from __future__ import annotations

import copy
import json
import re
import sys

import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import assert_refused, page_and_figures, without
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import calibration_lcm_p12u  # noqa: E402 - scripts/ is on the path from here

FIGURES = REPO / "benchmarks" / "figures" / "calibration_lcm_p12u.json"
PAGES = (REPO / "docs" / "calibration_lcm_p12u.md", REPO / "docs" / "calibration.md")


def _metrics(nd, cd, nm, cm):
    return {"nmbe_daily_pct": nd, "cv_daily_pct": cd, "nmbe_monthly_pct": nm, "cv_monthly_pct": cm, "months": 12}


ROW = {"months_per_fold": 2, "grid_step_c": 0.5, "loss": "daily", "switchover_weights": {"-2.0": 0.018, "12.0": 0.82, "13.0": 0.004, "12.5": 0.158},
       "switchover_mean_c": 11.42, "tau_weights": {"16.1": 0.92, "9.1": 0.08}, "tau_mean_c": 15.66, "ess_min": 1.0, "train_coverage_90": 0.9174,
       "twin": _metrics(-14.97, 31.77, -14.97, 18.74), "baseline": _metrics(-15.11, 33.46, -15.11, 19.06),
       "baseline_least_squares": _metrics(-15.65, 34.36, -15.65, 20.02)}  # fmt: skip
DATA = {"date": "2026-12-03", "commit": "abc1234", "cpu_s": 975.2, "wall_s": 1789.4, "load_after": [5.52, 5, 5],
        "declared": {"months_per_fold": 2, "grid_step_c": 0.5, "loss": "daily"},
        "declared_run": {"test_days": 364, "measured_test_kwh": 17792.2, "twin_test_kwh": 20455.0, "baseline_test_kwh": 20480.4,
                         "baseline_least_squares_tau_c": 16.04},
        "rows": [ROW, {**ROW, "loss": "monthly", "twin": _metrics(-17.1, 33.2, -17.1, 21.6), "baseline": _metrics(-16.3, 34.3, -16.3, 20.7)}]}  # fmt: skip


def _page(tmp_path, data: dict, view: str):
    return page_and_figures(tmp_path, data, [f"calibration_lcm_p12u.{view}"], calibration_lcm_p12u.FILE, inline=False, around=("before\n", "\nafter"))


def _rendered(tmp_path, data: dict, view: str) -> str:
    """The page's text once scripts/update_figures.py has filled its block ``view`` from ``data``."""
    page, folder = _page(tmp_path, data, view)
    uf.update([page], figures_dir=folder)
    return page.read_text(encoding="utf-8")


def test_the_table_of_settings(tmp_path):
    text = _rendered(tmp_path, DATA, "rows")
    assert ("| **2** | **0.5** | **daily** | **−2: 0.02, 12: 0.82, 12.5: 0.16** | **15.7** | **1** | **−15.0 / 31.8** | **−15.1 / 33.5** | "
            "**−15.0 / 18.7** | **−15.1 / 19.1** | **wins** | **wins** |\n") in text
    assert "| 2 | 0.5 | monthly | −2: 0.02, 12: 0.82, 12.5: 0.16 | 15.7 | 1 | −17.1 / 33.2 | −16.3 / 34.3 | −17.1 / 21.6 | −16.3 / 20.7 | loses | loses |\n" in text
    assert ("The twin matches or beats the stacked baseline in 1 of 2 settings on days, 1 of 2 on months, 1 of 2 on both. Run: 975 s CPU, "
            "1789 s wall (held-out predictions cached by an earlier run are not counted), load average 5.5 at the end (2026-12-03, commit abc1234).") in text
    assert "\nold\n" not in text


def test_the_declared_settings_block(tmp_path):
    text = _rendered(tmp_path, DATA, "declared")
    assert ("test year 364 periods, 12 months; measured 17,792 kWh, twin 20,455 kWh, stacked baseline 20,480 kWh. `T_sw` weights, °C: "
            "−2: 0.02, 12: 0.82, 12.5: 0.16 (mean 11.4 °C); `tau` weights, °C: 9.1: 0.08, 16.1: 0.92 (mean 15.7 °C); textbook fit `tau` 16.0 °C.") in text
    assert "| textbook change-point fit (`tau` by least squares), for reference | −15.7 % | 34.4 % | −15.7 % | 20.0 % |\n" in text
    assert "the twin matches or beats the stacked baseline (days: wins, months: wins); against the textbook fit: days wins, months wins." in text
    assert "smallest ESS 1; the fitted 90 % interval covers 91.7 % of the training periods. Run: 975 s CPU" in text
    worse = copy.deepcopy(DATA)
    worse["rows"][0]["twin"]["cv_monthly_pct"] = 19.2
    (tmp_path / "b").mkdir()
    assert "does not match or beat the stacked baseline (days: wins, months: loses)" in _rendered(tmp_path / "b", worse, "declared")


@pytest.mark.parametrize(("view", "drop", "message"), [
    ("rows", ("rows",), "no 'rows' in the figures"),
    ("rows", ("wall_s",), "no 'wall_s' in the figures"),
    ("declared", ("declared_run", "test_days"), "no 'test_days' in the figures"),
    ("declared", ("rows", 0, "ess_min"), "no 'ess_min' in the figures"),
])  # fmt: skip
def test_a_missing_figure_names_it_the_file_and_the_script(tmp_path, view, drop, message):
    page, folder = _page(tmp_path, without(DATA, drop), view)
    assert_refused(uf, page, folder, calibration_lcm_p12u.FILE, f"calibration_lcm_p12u.{view}", message, "python scripts/calibration_lcm_p12u.py")


def test_no_row_at_the_declared_settings_is_an_error(tmp_path):
    page, folder = _page(tmp_path, {**DATA, "declared": {**DATA["declared"], "grid_step_c": 1.0}}, "declared")
    with pytest.raises(uf.FiguresError, match=re.escape("0 rows at the declared settings")):
        uf.update([page], figures_dir=folder)


def test_the_pages_quote_the_blocks_and_agree_with_the_figures_file():
    data = json.loads(FIGURES.read_text(encoding="utf-8"))
    assert data["rows"] == json.loads((REPO / "docs" / "calibration_lcm_p12u.json").read_text(encoding="utf-8"))
    assert "<!-- figures:calibration_lcm_p12u.rows -->" in PAGES[0].read_text(encoding="utf-8")
    assert "<!-- figures:calibration_lcm_p12u.declared -->" in PAGES[1].read_text(encoding="utf-8")
    assert "written:calibration_lcm_p12u" not in PAGES[1].read_text(encoding="utf-8")
    changed, _ = uf.update(PAGES, check=True)
    assert changed == [], "a page disagrees with benchmarks/figures/calibration_lcm_p12u.json: run python scripts/update_figures.py"
