"""The ingest pages' measured figures (docs/ingest_gis.md, docs/ingest_ifc.md, README.md), rendered by
scripts/update_figures.py from benchmarks/figures/ingest_gis.json (benchmarks/bench_ingest_gis.py) and
ingest_ifc.json (benchmarks/bench_ingest_ifc.py), not typed.

Checked: each ingest renderer on hand-made figures, a missing key is an error naming the key, the file and the
benchmark to re-run (nothing written), and the pages quote every ingest view.
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
from figure_renderers import ingest  # noqa: E402 - scripts/ is on the path from here

STAMP = {"date": "2026-12-06 09:48 UTC", "commit": "abc1234", "load_before": [15.44, 12.3, 9.9], "load_after": [17.23, 13.4, 10.5], "cpus": 2}

GIS = {
    "case": "test",
    "cases": {
        "generated_city": {**STAMP, "buildings": 200000, "rounds": 3, "median_wall_s": 14.4391, "buildings_per_s": 13851.25,
                           "median_cpu_s": 3.4018, "buildings_per_cpu_s": 58792.2},
        "brussels_pbf": {**STAMP, "date": "2026-12-06 09:49 UTC", "load_before": [17.2, 1, 1], "load_after": [19.3, 1, 1], "buildings": 51060,
                         "links": 79320, "party_walls": 43802, "share_with_party_wall": 0.8041, "rounds": 2, "median_wall_s": 20.44, "buildings_per_s": 2498.0, "median_cpu_s": 4.99,
                         "buildings_per_cpu_s": 10232.5},
    },
}  # fmt: skip


IFC = {
    "case": "test",
    "cases": {
        "read_ifc": {**STAMP, "load_before": [19.41, 1, 1], "load_after": [20.28, 1, 1], "rounds": 3, "median_wall_s": 26.5668,
                     "cpu_s_this_process": 0.6159, "last_round_stages_s": {"child_process": 24.4007, "analysis": 1.5604, "total": 26.57}},
        "iterator": {**STAMP, "load_before": [20.28, 1, 1], "load_after": [21.41, 1, 1], "rounds": 3, "median_wall_s": 20.3855,
                     "cpu_s_this_process": 3.1799},
    },
}  # fmt: skip


def _page(tmp_path, data: dict, names: list[str], *, inline: bool = False, file: str = "ingest_gis.json"):
    return page_and_figures(tmp_path, data, names, file, inline=inline)


def test_the_gis_table_renders_each_case_with_its_load(tmp_path):
    page, folder = _page(tmp_path, GIS, ["ingest_gis.table"])
    changed, found = uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert changed == [page] and found[page] == ["ingest_gis.table"] and "old" not in text
    assert ("| generated city, GeoParquet -> read_vector + Scene.add + party_walls | 200,000 | 14.44 s | 13,900 | 3.40 s | 58,800 "
            "| 2026-12-06 09:48 UTC, commit abc1234, load 15.4-17.2 on 2 cores |") in text
    assert ("| 51,060 | 20.44 s | 2,500 | 4.99 s | 10,200 | 2026-12-06 09:49 UTC, commit abc1234, load 17.2-19.3 on 2 cores |") in text
    assert text.index("generated city") < text.index("Brussels region PBF")
    assert uf.update([page], figures_dir=folder, check=True)[0] == []  # up to date now


def test_the_readme_row_renders_in_one_line(tmp_path):
    page, folder = _page(tmp_path, GIS, ["ingest_gis.readme"], inline=True)
    uf.update([page], figures_dir=folder)
    assert page.read_text(encoding="utf-8") == (
        "<!-- figures:ingest_gis.readme -->200k generated footprints + party walls at 58,800 buildings per CPU-second (13,900/s wall, "
        "load 15.4-17.2); whole Brussels PBF (51k buildings, 79k links) in 5.0 s CPU (20.4 s wall, load 17.2-19.3); measured "
        "2026-12-06 09:48 UTC at commit abc1234 by `pytest benchmarks/bench_ingest_gis.py -s` (`docs/ingest_gis.md`)"
        "<!-- /figures:ingest_gis.readme -->\n")


def test_the_brussels_party_walls(tmp_path):
    page, folder = _page(tmp_path, GIS, ["ingest_gis.brussels_walls"], inline=True)
    uf.update([page], figures_dir=folder)
    assert ("<!-- figures:ingest_gis.brussels_walls -->43,802 party walls, 80 % of buildings have one (`pytest benchmarks/bench_ingest_gis.py -s`, "
            "2026-12-06 09:49 UTC)<!-- /figures:ingest_gis.brussels_walls -->") in page.read_text(encoding="utf-8")


def test_one_load_figure_when_the_load_did_not_change():
    data = copy.deepcopy(GIS)
    data["cases"]["generated_city"]["load_after"] = [15.41, 1, 1]
    assert "(13,900/s wall, load 15.4);" in ingest.gis_readme(data)


def test_the_ifc_summary_renders_the_ratio_and_the_loads_of_both_cases(tmp_path):
    page, folder = _page(tmp_path, IFC, ["ingest_ifc.summary"], file="ingest_ifc.json")
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert ("read_ifc median 26.6 s, bare iterator 20.4 s, ratio 1.30 (wall, medians of 3 rounds each; load 19.4-21.4 on 2 cores, "
            "measured 2026-12-06 09:48 UTC at commit abc1234 by `pytest benchmarks/bench_ingest_ifc.py -s`). The bare iterator used "
            "3.18 s of CPU per round; read_ifc's parent process 0.62 s (the child's CPU is not counted); in read_ifc's last round the "
            "child process took 24.4 s wall and the parent's analysis 1.56 s.") in text


def test_a_missing_ifc_case_names_the_ifc_benchmark(tmp_path):
    data = copy.deepcopy(IFC)
    del data["cases"]["iterator"]
    page, folder = _page(tmp_path, data, ["ingest_ifc.summary"], file="ingest_ifc.json")
    assert_refused(uf, page, folder, "ingest_ifc.json", "ingest_ifc.summary", "no 'cases.iterator' in the figures", "pytest benchmarks/bench_ingest_ifc.py -s")


@pytest.mark.parametrize(("block", "drop", "message"), [
    ("ingest_gis.table", ("cases", "brussels_pbf"), "no 'cases.brussels_pbf' in the figures"),
    ("ingest_gis.table", ("cases", "generated_city", "median_cpu_s"), "no 'median_cpu_s' in the figures"),
    ("ingest_gis.readme", ("cases", "brussels_pbf", "links"), "no 'links' in the figures"),
    ("ingest_gis.readme", ("cases", "generated_city", "load_after"), "no 'load_after' in the figures"),
    ("ingest_gis.brussels_walls", ("cases", "brussels_pbf", "share_with_party_wall"), "no 'share_with_party_wall' in the figures"),
])  # fmt: skip
def test_a_missing_key_is_an_error_naming_it_the_file_and_the_benchmark(tmp_path, block, drop, message):
    data = without(GIS, drop)
    page, folder = _page(tmp_path, data, [block], inline=block.endswith("readme"))
    assert_refused(uf, page, folder, "ingest_gis.json", block, message, "pytest benchmarks/bench_ingest_gis.py -s")


@pytest.mark.parametrize(("page", "prefix"), [("docs/ingest_gis.md", "ingest_gis.table"), ("docs/ingest_gis.md", "ingest_gis.brussels_walls"),
                                             ("README.md", "ingest_gis.readme"),
                                             ("docs/ingest_ifc.md", "ingest_ifc.")])
def test_the_pages_quote_the_ingest_views(page, prefix):
    text = (REPO / page).read_text(encoding="utf-8")
    for name in (n for n in ingest.BLOCKS if n.startswith(prefix)):
        assert f"<!-- figures:{name} -->" in text, f"{page} does not quote {name}"
