"""docs/calibration_ampds2_p12.md's robustness table, rendered by scripts/update_figures.py from
benchmarks/figures/calibration_ampds2_p12.json (written by ``scripts/calibration_ampds2_robustness_p12.py``).

Checked: the renderer on hand-made figures (the method's wording, weights, metrics, wins computed from the
metrics, the defaults' row in bold, the counts, the stamp), a missing key or an unknown method is an error
naming the file and the script to re-run (nothing written), and the page quotes the block and agrees with the
repository's figures file, whose rows are the run's record docs/calibration_ampds2_p12.json.
"""

from __future__ import annotations

import json
import sys

import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import assert_refused, page_and_figures, without
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import calibration_ampds2_p12  # noqa: E402 - scripts/ is on the path from here

PAGE = REPO / "docs" / "calibration_ampds2_p12.md"
FIGURES = REPO / "benchmarks" / "figures" / "calibration_ampds2_p12.json"


def _metrics(nd, cd, nm, cm):
    return {"nmbe_daily_pct": nd, "cv_daily_pct": cd, "nmbe_monthly_pct": nm, "cv_monthly_pct": cm, "months": 12}


ROW = {"months_per_fold": 2, "grid_step_c": 0.5, "loss": "daily", "method": "stack", "switchover_weights": {"5.0": 0.75, "-1.0": 0.01, "7.5": 0.24},
       "switchover_mean_c": 5.1, "tau_weights": {"7.1": 1.0}, "tau_mean_c": 6.84, "ess_min": 29.4, "train_coverage_90": 0.97,
       "twin": _metrics(-5.3, 50.0, -5.3, 21.6), "baseline": _metrics(-9.1, 69.0, -9.1, 23.8)}  # fmt: skip
DATA = {"date": "2026-12-03", "commit": "abc1234", "method": "stack", "cpu_s": 34.4, "wall_s": 62.6, "load_after": [10.14, 9, 8],
        "rows": [{**ROW, "months_per_fold": 1}, ROW,
                 {**ROW, "loss": "monthly", "twin": _metrics(-5.9, 50.8, -5.9, 22.7), "baseline": _metrics(-6.6, 63.3, -6.6, 22.2)}]}  # fmt: skip


def _page(tmp_path, data: dict):
    return page_and_figures(tmp_path, data, ["calibration_ampds2_p12"], calibration_ampds2_p12.FILE, inline=False, around=("before\n", "\nafter"))


def test_the_robustness_table(tmp_path):
    page, folder = _page(tmp_path, DATA)
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert "method `stack`: both models' hyper-parameter grids stacked (non-negative weights summing to one, fitted to the held-out loss)" in text
    assert "| 1 | 0.5 | daily | −1: 0.01, 5: 0.75, 7.5: 0.24 | 6.8 | 29 | −5.3 / 50.0 | −9.1 / 69.0 | −5.3 / 21.6 | −9.1 / 23.8 | wins | wins |\n" in text
    assert ("| **2** | **0.5** | **daily** | **−1: 0.01, 5: 0.75, 7.5: 0.24** | **6.8** | **29** | **−5.3 / 50.0** | **−9.1 / 69.0** | "
            "**−5.3 / 21.6** | **−9.1 / 23.8** | **wins** | **wins** |\n") in text
    assert "| 2 | 0.5 | monthly | −1: 0.01, 5: 0.75, 7.5: 0.24 | 6.8 | 29 | −5.9 / 50.8 | −6.6 / 63.3 | −5.9 / 22.7 | −6.6 / 22.2 | wins | loses |\n" in text
    assert ("The twin matches or beats the baseline in 3 of 3 settings on days and 2 of 3 on months. Run: 34 s CPU, 63 s wall (held-out "
            "predictions cached in a previous run are not counted), load average 10.1 at the end (2026-12-03, commit abc1234).") in text
    assert "\nold\n" not in text


def test_the_select_method_is_named(tmp_path):
    page, folder = _page(tmp_path, {**DATA, "method": "select"})
    uf.update([page], figures_dir=folder)
    assert "method `select`: both models' hyper-parameter grids the single candidate of the smallest held-out loss" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize(("data", "message"), [
    (without(DATA, ("rows",)), "no 'rows' in the figures"),
    (without(DATA, ("cpu_s",)), "no 'cpu_s' in the figures"),
    (without(DATA, ("rows", 1, "tau_mean_c")), "no 'tau_mean_c' in the figures"),
    ({**DATA, "method": "median"}, "unknown method 'median' (known: stack, select)"),
])  # fmt: skip
def test_bad_figures_name_the_file_and_the_script(tmp_path, data, message):
    page, folder = _page(tmp_path, data)
    assert_refused(uf, page, folder, "calibration_ampds2_p12.json", "calibration_ampds2_p12", message, "python scripts/calibration_ampds2_robustness_p12.py")


def test_the_page_quotes_the_table_and_agrees_with_the_figures_file():
    data = json.loads(FIGURES.read_text(encoding="utf-8"))
    assert data["rows"] == json.loads((REPO / "docs" / "calibration_ampds2_p12.json").read_text(encoding="utf-8"))
    text = PAGE.read_text(encoding="utf-8")
    assert "<!-- figures:calibration_ampds2_p12 -->" in text and "written by scripts/" not in text
    changed, _ = uf.update([PAGE], check=True)
    assert changed == [], "docs/calibration_ampds2_p12.md disagrees with benchmarks/figures/calibration_ampds2_p12.json: run python scripts/update_figures.py"
