"""docs/energy_stock_iso52016.md's TABULA ratios through the finer model, rendered by scripts/update_figures.py
from benchmarks/figures/energy_validation.json (scripts/energy_validation_figures.py), not typed.

Checked: each view on hand-made figures (the wording the figures decide), a missing key is an error naming the
key, the file and the script to re-run (nothing written), and the page quotes every view.
"""

from __future__ import annotations

import copy
import sys

import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import assert_refused, page_and_figures, without
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import energy_iso52016_notes as notes  # noqa: E402 - scripts/ is on the path from here

VALIDATION = {"date": "2026-12-04 18:48 UTC", "tabula": {"ratio_min": 0.8012, "ratio_max": 1.1088},
              "tabula_iso52016": {"n_buildings": 36,
                                  "operative": {"ratio_min": 0.76499, "ratio_max": 1.06663, "ratio_median": 0.95694, "within_25_percent": 36},
                                  "air": {"ratio_min": 0.72718, "ratio_max": 0.94949, "ratio_median": 0.84748, "within_25_percent": 35}}}  # fmt: skip


def test_the_views_render_the_ratios(tmp_path):
    page, folder = page_and_figures(tmp_path, VALIDATION, list(notes.BLOCKS), "energy_validation.json", inline=True)
    uf.update([page], figures_dir=folder)
    assert page.read_text(encoding="utf-8") == (
        "<!-- figures:energy_validation.tabula_iso52016_air -->0.727-0.949 (median 0.847)<!-- /figures:energy_validation.tabula_iso52016_air -->\n"
        "<!-- figures:energy_validation.tabula_iso52016_operative -->0.765-1.067 x TABULA's `q_h_nd` (median 0.957): every building within "
        "25 % (`python scripts/energy_validation_figures.py`, 2026-12-04 18:48 UTC)<!-- /figures:energy_validation.tabula_iso52016_operative -->\n"
        "<!-- figures:energy_validation.tabula_range -->0.80-1.11<!-- /figures:energy_validation.tabula_range -->\n")


def test_a_building_outside_25_percent_is_counted():
    data = copy.deepcopy(VALIDATION)
    data["tabula_iso52016"]["operative"]["within_25_percent"] = 34
    assert "(median 0.957): 34 of 36 buildings within 25 %" in notes.operative(data)


@pytest.mark.parametrize(("block", "drop", "message"), [
    ("energy_validation.tabula_iso52016_air", ("tabula_iso52016", "air"), "no 'tabula_iso52016.air' in the figures"),
    ("energy_validation.tabula_iso52016_operative", ("tabula_iso52016", "n_buildings"), "no 'tabula_iso52016.n_buildings' in the figures"),
    ("energy_validation.tabula_range", ("tabula", "ratio_max"), "no 'tabula.ratio_max' in the figures"),
])  # fmt: skip
def test_a_missing_key_is_an_error_naming_it_the_file_and_the_script(tmp_path, block, drop, message):
    page, folder = page_and_figures(tmp_path, without(VALIDATION, drop), [block], "energy_validation.json", inline=True)
    assert_refused(uf, page, folder, "energy_validation.json", block, message, "python scripts/energy_validation_figures.py")


def test_the_page_quotes_every_view():
    text = (REPO / "docs" / "energy_stock_iso52016.md").read_text(encoding="utf-8")
    for name in notes.BLOCKS:
        assert f"<!-- figures:{name} -->" in text, f"docs/energy_stock_iso52016.md does not quote {name}"
