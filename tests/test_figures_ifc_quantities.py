"""AC20-FZK-Haus against its quantity sets in docs/ingest_ifc.md and README.md, rendered by scripts/update_figures.py
from benchmarks/figures/ingest_ifc_quantities.json (benchmarks/ifc_quantities.py), not typed.

Checked: the three views on hand-made figures, a missing key is an error naming the key, the file and the script to
re-run (nothing written), and the pages quote the views.
"""

from __future__ import annotations

import copy
import sys

import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import assert_refused, page_and_figures
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import ingest_ifc_quantities as q  # noqa: E402 - scripts/ is on the path from here

DATA = {"date": "2026-12-06 10:09 UTC", "commit": "abc1234",
        "walls": [{"name": "Wand-Ext-ERDG-1", "net_side_area_m2": 18.76, "twin_area_m2": 19.36, "deviation": 19.36 / 18.76 - 1},
                  {"name": "Wand-Ext-OG-2", "net_side_area_m2": 6.84, "twin_area_m2": 6.84, "deviation": 1e-15}],
        "walls_total": {"net_side_area_m2": 25.6, "twin_area_m2": 26.2},
        "openings": [{"ifc_class": "IfcWindow", "deviation": -0.0012}, {"ifc_class": "IfcDoor", "deviation": 0.0004}],
        "windows_total": {"area_m2": 23.1702, "twin_area_m2": 23.1683}}  # fmt: skip


def _page(tmp_path, data: dict, names: list[str]):
    return page_and_figures(tmp_path, data, names, "ingest_ifc_quantities.json", inline=lambda n: not n.endswith("walls"), indent="  ")


def test_the_three_views(tmp_path):
    page, folder = _page(tmp_path, DATA, ["ingest_ifc_quantities.walls", "ingest_ifc_quantities.openings", "ingest_ifc_quantities.readme"])
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert "  | Wand-Ext-ERDG-1 | 18.76 | 19.36 | +3.2 % |\n  | Wand-Ext-OG-2 | 6.84 | 6.84 | 0.0 % |\n  | total | 25.60 | 26.20 | +2.3 % |" in text
    assert "(`python benchmarks/ifc_quantities.py`, 2026-12-06 10:09 UTC, commit abc1234)\n  <!-- /figures:ingest_ifc_quantities.walls -->" in text
    assert "largest deviation 0.12 %; total window area 23.17 m2 both" in text
    assert ("exterior walls within 3.2 % per wall (2.3 % total), windows and doors 0.12 % (measured 2026-12-06 10:09 UTC at commit "
            "abc1234 by `python benchmarks/ifc_quantities.py`)") in text
    assert uf.update([page], figures_dir=folder, check=True)[0] == []


def test_window_totals_that_differ_are_both_given():
    data = copy.deepcopy(DATA)
    data["windows_total"]["twin_area_m2"] = 23.4
    assert q.openings(data).endswith("total window area 23.17 m2 in the file, 23.40 m2 ours")


@pytest.mark.parametrize(("block", "drop", "message"), [
    ("ingest_ifc_quantities.walls", ("walls_total",), "no 'walls_total' in the figures"),
    ("ingest_ifc_quantities.openings", ("openings",), "no 'openings' in the figures"),
    ("ingest_ifc_quantities.readme", ("commit",), "no 'commit' in the figures"),
])  # fmt: skip
def test_a_missing_key_is_an_error_naming_it_the_file_and_the_script(tmp_path, block, drop, message):
    data = copy.deepcopy(DATA)
    del data[drop[0]]
    page, folder = _page(tmp_path, data, [block])
    assert_refused(uf, page, folder, "ingest_ifc_quantities.json", block, message, "python benchmarks/ifc_quantities.py")


@pytest.mark.parametrize(("page", "names"), [("docs/ingest_ifc.md", ("walls", "openings")), ("README.md", ("readme",))])
def test_the_pages_quote_the_views(page, names):
    text = (REPO / page).read_text(encoding="utf-8")
    assert all(f"<!-- figures:ingest_ifc_quantities.{n} -->" in text for n in names)
