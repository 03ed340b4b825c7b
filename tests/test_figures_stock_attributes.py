"""docs/stock_attributes.md's measured tables, rendered by scripts/update_figures.py from
benchmarks/figures/stock_attributes.json (written by ``scripts/stock_attributes_tables.py`` with the CSV files of
docs/stock_attributes/).

Checked: the renderer on hand-made figures, a missing key is an error naming the key, the file and the script to
re-run (nothing written), a row that does not fit its columns is an error, the page quotes the block and agrees
with the repository's figures file, and the figures file's tables are those of the committed CSV files.
(tests/test_stock_attributes_stgilles.py re-runs the script and compares both with a fresh run.)
"""

from __future__ import annotations

import json
import re
import sys

import pandas as pd
import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import assert_refused, page_and_figures, without
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import stock_attributes  # noqa: E402 - scripts/ is on the path from here

PAGE = REPO / "docs" / "stock_attributes.md"
FIGURES = REPO / "benchmarks" / "figures" / "stock_attributes.json"
CSV = REPO / "docs" / "stock_attributes"


def _t(columns: list[str], *rows: list) -> dict:
    return {"columns": columns, "data": [list(r) for r in rows]}


def _case(buildings: int, floor_area_m2: float, brussels: bool = False) -> dict:
    tables = {"shares": _t(["attribute", "data", "default"], ["use", 0.0159, 0.9841]),
              "rules_top": _t(["parameter", "rule", "buildings", "floor_area_m2"], ["use", "tag:building=church", 12, 34567.0]),
              "storey_cap": _t(["what", "value"], ["of which without evidence", 7], ["total floor area now, m2", 1322170.0], ["a share", 0.25])}
    if brussels:
        tables |= {"tags_by_key": _t(["via", "key", "parameter", "buildings"], ["building's own tag", "building", "use", 4321]),
                   "use_by_footprint": _t(["footprint", "residential", "total", "residential_share"], ["0-30 m2", 2, 4, 0.5])}
    return {"buildings": buildings, "floor_area_m2": floor_area_m2, "tables": tables}


DATA = {"date": "2026-12-06 13:05 UTC", "commit": "abc1234", "percent_columns": ["data", "default"],
        "cases": {"stgilles": _case(3991, 1322170.22), "brussels": _case(51060, 43210987.6, brussels=True)}}  # fmt: skip


def _page(tmp_path, data: dict):
    return page_and_figures(tmp_path, data, ["stock_attributes.measured"], stock_attributes.FILE, inline=False)


def test_the_measured_sections(tmp_path):
    page, folder = _page(tmp_path, DATA)
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!-- figures:stock_attributes.measured -->\n\nMeasured by `python scripts/stock_attributes_tables.py`, "
                           "2026-12-06 13:05 UTC, commit abc1234.\n\n### Saint-Gilles (default scenario inputs)\n\n"
                           "3,991 buildings, 1,322.2 thousand m2 of floor area.\n\n")
    assert ("Share of the floor area by source of each attribute (`docs/stock_attributes/stgilles_shares.csv`):\n\n"
            "| attribute | data | default |\n|---|---|---|\n| use | 1.6 % | 98.4 % |\n") in text
    assert "| use | tag:building=church | 12 | 34,567 |\n" in text
    assert "| of which without evidence | 7 |\n| total floor area now, m2 | 1,322,170 |\n| a share | 0.250 |\n" in text
    assert "### Brussels-Capital Region, 2013 OSM extract\n\n51,060 buildings, 43,211.0 thousand m2 of floor area." in text
    assert "| building's own tag | building | use | 4,321 |" in text
    assert "| 0-30 m2 | 2 | 4 | 0.500 |\n\n<!-- /figures:stock_attributes.measured -->\n" in text
    assert text.index("Saint-Gilles") < text.index("Brussels-Capital") < text.index("OSM tags used") < text.index("by footprint")


@pytest.mark.parametrize(("drop", "message"), [
    (("cases", "brussels"), "no 'cases.brussels' in the figures"),
    (("cases", "stgilles", "tables", "storey_cap"), "no 'storey_cap' in the figures"),
    (("cases", "brussels", "tables", "use_by_footprint"), "no 'use_by_footprint' in the figures"),
    (("percent_columns",), "no 'percent_columns' in the figures"),
])  # fmt: skip
def test_a_missing_figure_names_it_the_file_and_the_script(tmp_path, drop, message):
    page, folder = _page(tmp_path, without(DATA, drop))
    assert_refused(uf, page, folder, "stock_attributes.json", "stock_attributes.measured", message, "python scripts/stock_attributes_tables.py")


def test_a_row_that_does_not_fit_its_columns_is_an_error(tmp_path):
    data = json.loads(json.dumps(DATA))
    data["cases"]["stgilles"]["tables"]["shares"]["data"][0].append(0.5)
    page, folder = _page(tmp_path, data)
    with pytest.raises(uf.FiguresError, match=re.escape("a row of 4 cells under 3 columns (attribute, data, default)")):
        uf.update([page], figures_dir=folder)


def test_the_page_quotes_the_tables_and_agrees_with_the_figures_file():
    text = PAGE.read_text(encoding="utf-8")
    assert "<!-- figures:stock_attributes.measured -->" in text
    assert "BEGIN measured" not in text, "the tables are no longer written into the page by the script itself"
    changed, _ = uf.update([PAGE], check=True)
    assert changed == [], "docs/stock_attributes.md disagrees with benchmarks/figures/stock_attributes.json: run python scripts/update_figures.py"


def _frame(tab: dict) -> pd.DataFrame:
    return pd.DataFrame(tab["data"], columns=tab["columns"])


@pytest.mark.parametrize("case", ["stgilles", "brussels"])
def test_the_figures_file_holds_the_committed_csv_tables(case):
    """The page's tables (from the JSON) and the CSV files beside the page come from the same run."""
    t = json.loads(FIGURES.read_text(encoding="utf-8"))["cases"][case]["tables"]
    shares = pd.read_csv(CSV / f"{case}_shares.csv").drop(columns=["floor_area_m2", "buildings"])
    pd.testing.assert_frame_equal(_frame(t["shares"]), shares, check_dtype=False)
    pd.testing.assert_frame_equal(_frame(t["storey_cap"]), pd.read_csv(CSV / f"{case}_storey_cap.csv"), check_dtype=False)
    rules = pd.read_csv(CSV / f"{case}_rules.csv")
    top = rules.sort_values(["parameter", "buildings"], ascending=[True, False]).groupby("parameter").head(8).reset_index(drop=True)
    pd.testing.assert_frame_equal(_frame(t["rules_top"]), top, check_dtype=False)
    if case == "brussels":
        pd.testing.assert_frame_equal(_frame(t["use_by_footprint"]), pd.read_csv(CSV / "brussels_use_by_footprint.csv"), check_dtype=False)
        tags = pd.read_csv(CSV / "brussels_tags_used.csv")
        by_key = tags.groupby(["via", "key", "parameter"], as_index=False)["buildings"].sum()
        got = _frame(t["tags_by_key"]).sort_values(["via", "key", "parameter"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, by_key.sort_values(["via", "key", "parameter"]).reset_index(drop=True), check_dtype=False)
