"""docs/soil_3d.md's validation tables, rendered by scripts/update_figures.py from
benchmarks/figures/soil_3d_validation.json (written by ``scripts/soil_3d_table.py``).

Checked: the renderer on hand-made figures (rows, observed orders, the stamp line), a missing key is an error
naming the key, the file and the script to re-run (nothing written), refinement grids that do not grow are an
error, and the page quotes the block and agrees with the repository's figures file.
"""

from __future__ import annotations

import json
import math
import re
import sys

import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import assert_refused, page_and_figures, without
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import soil_3d_validation  # noqa: E402 - scripts/ is on the path from here

PAGE = REPO / "docs" / "soil_3d.md"
FIGURES = REPO / "benchmarks" / "figures" / "soil_3d_validation.json"

DATA = {"date": "2026-12-06 13:12 UTC", "commit": "abc1234", "load_before": [5.94, 7.6, 7.5], "load_after": [6.31, 7.6, 7.5], "cpus": 2,
        "t0_s": 5.0e4, "hr_sample_m": -15.24, "hr_mild_m": -4.0,
        "sample": [{"dim": 2, "n": 8, "t_s": 7.5e4, "rms_h_m": 0.14743, "point_errors_m": [-0.0551, 0.0449, 0.2113], "balance_error_rel": 6.6e-16},
                   {"dim": 3, "n": 6, "t_s": 1.0e5, "rms_h_m": 0.2375, "point_errors_m": [-0.173, 0.039, 0.2], "balance_error_rel": 2.9e-15}],
        "refinement": [{"label": "2-D steady", "dim": 2, "steady": True, "wall_s": 0.42,
                        "grids": [{"n": 8, "rms_h_m": 1.6e-2, "balance_error_rel": 2.6e-16}, {"n": 16, "rms_h_m": 4.0e-3, "balance_error_rel": 2.0e-16}]}],
        "reference": {"max_head_difference_m": 1.2e-11, "max_theta_difference": 7.2e-13, "balance_error_rel": 1.8e-15}}  # fmt: skip


def _page(tmp_path, data: dict):
    return page_and_figures(tmp_path, data, ["soil_3d_validation"], soil_3d_validation.FILE, inline=False, around=("before\n", "\nafter"))


def test_the_validation_tables(tmp_path):
    page, folder = _page(tmp_path, DATA)
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert "Tracy's sample problem (h_r = −15.24 m, heads from −15.24 to 0 m), runs from the exact solution at\nt = 5e4 s;" in text
    assert "| Tracy 2-D sample | 8 x 8 | 7.5e+04 | 0.1474 | −0.055, +0.045, +0.211 | 6.6e-16 |\n" in text
    assert "| Tracy 3-D sample | 6 x 6 x 6 | 1e+05 | 0.2375 | −0.173, +0.039, +0.200 | 2.9e-15 |\n" in text
    assert "Refinement (same solution with h_r = −4 m):" in text
    assert "| 2-D steady (h_r = −4 m) | 8 | 1.600e-02 |  | 2.6e-16 |  |\n" in text
    assert "| 2-D steady (h_r = −4 m) | 16 | 4.000e-03 | 2.000 | 2.0e-16 | 0.4 (all grids) |\n" in text  # log(4) / log(2)
    assert "| kernel vs NumPy reference, 3 x 2 x 4 cells, two soils, 6 steps: max head difference (m) | 1.2e-11 |\n" in text
    assert "| same: max water-content difference | 7.2e-13 |\n| same: balance error | 1.8e-15 |\n" in text
    assert ("Measured by `TWIN_NUMBA_THREADS=1 python scripts/soil_3d_table.py` on 2026-12-06 13:12 UTC (commit abc1234, load 5.9-6.3 on 2 cores)."
            "\n\n<!-- /figures:soil_3d_validation -->\nafter\n") in text
    assert "old" not in text


def test_observed_orders_are_those_of_the_tests():
    from tests.test_richards3d_tracy import observed_orders

    rows = [(6, 3.31e-2, 0.0), (12, 9.556e-3, 0.0), (24, 2.517e-3, 0.0)]
    grids = [{"n": n, "rms_h_m": e} for n, e, _ in rows]
    got = soil_3d_validation.observed_orders(grids)
    assert got[0] is None
    assert got[1:] == pytest.approx(observed_orders(rows), rel=1e-12)
    assert not math.isclose(got[1], got[2])


@pytest.mark.parametrize(("drop", "message"), [
    (("reference",), "no 'reference' in the figures"),
    (("sample", 0, "rms_h_m"), "no 'rms_h_m' in the figures"),
    (("refinement", 0, "wall_s"), "no 'wall_s' in the figures"),
    (("load_after",), "no 'load_after' in the figures"),
])  # fmt: skip
def test_a_missing_figure_names_it_the_file_and_the_script(tmp_path, drop, message):
    page, folder = _page(tmp_path, without(DATA, drop))
    assert_refused(uf, page, folder, "soil_3d_validation.json", "soil_3d_validation", message, "TWIN_NUMBA_THREADS=1 python scripts/soil_3d_table.py")


def test_refinement_grids_that_do_not_grow_are_an_error(tmp_path):
    bad = json.loads(json.dumps(DATA))
    bad["refinement"][0]["grids"][1]["n"] = 8
    page, folder = _page(tmp_path, bad)
    with pytest.raises(uf.FiguresError, match=re.escape("refinement grids must grow with positive errors (n 8 -> 8")):
        uf.update([page], figures_dir=folder)
    assert "old" in page.read_text(encoding="utf-8")


def test_the_page_quotes_the_tables_and_agrees_with_the_figures_file():
    text = PAGE.read_text(encoding="utf-8")
    assert "<!-- figures:soil_3d_validation -->" in text
    assert "table:begin" not in text, "the tables are no longer written by scripts/soil_3d_table.py itself"
    data = json.loads(FIGURES.read_text(encoding="utf-8"))
    assert len(data["sample"]) == 16 and [s["label"] for s in data["refinement"]] == ["2-D steady", "2-D transient, dt ~ h^2", "3-D steady"]
    changed, _ = uf.update([PAGE], check=True)
    assert changed == [], "docs/soil_3d.md disagrees with benchmarks/figures/soil_3d_validation.json: run python scripts/update_figures.py docs/soil_3d.md"
