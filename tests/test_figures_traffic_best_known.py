"""Static assignment against the TNTP best-known objectives in README.md and docs/traffic.md, rendered by
scripts/update_figures.py from benchmarks/figures/traffic_best_known.json (benchmarks/traffic_best_known.py),
not typed.

Checked: the views on hand-made figures, a missing key is an error naming the key, the file and the script to
re-run (nothing written), and the pages quote the views.
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
from figure_renderers import traffic_best_known as tbk  # noqa: E402 - scripts/ is on the path from here

DATA = {"date": "2026-12-06 10:05 UTC", "commit": "abc1234", "load_before": [19.2, 1, 1], "load_after": [18.64, 1, 1], "cpus": 2,
        "cases": {"SiouxFalls": {"target_gap": 1e-10, "relative_gap": 9.7303e-11, "iterations": 59, "beckmann": 4231335.287107352,
                                 "best_known": 4231335.287, "rel_diff_best_known": 2.537e-11},
                  "ChicagoSketch": {"target_gap": 1e-8, "relative_gap": 8.6e-9, "iterations": 16, "beckmann": 17313018.73876,
                                    "best_known": 17313018.7387, "rel_diff_best_known": 3.5e-12}}}  # fmt: skip
STAMP = "measured 2026-12-06 10:05 UTC at commit abc1234 by `python benchmarks/traffic_best_known.py`, load 18.6-19.2"


def _page(tmp_path, data: dict, names: list[str]):
    return page_and_figures(tmp_path, data, names, "traffic_best_known.json", inline=True, around=("| ", " |"))


def test_the_readme_row_and_the_table_cells(tmp_path):
    page, folder = _page(tmp_path, DATA, ["traffic_best_known.readme", "traffic_best_known.SiouxFalls", "traffic_best_known.ChicagoSketch"])
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert f"relative difference 2.5e-11 / 3.5e-12 (Algorithm B to gap 1e-10 / 1e-08; {STAMP})" in text
    assert f"gap 9.7e-11 in 59 iterations; Beckmann 4,231,335.287107 vs best-known 4,231,335.287 (2.5e-11 relative; {STAMP})" in text
    assert f"gap 8.6e-09 in 16 iterations; Beckmann 17,313,018.73876 vs best-known 17,313,018.7387 (3.5e-12 relative; {STAMP})" in text
    assert uf.update([page], figures_dir=folder, check=True)[0] == []


def test_one_load_figure_when_the_load_did_not_change():
    data = copy.deepcopy(DATA)
    data["load_after"] = [19.23, 1, 1]
    assert tbk.readme(data).endswith("`python benchmarks/traffic_best_known.py`, load 19.2)")


def test_the_networks_keep_their_order_in_the_readme():
    data = copy.deepcopy(DATA)
    data["cases"]["ChicagoSketch"]["rel_diff_best_known"] = 4.0e-9
    assert tbk.readme(data).startswith("relative difference 2.5e-11 / 4.0e-09 (")


@pytest.mark.parametrize(("block", "drop", "message"), [
    ("traffic_best_known.readme", ("cases", "ChicagoSketch"), "no 'cases.ChicagoSketch' in the figures"),
    ("traffic_best_known.SiouxFalls", ("cases", "SiouxFalls", "iterations"), "no 'iterations' in the figures"),
    ("traffic_best_known.ChicagoSketch", ("commit",), "no 'commit' in the figures"),
])  # fmt: skip
def test_a_missing_key_is_an_error_naming_it_the_file_and_the_script(tmp_path, block, drop, message):
    data = without(DATA, drop)
    page, folder = _page(tmp_path, data, [block])
    assert_refused(uf, page, folder, "traffic_best_known.json", block, message, "python benchmarks/traffic_best_known.py")


@pytest.mark.parametrize(("page", "prefix"), [("README.md", "traffic_best_known.readme"), ("docs/traffic.md", "traffic_best_known.")])
def test_the_pages_quote_the_views(page, prefix):
    text = (REPO / page).read_text(encoding="utf-8")
    names = [n for n in tbk.BLOCKS if n.startswith(prefix) and (page == "README.md" or not n.endswith("readme"))]
    assert names and all(f"<!-- figures:{n} -->" in text for n in names)
